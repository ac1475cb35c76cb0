package org.revacnn.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise loops written with the Vector API because C2 leaves them scalar (it does not
 * vectorise a loop over two arrays that might be the same one); each is 2-4x its scalar form here.
 * Also the engine's one lane sum, in a fixed order.
 */
final class VectorOps {
  private VectorOps() {}

  private static final VectorSpecies<Float> F = VectorWidth.SPECIES;
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
    float total = laneSum(s);
    for (; i < n; i++) total += x[off + i];
    return total;
  }

  /** Shuffles pairing lane i with lane i ^ half, for half = L/2, L/4, ..., 1: the tree of {@link #laneSum}. */
  @SuppressWarnings("unchecked")
  private static final VectorShuffle<Float>[] FOLDS = folds();

  /**
   * The sum of the lanes by a fixed tree of lane-wise adds (lane i + lane i^half, halving). Each
   * add is one exact IEEE operation, so the result is the same interpreted or compiled;
   * FloatVector.reduceLanes(ADD) may add in any order, and training must be bit-reproducible.
   */
  static float laneSum(FloatVector v) {
    for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
    return v.lane(0);
  }

  @SuppressWarnings("unchecked")
  private static VectorShuffle<Float>[] folds() {
    int steps = Integer.numberOfTrailingZeros(L);
    VectorShuffle<Float>[] folds = new VectorShuffle[steps];
    for (int s = 0; s < steps; s++) {
      int half = L >> (s + 1);
      folds[s] = VectorShuffle.fromOp(F, i -> i ^ half);
    }
    return folds;
  }
}
