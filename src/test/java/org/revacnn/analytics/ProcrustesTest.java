package org.revacnn.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ProcrustesTest {

  @Test
  void recoversKnownRotationScaleAndTranslation() {
    double[][] source = randomPoints(30, 1);
    double angle = Math.toRadians(37);
    Procrustes.Transform known = new Procrustes.Transform(
        2.5 * Math.cos(angle), -2.5 * Math.sin(angle), 2.5 * Math.sin(angle), 2.5 * Math.cos(angle), 3, -4);

    Procrustes.Transform fitted = Procrustes.fit(source, known.apply(source));

    assertSameTransform(fitted, known);
    assertThat(fitted.scale()).isCloseTo(2.5, within(1e-12));
  }

  @Test
  void recoversReflection() {
    double[][] source = randomPoints(30, 2);
    double angle = Math.toRadians(-120);
    // 0.5 * rotation * diag(1, -1)
    Procrustes.Transform known = new Procrustes.Transform(
        0.5 * Math.cos(angle), 0.5 * Math.sin(angle), 0.5 * Math.sin(angle), -0.5 * Math.cos(angle), -1, 7);

    assertSameTransform(Procrustes.fit(source, known.apply(source)), known);
  }

  @Test
  void singlePairFitsTranslationOnly() {
    Procrustes.Transform fitted = Procrustes.fit(new double[][] {{1, 2}}, new double[][] {{4, -1}});

    assertSameTransform(fitted, new Procrustes.Transform(1, 0, 0, 1, 3, -3));
  }

  @Test
  void noPairsGiveIdentity() {
    assertSameTransform(Procrustes.fit(new double[0][], new double[0][]), Procrustes.Transform.identity());
  }

  private static void assertSameTransform(Procrustes.Transform actual, Procrustes.Transform expected) {
    double[] a = {actual.m00(), actual.m01(), actual.m10(), actual.m11(), actual.translateX(), actual.translateY()};
    double[] e = {expected.m00(), expected.m01(), expected.m10(), expected.m11(), expected.translateX(), expected.translateY()};
    assertThat(a).containsExactly(e, within(1e-9));
  }

  private static double[][] randomPoints(int count, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[][] points = new double[count][];
    for (int i = 0; i < count; i++) points[i] = new double[] {random.nextDouble() * 10, random.nextDouble() * 3};
    return points;
  }
}
