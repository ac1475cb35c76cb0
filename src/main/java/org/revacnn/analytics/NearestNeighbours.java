package org.revacnn.analytics;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Exact k nearest neighbours of every point by squared Euclidean distance, O(n^2 d).
 * Rows are sorted by ascending distance, ties broken by the smaller index, so the result is
 * deterministic. Layout: row-major {@code n x k} arrays ({@code indices[i*k + r]} is the r-th
 * neighbour of point i).
 */
final class NearestNeighbours {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int ROW_TILE = 16;

  final int count;
  final int k;
  final int[] indices;
  final double[] squaredDistances;

  private NearestNeighbours(int count, int k, int[] indices, double[] squaredDistances) {
    this.count = count;
    this.k = k;
    this.indices = indices;
    this.squaredDistances = squaredDistances;
  }

  /**
   * Finds the k nearest neighbours (self excluded) of each row of {@code points}, a row-major
   * {@code n x dimensions} array. Requires {@code 0 <= k < n}.
   */
  static NearestNeighbours find(float[] points, int dimensions, int k) {
    int count = points.length / dimensions;
    if (k < 0 || k >= Math.max(count, 1)) throw new IllegalArgumentException("need 0 <= k < n: k=" + k);
    // Each point keeps a bounded max-heap of its k best candidates; every pair is measured once
    // and offered to both of its points.
    int[] heapIndex = new int[count * k];
    double[] heapDistance = new double[count * k];
    int[] heapSize = new int[count];
    float[] lanes = laneScratch();
    // Tiles of ROW_TILE rows are compared with every later row j, so each row streamed from
    // memory serves a whole tile, four tile rows at a time; the heaps end up the same whatever
    // the visiting order.
    double[] distances = new double[4];
    for (int tileStart = 0; tileStart < count; tileStart += ROW_TILE) {
      int tileEnd = Math.min(count, tileStart + ROW_TILE);
      for (int j = tileStart + 1; j < count; j++) {
        int rowsBeforeJ = Math.min(tileEnd, j);
        int i = tileStart;
        for (; i + 4 <= rowsBeforeJ; i += 4) {
          squaredDistances4(points, i * dimensions, j * dimensions, dimensions, lanes, distances);
          for (int r = 0; r < 4; r++) {
            offer(heapIndex, heapDistance, heapSize, i + r, k, j, distances[r]);
            offer(heapIndex, heapDistance, heapSize, j, k, i + r, distances[r]);
          }
        }
        for (; i < rowsBeforeJ; i++) {
          double distance = squaredDistance(points, i * dimensions, j * dimensions, dimensions, lanes);
          offer(heapIndex, heapDistance, heapSize, i, k, j, distance);
          offer(heapIndex, heapDistance, heapSize, j, k, i, distance);
        }
      }
    }
    for (int i = 0; i < count; i++) sortHeap(heapIndex, heapDistance, i * k, k);
    return new NearestNeighbours(count, k, heapIndex, heapDistance);
  }

  /** Scratch space for {@link #squaredDistance}. */
  static float[] laneScratch() {
    return new float[SPECIES.length()];
  }

  /** Sum over dimensions of (a - b)^2, vectorised; lanes are added in a fixed order. */
  static double squaredDistance(float[] points, int aOffset, int bOffset, int dimensions, float[] lanes) {
    FloatVector sum = FloatVector.zero(SPECIES);
    int upper = SPECIES.loopBound(dimensions);
    int c = 0;
    for (; c < upper; c += SPECIES.length()) {
      FloatVector difference = FloatVector.fromArray(SPECIES, points, aOffset + c)
          .sub(FloatVector.fromArray(SPECIES, points, bOffset + c));
      sum = difference.fma(difference, sum);
    }
    return finish(sum, points, aOffset, bOffset, c, dimensions, lanes);
  }

  /**
   * Squared distances from the four consecutive rows starting at {@code firstOffset} to the row at
   * {@code otherOffset}: the shared row is loaded once per step and four independent sums keep
   * the FMA pipeline busy. Each sum is formed exactly as in {@link #squaredDistance}.
   */
  private static void squaredDistances4(float[] points, int firstOffset, int otherOffset, int dimensions,
      float[] lanes, double[] out) {
    int second = firstOffset + dimensions;
    int third = second + dimensions;
    int fourth = third + dimensions;
    FloatVector sum0 = FloatVector.zero(SPECIES);
    FloatVector sum1 = FloatVector.zero(SPECIES);
    FloatVector sum2 = FloatVector.zero(SPECIES);
    FloatVector sum3 = FloatVector.zero(SPECIES);
    int upper = SPECIES.loopBound(dimensions);
    int c = 0;
    for (; c < upper; c += SPECIES.length()) {
      FloatVector other = FloatVector.fromArray(SPECIES, points, otherOffset + c);
      FloatVector d0 = FloatVector.fromArray(SPECIES, points, firstOffset + c).sub(other);
      FloatVector d1 = FloatVector.fromArray(SPECIES, points, second + c).sub(other);
      FloatVector d2 = FloatVector.fromArray(SPECIES, points, third + c).sub(other);
      FloatVector d3 = FloatVector.fromArray(SPECIES, points, fourth + c).sub(other);
      sum0 = d0.fma(d0, sum0);
      sum1 = d1.fma(d1, sum1);
      sum2 = d2.fma(d2, sum2);
      sum3 = d3.fma(d3, sum3);
    }
    out[0] = finish(sum0, points, firstOffset, otherOffset, c, dimensions, lanes);
    out[1] = finish(sum1, points, second, otherOffset, c, dimensions, lanes);
    out[2] = finish(sum2, points, third, otherOffset, c, dimensions, lanes);
    out[3] = finish(sum3, points, fourth, otherOffset, c, dimensions, lanes);
  }

  /** Adds the lanes in a fixed order, then the scalar tail from {@code from}. */
  private static double finish(FloatVector sum, float[] points, int aOffset, int bOffset, int from, int dimensions,
      float[] lanes) {
    sum.intoArray(lanes, 0);
    double total = 0;
    for (float lane : lanes) total += lane;
    for (int c = from; c < dimensions; c++) {
      double difference = points[aOffset + c] - points[bOffset + c];
      total += difference * difference;
    }
    return total;
  }

  /** (distance, index) pairs are ordered lexicographically, which makes ties deterministic. */
  private static boolean closer(double distance, int index, double otherDistance, int otherIndex) {
    return distance < otherDistance || (distance == otherDistance && index < otherIndex);
  }

  private static void offer(int[] heapIndex, double[] heapDistance, int[] heapSize, int point, int k,
      int candidate, double distance) {
    if (k == 0) return;
    int base = point * k;
    int size = heapSize[point];
    if (size < k) {
      // sift up from the new leaf
      int child = size;
      while (child > 0) {
        int parent = (child - 1) / 2;
        if (!closer(heapDistance[base + parent], heapIndex[base + parent], distance, candidate)) break;
        heapIndex[base + child] = heapIndex[base + parent];
        heapDistance[base + child] = heapDistance[base + parent];
        child = parent;
      }
      heapIndex[base + child] = candidate;
      heapDistance[base + child] = distance;
      heapSize[point] = size + 1;
    } else if (closer(distance, candidate, heapDistance[base], heapIndex[base])) {
      siftDown(heapIndex, heapDistance, base, k, 0, candidate, distance);
    }
  }

  /** Places (candidate, distance) at {@code slot} and sifts it down a max-heap of {@code size}. */
  private static void siftDown(int[] heapIndex, double[] heapDistance, int base, int size, int slot,
      int candidate, double distance) {
    int parent = slot;
    while (true) {
      int child = 2 * parent + 1;
      if (child >= size) break;
      if (child + 1 < size && closer(heapDistance[base + child], heapIndex[base + child],
          heapDistance[base + child + 1], heapIndex[base + child + 1])) {
        child++;
      }
      if (!closer(distance, candidate, heapDistance[base + child], heapIndex[base + child])) break;
      heapIndex[base + parent] = heapIndex[base + child];
      heapDistance[base + parent] = heapDistance[base + child];
      parent = child;
    }
    heapIndex[base + parent] = candidate;
    heapDistance[base + parent] = distance;
  }

  /** Heap sort in place: repeatedly moves the farthest remaining candidate to the end. */
  private static void sortHeap(int[] heapIndex, double[] heapDistance, int base, int size) {
    for (int end = size - 1; end > 0; end--) {
      int farthest = heapIndex[base];
      double farthestDistance = heapDistance[base];
      siftDown(heapIndex, heapDistance, base, end, 0, heapIndex[base + end], heapDistance[base + end]);
      heapIndex[base + end] = farthest;
      heapDistance[base + end] = farthestDistance;
    }
  }
}
