package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RepulsionTest {

  @Test
  void exactMatchesTheDefinition() {
    double[] x = {0, 1, 3, -2, 0.5};
    double[] y = {0, 0, 1, 2, -1};
    double[] forceX = new double[5];
    double[] forceY = new double[5];

    double normaliser = new ExactRepulsion(5).compute(x, y, forceX, forceY);

    double expectedNormaliser = 0;
    for (int i = 0; i < 5; i++) {
      double expectedX = 0;
      double expectedY = 0;
      for (int j = 0; j < 5; j++) {
        if (j == i) continue;
        double weight = 1 / (1 + Math.pow(x[i] - x[j], 2) + Math.pow(y[i] - y[j], 2));
        expectedNormaliser += weight;
        expectedX += weight * weight * (x[i] - x[j]);
        expectedY += weight * weight * (y[i] - y[j]);
      }
      assertThat(forceX[i]).isCloseTo(expectedX, within(1e-6));
      assertThat(forceY[i]).isCloseTo(expectedY, within(1e-6));
    }
    assertThat(normaliser).isCloseTo(expectedNormaliser, within(1e-5));
  }

  @Test
  void barnesHutWithThetaZeroIsExactAndWithHalfIsClose() {
    int count = 300;
    SplittableRandom random = new SplittableRandom(21);
    double[] x = new double[count];
    double[] y = new double[count];
    for (int i = 0; i < count; i++) {
      x[i] = 20 * random.nextDouble();
      y[i] = 20 * random.nextDouble();
    }
    x[7] = x[8];  // a duplicate
    y[7] = y[8];
    double[][] exact = forces(new ExactRepulsion(count), x, y);
    double[][] precise = forces(new BarnesHutRepulsion(0), x, y);
    double[][] approximate = forces(new BarnesHutRepulsion(0.5), x, y);

    assertThat(relativeError(precise, exact)).isLessThan(1e-5);
    assertThat(relativeError(approximate, exact)).isLessThan(0.05);
    assertThat(approximate[2][0]).isCloseTo(exact[2][0], within(0.02 * exact[2][0]));
  }

  /** {forceX, forceY, {Z}}. */
  private static double[][] forces(Repulsion repulsion, double[] x, double[] y) {
    double[] forceX = new double[x.length];
    double[] forceY = new double[x.length];
    double normaliser = repulsion.compute(x, y, forceX, forceY);
    return new double[][] {forceX, forceY, {normaliser}};
  }

  private static double relativeError(double[][] actual, double[][] expected) {
    double error = 0;
    double norm = 0;
    for (int i = 0; i < expected[0].length; i++) {
      error += Math.hypot(actual[0][i] - expected[0][i], actual[1][i] - expected[1][i]);
      norm += Math.hypot(expected[0][i], expected[1][i]);
    }
    return error / norm;
  }
}
