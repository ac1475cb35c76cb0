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
 * half of the probe's activation sums, as for the built-in engine) and thumbnails. A light snapshot
 * (docs/ENGINE.md: no probe, layers with their jitter only) keeps the previous snapshot's paths,
 * thumbnails and probe. What an attached run does not measure (APoZ, Taylor, update ratio,
 * validation accuracy) is empty or null.
 */
final class RemoteSnapshot {
  private static final float[] NONE = new float[0];

  private RemoteSnapshot() {}

  /**
   * @param stepOffset  steps of earlier runs, so the session's steps keep increasing across runs
   * @param examplesOffset examples of earlier runs
   * @param previous    the run's last snapshot (null: none), whose probe data a light snapshot keeps
   */
  static Snapshot of(AgentMessages.Statistics s, Architecture architecture, long stepOffset, long examplesOffset, String state,
      Snapshot previous) {
    Map<String, AgentMessages.LayerStatistics> byId = new HashMap<>();
    if (s.layers() != null) for (AgentMessages.LayerStatistics l : s.layers()) byId.put(l.id(), l);
    Map<String, Snapshot.LayerView> before = new HashMap<>();
    if (previous != null) for (Snapshot.LayerView l : previous.layers()) before.put(l.id(), l);
    List<Snapshot.LayerView> views = architecture.layers().stream()
        .map(layer -> view(layer, byId.get(layer.id()), before.get(layer.id()))).toList();
    AgentMessages.Probe probe = s.probe();
    Snapshot.ProbeView probeView = probe != null
        ? new Snapshot.ProbeView(null, probe.label(), probe.probabilities() == null ? NONE : probe.probabilities())
        : previous != null ? previous.probe() : new Snapshot.ProbeView(null, null, NONE);
    return new Snapshot(Snapshot.SCHEMA_VERSION, stepOffset + s.step(), s.epoch() == null ? 0 : s.epoch(),
        s.epochProgress() == null ? 0 : s.epochProgress(), examplesOffset + s.examplesSeen(), state,
        orNaN(s.loss()), orNaN(s.trainAccuracy()), null, s.imagesPerSecond() == null ? 0 : s.imagesPerSecond(),
        s.hyperparameters(), views, probeView, null, s.wallMillis());
  }

  /** The same snapshot in another state (the run ended or dropped), training no images. */
  static Snapshot stopped(Snapshot last, String state) {
    return new Snapshot(last.schemaVersion(), last.step(), last.epoch(), last.epochProgress(), last.examplesSeen(), state,
        last.loss(), last.trainAccuracy(), last.validationAccuracy(), 0, last.hyperparameters(), last.layers(), last.probe(),
        last.alert(), last.wallMillis());
  }

  /**
   * One layer from its statistics; a light snapshot's layer (no activation) keeps {@code before}'s
   * activation, paths and thumbnails when that had the same filters, else has none yet.
   */
  private static Snapshot.LayerView view(Architecture.LayerInfo layer, AgentMessages.LayerStatistics stats,
      Snapshot.LayerView before) {
    Shape out = layer.outputShape();
    int[] shape = out == null ? new int[0] : new int[] {out.channels(), out.height(), out.width()};
    if (stats == null || layer.unitIds().isEmpty()) {
      return new Snapshot.LayerView(layer.id(), layer.kind(), layer.frozen(), shape, List.of(), NONE, NONE, new boolean[0], 0, 0,
          NONE, Double.NaN, NONE, NONE, NONE, NONE, NONE, Double.NaN, Double.NaN, Double.NaN);
    }
    int units = layer.unitIds().size();
    float[] jitter = sized(stats.jitter(), units, "jitter", layer.id());
    if (stats.activation() == null) {  // light: the paths and thumbnails of before, when it had these filters
      Snapshot.LayerView kept = before != null && before.filterIds().equals(layer.unitIds()) ? before : null;
      if (kept == null) return layerView(layer, shape, jitter, new float[units], new boolean[units], 0, 0, NONE);
      return layerView(layer, shape, jitter, kept.activation(), kept.activePath(), kept.thumbnailSize(),
          kept.thumbnailChannels(), kept.thumbnails());
    }
    float[] activation = sized(stats.activation(), units, "activation", layer.id());
    int size = stats.thumbnailSize();
    int channels = stats.thumbnailChannels();
    float[] thumbnails = stats.thumbnails() == null ? NONE : stats.thumbnails();
    if (size < 0 || channels < 0 || thumbnails.length != (long) units * channels * size * size) {
      throw new IllegalArgumentException("bad snapshot: layer '" + layer.id() + "' has " + thumbnails.length + " thumbnail values, not "
          + units + " filters x " + channels + " channels x " + size + "x" + size);
    }
    return layerView(layer, shape, jitter, activation, PathWidths.topHalf(activation), size, channels, thumbnails);
  }

  /** A conv or dense layer with what an attached run measures; the rest empty or NaN. */
  private static Snapshot.LayerView layerView(Architecture.LayerInfo layer, int[] shape, float[] jitter, float[] activation,
      boolean[] activePath, int thumbnailSize, int thumbnailChannels, float[] thumbnails) {
    return new Snapshot.LayerView(layer.id(), layer.kind(), layer.frozen(), shape, layer.unitIds(), jitter, activation,
        activePath, thumbnailSize, thumbnailChannels, thumbnails, Double.NaN, NONE, NONE, NONE, NONE, NONE, Double.NaN,
        Double.NaN, Double.NaN);
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
