package org.revacnn.analytics;

import java.util.SplittableRandom;

/**
 * Test data: isotropic unit-variance Gaussian clusters around centres drawn with standard
 * deviation {@code spread}; row-major points with one label per row.
 */
record GaussianClusters(float[] points, int dimensions, int[] labels) {

  static GaussianClusters generate(int clusters, int perCluster, int dimensions, double spread, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] centres = new double[clusters][dimensions];
    for (double[] centre : centres) {
      for (int c = 0; c < dimensions; c++) centre[c] = spread * gaussian(random);
    }
    int count = clusters * perCluster;
    float[] points = new float[count * dimensions];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % clusters;
      for (int c = 0; c < dimensions; c++) {
        points[i * dimensions + c] = (float) (centres[labels[i]][c] + gaussian(random));
      }
    }
    return new GaussianClusters(points, dimensions, labels);
  }

  int count() {
    return labels.length;
  }

  static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  /** Fraction of map points whose nearest label centroid (in 2-D) is their own label's. */
  double nearestCentroidAccuracy(double[][] layout) {
    int clusters = 0;
    for (int label : labels) clusters = Math.max(clusters, label + 1);
    double[][] centroids = new double[clusters][2];
    int[] sizes = new int[clusters];
    for (int i = 0; i < layout.length; i++) {
      centroids[labels[i]][0] += layout[i][0];
      centroids[labels[i]][1] += layout[i][1];
      sizes[labels[i]]++;
    }
    for (int c = 0; c < clusters; c++) {
      centroids[c][0] /= sizes[c];
      centroids[c][1] /= sizes[c];
    }
    int correct = 0;
    for (int i = 0; i < layout.length; i++) {
      int best = 0;
      for (int c = 1; c < clusters; c++) {
        if (squaredDistance(layout[i], centroids[c]) < squaredDistance(layout[i], centroids[best])) best = c;
      }
      if (best == labels[i]) correct++;
    }
    return correct / (double) layout.length;
  }

  static double squaredDistance(double[] a, double[] b) {
    return (a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]);
  }
}
