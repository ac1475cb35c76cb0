package org.revacnn.session;

import java.util.ArrayList;
import java.util.List;
import org.revacnn.analytics.ActivationStatistics;
import org.revacnn.analytics.ActivationTrace;
import org.revacnn.analytics.FilterLayers;
import org.revacnn.analytics.FilterStatistics;
import org.revacnn.analytics.LayerReport;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Conv;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.Shape;

/**
 * Builds {@link Snapshot}s on the training thread and holds the probe image they describe.
 * The probe is a validation image (default the first) or an uploaded one. Training thread only.
 */
final class SnapshotBuilder {
  /** A large model's probe takes at most this share of the training thread's time. */
  static final double PROBE_SHARE = 0.02;
  private static final float[] NONE = new float[0];
  private final Datasets data;
  private final Normalization normalization;
  private Integer probeIndex;
  private float[] probeImage;
  private Integer probeLabel; // null: an upload of unknown class
  private Probed probed; // null: probe at the next snapshot

  SnapshotBuilder(Datasets data, Normalization normalization) {
    this.data = data;
    this.normalization = normalization;
    ImageSet probes = probeSet();
    setProbeIndex(0);
    if (probes.isEmpty()) throw new IllegalArgumentException("the dataset has no images to probe with");
  }

  /** Validation images when there are any, else training images. */
  ImageSet probeSet() {
    return data.validation().isEmpty() ? data.train() : data.validation();
  }

  Integer probeIndex() {
    return probeIndex;
  }

  float[] probeImage() {
    return probeImage.clone();
  }

  /** The class the probe's loss gradients are taken against: its label, or the predicted class when unknown. */
  int probeTarget(Network net) {
    if (probeLabel != null) return probeLabel;
    float[] logits = net.logits(probeImage, 1);
    int best = 0;
    for (int c = 1; c < logits.length; c++) if (logits[c] > logits[best]) best = c;
    return best;
  }

  void setProbeIndex(int index) {
    ImageSet set = probeSet();
    if (index < 0 || index >= set.size()) {
      throw new IllegalArgumentException("probe image index must be in 0.." + (set.size() - 1) + ", got " + index);
    }
    probeIndex = index;
    probeImage = normalization.image(set, index);
    probeLabel = set.label(index);
    probed = null;
  }

  /** An uploaded probe image of class {@code label}, or of unknown class when it is null. */
  void setProbePixels(byte[] pixels, Integer label) {
    Shape shape = data.shape();
    if (pixels.length != shape.size()) {
      throw new IllegalArgumentException("an uploaded probe image must have " + shape + " = " + shape.size() + " pixels, got " + pixels.length);
    }
    if (label != null && (label < 0 || label >= data.classNames().size())) {
      throw new IllegalArgumentException("label must be in 0.." + (data.classNames().size() - 1) + ", got " + label);
    }
    ImageSet one = ImageSet.of(shape, pixels.clone(), new int[1], data.classNames());
    probeIndex = null;
    probeImage = normalization.image(one, 0);
    probeLabel = label;
    probed = null;
  }

  /** Forgets the probe's activations: the next snapshot probes afresh (a command may have changed the weights or the probe). */
  void invalidateProbe() {
    probed = null;
  }

  /**
   * The session as it is now, its layers in the views' order ({@link FlatLayer}: a residual block's
   * inner layers in place of the block). Every conv and dense layer gets its jitter, the probe's
   * activation sums and active paths; only the layers {@code demand} wants get their detail
   * (thumbnails and every statistic), which costs a pass over their weights. The probe (a forward and
   * backward pass of one image) runs for every snapshot of a small model; a larger one reuses the last
   * probe's figures until the probe has cost at most {@link #PROBE_SHARE} of the time since it ran,
   * so snapshots stay cheap at any size.
   */
  Snapshot build(TrainingSession session, SnapshotDemand demand) {
    Network net = session.network();
    List<FlatLayer> flat = FlatLayer.of(net);
    int modelFilters = 0;
    for (FlatLayer f : flat) if (FilterLayers.weights(f.layer()) != null) modelFilters += FilterLayers.weights(f.layer()).units();
    long now = System.nanoTime();
    if (probed == null || modelFilters <= SnapshotDemand.SMALL_MODEL_FILTERS || now - probed.endNanos() >= probed.costNanos() / PROBE_SHARE) {
      probed = Probed.of(net, probeImage, probeTarget(net), now);
    }
    FilterStatistics gradients = session.statistics();
    List<Snapshot.LayerView> views = new ArrayList<>(flat.size());
    for (int l = 0; l < flat.size(); l++) {
      Layer layer = flat.get(l).layer();
      Shape out = flat.get(l).outputShape();
      int[] shape = {out.channels(), out.height(), out.width()};
      if (FilterLayers.weights(layer) == null) {
        views.add(new Snapshot.LayerView(layer.id(), layer.kind(), Network.isFrozen(layer), shape, List.of(), NONE, NONE,
            new boolean[0], 0, 0, NONE, Double.NaN, NONE, NONE, NONE, NONE, NONE, Double.NaN, Double.NaN, Double.NaN));
        continue;
      }
      float[] activation = probed.activation().get(l);
      boolean[] activePath = probed.activePath().get(l);
      int thumbnailSize = layer instanceof Conv c ? c.kernelSize() : 0;
      int thumbnailChannels = layer instanceof Conv c ? (c.inChannels() == 3 ? 3 : 1) : 0;
      if (demand.detail(layer.id(), modelFilters)) {
        LayerReport report = LayerReport.of(net, layer, gradients, session.activationStatistics());
        float[] thumbnails = layer instanceof Conv c ? thumbnails(c) : NONE;
        views.add(new Snapshot.LayerView(layer.id(), layer.kind(), report.frozen(), shape, report.filterIds(), report.jitter(),
            activation, activePath, thumbnailSize, thumbnailChannels, thumbnails, report.updateRatio(),
            report.meanSquaredGradient(), report.l1Norm(), report.zeroFraction(), report.taylor(), report.rgbMix(),
            report.gradientSpread(), report.activationSpread(), report.clusterIndex()));
      } else {
        List<String> ids = FilterLayers.ids(layer).ids();
        ActivationStatistics analysis = session.activationStatistics();
        float[] apoz = demand.statistic("apoz", layer.id(), modelFilters) ? analysis.zeroFraction(ids) : NONE;
        float[] taylor = demand.statistic("taylor", layer.id(), modelFilters) ? LayerReport.relativeToMean(analysis.taylor(ids)) : NONE;
        views.add(new Snapshot.LayerView(layer.id(), layer.kind(), Network.isFrozen(layer), shape, ids,
            gradients.jitter(layer), activation, activePath, thumbnailSize, thumbnailChannels, NONE,
            gradients.updateRatio(layer.id()), NONE, NONE, apoz, taylor, NONE, Double.NaN, Double.NaN, Double.NaN));
      }
    }
    Snapshot.ProbeView probeView = new Snapshot.ProbeView(probeIndex, probeLabel, probed.probabilities());
    var h = session.hyperparameters();
    Snapshot.Settings settings = new Snapshot.Settings(h.optimizer().label(), h.learningRate(), h.momentum(), h.batchSize(),
        h.weightDecay());
    History history = session.history();
    List<History.ValidationPoint> validation = history.validation();
    Double validationAccuracy = validation.isEmpty() ? null : validation.getLast().accuracy();
    return new Snapshot(Snapshot.SCHEMA_VERSION, session.sessionStep(), session.epoch(), session.epochProgress(),
        session.examplesSeen(), session.stateName(), history.recentLoss(1), history.recentAccuracy(100), validationAccuracy,
        session.imagesPerSecond(), settings, views, probeView, session.alert(), System.currentTimeMillis());
  }

  /**
   * What the snapshots take from one probe: per flat layer index, the activation sums and the top
   * half (empty for parameter-free layers), the class probabilities, when it ended and what it cost.
   */
  private record Probed(List<float[]> activation, List<boolean[]> activePath, float[] probabilities, long endNanos, long costNanos) {
    static Probed of(Network net, float[] image, int target, long startNanos) {
      ProbeResult probe = net.probe(image, target);
      List<FlatLayer> flat = FlatLayer.of(net);
      List<float[]> activation = new ArrayList<>();
      List<boolean[]> activePath = new ArrayList<>();
      for (int l = 0; l < flat.size(); l++) {
        // the path width is read after the layer's ReLU when one follows
        float[] sums = FilterLayers.weights(flat.get(l).layer()) == null ? NONE : channelSums(ActivationTrace.of(flat, probe, l));
        activation.add(sums);
        activePath.add(PathWidths.topHalf(sums));
      }
      long end = System.nanoTime();
      return new Probed(activation, activePath, probe.probabilities(), end, end - startNanos);
    }
  }

  /** Sum of each channel's activation map (for a dense layer, each unit's value). */
  private static float[] channelSums(ProbeResult.LayerTrace trace) {
    Shape s = trace.shape();
    float[] sums = new float[s.channels()];
    float[] x = trace.output();
    for (int c = 0; c < s.channels(); c++) {
      double sum = 0;
      for (int i = c * s.plane(), end = i + s.plane(); i < end; i++) sum += x[i];
      sums[c] = (float) sum;
    }
    return sums;
  }

  /** Per filter: its RGB kernel (3 input channels) or the mean kernel over its input channels. */
  private static float[] thumbnails(Conv c) {
    int k2 = c.kernelSize() * c.kernelSize();
    int in = c.inChannels();
    float[] w = c.weights().value();
    if (in == 3) return w.clone();
    float[] out = new float[c.filters() * k2];
    for (int f = 0; f < c.filters(); f++) {
      for (int ch = 0; ch < in; ch++) {
        int base = (f * in + ch) * k2;
        for (int t = 0; t < k2; t++) out[f * k2 + t] += w[base + t] / in;
      }
    }
    return out;
  }
}
