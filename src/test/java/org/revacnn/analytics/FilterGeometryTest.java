package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Param;

class FilterGeometryTest {

  @Test
  void rgbMixIsZeroForOneChannelAndOneForEqualEnergy() {
    // 3 filters of 3 channels x 2x2: red only; equal |w| in R, G, B with mixed signs; R and G only
    Param weights = param(3, 12, new float[] {
        1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0,
        1, -1, 1, -1, 1, 1, -1, -1, -1, 1, 1, -1,
        1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0});

    float[] mix = FilterGeometry.rgbMix(weights);

    assertThat(mix[0]).isZero();
    assertThat(mix[1]).isCloseTo(1f, within(1e-6f));
    // two equal shares: ln 2 / ln 3
    assertThat(mix[2]).isCloseTo((float) (Math.log(2) / Math.log(3)), within(1e-6f));
  }

  @Test
  void l1NormIsTheSumOfAbsoluteWeights() {
    Param weights = param(2, 3, new float[] {1, -2, 3, 0, 0, -0.5f});

    assertThat(FilterGeometry.l1Norms(weights)).containsExactly(6f, 0.5f);
  }

  @Test
  void clusterIndexIsHighForNearDuplicatesAndLowForOrthogonalFilters() {
    int dimensions = 8;
    // 8 orthogonal unit vectors: every pair at distance sqrt 2, so NN distance = mean distance
    float[] orthogonal = new float[dimensions * dimensions];
    for (int i = 0; i < dimensions; i++) orthogonal[i * dimensions + i] = 1;
    // 4 random directions, each twice with a small perturbation
    SplittableRandom random = new SplittableRandom(1);
    float[] pairs = new float[8 * dimensions];
    for (int p = 0; p < 4; p++) {
      for (int d = 0; d < dimensions; d++) {
        float value = (float) (random.nextDouble() * 2 - 1);
        pairs[2 * p * dimensions + d] = value;
        pairs[(2 * p + 1) * dimensions + d] = value + (float) (0.01 * (random.nextDouble() - 0.5));
      }
    }

    assertThat(FilterGeometry.clusterIndex(orthogonal, dimensions)).isCloseTo(0, within(1e-9));
    assertThat(FilterGeometry.clusterIndex(pairs, dimensions)).isGreaterThan(0.9);
  }

  @Test
  void clusterIndexIgnoresScaleAndNeedsThreeFilters() {
    float[] vectors = {1, 0, 0, 1, 1, 1};
    float[] scaled = {5, 0, 0, 0.1f, 2, 2};

    assertThat(FilterGeometry.clusterIndex(scaled, 2)).isCloseTo(FilterGeometry.clusterIndex(vectors, 2), within(1e-6));
    assertThat(FilterGeometry.clusterIndex(new float[] {1, 0, 0, 1}, 2)).isNaN();
    assertThat(FilterGeometry.clusterIndex(new float[] {1, 1, 2, 2, 3, 3}, 2)).isEqualTo(1);
  }

  @Test
  void spreadIsTheCoefficientOfVariation() {
    // mean 2, population standard deviation 1
    assertThat(FilterGeometry.spread(new float[] {1, 3, Float.NaN})).isCloseTo(0.5, within(1e-9));
    assertThat(FilterGeometry.spread(new float[] {0, 0})).isNaN();
  }

  private static Param param(int units, int unitSize, float[] values) {
    Param p = new Param("test/weights", units, unitSize, 1f);
    System.arraycopy(values, 0, p.value(), 0, values.length);
    return p;
  }
}
