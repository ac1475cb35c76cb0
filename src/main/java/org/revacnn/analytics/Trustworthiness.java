package org.revacnn.analytics;

/**
 * Trustworthiness of an embedding (Venna and Kaski 2001): how far the k nearest neighbours of
 * each point in the map are from being its k nearest neighbours in input space,
 * T(k) = 1 - 2 / (n k (2n - 3k - 1)) * sum_i sum_{j in U_i} (r(i, j) - k),
 * where U_i holds the map neighbours of i that are not among its k input neighbours and
 * r(i, j) is the rank of j by input distance from i (1 = nearest). 1 means every map
 * neighbourhood is a true neighbourhood. Ties are broken by the smaller index.
 */
public final class Trustworthiness {
  private Trustworthiness() {}

  /**
   * @param points row-major {@code n x dimensions} input
   * @param layout {@code n x 2} map of the same points
   * @param k neighbourhood size, {@code 1 <= k} and {@code 3k < 2n - 1}
   */
  public static double of(float[] points, int dimensions, double[][] layout, int k) {
    int count = layout.length;
    if (points.length != count * dimensions) throw new IllegalArgumentException("points and layout differ in length");
    if (k < 1 || 2 * count - 3 * k - 1 <= 0) throw new IllegalArgumentException("k out of range: " + k);
    float[] lanes = NearestNeighbours.laneScratch();
    double[] inputDistance = new double[count];
    double[] mapDistance = new double[count];
    int[] mapNeighbours = new int[k];
    double penalty = 0;
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < count; j++) {
        inputDistance[j] = NearestNeighbours.squaredDistance(points, i * dimensions, j * dimensions, dimensions, lanes);
        double dx = layout[i][0] - layout[j][0];
        double dy = layout[i][1] - layout[j][1];
        mapDistance[j] = dx * dx + dy * dy;
      }
      smallest(mapDistance, i, k, mapNeighbours);
      for (int j : mapNeighbours) {
        int rank = rank(inputDistance, i, j);
        if (rank > k) penalty += rank - k;
      }
    }
    return 1 - 2.0 / ((double) count * k * (2.0 * count - 3.0 * k - 1)) * penalty;
  }

  /** Rank of j among all points but i, ordered by (distance, index): 1 + the number before it. */
  private static int rank(double[] distance, int i, int j) {
    int before = 0;
    for (int m = 0; m < distance.length; m++) {
      if (m != i && m != j && (distance[m] < distance[j] || (distance[m] == distance[j] && m < j))) before++;
    }
    return before + 1;
  }

  /** Writes the k points other than i with the smallest (distance, index), by repeated selection. */
  private static void smallest(double[] distance, int i, int k, int[] out) {
    for (int r = 0; r < k; r++) {
      int best = -1;
      for (int m = 0; m < distance.length; m++) {
        if (m == i || contains(out, r, m)) continue;
        if (best < 0 || distance[m] < distance[best]) best = m;
      }
      out[r] = best;
    }
  }

  private static boolean contains(int[] values, int length, int value) {
    for (int r = 0; r < length; r++) if (values[r] == value) return true;
    return false;
  }
}
