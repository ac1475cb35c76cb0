package org.revacnn.analytics;

/**
 * The repulsive half of the t-SNE gradient. With Student-t weights w_ij = 1 / (1 + |y_i - y_j|^2)
 * and Z = sum_{i != j} w_ij, the gradient is
 * dC/dy_i = 4 (sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z);
 * an implementation computes the forces F_i = sum_j w_ij^2 (y_i - y_j) and Z.
 * Instances hold scratch space and are not thread-safe.
 */
sealed interface Repulsion permits ExactRepulsion, BarnesHutRepulsion {

  /** Overwrites {@code forceX} and {@code forceY} with F_i and returns Z. */
  double compute(double[] x, double[] y, double[] forceX, double[] forceY);
}
