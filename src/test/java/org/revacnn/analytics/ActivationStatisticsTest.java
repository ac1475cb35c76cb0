package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Network;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.Surgery;

class ActivationStatisticsTest {

  @Test
  void matchesTheDefinitionsOnASingleImage() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    int imageSize = net.inputShape().size();
    float[] image = java.util.Arrays.copyOf(planted.images(), imageSize);
    ActivationStatistics statistics = new ActivationStatistics(image, new int[] {planted.labels()[0]}, 1);

    statistics.observe(net);

    // conv1 is followed by relu1: read the ReLU's output and its gradient
    ProbeResult.LayerTrace trace = net.probe(image, planted.labels()[0]).layers().get(1);
    int plane = trace.shape().plane();
    List<String> ids = net.layer("conv1") instanceof org.revacnn.engine.Conv c ? c.filterIds().ids() : List.of();
    float[] zeros = statistics.zeroFraction(ids);
    float[] taylor = statistics.taylor(ids);
    for (int f = 0; f < ids.size(); f++) {
      int zeroCount = 0;
      double product = 0;
      for (int p = f * plane; p < (f + 1) * plane; p++) {
        if (trace.output()[p] == 0) zeroCount++;
        product += trace.output()[p] * trace.outputGradient()[p];
      }
      assertThat(zeros[f]).isCloseTo((float) zeroCount / plane, within(1e-6f));
      assertThat(taylor[f]).isCloseTo((float) Math.abs(product / plane), within(1e-7f));
    }
  }

  @Test
  void theClassifierHasNoApozAndRemovedFiltersAreForgotten() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = planted.measuredActivations();

    assertThat(statistics.zeroFraction(List.of("output/f0"))[0]).isNaN();
    assertThat(statistics.taylor(List.of("output/f0"))[0]).isFinite();

    Surgery.removeFilters(net, "conv2", List.of(PlantedNetwork.DEAD));
    statistics.retain(net);

    assertThat(statistics.zeroFraction(List.of(PlantedNetwork.DEAD))[0]).isNaN();
    assertThat(statistics.zeroFraction(List.of(PlantedNetwork.ORIGINAL))[0]).isFinite();
  }

  @Test
  void measuresOnlyEveryNthStep() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = new ActivationStatistics(planted.images(), planted.labels(), 3);
    net.addListener(statistics);
    var hyper = org.revacnn.engine.Hyperparameters.defaults();

    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    assertThat(statistics.taylor(List.of("conv1/f0"))[0]).isNaN();
    net.trainStep(planted.images(), planted.labels(), 4, hyper);
    assertThat(statistics.taylor(List.of("conv1/f0"))[0]).isFinite();
  }

  @Test
  void reportsTheMeanOfTheLastRoundsTheirMinimumAndEachFiltersAge() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = new ActivationStatistics(planted.images(), planted.labels(), 10);
    List<String> original = List.of(PlantedNetwork.ORIGINAL);
    float[] bias = ((org.revacnn.engine.Conv) net.layer("conv2")).bias().value();
    float alive = bias[2];
    statistics.observe(net);
    float aliveApoz = statistics.zeroFraction(original)[0];
    assertThat(aliveApoz).isLessThan(0.9f);

    // ROUNDS - 1 rounds with the filter dead (bias -100): APoZ 1 in each, so the window holds 1 alive round and 4 dead
    bias[2] = -100;
    for (int step = 1; step <= 10 * (ActivationStatistics.ROUNDS - 1); step++) statistics.afterStep(net, result(step));
    assertThat(statistics.rounds(original)).containsExactly(ActivationStatistics.ROUNDS);
    assertThat(statistics.zeroFraction(original)[0])
        .isCloseTo((aliveApoz + ActivationStatistics.ROUNDS - 1) / ActivationStatistics.ROUNDS, within(1e-6f));
    assertThat(statistics.minZeroFraction(original)[0]).isEqualTo(aliveApoz);
    // one more dead round pushes the alive one out of the window
    for (int step = 41; step <= 50; step++) statistics.afterStep(net, result(step));
    assertThat(statistics.zeroFraction(original)[0]).isEqualTo(1f);
    assertThat(statistics.minZeroFraction(original)[0]).isEqualTo(1f);
    bias[2] = alive;

    // a filter added now is 0 steps old; the first ones are as old as the steps seen since
    Surgery.addFilters(net, "conv2", 1, org.revacnn.engine.GrowInit.RANDOM, null, 0);
    statistics.observe(net);
    for (int step = 51; step <= 55; step++) statistics.afterStep(net, result(step));
    assertThat(statistics.ageSteps(List.of(PlantedNetwork.ORIGINAL, "conv2/f10"))).containsExactly(55, 5);
    assertThat(statistics.rounds(List.of("conv2/f10"))).containsExactly(1);
  }

  @Test
  void theFiltersOfARestoredNetworkAreAsOldAsItsSteps() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    var hyper = org.revacnn.engine.Hyperparameters.defaults();
    for (int i = 0; i < 3; i++) net.trainStep(planted.images(), planted.labels(), 4, hyper);
    ActivationStatistics statistics = new ActivationStatistics(planted.images(), planted.labels(), 50);

    statistics.observe(net);

    assertThat(statistics.ageSteps(List.of("conv1/f0", "conv2/f3"))).containsExactly(3, 3);
  }

  @Test
  void clearingForgetsTheRoundsAndTheAges() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    ActivationStatistics statistics = new ActivationStatistics(planted.images(), planted.labels(), 10);
    statistics.observe(net);
    for (int step = 1; step <= 30; step++) statistics.afterStep(net, result(step));

    statistics.clear();

    assertThat(statistics.rounds(List.of("conv2/f0"))).containsExactly(0);
    assertThat(statistics.taylor(List.of("conv2/f0"))[0]).isNaN();
    statistics.observe(net);
    assertThat(statistics.ageSteps(List.of("conv2/f0"))).containsExactly(0);
    assertThat(statistics.rounds(List.of("conv2/f0"))).containsExactly(1);
  }

  private static org.revacnn.engine.StepResult result(long step) {
    return new org.revacnn.engine.StepResult(step, 4, 1.0, 0);
  }
}
