package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.revacnn.session.PathWidths;
import org.revacnn.session.Snapshot;
import org.revacnn.session.SnapshotDemand;

/** Protocol 4's packed snapshot: what comes back from the wire is what went in, within the stated error, and small at scale. */
class SnapshotWireTest {
  private final SplittableRandom random = new SplittableRandom(7);

  @Test
  void eightBitArraysComeBackWithinHalfAStep() throws Exception {
    float[] values = randomValues(1000, -3, 5);
    values[17] = Float.NaN;
    float[] back = unpack(wire(SnapshotWire.u8(values)));
    assertThat(back).hasSameSizeAs(values);
    for (int i = 0; i < values.length; i++) {
      if (i == 17) assertThat(back[i]).isNaN();
      else assertThat((double) back[i]).isCloseTo(values[i], org.assertj.core.data.Offset.offset(8.0 / 508 + 1e-5));
    }
  }

  @Test
  void jitterKeepsItsDrawnAmplitudeWithinHalfAStep() throws Exception {
    // the view draws amplitude sqrt(jitter / reference): that is what must survive to 1/508 of the largest
    float[] values = randomValues(1000, 0, 1e-3f);
    values[3] = 1e-9f;
    float max = 0;
    for (float v : values) max = Math.max(max, v);
    float[] back = unpack(wire(SnapshotWire.u8sqrt(values)));
    for (int i = 0; i < values.length; i++) {
      assertThat(Math.sqrt(back[i] / max)).isCloseTo(Math.sqrt(values[i] / max), org.assertj.core.data.Offset.offset(1.0 / 508 + 1e-6));
    }
  }

  @Test
  void floatsAndBitsAreExact() throws Exception {
    float[] values = randomValues(333, -1, 1);
    values[5] = Float.NaN;
    assertThat(unpack(wire(SnapshotWire.f32(values)))).containsExactly(values);
    boolean[] bits = PathWidths.topHalf(randomValues(77, 0, 1));
    byte[] packed = Base64.getDecoder().decode(SnapshotWire.bits(bits));
    for (int i = 0; i < bits.length; i++) assertThat(((packed[i >> 3] >> (i & 7)) & 1) == 1).isEqualTo(bits[i]);
  }

  @Test
  void aLayerInDetailKeepsEveryNumberAndTheOthersOnlyWhatEverySnapshotCarries() throws Exception {
    Snapshot snapshot = snapshot(List.of(2000, 2000));
    JsonNode layers = Protocol.readTree(Protocol.snapshot(snapshot, new SnapshotDemand(Set.of("conv1"), Set.of("apoz")))).at("/payload/layers");
    JsonNode detail = layers.get(0);
    JsonNode overview = layers.get(2);  // 1 is relu1
    assertThat(unpack(detail.get("thumbnails"))).containsExactly(snapshot.layers().get(0).thumbnails());
    assertThat(unpack(detail.get("jitter"))).containsExactly(snapshot.layers().get(0).jitter());
    assertThat(detail.get("filters").asInt()).isEqualTo(2000);
    assertThat(overview.has("thumbnails")).isFalse();
    assertThat(overview.has("l1Norm")).isFalse();
    assertThat(overview.has("taylor")).isFalse();
    assertThat(overview.path("apoz").path("format").asText()).as("the statistic the cells show").isEqualTo("u8");
    assertThat(overview.path("jitter").path("format").asText()).isEqualTo("u8sqrt");
  }

  @Test
  void aSmallModelGetsEveryLayerInDetail() throws Exception {
    JsonNode layers = Protocol.readTree(Protocol.snapshot(snapshot(List.of(16, 20, 20)), SnapshotDemand.NONE)).at("/payload/layers");
    for (int l = 0; l < layers.size(); l += 2) assertThat(layers.get(l).path("thumbnails").path("format").asText()).isEqualTo("f32");
  }

  @Test
  void aSnapshotOf26500FiltersWithNoLayerOpenStaysUnder150KB() throws Exception {
    // resnet50's filter count in 53 layers of 500; the limit is 150 KB on the wire
    List<Integer> widths = new ArrayList<>();
    for (int l = 0; l < 53; l++) widths.add(500);
    String json = Protocol.snapshot(snapshot(widths), SnapshotDemand.NONE);
    assertThat(json.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(150_000);
  }

  /** A snapshot of conv layers of these widths (3x3 kernels, one thumbnail channel) with random statistics. */
  private Snapshot snapshot(List<Integer> widths) {
    List<Snapshot.LayerView> layers = new ArrayList<>();
    for (int l = 0; l < widths.size(); l++) {
      int n = widths.get(l);
      List<String> ids = new ArrayList<>();
      for (int f = 0; f < n; f++) ids.add("conv" + (l + 1) + "/f" + f);
      float[] activation = randomValues(n, 0, 50);
      layers.add(new Snapshot.LayerView("conv" + (l + 1), "conv", false, new int[] {n, 8, 8}, ids, randomValues(n, 0, 1e-3f),
          activation, PathWidths.topHalf(activation), 3, 1, randomValues(n * 9, -1, 1), 1e-3, randomValues(n, 0, 1e-6f),
          randomValues(n, 0, 9), randomValues(n, 0, 1), randomValues(n, 0, 3), new float[0], 0.5, 0.4, 0.1));
      layers.add(new Snapshot.LayerView("relu" + (l + 1), "relu", false, new int[] {n, 8, 8}, List.of(), new float[0], new float[0],
          new boolean[0], 0, 0, new float[0], Double.NaN, new float[0], new float[0], new float[0], new float[0], new float[0],
          Double.NaN, Double.NaN, Double.NaN));
    }
    return new Snapshot(Snapshot.SCHEMA_VERSION, 12345, 3, 0.5, 49380, "running", 1.2, 0.6, 0.55, 480,
        new Snapshot.Settings("sgd", 0.01f, 0.9f, 4, 5e-4f), layers,
        new Snapshot.ProbeView(0, 3, randomValues(10, 0, 0.2f)), null, 1_700_000_000_000L);
  }

  private float[] randomValues(int n, float from, float to) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = (float) (from + (to - from) * random.nextDouble());
    return out;
  }

  private static JsonNode wire(Object packed) throws Exception {
    return Protocol.readTree(Protocol.json(packed));
  }

  /** The Java twin of js/snapshot-wire.js unpack(). */
  static float[] unpack(JsonNode packed) {
    byte[] raw = Base64.getDecoder().decode(packed.get("data").asText());
    String format = packed.get("format").asText();
    if (format.equals("f32")) {
      float[] out = new float[raw.length / 4];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
    float max = (float) packed.path("max").asDouble();
    float min = (float) packed.path("min").asDouble();
    float[] out = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      int q = raw[i] & 0xff;
      double step = q / (double) SnapshotWire.LEVELS;
      out[i] = q == SnapshotWire.NOT_A_NUMBER ? Float.NaN
          : format.equals("u8sqrt") ? (float) (max * step * step) : (float) (min + (max - min) * step);
    }
    return out;
  }
}
