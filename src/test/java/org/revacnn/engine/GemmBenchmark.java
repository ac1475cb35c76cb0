package org.revacnn.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@link Gemm} against the naive reference loops on the engine's shapes (conv via im2col on a shard
 * of 2 or 32 CIFAR-10 images, and the dense layer). One op = one product of 2*m*n*k flops.
 *
 * <p>ops/s via JMH directly:
 * {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat cp.txt)
 * org.openjdk.jmh.Main GemmBenchmark -wi 2 -w 1s -i 3 -r 1s}.
 *
 * <p>GFLOP/s table (same JMH options accepted, defaults 2 x 1 s warm-up, 3 x 1 s measurement):
 * {@code java --add-modules jdk.incubator.vector -cp ... org.revacnn.engine.GemmBenchmark [-p shape=...]};
 * quicker and robust to a busy machine (CPU-time based, about 4 s per shape):
 * {@code java --add-modules jdk.incubator.vector -cp ... org.revacnn.engine.GemmBenchmark quick [op:m:n:k ...]}
 * ({@code cp.txt}: {@code mvn -B -ntp -q dependency:build-classpath -Dmdep.includeScope=test
 * -Dmdep.outputFile=cp.txt}). The machine may be shared: compare the two variants of one run only.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class GemmBenchmark {

  /** op:m:n:k, with n the number of images in the shard written out. */
  @Param({
      // forward conv (nn): C[F x nHW] = W[F x CinKK] * col[CinKK x nHW]
      "nn:16:2048:75", "nn:16:32768:75", "nn:20:512:400", "nn:20:8192:400", "nn:20:128:500", "nn:20:2048:500",
      // weight gradient (nt): dW[F x CinKK] += dY[F x nHW] * col^T
      "nt:16:75:2048", "nt:16:75:32768", "nt:20:400:512", "nt:20:400:8192", "nt:20:500:128", "nt:20:500:2048",
      // input gradient (tn): dcol[CinKK x nHW] = W^T * dY
      "tn:400:512:20", "tn:400:8192:20", "tn:500:128:20", "tn:500:2048:20",
      // dense layer 320 -> 10
      "nt:2:10:320", "nt:32:10:320", "tn:10:320:2", "tn:10:320:32", "nn:2:320:10", "nn:32:320:10"})
  public String shape;

  /** Named so that it sorts after "shape": JMH then runs both variants of a shape back to back. */
  @Param({"naive", "gemm"})
  public String variant;

  private String op;
  private int m, n, k;
  private float[] a, b, c;
  private boolean fast;

  @Setup
  public void setup() {
    String[] f = shape.split(":");
    op = f[0];
    m = Integer.parseInt(f[1]);
    n = Integer.parseInt(f[2]);
    k = Integer.parseInt(f[3]);
    fast = variant.equals("gemm");
    SplittableRandom rnd = new SplittableRandom(42);
    a = random(m * k, rnd);
    b = random(k * n, rnd);
    c = new float[m * n];
  }

  private static float[] random(int size, SplittableRandom rnd) {
    float[] x = new float[size];
    for (int i = 0; i < size; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1);
    return x;
  }

  @Benchmark
  public float[] product() {
    switch (op) {
      case "nn" -> {
        if (fast) Gemm.nn(m, n, k, a, 0, k, b, 0, n, c, 0, n, false);
        else naiveNn(m, n, k, a, k, b, n, c, n);
      }
      case "nt" -> {
        if (fast) Gemm.nt(m, n, k, a, 0, k, b, 0, k, c, 0, n, false);
        else naiveNt(m, n, k, a, k, b, k, c, n);
      }
      default -> {
        if (fast) Gemm.tn(m, n, k, a, 0, m, b, 0, n, c, 0, n, false);
        else naiveTn(m, n, k, a, m, b, n, c, n);
      }
    }
    return c;
  }

  // The reference loops Gemm started from (i-k-j for nn/tn so C2 auto-vectorises; i-j-k dot for nt).

  static void naiveNn(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc) {
    for (int i = 0; i < m; i++) {
      java.util.Arrays.fill(c, i * ldc, i * ldc + n, 0f);
      for (int p = 0; p < k; p++) {
        float aip = a[i * lda + p];
        for (int j = 0; j < n; j++) c[i * ldc + j] += aip * b[p * ldb + j];
      }
    }
  }

  static void naiveNt(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) sum += a[i * lda + p] * b[j * ldb + p];
        c[i * ldc + j] = sum;
      }
    }
  }

  static void naiveTn(int m, int n, int k, float[] a, int lda, float[] b, int ldb, float[] c, int ldc) {
    for (int i = 0; i < m; i++) java.util.Arrays.fill(c, i * ldc, i * ldc + n, 0f);
    for (int p = 0; p < k; p++) {
      for (int i = 0; i < m; i++) {
        float api = a[p * lda + i];
        for (int j = 0; j < n; j++) c[i * ldc + j] += api * b[p * ldb + j];
      }
    }
  }

  /**
   * Prints GFLOP/s per shape for both variants. {@code quick} (first argument, optionally followed by
   * shapes op:m:n:k): alternates the two variants in 0.2 s windows on this thread and reports the best
   * window of each, timed by this thread's CPU time, which stays meaningful while other processes
   * share the cores. Otherwise: runs JMH (command-line options accepted; default 2 x 1 s warm-up,
   * 3 x 1 s measurement) and converts its wall-clock ops/s.
   */
  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("quick")) {
      System.out.printf("%-18s %16s %16s %8s%n", "op:m:n:k", "naive GFLOP/s", "gemm GFLOP/s", "speedup");
      String[] shapes = args.length > 1 ? Arrays.copyOfRange(args, 1, args.length)
          : GemmBenchmark.class.getField("shape").getAnnotation(Param.class).value();
      for (String s : shapes) {
        double naive = bestCpuGflops(s, "naive");
        double gemm = bestCpuGflops(s, "gemm");
        for (int round = 0; round < 4; round++) {
          naive = Math.max(naive, bestCpuGflops(s, "naive"));
          gemm = Math.max(gemm, bestCpuGflops(s, "gemm"));
        }
        System.out.printf("%-18s %16.2f %16.2f %7.1fx%n", s, naive, gemm, gemm / naive);
      }
      return;
    }
    CommandLineOptions cli = new CommandLineOptions(args);
    OptionsBuilder opts = new OptionsBuilder();
    opts.parent(cli);
    if (cli.getIncludes().isEmpty()) opts.include(GemmBenchmark.class.getName() + ".product");
    if (!cli.getWarmupIterations().hasValue()) opts.warmupIterations(2);
    if (!cli.getWarmupTime().hasValue()) opts.warmupTime(TimeValue.seconds(1));
    if (!cli.getMeasurementIterations().hasValue()) opts.measurementIterations(3);
    if (!cli.getMeasurementTime().hasValue()) opts.measurementTime(TimeValue.seconds(1));
    Collection<RunResult> results = new Runner(opts.build()).run();

    Map<String, Map<String, double[]>> table = new LinkedHashMap<>();
    for (RunResult r : results) {
      String s = r.getParams().getParam("shape");
      double flops = flops(s);
      double opsPerSec = r.getPrimaryResult().getScore();
      double err = r.getPrimaryResult().getScoreError();
      table.computeIfAbsent(s, x -> new LinkedHashMap<>())
          .put(r.getParams().getParam("variant"), new double[] {opsPerSec * flops / 1e9, err * flops / 1e9});
    }
    System.out.printf("%n%-18s %16s %16s %8s%n", "op:m:n:k", "naive GFLOP/s", "gemm GFLOP/s", "speedup");
    table.forEach((s, byVariant) -> {
      double[] naive = byVariant.getOrDefault("naive", new double[] {Double.NaN, 0});
      double[] gemm = byVariant.getOrDefault("gemm", new double[] {Double.NaN, 0});
      System.out.printf("%-18s %9.2f ±%5.2f %9.2f ±%5.2f %7.1fx%n",
          s, naive[0], naive[1], gemm[0], gemm[1], gemm[0] / naive[0]);
    });
  }

  private static double flops(String shape) {
    String[] f = shape.split(":");
    return 2.0 * Long.parseLong(f[1]) * Long.parseLong(f[2]) * Long.parseLong(f[3]);
  }

  /** Best GFLOP/s per CPU-second over three 0.2 s windows of one variant on one shape. */
  private static double bestCpuGflops(String shape, String variant) {
    GemmBenchmark bench = new GemmBenchmark();
    bench.shape = shape;
    bench.variant = variant;
    bench.setup();
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    double best = 0;
    for (int window = 0; window < 3; window++) {
      long start = mx.getCurrentThreadCpuTime();
      long calls = 0;
      do {
        bench.product();
        calls++;
      } while (mx.getCurrentThreadCpuTime() - start < 200_000_000L);
      best = Math.max(best, calls * flops(shape) / (mx.getCurrentThreadCpuTime() - start));
    }
    return best;
  }
}
