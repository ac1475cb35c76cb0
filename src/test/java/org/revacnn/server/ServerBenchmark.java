package org.revacnn.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * What watching costs: training images/second with 0, 5 and 20 (+1 that never reads) WebSocket
 * clients at the default 10 Hz, the server's heap with the stalled client, and the latency of a
 * command (send -> ack -> first snapshot showing it) at batch 4. The phases alternate over several
 * rounds and medians are reported, since the machine is shared. Run:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat cp.txt) \
 *     org.revacnn.server.ServerBenchmark [secondsPerPhase=6] [rounds=3] [latencySamples=60]
 * </pre>
 */
public final class ServerBenchmark {
  private ServerBenchmark() {}

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 6;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int samples = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    // the divergence guard off: at batch 4 a single bad batch can exceed 4x the recent mean and pause the run midway
    SessionConfig config = SessionFixtures.config().withDivergence(1e9, 100);
    TrainingSession session = new TrainingSession(config, SessionFixtures.data());
    session.start(true);
    try (WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null))) {
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/ws");
      measure(session, seconds);
      List<Double> none = new ArrayList<>();
      List<Double> five = new ArrayList<>();
      List<Double> twenty = new ArrayList<>();
      long heapBaseline = usedHeapAfterGc();
      long heapWithStalled = 0;
      long received = 0;
      long receivedBytes = 0;
      for (int round = 0; round < rounds; round++) {
        // alternate the order (0, 5, 20 then 20, 5, 0) so drift and clean-up do not favour one phase
        boolean ascending = round % 2 == 0;
        List<CountingClient> readers = new ArrayList<>();
        List<CountingClient> stalled = new ArrayList<>();
        if (ascending) none.add(measure(session, seconds));
        readers.addAll(connect(uri, ascending ? 5 : 20, true));
        if (!ascending) stalled.addAll(connect(uri, 1, false));
        (ascending ? five : twenty).add(measure(session, seconds));
        if (ascending) {
          readers.addAll(connect(uri, 15, true));
          stalled.addAll(connect(uri, 1, false));
        } else {
          stalled.forEach(CountingClient::close);
          readers.subList(5, 20).forEach(CountingClient::close);
        }
        (ascending ? twenty : five).add(measure(session, seconds));
        if (ascending) heapWithStalled = Math.max(heapWithStalled, usedHeapAfterGc());
        for (CountingClient c : readers) {
          received += c.messages.get();
          receivedBytes += c.bytes.get();
        }
        readers.forEach(CountingClient::close);
        stalled.forEach(CountingClient::close);
        if (!ascending) none.add(measure(session, seconds));
        System.out.printf("round %d: 0 clients %.1f img/s, 5 clients %.1f, 20+1 stalled %.1f%n",
            round + 1, none.getLast(), five.getLast(), twenty.getLast());
      }
      System.out.printf("median img/s: 0 clients %.1f | 5 clients %.1f (%+.1f%%) | 20 + 1 stalled %.1f (%+.1f%%)%n",
          median(none), median(five), change(median(five), median(none)), median(twenty), change(median(twenty), median(none)));
      System.out.printf("mean snapshot size %.1f KB; heap after GC: %.1f MB before clients, at most %.1f MB with 20 + 1 stalled%n",
          receivedBytes / 1024.0 / Math.max(1, received), heapBaseline / 1e6, heapWithStalled / 1e6);
      latency(uri, samples, "training");
      session.submit(new org.revacnn.session.Command.Pause()).get(30, TimeUnit.SECONDS);
      latency(uri, samples, "paused");
    } finally {
      session.close();
    }
  }

  /**
   * Images trained per second over {@code seconds}, from the session's step counter; also prints
   * the CPU the rest of the process (server and the in-process clients) used, in cores.
   */
  private static double measure(TrainingSession session, double seconds) throws Exception {
    long before = examplesSeen(session);
    long otherCpuBefore = processCpuNanos() - trainingThreadCpuNanos();
    long start = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    long after = examplesSeen(session);
    long elapsed = System.nanoTime() - start;
    if (!session.latest().state().equals("running")) {
      throw new IllegalStateException("training stopped during the measurement: " + session.latest().alert());
    }
    long otherCpu = processCpuNanos() - trainingThreadCpuNanos() - otherCpuBefore;
    System.out.printf("  %.1f img/s, other threads %.3f cores%n", (after - before) / (elapsed / 1e9), (double) otherCpu / elapsed);
    return (after - before) / (elapsed / 1e9);
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static long trainingThreadCpuNanos() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("revacnn-training")) {
        return java.lang.management.ManagementFactory.getThreadMXBean().getThreadCpuTime(t.threadId());
      }
    }
    throw new IllegalStateException("no training thread");
  }

  private static long examplesSeen(TrainingSession session) throws Exception {
    return session.query(net -> session.history().stepCount()).get(30, TimeUnit.SECONDS) * 4L;
  }

  /** Sends set-hyperparameters with a new learning rate; times the ack and the first snapshot showing the rate. */
  private static void latency(URI uri, int samples, String state) throws Exception {
    double[] ackMillis = new double[samples];
    double[] visibleMillis = new double[samples];
    try (SocketClient client = SocketClient.connect(uri)) {
      client.awaitType("hello");
      for (int i = 0; i < samples; i++) {
        float rate = 0.001f * (1 + i % 7);
        long start = System.nanoTime();
        client.send("set-hyperparameters", "l" + i, Map.of("learningRate", rate));
        client.awaitAnswer("l" + i);
        ackMillis[i] = (System.nanoTime() - start) / 1e6;
        client.await(m -> isSnapshotWithRate(m, rate), Duration.ofSeconds(20));
        visibleMillis[i] = (System.nanoTime() - start) / 1e6;
      }
    }
    Arrays.sort(ackMillis);
    Arrays.sort(visibleMillis);
    System.out.printf("command latency over %d samples (batch 4, %s): ack p50 %.1f ms, p95 %.1f ms; "
        + "first snapshot showing it p50 %.1f ms, p95 %.1f ms%n", samples, state, percentile(ackMillis, 50), percentile(ackMillis, 95),
        percentile(visibleMillis, 50), percentile(visibleMillis, 95));
  }

  private static boolean isSnapshotWithRate(JsonNode message, float rate) {
    return message.path("type").asText().equals("snapshot")
        && (float) message.at("/payload/hyperparameters/learningRate").asDouble() == rate;
  }

  private static List<CountingClient> connect(URI uri, int count, boolean reads) {
    List<CountingClient> clients = new ArrayList<>();
    for (int i = 0; i < count; i++) clients.add(new CountingClient(uri, reads));
    return clients;
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static double change(double value, double base) {
    return 100 * (value - base) / base;
  }

  private static double percentile(double[] sorted, int p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
  }

  /** A client that only counts what it receives (as a browser in another process would, at no cost here); or never reads. */
  private static final class CountingClient implements WebSocket.Listener {
    final AtomicLong messages = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    private final boolean reads;
    private final WebSocket socket;

    CountingClient(URI uri, boolean reads) {
      this.reads = reads;
      this.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, this).join();
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      bytes.addAndGet(data.length());
      if (last) messages.incrementAndGet();
      if (reads) webSocket.request(1);
      return null;
    }

    void close() {
      socket.abort();
    }
  }
}
