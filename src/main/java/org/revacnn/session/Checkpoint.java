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
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.revacnn.data.Augmentation;
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
 * Writing is atomic: a temporary file in the same folder ({@code NAME.<digits>.revacnn-partial}),
 * fsync, then rename over the target, so a crash leaves either the old file or the new one, never a
 * torn one; {@link #removeStaleTemporaryFiles} deletes the temporary files such a crash leaves.
 */
public final class Checkpoint {
  static final byte[] MAGIC = "RVCNCKPT".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  /** The largest checkpoint: one Java array. */
  static final int MAX_BYTES = Integer.MAX_VALUE - 16;
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  /** Ends the name of the temporary file a write goes to before it is renamed over its target. */
  static final String TEMPORARY_SUFFIX = ".revacnn-partial";
  /** What {@link #write} names its temporary file: the target's name, a dot, random digits, the suffix. */
  private static final Pattern TEMPORARY_NAME = Pattern.compile(".+\\.\\d+" + Pattern.quote(TEMPORARY_SUFFIX)
      // and the name earlier versions used for *.ckpt targets
      + "|.+\\.ckpt\\d+\\.tmp");
  /** A temporary file untouched this long belongs to a write that died, not to one in progress. */
  static final Duration STALE_AFTER = Duration.ofMinutes(1);

  private Checkpoint() {}

  /**
   * Deletes the temporary files of interrupted writes (a kill or power loss during {@link #write})
   * from {@code folder}: regular files named as {@link #write} names them and not modified for
   * {@link #STALE_AFTER}, so that a write in progress in another process is left alone. Returns the
   * files deleted; a missing folder (or null) has none. Other files are never touched.
   */
  public static List<Path> removeStaleTemporaryFiles(Path folder) throws IOException {
    if (folder == null || !Files.isDirectory(folder)) return List.of();
    FileTime cutoff = FileTime.from(Instant.now().minus(STALE_AFTER));
    List<Path> removed = new ArrayList<>();
    try (Stream<Path> entries = Files.list(folder)) {
      for (Path file : (Iterable<Path>) entries::iterator) {
        if (TEMPORARY_NAME.matcher(file.getFileName().toString()).matches()
            && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
            && Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).compareTo(cutoff) < 0
            && Files.deleteIfExists(file)) {
          removed.add(file);
        }
      }
    }
    return removed;
  }

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
    Path temp = createTemporaryFile(target);
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

  /** A new empty file beside {@code target} for {@link #write}, named as {@link #removeStaleTemporaryFiles} recognises. */
  static Path createTemporaryFile(Path target) throws IOException {
    return Files.createTempFile(target.getParent(), target.getFileName() + ".", TEMPORARY_SUFFIX);
  }

  /** The checkpoint as bytes (what {@link #write} stores; also served for download). */
  public static byte[] encode(Contents c) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    header.put("format", "revacnn-checkpoint");
    header.put("model", c.config().model());
    header.put("seed", c.config().seed());
    header.put("augment", c.config().augment());
    header.set("augmentation", JSON.valueToTree(c.config().augmentation()));
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
      if (Files.size(path) > MAX_BYTES) {
        throw new CheckpointException(path + ": " + Files.size(path) + " bytes is larger than a checkpoint can be (" + MAX_BYTES + ")");
      }
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
    JsonNode json;
    try {
      json = JSON.readTree(new String(bytes, buffer.position(), headerLength, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CheckpointException(name + ": the header is not valid JSON: " + CheckpointHeader.describe(e));
    }
    buffer.position(buffer.position() + headerLength);
    CheckpointHeader header = new CheckpointHeader(name, json, JSON);
    // every size is checked against the bytes that follow and the architecture before anything is allocated
    List<CheckpointHeader.ParamLayout> layouts = header.params(buffer.remaining() - 8L);
    Architecture arch = header.object("architecture", Architecture.class);
    try {
      ArchitectureCheck.check(arch, layouts);
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw header.error("architecture", "is invalid: " + e.getMessage());
    }
    int channels = arch.input().channels();
    // the largest image set an input of this shape allows (its pixels in one byte array)
    long maxImages = Integer.MAX_VALUE / arch.input().size();
    Integer probeIndex = header.has("probeIndex") ? (int) header.integer("probeIndex", 0, maxImages - 1) : null;
    Normalization normalization = Normalization.of(header.fractions("normalizationMean", channels, false),
        header.fractions("normalizationStd", channels, true));
    Hyperparameters hyper = header.object("hyperparameters", Hyperparameters.class);
    History.View history = history(header);
    long seed = header.integer("seed", Long.MIN_VALUE, Long.MAX_VALUE);
    // files from before the augmentation field hold only the flag (flips and 2-pixel shifts, or none)
    SessionConfig config = base.withModel(header.model()).withSeed(seed).withAugment(header.bool("augment"))
        .withHyperparameters(hyper);
    if (header.has("augmentation")) config = config.withAugmentation(header.object("augmentation", Augmentation.class));
    String dataset = header.text("dataset");
    long networkStep = header.integer("networkStep", 0, Long.MAX_VALUE);
    long sessionStep = header.integer("sessionStep", 0, Long.MAX_VALUE);
    long examplesSeen = header.integer("examplesSeen", 0, Long.MAX_VALUE);
    int samplerEpoch = (int) header.integer("samplerEpoch", 0, Integer.MAX_VALUE);
    int samplerPosition = (int) header.integer("samplerPosition", 0, maxImages);
    List<Param> params = new ArrayList<>();
    for (CheckpointHeader.ParamLayout layout : layouts) {
      Param p = new Param(layout.name(), layout.units(), layout.unitSize(), layout.decayMultiplier());
      readFloats(buffer, p.value());
      for (String state : layout.states()) readFloats(buffer, p.state(state));
      params.add(p);
    }
    NetworkState state = new NetworkState(arch, params, networkStep, seed);
    try {
      state.restore().close();
    } catch (IllegalArgumentException e) {
      throw header.error("architecture", "does not fit the saved parameters: " + e.getMessage());
    }
    return new Contents(config, dataset, state, hyper, sessionStep, examplesSeen, samplerEpoch, samplerPosition, history,
        probeIndex, normalization);
  }

  /** The saved history, with its arrays consistent. */
  private static History.View history(CheckpointHeader header) throws CheckpointException {
    History.View history = header.object("history", History.View.class);
    if (history.loss() == null || history.accuracy() == null || history.loss().length != history.accuracy().length
        || history.stride() < 1 || history.firstStep() < 0 || history.validation() == null || history.steering() == null) {
      throw header.error("history", "must hold firstStep >= 0, stride >= 1, loss and accuracy of equal length, validation and steering");
    }
    try {
      history.checkTiming();
    } catch (IllegalArgumentException e) {
      throw header.error("history", e.getMessage());
    }
    return history;
  }

  /** Fills {@code target} from the buffer (whose length {@link CheckpointHeader#params} has checked). */
  private static void readFloats(ByteBuffer buffer, float[] target) {
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
