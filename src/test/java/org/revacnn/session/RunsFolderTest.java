package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The runs folder: creating, listing and removing runs; names that are paths refused, links never followed. */
class RunsFolderTest {
  @TempDir
  Path dir;

  @Test
  void listsEachRunWithItsDatasetModelStepsBestValidationAccuracyAndLastChange() throws Exception {
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    assertThat(runs.list()).isEmpty();
    Instant before = Instant.now().minusSeconds(2);
    Run first = RunFixtures.trainedRun(runs, "first", 45);
    RunFixtures.trainedRun(runs, "second", 7);
    var listed = runs.list();
    assertThat(listed).extracting(RunsFolder.Summary::name).containsExactly("first", "second");
    RunsFolder.Summary summary = listed.getFirst();
    assertThat(summary.dataset()).isEqualTo(SessionFixtures.data().description());
    assertThat(summary.model()).isEqualTo(SessionFixtures.config().model());
    assertThat(summary.steps()).isEqualTo(45);
    double best = RunLogReader.restore(first.historyFile()).history().validation().stream()
        .mapToDouble(History.ValidationPoint::accuracy).max().orElseThrow();
    assertThat(summary.bestValidationAccuracy()).isEqualTo(best);
    assertThat(summary.lastChange()).isAfter(before);
    assertThat(summary.problem()).isNull();
    assertThat(listed.get(1).steps()).isEqualTo(7);
    assertThat(listed.get(1).bestValidationAccuracy()).isNaN();
  }

  @Test
  void aGeneratedNameHoldsTheTimeAndTheModelAndIsNeverReused() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    Run one = runs.create(null, RunFixtures.config(SessionFixtures.config()));
    Run two = runs.create(null, RunFixtures.config(SessionFixtures.config()));
    assertThat(one.name()).matches("\\d{8}-\\d{6}-conv16-conv20-conv20(-\\d+)?");
    assertThat(two.name()).isNotEqualTo(one.name());
    assertThat(runs.config(one).name()).isEqualTo(one.name());
    assertThatThrownBy(() -> runs.create(one.name(), RunFixtures.config(SessionFixtures.config())))
        .hasMessageContaining("a run named '" + one.name() + "' already exists");
  }

  @Test
  void removeDeletesTheRunAndSaysClearlyWhenThereIsNone() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    RunFixtures.trainedRun(runs, "doomed", 3);
    RunFixtures.trainedRun(runs, "kept", 3);
    runs.remove("doomed");
    assertThat(dir.resolve("doomed")).doesNotExist();
    assertThat(runs.list()).extracting(RunsFolder.Summary::name).containsExactly("kept");
    assertThatThrownBy(() -> runs.remove("doomed")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("no run named 'doomed' in " + dir);
  }

  @Test
  void aRunInUseIsNeitherRemovedNorOpenedTwice() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    Run run = runs.create("busy", RunFixtures.config(SessionFixtures.config()));
    try (RunLog log = RunLog.open(run.historyFile())) {
      assertThatThrownBy(() -> runs.remove("busy")).hasMessageContaining("in use");
      assertThatThrownBy(() -> RunLog.open(run.historyFile())).hasMessageContaining("in use");
      assertThat(run.configFile()).exists();
    }
    runs.remove("busy");
    assertThat(run.folder()).doesNotExist();
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../outside", "a/b", "/etc", "..hidden", ".hidden", "a\\b", "x/../y", "", " ", "run name",
      "r\u00e9sum\u00e9", "nul\u0000"})
  void aNameThatIsNotAPlainNameIsRefusedEverywhere(String name) throws Exception {
    Files.createDirectories(dir.resolve("runs"));
    Files.writeString(dir.resolve("victim.txt"), "keep me");
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    String rule = "a run name must be a plain file name, not a path";
    assertThatThrownBy(() -> runs.create(name, RunFixtures.config(SessionFixtures.config()))).hasMessageStartingWith(rule);
    assertThatThrownBy(() -> runs.open(name)).hasMessageStartingWith(rule);
    assertThatThrownBy(() -> runs.remove(name)).hasMessageStartingWith(rule);
    assertThatThrownBy(() -> RunsFolder.checkName(name)).hasMessageStartingWith(rule);
    assertThat(runs.exists(name)).isFalse();
    assertThat(dir.resolve("victim.txt")).hasContent("keep me");
    try (var left = Files.list(dir.resolve("runs"))) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void aNameTooLongIsRefused() {
    assertThatThrownBy(() -> RunsFolder.checkName("r".repeat(101))).hasMessageContaining("at most 100 characters");
    assertThat(RunsFolder.checkName("r".repeat(100))).hasSize(100);
  }

  @Test
  void aLinkInTheRunsFolderIsNeverOpenedNorRemovedThrough() throws Exception {
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    Run real = RunFixtures.trainedRun(new RunsFolder(dir.resolve("elsewhere")), "real", 2);
    Files.createDirectories(dir.resolve("runs"));
    Files.createSymbolicLink(dir.resolve("runs").resolve("linked"), real.folder());
    assertThatThrownBy(() -> runs.open("linked")).hasMessageContaining("is a link");
    assertThatThrownBy(() -> runs.remove("linked")).hasMessageContaining("is a link");
    assertThat(runs.exists("linked")).isFalse();
    assertThat(runs.list()).isEmpty();
    assertThat(real.historyFile()).exists();
  }
}
