package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/** Central finite differences against analytic gradients, with a relative-error bound. */
final class GradientCheck {
  /**
   * Large enough that float rounding of the loss (~1e-7 relative) stays far below the tolerance.
   * When a ReLU or max-pool kink lies within STEP of the point, the central difference straddles
   * it; the check then measures again with STEP / 8, where a correct gradient agrees and a wrong
   * one still does not (the tolerance is the same for both).
   */
  static final double STEP = 2e-3;
  static final double TOLERANCE = 2e-2;

  private GradientCheck() {}

  /**
   * Checks {@code analytic[i]} against (L(x+h) - L(x-h)) / 2h for up to {@code samples} entries of
   * {@code values}, perturbing them in place and restoring them.
   */
  static void check(String what, float[] values, float[] analytic, DoubleSupplier loss, int samples, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int count = Math.min(samples, values.length);
    for (int n = 0; n < count; n++) {
      int i = count == values.length ? n : random.nextInt(values.length);
      double numeric = centralDifference(values, i, STEP, loss);
      if (relativeError(numeric, analytic[i]) >= TOLERANCE) numeric = centralDifference(values, i, STEP / 8, loss);
      assertThat(relativeError(numeric, analytic[i]))
          .as("%s[%d]: analytic %s vs numeric %s", what, i, analytic[i], numeric)
          .isLessThan(TOLERANCE);
    }
  }

  private static double centralDifference(float[] values, int i, double step, DoubleSupplier loss) {
    float original = values[i];
    values[i] = (float) (original + step);
    double plus = loss.getAsDouble();
    values[i] = (float) (original - step);
    double minus = loss.getAsDouble();
    values[i] = original;
    return (plus - minus) / (2 * step);
  }

  private static double relativeError(double numeric, double analytic) {
    return Math.abs(numeric - analytic) / Math.max(1e-2, Math.abs(numeric) + Math.abs(analytic));
  }

  /** Distinct values spaced 0.02 apart in random order, so no max-pool tie is within reach of STEP. */
  static float[] spacedArray(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = new float[size];
    for (int i = 0; i < size; i++) a[i] = (i - size / 2) * 0.02f;
    for (int i = size - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      float t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  static float[] randomArray(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] a = new float[size];
    for (int i = 0; i < size; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
    return a;
  }
}
