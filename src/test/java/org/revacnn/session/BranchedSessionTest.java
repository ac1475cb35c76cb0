package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.assertBitIdentical;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Architecture;

/** Fork and keep-branch driven by calling the loop's rounds directly: no threads, no sleeps. */
class BranchedSessionTest {

  /** Queues {@code command} for {@code branch} and runs one round of the loop, which applies it. */
  private static CommandResult apply(BranchedSession run, String branch, Command command) {
    return run.applyNow(branch, command);
  }

  private static void rounds(BranchedSession run, int count) {
    for (int i = 0; i < count; i++) run.round();
  }

  /** Every parameter value and optimiser state of branch {@code id}, read on the (calling) training thread. */
  private static List<float[]> weights(BranchedSession run, String id) {
    var answer = run.branch(id).query(net -> {
      List<float[]> all = new java.util.ArrayList<>();
      for (var p : net.params()) {
        all.add(p.value().clone());
        p.states().values().forEach(s -> all.add(s.clone()));
      }
      return all;
    });
    rounds(run, 1);
    return answer.join();
  }

  private static String checksum(BranchedSession run, String id) {
    var answer = run.branch(id).query(WeightChecksum::of);
    rounds(run, 1);
    return answer.join();
  }

  private static int filters(Architecture architecture, String layer) {
    return architecture.layers().stream().filter(l -> l.id().equals(layer)).findFirst().orElseThrow().filters();
  }

  /**
   * A narrow model validating every 25 steps: forked before step 50, both branches cross it, where
   * they validate and take their activation statistics ({@link TrainingSession#ANALYSIS_EVERY}).
   */
  private static final SessionConfig NARROW = SessionFixtures.config().withModel("conv4-conv4-conv4").withValidation(40, 25);

  @Test
  void withIdenticalSettingsTheBranchesStayBitIdentical() {
    try (BranchedSession run = new BranchedSession(new TrainingSession(NARROW, SessionFixtures.data()), null, null)) {
      // SGD with momentum: the velocity must be copied too; augmentation is on (flip and shift)
      assertThat(apply(run, null, new Command.SetHyperparameters(0.01f, 0.9f, null, null, "sgd")).ok()).isTrue();
      assertThat(apply(run, null, new Command.Resume()).ok()).isTrue();
      rounds(run, 42);
      CommandResult forked = apply(run, null, new Command.Fork());
      assertThat(forked.ok()).as(forked.message()).isTrue();
      assertThat(forked.changes()).containsEntry("forked", "B").containsEntry("from", "A");
      assertThat(run.branchIds()).containsExactly("A", "B");
      String atFork = checksum(run, "A");

      assertThat(run.branch("B").sessionStep()).isLessThan(50);
      rounds(run, 8);  // both cross step 50: validation (every 25) and analysis (every 50 network steps)
      assertThat(apply(run, "A", new Command.Pause()).ok()).isTrue();
      assertThat(apply(run, "B", new Command.Pause()).ok()).isTrue();

      TrainingSession a = run.branch("A");
      TrainingSession b = run.branch("B");
      assertThat(a.sessionStep()).isEqualTo(b.sessionStep()).isBetween(50L, 60L);
      assertThat(b.history().validation()).hasSize(2);  // at steps 25 and 50
      assertThat(checksum(run, "A")).isNotEqualTo(atFork);  // they trained
      assertThat(checksum(run, "B")).isEqualTo(checksum(run, "A"));
      assertBitIdentical(weights(run, "B"), weights(run, "A"));
      History.View ha = a.history().full();
      History.View hb = b.history().full();
      assertThat(hb.loss()).containsExactly(ha.loss());
      assertThat(hb.examplesSeen()).containsExactly(ha.examplesSeen());
      assertThat(b.history().validation()).isEqualTo(a.history().validation());
      assertThat(b.epochProgress()).isEqualTo(a.epochProgress());
    }
  }

  @Test
  void steeringOneBranchLeavesTheOtherAsIfNeverForked() {
    try (BranchedSession run = new BranchedSession(SessionFixtures.session(), null, null);
        TrainingSession alone = SessionFixtures.session()) {
      apply(run, null, new Command.Resume());
      rounds(run, 5);
      assertThat(apply(run, null, new Command.Fork()).ok()).isTrue();
      Architecture before = run.branch("A").architecture();

      CommandResult grown = apply(run, "B", new Command.AddFilters("conv2", 4, null, null, null));
      assertThat(grown.ok()).as(grown.message()).isTrue();
      assertThat(apply(run, "B", new Command.SetHyperparameters(0.5f, null, null, null, null)).ok()).isTrue();
      rounds(run, 10);
      apply(run, "A", new Command.Pause());
      apply(run, "B", new Command.Pause());

      TrainingSession a = run.branch("A");
      TrainingSession b = run.branch("B");
      assertThat(a.architecture()).isSameAs(before);
      assertThat(a.latest().hyperparameters().learningRate()).isEqualTo(alone.latest().hyperparameters().learningRate());
      assertThat(b.latest().hyperparameters().learningRate()).isEqualTo(0.5f);
      assertThat(filters(b.architecture(), "conv2")).isEqualTo(filters(before, "conv2") + 4);
      assertThat(b.history().steering()).extracting(SteeringEntry::type).contains("fork", "add-filters");
      assertThat(a.history().steering()).extracting(SteeringEntry::type).contains("fork").doesNotContain("add-filters");

      // A trained exactly as a session that was never forked
      SessionFixtures.train(alone, (int) a.sessionStep());
      assertBitIdentical(weights(run, "A"), SessionFixtures.weightsAndState(alone));
    }
  }

  @Test
  void keepingOneBranchEndsTheOtherWhoseRunStaysInTheFolder(@TempDir Path dir) throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    try (BranchedSession run = keptAsBase(runs)) {
      TrainingSession first = run.branch("A");
      apply(run, null, new Command.Resume());
      rounds(run, 6);
      CommandResult forked = apply(run, null, new Command.Fork());
      assertThat(forked.changes()).containsEntry("run", "base-fork1");
      assertThat(run.branches()).extracting(BranchedSession.Branch::runName).containsExactly("base", "base-fork1");
      rounds(run, 4);
      TrainingSession b = run.branch("B");

      // a read of B queued before the keep (a page polling the branch it shows) is answered, not failed
      CompletableFuture<Integer> asked = b.query(net -> net.params().size());
      CommandResult kept = apply(run, null, new Command.KeepBranch("A"));
      assertThat(kept.ok()).as(kept.message()).isTrue();
      assertThat(asked).isCompletedWithValueMatching(n -> n > 0);
      assertThat(kept.changes()).containsEntry("kept", "A").containsEntry("ended", List.of("B"))
          .containsEntry("endedRuns", List.of("base-fork1"));
      assertThat(run.branchIds()).containsExactly("A");
      assertThat(b.submit(new Command.Pause()).join().message()).isEqualTo(TrainingSession.CLOSED);
      assertThat(run.branch(null).loop().members()).containsExactly(first);

      // the ended run: its log starts with the parent's history and is complete and closed; it can be resumed
      Run fork = runs.open("base-fork1");
      History forkHistory = RunLogReader.restore(fork.historyFile()).history();
      // resumed in the first round, 6 more, forked at 7 (A trains on in that round, B from the next), 4 rounds
      assertThat(forkHistory.lastStep()).isEqualTo(b.sessionStep()).isEqualTo(11);
      assertThat(forkHistory.full().loss()).startsWith(java.util.Arrays.copyOf(first.history().full().loss(), 7));
      assertThat(forkHistory.steering()).extracting(SteeringEntry::type).containsSubsequence("fork", "keep-branch");
      assertThat(Files.isRegularFile(fork.checkpointFile())).isTrue();
      assertThat(runs.list()).extracting(RunsFolder.Summary::name).containsExactly("base", "base-fork1");
      try (TrainingSession resumed = RunResume.resume(fork, SessionFixtures.data(), SessionFixtures.config())) {
        assertThat(resumed.sessionStep()).isEqualTo(11);
      }

      // ids are never reused: the next fork is C, in a fresh run
      assertThat(apply(run, null, new Command.Fork()).changes()).containsEntry("forked", "C").containsEntry("run", "base-fork2");
      assertThat(apply(run, null, new Command.KeepBranch("C")).ok()).isTrue();
      assertThat(run.branchIds()).containsExactly("C");
      assertThat(run.branch(null).loop().members()).containsExactly(run.branch("C"));
    }
  }

  @Test
  void badBranchCommandsAreRefusedAndChangeNothing(@TempDir Path dir) throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    try (BranchedSession run = keptAsBase(runs)) {
      TrainingSession first = run.branch("A");
      SessionFixtures.train(first, 3);
      List<float[]> before = weights(run, "A");

      assertThat(apply(run, null, new Command.KeepBranch("A")).message()).contains("not forked");
      assertThat(apply(run, null, new Command.KeepBranch(null)).message()).contains("keep-branch needs branch");
      assertThat(apply(run, "B", new Command.Resume()).message()).contains("no live branch 'B'");
      assertThat(run.branchIds()).containsExactly("A");
      assertThat(first.latest().state()).isEqualTo("paused");

      assertThat(apply(run, null, new Command.Fork()).ok()).isTrue();
      List<float[]> forkedState = weights(run, "B");
      assertThat(apply(run, "B", new Command.Fork()).message()).contains("already forked into A and B");
      assertThat(apply(run, null, new Command.KeepBranch("Z")).message()).contains("no live branch 'Z'");
      assertThat(apply(run, "Z", new Command.SetHyperparameters(0.5f, null, null, null, null)).message()).contains("no live branch");
      assertThat(run.submit("B", new Command.ShowBranch("A")).join().ok()).isFalse();
      assertThat(run.branchIds()).containsExactly("A", "B");
      assertThat(runs.list()).extracting(RunsFolder.Summary::name).containsExactly("base", "base-fork1");
      assertThat(run.branch("A").latest().hyperparameters()).isEqualTo(run.branch("B").latest().hyperparameters());
      assertBitIdentical(weights(run, "A"), before);
      assertBitIdentical(weights(run, "B"), forkedState);
      // a lone session (not served as branches) refuses to fork
      try (TrainingSession lone = SessionFixtures.session()) {
        assertThat(SessionFixtures.apply(lone, new Command.Fork()).message()).isEqualTo(BranchedSession.NOT_BRANCHED);
      }
    }
  }

  /** A run whose first branch, a fresh session, is kept as the run "base" of {@code runs}. */
  private static BranchedSession keptAsBase(RunsFolder runs) throws java.io.IOException {
    Run base = runs.create("base", RunFixtures.config(SessionFixtures.config()));
    TrainingSession first = SessionFixtures.session();
    first.keepRun(RunLog.open(base.historyFile()), true);
    return new BranchedSession(first, runs, base);
  }
}
