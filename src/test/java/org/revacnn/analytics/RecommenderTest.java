package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
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

    List<String> order = Recommender.removalOrder(report, ((org.revacnn.engine.Conv) net.layer("conv2")).weights());

    assertThat(order).hasSize(10).doesNotHaveDuplicates().startsWith(PlantedNetwork.DEAD, PlantedNetwork.DUPLICATE);
  }

  @Test
  void aLayerThatStoppedMovingIsAFreezeCandidate() {
    PlantedNetwork planted = PlantedNetwork.build();
    LayerReport moving = LayerReport.of(planted.network(), planted.network().layer("conv1"), new FilterStatistics(),
        planted.measuredActivations());
    LayerReport stopped = new LayerReport(moving.layerId(), moving.kind(), false, moving.filterIds(), moving.jitter(),
        moving.meanSquaredGradient(), moving.l1Norm(), moving.zeroFraction(), moving.taylor(), moving.rgbMix(),
        moving.meanActivation(), 1e-6, Recommender.TINY_UPDATE_STEPS, 0, 0, 0);

    Recommendations advice = Recommender.recommend(planted.network(), List.of(stopped));

    assertThat(advice.freeze()).singleElement().satisfies(c -> {
      assertThat(c.layer()).isEqualTo("conv1");
      assertThat(c.reason()).isEqualTo("tiny-updates");
      assertThat(c.tinyUpdateSteps()).isEqualTo(Recommender.TINY_UPDATE_STEPS);
    });
  }

  private static Recommendations recommend(Network net, ActivationStatistics activations) {
    return Recommender.recommend(net, LayerReport.all(net, new FilterStatistics(), activations));
  }
}
