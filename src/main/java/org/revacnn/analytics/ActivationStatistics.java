package org.revacnn.analytics;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.revacnn.engine.FlatLayer;
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
 * Each round averages over the batch; the reported value of a filter is the mean of its last
 * {@link #ROUNDS} rounds (its {@link #window()}), keyed by stable filter ids, and the recommender also
 * reads how many rounds there are, the smallest APoZ among them and the filter's age: the training
 * steps since it was first measured (the filters of the first measurement count as old as the
 * network, so a network restored from a checkpoint is not new). APoZ is only defined for layers
 * followed by a ReLU (NaN otherwise). Owned by the training thread.
 */
public final class ActivationStatistics implements StepListener {
  /** Analysis rounds a reported value is the mean of. */
  public static final int ROUNDS = 5;

  /**
   * How the reported values are measured: the mean over the last {@code rounds} analysis rounds,
   * each on the same {@code images} images, one round every {@code everySteps} training steps.
   */
  public record Window(int rounds, int images, int everySteps) {}

  private final float[] images;
  private final int[] labels;
  private final int imageSize;
  private final int every;
  private final RoundWindows zeroFraction = new RoundWindows(ROUNDS);
  private final RoundWindows taylor = new RoundWindows(ROUNDS);
  private final RoundWindows meanActivation = new RoundWindows(ROUNDS);
  /** Per filter id: the value of {@link #trainedSteps} at which it was born (see {@link #ageSteps}). */
  private final Map<String, Long> bornAt = new HashMap<>();
  private long trainedSteps;
  private boolean measuredBefore;

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
    trainedSteps++;
    if (result.step() % every == 0) observe(network);
  }

  /** How the reported values are averaged. */
  public Window window() {
    return new Window(ROUNDS, labels.length, every);
  }

  /** Runs the analysis batch through the network now and updates the averages of every conv and dense layer. */
  public void observe(Network network) {
    List<FlatLayer> flat = FlatLayer.of(network);
    double[][] zeros = new double[flat.size()][];
    double[][] importance = new double[flat.size()][];
    double[][] activation = new double[flat.size()][];
    float[] image = new float[imageSize];
    for (int n = 0; n < labels.length; n++) {
      System.arraycopy(images, n * imageSize, image, 0, imageSize);
      ProbeResult probe = network.probe(image, labels[n]);
      for (int l = 0; l < flat.size(); l++) {
        UnitIds ids = FilterLayers.ids(flat.get(l).layer());
        if (ids == null) continue;
        if (zeros[l] == null) {
          zeros[l] = new double[ids.count()];
          importance[l] = new double[ids.count()];
          activation[l] = new double[ids.count()];
        }
        accumulate(ActivationTrace.of(flat, probe, l), zeros[l], importance[l], activation[l]);
      }
    }
    for (int l = 0; l < flat.size(); l++) {
      UnitIds ids = FilterLayers.ids(flat.get(l).layer());
      if (ids == null) continue;
      boolean relu = ActivationTrace.followedByRelu(flat, l);
      for (int u = 0; u < ids.count(); u++) {
        String id = ids.id(u);
        if (relu) zeroFraction.add(id, zeros[l][u] / labels.length);
        taylor.add(id, importance[l][u] / labels.length);
        meanActivation.add(id, activation[l][u] / labels.length);
        bornAt.putIfAbsent(id, measuredBefore ? trainedSteps : trainedSteps - network.step());
      }
    }
    measuredBefore = true;
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

  /** APoZ per filter id, the mean over its window: NaN for filters not yet measured or not followed by a ReLU. */
  public float[] zeroFraction(List<String> filterIds) {
    return zeroFraction.mean(filterIds);
  }

  /** The smallest APoZ of each filter's window (NaN as {@link #zeroFraction}). */
  public float[] minZeroFraction(List<String> filterIds) {
    return zeroFraction.min(filterIds);
  }

  /** Raw Taylor importance per filter id, the mean over its window (NaN before the first measurement). */
  public float[] taylor(List<String> filterIds) {
    return taylor.mean(filterIds);
  }

  /** Mean activation per filter id, the mean over its window (NaN before the first measurement). */
  public float[] meanActivation(List<String> filterIds) {
    return meanActivation.mean(filterIds);
  }

  /** Rounds in each filter's window (0 to {@link #ROUNDS}). */
  public int[] rounds(List<String> filterIds) {
    int[] out = new int[filterIds.size()];
    for (int i = 0; i < out.length; i++) out[i] = taylor.rounds(filterIds.get(i));
    return out;
  }

  /** Training steps each filter has existed for (0 for one never measured). */
  public long[] ageSteps(List<String> filterIds) {
    long[] out = new long[filterIds.size()];
    for (int i = 0; i < out.length; i++) {
      Long born = bornAt.get(filterIds.get(i));
      out[i] = born == null ? 0 : trainedSteps - born;
    }
    return out;
  }

  /** Forgets every filter and round, as at the start (a reset brings new filters under the old ids). */
  public void clear() {
    retainAll(Set.of());
    measuredBefore = false;
  }

  /** Forgets filters that no longer exist. */
  public void retain(Network network) {
    Set<String> alive = new HashSet<>();
    for (Layer layer : FilterLayers.of(network)) alive.addAll(FilterLayers.ids(layer).ids());
    retainAll(alive);
  }

  private void retainAll(Set<String> alive) {
    zeroFraction.retainAll(alive);
    taylor.retainAll(alive);
    meanActivation.retainAll(alive);
    bornAt.keySet().retainAll(alive);
  }
}
