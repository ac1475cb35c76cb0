package org.revacnn.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Set;
import org.revacnn.data.Datasets;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Run;
import org.revacnn.session.RunConfig;
import org.revacnn.session.RunLog;
import org.revacnn.session.RunResume;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;

/**
 * The run a {@code serve} session keeps: a kept run continued ({@code --resume NAME}), or a new one
 * ({@code --run NAME} or a generated name) started afresh or from a checkpoint file
 * ({@code --resume FILE}). {@code --resume X} means the run X when X is a plain name and the runs
 * folder has a run of that name; otherwise the checkpoint file X (as before runs were kept). Used by
 * the command's thread only.
 */
final class RunStart {
  private final RunsFolder runs;
  private final String resume;
  private final String name;
  private final Run resumed;
  private Run run;

  RunStart(RunsFolder runs, String resume, String name) {
    this.runs = runs;
    this.resume = resume;
    this.name = name;
    this.resumed = resume != null && runs.exists(resume) ? runs.open(resume) : null;
    if (resumed != null && name != null) {
      throw new IllegalArgumentException("--resume " + resume + " continues that run; --run names a new one: give one of them");
    }
    if (resume != null && resumed == null && !Files.exists(Path.of(resume)) && !resume.contains("/")
        && !resume.contains(File.separator)) {
      throw new IllegalArgumentException("--resume " + resume + ": no run of that name in " + runs.folder()
          + " (revacnn runs lists them), and no checkpoint file of that name");
    }
    if (name != null) runs.checkName(name);
  }

  /** For a continued run: {@code --data} and {@code --validation}, unless {@code given}, as its config.json says. */
  void fillDataOptions(DataArguments data, Set<String> given) throws IOException {
    if (resumed == null) return;
    RunConfig config = runs.config(resumed);
    if (!given.contains("--data") && config.data() != null) data.data = config.data();
    if (!given.contains("--validation") && config.validationImages() != null) data.validation = config.validationImages();
  }

  /**
   * The session, keeping its run: a new run gets its config.json, its history so far (a checkpoint
   * file's) and a first checkpoint; when this fails, the new run's folder is removed again.
   *
   * @param autosaveToRun whether the periodic checkpoints go to the run's checkpoint.ckpt (else as {@code settings} say)
   */
  TrainingSession open(SessionConfig settings, boolean autosaveToRun, Datasets datasets, DataArguments data)
      throws IOException, Checkpoint.CheckpointException {
    if (resumed != null) {
      run = resumed;
      return RunResume.resume(run, datasets, toRun(settings, autosaveToRun));
    }
    Checkpoint.Contents saved = resume == null ? null : Checkpoint.read(Path.of(resume), settings);
    SessionConfig start = saved == null ? settings : saved.config();
    run = runs.create(name, new RunConfig(name, Instant.now().toString(), start.model(), datasets.description(), data.data,
        data.validation, start.seed(), start.augment(), start.hyperparameters(),
        saved == null ? null : Path.of(resume).toAbsolutePath().toString()));
    TrainingSession session = null;
    try {
      SessionConfig config = toRun(settings, autosaveToRun);
      session = saved == null ? new TrainingSession(config, datasets) : TrainingSession.resume(saved, datasets, config);
      session.keepRun(RunLog.open(run.historyFile()), true);
      session.saveCheckpoint(run.checkpointFile());
      return session;
    } catch (IOException | RuntimeException e) {
      if (session != null) session.close();
      runs.remove(run.name());
      throw e;
    }
  }

  private SessionConfig toRun(SessionConfig settings, boolean autosaveToRun) {
    return autosaveToRun ? settings.withAutosave(run.checkpointFile(), settings.autosaveEvery()) : settings;
  }

  /** The run kept (after {@link #open}). */
  Run run() {
    return run;
  }
}
