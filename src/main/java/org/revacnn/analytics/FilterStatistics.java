package org.revacnn.analytics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;
import org.revacnn.engine.StepListener;
import org.revacnn.engine.StepResult;

/**
 * Per-filter training signals gathered at every step, smoothed with an exponential moving
 * average, for every conv and dense layer (those inside residual blocks included):
 * <ul>
 *   <li>jitter, the paper's "magnitude of an average gradient back-propagated per each filter
 *       coefficient": {@code mean_i |dL/dw_i|} over the filter's weights, after backward and
 *       before the update; and its square-mean {@code mean_i (dL/dw_i)^2};
 *   <li>the smoothed gradient vector of each filter (the t-SNE "filter gradients");
 *   <li>per layer the update-to-weight ratio {@code sum_i |w_i(after) - w_i(before)| / sum_i |w_i(before)|},
 *       measured on the weights themselves, so momentum, Adam and weight decay are included; and
 *       how many consecutive steps that smoothed ratio has stayed below {@link #TINY_UPDATE_RATIO}.
 * </ul>
 * Each layer keeps its filters' figures in arrays in the order of its filter ids, so a snapshot
 * reads a layer's jitter as one array copy; when surgery changes the ids the arrays are re-laid by
 * id (a filter keeps its figures, a new one starts unseen), so they survive surgery.
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

  private final Map<String, LayerGradients> layers = new HashMap<>();

  @Override
  public void afterBackward(Network network, long step) {
    for (Layer layer : FilterLayers.of(network)) {
      if (!Network.isFrozen(layer)) of(layer).observeGradients(FilterLayers.weights(layer), FilterLayers.ids(layer).ids());
    }
  }

  @Override
  public void afterStep(Network network, StepResult result) {
    for (Layer layer : FilterLayers.of(network)) {
      LayerGradients gradients = layers.get(layer.id());
      if (gradients != null && !Network.isFrozen(layer)) gradients.observeUpdate(FilterLayers.weights(layer));
    }
  }

  private LayerGradients of(Layer layer) {
    return layers.computeIfAbsent(layer.id(), id -> new LayerGradients());
  }

  /** Smoothed mean |gradient| per coefficient of each filter of a conv or dense layer, in filter order (0 for unseen ones). */
  public float[] jitter(Layer layer) {
    return of(layer).aligned(FilterLayers.ids(layer).ids()).meanAbs.clone();
  }

  /** Smoothed mean squared gradient per coefficient of each filter, in filter order (0 for unseen ones). */
  public float[] meanSquaredGradient(Layer layer) {
    return of(layer).aligned(FilterLayers.ids(layer).ids()).meanSquared.clone();
  }

  /** Every filter's smoothed gradient vector, filter after filter ({@code [filter][coefficient]}); zeros for an unseen (or resized) filter. */
  public float[] smoothedGradients(Layer layer) {
    Param weights = FilterLayers.weights(layer);
    int size = weights.unitSize();
    float[][] smoothed = of(layer).aligned(FilterLayers.ids(layer).ids()).smoothed;
    float[] out = new float[weights.units() * size];
    for (int f = 0; f < smoothed.length; f++) {
      if (smoothed[f] != null && smoothed[f].length == size) System.arraycopy(smoothed[f], 0, out, f * size, size);
    }
    return out;
  }

  /** Smoothed update-to-weight ratio of a layer, or NaN before its first step. */
  public double updateRatio(String layerId) {
    LayerGradients gradients = layers.get(layerId);
    return gradients == null ? Double.NaN : gradients.updateRatio;
  }

  /** Consecutive steps (up to now) whose smoothed update ratio was below {@link #TINY_UPDATE_RATIO}. */
  public long tinyUpdateSteps(String layerId) {
    LayerGradients gradients = layers.get(layerId);
    return gradients == null ? 0 : gradients.tinyUpdateSteps;
  }

  /**
   * Forgets layers that no longer exist, and the gradient statistics of the filters of frozen
   * layers: training does not change a frozen filter, so its jitter is 0 (not the last value
   * before the freeze) and starts afresh when it is unfrozen.
   */
  public void retain(Network network) {
    Map<String, Layer> alive = new HashMap<>();
    for (Layer layer : FilterLayers.of(network)) alive.put(layer.id(), layer);
    layers.keySet().retainAll(alive.keySet());
    layers.forEach((id, gradients) -> {
      if (Network.isFrozen(alive.get(id))) gradients.aligned(List.of());
    });
  }

  /** One layer's figures; the per-filter arrays follow the order of {@link #ids}. */
  private static final class LayerGradients {
    private List<String> ids = List.of();
    private float[] meanAbs = new float[0];
    private float[] meanSquared = new float[0];
    private float[][] smoothed = new float[0][]; // null: a filter not seen yet
    private float[] weightsBeforeUpdate;
    private double updateRatio = Double.NaN;
    private long tinyUpdateSteps;

    /**
     * These figures with the per-filter arrays re-laid in the order of {@code current} (at once when it
     * is the list they follow: a layer's id list is rebuilt only by surgery): each filter keeps its
     * figures by id, a new one starts unseen.
     */
    LayerGradients aligned(List<String> current) {
      if (current == ids) return this;
      Map<String, Integer> was = new HashMap<>();
      for (int f = 0; f < ids.size(); f++) was.put(ids.get(f), f);
      float[] abs = new float[current.size()];
      float[] squares = new float[current.size()];
      float[][] vectors = new float[current.size()][];
      for (int f = 0; f < current.size(); f++) {
        Integer old = was.get(current.get(f));
        if (old == null) continue;
        abs[f] = meanAbs[old];
        squares[f] = meanSquared[old];
        vectors[f] = smoothed[old];
      }
      ids = current;
      meanAbs = abs;
      meanSquared = squares;
      smoothed = vectors;
      return this;
    }

    void observeGradients(Param weights, List<String> currentIds) {
      aligned(currentIds);
      float[] g = weights.grad();
      int size = weights.unitSize();
      for (int u = 0; u < weights.units(); u++) {
        boolean unseen = smoothed[u] == null;
        boolean first = unseen || smoothed[u].length != size; // a resized filter's vector starts afresh
        if (first) smoothed[u] = new float[size];
        float[] vector = smoothed[u];
        double abs = 0;
        double squares = 0;
        for (int i = 0, at = u * size; i < size; i++, at++) {
          float value = g[at];
          abs += Math.abs(value);
          squares += (double) value * value;
          // EMA: s += alpha (g - s); the first step starts the average at g
          vector[i] = first ? value : vector[i] + (float) SMOOTHING * (value - vector[i]);
        }
        meanAbs[u] = (float) (unseen ? abs / size : meanAbs[u] + SMOOTHING * (abs / size - meanAbs[u]));
        meanSquared[u] = (float) (unseen ? squares / size : meanSquared[u] + SMOOTHING * (squares / size - meanSquared[u]));
      }
      if (weightsBeforeUpdate == null || weightsBeforeUpdate.length != weights.size()) weightsBeforeUpdate = new float[weights.size()];
      System.arraycopy(weights.value(), 0, weightsBeforeUpdate, 0, weightsBeforeUpdate.length);
    }

    void observeUpdate(Param weights) {
      float[] before = weightsBeforeUpdate;
      if (before == null || before.length != weights.size()) return;
      float[] after = weights.value();
      double change = 0;
      double magnitude = 0;
      for (int i = 0; i < before.length; i++) {
        change += Math.abs(after[i] - before[i]);
        magnitude += Math.abs(before[i]);
      }
      if (magnitude == 0) return;
      double ratio = change / magnitude;
      updateRatio = Double.isNaN(updateRatio) ? ratio : updateRatio + SMOOTHING * (ratio - updateRatio);
      tinyUpdateSteps = updateRatio < TINY_UPDATE_RATIO ? tinyUpdateSteps + 1 : 0;
    }
  }
}
