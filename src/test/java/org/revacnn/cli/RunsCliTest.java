package org.revacnn.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunResume;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.SteeringEntry;
import org.revacnn.session.TrainingSession;

/** {@code revacnn runs}, {@code runs rm}, and how serve picks its run ({@code --run}, {@code --resume NAME|FILE}). */
class RunsCliTest {
  @TempDir
  Path dir;

  private static DataArguments data() {
    DataArguments data = new DataArguments();
    data.data = "synthetic:400";
    data.validation = 40;
    return data;
  }

  /** A serve session's start as the command makes it, trained {@code batches} batches, then closed. */
  private long serve(RunStart start, int batches) throws Exception {
    try (TrainingSession session = start.open(SessionFixtures.config(), true, SessionFixtures.data(), data())) {
      SessionFixtures.train(session, batches);
      return session.sessionStep();
    }
  }

  @Test
  void runsListsTheRunsAsAnAlignedTableAndRmRemovesOne() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    serve(new RunStart(runs, null, "alpha"), 25);
    serve(new RunStart(runs, null, "a-much-longer-run-name"), 3);
    CliTest.Run listed = CliTest.run("runs", "--runs", dir.toString());
    assertThat(listed.exitCode()).as(listed.err()).isZero();
    List<String> lines = listed.out().lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("NAME").contains("DATASET", "MODEL", "STEPS", "BEST VAL ACC", "LAST CHANGE");
    assertThat(lines.get(1)).startsWith("a-much-longer-run-name  " + SessionFixtures.data().description());
    assertThat(lines.get(2)).startsWith("alpha ").contains("conv16-conv20-conv20");
    // aligned: every column starts where its header does
    for (String header : List.of("DATASET", "MODEL", "LAST CHANGE")) {
      int column = lines.get(0).indexOf(header);
      assertThat(lines.get(1).charAt(column - 1)).isEqualTo(' ');
      assertThat(lines.get(2).charAt(column - 1)).isEqualTo(' ');
      assertThat(lines.get(2).charAt(column)).isNotEqualTo(' ');
    }
    int stepsEnd = lines.get(0).indexOf("STEPS") + "STEPS".length();
    assertThat(lines.get(1).substring(0, stepsEnd)).endsWith(" 3");
    assertThat(lines.get(2).substring(0, stepsEnd)).endsWith(" 25");

    CliTest.Run removed = CliTest.run("runs", "rm", "alpha", "--runs", dir.toString());
    assertThat(removed.exitCode()).as(removed.err()).isZero();
    assertThat(removed.out()).contains("removed run alpha");
    assertThat(dir.resolve("alpha")).doesNotExist();
    CliTest.Run again = CliTest.run("runs", "--runs", dir.toString(), "rm", "alpha");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err().strip()).isEqualTo("error: no run named 'alpha' in " + dir.toAbsolutePath()
        + " (revacnn runs --runs " + dir.toAbsolutePath() + " lists them)");
  }

  @Test
  void trainKeepsItsRunWhenAskedSoThatServeCanContinueIt() throws Exception {
    Path out = dir.resolve("model.ckpt");
    CliTest.Run train = CliTest.run("train", "--data", "synthetic:200", "--validation", "20", "--epochs", "0.2", "--batch", "8",
        "--runs", dir.resolve("runs").toString(), "--run", "headless", "--out", out.toString());
    assertThat(train.exitCode()).as(train.err()).isZero();
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    var restored = RunLogReader.restore(runs.open("headless").historyFile()).history();
    assertThat(restored.view(100000).loss()).hasSize(5); // 0.2 of 180 training images in batches of 8
    assertThat(runs.config(runs.open("headless")).model()).isEqualTo("conv16-conv20-conv20");
    try (TrainingSession resumed = RunResume.resume(runs.open("headless"), SessionFixtures.data(), SessionFixtures.config())) {
      assertThat(resumed.sessionStep()).isEqualTo(5); // from the final checkpoint, not the first one
    }
    assertThat(out).exists();
  }

  @Test
  void trainWithoutRunsKeepsNothingAndABadRunNameIsRefusedBeforeTraining() throws Exception {
    Path out = dir.resolve("model.ckpt");
    CliTest.Run bad = CliTest.run("train", "--data", "synthetic:40", "--runs", dir.resolve("runs").toString(), "--run", "../x",
        "--out", out.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("error:").contains("../x");
    assertThat(out).doesNotExist();
    assertThat(dir.resolve("x")).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"../outside", "/tmp", "a/b", "..", ".hidden"})
  void runsRmAndServeRunRefuseANameThatIsAPath(String name) throws Exception {
    Files.createDirectories(dir.resolve("runs"));
    Files.writeString(dir.resolve("outside"), "keep me");
    CliTest.Run removed = CliTest.run("runs", "rm", name, "--runs", dir.resolve("runs").toString());
    assertThat(removed.exitCode()).isEqualTo(2);
    assertThat(removed.err()).startsWith("error: a run name must be a plain file name, not a path");
    assertThatThrownBy(() -> new RunStart(new RunsFolder(dir.resolve("runs")), null, name))
        .hasMessageStartingWith("a run name must be a plain file name, not a path");
    assertThat(dir.resolve("outside")).hasContent("keep me");
  }

  @Test
  void resumeByNameContinuesTheRunAndItsStepCountAndAppendsToItsLog() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    long first = serve(new RunStart(runs, null, "steady"), 12);
    var kept = runs.open("steady");
    long bytes = Files.size(kept.historyFile());
    DataArguments data = data();
    data.data = "synthetic";
    RunStart resumed = new RunStart(runs, "steady", null);
    resumed.fillDataOptions(data, Set.of());
    assertThat(data.data).as("the run's --data, not the default").isEqualTo("synthetic:400");
    try (TrainingSession session = resumed.open(SessionFixtures.config(), true, SessionFixtures.data(), data)) {
      assertThat(resumed.run().name()).isEqualTo("steady");
      // closing autosaved at step 12, so nothing logged is missing from the weights
      assertThat(session.history().steering().getLast().result()).containsEntry("checkpointStep", first)
          .containsEntry("batchesNotInWeights", 0L);
      SessionFixtures.train(session, 4);
      assertThat(session.sessionStep()).isEqualTo(first + 4);
    }
    assertThat(Files.size(kept.historyFile())).isGreaterThan(bytes);
    var history = RunLogReader.restore(kept.historyFile()).history();
    assertThat(history.stepCount()).isEqualTo(first + 4);
    assertThat(history.steering()).extracting(SteeringEntry::type).contains(RunResume.TYPE);
    assertThat(runs.list()).hasSize(1);
  }

  @Test
  void resumeOfACheckpointFileStartsANewRunHoldingTheCheckpointsHistory() throws Exception {
    Path file = dir.resolve("old.ckpt");
    try (TrainingSession old = SessionFixtures.session()) {
      SessionFixtures.train(old, 9);
      old.saveCheckpoint(file);
    }
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    RunStart start = new RunStart(runs, file.toString(), null);
    assertThat(serve(start, 3)).isEqualTo(12);
    var history = RunLogReader.restore(start.run().historyFile()).history();
    assertThat(history.stepCount()).isEqualTo(12);
    assertThat(runs.config(start.run()).startedFrom()).isEqualTo(file.toAbsolutePath().toString());
  }

  @Test
  void resumeOfNeitherARunNorAFileAndRunWithResumeAreRefused() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    assertThatThrownBy(() -> new RunStart(runs, "nothing", null))
        .hasMessage("--resume nothing: no run of that name in " + dir.toAbsolutePath()
            + " (revacnn runs lists them), and no checkpoint file of that name");
    serve(new RunStart(runs, null, "there"), 1);
    assertThatThrownBy(() -> new RunStart(runs, "there", "other")).hasMessageContaining("give one of them");
    assertThatThrownBy(() -> new RunStart(runs, null, "there").open(SessionFixtures.config(), true, SessionFixtures.data(),
        data())).hasMessageContaining("a run named 'there' already exists");
  }
}
