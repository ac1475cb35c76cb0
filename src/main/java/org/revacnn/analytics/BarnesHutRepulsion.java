package org.revacnn.analytics;

/**
 * Barnes-Hut approximation of the repulsion, O(n log n) per evaluation: the quadtree is rebuilt
 * from the current map, then queried once per point in index order (a fixed summation order,
 * so results are reproducible).
 */
final class BarnesHutRepulsion implements Repulsion {
  private final QuadTree tree = new QuadTree();
  private final double theta;
  private final double[] force = new double[2];

  BarnesHutRepulsion(double theta) {
    this.theta = theta;
  }

  @Override
  public double compute(double[] x, double[] y, double[] forceX, double[] forceY) {
    tree.build(x, y);
    double weightSum = 0;
    for (int i = 0; i < x.length; i++) {
      force[0] = 0;
      force[1] = 0;
      weightSum += tree.repel(i, x, y, theta, force);
      forceX[i] = force[0];
      forceY[i] = force[1];
    }
    return weightSum;
  }
}
