package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.revacnn.session.SessionFixtures.apply;
import static org.revacnn.session.SessionFixtures.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Param;

/**
 * Steering a ResNet through the session's commands with inner layer ids: width changes of a block's
 * inner conv and of a whole stage, an identity block inserted and removed, batch norm and block
 * freezing, undo; the steering log replays them bit for bit and a checkpoint taken after them resumes
 * bit for bit (weights, optimiser state, running statistics, frozen flags).
 */
class ResNetSteeringTest {
  private static final int TOTAL_STEPS = 6;

  @TempDir
  Path dir;

  /** A narrow two-stage ResNet: conv1-bn1-relu1, res1 (conv2..conv3), relu3, res2 (conv4..conv5, shortcut conv6), relu5, gap1. */
  private static SessionConfig resnet() {
    return SessionFixtures.config().withModel("conv6k3bnnopool-res6-res8s2-gap");
  }

  @Test
  void replayAndCheckpointReproduceAResNetSteeredByEveryCommand() throws Exception {
    Path log = dir.resolve("log.json");
    List<float[]> expected;
    try (TrainingSession live = new TrainingSession(resnet().withCheckpointDir(dir), SessionFixtures.data())) {
      train(live, 1);
      ok(live, new Command.AddFilters("conv2", 2, "net2net", null, null));
      train(live, 1);
      ok(live, new Command.AddFilters("conv3", 1, "zero-out", null, null));
      ok(live, new Command.RemoveFilters("conv2", List.of("conv2/f0")));
      ok(live, new Command.InsertLayer("relu3", "residual", null, null, null, null, "identity"));
      ok(live, new Command.Freeze("bn1"));
      ok(live, new Command.Freeze("res1"));
      train(live, 1);
      ok(live, new Command.RemoveLayer("res3"));
      ok(live, new Command.Undo());
      ok(live, new Command.AddFilters("conv5", 2, "random", null, null));
      train(live, 1);
      ok(live, new Command.SaveCheckpoint("steered", null));
      train(live, TOTAL_STEPS - 4);
      expected = SessionFixtures.savedArraysAndState(live);
      Files.writeString(log, Commands.STRICT.writeValueAsString(live.history().view(1000)));
      assertThat(live.architecture().layers()).extracting(l -> l.id()).contains("res3");
    }
    SteeringLogReplay replay = SteeringLogReplay.read(log);
    try (TrainingSession again = new TrainingSession(resnet(), SessionFixtures.data())) {
      replay.applyDue(again);
      again.applyNow(new Command.Resume());
      while (again.sessionStep() < TOTAL_STEPS) {
        again.step();
        replay.applyDue(again);
      }
      again.applyNow(new Command.Pause());
      SessionFixtures.assertBitIdentical(SessionFixtures.savedArraysAndState(again), expected);
    }
    Checkpoint.Contents saved = Checkpoint.read(dir.resolve("steered.ckpt"), SessionFixtures.config());
    try (TrainingSession resumed = TrainingSession.resume(saved, SessionFixtures.data(), SessionFixtures.config())) {
      assertThat(resumed.architecture().layers().stream().filter(l -> l.id().equals("bn1") || l.id().equals("res1")))
          .allMatch(l -> l.frozen());
      train(resumed, TOTAL_STEPS - 4);
      SessionFixtures.assertBitIdentical(SessionFixtures.savedArraysAndState(resumed), expected);
    }
  }

  @Test
  void aRefusedStageChangeIsAnsweredWithTheReasonAndNotLogged() {
    try (TrainingSession s = new TrainingSession(resnet(), SessionFixtures.data())) {
      CommandResult r = apply(s, new Command.RemoveLayer("conv2"));
      assertThat(r.ok()).isFalse();
      assertThat(r.message()).startsWith("cannot remove conv2: conv2 is inside residual block res1");
      assertThat(s.history().steering()).isEmpty();
    }
  }

  private static void ok(TrainingSession session, Command command) {
    CommandResult r = apply(session, command);
    assertThat(r.ok()).as("%s: %s", command.type(), r.message()).isTrue();
  }
}
