package org.revacnn.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise loops written with the Vector API because C2 leaves them scalar (it does not
 * vectorise a loop over two arrays that might be the same one); each is 2-4x its scalar form here.
 */
final class VectorOps {
  private VectorOps() {}

  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();

  /** y[yOff + i] += x[xOff + i] for i < n. */
  static void add(float[] x, int xOff, float[] y, int yOff, int n) {
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i)).intoArray(y, yOff + i);
    }
    for (; i < n; i++) y[yOff + i] += x[xOff + i];
  }

  /** y[yOff + i] = x[xOff + i] + c for i < n (x and y may be the same array at the same offset). */
  static void addConstant(float[] x, int xOff, float c, float[] y, int yOff, int n) {
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) {
      FloatVector.fromArray(F, x, xOff + i).add(c).intoArray(y, yOff + i);
    }
    for (; i < n; i++) y[yOff + i] = x[xOff + i] + c;
  }

  /**
   * sum_{i < n} x[off + i]: L running lane sums, folded in a fixed order, then the tail; the same
   * result on every run, interpreted or compiled.
   */
  static float sum(float[] x, int off, int n) {
    FloatVector s = FloatVector.zero(F);
    int i = 0;
    for (int end = F.loopBound(n); i < end; i += L) s = s.add(FloatVector.fromArray(F, x, off + i));
    float total = 0f;
    for (int lane = 0; lane < L; lane++) total += s.lane(lane);
    for (; i < n; i++) total += x[off + i];
    return total;
  }
}
