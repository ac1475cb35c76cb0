package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;
import static org.revacnn.session.SessionFixtures.weightsAndState;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointTest {
  @TempDir
  Path dir;

  @Test
  void resumeContinuesExactlyAsAnUninterruptedRun() throws Exception {
    Path file = dir.resolve("run.ckpt");
    List<float[]> expected;
    try (TrainingSession straight = SessionFixtures.session()) {
      apply(straight, new Command.AddFilters("conv2", 1, "zero-out", null, null));
      train(straight, 6);
      apply(straight, new Command.SetHyperparameters(0.02f, null, 6, null, null));
      train(straight, 5);
      expected = weightsAndState(straight);
    }
    try (TrainingSession first = new TrainingSession(SessionFixtures.config().withCheckpointDir(dir), SessionFixtures.data())) {
      apply(first, new Command.AddFilters("conv2", 1, "zero-out", null, null));
      train(first, 6);
      apply(first, new Command.SetHyperparameters(0.02f, null, 6, null, null));
      assertThat(apply(first, new Command.SaveCheckpoint("run", null)).ok()).isTrue();
    }
    Checkpoint.Contents saved = Checkpoint.read(file, SessionFixtures.config());
    try (TrainingSession resumed = TrainingSession.resume(saved, SessionFixtures.data(), SessionFixtures.config())) {
      assertThat(resumed.history().stepCount()).isEqualTo(6);
      assertThat(resumed.history().steering()).extracting(SteeringEntry::type)
          .containsSubsequence("add-filters", "set-hyperparameters");
      train(resumed, 5);
      List<float[]> actual = weightsAndState(resumed);
      SessionFixtures.assertBitIdentical(actual, expected);
    }
  }

  @Test
  void truncatedCorruptAndForeignFilesGetClearErrorsAndAreNotOverwritten() throws Exception {
    Path good = dir.resolve("good.ckpt");
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 2);
      s.saveCheckpoint(good);
    }
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.ckpt");
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 100));
    assertThatThrownBy(() -> Checkpoint.read(truncated, SessionFixtures.config()))
        .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("truncated.ckpt").hasMessageContaining("corrupt");
    Path flipped = dir.resolve("flipped.ckpt");
    byte[] corrupt = bytes.clone();
    corrupt[bytes.length / 2] ^= 0x10;
    Files.write(flipped, corrupt);
    assertThatThrownBy(() -> Checkpoint.read(flipped, SessionFixtures.config()))
        .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("checksum mismatch");
    Path foreign = dir.resolve("foreign.ckpt");
    Files.writeString(foreign, "this is not a checkpoint, just some text that is long enough");
    assertThatThrownBy(() -> Checkpoint.read(foreign, SessionFixtures.config()))
        .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("not a revacnn checkpoint");
    assertThatThrownBy(() -> Checkpoint.read(dir.resolve("missing.ckpt"), SessionFixtures.config()))
        .isInstanceOf(Checkpoint.CheckpointException.class).hasMessageContaining("no such checkpoint file");
    assertThat(Files.readAllBytes(truncated)).hasSize(bytes.length - 100);
  }

  @Test
  void checkpointOfAnotherShapeIsRefusedOnResume() throws Exception {
    Path file = dir.resolve("run.ckpt");
    try (TrainingSession s = SessionFixtures.session()) {
      s.saveCheckpoint(file);
    }
    Checkpoint.Contents saved = Checkpoint.read(file, SessionFixtures.config());
    var mnistLike = new org.revacnn.data.Datasets("grey", org.revacnn.data.ImageSet.of(new org.revacnn.engine.Shape(1, 28, 28),
        new byte[784], new int[] {0}, java.util.List.of("a", "b")), org.revacnn.data.ImageSet.empty(new org.revacnn.engine.Shape(1, 28, 28),
        java.util.List.of("a", "b")), org.revacnn.data.ImageSet.empty(new org.revacnn.engine.Shape(1, 28, 28), java.util.List.of("a", "b")));
    assertThatThrownBy(() -> TrainingSession.resume(saved, mnistLike, SessionFixtures.config()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3x32x32");
  }

  @Test
  void replayingTheSteeringLogReproducesTheWeights() throws Exception {
    Path log = dir.resolve("log.json");
    List<float[]> expected;
    try (TrainingSession live = SessionFixtures.session()) {
      train(live, 3);
      apply(live, new Command.AddFilters("conv1", 2, "net2net", null, null));
      train(live, 2);
      apply(live, new Command.Freeze("conv1"));
      apply(live, new Command.SetHyperparameters(0.03f, 0.5f, 5, null, null));
      train(live, 4);
      expected = weightsAndState(live);
      Files.writeString(log, Commands.STRICT.writeValueAsString(live.history().view(1000)));
    }
    SteeringLogReplay replay = SteeringLogReplay.read(log);
    try (TrainingSession again = SessionFixtures.session()) {
      replay.applyDue(again);
      again.applyNow(new Command.Resume());
      while (again.sessionStep() < 9) {
        again.step();
        replay.applyDue(again);
      }
      again.applyNow(new Command.Pause());
      List<float[]> actual = weightsAndState(again);
      SessionFixtures.assertBitIdentical(actual, expected);
    }
  }

  @Test
  void checkpointsOfNetworksChangedByEverySurgeryStillPassEveryCheck() throws Exception {
    Path file = dir.resolve("surgery.ckpt");
    try (TrainingSession s = SessionFixtures.session()) {
      for (Command c : List.<Command>of(new Command.AddFilters("conv2", 2, "net2net", null, null),
          new Command.RemoveFilters("conv1", List.of("conv1/f0", "conv1/f3")),
          new Command.InsertLayer("pool2", "conv", 5, 3, true, null, "random"),
          new Command.InsertLayer("pool3", "dense", null, null, null, 7, "random"),
          new Command.RemoveLayer("conv3"),
          new Command.Freeze("conv1"),
          new Command.SetHyperparameters(null, null, null, null, "adam"))) {
        assertThat(apply(s, c).ok()).as(c.toString()).isTrue();
      }
      train(s, 2);
      s.saveCheckpoint(file);
    }
    Checkpoint.Contents contents = Checkpoint.read(file, SessionFixtures.config());
    assertThat(contents.state().architecture().layers()).extracting(org.revacnn.engine.Architecture.LayerInfo::id)
        .contains("conv4", "fc1").doesNotContain("conv3");
  }

  /** A file written by format version 1 as first released (conv2-fc3, 3 steps of synthetic data, Adadelta). */
  @Test
  void aStoredVersion1CheckpointStillLoads() throws Exception {
    Path stored = Path.of("src/test/resources/checkpoints/v1-conv2-fc3.ckpt");
    Checkpoint.Contents contents = Checkpoint.read(stored, SessionFixtures.config());
    assertThat(contents.config().model()).isEqualTo("conv2-fc3");
    assertThat(contents.sessionStep()).isEqualTo(3);
    assertThat(contents.examplesSeen()).isEqualTo(24);
    assertThat(contents.probeIndex()).isZero();
    assertThat(contents.state().params()).extracting(org.revacnn.engine.Param::name).containsExactly(
        "conv1/weights", "conv1/bias", "fc1/weights", "fc1/bias", "output/weights", "output/bias");
    assertThat(contents.state().params().get(2).states()).containsOnlyKeys("adadelta.g2", "adadelta.dx2");
    assertThat(contents.normalization().mean(0)).isCloseTo(0.4984, org.assertj.core.api.Assertions.within(1e-4));
    // written before crop4flip, label smoothing and the batch norm decay option: the flag's flips and shifts, neither option
    assertThat(contents.config().augmentation()).isEqualTo(org.revacnn.data.Augmentation.FLIP_AND_SHIFT_2);
    assertThat(contents.hyperparameters().labelSmoothing()).isZero();
    assertThat(contents.hyperparameters().noNormDecay()).isFalse();
  }

  /** A header edit, the text its error must contain. */
  static Stream<Arguments> forgedHeaders() {
    return Stream.of(
        forged("\"params[0]\"", h -> param(h, 0).put("units", 2_000_000_000).put("unitSize", 2_000_000_000)),
        forged("more than one array can hold", h -> param(h, 0).put("units", 2_000_000_000)),
        forged("needs more bytes", h -> param(h, 2).put("unitSize", 1_000_000)),
        forged("repeats the name", h -> param(h, 1).put("name", "conv1/weights")),
        forged("decayMultiplier", h -> param(h, 0).put("decayMultiplier", "NaN")),
        forged("\"model\" is not a model", h -> h.put("model", "conv99999999999-zz")),
        forged("\"model\" must be", h -> h.put("model", 5)),
        forged("\"probeIndex\"", h -> h.put("probeIndex", 1_000_000_000)),
        forged("\"probeIndex\"", h -> h.put("probeIndex", -1)),
        forged("\"sessionStep\"", h -> h.put("sessionStep", -5)),
        forged("\"networkStep\"", h -> h.put("networkStep", "12")),
        forged("\"examplesSeen\"", h -> h.put("examplesSeen", 1.5)),
        forged("\"samplerEpoch\"", h -> h.put("samplerEpoch", -1)),
        forged("\"augment\"", h -> h.put("augment", "yes")),
        forged("\"dataset\" is missing", h -> h.remove("dataset")),
        forged("learning rate", h -> ((ObjectNode) h.get("hyperparameters")).put("learningRate", "NaN")),
        forged("momentum", h -> ((ObjectNode) h.get("hyperparameters")).put("momentum", 7)),
        forged("\"normalizationMean\" entry 0", h -> h.putArray("normalizationMean").add(125.3).add(123.0).add(113.9)),
        forged("\"normalizationStd\" entry 1", h -> h.putArray("normalizationStd").add(0.2).add(0).add(0.2)),
        forged("one per input channel", h -> h.putArray("normalizationStd").add(0.2)),
        forged("conv1 filters", h -> layer(h, 0).put("filters", 2_000_000_000)),
        forged("conv1 padding", h -> layer(h, 0).put("pad", 100_000)),
        forged("records output", h -> ((ObjectNode) layer(h, 0).get("outputShape")).put("height", 100_000)),
        forged("unknown kind", h -> layer(h, 1).put("kind", "lstm")),
        forged("not those of the residual blocks", h -> ((ObjectNode) h.get("architecture")).putArray("skips").addObject()
            .put("block", "res1").put("from", "conv1").put("to", "conv2").put("shortcut", "identity")),
        forged("input height", h -> ((ObjectNode) h.get("architecture").get("input")).put("height", 100_000)),
        forged("\"architecture\" is invalid", h -> ((ObjectNode) h.get("architecture").get("input")).put("height", -3)),
        forged("\"history\"", h -> ((ObjectNode) h.get("history")).put("stride", 0)),
        forged("one per step", h -> ((ObjectNode) h.get("history")).putArray("wallMillis").add(1)));
  }

  private static Arguments forged(String expected, Consumer<ObjectNode> edit) {
    return Arguments.of(expected, edit);
  }

  private static ObjectNode param(ObjectNode header, int index) {
    return (ObjectNode) header.get("params").get(index);
  }

  private static ObjectNode layer(ObjectNode header, int index) {
    return (ObjectNode) header.get("architecture").get("layers").get(index);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgedHeaders")
  void aForgedHeaderWithAValidChecksumIsOneClearErrorBeforeAnythingIsAllocated(String expected, Consumer<ObjectNode> edit)
      throws Exception {
    Path file = dir.resolve("forged.ckpt");
    Files.write(file, withHeader(savedBytes(), edit));
    assertThatThrownBy(() -> Checkpoint.read(file, SessionFixtures.config()))
        .isInstanceOf(Checkpoint.CheckpointException.class)
        .hasMessageStartingWith(file + ": ").hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Exception").hasSizeLessThan(400));
  }

  @Test
  void aHeaderRewrittenWithoutChangesStillLoads() throws Exception {
    Path file = dir.resolve("same.ckpt");
    Files.write(file, withHeader(savedBytes(), header -> {}));
    Checkpoint.Contents contents = Checkpoint.read(file, SessionFixtures.config());
    assertThat(contents.sessionStep()).isEqualTo(2);
    assertThat(contents.config().model()).isEqualTo(SessionFixtures.config().model());
  }

  @Test
  void staleTemporaryFilesOfInterruptedSavesAreRemovedAndNothingElse() throws Exception {
    Path target = Files.write(dir.resolve("autosave.ckpt"), savedBytes());
    // what a kill between creating the temporary file and renaming it leaves, named as write names it
    Path killed = Checkpoint.createTemporaryFile(target);
    Path legacy = dir.resolve("run.ckpt1234567890.tmp");
    Path inProgress = dir.resolve("other.ckpt.42" + Checkpoint.TEMPORARY_SUFFIX);
    Path foreign = dir.resolve("notes.tmp");
    for (Path p : List.of(legacy, inProgress, foreign)) Files.createFile(p);
    FileTime old = FileTime.from(Instant.now().minus(Checkpoint.STALE_AFTER).minusSeconds(5));
    for (Path p : List.of(killed, legacy, foreign)) Files.setLastModifiedTime(p, old);

    assertThat(Checkpoint.removeStaleTemporaryFiles(dir)).containsExactlyInAnyOrder(killed, legacy);

    assertThat(killed).doesNotExist();
    assertThat(legacy).doesNotExist();
    assertThat(inProgress).as("a save still being written by another process").exists();
    assertThat(foreign).exists();
    assertThat(target).exists();
    assertThat(Checkpoint.removeStaleTemporaryFiles(dir.resolve("missing"))).isEmpty();
  }

  private static byte[] saved;

  /** A valid checkpoint after two steps, made once for the class. */
  private static synchronized byte[] savedBytes() throws Exception {
    if (saved == null) {
      try (TrainingSession s = SessionFixtures.session()) {
        train(s, 2);
        Path file = Files.createTempFile("checkpoint-test", ".ckpt");
        s.saveCheckpoint(file);
        saved = Files.readAllBytes(file);
        Files.delete(file);
      }
    }
    return saved;
  }

  /** {@code bytes} with the JSON header changed by {@code edit}, and the header length and checksum made valid again. */
  static byte[] withHeader(byte[] bytes, Consumer<ObjectNode> edit) throws Exception {
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int headerLength = in.getInt(12);
    ObjectNode header = (ObjectNode) Commands.STRICT.readTree(new String(bytes, 16, headerLength, StandardCharsets.UTF_8));
    edit.accept(header);
    byte[] json = Commands.STRICT.writeValueAsBytes(header);
    int arrays = bytes.length - 16 - headerLength - 8;
    ByteBuffer out = ByteBuffer.allocate(16 + json.length + arrays + 8).order(ByteOrder.LITTLE_ENDIAN);
    out.put(bytes, 0, 12).putInt(json.length).put(json).put(bytes, 16 + headerLength, arrays);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, out.position());
    out.putLong(crc.getValue());
    return out.array();
  }
}
