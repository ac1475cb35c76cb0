package org.revacnn.session;

import java.time.Instant;

/** Runs kept in a runs folder by real (small, synthetic) sessions, for the tests of what reads them. */
public final class RunFixtures {
  private RunFixtures() {}

  /** The config.json of a run started with {@code config} on the fixtures' data. */
  public static RunConfig config(SessionConfig config) {
    return new RunConfig(null, Instant.now().toString(), config.model(), SessionFixtures.data().description(), "synthetic:400",
        40, config.seed(), config.augment(), config.hyperparameters(), null);
  }

  /** A run of {@code batches} batches (validation every 20) kept in {@code runs}. */
  public static Run trainedRun(RunsFolder runs, String name, int batches) throws Exception {
    return steeredRun(runs, name, batches, 0);
  }

  /**
   * A run of {@code batches} batches kept in {@code runs}, with {@code addedFilters} filters added to
   * conv2 half way (none when 0), so that its steering log holds an add-filters entry and its checkpoint
   * (saved at the start, and at the end when steered) the grown network.
   */
  public static Run steeredRun(RunsFolder runs, String name, int batches, int addedFilters) throws Exception {
    Run run = runs.create(name, config(SessionFixtures.config()));
    try (TrainingSession session = SessionFixtures.session()) {
      session.keepRun(RunLog.open(run.historyFile()), true);
      session.saveCheckpoint(run.checkpointFile());
      if (addedFilters == 0) {
        SessionFixtures.train(session, batches);
      } else {
        SessionFixtures.train(session, batches / 2);
        CommandResult added = SessionFixtures.apply(session, new Command.AddFilters("conv2", addedFilters, null, null, null));
        if (!added.ok()) throw new IllegalStateException(added.message());
        SessionFixtures.train(session, batches - batches / 2);
        session.saveCheckpoint(run.checkpointFile());
      }
    }
    return run;
  }
}
