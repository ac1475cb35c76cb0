package org.revacnn.analytics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.StepListener;
import org.revacnn.engine.StepResult;
import org.revacnn.engine.UnitIds;

/**
 * Per-filter statistics of activations and their gradients on a small fixed analysis batch
 * (a few validation images), measured every {@code every} steps with {@link Network#probe}, which
 * uses its own buffers and leaves the training step untouched. For filter f with post-ReLU
 * activation map a (P positions) and loss gradient g = dL/da, per image:
 * <ul>
 *   <li>APoZ (Hu et al. 2016): the fraction of positions with a = 0, a dead-ReLU detector;
 *   <li>Taylor importance (Molchanov et al. 2017): |(1/P) sum_p a_p g_p|, the first-order
 *       estimate of the loss change if the map were set to zero;
 *   <li>mean activation (1/P) sum_p a_p.
 * </ul>
 * Each round averages over the batch, then enters an exponential moving average (weight
 * {@link #SMOOTHING}, so about the last few rounds count), keyed by stable filter ids. APoZ is
 * only defined for layers followed by a ReLU (NaN otherwise). Owned by the training thread.
 */
public final class ActivationStatistics implements StepListener {
  /** Weight of the newest round in the moving averages. */
  public static final double SMOOTHING = 0.3;

  private final float[] images;
  private final int[] labels;
  private final int imageSize;
  private final int every;
  private final SmoothedById zeroFraction = new SmoothedById(SMOOTHING, Double.NaN);
  private final SmoothedById taylor = new SmoothedById(SMOOTHING, Double.NaN);
  private final SmoothedById meanActivation = new SmoothedById(SMOOTHING, Double.NaN);

  /**
   * @param images {@code labels.length} normalised images, {@code [image][C][H][W]}
   * @param every  measure after every {@code every}-th network step
   */
  public ActivationStatistics(float[] images, int[] labels, int every) {
    if (labels.length == 0 || images.length % labels.length != 0) {
      throw new IllegalArgumentException("need at least one image and a label per image");
    }
    if (every < 1) throw new IllegalArgumentException("every must be >= 1, got " + every);
    this.images = images.clone();
    this.labels = labels.clone();
    this.imageSize = images.length / labels.length;
    this.every = every;
  }

  @Override
  public void afterStep(Network network, StepResult result) {
    if (result.step() % every == 0) observe(network);
  }

  /** Runs the analysis batch through the network now and updates the averages. */
  public void observe(Network network) {
    List<Layer> layers = network.layers();
    Map<String, double[]> zeros = new HashMap<>();
    Map<String, double[]> importance = new HashMap<>();
    Map<String, double[]> activation = new HashMap<>();
    float[] image = new float[imageSize];
    for (int n = 0; n < labels.length; n++) {
      System.arraycopy(images, n * imageSize, image, 0, imageSize);
      ProbeResult probe = network.probe(image, labels[n]);
      for (int l = 0; l < layers.size(); l++) {
        if (FilterLayers.ids(layers.get(l)) == null) continue;
        ProbeResult.LayerTrace trace = ActivationTrace.of(layers, probe, l);
        String id = layers.get(l).id();
        accumulate(trace, zeros.computeIfAbsent(id, k -> new double[trace.shape().channels()]),
            importance.computeIfAbsent(id, k -> new double[trace.shape().channels()]),
            activation.computeIfAbsent(id, k -> new double[trace.shape().channels()]));
      }
    }
    for (int l = 0; l < layers.size(); l++) {
      UnitIds ids = FilterLayers.ids(layers.get(l));
      if (ids == null) continue;
      String layerId = layers.get(l).id();
      boolean relu = ActivationTrace.followedByRelu(layers, l);
      for (int u = 0; u < ids.count(); u++) {
        String id = ids.id(u);
        if (relu) zeroFraction.add(id, zeros.get(layerId)[u] / labels.length);
        taylor.add(id, importance.get(layerId)[u] / labels.length);
        meanActivation.add(id, activation.get(layerId)[u] / labels.length);
      }
    }
  }

  /** Adds one image's per-channel zero fraction, |mean(a * g)| and mean(a). */
  private static void accumulate(ProbeResult.LayerTrace trace, double[] zeros, double[] importance, double[] activation) {
    int plane = trace.shape().plane();
    float[] a = trace.output();
    float[] g = trace.outputGradient();
    for (int c = 0; c < zeros.length; c++) {
      int zeroCount = 0;
      double product = 0;
      double sum = 0;
      for (int i = c * plane, end = i + plane; i < end; i++) {
        if (a[i] == 0) zeroCount++;
        product += (double) a[i] * g[i];
        sum += a[i];
      }
      zeros[c] += (double) zeroCount / plane;
      importance[c] += Math.abs(product / plane);
      activation[c] += sum / plane;
    }
  }

  /** Smoothed APoZ per filter id: NaN for filters not yet measured or not followed by a ReLU. */
  public float[] zeroFraction(List<String> filterIds) {
    return zeroFraction.get(filterIds);
  }

  /** Smoothed raw Taylor importance per filter id (NaN before the first measurement). */
  public float[] taylor(List<String> filterIds) {
    return taylor.get(filterIds);
  }

  /** Smoothed mean activation per filter id (NaN before the first measurement). */
  public float[] meanActivation(List<String> filterIds) {
    return meanActivation.get(filterIds);
  }

  /** Forgets filters that no longer exist. */
  public void retain(Network network) {
    Set<String> alive = new HashSet<>();
    for (Layer layer : network.layers()) {
      UnitIds ids = FilterLayers.ids(layer);
      if (ids != null) alive.addAll(ids.ids());
    }
    zeroFraction.retainAll(alive);
    taylor.retainAll(alive);
    meanActivation.retainAll(alive);
  }
}
