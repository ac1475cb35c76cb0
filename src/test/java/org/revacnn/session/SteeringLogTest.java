package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steering log stays small: commands that change nothing are answered but not logged, and
 * the log keeps its last {@link History#MAX_STEERING} entries with a count of the dropped ones,
 * which checkpoints carry.
 */
class SteeringLogTest {
  @Test
  void commandsThatChangeNothingAreAnsweredButNotLogged() {
    try (TrainingSession s = SessionFixtures.session()) {
      CommandResult pause = apply(s, new Command.Pause());
      assertThat(pause.ok()).isTrue();
      assertThat(pause.unchanged()).isTrue();
      assertThat(pause.message()).isEqualTo("nothing changed: already paused");
      assertThat(apply(s, new Command.SetHyperparameters(null, null, null, null, null)).message())
          .isEqualTo("nothing changed: the values are the current ones");
      float rate = s.hyperparameters().learningRate();
      assertThat(apply(s, new Command.SetHyperparameters(rate, null, s.hyperparameters().batchSize(), null,
          s.hyperparameters().optimizer().label())).unchanged()).isTrue();
      assertThat(s.history().steering()).isEmpty();

      assertThat(apply(s, new Command.Resume()).changes()).isEqualTo(Map.of("state", "running"));
      for (int i = 0; i < 5; i++) assertThat(apply(s, new Command.Resume()).unchanged()).isTrue();
      assertThat(apply(s, new Command.Pause()).changes()).isEqualTo(Map.of("state", "paused"));
      for (int i = 0; i < 5; i++) apply(s, new Command.Pause());
      assertThat(s.history().steering()).extracting(SteeringEntry::type).containsExactly("resume", "pause");
    }
  }

  @Test
  void pauseStopsAStepCommand() {
    try (TrainingSession s = SessionFixtures.session()) {
      apply(s, new Command.Step(5));
      assertThat(apply(s, new Command.Pause()).changes()).isEqualTo(Map.of("state", "paused"));
    }
  }

  @Test
  void theLogKeepsItsLastEntriesAndCountsTheRest() {
    History history = new History();
    int extra = 500;
    for (int i = 0; i < History.MAX_STEERING + extra; i++) history.addSteering(entry(i));
    assertThat(history.steering()).hasSize(History.MAX_STEERING);
    assertThat(history.steering().get(0).step()).isEqualTo(extra);
    assertThat(history.droppedSteering()).isEqualTo(extra);
    History.View view = history.view(10);
    assertThat(view.steering()).hasSize(History.MAX_STEERING);
    assertThat(view.droppedSteering()).isEqualTo(extra);
    History restored = History.restore(history.full());
    assertThat(restored.droppedSteering()).isEqualTo(extra);
    assertThat(restored.steering()).isEqualTo(history.steering());
  }

  @Test
  void checkpointsCarryTheDroppedCount(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("log.ckpt");
    try (TrainingSession s = SessionFixtures.session()) {
      for (int i = 0; i < History.MAX_STEERING + 7; i++) s.history().addSteering(entry(i));
      s.saveCheckpoint(file);
    }
    Checkpoint.Contents saved = Checkpoint.read(file, SessionFixtures.config());
    assertThat(saved.history().droppedSteering()).isEqualTo(7);
    try (TrainingSession resumed = TrainingSession.resume(saved, SessionFixtures.data(), SessionFixtures.config())) {
      assertThat(resumed.history().droppedSteering()).isEqualTo(7);
      assertThat(resumed.history().steering()).hasSize(History.MAX_STEERING);
    }
  }

  @Test
  void aLogThatDroppedEntriesIsNotReplayed(@TempDir Path dir) throws Exception {
    Path log = java.nio.file.Files.writeString(dir.resolve("history.json"), "{\"steering\": [], \"droppedSteering\": 3}");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SteeringLogReplay.read(log))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lost its 3 oldest entries");
  }

  private static SteeringEntry entry(int step) {
    return new SteeringEntry(step, 0, 0, "freeze", Map.of("layer", "conv1"), Map.of());
  }
}
