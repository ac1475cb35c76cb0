package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills (SIGKILL) a child JVM training a kept run: the run's history log must hold every batch
 * the child had recorded 1.5 s before the kill, tolerate a half-written last line, and the run must
 * resume by name, counting steps on and appending to the same log.
 */
class RunKillTest {
  @TempDir
  Path folder;

  /** When the parent read a "step N" line and its N. */
  private record Printed(long nanos, long step) {}

  @Test
  void theLogOfAKilledRunHoldsItsHistoryUpToTheLastSecondAndTheRunResumesByName() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp",
        System.getProperty("java.class.path"), KeptRunChild.class.getName(), folder.toString(), "killed"))
        .redirectErrorStream(true).start();
    List<Printed> printed = new ArrayList<>();
    long killNanos;
    try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      long trainingSince = 0;
      // train until 3 s after the first batch was logged (waiting at most 15 s in all)
      while (System.nanoTime() < deadline && (trainingSince == 0 || System.nanoTime() - trainingSince < 3e9)) {
        String line = output.readLine();
        assertThat(line).as("the child's output ended early").isNotNull();
        if (!line.startsWith("step ")) continue;
        long step = Long.parseLong(line.substring(5));
        printed.add(new Printed(System.nanoTime(), step));
        if (step > 0 && trainingSince == 0) trainingSince = System.nanoTime();
      }
      killNanos = System.nanoTime();
      child.destroyForcibly();
      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }
    long secureStep = printed.stream().filter(p -> p.nanos() <= killNanos - 1_500_000_000L).mapToLong(Printed::step).max()
        .orElse(0);
    assertThat(secureStep).as("batches recorded 1.5 s before the kill").isPositive();

    RunsFolder runs = new RunsFolder(folder);
    Run run = runs.open("killed");
    RunLogReader.Replay killed = RunLogReader.restore(run.historyFile());
    long logged = killed.history().lastStep();
    assertThat(logged).as("the log's last step").isGreaterThanOrEqualTo(secureStep);

    Files.writeString(run.historyFile(), "{\"kind\":\"step\",\"step\":" + (logged + 1) + ",\"lo", StandardOpenOption.APPEND);
    RunLogReader.Replay torn = RunLogReader.restore(run.historyFile());
    assertThat(torn.tornTail()).isTrue();
    assertThat(torn.history().lastStep()).isEqualTo(logged);
    assertThat(torn.completeBytes()).isLessThan(Files.size(run.historyFile()));

    try (TrainingSession resumed = RunResume.resume(run, SessionFixtures.data(), SessionFixtures.config())) {
      assertThat(resumed.sessionStep()).isEqualTo(logged);
      SteeringEntry marker = resumed.history().steering().getLast();
      assertThat(marker.type()).isEqualTo(RunResume.TYPE);
      // the child's only checkpoint is its first (autosave every 5 minutes never came)
      assertThat(marker.result()).containsEntry("checkpointStep", 0L).containsEntry("batchesNotInWeights", logged)
          .containsEntry("tornLineDropped", true);
      SessionFixtures.train(resumed, 5);
    }
    RunLogReader.Replay continued = RunLogReader.restore(run.historyFile());
    assertThat(continued.tornTail()).isFalse();
    assertThat(continued.history().lastStep()).isEqualTo(logged + 5);
    assertThat(continued.history().stepCount()).isEqualTo(logged + 5);
    assertThat(continued.history().steering()).extracting(SteeringEntry::type).contains(RunResume.TYPE);
  }
}
