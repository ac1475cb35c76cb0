package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Batch norm networks trained with one shard per thread: the statistics are the whole batch's, so
 * results match the single-shard step to float rounding, and are the same bits run after run.
 */
class ShardedBatchNormTest {
  private static final Shape INPUT = new Shape(3, 8, 8);
  private static final int BATCH = 7;
  private static final int[] LABELS = {0, 1, 2, 3, 0, 1, 2};
  private static final Hyperparameters SGD = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD)
      .withLearningRate(0.05f).withMomentum(0.9f).withNesterov(true).withBatchSize(BATCH);

  /** A small ResNet: conv-bn stem, an identity block and a strided projection block, global pooling. */
  private static Network smallResNet(int threads) {
    Network net = Network.build(NetworkSpec.parse("conv4k3bn-res4-res6s2-gap", INPUT, 4), 11);
    net.setThreads(threads);
    return net;
  }

  /** Every parameter and running statistic after {@code steps} SGD steps at this many threads, in order. */
  private static List<float[]> trainedArrays(int threads, int steps) {
    float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 3);
    try (Network net = smallResNet(threads)) {
      for (int i = 0; i < steps; i++) net.trainStep(images, LABELS, BATCH, SGD);
      List<float[]> arrays = new ArrayList<>();
      for (Param p : net.savedArrays()) arrays.add(p.value().clone());
      return arrays;
    }
  }

  private static void assertClose(List<float[]> actual, List<float[]> expected, double tolerance) {
    assertThat(actual).hasSameSizeAs(expected);
    double worst = 0;
    for (int a = 0; a < expected.size(); a++) {
      for (int i = 0; i < expected.get(a).length; i++) {
        double e = expected.get(a)[i];
        worst = Math.max(worst, Math.abs(actual.get(a)[i] - e) / (1e-3 + Math.abs(e)));
      }
    }
    assertThat(worst).as("largest relative difference").isLessThan(tolerance);
  }

  @Test
  void twoAndThreeThreadsTrainAsTheSingleShardStepToFloatRounding() {
    List<float[]> oneShard = trainedArrays(1, 4);
    List<float[]> two = trainedArrays(2, 4);
    List<float[]> three = trainedArrays(3, 4); // shards of 2, 2 and 3 images
    assertClose(two, oneShard, 1e-4);
    assertClose(three, oneShard, 1e-4);
    assertThat(two.getFirst()).isNotEqualTo(trainedArrays(1, 0).getFirst()); // training moved the weights
  }

  @Test
  void theSameThreadCountGivesTheSameBitsAndTheRunningStatisticsAnyThreadCount() {
    List<float[]> first = trainedArrays(2, 3);
    assertThat(trainedArrays(2, 3)).usingRecursiveComparison().isEqualTo(first);
    // the running statistics are sums added in image order, whatever the shards: equal bits after one step
    float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 3);
    float[][] running = new float[3][];
    for (int threads = 1; threads <= 3; threads++) {
      try (Network net = smallResNet(threads)) {
        net.trainStep(images, LABELS, BATCH, SGD);
        running[threads - 1] = ((BatchNorm) net.layer("bn1")).runningVariance().value().clone();
      }
    }
    assertThat(running[1]).isEqualTo(running[0]);
    assertThat(running[2]).isEqualTo(running[0]);
  }

  @Test
  void shardedGradientsOfTheWholeBatchLossMatchFiniteDifferences() {
    try (Network net = smallResNet(2)) {
      float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 5);
      NetworkGradientTest.checkTrainingPass(net, images, LABELS, 5, 9);
    }
  }

  @Test
  void aShardThatFailsStopsTheOthersWaitingAndTheNextStepRuns() {
    float[] images = GradientCheck.randomArray(BATCH * INPUT.size(), 3);
    int[] badLast = LABELS.clone();
    badLast[BATCH - 1] = 9; // only the second shard's images hold it: it fails after forward, the first waits in backward
    try (Network net = smallResNet(2)) {
      assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
        assertThatThrownBy(() -> net.trainStep(images, badLast, BATCH, SGD)).hasMessageContaining("label 9 out of range");
        assertThat(net.trainStep(images, LABELS, BATCH, SGD).loss()).isFinite();
      });
    }
  }
}
