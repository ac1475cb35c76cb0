package org.revacnn.analytics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Dense;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;
import org.revacnn.engine.StepListener;
import org.revacnn.engine.StepResult;
import org.revacnn.engine.UnitIds;

/**
 * Per-filter training signals gathered at every step, smoothed with an exponential moving
 * average and keyed by stable filter ids so that they survive surgery:
 * <ul>
 *   <li>jitter, the paper's "magnitude of an average gradient back-propagated per each filter
 *       coefficient": {@code mean_i |dL/dw_i|} over the filter's weights, after backward and
 *       before the update; and its square-mean {@code mean_i (dL/dw_i)^2};
 *   <li>the smoothed gradient vector of each filter (the t-SNE "filter gradients");
 *   <li>per layer the update-to-weight ratio {@code sum_i |w_i(after) - w_i(before)| / sum_i |w_i(before)|},
 *       measured on the weights themselves, so momentum, Adam and weight decay are included; and
 *       how many consecutive steps that smoothed ratio has stayed below {@link #TINY_UPDATE_RATIO}.
 * </ul>
 * Cost: two passes over the weights per step (a copy before the update, a difference after),
 * against hundreds of multiply-adds per weight in forward and backward. Owned by the training
 * thread; the getters return copies. A frozen layer's filters have no gradient statistics (jitter 0):
 * the session calls {@link #retain} after every freeze.
 */
public final class FilterStatistics implements StepListener {
  /** Weight of the newest step in the moving averages (about the last 20 steps count). */
  public static final double SMOOTHING = 0.05;
  /** A smoothed update ratio below this counts as "tiny": the layer has practically stopped moving. */
  public static final double TINY_UPDATE_RATIO = 1e-4;

  private final SmoothedById meanAbsGradient = new SmoothedById(SMOOTHING, 0.0);
  private final SmoothedById meanSquaredGradient = new SmoothedById(SMOOTHING, 0.0);
  private final Map<String, float[]> smoothedGradient = new HashMap<>();
  private final SmoothedById updateRatio = new SmoothedById(SMOOTHING, Double.NaN);
  private final Map<String, Long> tinyUpdateSteps = new HashMap<>();
  private final Map<String, float[]> weightsBeforeUpdate = new HashMap<>();

  @Override
  public void afterBackward(Network network, long step) {
    for (Layer layer : network.layers()) {
      switch (layer) {
        case Conv c -> observeGradients(c.id(), c.weights(), c.filterIds(), c.frozen());
        case Dense d -> observeGradients(d.id(), d.weights(), d.unitIds(), d.frozen());
        default -> { }
      }
    }
  }

  @Override
  public void afterStep(Network network, StepResult result) {
    for (Layer layer : network.layers()) {
      switch (layer) {
        case Conv c -> observeUpdate(c.id(), c.weights(), c.frozen());
        case Dense d -> observeUpdate(d.id(), d.weights(), d.frozen());
        default -> { }
      }
    }
  }

  private void observeGradients(String layerId, Param weights, UnitIds ids, boolean frozen) {
    if (frozen) return;
    float[] g = weights.grad();
    int size = weights.unitSize();
    for (int u = 0; u < weights.units(); u++) {
      String id = ids.id(u);
      float[] smoothed = smoothedGradient.get(id);
      boolean first = smoothed == null || smoothed.length != size;
      if (first) {
        smoothed = new float[size];
        smoothedGradient.put(id, smoothed);
      }
      double abs = 0;
      double squares = 0;
      for (int i = 0, at = u * size; i < size; i++, at++) {
        float value = g[at];
        abs += Math.abs(value);
        squares += (double) value * value;
        // EMA: s += alpha (g - s); the first step starts the average at g
        smoothed[i] = first ? value : smoothed[i] + (float) SMOOTHING * (value - smoothed[i]);
      }
      meanAbsGradient.add(id, abs / size);
      meanSquaredGradient.add(id, squares / size);
    }
    float[] before = weightsBeforeUpdate.get(layerId);
    if (before == null || before.length != weights.size()) {
      before = new float[weights.size()];
      weightsBeforeUpdate.put(layerId, before);
    }
    System.arraycopy(weights.value(), 0, before, 0, before.length);
  }

  private void observeUpdate(String layerId, Param weights, boolean frozen) {
    float[] before = weightsBeforeUpdate.get(layerId);
    if (frozen || before == null || before.length != weights.size()) return;
    float[] after = weights.value();
    double change = 0;
    double magnitude = 0;
    for (int i = 0; i < before.length; i++) {
      change += Math.abs(after[i] - before[i]);
      magnitude += Math.abs(before[i]);
    }
    if (magnitude == 0) return;
    if (updateRatio.add(layerId, change / magnitude) < TINY_UPDATE_RATIO) tinyUpdateSteps.merge(layerId, 1L, Long::sum);
    else tinyUpdateSteps.put(layerId, 0L);
  }

  /** Smoothed mean |gradient| per coefficient for these filter ids (0 for unseen ones). */
  public float[] jitter(List<String> filterIds) {
    return meanAbsGradient.get(filterIds);
  }

  /** Smoothed mean squared gradient per coefficient for these filter ids (0 for unseen ones). */
  public float[] meanSquaredGradient(List<String> filterIds) {
    return meanSquaredGradient.get(filterIds);
  }

  /** A copy of the filter's smoothed gradient vector, or zeros of {@code size} for an unseen (or resized) filter. */
  public float[] smoothedGradient(String filterId, int size) {
    float[] smoothed = smoothedGradient.get(filterId);
    return smoothed == null || smoothed.length != size ? new float[size] : smoothed.clone();
  }

  /** Smoothed update-to-weight ratio of a layer, or NaN before its first step. */
  public double updateRatio(String layerId) {
    return updateRatio.get(layerId);
  }

  /** Consecutive steps (up to now) whose smoothed update ratio was below {@link #TINY_UPDATE_RATIO}. */
  public long tinyUpdateSteps(String layerId) {
    return tinyUpdateSteps.getOrDefault(layerId, 0L);
  }

  /**
   * Forgets filters and layers that no longer exist, and the gradient statistics of the filters of
   * frozen layers: training does not change a frozen filter, so its jitter is 0 (not the last value
   * before the freeze) and starts afresh when it is unfrozen.
   */
  public void retain(Network network) {
    Set<String> alive = new HashSet<>();
    for (Layer layer : network.layers()) {
      alive.add(layer.id());
      UnitIds ids = FilterLayers.ids(layer);
      if (ids != null && !Network.isFrozen(layer)) alive.addAll(ids.ids());
    }
    meanAbsGradient.retainAll(alive);
    meanSquaredGradient.retainAll(alive);
    updateRatio.retainAll(alive);
    for (Map<String, ?> map : List.of(smoothedGradient, tinyUpdateSteps, weightsBeforeUpdate)) map.keySet().retainAll(alive);
  }
}
