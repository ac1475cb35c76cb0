package org.revacnn.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.revacnn.session.Snapshot;
import org.revacnn.session.SnapshotDemand;

/**
 * The snapshot as protocol 4 sends it (docs/PROTOCOL.md, "snapshot"): per-filter arrays packed into
 * base64 strings, filter ids left to the architecture message, and a layer's detail (thumbnails and
 * every statistic at full precision) only when the clients' views want it. Every snapshot carries,
 * per conv or dense layer, the jitter (square-root coded in 8 bits, so small values keep their
 * resolution), the activation sums (8 bits, linear) and the active paths (one bit each). Stateless;
 * runs on the broadcaster thread, so its cost is off the training thread.
 */
final class SnapshotWire {
  /** The largest 8-bit code of a number; {@link #NOT_A_NUMBER} stands for NaN. */
  static final int LEVELS = 254;
  static final int NOT_A_NUMBER = 255;

  private SnapshotWire() {}

  /** One packed array: {@code format} "f32" (little-endian floats), "u8" (min + (max - min) q / 254) or "u8sqrt" (max (q / 254)^2). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Packed(String format, Float min, Float max, String data) {}

  /** A layer on the wire; null fields are left out (detail not wanted, or a parameter-free layer). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Layer(String id, String kind, boolean frozen, int[] outputShape, Integer filters, Packed jitter, Packed activation,
      String activePath, Double updateRatio, Integer thumbnailSize, Integer thumbnailChannels, Packed thumbnails,
      Packed meanSquaredGradient, Packed l1Norm, Packed apoz, Packed taylor, Packed rgbMix, Double gradientSpread,
      Double activationSpread, Double clusterIndex) {}

  /** The snapshot payload: {@link Snapshot}'s fields with {@link Layer}s for its layers. */
  record Payload(int schemaVersion, long step, int epoch, double epochProgress, long examplesSeen, String state, double loss,
      double trainAccuracy, Double validationAccuracy, double imagesPerSecond, Snapshot.Settings hyperparameters,
      List<Layer> layers, Snapshot.ProbeView probe, String alert, long wallMillis) {}

  /** The payload of {@code s} for clients whose views want {@code demand}. */
  static Payload of(Snapshot s, SnapshotDemand demand) {
    int modelFilters = 0;
    for (Snapshot.LayerView l : s.layers()) modelFilters += l.filterIds().size();
    List<Layer> layers = new ArrayList<>(s.layers().size());
    for (Snapshot.LayerView l : s.layers()) layers.add(layer(l, demand, modelFilters));
    return new Payload(s.schemaVersion(), s.step(), s.epoch(), s.epochProgress(), s.examplesSeen(), s.state(), s.loss(),
        s.trainAccuracy(), s.validationAccuracy(), s.imagesPerSecond(), s.hyperparameters(), layers, s.probe(), s.alert(),
        s.wallMillis());
  }

  private static Layer layer(Snapshot.LayerView l, SnapshotDemand demand, int modelFilters) {
    if (l.filterIds().isEmpty()) {
      return new Layer(l.id(), l.kind(), l.frozen(), l.outputShape(), null, null, null, null, null, null, null, null, null, null,
          null, null, null, null, null, null);
    }
    boolean detail = demand.detail(l.id(), modelFilters);
    // a layer in detail keeps every number exact; an overview layer is drawn, so 8 bits suffice
    Packed jitter = detail ? f32(l.jitter()) : u8sqrt(l.jitter());
    Packed activation = detail ? f32(l.activation()) : u8(l.activation());
    Packed apoz = !demand.statistic("apoz", l.id(), modelFilters) ? null : detail ? f32(l.apoz()) : u8(l.apoz());
    Packed taylor = !demand.statistic("taylor", l.id(), modelFilters) ? null : detail ? f32(l.taylor()) : u8(l.taylor());
    return new Layer(l.id(), l.kind(), l.frozen(), l.outputShape(), l.filterIds().size(), jitter, activation, bits(l.activePath()),
        l.updateRatio(), l.thumbnailSize(), l.thumbnailChannels(), detail ? f32(l.thumbnails()) : null,
        detail ? f32(l.meanSquaredGradient()) : null, detail ? f32(l.l1Norm()) : null, apoz, taylor,
        detail ? f32(l.rgbMix()) : null, detail ? l.gradientSpread() : null, detail ? l.activationSpread() : null,
        detail ? l.clusterIndex() : null);
  }

  /** Exact: little-endian IEEE floats (NaN stays NaN). */
  static Packed f32(float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return new Packed("f32", null, null, Base64.getEncoder().encodeToString(bytes.array()));
  }

  /** q = round(254 (v - min) / (max - min)): error at most (max - min) / 508; NaN is 255. */
  static Packed u8(float[] values) {
    float min = Float.POSITIVE_INFINITY;
    float max = Float.NEGATIVE_INFINITY;
    for (float v : values) {
      if (Float.isFinite(v)) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min > max) min = max = 0;  // nothing finite
    double step = max > min ? (max - min) / (double) LEVELS : 1;
    byte[] codes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      codes[i] = (byte) (Float.isFinite(v) ? Math.round((v - min) / step) : NOT_A_NUMBER);
    }
    return new Packed("u8", min, max, Base64.getEncoder().encodeToString(codes));
  }

  /**
   * For values >= 0 whose small ones matter (jitter): q = round(254 sqrt(v / max)), so v = max (q / 254)^2;
   * the error in sqrt(v / max), the jitter's drawn amplitude, is at most 1 / 508. Negative values count as 0; NaN is 255.
   */
  static Packed u8sqrt(float[] values) {
    float max = 0;
    for (float v : values) if (Float.isFinite(v)) max = Math.max(max, v);
    byte[] codes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      float v = values[i];
      codes[i] = (byte) (!Float.isFinite(v) ? NOT_A_NUMBER : max > 0 ? Math.round(LEVELS * Math.sqrt(Math.max(0, v) / max)) : 0);
    }
    return new Packed("u8sqrt", null, max, Base64.getEncoder().encodeToString(codes));
  }

  /** Bit i is bit (i % 8) of byte i / 8. */
  static String bits(boolean[] values) {
    byte[] bytes = new byte[(values.length + 7) / 8];
    for (int i = 0; i < values.length; i++) if (values[i]) bytes[i >> 3] |= (byte) (1 << (i & 7));
    return Base64.getEncoder().encodeToString(bytes);
  }
}
