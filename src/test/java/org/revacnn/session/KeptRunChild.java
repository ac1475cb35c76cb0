package org.revacnn.session;

import java.nio.file.Path;

/**
 * A child JVM for {@link RunKillTest}: trains a synthetic session kept as the run {@code args[1]}
 * of the runs folder {@code args[0]}, printing "step N" (the last batch recorded) every 20 ms,
 * until it is killed.
 */
public final class KeptRunChild {
  private KeptRunChild() {}

  public static void main(String[] args) throws Exception {
    RunsFolder runs = new RunsFolder(Path.of(args[0]));
    SessionConfig config = SessionFixtures.config();
    Run run = runs.create(args[1], RunFixtures.config(config));
    TrainingSession session = new TrainingSession(config.withAutosave(run.checkpointFile(), config.autosaveEvery()),
        SessionFixtures.data());
    session.keepRun(RunLog.open(run.historyFile()), true);
    session.saveCheckpoint(run.checkpointFile());
    session.start(true);
    while (true) {
      System.out.println("step " + session.history().lastStep());
      Thread.sleep(20);
    }
  }
}
