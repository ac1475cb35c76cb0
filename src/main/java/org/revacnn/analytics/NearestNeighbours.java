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
    // Tiles of ROW_TILE rows are compared with every later row, so each row streamed from memory
    // serves a whole tile; the heaps end up the same whatever the visiting order.
    for (int tileStart = 0; tileStart < count; tileStart += ROW_TILE) {
      int tileEnd = Math.min(count, tileStart + ROW_TILE);
      for (int j = tileStart + 1; j < count; j++) {
        for (int i = tileStart; i < Math.min(tileEnd, j); i++) {
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
    sum.intoArray(lanes, 0);
    double total = 0;
    for (float lane : lanes) total += lane;
    for (; c < dimensions; c++) {
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
