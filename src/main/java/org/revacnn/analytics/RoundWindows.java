package org.revacnn.analytics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The values of one measure in the last {@code size} analysis rounds, per id (a filter's): their
 * mean, their minimum and how many rounds there are (up to {@code size}). Owned by one thread.
 */
final class RoundWindows {
  private final int size;
  private final Map<String, Window> windows = new HashMap<>();

  /** One id's ring of values: {@code values[0..filled)} hold the latest rounds, {@code next} is overwritten next. */
  private static final class Window {
    final double[] values;
    int next;
    int filled;

    Window(int size) {
      values = new double[size];
    }
  }

  RoundWindows(int size) {
    if (size < 1) throw new IllegalArgumentException("a window needs at least one round, got " + size);
    this.size = size;
  }

  void add(String id, double value) {
    Window w = windows.computeIfAbsent(id, k -> new Window(size));
    w.values[w.next] = value;
    w.next = (w.next + 1) % size;
    w.filled = Math.min(size, w.filled + 1);
  }

  /** Rounds in the window of {@code id}, 0 when it was never measured. */
  int rounds(String id) {
    Window w = windows.get(id);
    return w == null ? 0 : w.filled;
  }

  /** The mean over the window of each id, NaN for an id never measured. */
  float[] mean(List<String> ids) {
    float[] out = new float[ids.size()];
    for (int i = 0; i < out.length; i++) {
      Window w = windows.get(ids.get(i));
      double sum = 0;
      for (int r = 0; w != null && r < w.filled; r++) sum += w.values[r];
      out[i] = w == null ? Float.NaN : (float) (sum / w.filled);
    }
    return out;
  }

  /** The smallest value in the window of each id, NaN for an id never measured. */
  float[] min(List<String> ids) {
    float[] out = new float[ids.size()];
    for (int i = 0; i < out.length; i++) {
      Window w = windows.get(ids.get(i));
      double min = Double.POSITIVE_INFINITY;
      for (int r = 0; w != null && r < w.filled; r++) min = Math.min(min, w.values[r]);
      out[i] = w == null ? Float.NaN : (float) min;
    }
    return out;
  }

  /** Forgets every id not in {@code alive}. */
  void retainAll(Set<String> alive) {
    windows.keySet().retainAll(alive);
  }
}
