package org.revacnn.attach;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Shape;
import org.revacnn.session.PathWidths;
import org.revacnn.session.Snapshot;

/**
 * An attached run's statistics turned into the {@link Snapshot} the browser draws: every layer of
 * the architecture in order, the conv and dense ones with the run's jitter, path widths (the top
 * half of the probe's activation sums, as for the built-in engine) and thumbnails. What an attached
 * run does not measure (APoZ, Taylor, update ratio, validation accuracy) is empty or null.
 */
final class RemoteSnapshot {
  private static final float[] NONE = new float[0];

  private RemoteSnapshot() {}

  /**
   * @param stepOffset  steps of earlier runs, so the session's steps keep increasing across runs
   * @param examplesOffset examples of earlier runs
   */
  static Snapshot of(AgentMessages.Statistics s, Architecture architecture, long stepOffset, long examplesOffset, String state) {
    Map<String, AgentMessages.LayerStatistics> byId = new HashMap<>();
    if (s.layers() != null) for (AgentMessages.LayerStatistics l : s.layers()) byId.put(l.id(), l);
    List<Snapshot.LayerView> views = architecture.layers().stream().map(layer -> view(layer, byId.get(layer.id()))).toList();
    AgentMessages.Probe probe = s.probe();
    return new Snapshot(Snapshot.SCHEMA_VERSION, stepOffset + s.step(), s.epoch() == null ? 0 : s.epoch(),
        s.epochProgress() == null ? 0 : s.epochProgress(), examplesOffset + s.examplesSeen(), state,
        orNaN(s.loss()), orNaN(s.trainAccuracy()), null, s.imagesPerSecond() == null ? 0 : s.imagesPerSecond(),
        s.hyperparameters(), views,
        new Snapshot.ProbeView(null, probe == null ? null : probe.label(), probe == null || probe.probabilities() == null
            ? NONE : probe.probabilities()), null, s.wallMillis());
  }

  /** The same snapshot in another state (the run ended or dropped), training no images. */
  static Snapshot stopped(Snapshot last, String state) {
    return new Snapshot(last.schemaVersion(), last.step(), last.epoch(), last.epochProgress(), last.examplesSeen(), state,
        last.loss(), last.trainAccuracy(), last.validationAccuracy(), 0, last.hyperparameters(), last.layers(), last.probe(),
        last.alert(), last.wallMillis());
  }

  private static Snapshot.LayerView view(Architecture.LayerInfo layer, AgentMessages.LayerStatistics stats) {
    Shape out = layer.outputShape();
    int[] shape = out == null ? new int[0] : new int[] {out.channels(), out.height(), out.width()};
    if (stats == null || layer.unitIds().isEmpty()) {
      return new Snapshot.LayerView(layer.id(), layer.kind(), layer.frozen(), shape, List.of(), NONE, NONE, new boolean[0], 0, 0,
          NONE, Double.NaN, NONE, NONE, NONE, NONE, NONE, Double.NaN, Double.NaN, Double.NaN);
    }
    int units = layer.unitIds().size();
    float[] jitter = sized(stats.jitter(), units, "jitter", layer.id());
    float[] activation = sized(stats.activation(), units, "activation", layer.id());
    int size = stats.thumbnailSize();
    int channels = stats.thumbnailChannels();
    float[] thumbnails = stats.thumbnails() == null ? NONE : stats.thumbnails();
    if (size < 0 || channels < 0 || thumbnails.length != (long) units * channels * size * size) {
      throw new IllegalArgumentException("bad snapshot: layer '" + layer.id() + "' has " + thumbnails.length + " thumbnail values, not "
          + units + " filters x " + channels + " channels x " + size + "x" + size);
    }
    return new Snapshot.LayerView(layer.id(), layer.kind(), layer.frozen(), shape, layer.unitIds(), jitter, activation,
        PathWidths.topHalf(activation), size, channels, thumbnails, Double.NaN, NONE, NONE, NONE, NONE, NONE, Double.NaN, Double.NaN, Double.NaN);
  }

  private static float[] sized(float[] values, int units, String what, String layer) {
    if (values == null || values.length != units) {
      throw new IllegalArgumentException("bad snapshot: layer '" + layer + "' has " + (values == null ? 0 : values.length) + " " + what
          + " values for " + units + " filters");
    }
    return values;
  }

  private static double orNaN(Double value) {
    return value == null ? Double.NaN : value;
  }
}
