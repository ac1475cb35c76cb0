package org.revacnn.attach;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;
import org.revacnn.session.History;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunsFolder;

/** Every attached run is kept in the runs folder from its hello to its bye or drop (AttachedRuns). */
class AttachedRunsTest {
  @TempDir
  Path checkpoints;
  @TempDir
  Path runsDir;

  /** A run attaches, trains `steps` steps from `first` with a steered learning rate, and leaves (by bye or by dropping). */
  private static void attachedRun(AttachedSession session, long first, int steps, boolean sayBye) throws Exception {
    RecordingLink run = new RecordingLink();
    assertThat(session.connect(run)).isTrue();
    session.receive(run, TinyRun.hello());
    for (long s = first; s < first + steps; s++) session.receive(run, TinyRun.snapshot(s, 1.0 / s, 0.01));
    CompletableFuture<CommandResult> answer = session.submit(new Command.SetHyperparameters(0.05f, null, null, null, null));
    JsonNode sent = run.last();
    session.receive(run, TinyRun.ack(sent.path("id").asText(), "{\"learningRate\": {\"from\": 0.01, \"to\": 0.05}}"));
    assertThat(answer.get(1, TimeUnit.SECONDS).ok()).isTrue();
    if (sayBye) {
      session.receive(run, "{\"type\": \"bye\", \"payload\": {\"reason\": \"finished\", \"step\": " + steps + "}}");
    } else {
      session.disconnected(run);
    }
  }

  @Test
  void eachAttachedRunIsARunWithItsHistoryAndSteeringUntilItLeaves() throws Exception {
    RunsFolder runs = new RunsFolder(runsDir);
    try (AttachedSession session = new AttachedSession(checkpoints, runs)) {
      attachedRun(session, 1, 4, true);
      attachedRun(session, 1, 3, false); // the second run's steps continue the server's history: 5..7
    }
    List<RunsFolder.Summary> kept = runs.list();
    assertThat(kept).hasSize(2);
    assertThat(kept).allSatisfy(r -> {
      assertThat(r.problem()).isNull();
      assertThat(r.model()).isEqualTo("pytorch-conv2-dense2");
      assertThat(r.dataset()).isEqualTo("attached PyTorch run (torch 1.13.1, cpu, 1 process)");
    });
    List<History> histories = kept.stream().map(r -> read(runs, r.name())).toList();
    assertThat(histories).extracting(History::lastStep).containsExactlyInAnyOrder(4L, 7L);
    for (History h : histories) {
      assertThat(h.view(100).steering()).extracting(e -> e.type()).containsExactly("set-hyperparameters");
    }
    History second = histories.stream().filter(h -> h.lastStep() == 7).findFirst().orElseThrow();
    assertThat(second.view(100).firstStep()).as("only its own batches").isEqualTo(5);
    assertThat(Files.list(runsDir).filter(d -> Files.exists(d.resolve("checkpoint.ckpt")))).as("no weights here").isEmpty();
  }

  @Test
  void withoutARunsFolderNothingIsKept() throws Exception {
    try (AttachedSession session = new AttachedSession(checkpoints)) {
      attachedRun(session, 1, 2, true);
    }
    assertThat(runsDir).isEmptyDirectory();
  }

  @Test
  void aRunsFolderThatCannotBeWrittenCostsOnlyTheRecord() throws Exception {
    Path blocked = runsDir.resolve("file");
    Files.writeString(blocked, "not a folder");
    try (AttachedSession session = new AttachedSession(checkpoints, new RunsFolder(blocked))) {
      RecordingLink run = new RecordingLink();
      assertThat(session.connect(run)).isTrue();
      session.receive(run, TinyRun.hello());
      assertThat(session.engine().state()).isEqualTo("attached");
      assertThat(session.engine().message()).startsWith("this run is not kept in the runs folder: ");
      session.receive(run, TinyRun.snapshot(1, 0.5, 0.01));
      assertThat(session.history().lastStep()).isEqualTo(1);
    }
  }

  private static History read(RunsFolder runs, String name) {
    try {
      return RunLogReader.restore(runs.open(name).historyFile()).history();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
