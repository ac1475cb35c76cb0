package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Network;

class FilterStatisticsTest {

  @Test
  void updateRatioIsTheMeasuredChangeOfTheWeightsWithMomentum() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    FilterStatistics statistics = new FilterStatistics();
    net.addListener(statistics);
    Hyperparameters hyper = Hyperparameters.defaults().withLearningRate(0.05f).withMomentum(0.9f);
    Conv conv1 = (Conv) net.layer("conv1");

    double expected = Double.NaN;
    for (int step = 0; step < 3; step++) {
      float[] before = conv1.weights().value().clone();
      net.trainStep(planted.images(), planted.labels(), 4, hyper);
      double change = 0;
      double magnitude = 0;
      for (int i = 0; i < before.length; i++) {
        change += Math.abs(conv1.weights().value()[i] - before[i]);
        magnitude += Math.abs(before[i]);
      }
      double ratio = change / magnitude;
      expected = step == 0 ? ratio : expected + FilterStatistics.SMOOTHING * (ratio - expected);
    }

    assertThat(statistics.updateRatio("conv1")).isCloseTo(expected, within(1e-9 + 1e-6 * expected));
  }

  @Test
  void smoothedGradientStartsAtTheFirstGradientAndJitterIsItsMeanAbsoluteValue() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    FilterStatistics statistics = new FilterStatistics();
    net.addListener(statistics);
    Conv conv1 = (Conv) net.layer("conv1");
    float[][] gradient = new float[1][];
    net.addListener(new org.revacnn.engine.StepListener() {
      @Override
      public void afterBackward(Network network, long step) {
        gradient[0] = conv1.weights().grad().clone();
      }
    });

    net.trainStep(planted.images(), planted.labels(), 4, Hyperparameters.defaults());

    int size = conv1.weights().unitSize();
    float[] first = java.util.Arrays.copyOfRange(statistics.smoothedGradients(conv1), size, 2 * size);
    assertThat(first).containsExactly(java.util.Arrays.copyOfRange(gradient[0], size, 2 * size));
    double meanAbs = 0;
    for (float g : first) meanAbs += Math.abs(g) / size;
    assertThat(statistics.jitter(conv1)[1]).isCloseTo((float) meanAbs, within(1e-9f));
    assertThat(new FilterStatistics().smoothedGradients(conv1)).as("filters not seen yet").hasSize(conv1.weights().size()).containsOnly(0f);
  }

  @Test
  void countsStepsWithTinyUpdates() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    FilterStatistics statistics = new FilterStatistics();
    net.addListener(statistics);
    Hyperparameters still = Hyperparameters.defaults().withLearningRate(1e-9f).withWeightDecay(0);

    for (int step = 0; step < 5; step++) net.trainStep(planted.images(), planted.labels(), 4, still);

    assertThat(statistics.tinyUpdateSteps("conv1")).isEqualTo(5);
    net.trainStep(planted.images(), planted.labels(), 4, Hyperparameters.defaults().withLearningRate(1f));
    assertThat(statistics.tinyUpdateSteps("conv1")).isZero();
  }

  @Test
  void aFilterKeepsItsJitterWhenSurgeryMovesIt() {
    PlantedNetwork planted = PlantedNetwork.build();
    Network net = planted.network();
    FilterStatistics statistics = new FilterStatistics();
    net.addListener(statistics);
    net.trainStep(planted.images(), planted.labels(), 4, Hyperparameters.defaults());
    Conv conv2 = (Conv) net.layer("conv2");
    float[] before = statistics.jitter(conv2);

    org.revacnn.engine.Surgery.removeFilters(net, "conv2", java.util.List.of("conv2/f0", "conv2/f3"));

    float[] after = statistics.jitter(conv2);
    assertThat(after).hasSize(before.length - 2);
    assertThat(after[0]).as("conv2/f1, now first").isEqualTo(before[1]).isPositive();
    assertThat(after[2]).as("conv2/f4, now third").isEqualTo(before[4]);
  }
}
