package org.revacnn.analytics;

import java.util.Arrays;

/**
 * A point-region quadtree over 2-D map positions, stored in flat arrays and rebuilt in place on
 * every {@link #build}. Each node keeps its square cell (centre, half width), its point count
 * and the sum of its points' positions (centre of mass = sum / count). Children of a node are
 * four consecutive nodes (south-west, south-east, north-west, north-east). A leaf lists its
 * points through {@code nextInLeaf}; a leaf holds several points only when they coincide or the
 * depth limit is reached, so duplicates never cause endless subdivision.
 */
final class QuadTree {
  private static final int MAX_DEPTH = 48;
  private static final int NONE = -1;

  private int nodeCount;
  private double[] centreX = new double[0];
  private double[] centreY = new double[0];
  private double[] halfWidth = new double[0];
  private double[] sumX = new double[0];
  private double[] sumY = new double[0];
  private int[] pointCount = new int[0];
  private int[] firstChild = new int[0];
  private int[] leafHead = new int[0];
  private int[] nextInLeaf = new int[0];
  /** Traversal copy, 4 doubles per node: centre of mass x, y, squared cell width, point count. */
  private double[] packed = new double[0];
  /** Traversal copy, 2 ints per node: first child (or NONE), leaf head (or NONE). */
  private int[] links = new int[0];
  private int[] stack = new int[3 * MAX_DEPTH + 8];

  /** Rebuilds the tree over points (x[i], y[i]). */
  void build(double[] x, double[] y) {
    int count = x.length;
    if (nextInLeaf.length < count) nextInLeaf = new int[count];
    double minX = Double.POSITIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < count; i++) {
      minX = Math.min(minX, x[i]);
      maxX = Math.max(maxX, x[i]);
      minY = Math.min(minY, y[i]);
      maxY = Math.max(maxY, y[i]);
    }
    // a slightly enlarged square keeps boundary points strictly inside
    double half = Math.max(Math.max(maxX - minX, maxY - minY) / 2, 1e-12) * (1 + 1e-6);
    nodeCount = 0;
    newNode((minX + maxX) / 2, (minY + maxY) / 2, half);
    for (int i = 0; i < count; i++) insert(i, x, y);
    pack();
  }

  /** Lays out what a query reads contiguously per node, with the centre of mass precomputed. */
  private void pack() {
    if (packed.length < 4 * nodeCount) {
      packed = new double[4 * centreX.length];
      links = new int[2 * centreX.length];
    }
    for (int node = 0; node < nodeCount; node++) {
      int count = pointCount[node];
      double width = 2 * halfWidth[node];
      packed[4 * node] = count > 0 ? sumX[node] / count : 0;
      packed[4 * node + 1] = count > 0 ? sumY[node] / count : 0;
      packed[4 * node + 2] = width * width;
      packed[4 * node + 3] = count;
      links[2 * node] = firstChild[node];
      links[2 * node + 1] = leafHead[node];
    }
  }

  private void insert(int point, double[] x, double[] y) {
    double px = x[point];
    double py = y[point];
    int node = 0;
    for (int depth = 0; ; depth++) {
      pointCount[node]++;
      sumX[node] += px;
      sumY[node] += py;
      if (firstChild[node] == NONE) {
        int head = leafHead[node];
        if (head == NONE || depth == MAX_DEPTH || (x[head] == px && y[head] == py)) {
          nextInLeaf[point] = head;
          leafHead[node] = point;
          return;
        }
        subdivide(node, x, y);
      }
      node = firstChild[node] + quadrant(node, px, py);
    }
  }

  /** Splits a leaf whose points all coincide: they move together into one child. */
  private void subdivide(int node, double[] x, double[] y) {
    double quarter = halfWidth[node] / 2;
    int first = nodeCount;
    newNode(centreX[node] - quarter, centreY[node] - quarter, quarter);
    newNode(centreX[node] + quarter, centreY[node] - quarter, quarter);
    newNode(centreX[node] - quarter, centreY[node] + quarter, quarter);
    newNode(centreX[node] + quarter, centreY[node] + quarter, quarter);
    firstChild[node] = first;
    int head = leafHead[node];
    int child = first + quadrant(node, x[head], y[head]);
    leafHead[child] = head;
    pointCount[child] = pointCount[node] - 1;  // the caller already counted the incoming point
    sumX[child] = x[head] * pointCount[child];
    sumY[child] = y[head] * pointCount[child];
    leafHead[node] = NONE;
  }

  private int quadrant(int node, double px, double py) {
    return (px >= centreX[node] ? 1 : 0) + (py >= centreY[node] ? 2 : 0);
  }

  private void newNode(double cx, double cy, double half) {
    if (nodeCount == centreX.length) grow();
    int node = nodeCount++;
    centreX[node] = cx;
    centreY[node] = cy;
    halfWidth[node] = half;
    sumX[node] = 0;
    sumY[node] = 0;
    pointCount[node] = 0;
    firstChild[node] = NONE;
    leafHead[node] = NONE;
  }

  private void grow() {
    int capacity = Math.max(64, centreX.length * 2);
    centreX = Arrays.copyOf(centreX, capacity);
    centreY = Arrays.copyOf(centreY, capacity);
    halfWidth = Arrays.copyOf(halfWidth, capacity);
    sumX = Arrays.copyOf(sumX, capacity);
    sumY = Arrays.copyOf(sumY, capacity);
    pointCount = Arrays.copyOf(pointCount, capacity);
    firstChild = Arrays.copyOf(firstChild, capacity);
    leafHead = Arrays.copyOf(leafHead, capacity);
  }

  /**
   * Barnes-Hut repulsion on point i: adds sum_j w_ij^2 (y_i - y_j) to {@code force[0..1]} and
   * returns sum_{j != i} w_ij, where a cell of width 2h whose centre of mass lies at distance r
   * with (2h)^2 &lt; theta^2 r^2 stands in for all its points; leaves are summed exactly.
   */
  double repel(int i, double[] x, double[] y, double theta, double[] force) {
    double px = x[i];
    double py = y[i];
    double thetaSquared = theta * theta;
    double weightSum = 0;
    double pushX = 0;
    double pushY = 0;
    int top = 0;
    stack[top++] = 0;
    while (top > 0) {
      int node = stack[--top];
      int firstChildOfNode = links[2 * node];
      if (firstChildOfNode == NONE) {
        for (int j = links[2 * node + 1]; j != NONE; j = nextInLeaf[j]) {
          if (j == i) continue;
          double dx = px - x[j];
          double dy = py - y[j];
          double weight = 1 / (1 + dx * dx + dy * dy);
          weightSum += weight;
          pushX += weight * weight * dx;
          pushY += weight * weight * dy;
        }
        continue;
      }
      double dx = px - packed[4 * node];
      double dy = py - packed[4 * node + 1];
      double distanceSquared = dx * dx + dy * dy;
      if (packed[4 * node + 2] < thetaSquared * distanceSquared) {
        double count = packed[4 * node + 3];
        double weight = 1 / (1 + distanceSquared);
        weightSum += count * weight;
        double scaled = count * weight * weight;
        pushX += scaled * dx;
        pushY += scaled * dy;
      } else {
        // push only occupied children, the last one first so they pop in quadrant order
        for (int child = firstChildOfNode + 3; child >= firstChildOfNode; child--) {
          if (packed[4 * child + 3] > 0) stack[top++] = child;
        }
      }
    }
    force[0] += pushX;
    force[1] += pushY;
    return weightSum;
  }
}
