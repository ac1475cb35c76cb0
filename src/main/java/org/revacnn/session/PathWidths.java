package org.revacnn.session;

import java.util.Arrays;

/** Which paths the network view draws: the paper keeps the stronger half of each layer's activations. */
public final class PathWidths {
  private PathWidths() {}

  /** True for values at or above the layer's median: the paths the paper draws. */
  public static boolean[] topHalf(float[] values) {
    boolean[] top = new boolean[values.length];
    if (values.length == 0) return top;
    float[] sorted = values.clone();
    Arrays.sort(sorted);
    float median = sorted[sorted.length / 2];
    for (int i = 0; i < values.length; i++) top[i] = values[i] >= median;
    return top;
  }
}
