package org.revacnn.analytics;

import java.util.SplittableRandom;

/**
 * Projection of points onto their top two principal components, by orthogonal iteration on the
 * covariance X^T X (applied as X^T (X v), never formed). Input is row-major {@code n x d};
 * output is {@code n x 2}. Each component's sign is fixed so that its largest-magnitude loading
 * is positive, making the result independent of the random start.
 */
final class Pca {
  /** The map only needs roughly the right directions, so iteration stops early. */
  private static final int MAX_ITERATIONS = 30;
  private static final double TOLERANCE = 1e-4;

  private Pca() {}

  static double[][] project(float[] points, int dimensions, long seed) {
    int count = points.length / dimensions;
    double[] centred = new double[count * dimensions];
    double[] mean = new double[dimensions];
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < dimensions; c++) mean[c] += points[i * dimensions + c];
    }
    for (int c = 0; c < dimensions; c++) mean[c] /= Math.max(count, 1);
    for (int i = 0; i < count; i++) {
      for (int c = 0; c < dimensions; c++) centred[i * dimensions + c] = points[i * dimensions + c] - mean[c];
    }

    SplittableRandom random = new SplittableRandom(seed);
    double[] first = new double[dimensions];
    double[] second = new double[dimensions];
    for (int c = 0; c < dimensions; c++) {
      first[c] = random.nextDouble() - 0.5;
      second[c] = random.nextDouble() - 0.5;
    }
    orthonormalise(first, second);
    for (int iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
      double[] nextFirst = new double[dimensions];
      double[] nextSecond = new double[dimensions];
      covarianceTimes(centred, count, dimensions, first, second, nextFirst, nextSecond);
      orthonormalise(nextFirst, nextSecond);
      double change = Math.max(distance(first, nextFirst), distance(second, nextSecond));
      first = nextFirst;
      second = nextSecond;
      if (change < TOLERANCE) break;
    }
    fixSign(first);
    fixSign(second);

    double[][] projected = new double[count][2];
    for (int i = 0; i < count; i++) {
      double a = 0;
      double b = 0;
      for (int c = 0; c < dimensions; c++) {
        a += centred[i * dimensions + c] * first[c];
        b += centred[i * dimensions + c] * second[c];
      }
      projected[i][0] = a;
      projected[i][1] = b;
    }
    return projected;
  }

  /** (X^T X a, X^T X b) in one pass over the rows of X: for each row x, out += x (x . v). */
  private static void covarianceTimes(double[] centred, int count, int dimensions, double[] a, double[] b,
      double[] outA, double[] outB) {
    for (int i = 0; i < count; i++) {
      int row = i * dimensions;
      double scoreA = 0;
      double scoreB = 0;
      for (int c = 0; c < dimensions; c++) {
        scoreA += centred[row + c] * a[c];
        scoreB += centred[row + c] * b[c];
      }
      for (int c = 0; c < dimensions; c++) {
        outA[c] += centred[row + c] * scoreA;
        outB[c] += centred[row + c] * scoreB;
      }
    }
  }

  /** Gram-Schmidt; a vector with no length left (rank-deficient data) becomes zero. */
  private static void orthonormalise(double[] first, double[] second) {
    normalise(first);
    double overlap = dot(first, second);
    for (int c = 0; c < second.length; c++) second[c] -= overlap * first[c];
    normalise(second);
  }

  private static void normalise(double[] vector) {
    double norm = Math.sqrt(dot(vector, vector));
    for (int c = 0; c < vector.length; c++) vector[c] = norm > 1e-12 ? vector[c] / norm : 0;
  }

  private static double dot(double[] a, double[] b) {
    double sum = 0;
    for (int c = 0; c < a.length; c++) sum += a[c] * b[c];
    return sum;
  }

  private static double distance(double[] a, double[] b) {
    double sum = 0;
    for (int c = 0; c < a.length; c++) sum += (a[c] - b[c]) * (a[c] - b[c]);
    return Math.sqrt(sum);
  }

  private static void fixSign(double[] vector) {
    int largest = 0;
    for (int c = 1; c < vector.length; c++) if (Math.abs(vector[c]) > Math.abs(vector[largest])) largest = c;
    if (vector[largest] < 0) for (int c = 0; c < vector.length; c++) vector[c] = -vector[c];
  }
}
