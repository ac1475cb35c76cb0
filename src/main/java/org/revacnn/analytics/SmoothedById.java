package org.revacnn.analytics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exponential moving averages keyed by a stable id (a filter's or a layer's): the first value of an
 * id is taken as it is, each later one moves the average by {@code smoothing} of the difference.
 */
final class SmoothedById {
  private final double smoothing;
  private final double unseen;
  private final Map<String, Double> averages = new HashMap<>();

  /** {@code unseen}: what {@link #get} reports for an id without a value yet. */
  SmoothedById(double smoothing, double unseen) {
    this.smoothing = smoothing;
    this.unseen = unseen;
  }

  /** average = value for a new id, else average + smoothing * (value - average); returns the new average. */
  double add(String id, double value) {
    return averages.merge(id, value, (old, v) -> old + smoothing * (v - old));
  }

  double get(String id) {
    return averages.getOrDefault(id, unseen);
  }

  /** The averages of these ids, in order. */
  float[] get(List<String> ids) {
    float[] out = new float[ids.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) get(ids.get(i));
    return out;
  }

  /** Forgets every id not in {@code alive}. */
  void retainAll(Set<String> alive) {
    averages.keySet().retainAll(alive);
  }
}
