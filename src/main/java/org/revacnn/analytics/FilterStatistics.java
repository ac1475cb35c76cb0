package org.revacnn.analytics;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Dense;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;
import org.revacnn.engine.StepListener;
import org.revacnn.engine.UnitIds;

/**
 * Per-filter training signals gathered after every backward pass, before the update:
 * the jitter (the paper's "magnitude of an average gradient back-propagated per each filter
 * coefficient", i.e. mean |dL/dw| over the filter's weights), its mean square, and per layer the
 * update-to-weight ratio lr * mean|g| / mean|w|. Values are smoothed with an exponential moving
 * average and keyed by stable filter ids, so they survive surgery. Owned by the training thread;
 * {@link #jitter(String)} returns copies.
 */
public final class FilterStatistics implements StepListener {
  /** Weight of the newest step in the moving averages (about the last 20 steps count). */
  public static final double SMOOTHING = 0.05;

  private final Map<String, Double> meanAbsGradient = new HashMap<>();
  private final Map<String, Double> meanSquaredGradient = new HashMap<>();
  private final Map<String, Double> updateRatio = new LinkedHashMap<>();
  private volatile float learningRate = 0.01f;

  /** The learning rate used for update ratios; set by the session when it changes. */
  public void setLearningRate(float learningRate) {
    this.learningRate = learningRate;
  }

  @Override
  public void afterBackward(Network network, long step) {
    for (Layer layer : network.layers()) {
      switch (layer) {
        case Conv c -> observe(c.id(), c.weights(), c.filterIds(), c.frozen());
        case Dense d -> observe(d.id(), d.weights(), d.unitIds(), d.frozen());
        default -> { }
      }
    }
  }

  private void observe(String layerId, Param weights, UnitIds ids, boolean frozen) {
    if (frozen) return;
    float[] g = weights.grad();
    float[] w = weights.value();
    int size = weights.unitSize();
    double layerGrad = 0;
    double layerWeight = 0;
    for (int u = 0; u < weights.units(); u++) {
      double abs = 0;
      double sq = 0;
      for (int i = u * size, end = i + size; i < end; i++) {
        abs += Math.abs(g[i]);
        sq += (double) g[i] * g[i];
        layerWeight += Math.abs(w[i]);
      }
      layerGrad += abs;
      String id = ids.id(u);
      smooth(meanAbsGradient, id, abs / size);
      smooth(meanSquaredGradient, id, sq / size);
    }
    if (layerWeight > 0) smooth(updateRatio, layerId, learningRate * layerGrad / layerWeight);
  }

  private static void smooth(Map<String, Double> map, String key, double value) {
    map.merge(key, value, (old, v) -> old + SMOOTHING * (v - old));
  }

  /** Smoothed mean |gradient| per coefficient for these filter ids (0 for unseen ones). */
  public float[] jitter(List<String> filterIds) {
    return lookup(meanAbsGradient, filterIds);
  }

  /** Smoothed mean squared gradient per coefficient for these filter ids. */
  public float[] meanSquaredGradient(List<String> filterIds) {
    return lookup(meanSquaredGradient, filterIds);
  }

  /** Smoothed update-to-weight ratio of a layer, or NaN before its first step. */
  public double updateRatio(String layerId) {
    return updateRatio.getOrDefault(layerId, Double.NaN);
  }

  /** Forgets filters and layers that no longer exist. */
  public void retain(Network network) {
    java.util.Set<String> alive = new java.util.HashSet<>();
    for (Layer layer : network.layers()) {
      alive.add(layer.id());
      if (layer instanceof Conv c) alive.addAll(c.filterIds().ids());
      if (layer instanceof Dense d) alive.addAll(d.unitIds().ids());
    }
    meanAbsGradient.keySet().retainAll(alive);
    meanSquaredGradient.keySet().retainAll(alive);
    updateRatio.keySet().retainAll(alive);
  }

  private static float[] lookup(Map<String, Double> map, List<String> ids) {
    float[] out = new float[ids.size()];
    for (int i = 0; i < out.length; i++) out[i] = map.getOrDefault(ids.get(i), 0.0).floatValue();
    return out;
  }
}
