package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history log: what a session records reads back the same; torn and corrupt lines. */
class RunLogTest {
  @TempDir
  Path dir;

  @Test
  void aSessionsHistoryReadsBackFromItsLogAsItWasRecorded() throws Exception {
    Path file = dir.resolve("history.jsonl");
    History recorded;
    try (TrainingSession session = SessionFixtures.session()) {
      session.keepRun(RunLog.open(file), true);
      SessionFixtures.train(session, 25);
      SessionFixtures.apply(session, new Command.SetHyperparameters(0.02f, null, null, null, null));
      SessionFixtures.train(session, 20);
      recorded = session.history();
    }
    History read = RunLogReader.restore(file).history();
    assertSame(read.full(), recorded.full());
    assertThat(read.validation()).hasSize(2).isEqualTo(recorded.validation());
    assertThat(read.steering()).extracting(SteeringEntry::type).contains("set-hyperparameters");
    assertThat(read.steering()).hasSameSizeAs(recorded.steering());
    for (int i = 0; i < read.steering().size(); i++) {
      SteeringEntry a = read.steering().get(i);
      SteeringEntry b = recorded.steering().get(i);
      assertThat(List.of(a.step(), a.epoch(), a.wallMillis(), a.type())).isEqualTo(List.of(b.step(), b.epoch(), b.wallMillis(), b.type()));
      assertThat(a.payload().toString()).isEqualTo(b.payload().toString());
      assertThat(a.result().toString()).isEqualTo(b.result().toString());
    }
  }

  private static void assertSame(History.View read, History.View recorded) {
    assertThat(read.firstStep()).isEqualTo(recorded.firstStep());
    assertThat(read.loss()).isEqualTo(recorded.loss());
    assertThat(read.accuracy()).isEqualTo(recorded.accuracy());
    assertThat(read.examplesSeen()).isEqualTo(recorded.examplesSeen());
    assertThat(read.wallMillis()).isEqualTo(recorded.wallMillis());
    assertThat(read.imagesPerSecond()).isEqualTo(recorded.imagesPerSecond());
  }

  @Test
  void nonFiniteValuesSurviveAndAHistoryRecordedEarlierIsWrittenFirst() throws Exception {
    History history = new History();
    history.addStep(1, Float.NaN, 0.5, 4, 1000, Double.NaN);
    history.addStep(2, Float.POSITIVE_INFINITY, 0.25, 8, 1001, 12.5);
    history.addValidation(new History.ValidationPoint(2, 0, 0.75, Double.NaN));
    Path file = dir.resolve("history.jsonl");
    try (RunLog log = RunLog.open(file)) {
      history.recordTo(log, true);
      history.addStep(3, -0.0f, 1, 12, 1002, Float.NEGATIVE_INFINITY);
      history.addSteering(new SteeringEntry(3, 0, 1003, "pause", Map.of(), Map.of("running", false)));
    }
    History read = RunLogReader.restore(file).history();
    assertSame(read.full(), history.full());
    assertThat(read.validation()).isEqualTo(history.validation());
    assertThat(read.steering()).isEqualTo(history.steering());
  }

  @Test
  void aCorruptCompleteLineIsAnErrorNamingItAndATornLastLineIsDropped() throws Exception {
    Path file = dir.resolve("history.jsonl");
    List<String> lines = new ArrayList<>();
    for (int step = 1; step <= 3; step++) {
      lines.add("{\"kind\":\"step\",\"step\":" + step + ",\"loss\":2.0,\"accuracy\":0.5,\"examplesSeen\":" + 4 * step
          + ",\"wallMillis\":1,\"imagesPerSecond\":\"NaN\"}");
    }
    Files.writeString(file, String.join("\n", lines) + "\n{\"kind\":\"step\",\"st");
    RunLogReader.Replay replay = RunLogReader.restore(file);
    assertThat(replay.history().stepCount()).isEqualTo(3);
    assertThat(replay.tornTail()).isTrue();
    assertThat(replay.completeBytes()).isEqualTo(String.join("\n", lines).length() + 1);

    Files.writeString(file, lines.get(0) + "\n" + lines.get(2) + "\n");
    assertThatThrownBy(() -> RunLogReader.restore(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + " line 2: step 3 does not follow step 1");
    Files.writeString(file, lines.get(0) + "\n{\"kind\":\"step\",\"st\n" + lines.get(1) + "\n");
    assertThatThrownBy(() -> RunLogReader.restore(file)).hasMessageStartingWith(file + " line 2: not valid JSON");
    Files.writeString(file, lines.get(0) + "\n{\"kind\":\"fork\"}\n");
    assertThatThrownBy(() -> RunLogReader.restore(file)).hasMessage(file + " line 2: unknown kind 'fork'");
    Files.writeString(file, lines.get(0).replace("2.0", "\"lots\"") + "\n");
    assertThatThrownBy(() -> RunLogReader.restore(file)).hasMessageContaining("line 1: \"loss\" is not a number");
  }

  @Test
  void aWriteFailureStopsTheLogOnceAndTrainingGoesOn() throws Exception {
    Path file = dir.resolve("history.jsonl");
    try (TrainingSession session = SessionFixtures.session()) {
      RunLog log = RunLog.open(file);
      session.keepRun(log, true);
      SessionFixtures.train(session, 2);
      closeChannel(log); // as a full disk would, every later write fails
      SessionFixtures.train(session, 3);
      log.flush();
      SessionFixtures.train(session, 1);
      assertThat(session.latest().alert()).startsWith("the run's history log stopped (cannot write");
      assertThat(session.sessionStep()).isEqualTo(6);
    }
  }

  private static void closeChannel(RunLog log) throws Exception {
    var field = RunLog.class.getDeclaredField("channel");
    field.setAccessible(true);
    ((java.nio.channels.FileChannel) field.get(log)).close();
  }
}
