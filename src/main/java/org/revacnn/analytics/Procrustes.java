package org.revacnn.analytics;

/**
 * Orthogonal Procrustes analysis with uniform scaling in 2-D: the similarity transform
 * b ~ s M a + t (M a rotation or a reflection, s &gt; 0) that minimises sum_i |s M a_i + t - b_i|^2
 * over paired points a_i (source) and b_i (target), each given as {@code n x 2} arrays.
 *
 * <p>With a_i, b_i centred on their means, a rotation by phi scores
 * sum_i b_i . (M a_i) = A cos phi + B sin phi, A = sum (ax bx + ay by), B = sum (ax by - ay bx),
 * maximal at cos phi = A / r, sin phi = B / r with r = sqrt(A^2 + B^2). A reflection is a rotation of
 * the mirrored source (ax, -ay), scored the same way; the larger r wins. Then s = r / sum |a_i|^2
 * and t = mean(b) - s M mean(a).
 */
public final class Procrustes {
  private Procrustes() {}

  /** x' = m00 x + m01 y + translateX, y' = m10 x + m11 y + translateY. */
  public record Transform(double m00, double m01, double m10, double m11, double translateX, double translateY) {

    public static Transform identity() {
      return new Transform(1, 0, 0, 1, 0, 0);
    }

    public double scale() {
      return Math.sqrt(Math.abs(m00 * m11 - m01 * m10));
    }

    /** Returns a new {@code n x 2} array of the transformed points. */
    public double[][] apply(double[][] points) {
      double[][] moved = new double[points.length][];
      for (int i = 0; i < points.length; i++) {
        double x = points[i][0];
        double y = points[i][1];
        moved[i] = new double[] {m00 * x + m01 * y + translateX, m10 * x + m11 * y + translateY};
      }
      return moved;
    }
  }

  /**
   * The best similarity transform from {@code source} onto {@code target} (same length, rows
   * paired). With fewer than two distinct source points only a translation is fitted.
   */
  public static Transform fit(double[][] source, double[][] target) {
    int count = source.length;
    if (target.length != count) throw new IllegalArgumentException("source and target differ in length");
    if (count == 0) return Transform.identity();
    double sourceMeanX = 0;
    double sourceMeanY = 0;
    double targetMeanX = 0;
    double targetMeanY = 0;
    for (int i = 0; i < count; i++) {
      sourceMeanX += source[i][0];
      sourceMeanY += source[i][1];
      targetMeanX += target[i][0];
      targetMeanY += target[i][1];
    }
    sourceMeanX /= count;
    sourceMeanY /= count;
    targetMeanX /= count;
    targetMeanY /= count;

    double alignedDot = 0;      // A  = sum ax bx + ay by
    double alignedCross = 0;    // B  = sum ax by - ay bx
    double mirroredDot = 0;     // A' = sum ax bx - ay by
    double mirroredCross = 0;   // B' = sum ax by + ay bx
    double sourceSpread = 0;    // sum |a|^2
    for (int i = 0; i < count; i++) {
      double ax = source[i][0] - sourceMeanX;
      double ay = source[i][1] - sourceMeanY;
      double bx = target[i][0] - targetMeanX;
      double by = target[i][1] - targetMeanY;
      alignedDot += ax * bx + ay * by;
      alignedCross += ax * by - ay * bx;
      mirroredDot += ax * bx - ay * by;
      mirroredCross += ax * by + ay * bx;
      sourceSpread += ax * ax + ay * ay;
    }
    double alignedScore = Math.hypot(alignedDot, alignedCross);
    double mirroredScore = Math.hypot(mirroredDot, mirroredCross);
    double m00 = 1;
    double m01 = 0;
    double m10 = 0;
    double m11 = 1;
    double best = Math.max(alignedScore, mirroredScore);
    if (sourceSpread > 0 && best > 0) {
      double scale = best / sourceSpread;
      if (alignedScore >= mirroredScore) {
        // s * [[cos, -sin], [sin, cos]]
        double cos = alignedDot / alignedScore;
        double sin = alignedCross / alignedScore;
        m00 = scale * cos;
        m01 = -scale * sin;
        m10 = scale * sin;
        m11 = scale * cos;
      } else {
        // s * [[cos, -sin], [sin, cos]] * diag(1, -1)
        double cos = mirroredDot / mirroredScore;
        double sin = mirroredCross / mirroredScore;
        m00 = scale * cos;
        m01 = scale * sin;
        m10 = scale * sin;
        m11 = -scale * cos;
      }
    }
    return new Transform(m00, m01, m10, m11,
        targetMeanX - (m00 * sourceMeanX + m01 * sourceMeanY),
        targetMeanY - (m10 * sourceMeanX + m11 * sourceMeanY));
  }
}
