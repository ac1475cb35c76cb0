package org.revacnn.analytics;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact O(n^2) repulsion in single precision, vectorised over j from 256 points. Each pair
 * i &lt; j is visited once: its push is added to i and subtracted from j, whose slots are
 * contiguous, so both updates are vector operations. The summation order is fixed, so results
 * are reproducible.
 */
final class ExactRepulsion implements Repulsion {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /**
   * Smaller maps use the scalar loop only: vector code is slow until the JIT's last tier has
   * compiled it, which small maps (the usual 16-256 filters) would pay on every early call.
   */
  private static final int VECTORISE_FROM_POINTS = 256;

  private final float[] positionX;
  private final float[] positionY;
  private final float[] accumulatedX;
  private final float[] accumulatedY;
  private final float[] lanes = new float[SPECIES.length()];
  /** Sums of one row's vector part: push x, push y, w; zero when the row is all scalar. */
  private final float[] rowSums = new float[3];

  ExactRepulsion(int count) {
    positionX = new float[count];
    positionY = new float[count];
    accumulatedX = new float[count];
    accumulatedY = new float[count];
  }

  @Override
  public double compute(double[] x, double[] y, double[] forceX, double[] forceY) {
    int count = positionX.length;
    for (int i = 0; i < count; i++) {
      positionX[i] = (float) x[i];
      positionY[i] = (float) y[i];
    }
    java.util.Arrays.fill(accumulatedX, 0f);
    java.util.Arrays.fill(accumulatedY, 0f);
    java.util.Arrays.fill(rowSums, 0f);
    double weightSum = 0;
    for (int i = 0; i < count; i++) {
      float xi = positionX[i];
      float yi = positionY[i];
      int j = count >= VECTORISE_FROM_POINTS ? repelVectorised(i) : i + 1;
      float rowX = rowSums[0];
      float rowY = rowSums[1];
      double rowWeight = rowSums[2];
      for (; j < count; j++) {
        float dx = xi - positionX[j];
        float dy = yi - positionY[j];
        float weight = 1f / (1f + dx * dx + dy * dy);
        rowWeight += weight;
        float pushX = weight * weight * dx;
        float pushY = weight * weight * dy;
        rowX += pushX;
        rowY += pushY;
        accumulatedX[j] -= pushX;
        accumulatedY[j] -= pushY;
      }
      accumulatedX[i] += rowX;
      accumulatedY[i] += rowY;
      weightSum += rowWeight;
    }
    for (int i = 0; i < count; i++) {
      forceX[i] = accumulatedX[i];
      forceY[i] = accumulatedY[i];
    }
    // every unordered pair counts twice in Z = sum_{i != j} w_ij
    return 2 * weightSum;
  }

  /**
   * Pairs (i, j) for j from i + 1 in whole vectors: subtracts each pair's push from j, leaves
   * i's sums of push x, push y and w in {@code rowSums}, and returns the first j left over.
   */
  private int repelVectorised(int i) {
    int count = positionX.length;
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    FloatVector ownX = FloatVector.broadcast(SPECIES, positionX[i]);
    FloatVector ownY = FloatVector.broadcast(SPECIES, positionY[i]);
    FloatVector sumX = FloatVector.zero(SPECIES);
    FloatVector sumY = FloatVector.zero(SPECIES);
    FloatVector sumWeight = FloatVector.zero(SPECIES);
    int j = i + 1;
    for (int upper = j + SPECIES.loopBound(count - j); j < upper; j += SPECIES.length()) {
      FloatVector dx = ownX.sub(FloatVector.fromArray(SPECIES, positionX, j));
      FloatVector dy = ownY.sub(FloatVector.fromArray(SPECIES, positionY, j));
      // w = 1 / (1 + dx^2 + dy^2); the pair's push is w^2 (dx, dy)
      FloatVector weight = one.div(dx.fma(dx, dy.fma(dy, one)));
      sumWeight = sumWeight.add(weight);
      FloatVector weightSquared = weight.mul(weight);
      FloatVector pushX = weightSquared.mul(dx);
      FloatVector pushY = weightSquared.mul(dy);
      sumX = sumX.add(pushX);
      sumY = sumY.add(pushY);
      FloatVector.fromArray(SPECIES, accumulatedX, j).sub(pushX).intoArray(accumulatedX, j);
      FloatVector.fromArray(SPECIES, accumulatedY, j).sub(pushY).intoArray(accumulatedY, j);
    }
    rowSums[0] = addLanes(sumX);
    rowSums[1] = addLanes(sumY);
    rowSums[2] = addLanes(sumWeight);
    return j;
  }

  /** Lane sum in a fixed order (reduceLanes leaves the order unspecified). */
  private float addLanes(FloatVector vector) {
    vector.intoArray(lanes, 0);
    float sum = 0;
    for (float lane : lanes) sum += lane;
    return sum;
  }
}
