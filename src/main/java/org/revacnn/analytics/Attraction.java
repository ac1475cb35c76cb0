package org.revacnn.analytics;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The attractive half of the t-SNE gradient, sum_j p_ij w_ij (y_i - y_j) with
 * w_ij = 1 / (1 + |y_i - y_j|^2), over the sparse rows of P. Single precision, vectorised from
 * 256 points by gathering the neighbours' positions; lanes are added in a fixed order, so results are
 * reproducible. Holds scratch space; not thread-safe.
 */
final class Attraction {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  /** Smaller maps use the scalar loop only (see {@link ExactRepulsion}). */
  private static final int VECTORISE_FROM_POINTS = 256;

  private final int[] rowStart;
  private final int[] columns;
  private final float[] values;
  private final double[] exactValues;
  private final float[] positionX;
  private final float[] positionY;
  private final float[] lanes = new float[SPECIES.length()];
  /** Sums of one row's vector part: pull x, pull y. */
  private final float[] rowSums = new float[2];

  Attraction(Affinities affinities) {
    rowStart = affinities.rowStart;
    columns = affinities.columns;
    exactValues = affinities.values;
    values = new float[exactValues.length];
    for (int e = 0; e < values.length; e++) values[e] = (float) exactValues[e];
    positionX = new float[affinities.count];
    positionY = new float[affinities.count];
  }

  /** Overwrites {@code forceX} and {@code forceY} with the attraction on each point. */
  void compute(double[] x, double[] y, double[] forceX, double[] forceY) {
    int count = positionX.length;
    for (int i = 0; i < count; i++) {
      positionX[i] = (float) x[i];
      positionY[i] = (float) y[i];
    }
    boolean vectorised = count >= VECTORISE_FROM_POINTS;
    for (int i = 0; i < count; i++) {
      float xi = positionX[i];
      float yi = positionY[i];
      int end = rowStart[i + 1];
      int e = vectorised ? attractVectorised(i) : rowStart[i];
      float sumX = vectorised ? rowSums[0] : 0f;
      float sumY = vectorised ? rowSums[1] : 0f;
      for (; e < end; e++) {
        int j = columns[e];
        float dx = xi - positionX[j];
        float dy = yi - positionY[j];
        float scaled = values[e] / (1f + dx * dx + dy * dy);
        sumX += scaled * dx;
        sumY += scaled * dy;
      }
      forceX[i] = sumX;
      forceY[i] = sumY;
    }
  }

  /**
   * Row i's entries in whole vectors of gathered neighbours: leaves the sums of the pull's x and
   * y in {@code rowSums} and returns the first entry left over.
   */
  private int attractVectorised(int i) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    FloatVector ownX = FloatVector.broadcast(SPECIES, positionX[i]);
    FloatVector ownY = FloatVector.broadcast(SPECIES, positionY[i]);
    FloatVector pullX = FloatVector.zero(SPECIES);
    FloatVector pullY = FloatVector.zero(SPECIES);
    int e = rowStart[i];
    for (int upper = e + SPECIES.loopBound(rowStart[i + 1] - e); e < upper; e += SPECIES.length()) {
      FloatVector dx = ownX.sub(FloatVector.fromArray(SPECIES, positionX, 0, columns, e));
      FloatVector dy = ownY.sub(FloatVector.fromArray(SPECIES, positionY, 0, columns, e));
      // p_ij * w_ij, w_ij = 1 / (1 + dx^2 + dy^2)
      FloatVector scaled = FloatVector.fromArray(SPECIES, values, e).div(dx.fma(dx, dy.fma(dy, one)));
      pullX = scaled.fma(dx, pullX);
      pullY = scaled.fma(dy, pullY);
    }
    rowSums[0] = addLanes(pullX);
    rowSums[1] = addLanes(pullY);
    return e;
  }

  /** sum_ij p_ij log w_ij in double precision, for the KL divergence. */
  double logWeightSum(double[] x, double[] y) {
    double sum = 0;
    for (int i = 0; i < positionX.length; i++) {
      for (int e = rowStart[i]; e < rowStart[i + 1]; e++) {
        int j = columns[e];
        double dx = x[i] - x[j];
        double dy = y[i] - y[j];
        sum -= exactValues[e] * Math.log(1 + dx * dx + dy * dy);
      }
    }
    return sum;
  }

  /** Lane sum in a fixed order (reduceLanes leaves the order unspecified). */
  private float addLanes(FloatVector vector) {
    vector.intoArray(lanes, 0);
    float sum = 0;
    for (float lane : lanes) sum += lane;
    return sum;
  }
}
