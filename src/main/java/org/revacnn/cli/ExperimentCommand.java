package org.revacnn.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.revacnn.data.Datasets;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;
import org.revacnn.session.Evaluation;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Reproducible experiments from the paper. */
@CommandLine.Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "Reproduce the paper's experiments headless.",
    subcommands = {ExperimentCommand.Grow.class})
public final class ExperimentCommand implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  /**
   * The paper's steering experiment (section 4.2): train a base model, add filters to a layer
   * mid-training with each init mode, and compare with the grown architecture trained from scratch
   * on the same seed and image budget.
   */
  @CommandLine.Command(name = "grow", mixinStandardHelpOptions = true,
      description = "Train BASE for --before epochs, add --count filters to --layer with each init mode, train on for"
          + " --after epochs; beside it train the grown architecture from scratch for the same total. Writes CSV and SVG.")
  public static final class Grow implements Callable<Integer> {
    @Mixin
    DataArguments data;

    @Option(names = "--base", defaultValue = "conv20-conv20-conv20", description = "Model before growth (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--grown", defaultValue = "conv20-conv20-conv21", description = "The same model after growth, trained from scratch (default: ${DEFAULT-VALUE}).")
    String grown;

    @Option(names = "--layer", defaultValue = "conv3", description = "Layer that grows (default: ${DEFAULT-VALUE}).")
    String layer;

    @Option(names = "--count", defaultValue = "1", description = "Filters added (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--before", defaultValue = "2", description = "Epochs before growing (default: ${DEFAULT-VALUE}).")
    double before;

    @Option(names = "--after", defaultValue = "2", description = "Epochs after growing (default: ${DEFAULT-VALUE}).")
    double after;

    @Option(names = "--inits", split = ",", defaultValue = "random,net2net,zero-out", description = "Init modes to compare (default: ${DEFAULT-VALUE}).")
    List<String> inits;

    @Option(names = "--batch", defaultValue = "4", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--optimizer", defaultValue = "adadelta", description = "adadelta, adam or sgd (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", description = "Learning rate (default: the optimizer's, see train --help).")
    Float learningRate;

    @Mixin
    RunArguments run;

    @Option(names = "--window", defaultValue = "500", description = "Steps averaged per CSV row and plot point (default: ${DEFAULT-VALUE}).")
    int window;

    @Option(names = "--out", defaultValue = "grow-experiment", description = "Output folder for grow.csv, grow.svg, summary.txt (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
      if (!(before > 0) || !(after > 0) || window < 1) throw new IllegalArgumentException("--before, --after and --window must be > 0");
      Datasets datasets = data.load();
      Files.createDirectories(out);
      OptimizerKind kind = OptimizerKind.parse(optimizer);
      Hyperparameters hyper = Hyperparameters.defaults().withOptimizer(kind)
          .withLearningRate(learningRate != null ? learningRate : kind.defaultLearningRate()).withBatchSize(batch);
      SessionConfig config = run.applyTo(SessionConfig.defaults()).withHyperparameters(hyper)
          .withAutosave(null, null).withValidation(0, Integer.MAX_VALUE);
      Progress progress = Progress.onStderr();
      Map<String, float[]> curves = new LinkedHashMap<>();
      List<String> summary = new ArrayList<>();

      progress.line("from scratch: " + grown + " for " + (before + after) + " epochs");
      try (TrainingSession scratch = new TrainingSession(config.withModel(grown), datasets)) {
        trainTo(scratch, before + after, progress, "scratch");
        curves.put("scratch " + grown, scratch.history().full().loss());
        summary.add(result("scratch " + grown, scratch, datasets));
      }
      Path fork = out.resolve("base.ckpt");
      progress.line("base: " + base + " for " + before + " epochs");
      float[] baseCurve;
      try (TrainingSession baseRun = new TrainingSession(config.withModel(base), datasets)) {
        trainTo(baseRun, before, progress, "base");
        baseRun.saveCheckpoint(fork);
        baseCurve = baseRun.history().full().loss();
      }
      Checkpoint.Contents saved = Checkpoint.read(fork, config);
      int growthStep = baseCurve.length;
      for (String init : inits) {
        try (TrainingSession run = TrainingSession.resume(saved, datasets, config)) {
          double lossBefore = meanLoss(run, datasets);
          CommandResult r = run.applyNow(new Command.AddFilters(layer, count, init, null, null));
          if (!r.ok()) throw new IllegalArgumentException("growing " + layer + " with " + init + " failed: " + r.message());
          double lossAfter = meanLoss(run, datasets);
          progress.line(String.format(Locale.ROOT, "grown with %s at step %d: validation loss %.4f before, %.4f after",
              init, growthStep, lossBefore, lossAfter));
          trainTo(run, before + after, progress, init);
          curves.put("grown " + init, run.history().full().loss());
          summary.add(String.format(Locale.ROOT, "%s; validation loss just before growth %.4f, just after %.4f",
              result("grown " + init, run, datasets), lossBefore, lossAfter));
        }
      }
      LossCurves.writeCsv(out.resolve("grow.csv"), curves, window);
      LossCurves.writeSvg(out.resolve("grow.svg"), curves, window, growthStep,
          "Loss (mean of " + window + " batches): " + base + " grown to " + grown + " at step " + growthStep);
      Files.write(out.resolve("summary.txt"), summary);
      summary.forEach(progress::line);
      progress.line("wrote " + out.resolve("grow.csv") + ", " + out.resolve("grow.svg") + ", " + out.resolve("summary.txt"));
      return 0;
    }

    private static void trainTo(TrainingSession session, double epochs, Progress progress, String label) {
      session.applyNow(new Command.Resume());
      long start = System.nanoTime();
      while (session.epochProgress() < epochs) {
        session.step();
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.update(session.epochProgress() / epochs, String.format(Locale.ROOT, "%s: epoch %.2f/%s loss %.3f, %s elapsed",
            label, session.epochProgress(), epochs, session.history().recentLoss(200), Progress.duration(seconds)));
      }
      session.applyNow(new Command.Pause());
    }

    /** Loss on (up to 1,000) validation images: the function before and after growth. */
    private static double meanLoss(TrainingSession session, Datasets datasets) {
      return session.evaluate(datasets.validation(), 1000).loss();
    }

    private static String result(String name, TrainingSession session, Datasets datasets) {
      Evaluation.Result v = session.evaluate(datasets.validation(), datasets.validation().size());
      return String.format(Locale.ROOT, "%s: final mean batch loss (last 2,000 steps) %.4f, validation accuracy %.4f",
          name, session.history().recentLoss(2000), v.accuracy());
    }
  }
}
