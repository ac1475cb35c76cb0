package org.revacnn.engine;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whole-network finite-difference check of dL/dParam for the mean cross-entropy loss. */
class NetworkGradientTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"conv4-conv5", "conv3k3s2p1nopool-pool2-fc6", "conv4k3nopool-conv3k5s2p2-fc5-fc4", "fc7-fc5"})
  void wholeNetworkGradientsMatchFiniteDifferences(String spec) {
    try (Network net = Network.build(NetworkSpec.parse(spec, new Shape(3, 9, 8), 4), 7)) {
      checkNetwork(net, 3, 21);
    }
  }

  /** Checks every parameter of {@code net} on a random batch; used by the surgery tests too. */
  static void checkNetwork(Network net, int batch, long seed) {
    float[] images = GradientCheck.randomArray(batch * net.inputShape().size(), seed);
    SplittableRandom random = new SplittableRandom(seed);
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) labels[i] = random.nextInt(net.classes());
    net.computeGradients(images, labels, batch, false);
    for (Param p : net.params()) {
      float[] analytic = p.grad().clone();
      GradientCheck.check(p.name(), p.value(), analytic, () -> meanLoss(net, images, labels, batch), 25, seed);
    }
  }

  /**
   * Checks every parameter against the mean loss of training passes (batch statistics), whose
   * loss is what {@link Network#computeGradients} returns; the analytic gradients are all copied
   * first, since every loss evaluation overwrites them.
   */
  static void checkTrainingPass(Network net, float[] images, int[] labels, int samples, long seed) {
    int batch = labels.length;
    net.computeGradients(images, labels, batch, true);
    List<float[]> analytic = net.params().stream().map(p -> p.grad().clone()).toList();
    for (int i = 0; i < analytic.size(); i++) {
      Param p = net.params().get(i);
      GradientCheck.check(p.name() + " (training)", p.value(), analytic.get(i),
          () -> net.computeGradients(images, labels, batch, true).loss(), samples, seed);
    }
  }

  static double meanLoss(Network net, float[] images, int[] labels, int batch) {
    float[] logits = net.logits(images, batch);
    int classes = net.classes();
    double total = 0;
    for (int i = 0; i < batch; i++) {
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]);
      double sum = 0;
      for (int c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c] - max);
      total += max + Math.log(sum) - logits[i * classes + labels[i]];
    }
    return total / batch;
  }
}
