package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Training behaviour: a tiny set is learned perfectly, and runs are exactly reproducible. */
class TrainingTest {
  private static final Shape INPUT = new Shape(3, 12, 12);

  @ParameterizedTest
  @EnumSource(OptimizerKind.class)
  void tinySetReachesFullTrainingAccuracy(OptimizerKind kind) {
    int count = 16;
    float[] images = GradientCheck.randomArray(count * INPUT.size(), 3);
    int[] labels = new SplittableRandom(4).ints(count, 0, 4).toArray();
    float lr = switch (kind) {
      case SGD -> 0.05f;
      case ADAM -> 0.005f;
      case ADADELTA -> 1f;
    };
    Hyperparameters h = Hyperparameters.defaults().withOptimizer(kind).withLearningRate(lr).withWeightDecay(0);
    try (Network net = Network.build(NetworkSpec.parse("conv8k3-conv8k3", INPUT, 4), 5)) {
      for (int epoch = 0; epoch < 300 && accuracy(net, images, labels) < 1.0; epoch++) {
        for (int b = 0; b < count; b += 4) {
          net.trainStep(slice(images, b, 4), slice(labels, b, 4), 4, h);
        }
      }
      assertThat(accuracy(net, images, labels)).isEqualTo(1.0);
    }
  }

  @Test
  void sameSeedGivesBitIdenticalWeightsAtOneAndTwoThreads() {
    float[][] one = trainAndDump(1);
    float[][] oneAgain = trainAndDump(1);
    float[][] two = trainAndDump(2);
    float[][] twoAgain = trainAndDump(2);
    assertThat(java.util.Arrays.deepEquals(oneAgain, one)).as("1 thread, twice").isTrue();
    assertThat(java.util.Arrays.deepEquals(twoAgain, two)).as("2 threads, twice").isTrue();
    assertThat(java.util.Arrays.deepEquals(two, one)).as("the thread count only decides who runs a shard").isTrue();
  }

  @Test
  void differentSeedsGiveDifferentWeights() {
    try (Network a = Network.build(NetworkSpec.parse("conv4", INPUT, 3), 1);
        Network b = Network.build(NetworkSpec.parse("conv4", INPUT, 3), 2)) {
      assertThat(a.params().get(0).value()).isNotEqualTo(b.params().get(0).value());
    }
  }

  private static float[][] trainAndDump(int threads) {
    float[] images = GradientCheck.randomArray(60 * INPUT.size(), 8);
    int[] labels = new SplittableRandom(9).ints(60, 0, 3).toArray();
    try (Network net = Network.build(NetworkSpec.parse("conv6k3-drop20-fc8", INPUT, 3), 42)) {
      net.setThreads(threads);
      Hyperparameters h = Hyperparameters.defaults().withLearningRate(0.02f);
      // batch sizes giving 2 shards, 5 uneven ones and 3: threads take shards in whatever order they come
      int[] batches = {4, 19, 9};
      int at = 0;
      for (int step = 0; step < 12; step++) {
        int batch = batches[step % batches.length];
        if (at + batch > 60) at = 0;
        net.trainStep(slice(images, at, batch), slice(labels, at, batch), batch, h);
        at += batch;
      }
      List<Param> params = net.params();
      float[][] dump = new float[params.size()][];
      for (int i = 0; i < dump.length; i++) dump[i] = params.get(i).value().clone();
      return dump;
    }
  }

  static double accuracy(Network net, float[] images, int[] labels) {
    float[] logits = net.logits(images, labels.length);
    int right = 0;
    for (int i = 0; i < labels.length; i++) {
      if (SoftmaxCrossEntropy.argMax(logits, i * net.classes(), net.classes()) == labels[i]) right++;
    }
    return (double) right / labels.length;
  }

  static float[] slice(float[] images, int from, int count) {
    int size = INPUT.size();
    float[] out = new float[count * size];
    System.arraycopy(images, from * size, out, 0, count * size);
    return out;
  }

  static int[] slice(int[] labels, int from, int count) {
    int[] out = new int[count];
    System.arraycopy(labels, from, out, 0, count);
    return out;
  }
}
