package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.revacnn.data.ImageSet;
import org.revacnn.data.SyntheticShapes;

/**
 * Removing a residual block from a trained ResNet: the network keeps working, with a measured
 * accuracy drop (printed), because the identity shortcut still carries what the later blocks read.
 */
class ResNetBlockRemovalTest {
  private static final int BATCH = 16;

  @Test
  void removingABlockOfATrainedResNetKeepsItWellAboveChance() {
    ImageSet train = SyntheticShapes.generate(480, 11);
    ImageSet test = SyntheticShapes.generate(200, 12);
    NetworkSpec spec = new NetworkSpec(SyntheticShapes.SHAPE, train.classCount(),
        ModelShorthand.parse("conv8k3bnnopool-pool2-res8-res8-res8-gap"), InitKind.HE);
    Hyperparameters sgd = SurgeryFixtures.sgdMomentum().withLearningRate(0.05f);
    try (Network net = Network.build(spec, 3)) {
      for (int epoch = 0; epoch < 4; epoch++) {
        for (int from = 0; from + BATCH <= train.size(); from += BATCH) {
          net.trainStep(pixels(train, from, BATCH), labels(train, from, BATCH), BATCH, sgd);
        }
      }
      double before = accuracy(net, test);
      Surgery.removeLayer(net, "res2");
      double after = accuracy(net, test);
      System.out.printf("ResNet block removal: test accuracy %.3f before, %.3f after removing res2 (chance %.3f)%n", before, after,
          1.0 / train.classCount());
      assertThat(before).isGreaterThan(3.0 / train.classCount());
      assertThat(after).isGreaterThan(2.0 / train.classCount());
    }
  }

  private static double accuracy(Network net, ImageSet set) {
    float[] logits = net.logits(pixels(set, 0, set.size()), set.size());
    int classes = net.classes();
    int right = 0;
    for (int i = 0; i < set.size(); i++) {
      int best = 0;
      for (int c = 1; c < classes; c++) if (logits[i * classes + c] > logits[i * classes + best]) best = c;
      if (best == set.label(i)) right++;
    }
    return (double) right / set.size();
  }

  /** Images [from, from + count) as floats in [-0.5, 0.5]. */
  private static float[] pixels(ImageSet set, int from, int count) {
    int size = set.shape().size();
    float[] out = new float[count * size];
    for (int i = 0; i < count; i++) {
      byte[] bytes = set.imageBytes(from + i);
      for (int k = 0; k < size; k++) out[i * size + k] = (bytes[k] & 0xff) / 255f - 0.5f;
    }
    return out;
  }

  private static int[] labels(ImageSet set, int from, int count) {
    int[] out = new int[count];
    for (int i = 0; i < count; i++) out[i] = set.label(from + i);
    return out;
  }
}
