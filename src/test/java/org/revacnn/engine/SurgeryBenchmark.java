package org.revacnn.engine;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Time of one surgery operation on the paper's model (conv16-conv20-conv20, 3x32x32, 10 classes),
 * which must stay under 5 ms so it fits between two training steps. Each add is undone (and each
 * remove prepared) outside the measured call.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class SurgeryBenchmark {
  private Network network;
  private List<String> added = List.of();

  @Setup(Level.Trial)
  public void build() {
    network = Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 1);
  }

  @TearDown(Level.Invocation)
  public void undoAdd() {
    if (!added.isEmpty()) Surgery.removeFilters(network, "conv2", added);
    added = List.of();
  }

  @Benchmark
  public SurgeryResult addFilterRandom() {
    SurgeryResult result = Surgery.addFilters(network, "conv2", 1, GrowInit.RANDOM, null, 0);
    added = result.addedUnits();
    return result;
  }

  @Benchmark
  public SurgeryResult addFilterNet2Net() {
    SurgeryResult result = Surgery.addFilters(network, "conv2", 1, GrowInit.NET2NET, null, 0);
    added = result.addedUnits();
    return result;
  }

  /** Removes the filter that {@link RemoveState} added before the call. */
  @Benchmark
  public SurgeryResult removeFilter(RemoveState state) {
    return Surgery.removeFilters(state.network, "conv2", state.toRemove);
  }

  /** A network with one spare filter in conv2, added before every removal. */
  @State(Scope.Thread)
  public static class RemoveState {
    Network network;
    List<String> toRemove;

    @Setup(Level.Trial)
    public void build() {
      network = Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 1);
    }

    @Setup(Level.Invocation)
    public void addSpare() {
      toRemove = Surgery.addFilters(network, "conv2", 1, GrowInit.RANDOM, null, 0).addedUnits();
    }
  }
}
