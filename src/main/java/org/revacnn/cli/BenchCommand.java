package org.revacnn.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.engine.Shape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Measures training and inference throughput of a model on random 32x32x3 data: img/s at
 * batch 4 and 64 (or {@code --batches}), 1 and 2 threads, median of several timed runs after a warm-up.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure training and inference images/second on random 32x32x3 data.")
public final class BenchCommand implements Callable<Integer> {
  @Option(names = "--model", description = "Model shorthand (default: ${DEFAULT-VALUE}).", defaultValue = NetworkSpec.PAPER_MODEL)
  String model;

  @Option(names = "--json", description = "Print one JSON object instead of a table.")
  boolean json;

  @Option(names = "--quick", description = "Short runs (about 30 s in all) for a smoke check.")
  boolean quick;

  @Option(names = "--seconds", description = "Seconds per timed run (default 3, quick 0.6).")
  Double seconds;

  @Option(names = "--repeats", description = "Timed runs per figure; the median is reported (default 5, quick 3).")
  Integer repeats;

  @Option(names = "--warmup", description = "Seconds of JIT warm-up before the timed runs (default 5, quick 2).")
  Double warmupSeconds;

  @Option(names = "--threads", split = ",", description = "Thread counts to measure (default: ${DEFAULT-VALUE}).", defaultValue = "1,2")
  int[] threadCounts;

  @Option(names = "--batches", split = ",", description = "Training batch sizes to measure (default: ${DEFAULT-VALUE}).",
      defaultValue = "4,64")
  int[] batches;

  private static final Shape INPUT = new Shape(3, 32, 32);
  private static final int CLASSES = 10;

  @Override
  public Integer call() {
    double secondsPerRun = seconds != null ? seconds : quick ? 0.6 : 3.0;
    int runs = repeats != null ? repeats : quick ? 3 : 5;
    if (secondsPerRun <= 0 || runs < 1) throw new IllegalArgumentException("--seconds must be > 0 and --repeats >= 1");
    Map<String, Map<String, Map<String, Double>>> results = new LinkedHashMap<>();
    // one JIT warm-up of every code path first, so the first figure is not measured half-compiled
    double warmUp = warmupSeconds != null ? warmupSeconds : quick ? 2 : 5;
    if (warmUp < 0) throw new IllegalArgumentException("--warmup must be >= 0");
    for (int batch : batches) {
      if (batch < 1 || batch > Hyperparameters.MAX_BATCH_SIZE) {
        throw new IllegalArgumentException("--batches must be in 1.." + Hyperparameters.MAX_BATCH_SIZE + ", got " + batch);
      }
    }
    for (int batch : batches) measure(batch, 1, true, warmUp / (batches.length + 1), 1);
    measure(64, 1, false, warmUp / (batches.length + 1), 1);
    for (int batch : batches) {
      for (int threads : threadCounts) {
        double v = measure(batch, threads, true, secondsPerRun, runs);
        put(results, "train", "batch" + batch, "threads" + threads, v);
        progress("train batch %d threads %d: %.0f img/s%n", batch, threads, v);
      }
    }
    for (int threads : threadCounts) {
      double v = measure(64, threads, false, secondsPerRun, runs);
      put(results, "infer", "batch64", "threads" + threads, v);
      progress("infer batch 64 threads %d: %.0f img/s%n", threads, v);
    }
    long peakKb = peakResidentKb();
    if (json) {
      System.out.println(toJson(results, peakKb));
    } else {
      System.out.printf("model %s, random %s data, median of %d runs of %.1f s%n", model, INPUT, runs, secondsPerRun);
      results.forEach((mode, byBatch) -> byBatch.forEach((batch, byThreads) -> byThreads.forEach((threads, v) ->
          System.out.printf("  %-6s %-8s %-9s %10.0f img/s%n", mode, batch, threads, v))));
      System.out.printf("  peak resident memory: %d MB%n", peakKb / 1024);
    }
    return 0;
  }

  private void progress(String format, Object... args) {
    if (json) System.err.printf(format, args);
  }

  /** Median img/s over {@code runs} timed runs, after a warm-up run of the same length. */
  private double measure(int batch, int threads, boolean training, double secondsPerRun, int runs) {
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * INPUT.size()];
    for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
    int[] labels = random.ints(batch, 0, CLASSES).toArray();
    // the peers' settings: SGD, momentum 0.9, learning rate 0.01, weight decay 1e-4
    Hyperparameters hyper = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.01f)
        .withBatchSize(batch);
    try (Network net = Network.build(NetworkSpec.parse(model, INPUT, CLASSES), 1)) {
      net.setThreads(threads);
      Runnable step = training ? () -> net.trainStep(images, labels, batch, hyper) : () -> net.logits(images, batch);
      timedRun(step, batch, secondsPerRun);
      double[] rates = new double[runs];
      for (int r = 0; r < runs; r++) rates[r] = timedRun(step, batch, secondsPerRun);
      Arrays.sort(rates);
      return rates[runs / 2];
    }
  }

  private static double timedRun(Runnable step, int batch, double seconds) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    long images = 0;
    long now;
    do {
      step.run();
      images += batch;
      now = System.nanoTime();
    } while (now < deadline);
    return images / ((now - start) / 1e9);
  }

  private static void put(Map<String, Map<String, Map<String, Double>>> m, String a, String b, String c, double v) {
    m.computeIfAbsent(a, k -> new LinkedHashMap<>()).computeIfAbsent(b, k -> new LinkedHashMap<>()).put(c, v);
  }

  private String toJson(Map<String, Map<String, Map<String, Double>>> results, long peakKb) {
    List<String> modes = new ArrayList<>();
    results.forEach((mode, byBatch) -> {
      List<String> batches = new ArrayList<>();
      byBatch.forEach((batch, byThreads) -> {
        List<String> entries = new ArrayList<>();
        byThreads.forEach((threads, v) -> entries.add("\"" + threads + "\": " + Math.round(v * 10) / 10.0));
        batches.add("\"" + batch + "\": {" + String.join(", ", entries) + "}");
      });
      modes.add("\"" + mode + "\": {" + String.join(", ", batches) + "}");
    });
    return "{\"model\": \"" + model + "\", " + String.join(", ", modes) + ", \"peakResidentMb\": " + peakKb / 1024 + "}";
  }

  /** VmHWM from /proc/self/status (Linux), or 0 when unavailable. */
  static long peakResidentKb() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
