package org.revacnn.engine;

/**
 * Softmax followed by cross-entropy against integer labels, the network's loss.
 * For logits z and label y: p = softmax(z), L = -log p[y], dL/dz = p - onehot(y).
 *
 * <p>With label smoothing e over K classes (PyTorch's {@code label_smoothing}) the target is
 * q = (1 - e) onehot(y) + e / K: L = -sum_c q[c] log p[c] = logsumexp(z) - sum_c q[c] z[c]
 * (as sum_c q[c] = 1), and dL/dz = p - q.
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** Summed loss and number of correct arg-max predictions over some images. */
  public record Outcome(double lossSum, int correct) {}

  /**
   * Overwrites {@code grad} with {@code scale * (softmax(logits) - onehot(label))} per image and
   * returns the summed loss. Labels of image i are read at {@code labels[labelOffset + i]}.
   */
  public static Outcome lossAndGradient(Tensor logits, int[] labels, int labelOffset, float scale, Tensor grad) {
    return lossAndGradient(logits, labels, labelOffset, scale, 0f, grad);
  }

  /**
   * Overwrites {@code grad} with {@code scale * (softmax(logits) - q)} per image, q the target
   * smoothed by {@code smoothing} (see the class comment), and returns the summed loss. Labels of
   * image i are read at {@code labels[labelOffset + i]}; {@code correct} counts arg-max hits.
   */
  public static Outcome lossAndGradient(Tensor logits, int[] labels, int labelOffset, float scale, float smoothing,
      Tensor grad) {
    int classes = logits.imageSize();
    double spread = (double) smoothing / classes;
    float[] z = logits.data();
    float[] g = grad.data();
    double lossSum = 0;
    int correct = 0;
    for (int i = 0; i < logits.batch(); i++) {
      int base = i * classes;
      int label = labels[labelOffset + i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException("label " + label + " out of range 0.." + (classes - 1));
      }
      int best = argMax(z, base, classes);
      if (best == label) correct++;
      double logSum = logSumExp(z, base, classes);
      double targetDotLogits = (1 - (double) smoothing) * z[base + label];
      if (smoothing != 0f) for (int c = 0; c < classes; c++) targetDotLogits += spread * z[base + c];
      lossSum += logSum - targetDotLogits;
      for (int c = 0; c < classes; c++) {
        double p = Math.exp(z[base + c] - logSum);
        double target = (c == label ? 1 - (double) smoothing : 0) + spread;
        g[base + c] = (float) (scale * (p - target));
      }
    }
    return new Outcome(lossSum, correct);
  }

  /** Overwrites {@code probabilities} (same layout as logits) with softmax(logits). */
  public static void softmax(float[] logits, int offset, int classes, float[] probabilities, int outOffset) {
    double logSum = logSumExp(logits, offset, classes);
    for (int c = 0; c < classes; c++) probabilities[outOffset + c] = (float) Math.exp(logits[offset + c] - logSum);
  }

  static int argMax(float[] z, int base, int classes) {
    int best = 0;
    for (int c = 1; c < classes; c++) if (z[base + c] > z[base + best]) best = c;
    return best;
  }

  /** log sum_c exp(z[c]), shifted by the max for stability. */
  private static double logSumExp(float[] z, int base, int classes) {
    float max = z[base];
    for (int c = 1; c < classes; c++) max = Math.max(max, z[base + c]);
    double sum = 0;
    for (int c = 0; c < classes; c++) sum += Math.exp(z[base + c] - max);
    return max + Math.log(sum);
  }
}
