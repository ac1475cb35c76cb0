package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;
import static org.revacnn.session.SessionFixtures.weightsAndState;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Architecture;

/** The session driven by calling step() directly: no threads, no sleeps. */
class TrainingSessionTest {

  @Test
  void startsPausedAndTrainsOnlyWhenRunning() {
    try (TrainingSession s = SessionFixtures.session()) {
      s.step();
      assertThat(s.history().stepCount()).isZero();
      assertThat(s.latest().state()).isEqualTo("paused");
      assertThat(apply(s, new Command.Resume()).ok()).isTrue();
      for (int i = 0; i < 5; i++) s.step();
      assertThat(s.history().stepCount()).isEqualTo(6);
      // the pause is applied before the batch of the step that drains it
      assertThat(apply(s, new Command.Pause()).ok()).isTrue();
      s.step();
      assertThat(s.history().stepCount()).isEqualTo(6);
    }
  }

  @Test
  void stepTrainsExactlyThatManyBatchesThenPauses() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 3);
      assertThat(s.history().stepCount()).isEqualTo(3);
      for (int i = 0; i < 3; i++) s.step();
      assertThat(s.history().stepCount()).isEqualTo(3);
      s.publish();
      assertThat(s.latest().examplesSeen()).isEqualTo(12);
      assertThat(s.latest().state()).isEqualTo("paused");
    }
  }

  @Test
  void hyperparameterChangesApplyAndAreLogged() {
    try (TrainingSession s = SessionFixtures.session()) {
      CommandResult r = apply(s, new Command.SetHyperparameters(0.05f, null, 8, null, "adam"));
      assertThat(r.ok()).isTrue();
      assertThat(r.changes()).containsKeys("learningRate", "batchSize", "optimizer");
      train(s, 2);
      assertThat(s.latest().examplesSeen()).isEqualTo(16);
      assertThat(s.latest().hyperparameters().optimizer()).isEqualTo("adam");
      assertThat(s.history().steering()).extracting(SteeringEntry::type).contains("set-hyperparameters");
    }
  }

  @Test
  void rejectedCommandsChangeNothing() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 3);
      List<float[]> before = weightsAndState(s);
      Architecture architecture = s.architecture();
      int logged = s.history().steering().size();
      List<Command> bad = List.of(
          new Command.SetHyperparameters(-1f, null, null, null, null),
          new Command.SetHyperparameters(0.1f, null, 0, null, null),
          new Command.SetHyperparameters(null, null, null, null, "rmsprop"),
          new Command.AddFilters("conv9", 1, "random", null, null),
          new Command.AddFilters("conv2", 0, "random", null, null),
          new Command.AddFilters("conv2", 1, "sideways", null, null),
          new Command.RemoveFilters("conv2", List.of("conv2/f99")),
          new Command.RemoveFilters("conv2", List.of()),
          new Command.RemoveLayer("output"),
          new Command.InsertLayer("conv1", "lstm", 3, null, null, null, null),
          new Command.Freeze("pool1"),
          new Command.SetProbe(100_000, null, null),
          new Command.Step(0),
          new Command.Undo());
      for (Command c : bad) {
        CommandResult r = apply(s, c);
        assertThat(r.ok()).as(c.toString()).isFalse();
        assertThat(r.message()).as(c.toString()).isNotBlank();
      }
      SessionFixtures.assertBitIdentical(weightsAndState(s), before);
      assertThat(s.architecture()).usingRecursiveComparison().isEqualTo(architecture);
      assertThat(s.history().steering()).hasSize(logged);
    }
  }

  @Test
  void surgeryAddsFiltersAndUndoRestoresTheNetworkExactly() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 3);
      List<float[]> before = weightsAndState(s);
      CommandResult add = apply(s, new Command.AddFilters("conv2", 2, "net2net", null, null));
      assertThat(add.ok()).as(add.message()).isTrue();
      assertThat(add.changes().get("addedFilters")).asList().containsExactly("conv2/f20", "conv2/f21");
      assertThat(s.architecture().layers().get(3).filters()).isEqualTo(22);
      train(s, 2);
      assertThat(apply(s, new Command.Undo()).ok()).isTrue();
      assertThat(s.architecture().layers().get(3).filters()).isEqualTo(20);
      SessionFixtures.assertBitIdentical(weightsAndState(s), before);
    }
  }

  @Test
  void removingFiltersAndLayersKeepsTraining() {
    try (TrainingSession s = SessionFixtures.session()) {
      assertThat(apply(s, new Command.RemoveFilters("conv1", List.of("conv1/f0", "conv1/f3"))).ok()).isTrue();
      assertThat(apply(s, new Command.InsertLayer("pool2", "conv", 8, 3, false, null, "random")).ok()).isTrue();
      assertThat(apply(s, new Command.RemoveLayer("conv3")).ok()).isTrue();
      assertThat(apply(s, new Command.Freeze("conv1")).ok()).isTrue();
      train(s, 3);
      s.publish();
      assertThat(s.latest().loss()).isFinite();
      assertThat(s.latest().layers()).extracting(Snapshot.LayerView::id).contains("conv4").doesNotContain("conv3");
    }
  }

  @Test
  void divergenceRollsBackToTheLastConfirmedGoodWeightsAndPauses() {
    try (TrainingSession s = new TrainingSession(SessionFixtures.config().withDivergence(4.0, 10), SessionFixtures.data())) {
      train(s, 10);
      List<float[]> good = weightsAndState(s);
      // the copy taken at step 10 becomes the good state once the guard has judged 9 more batches calm
      train(s, 9);
      apply(s, new Command.SetHyperparameters(1e8f, null, null, null, "sgd"));
      apply(s, new Command.Resume());
      for (int i = 0; i < 20 && s.running(); i++) s.step();
      assertThat(s.running()).isFalse();
      assertThat(s.latest().alert()).contains("rolled back").contains("network step 10)");
      SessionFixtures.assertBitIdentical(weightsAndState(s), good);
      assertThat(s.history().steering()).extracting(SteeringEntry::type).contains("rollback");
    }
  }

  /**
   * The scenario of issue 10: SGD at lr 1e6 diverges and rolls back; with lr 0.002 one Resume is
   * enough, training goes on (before, the guard's window still held the huge losses, and each
   * Resume trained one batch and rolled back again).
   */
  @Test
  void afterARollbackOneResumeWithASaneLearningRateTrainsOn() {
    try (TrainingSession s = new TrainingSession(SessionFixtures.config().withDivergence(4.0, 20), SessionFixtures.data())) {
      train(s, 40);
      apply(s, new Command.SetHyperparameters(1e6f, null, null, null, "sgd"));
      apply(s, new Command.Resume());
      for (int i = 0; i < 20 && s.running(); i++) s.step();
      assertThat(s.running()).as("diverged and paused").isFalse();
      assertThat(rollbacks(s)).isEqualTo(1);

      assertThat(apply(s, new Command.SetHyperparameters(0.002f, null, null, null, null)).ok()).isTrue();
      assertThat(apply(s, new Command.Resume()).ok()).isTrue();
      long from = s.sessionStep();
      for (int i = 0; i < 300; i++) s.step();
      assertThat(s.running()).isTrue();
      assertThat(s.sessionStep() - from).isEqualTo(300);
      assertThat(rollbacks(s)).isEqualTo(1);
      s.publish();
      assertThat(s.latest().alert()).isNull();
      assertThat(s.history().recentLoss(50)).isLessThan(Math.log(10));
    }
  }

  private static long rollbacks(TrainingSession s) {
    return s.history().steering().stream().filter(e -> e.type().equals("rollback")).count();
  }

  @Test
  void snapshotsDescribeEveryLayerAndTheProbe() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 5);
      s.publish();
      Snapshot snap = s.latest();
      Snapshot.LayerView conv1 = snap.layers().getFirst();
      assertThat(conv1.filterIds()).hasSize(16);
      assertThat(conv1.thumbnailChannels()).isEqualTo(3);
      assertThat(conv1.thumbnails()).hasSize(16 * 3 * 25);
      assertThat(conv1.jitter()).hasSize(16);
      for (float j : conv1.jitter()) assertThat(j).isPositive();
      assertThat(conv1.activePath()).hasSize(16);
      int active = 0;
      for (boolean b : conv1.activePath()) active += b ? 1 : 0;
      assertThat(active).isGreaterThanOrEqualTo(8);
      assertThat(snap.probe().probabilities()).hasSize(10);
      assertThat(apply(s, new Command.SetProbe(3, null, null)).ok()).isTrue();
      assertThat(s.latest().probe().index()).isEqualTo(3);
    }
  }

  @Test
  void validationRunsPeriodically() {
    try (TrainingSession s = SessionFixtures.session()) {
      train(s, 40);
      assertThat(s.history().validation()).hasSize(2);
      assertThat(s.history().validation().getFirst().accuracy()).isBetween(0.0, 1.0);
    }
  }

  @Test
  void resetRebuildsTheInitialNetwork() {
    try (TrainingSession s = SessionFixtures.session(); TrainingSession fresh = SessionFixtures.session()) {
      List<float[]> initial = weightsAndState(fresh);
      train(s, 3);
      assertThat(apply(s, new Command.Reset(null)).ok()).isTrue();
      List<float[]> after = weightsAndState(s);
      SessionFixtures.assertBitIdentical(after, initial);
    }
  }
}
