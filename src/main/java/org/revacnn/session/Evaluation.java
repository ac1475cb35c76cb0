package org.revacnn.session;

import org.revacnn.data.ImageSet;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Network;

/** Loss, accuracy, per-class accuracy and confusion matrix of a network on (a prefix of) an image set. */
public final class Evaluation {
  /**
   * Images per inference call: small, so the output buffers it needs (beside those training
   * keeps) stay a few MB; throughput is the same as with larger chunks.
   */
  public static final int CHUNK = 32;

  private Evaluation() {}

  /**
   * @param confusion {@code confusion[actual][predicted]} counts
   * @param top3      per image, the three most probable classes
   */
  public record Result(int images, double loss, double accuracy, double[] perClassAccuracy, int[][] confusion,
      int[][] top3, float[][] top3Probabilities) {}

  /** Evaluates the first {@code count} images in chunks of {@code chunk}, inference mode. */
  public static Result run(Network net, ImageSet set, Normalization normalization, int count, int chunk) {
    int n = Math.min(count, set.size());
    int classes = net.classes();
    int imageSize = set.shape().size();
    int[][] confusion = new int[classes][classes];
    int[][] top3 = new int[n][];
    float[][] top3p = new float[n][];
    double lossSum = 0;
    int right = 0;
    float[] images = new float[Math.min(chunk, Math.max(n, 1)) * imageSize];
    float[] probabilities = new float[classes];
    for (int from = 0; from < n; from += chunk) {
      int inChunk = Math.min(chunk, n - from);
      normalization.writeBatch(set, from, inChunk, images);
      float[] logits = net.logits(images, inChunk);
      for (int i = 0; i < inChunk; i++) {
        int label = set.label(from + i);
        org.revacnn.engine.SoftmaxCrossEntropy.softmax(logits, i * classes, classes, probabilities, 0);
        lossSum += -Math.log(Math.max(probabilities[label], 1e-30f));
        int[] best = topK(probabilities, 3);
        top3[from + i] = best;
        top3p[from + i] = new float[best.length];
        for (int k = 0; k < best.length; k++) top3p[from + i][k] = probabilities[best[k]];
        confusion[label][best[0]]++;
        if (best[0] == label) right++;
      }
    }
    double[] perClass = new double[classes];
    for (int c = 0; c < classes; c++) {
      int total = 0;
      for (int p = 0; p < classes; p++) total += confusion[c][p];
      perClass[c] = total == 0 ? Double.NaN : (double) confusion[c][c] / total;
    }
    return new Result(n, n == 0 ? Double.NaN : lossSum / n, n == 0 ? Double.NaN : (double) right / n, perClass, confusion,
        top3, top3p);
  }

  /** Indices of the k largest values, largest first (ties: lower index first). */
  static int[] topK(float[] values, int k) {
    int m = Math.min(k, values.length);
    int[] best = new int[m];
    boolean[] taken = new boolean[values.length];
    for (int j = 0; j < m; j++) {
      int arg = -1;
      for (int c = 0; c < values.length; c++) if (!taken[c] && (arg < 0 || values[c] > values[arg])) arg = c;
      best[j] = arg;
      taken[arg] = true;
    }
    return best;
  }
}
