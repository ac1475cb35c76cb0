package org.revacnn.session;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Param;

/**
 * One checkpoint file holds a whole session: architecture, weights, optimiser state,
 * hyperparameters, history with the steering log, dataset description, seeds and the data
 * sampler's position. Layout (little-endian; see docs/FORMATS.md):
 * <pre>
 *   8 bytes  magic "RVCNCKPT"
 *   4 bytes  format version (1)
 *   4 bytes  header length H
 *   H bytes  UTF-8 JSON header (everything but the arrays; lists every array and its length)
 *   arrays   float32 values: per parameter its value, then each optimiser state array, in header order
 *   8 bytes  CRC-32 of every byte before it
 * </pre>
 * Writing is atomic: a temporary file in the same folder, fsync, then rename over the target,
 * so a crash leaves either the old file or the new one, never a torn one.
 */
public final class Checkpoint {
  static final byte[] MAGIC = "RVCNCKPT".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private Checkpoint() {}

  /** Everything a checkpoint holds. */
  public record Contents(SessionConfig config, String dataset, NetworkState state, Hyperparameters hyperparameters,
      long sessionStep, long examplesSeen, int samplerEpoch, int samplerPosition, History.View history, Integer probeIndex,
      Normalization normalization) {}

  /** Writes {@code contents} to {@code path} atomically. */
  public static void write(Path path, Contents contents) throws IOException {
    byte[] bytes = encode(contents);
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    if (dir != null) Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) ch.write(buffer);
        ch.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** The checkpoint as bytes (what {@link #write} stores; also served for download). */
  public static byte[] encode(Contents c) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.put("format", "revacnn-checkpoint");
    header.put("model", c.config().model());
    header.put("seed", c.config().seed());
    header.put("augment", c.config().augment());
    header.put("dataset", c.dataset());
    header.set("architecture", JSON.valueToTree(c.state().architecture()));
    header.set("hyperparameters", JSON.valueToTree(c.hyperparameters()));
    header.put("networkStep", c.state().step());
    header.put("sessionStep", c.sessionStep());
    header.put("examplesSeen", c.examplesSeen());
    header.put("samplerEpoch", c.samplerEpoch());
    header.put("samplerPosition", c.samplerPosition());
    if (c.probeIndex() != null) header.put("probeIndex", c.probeIndex());
    ArrayNode mean = header.putArray("normalizationMean");
    ArrayNode std = header.putArray("normalizationStd");
    for (int ch = 0; ch < c.normalization().channels(); ch++) {
      mean.add(c.normalization().mean(ch));
      std.add(c.normalization().standardDeviation(ch));
    }
    header.set("history", JSON.valueToTree(c.history()));
    ArrayNode params = header.putArray("params");
    for (Param p : c.state().params()) {
      ObjectNode node = params.addObject();
      node.put("name", p.name());
      node.put("units", p.units());
      node.put("unitSize", p.unitSize());
      node.put("decayMultiplier", p.decayMultiplier());
      ArrayNode states = node.putArray("states");
      p.states().keySet().forEach(states::add);
    }
    byte[] json = JSON.writeValueAsBytes(header);
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 4 * 200_000);
    DataOutputStream data = new DataOutputStream(out);
    data.write(MAGIC);
    data.write(littleEndianInt(VERSION));
    data.write(littleEndianInt(json.length));
    data.write(json);
    for (Param p : c.state().params()) {
      data.write(floats(p.value()));
      for (float[] s : p.states().values()) data.write(floats(s));
    }
    CRC32 crc = new CRC32();
    crc.update(out.toByteArray());
    data.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(crc.getValue()).array());
    return out.toByteArray();
  }

  /**
   * Reads and fully validates a checkpoint; throws {@link CheckpointException} with a clear
   * message for a missing, truncated, corrupt or incompatible file.
   */
  public static Contents read(Path path, SessionConfig base) throws CheckpointException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new CheckpointException(path + ": no such checkpoint file");
    } catch (IOException e) {
      throw new CheckpointException(path + ": cannot read: " + e.getMessage());
    }
    return decode(path.toString(), bytes, base);
  }

  static Contents decode(String name, byte[] bytes, SessionConfig base) throws CheckpointException {
    int minimum = MAGIC.length + 8 + 8;
    if (bytes.length < minimum) throw new CheckpointException(name + ": truncated: " + bytes.length + " bytes is too short for a checkpoint");
    if (!java.util.Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CheckpointException(name + ": not a revacnn checkpoint (bad magic bytes)");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.position(MAGIC.length);
    int version = buffer.getInt();
    if (version != VERSION) throw new CheckpointException(name + ": format version " + version + " is not supported (this build reads " + VERSION + ")");
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, bytes.length - 8);
    long stored = ByteBuffer.wrap(bytes, bytes.length - 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    int headerLength = buffer.getInt();
    if (headerLength < 2 || headerLength > bytes.length - minimum) {
      throw new CheckpointException(name + ": truncated or corrupt: header length " + headerLength + " does not fit in " + bytes.length + " bytes");
    }
    if (stored != crc.getValue()) {
      throw new CheckpointException(name + ": corrupt or truncated: checksum mismatch (stored " + Long.toHexString(stored)
          + ", computed " + Long.toHexString(crc.getValue()) + ")");
    }
    try {
      JsonNode header = JSON.readTree(new String(bytes, buffer.position(), headerLength, StandardCharsets.UTF_8));
      buffer.position(buffer.position() + headerLength);
      Architecture arch = JSON.treeToValue(header.required("architecture"), Architecture.class);
      List<Param> params = new ArrayList<>();
      for (JsonNode node : header.required("params")) {
        Param p = new Param(node.required("name").asText(), node.required("units").asInt(), node.required("unitSize").asInt(),
            (float) node.required("decayMultiplier").asDouble());
        readFloats(buffer, p.value(), name, p.name());
        for (JsonNode state : node.required("states")) readFloats(buffer, p.state(state.asText()), name, p.name() + " " + state.asText());
        params.add(p);
      }
      if (buffer.remaining() != 8) throw new CheckpointException(name + ": " + (buffer.remaining() - 8) + " unexpected bytes after the arrays");
      NetworkState state = new NetworkState(arch, params, header.required("networkStep").asLong(), header.required("seed").asLong());
      state.restore().close();
      Hyperparameters hyper = JSON.treeToValue(header.required("hyperparameters"), Hyperparameters.class);
      History.View history = JSON.treeToValue(header.required("history"), History.View.class);
      SessionConfig config = base.withModel(header.required("model").asText()).withSeed(header.required("seed").asLong())
          .withAugment(header.required("augment").asBoolean()).withHyperparameters(hyper);
      return new Contents(config, header.required("dataset").asText(), state, hyper, header.required("sessionStep").asLong(),
          header.required("examplesSeen").asLong(), header.required("samplerEpoch").asInt(),
          header.required("samplerPosition").asInt(), history, header.has("probeIndex") ? header.get("probeIndex").asInt() : null,
          Normalization.of(doubles(header.required("normalizationMean")), doubles(header.required("normalizationStd"))));
    } catch (IOException | IllegalArgumentException | java.nio.BufferUnderflowException e) {
      throw new CheckpointException(name + ": incompatible or corrupt contents: " + e.getMessage());
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asDouble();
    return out;
  }

  private static void readFloats(ByteBuffer buffer, float[] target, String name, String what) throws CheckpointException {
    if (buffer.remaining() - 8 < 4L * target.length) {
      throw new CheckpointException(name + ": truncated in the arrays of " + what);
    }
    buffer.asFloatBuffer().get(target);
    buffer.position(buffer.position() + 4 * target.length);
  }

  private static byte[] floats(float[] values) {
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    return b.array();
  }

  private static byte[] littleEndianInt(int v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
  }

  /** A checkpoint that cannot be used, with a message saying why. */
  public static final class CheckpointException extends Exception {
    public CheckpointException(String message) {
      super(message);
    }
  }
}
