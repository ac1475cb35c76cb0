package org.revacnn.session;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.revacnn.server.Protocol;

/**
 * What a snapshot costs at scale (issue 12, section 2): trains a model one batch at a time and, after
 * each batch (no command in between; or after every few), times the training thread's snapshot build ({@link TrainingSession#publish()}) and the
 * broadcaster's packing into a WebSocket message, and counts its bytes. Reports p50/p95 of both (the
 * build also in CPU time of its thread, which a shared machine disturbs less), the
 * bytes, and how many builds ran the probe. Run:
 * <pre>
 *   java --add-modules jdk.incubator.vector -Xmx8g -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     org.revacnn.session.SnapshotBenchmark [model=WIDE_26K] [rounds=40] [buildsPerStep=1] [detail layer ids, comma-separated]
 * </pre>
 */
public final class SnapshotBenchmark {
  /** 27,072 filters in 29 conv layers (26 of 1,024 1x1 filters): resnet50's 26,500 filters, 1x1 kernels to keep it trainable. */
  public static final String WIDE_26K = "conv64k3-conv128k3-conv256k3-conv1024k1" + "-conv1024k1nopool".repeat(25);
  /** UiScaleIT's model: 5,376 filters in 20 conv layers of 3x3 kernels. */
  public static final String WIDE_5K = "conv64k3-conv64k3nopool-conv64k3nopool-conv64k3"
      + "-conv128k3nopool-conv128k3nopool-conv128k3nopool-conv128k3"
      + "-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3"
      + "-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3";

  private SnapshotBenchmark() {}

  public static void main(String[] args) {
    String model = args.length > 0 ? switch (args[0]) {
      case "WIDE_26K" -> WIDE_26K;
      case "WIDE_5K" -> WIDE_5K;
      default -> args[0];
    } : WIDE_26K;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int buildsPerStep = args.length > 2 ? Integer.parseInt(args[2]) : 1;
    SnapshotDemand demand = args.length > 3 ? new SnapshotDemand(Set.of(args[3].split(",")), Set.of()) : SnapshotDemand.NONE;
    TrainingSession session = new TrainingSession(SessionFixtures.config().withModel(model).withDivergence(1e9, 100).withSnapshotHz(0.001),
        SessionFixtures.data());
    session.demand(demand);
    int filters = session.latest().layers().stream().mapToInt(l -> l.filterIds().size()).sum();
    System.out.printf("model: %d filters in %d layers; detail of %s%n", filters, session.latest().layers().size(), demand.detailLayers());
    SessionFixtures.train(session, 2);
    SessionFixtures.apply(session, new Command.Step(rounds / buildsPerStep + 1));  // then no command until the end: the probe follows its own rule
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    List<Double> buildCpu = new ArrayList<>();
    List<Double> build = new ArrayList<>();
    List<Double> pack = new ArrayList<>();
    List<Double> step = new ArrayList<>();
    long bytes = 0;
    int probes = 0;
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      if (r % buildsPerStep == 0) session.step();
      float[] probabilitiesBefore = session.latest().probe().probabilities();
      long cpu = threads.getCurrentThreadCpuTime();
      long t1 = System.nanoTime();
      session.publish();
      long t2 = System.nanoTime();
      buildCpu.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6);
      String json = Protocol.snapshot(session.latest(), demand);
      long t3 = System.nanoTime();
      if (session.latest().probe().probabilities() != probabilitiesBefore) probes++;
      if (r % buildsPerStep == 0) step.add((t1 - t0) / 1e6);
      build.add((t2 - t1) / 1e6);
      pack.add((t3 - t2) / 1e6);
      bytes = json.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
    System.out.printf("build CPU time (this thread) p50 %.2f ms p95 %.2f ms%n", percentile(buildCpu, 50), percentile(buildCpu, 95));
    System.out.printf("%d rounds: snapshot %,d bytes; build wall p50 %.2f ms p95 %.2f ms max %.2f (%d of %d builds probed);"
        + " pack p50 %.2f ms p95 %.2f ms; training step p50 %.0f ms%n", rounds, bytes,
        percentile(build, 50), percentile(build, 95), Collections.max(build), probes, rounds, percentile(pack, 50),
        percentile(pack, 95), percentile(step, 50));
    session.close();
  }

  private static double percentile(List<Double> values, int p) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }
}
