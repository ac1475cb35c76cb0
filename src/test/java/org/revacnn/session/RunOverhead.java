package org.revacnn.session;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.revacnn.data.Datasets;
import org.revacnn.data.SyntheticShapes;
import org.revacnn.data.ValidationSplit;

/**
 * What keeping a run costs training: two identical sessions (paper model, batch 4, 2 threads,
 * synthetic data, same seed), one keeping a run, trained in alternating blocks (ABBA each round);
 * prints each round's images per wall second and per CPU second (of the whole process, less
 * sensitive to other jobs on a shared machine) of both and their ratios, the medians, the cost of
 * one log append, and the time of one checkpoint write of the run at the end.
 * Usage: java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/cp.txt)
 * org.revacnn.session.RunOverhead [rounds] [steps per block]
 */
public final class RunOverhead {
  private RunOverhead() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
    Datasets data = SyntheticShapes.datasets(4000, 100, 42, ValidationSplit.ofCount(500, 7));
    SessionConfig config = SessionConfig.defaults().withThreads(2).withAutosave(null, null);
    Path folder = Files.createTempDirectory("revacnn-run-overhead");
    RunsFolder runs = new RunsFolder(folder);
    Run run = runs.create("overhead", RunFixtures.config(config));
    try (TrainingSession plain = new TrainingSession(config, data); TrainingSession kept = new TrainingSession(config, data)) {
      kept.keepRun(RunLog.open(run.historyFile()), true);
      block(plain, steps);
      block(kept, steps);
      double[] wallRatios = new double[rounds];
      double[] cpuRatios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        double[] a = block(plain, steps);
        double[] b = block(kept, steps);
        double[] b2 = block(kept, steps);
        double[] a2 = block(plain, steps);
        wallRatios[round] = (b[0] + b2[0]) / (a[0] + a2[0]);
        cpuRatios[round] = (b[1] + b2[1]) / (a[1] + a2[1]);
        System.out.printf("round %d: plain %.1f img/s %.1f img/cpu-s, kept %.1f img/s %.1f img/cpu-s, kept/plain wall %.4f cpu %.4f%n",
            round + 1, (a[0] + a2[0]) / 2, (a[1] + a2[1]) / 2, (b[0] + b2[0]) / 2, (b[1] + b2[1]) / 2, wallRatios[round],
            cpuRatios[round]);
      }
      Arrays.sort(wallRatios);
      Arrays.sort(cpuRatios);
      System.out.printf("median kept/plain: wall %.4f (min %.4f, max %.4f), cpu %.4f (min %.4f, max %.4f); %d rounds of 4 x %d steps%n",
          wallRatios[rounds / 2], wallRatios[0], wallRatios[rounds - 1], cpuRatios[rounds / 2], cpuRatios[0],
          cpuRatios[rounds - 1], rounds, steps);
      long checkpointStart = System.nanoTime();
      kept.saveCheckpoint(run.checkpointFile());
      System.out.printf("one checkpoint write at step %d: %.1f ms, %d bytes%n", kept.sessionStep(),
          (System.nanoTime() - checkpointStart) / 1e6, Files.size(run.checkpointFile()));
    }
    appendCost(folder.resolve("appends.jsonl"));
  }

  /** Trains {@code steps} batches; returns images per wall second and per CPU second of the process. */
  private static double[] block(TrainingSession session, int steps) {
    var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    SessionFixtures.apply(session, new Command.Step(steps));
    long start = System.nanoTime();
    long cpuStart = os.getProcessCpuTime();
    for (int i = 0; i < steps; i++) session.step();
    double images = steps * (double) session.config().hyperparameters().batchSize();
    return new double[] {images / ((System.nanoTime() - start) / 1e9), images / ((os.getProcessCpuTime() - cpuStart) / 1e9)};
  }

  /** Times a million step lines appended to a log (with its half-second flushes). */
  private static void appendCost(Path file) throws Exception {
    int lines = 1_000_000;
    try (RunLog log = RunLog.open(file)) {
      for (int i = 1; i <= 100_000; i++) log.step(i, 2.3f, 0.25f, 4L * i, 1_700_000_000_000L + i, 812.5f);
      long start = System.nanoTime();
      for (int i = 1; i <= lines; i++) log.step(i, 2.3f - i * 1e-7f, 0.25f, 4L * i, 1_700_000_000_000L + i, 812.5f);
      log.flush();
      System.out.printf("one step line appended: %.2f us (%d lines, %d bytes)%n", (System.nanoTime() - start) / 1e3 / lines,
          lines, Files.size(file));
    }
  }
}
