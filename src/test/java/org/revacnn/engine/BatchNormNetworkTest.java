package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Batch norm inside a network: train versus inference passes, whole-batch statistics, saved state. */
class BatchNormNetworkTest {
  private static final Shape INPUT = new Shape(3, 6, 6);
  private static final int BATCH = 6;

  static Network convBatchNormNet(long seed) {
    List<LayerSpec> layers = List.of(new LayerSpec.ConvSpec(4, 3, 1, 1), new LayerSpec.BatchNormSpec(), new LayerSpec.ReluSpec(),
        new LayerSpec.ConvSpec(5, 3, 2, 1), new LayerSpec.BatchNormSpec(), new LayerSpec.ReluSpec());
    return Network.build(new NetworkSpec(INPUT, 3, layers, InitKind.HE), seed);
  }

  private static int[] labels() {
    return new int[] {0, 1, 2, 0, 1, 2};
  }

  @Test
  void wholeNetworkGradientsMatchFiniteDifferencesInTrainingAndInference() {
    try (Network net = convBatchNormNet(3)) {
      float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 5);
      NetworkGradientTest.checkTrainingPass(net, images, labels(), 20, 9);
      NetworkGradientTest.checkNetwork(net, 3, 21); // inference: running statistics
    }
  }

  @Test
  void trainingUsesTheWholeBatchWhateverTheThreadsAndInferenceTheRunningStatistics() {
    float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 5);
    float[][] logits = new float[2][];
    float[][] running = new float[2][];
    for (int threads = 1; threads <= 2; threads++) {
      try (Network net = convBatchNormNet(3)) {
        net.setThreads(threads);
        BatchNorm bn = (BatchNorm) net.layer("bn1");
        float[] before = net.logits(images, BATCH);
        assertThat(bn.runningMean().value()).containsOnly(0f); // inference does not move the statistics
        net.trainStep(images, labels(), BATCH, Hyperparameters.defaults());
        assertThat(bn.runningMean().value()).isNotEqualTo(new float[4]);
        running[threads - 1] = bn.runningMean().value().clone();
        logits[threads - 1] = net.logits(images, BATCH);
        assertThat(logits[threads - 1]).isNotEqualTo(before);
      }
    }
    assertThat(running[1]).isEqualTo(running[0]); // batch sums added in image order, whatever the shards
    // two threads run two shards whose parameter gradients are added: equal to float rounding (see ShardedBatchNormTest)
    for (int i = 0; i < logits[0].length; i++) {
      assertThat(logits[1][i]).isCloseTo(logits[0][i], org.assertj.core.api.Assertions.within(1e-5f));
    }
  }

  @Test
  void runningMeanMovesTowardsTheWholeBatchMean() {
    try (Network net = convBatchNormNet(3)) {
      float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 5);
      float[] convOut = net.layerOutputs(images, BATCH, "conv1");
      net.computeGradients(images, labels(), BATCH, true);
      BatchNorm bn = (BatchNorm) net.layer("bn1");
      for (int c = 0; c < 4; c++) {
        double sum = 0;
        for (int n = 0; n < BATCH; n++) for (int i = 0; i < 36; i++) sum += convOut[(n * 4 + c) * 36 + i];
        assertThat((double) bn.runningMean().value()[c]).isCloseTo(0.1 * sum / (BATCH * 36), org.assertj.core.api.Assertions.within(1e-6));
      }
    }
  }

  @Test
  void runningStatisticsAreSavedAndRestoredButNotTrainedOrCounted() {
    try (Network net = convBatchNormNet(3)) {
      float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 5);
      for (int i = 0; i < 3; i++) net.trainStep(images, labels(), BATCH, Hyperparameters.defaults());
      BatchNorm bn = (BatchNorm) net.layer("bn2");
      assertThat(net.params()).doesNotContain(bn.runningMean(), bn.runningVariance());
      assertThat(net.savedArrays()).contains(bn.runningMean(), bn.runningVariance());
      assertThat(bn.runningMean().states()).isEmpty();
      long convAndClassifier = (4 * 27 + 4) + (5 * 36 + 5) + (3 * 45 + 3);
      assertThat(net.parameterCount()).isEqualTo(convAndClassifier + 2 * 4 + 2 * 5);
      try (Network restored = NetworkState.capture(net).restore()) {
        BatchNorm copy = (BatchNorm) restored.layer("bn2");
        assertThat(copy.runningMean().value()).isEqualTo(bn.runningMean().value());
        assertThat(copy.runningVariance().value()).isEqualTo(bn.runningVariance().value());
        assertThat(restored.logits(images, BATCH)).isEqualTo(net.logits(images, BATCH));
        assertThat(Architecture.of(restored)).usingRecursiveComparison().isEqualTo(Architecture.of(net));
      }
    }
  }
}
