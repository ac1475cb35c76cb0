package org.revacnn.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Everything that happened in a session, for the charts and checkpoints: the loss and training
 * accuracy of every batch (as the paper plots them) with the examples seen, wall-clock time and
 * throughput when it ended (so that charts can plot against any of them), periodic validation
 * accuracy, and the steering log. The log keeps its last {@link #MAX_STEERING} entries and counts
 * the older ones it dropped, so its memory is bounded however long a session runs. A {@link Sink}
 * (the run's log on disk, RunLog) can receive every entry as it is recorded. Written by the
 * training thread, read by any thread: all methods synchronise.
 */
public final class History {
  /** Steering entries kept; older ones are dropped and counted. */
  public static final int MAX_STEERING = 1000;

  private float[] loss = new float[1024];
  private float[] accuracy = new float[1024];
  private long[] examplesSeen = new long[1024];
  private long[] wallMillis = new long[1024];
  private float[] imagesPerSecond = new float[1024];
  private long firstStep = 1;
  private int count;
  private final List<ValidationPoint> validation = new ArrayList<>();
  private final java.util.ArrayDeque<SteeringEntry> steering = new java.util.ArrayDeque<>();
  private long droppedSteering;
  private Sink sink;

  /**
   * Receives every entry a history records, in order, as it is recorded; called with the history's
   * lock held, so it must be quick and must not call back into the history.
   */
  public interface Sink {
    void step(long step, float loss, float accuracy, long examplesSeen, long wallMillis, float imagesPerSecond);

    void validation(ValidationPoint point);

    void steering(SteeringEntry entry);
  }

  /** Validation accuracy measured at a step on a fixed held-out subset. */
  public record ValidationPoint(long step, int epoch, double accuracy, double loss) {}

  /**
   * A compact copy for the UI: the batch points averaged into at most {@code maxPoints} buckets of
   * {@code stride} steps each ({@code stepOf(i) = firstStep + i * stride}), plus all validation points
   * and the steering entries kept with how many older ones were dropped (0 in checkpoints written
   * before the cap). Per bucket, {@code examplesSeen} and {@code wallMillis} are those of its
   * last step (0: not recorded, as in checkpoints written before they were) and
   * {@code imagesPerSecond} the bucket's mean. Saved views without them read as null.
   */
  public record View(long firstStep, int stride, float[] loss, float[] accuracy, long[] examplesSeen, long[] wallMillis,
      float[] imagesPerSecond, List<ValidationPoint> validation, List<SteeringEntry> steering, long droppedSteering) {

    /** Whether it carries timing (examples, wall time, throughput), as views saved before they were recorded do not. */
    boolean timed() {
      return examplesSeen != null || wallMillis != null || imagesPerSecond != null;
    }

    /**
     * Checks that the timing arrays, when there are any, hold one value per step.
     *
     * @throws IllegalArgumentException when one is missing or of another length than {@code loss}
     */
    void checkTiming() {
      int steps = loss.length;
      if (timed() && !(length(examplesSeen) == steps && length(wallMillis) == steps
          && imagesPerSecond != null && imagesPerSecond.length == steps)) {
        throw new IllegalArgumentException("the history's examplesSeen, wallMillis and imagesPerSecond must each hold "
            + steps + " values, one per step");
      }
    }

    private static int length(long[] values) {
      return values == null ? -1 : values.length;
    }
  }

  /** A batch without timing (tests, checkpoints written before it was recorded): examples and time 0, throughput NaN. */
  public void addStep(long step, double batchLoss, double batchAccuracy) {
    addStep(step, batchLoss, batchAccuracy, 0, 0, Double.NaN);
  }

  /**
   * A batch: its loss and accuracy, the examples seen and the wall-clock time ({@code System.currentTimeMillis()})
   * when it ended, and the smoothed training throughput then.
   */
  public synchronized void addStep(long step, double batchLoss, double batchAccuracy, long examples, long millis,
      double throughput) {
    if (count == 0) firstStep = step;
    if (count == loss.length) {
      loss = Arrays.copyOf(loss, count * 2);
      accuracy = Arrays.copyOf(accuracy, count * 2);
      examplesSeen = Arrays.copyOf(examplesSeen, count * 2);
      wallMillis = Arrays.copyOf(wallMillis, count * 2);
      imagesPerSecond = Arrays.copyOf(imagesPerSecond, count * 2);
    }
    loss[count] = (float) batchLoss;
    accuracy[count] = (float) batchAccuracy;
    examplesSeen[count] = examples;
    wallMillis[count] = millis;
    imagesPerSecond[count] = (float) throughput;
    count++;
    if (sink != null) sink.step(step, loss[count - 1], accuracy[count - 1], examples, millis, imagesPerSecond[count - 1]);
  }

  public synchronized void addValidation(ValidationPoint point) {
    validation.add(point);
    if (sink != null) sink.validation(point);
  }

  public synchronized void addSteering(SteeringEntry entry) {
    if (sink != null) sink.steering(entry);
    steering.addLast(entry);
    if (steering.size() > MAX_STEERING) {
      steering.removeFirst();
      droppedSteering++;
    }
  }

  /**
   * From now on every entry recorded is also sent to {@code sink}; with {@code includePast}, every
   * batch, validation point and kept steering entry recorded so far is sent first (in that order).
   */
  public synchronized void recordTo(Sink sink, boolean includePast) {
    if (includePast) {
      for (int i = 0; i < count; i++) {
        sink.step(firstStep + i, loss[i], accuracy[i], examplesSeen[i], wallMillis[i], imagesPerSecond[i]);
      }
      validation.forEach(sink::validation);
      steering.forEach(sink::steering);
    }
    this.sink = sink;
  }

  /** The step of the last batch recorded, or 0 when there is none. */
  public synchronized long lastStep() {
    return count == 0 ? 0 : firstStep + count - 1;
  }

  /** The examples seen when the last batch ended, or 0 when there is none (or it was not recorded). */
  public synchronized long lastExamplesSeen() {
    return count == 0 ? 0 : examplesSeen[count - 1];
  }

  /** Steering entries dropped to keep the log at {@link #MAX_STEERING}. */
  public synchronized long droppedSteering() {
    return droppedSteering;
  }

  public synchronized int stepCount() {
    return count;
  }

  public synchronized List<SteeringEntry> steering() {
    return List.copyOf(steering);
  }

  public synchronized List<ValidationPoint> validation() {
    return List.copyOf(validation);
  }

  /** The mean batch loss over the last {@code window} steps, or NaN when there are none. */
  public synchronized double recentLoss(int window) {
    return meanLossBefore(0, window);
  }

  /** The mean batch loss of the {@code window} steps before the last {@code skip} ones, or NaN when there are none. */
  public synchronized double meanLossBefore(int skip, int window) {
    int end = Math.max(0, count - skip);
    int n = Math.min(window, end);
    if (n == 0) return Double.NaN;
    double sum = 0;
    for (int i = end - n; i < end; i++) sum += loss[i];
    return sum / n;
  }

  public synchronized double recentAccuracy(int window) {
    int n = Math.min(window, count);
    if (n == 0) return Double.NaN;
    double sum = 0;
    for (int i = count - n; i < count; i++) sum += accuracy[i];
    return sum / n;
  }

  public synchronized View view(int maxPoints) {
    int stride = Math.max(1, (count + maxPoints - 1) / Math.max(1, maxPoints));
    int buckets = (count + stride - 1) / stride;
    float[] l = new float[buckets];
    float[] a = new float[buckets];
    long[] e = new long[buckets];
    long[] w = new long[buckets];
    float[] ips = new float[buckets];
    for (int b = 0; b < buckets; b++) {
      int from = b * stride;
      int to = Math.min(count, from + stride);
      double sl = 0;
      double sa = 0;
      double si = 0;
      for (int i = from; i < to; i++) {
        sl += loss[i];
        sa += accuracy[i];
        si += imagesPerSecond[i];
      }
      l[b] = (float) (sl / (to - from));
      a[b] = (float) (sa / (to - from));
      ips[b] = (float) (si / (to - from));
      e[b] = examplesSeen[to - 1];
      w[b] = wallMillis[to - 1];
    }
    return new View(firstStep, stride, l, a, e, w, ips, List.copyOf(validation), List.copyOf(steering), droppedSteering);
  }

  /** Every batch point, unaveraged (for checkpoints and CSV export). */
  public synchronized View full() {
    return new View(firstStep, 1, Arrays.copyOf(loss, count), Arrays.copyOf(accuracy, count), Arrays.copyOf(examplesSeen, count),
        Arrays.copyOf(wallMillis, count), Arrays.copyOf(imagesPerSecond, count), List.copyOf(validation), List.copyOf(steering), droppedSteering);
  }

  /**
   * Rebuilds a history saved with {@link #full()}; one saved before timing was recorded (no
   * examplesSeen, wallMillis, imagesPerSecond) gets none.
   *
   * @throws IllegalArgumentException when a timing array's length differs from the loss array's
   */
  public static History restore(View saved) {
    saved.checkTiming();
    History h = new History();
    boolean timed = saved.timed();
    for (int i = 0; i < saved.loss().length; i++) {
      if (timed) {
        h.addStep(saved.firstStep() + i, saved.loss()[i], saved.accuracy()[i], saved.examplesSeen()[i], saved.wallMillis()[i],
            saved.imagesPerSecond()[i]);
      } else {
        h.addStep(saved.firstStep() + i, saved.loss()[i], saved.accuracy()[i]);
      }
    }
    saved.validation().forEach(h::addValidation);
    h.droppedSteering = saved.droppedSteering();
    saved.steering().forEach(h::addSteering);
    return h;
  }
}
