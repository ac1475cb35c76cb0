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
import org.revacnn.session.BranchedSession;
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
   * mid-training with each init mode, and compare with the base left untouched and with the grown
   * architecture trained from scratch on the same seed and image budget. The arms are forks of the
   * base run at the growth point, made and ended by the live fork's own commands (fork, keep-branch:
   * docs/PROTOCOL.md "Fork"), one at a time on this thread.
   */
  @CommandLine.Command(name = "grow", mixinStandardHelpOptions = true,
      description = "Train BASE for --before epochs, then fork it: one branch per init mode adds --count filters to --layer,"
          + " one stays untouched; each trains on for --after epochs. Beside them the grown architecture trains from scratch"
          + " for the same total. Writes CSV and SVG.")
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
      try (BranchedSession scratch = new BranchedSession(new TrainingSession(config.withModel(grown), datasets), null, null)) {
        trainTo(scratch, null, before + after, progress, "scratch");
        curves.put("scratch " + grown, scratch.history().full().loss());
        summary.add(result("scratch " + grown, scratch.branch(null), datasets));
      }
      float[] baseCurve;
      progress.line("base: " + base + " for " + before + " epochs, then forked: one branch grown per init mode, one untouched");
      try (BranchedSession baseRun = new BranchedSession(new TrainingSession(config.withModel(base), datasets), null, null)) {
        String untouched = baseRun.branchIds().getFirst();
        trainTo(baseRun, untouched, before, progress, "base");
        baseCurve = baseRun.branch(untouched).history().full().loss();
        for (String init : inits) {
          summary.add(grownArm(baseRun, untouched, init, baseCurve.length, curves, datasets, progress));
        }
        trainTo(baseRun, untouched, before + after, progress, "untouched");
        curves.put("untouched " + base, baseRun.branch(untouched).history().full().loss());
        summary.add(result("untouched " + base, baseRun.branch(untouched), datasets));
      }
      int growthStep = baseCurve.length;
      LossCurves.writeCsv(out.resolve("grow.csv"), curves, window);
      LossCurves.writeSvg(out.resolve("grow.svg"), curves, window, growthStep,
          "Loss (mean of " + window + " batches): " + base + " grown to " + grown + " at step " + growthStep);
      Files.write(out.resolve("summary.txt"), summary);
      summary.forEach(progress::line);
      progress.line("wrote " + out.resolve("grow.csv") + ", " + out.resolve("grow.svg") + ", " + out.resolve("summary.txt"));
      return 0;
    }

    /**
     * One grown arm, as a user forks live (docs/PROTOCOL.md "Fork"): branch {@code untouched} (paused
     * at the growth point) forks, the new branch grows with {@code init} and trains on to the end,
     * then keep-branch ends it, leaving {@code untouched} as it was for the next arm. Returns its summary line.
     */
    private String grownArm(BranchedSession baseRun, String untouched, String init, int growthStep, Map<String, float[]> curves,
        Datasets datasets, Progress progress) {
      String id = (String) checked(baseRun.applyNow(untouched, new Command.Fork()), "forking the base run").changes().get("forked");
      TrainingSession arm = baseRun.branch(id);
      double lossBefore = meanLoss(arm, datasets);
      checked(baseRun.applyNow(id, new Command.AddFilters(layer, count, init, null, null)), "growing " + layer + " with " + init);
      double lossAfter = meanLoss(arm, datasets);
      progress.line(String.format(Locale.ROOT, "grown with %s at step %d: validation loss %.4f before, %.4f after",
          init, growthStep, lossBefore, lossAfter));
      trainTo(baseRun, id, before + after, progress, init);
      curves.put("grown " + init, arm.history().full().loss());
      String line = String.format(Locale.ROOT, "%s; validation loss just before growth %.4f, just after %.4f",
          result("grown " + init, arm, datasets), lossBefore, lossAfter);
      checked(baseRun.applyNow(untouched, new Command.KeepBranch(untouched)), "ending the " + init + " branch");
      return line;
    }

    private static CommandResult checked(CommandResult result, String what) {
      if (!result.ok()) throw new IllegalArgumentException(what + " failed: " + result.message());
      return result;
    }

    /** Trains branch {@code id} alone (the others are paused) until {@code epochs}, then pauses it. */
    private static void trainTo(BranchedSession run, String id, double epochs, Progress progress, String label) {
      TrainingSession session = run.branch(id);
      run.applyNow(id, new Command.Resume());
      long start = System.nanoTime();
      while (session.epochProgress() < epochs) {
        run.round();
        double seconds = (System.nanoTime() - start) / 1e9;
        progress.update(session.epochProgress() / epochs, String.format(Locale.ROOT, "%s: epoch %.2f/%s loss %.3f, %s elapsed",
            label, session.epochProgress(), epochs, session.history().recentLoss(200), Progress.duration(seconds)));
      }
      run.applyNow(id, new Command.Pause());
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
