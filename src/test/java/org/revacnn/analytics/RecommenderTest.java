package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Conv;
import org.revacnn.engine.GrowInit;
import org.revacnn.engine.Network;
import org.revacnn.engine.StepResult;
import org.revacnn.engine.Surgery;

class RecommenderTest {

  @Test
  void recommendsExactlyThePlantedDeadAndDuplicatedFilters() {
    PlantedNetwork planted = PlantedNetwork.build();
    Recommendations advice = recommend(planted.network(), planted.measuredActivations());

    assertThat(advice.layers()).extracting(Recommendations.LayerRemovals::layer).containsExactly("conv1", "conv2");
    assertThat(advice.layers().get(0).removals()).isEmpty();
    List<Recommendations.RemovalCandidate> conv2 = advice.layers().get(1).removals();
    assertThat(conv2).extracting(Recommendations.RemovalCandidate::filter)
        .containsExactly(PlantedNetwork.DEAD, PlantedNetwork.DUPLICATE);
    assertThat(conv2).extracting(Recommendations.RemovalCandidate::reason).containsExactly("dead", "redundant");
    assertThat(conv2.get(0).apoz()).isEqualTo(1.0);
    assertThat(conv2.get(0).taylor()).isZero();
    assertThat(conv2.get(1).twin()).isEqualTo(PlantedNetwork.ORIGINAL);
    assertThat(conv2.get(1).similarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(conv2.get(1).detail()).contains(PlantedNetwork.ORIGINAL);
  }

  @Test
  void aFullyDeadLayerIsAFreezeCandidateAndKeepsOneFilter() {
    PlantedNetwork planted = PlantedNetwork.build();
    var conv2 = (org.revacnn.engine.Conv) planted.network().layer("conv2");
    java.util.Arrays.fill(conv2.bias().value(), -100);

    Recommendations advice = recommend(planted.network(), planted.measuredActivations());

    assertThat(advice.layers().get(1).removals()).hasSize(9).allMatch(c -> c.reason().equals("dead"));
    assertThat(advice.freeze()).extracting(Recommendations.FreezeCandidate::layer).containsExactly("conv2");
    assertThat(advice.freeze().getFirst().reason()).isEqualTo("mostly-dead");
    assertThat(advice.freeze().getFirst().deadFraction()).isEqualTo(1.0);
  }

  @Test
  void removingTheDeadFilterLeavesTheOutputUnchanged() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    float[] before = net.logits(planted.images(), 4);
    List<String> ids = recommend(net, planted.measuredActivations()).layers().get(1).removals().stream()
        .map(Recommendations.RemovalCandidate::filter).toList();

    // a dead filter's output is 0 everywhere, so dropping it and its blocks of conv2's successor changes nothing
    Surgery.removeFilters(net, "conv2", List.of(ids.getFirst()));

    float[] after = net.logits(planted.images(), 4);
    for (int i = 0; i < before.length; i++) assertThat(after[i]).isCloseTo(before[i], org.assertj.core.data.Offset.offset(1e-5f));
  }

  @Test
  void removalOrderListsEveryFilterCandidatesFirst() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    LayerReport report = LayerReport.of(net, net.layer("conv2"), new FilterStatistics(), planted.measuredActivations());

    List<String> order = Recommender.removalOrder(report, ((org.revacnn.engine.Conv) net.layer("conv2")).weights(),
        Recommender.Evidence.ONE_MEASUREMENT);

    assertThat(order).hasSize(10).doesNotHaveDuplicates().startsWith(PlantedNetwork.DEAD, PlantedNetwork.DUPLICATE);
  }

  @Test
  void aLayerThatStoppedMovingIsAFreezeCandidate() {
    PlantedNetwork planted = PlantedNetwork.build();
    LayerReport moving = LayerReport.of(planted.network(), planted.network().layer("conv1"), new FilterStatistics(),
        planted.measuredActivations());
    LayerReport stopped = new LayerReport(moving.layerId(), moving.kind(), false, moving.filterIds(), moving.jitter(),
        moving.meanSquaredGradient(), moving.l1Norm(), moving.zeroFraction(), moving.taylor(), moving.rgbMix(),
        moving.meanActivation(), 1e-6, Recommender.TINY_UPDATE_STEPS, 0, 0, 0, moving.minZeroFraction(), moving.rounds(),
        moving.ageSteps());

    Recommendations advice = Recommender.recommend(planted.network(), List.of(stopped), Recommender.Evidence.ONE_MEASUREMENT,
        planted.measuredActivations().window());

    assertThat(advice.freeze()).singleElement().satisfies(c -> {
      assertThat(c.layer()).isEqualTo("conv1");
      assertThat(c.reason()).isEqualTo("tiny-updates");
      assertThat(c.tinyUpdateSteps()).isEqualTo(Recommender.TINY_UPDATE_STEPS);
    });
  }

  @Test
  void aNewFilterIsJudgedOnlyAfterItHasHadTimeToLearnWhateverItsInit() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics activations = new ActivationStatistics(planted.images(), planted.labels(), 50);
    activations.observe(net);
    steps(net, activations, 1, 300);
    // a net2net copy of f0 (a perfect twin) and a random filter that is dead from birth
    Surgery.addFilters(net, "conv2", 1, GrowInit.NET2NET, "conv2/f0", 0);
    Surgery.addFilters(net, "conv2", 1, GrowInit.RANDOM, null, 0);
    ((Conv) net.layer("conv2")).bias().value()[11] = -100;
    activations.observe(net);
    steps(net, activations, 301, 600);

    Recommendations.LayerRemovals conv2 = live(net, activations).layers().get(1);
    assertThat(conv2.tooNew()).containsExactly("conv2/f10", "conv2/f11");
    assertThat(conv2.removals()).extracting(Recommendations.RemovalCandidate::filter).containsExactly(PlantedNetwork.DEAD,
        PlantedNetwork.DUPLICATE);

    steps(net, activations, 601, 800);
    conv2 = live(net, activations).layers().get(1);
    assertThat(conv2.tooNew()).isEmpty();
    assertThat(conv2.removals()).extracting(Recommendations.RemovalCandidate::filter)
        .contains("conv2/f11").containsAnyOf("conv2/f0", "conv2/f10");
  }

  @Test
  void deadNeedsAZeroReluInEveryRoundOfTheWindow() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics activations = new ActivationStatistics(planted.images(), planted.labels(), 50);
    float[] bias = ((Conv) net.layer("conv2")).bias().value();
    float alive = bias[2];
    activations.observe(net);
    steps(net, activations, 1, 500);
    // f2 dies, but the window still holds a round in which it fired
    bias[2] = -100;
    steps(net, activations, 501, 500 + 50 * (ActivationStatistics.ROUNDS - 1));
    assertThat(reasons(live(net, activations)).get(PlantedNetwork.ORIGINAL)).isNotEqualTo("dead");
    assertThat(reasons(live(net, activations))).containsEntry(PlantedNetwork.DEAD, "dead");
    // one more dead round: every round of the window says dead
    steps(net, activations, 501 + 50 * (ActivationStatistics.ROUNDS - 1), 500 + 50 * ActivationStatistics.ROUNDS);
    assertThat(reasons(live(net, activations))).containsEntry(PlantedNetwork.ORIGINAL, "dead");
    // a single round in which it fires again clears it
    bias[2] = alive;
    steps(net, activations, 501 + 50 * ActivationStatistics.ROUNDS, 550 + 50 * ActivationStatistics.ROUNDS);
    assertThat(reasons(live(net, activations)).get(PlantedNetwork.ORIGINAL)).isNotEqualTo("dead");
  }

  @Test
  void theAnswerSaysHowTheStatisticsWereAveraged() {
    PlantedNetwork planted = PlantedNetwork.build();
    ActivationStatistics activations = new ActivationStatistics(planted.images(), planted.labels(), 50);
    activations.observe(planted.network());

    Recommendations advice = live(planted.network(), activations);

    assertThat(advice.window()).isEqualTo(new ActivationStatistics.Window(ActivationStatistics.ROUNDS, 16, 50));
    assertThat(advice.evidence()).isEqualTo(Recommender.Evidence.LIVE);
    assertThat(advice.layers().get(1).tooNew()).hasSize(10);
    assertThat(advice.layers().get(1).removals()).isEmpty();
  }

  /** Tells the statistics that training steps {@code from..to} happened (the weights stay as they are). */
  private static void steps(Network net, ActivationStatistics activations, long from, long to) {
    for (long step = from; step <= to; step++) activations.afterStep(net, new StepResult(step, 4, 1.0, 0));
  }

  private static Recommendations live(Network net, ActivationStatistics activations) {
    return Recommender.recommend(net, LayerReport.all(net, new FilterStatistics(), activations), Recommender.Evidence.LIVE,
        activations.window());
  }

  private static java.util.Map<String, String> reasons(Recommendations advice) {
    java.util.Map<String, String> out = new java.util.HashMap<>();
    advice.layers().forEach(l -> l.removals().forEach(r -> out.put(r.filter(), r.reason())));
    return out;
  }

  /** A saved network measured once: every filter judged. */
  private static Recommendations recommend(Network net, ActivationStatistics activations) {
    return Recommender.recommend(net, LayerReport.all(net, new FilterStatistics(), activations),
        Recommender.Evidence.ONE_MEASUREMENT, activations.window());
  }
}
