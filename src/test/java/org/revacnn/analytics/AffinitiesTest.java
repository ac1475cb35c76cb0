package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class AffinitiesTest {

  @Test
  void nearestNeighboursMatchBruteForce() {
    GaussianClusters data = GaussianClusters.generate(3, 40, 37, 2, 31);
    int k = 9;

    NearestNeighbours neighbours = NearestNeighbours.find(data.points(), 37, k);

    for (int i = 0; i < data.count(); i++) {
      double[] distances = new double[data.count()];
      for (int j = 0; j < data.count(); j++) {
        double sum = 0;
        for (int c = 0; c < 37; c++) sum += Math.pow(data.points()[i * 37 + c] - data.points()[j * 37 + c], 2);
        distances[j] = j == i ? Double.POSITIVE_INFINITY : sum;
      }
      double[] sorted = distances.clone();
      java.util.Arrays.sort(sorted);
      for (int r = 0; r < k; r++) {
        assertThat(neighbours.squaredDistances[i * k + r]).isCloseTo(sorted[r], within(1e-3 * sorted[r]));
        int j = neighbours.indices[i * k + r];
        assertThat(distances[j]).isCloseTo(sorted[r], within(1e-3 * sorted[r]));
      }
    }
  }

  @Test
  void symmetricNormalisedAndCalibratedToThePerplexity() {
    GaussianClusters data = GaussianClusters.generate(3, 40, 20, 2, 32);
    double perplexity = 10;

    Affinities affinities = Affinities.fromNeighbours(NearestNeighbours.find(data.points(), 20, 30), perplexity);

    double total = 0;
    double[][] dense = new double[data.count()][data.count()];
    for (int i = 0; i < data.count(); i++) {
      for (int e = affinities.rowStart[i]; e < affinities.rowStart[i + 1]; e++) {
        assertThat(affinities.columns[e]).isNotEqualTo(i);
        dense[i][affinities.columns[e]] = affinities.values[e];
        total += affinities.values[e];
      }
    }
    assertThat(total).isCloseTo(1, within(1e-12));
    for (int i = 0; i < data.count(); i++) {
      for (int j = 0; j < data.count(); j++) assertThat(dense[i][j]).isEqualTo(dense[j][i]);
    }
    // the mean perplexity of the symmetrised rows stays near the target
    double meanPerplexity = 0;
    for (int i = 0; i < data.count(); i++) {
      double rowSum = 0;
      for (double p : dense[i]) rowSum += p;
      double entropy = 0;
      for (double p : dense[i]) if (p > 0) entropy -= p / rowSum * Math.log(p / rowSum);
      meanPerplexity += Math.exp(entropy) / data.count();
    }
    assertThat(meanPerplexity).isBetween(0.8 * perplexity, 1.6 * perplexity);
  }

  @Test
  void duplicatesGiveFiniteAffinities() {
    float[] points = new float[12 * 4];  // 12 identical points

    Affinities affinities = Affinities.fromNeighbours(NearestNeighbours.find(points, 4, 6), 2);

    for (double value : affinities.values) assertThat(value).isFinite().isPositive();
  }
}
