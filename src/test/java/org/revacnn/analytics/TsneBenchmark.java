package org.revacnn.analytics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Average wall time of whole t-SNE runs, single-threaded, on Gaussian clusters (kNN, affinities,
 * PCA and optimisation included):
 * <ul>
 *   <li>{@code coldStart512x400}: a cold start of 512 points x 400 dims with the default config
 *       (750 iterations, exact gradient). Target 250 ms.
 *   <li>{@code warmStart512x400}: the live update: a warm start of the same points, nudged, from
 *       the previous map (150 iterations, no early exaggeration, Procrustes alignment).
 *   <li>{@code coldStart2000x320}: a cold start of 2,000 points x 320 dims, default config
 *       (exact gradient). Target 2 s.
 *   <li>{@code coldStart2000x320BarnesHut}: the same with Barnes-Hut forced (exact threshold
 *       1,000), for comparison.
 * </ul>
 * Run: {@code java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat cp.txt)
 * org.openjdk.jmh.Main TsneBenchmark -wi 1 -i 3 -f 1}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
@State(Scope.Benchmark)
public class TsneBenchmark {
  private static final Tsne DEFAULT = new Tsne(TsneConfig.defaults());
  private static final Tsne BARNES_HUT = new Tsne(TsneConfig.defaults().withExactThreshold(1000));

  private GaussianClusters small;
  private GaussianClusters large;
  private List<String> smallIds;
  private Map<String, LayoutPoint> smallPrevious;
  private float[] smallNudged;

  @Setup(Level.Trial)
  public void setUp() {
    small = GaussianClusters.generate(8, 64, 400, 1, 1);
    large = GaussianClusters.generate(10, 200, 320, 1, 2);
    smallIds = new ArrayList<>();
    for (int i = 0; i < small.count(); i++) smallIds.add("conv/f" + i);
    smallPrevious = DEFAULT.fit(small.points(), 400).positions(smallIds);
    smallNudged = small.points().clone();
    for (int c = 0; c < smallNudged.length; c += 7) smallNudged[c] += 0.05f;
  }

  @Benchmark
  public TsneResult coldStart512x400() {
    return DEFAULT.fit(small.points(), 400);
  }

  @Benchmark
  public TsneResult warmStart512x400() {
    return DEFAULT.warmStart(smallPrevious, smallIds, smallNudged, 400);
  }

  @Benchmark
  public TsneResult coldStart2000x320() {
    return DEFAULT.fit(large.points(), 320);
  }

  @Benchmark
  public TsneResult coldStart2000x320BarnesHut() {
    return BARNES_HUT.fit(large.points(), 320);
  }
}
