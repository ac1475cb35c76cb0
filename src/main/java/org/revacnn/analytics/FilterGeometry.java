package org.revacnn.analytics;

import org.revacnn.engine.Param;

/**
 * Statistics of a layer's filter coefficient vectors (one row per filter, {@code dimensions}
 * values each), computed from the weights alone. Pure functions; any thread.
 */
public final class FilterGeometry {
  private FilterGeometry() {}

  /** Sum of |w| over each filter's weights (the pruning criterion of Li et al. 2017). */
  public static float[] l1Norms(Param weights) {
    float[] w = weights.value();
    int size = weights.unitSize();
    float[] norms = new float[weights.units()];
    for (int u = 0; u < norms.length; u++) {
      double sum = 0;
      for (int i = u * size, end = i + size; i < end; i++) sum += Math.abs(w[i]);
      norms[u] = (float) sum;
    }
    return norms;
  }

  /**
   * How evenly each filter of a first layer draws on the R, G and B input channels: with channel
   * energies {@code E_c = sum over the kernel of w^2} and shares {@code p_c = E_c / sum E}, the
   * normalised entropy {@code -sum_c p_c ln p_c / ln 3}: 1 for equal use of all three, 0 for a
   * single channel. Signs are ignored (an opponent-colour filter R - B mixes two channels). An
   * all-zero filter gets NaN.
   *
   * @param weights {@code [filter][3][k][k]}
   */
  public static float[] rgbMix(Param weights) {
    int channels = 3;
    if (weights.unitSize() % channels != 0) throw new IllegalArgumentException("not a 3-channel layer: " + weights.name());
    float[] w = weights.value();
    int size = weights.unitSize();
    int kernel = size / channels;
    float[] mix = new float[weights.units()];
    for (int u = 0; u < mix.length; u++) {
      double[] energy = new double[channels];
      double total = 0;
      for (int c = 0; c < channels; c++) {
        for (int i = u * size + c * kernel, end = i + kernel; i < end; i++) energy[c] += (double) w[i] * w[i];
        total += energy[c];
      }
      double entropy = 0;
      for (double e : energy) {
        double share = e / total;
        if (share > 0) entropy -= share * Math.log(share);
      }
      mix[u] = total > 0 ? (float) (entropy / Math.log(channels)) : Float.NaN;
    }
    return mix;
  }

  /**
   * Cosine similarity of every pair of rows, {@code S[i][j] = v_i . v_j / (|v_i| |v_j|)}; a zero
   * row has similarity 0 with every other row (and 1 with itself).
   */
  public static double[][] cosineSimilarities(float[] vectors, int dimensions) {
    int count = vectors.length / dimensions;
    double[] norms = new double[count];
    for (int i = 0; i < count; i++) norms[i] = Math.sqrt(dot(vectors, i, i, dimensions));
    double[][] similarity = new double[count][count];
    for (int i = 0; i < count; i++) {
      similarity[i][i] = 1;
      for (int j = i + 1; j < count; j++) {
        double s = norms[i] > 0 && norms[j] > 0 ? dot(vectors, i, j, dimensions) / (norms[i] * norms[j]) : 0;
        similarity[i][j] = s;
        similarity[j][i] = s;
      }
    }
    return similarity;
  }

  /**
   * How clustered the rows are, in [0, 1]: one minus the ratio of the mean nearest-neighbour
   * distance to the mean pairwise distance, on rows scaled to unit length
   * ({@code d_ij = |u_i - u_j| = sqrt(2 - 2 S_ij)}):
   * {@code C = 1 - mean_i min_j d_ij / mean_{i != j} d_ij}. Evenly spread filters (every pair
   * about equally far apart) give C near 0; filters that come in tight groups or near-duplicate
   * pairs, far from the other groups, give C near 1. All-zero rows are left out (they have no
   * direction); NaN for fewer than 3 other rows; 1 when all rows point the same way. See docs/DESIGN.md (Analytics) for why this and not the Hopkins statistic.
   */
  public static double clusterIndex(float[] vectors, int dimensions) {
    int count = vectors.length / dimensions;
    double[][] similarity = cosineSimilarities(vectors, dimensions);
    // an all-zero row (a dead filter's map, a gradient before the first step) has no direction: leave it out
    int[] rows = java.util.stream.IntStream.range(0, count).filter(i -> dot(vectors, i, i, dimensions) > 0).toArray();
    if (rows.length < 3) return Double.NaN;
    double nearestSum = 0;
    double pairSum = 0;
    for (int i : rows) {
      double nearest = Double.POSITIVE_INFINITY;
      for (int j : rows) {
        if (j == i) continue;
        double distance = Math.sqrt(Math.max(0, 2 - 2 * similarity[i][j]));
        nearest = Math.min(nearest, distance);
        pairSum += distance;
      }
      nearestSum += nearest;
    }
    double meanPair = pairSum / ((double) rows.length * (rows.length - 1));
    if (meanPair == 0) return 1;
    return 1 - (nearestSum / rows.length) / meanPair;
  }

  /** Coefficient of variation {@code std / mean} of the finite values; NaN with fewer than 2 or a zero mean. */
  public static double spread(float[] values) {
    double sum = 0;
    int count = 0;
    for (float v : values) {
      if (Float.isFinite(v)) {
        sum += v;
        count++;
      }
    }
    if (count < 2 || sum == 0) return Double.NaN;
    double mean = sum / count;
    double squares = 0;
    for (float v : values) if (Float.isFinite(v)) squares += (v - mean) * (v - mean);
    return Math.sqrt(squares / count) / Math.abs(mean);
  }

  private static double dot(float[] vectors, int i, int j, int dimensions) {
    double sum = 0;
    for (int a = i * dimensions, b = j * dimensions, end = a + dimensions; a < end; a++, b++) sum += (double) vectors[a] * vectors[b];
    return sum;
  }
}
