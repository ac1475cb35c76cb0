package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;
import static org.revacnn.session.SessionFixtures.weightsAndState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
}
