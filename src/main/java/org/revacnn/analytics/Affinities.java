package org.revacnn.analytics;

import java.util.Arrays;

/**
 * Symmetric sparse input affinities P of t-SNE in compressed-row form: the entries of row i are
 * {@code columns[rowStart[i] .. rowStart[i+1])} with {@code values} at the same positions,
 * columns ascending, no diagonal. Both (i, j) and (j, i) are stored and all values sum to 1.
 *
 * <p>Conditional affinities use a Gaussian over each point's k nearest neighbours,
 * p(j|i) = exp(-beta_i d_ij^2) / sum_m exp(-beta_i d_im^2), with beta_i found by bisection so that
 * the perplexity 2^H(P_i) matches the target; then p_ij = (p(j|i) + p(i|j)) / 2n.
 */
final class Affinities {
  private static final int MAX_BISECTION_STEPS = 200;
  private static final double ENTROPY_TOLERANCE = 1e-5;

  final int count;
  final int[] rowStart;
  final int[] columns;
  final double[] values;

  private Affinities(int count, int[] rowStart, int[] columns, double[] values) {
    this.count = count;
    this.rowStart = rowStart;
    this.columns = columns;
    this.values = values;
  }

  static Affinities fromNeighbours(NearestNeighbours neighbours, double perplexity) {
    int count = neighbours.count;
    int k = neighbours.k;
    double[] conditional = new double[count * k];
    for (int i = 0; i < count; i++) calibrateRow(neighbours.squaredDistances, i * k, k, perplexity, conditional);
    return symmetrise(neighbours, conditional);
  }

  /**
   * Writes p(j|i) for the k neighbours of one point. Distances are shifted by the nearest one,
   * which leaves the normalised distribution unchanged and keeps exp from underflowing.
   * Entropy in nats: H = log S + beta * sum_j p_j (d_j - d_min), S = sum_j exp(-beta (d_j - d_min)).
   */
  private static void calibrateRow(double[] squaredDistances, int offset, int k, double perplexity,
      double[] conditional) {
    if (k == 0) return;
    double targetEntropy = Math.log(perplexity);
    double nearest = squaredDistances[offset];
    double beta = 1;
    double lowerBeta = 0;
    double upperBeta = Double.POSITIVE_INFINITY;
    for (int step = 0; step < MAX_BISECTION_STEPS; step++) {
      double sum = 0;
      double weightedDistance = 0;
      for (int r = 0; r < k; r++) {
        double shifted = squaredDistances[offset + r] - nearest;
        double weight = Math.exp(-beta * shifted);
        conditional[offset + r] = weight;
        sum += weight;
        weightedDistance += weight * shifted;
      }
      double entropy = Math.log(sum) + beta * weightedDistance / sum;
      for (int r = 0; r < k; r++) conditional[offset + r] /= sum;
      double error = entropy - targetEntropy;
      if (Math.abs(error) < ENTROPY_TOLERANCE) return;
      if (error > 0) {
        // too flat: sharpen
        lowerBeta = beta;
        beta = upperBeta == Double.POSITIVE_INFINITY ? beta * 2 : (beta + upperBeta) / 2;
      } else {
        upperBeta = beta;
        beta = (beta + lowerBeta) / 2;
      }
    }
  }

  /** p_ij = (p(j|i) + p(i|j)) / sum, gathering each row's outgoing and incoming kNN edges. */
  private static Affinities symmetrise(NearestNeighbours neighbours, double[] conditional) {
    int count = neighbours.count;
    int k = neighbours.k;
    // incoming edges j -> i, grouped by i (counting sort keeps a fixed order)
    int[] incomingStart = new int[count + 1];
    for (int e = 0; e < count * k; e++) incomingStart[neighbours.indices[e] + 1]++;
    for (int i = 0; i < count; i++) incomingStart[i + 1] += incomingStart[i];
    int[] incomingEdge = new int[count * k];
    int[] fill = Arrays.copyOf(incomingStart, count);
    for (int e = 0; e < count * k; e++) incomingEdge[fill[neighbours.indices[e]]++] = e;

    double[] dense = new double[count];
    int[] touched = new int[2 * k + count];
    int[] rowStart = new int[count + 1];
    int[] columns = new int[2 * count * k];
    double[] values = new double[2 * count * k];
    int nonZeros = 0;
    double total = 0;
    for (int i = 0; i < count; i++) {
      int touchedCount = 0;
      for (int r = 0; r < k; r++) {
        int j = neighbours.indices[i * k + r];
        if (dense[j] == 0) touched[touchedCount++] = j;
        dense[j] += conditional[i * k + r];
      }
      for (int q = incomingStart[i]; q < incomingStart[i + 1]; q++) {
        int edge = incomingEdge[q];
        int j = edge / k;
        if (dense[j] == 0) touched[touchedCount++] = j;
        dense[j] += conditional[edge];
      }
      Arrays.sort(touched, 0, touchedCount);
      for (int t = 0; t < touchedCount; t++) {
        int j = touched[t];
        if (dense[j] > 0) {
          columns[nonZeros] = j;
          values[nonZeros++] = dense[j];
          total += dense[j];
        }
        dense[j] = 0;
      }
      rowStart[i + 1] = nonZeros;
    }
    for (int e = 0; e < nonZeros; e++) values[e] /= total;
    return new Affinities(count, rowStart, Arrays.copyOf(columns, nonZeros), Arrays.copyOf(values, nonZeros));
  }

  /** sum_ij p_ij log p_ij, the constant part of KL(P || Q). */
  double entropyTerm() {
    double sum = 0;
    for (double p : values) sum += p * Math.log(p);
    return sum;
  }
}
