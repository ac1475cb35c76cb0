package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TrustworthinessTest {

  @Test
  void faithfulMapScoresOne() {
    float[] points = {0, 0, 1, 0, 3, 1, 7, 2, 8, 8, 2, 9, 5, 5, 9, 1};
    double[][] layout = new double[8][];
    // a rotated, scaled copy keeps every neighbourhood
    for (int i = 0; i < 8; i++) layout[i] = new double[] {-2 * points[2 * i + 1], 2 * points[2 * i]};

    assertThat(Trustworthiness.of(points, 2, layout, 2)).isEqualTo(1.0);
  }

  @Test
  void handComputedPenalty() {
    // input on a line 0, 1, 2, 10, 11; the map swaps points 2 and 4
    float[] points = {0, 1, 2, 10, 11};
    double[][] layout = {{0, 0}, {1, 0}, {11, 0}, {10, 0}, {2, 0}};

    // k = 1: point 1's map neighbour is 0 (input rank 1, tie with 2 broken by index): no penalty;
    // point 4's map neighbour is 1 (input rank 3): penalty 2; point 2's is 3 (input rank 3): 2;
    // point 3's is 2 (input rank 2): 1. T = 1 - 2 / (5 * 1 * (10 - 3 - 1)) * 5 = 2/3
    assertThat(Trustworthiness.of(points, 1, layout, 1)).isCloseTo(2.0 / 3, within(1e-12));
  }

  @Test
  void randomMapScoresLowerThanPca() {
    GaussianClusters data = GaussianClusters.generate(4, 25, 10, 3, 9);
    SplittableRandom random = new SplittableRandom(3);
    double[][] randomLayout = new double[data.count()][];
    for (int i = 0; i < data.count(); i++) randomLayout[i] = new double[] {random.nextDouble(), random.nextDouble()};

    double pca = Trustworthiness.of(data.points(), 10, Pca.project(data.points(), 10, 1), 5);
    double chance = Trustworthiness.of(data.points(), 10, randomLayout, 5);

    assertThat(chance).isLessThan(0.7);
    assertThat(pca).isGreaterThan(chance + 0.2);
  }

  @Test
  void rejectsNeighbourhoodsTooLargeForTheFormula() {
    assertThatThrownBy(() -> Trustworthiness.of(new float[4], 1, new double[4][2], 3))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
