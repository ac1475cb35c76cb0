package org.revacnn.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.revacnn.data.Augmentation;
import org.revacnn.data.Datasets;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Evaluation;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SteeringLogReplay;
import org.revacnn.session.TrainingSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Headless training with a progress bar, per-epoch validation and test accuracy, and a saved
 * checkpoint; with {@code --runs} or {@code --run} also kept as a run (history, steering log and
 * final checkpoint in the runs folder, as {@code serve} keeps one: {@code revacnn runs} lists it,
 * {@code serve --resume NAME} continues it, {@code revacnn report} charts it).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model headless, report validation and test accuracy each epoch, save a checkpoint.")
public final class TrainCommand implements Callable<Integer> {
  @Mixin
  DataArguments data;

  @Option(names = "--model", defaultValue = NetworkSpec.PAPER_MODEL, description = "Model shorthand (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--epochs", defaultValue = "1", description = "Epochs to train (fractions allowed; default: ${DEFAULT-VALUE}).")
  double epochs;

  @Option(names = "--batch", defaultValue = "4", description = "Batch size (default: ${DEFAULT-VALUE}, as the paper).")
  int batch;

  @Option(names = "--optimizer", defaultValue = "adadelta", description = "adadelta, adam or sgd (default: ${DEFAULT-VALUE}, as the paper's ConvNetJS).")
  String optimizer;

  @Option(names = "--lr", description = "Learning rate (default: 1 for adadelta, 0.001 for adam, 0.002 for sgd).")
  Float learningRateOption;

  @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
  float momentum;

  @Option(names = "--nesterov", description = "Nesterov momentum for SGD.")
  boolean nesterov;

  @Option(names = "--weight-decay", defaultValue = "1e-4", description = "L2 weight decay (default: ${DEFAULT-VALUE}).")
  float weightDecay;

  @Option(names = "--no-decay-bn-bias", description = "No weight decay on batch norm's gamma and beta (biases never get it).")
  boolean noNormDecay;

  @Option(names = "--label-smoothing", defaultValue = "0",
      description = "Move this share of each target evenly onto all classes, e.g. 0.1 (default: ${DEFAULT-VALUE}).")
  float labelSmoothing;

  @Mixin
  RunArguments run;

  @Option(names = "--no-augment", negatable = false, description = "Turn off augmentation (as --augment none).")
  boolean noAugment;

  @Option(names = "--augment", description = "Training-image augmentation: " + Augmentation.NAMES
      + " (default: flip-shift2, the paper's flips and 2 px shifts; crop4flip: random crop of the 4 px zero-padded"
      + " image and flip).")
  String augment;

  @Option(names = "--out", defaultValue = "revacnn-model.ckpt", description = "Checkpoint written at the end (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--cosine", description = "Cosine learning-rate decay from --lr to 0 over the run (after any warm-up), set "
      + LearningRateSchedule.UPDATES_PER_EPOCH + " times an epoch (logged as steering).")
  boolean cosine;

  @Option(names = "--warmup-epochs",
      description = "Linear learning-rate warm-up from 0 to --lr over these epochs (default 0; 30%% of the run with --one-cycle).")
  Double warmupEpochs;

  @Option(names = "--one-cycle", description = "One-cycle schedule: warm-up from lr/25 to --lr, then cosine down to lr/25e4"
      + " (PyTorch's OneCycleLR without its momentum cycle).")
  boolean oneCycle;

  @Mixin
  RunsArgument runs;

  @Option(names = "--run", paramLabel = "NAME", description = "Keep this training as the run NAME in --runs (its history, "
      + "steering log and final checkpoint), as serve does; --runs alone keeps it under a generated name. "
      + "Without either only --out is written.")
  String runName;

  @Option(names = "--replay", description = "A steering log (JSON, e.g. from /api/history) whose commands are applied at their steps.")
  Path replay;

  @Override
  public Integer call() throws IOException {
    if (!(epochs > 0)) throw new IllegalArgumentException("--epochs must be > 0, got " + epochs);
    OptimizerKind kind = OptimizerKind.parse(optimizer);
    float learningRate = learningRateOption != null ? learningRateOption : kind.defaultLearningRate();
    Hyperparameters hyper = new Hyperparameters(kind, learningRate, momentum, nesterov, weightDecay,
        batch, 0.9f, 0.999f, 1e-8f, 0.95f, labelSmoothing, noNormDecay);
    LearningRateSchedule schedule = LearningRateSchedule.of(cosine, oneCycle, warmupEpochs, learningRate, epochs);
    if (noAugment && augment != null) throw new IllegalArgumentException("choose --augment or --no-augment, not both");
    Augmentation augmentation = noAugment ? Augmentation.NONE
        : augment == null ? Augmentation.FLIP_AND_SHIFT_2 : Augmentation.parse(augment);
    RunStart kept = runs.runs != null || runName != null ? new RunStart(runs.folder(), null, runName) : null;
    Datasets datasets = data.load();
    SessionConfig config = run.applyTo(SessionConfig.defaults()).withModel(model).withHyperparameters(hyper)
        .withAugmentation(augmentation).withAutosave(null, null).withValidation(0, Integer.MAX_VALUE);
    SteeringLogReplay replayLog = replay == null ? SteeringLogReplay.empty() : SteeringLogReplay.read(replay);
    Progress progress = Progress.onStderr();
    try (TrainingSession session = kept == null ? new TrainingSession(config, datasets) : keep(kept, config, datasets)) {
      if (kept != null) progress.line("run " + kept.run().name() + " kept in " + kept.run().folder());
      progress.line(String.format("training %s on %s: %d train / %d validation / %d test images, %,d parameters, batch %d, %s lr %s",
          model, datasets.description(), datasets.train().size(), datasets.validation().size(), datasets.test().size(),
          session.network().parameterCount(), batch, hyper.optimizer().label(), learningRate));
      replayLog.applyDue(session);
      session.applyNow(new org.revacnn.session.Command.Resume());
      long start = System.nanoTime();
      int epochsDone = 0;
      double lossSum = 0;
      double accuracySum = 0;
      int window = 0;
      long scheduled = -1;
      while (session.epochProgress() < epochs) {
        long interval = LearningRateSchedule.interval(session.epochProgress());
        if (schedule.varies() && interval != scheduled) {
          scheduled = interval;
          session.applyNow(new org.revacnn.session.Command.SetHyperparameters(schedule.rateForInterval(interval), null, null,
              null, null));
        }
        session.step();
        if (!session.running()) {
          // the divergence guard rolled the weights back and paused: report it and keep what is good
          save(session, kept);
          progress.line("stopped: " + session.latest().alert() + "; saved " + out.toAbsolutePath());
          return 3;
        }
        replayLog.applyDue(session);
        var history = session.history();
        lossSum += history.recentLoss(1);
        accuracySum += history.recentAccuracy(1);
        window++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        double done = session.epochProgress();
        double rate = imagesPerSecond(done, datasets.train().size(), elapsed);
        progress.update(done / epochs, String.format("epoch %d/%s %3.0f%% %,6.0f img/s ETA %s loss %.3f acc %.3f",
            (int) done + 1, format(epochs), 100 * (done - Math.floor(done)), rate,
            Progress.duration(elapsed / done * (epochs - done)), lossSum / window, accuracySum / window));
        if ((int) done > epochsDone) {
          epochsDone = (int) done;
          progress.line(epochLine(session, datasets, epochsDone, elapsed, lossSum / window, accuracySum / window));
          lossSum = 0;
          accuracySum = 0;
          window = 0;
        }
      }
      if (epochs != Math.floor(epochs) || epochsDone < (int) epochs) {
        progress.line(epochLine(session, datasets, session.epochProgress(), (System.nanoTime() - start) / 1e9,
            window == 0 ? Double.NaN : lossSum / window, window == 0 ? Double.NaN : accuracySum / window));
      }
      save(session, kept);
      progress.line("saved " + out.toAbsolutePath());
    }
    return 0;
  }

  /** A new session keeping its run (RunStart: config.json, history log, first checkpoint). */
  private TrainingSession keep(RunStart kept, SessionConfig config, Datasets datasets) throws IOException {
    try {
      return kept.open(config, false, datasets, data);
    } catch (Checkpoint.CheckpointException e) {
      throw new IllegalStateException("a new run reads no checkpoint", e);
    }
  }

  /** Writes --out, and the kept run's checkpoint, so that serve --resume NAME continues from here. */
  private void save(TrainingSession session, RunStart kept) throws IOException {
    session.saveCheckpoint(out);
    if (kept != null) session.saveCheckpoint(kept.run().checkpointFile());
  }

  private static double imagesPerSecond(double epochsDone, int trainImages, double elapsedSeconds) {
    return elapsedSeconds <= 0 ? 0 : epochsDone * trainImages / elapsedSeconds;
  }

  private static String epochLine(TrainingSession session, Datasets datasets, double epoch, double elapsed, double loss,
      double accuracy) {
    StringBuilder line = new StringBuilder(String.format("epoch %s done in %s: train loss %.4f acc %.4f", format(epoch),
        Progress.duration(elapsed), loss, accuracy));
    if (!datasets.validation().isEmpty()) {
      Evaluation.Result v = session.evaluate(datasets.validation(), datasets.validation().size());
      line.append(String.format(", validation acc %.4f", v.accuracy()));
    }
    if (!datasets.test().isEmpty()) {
      Evaluation.Result t = session.evaluate(datasets.test(), datasets.test().size());
      line.append(String.format(", test acc %.4f (%d images)", t.accuracy(), t.images()));
    }
    return line.toString();
  }

  private static String format(double epochs) {
    return epochs == Math.floor(epochs) ? String.valueOf((long) epochs) : String.format("%.2f", epochs);
  }
}
