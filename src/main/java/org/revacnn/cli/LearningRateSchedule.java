package org.revacnn.cli;

/**
 * The learning rate of a headless run as a function of the epochs done so far, e in [0, epochs).
 * With W warm-up epochs, the rate first climbs linearly from {@code start} to the peak rate r
 * (lr(e) = start + (r - start) e / W); then it stays at r ({@link Kind#CONSTANT}) or falls along
 * half a cosine to {@code end} over the remaining E - W epochs:
 * lr(e) = end + (r - end) (1 + cos(pi (e - W) / (E - W))) / 2.
 * {@link Kind#CONSTANT} and {@link Kind#COSINE} start warm-up at 0, and cosine ends at 0; {@link Kind#ONE_CYCLE} is PyTorch's
 * {@code OneCycleLR} with cosine annealing for the rate (start r / 25, end r / 25e4; without
 * its momentum cycle). The rate is set {@value #UPDATES_PER_EPOCH} times an epoch, each time to
 * the value at the middle of the coming interval, so warm-up never sets 0. Immutable.
 */
record LearningRateSchedule(Kind kind, float peak, double warmupEpochs, double epochs) {
  /** How often per epoch the rate is changed (each change is one steering entry of the run). */
  static final int UPDATES_PER_EPOCH = 20;
  /** OneCycleLR's defaults: initial rate peak / 25, final rate initial / 1e4, warm-up 30% of the run. */
  static final double ONE_CYCLE_DIV = 25;
  static final double ONE_CYCLE_FINAL_DIV = 1e4;
  static final double ONE_CYCLE_WARMUP_FRACTION = 0.3;

  enum Kind { CONSTANT, COSINE, ONE_CYCLE }

  LearningRateSchedule {
    if (!(epochs > 0)) throw new IllegalArgumentException("epochs must be > 0, got " + epochs);
    if (!(warmupEpochs >= 0 && warmupEpochs < epochs)) {
      throw new IllegalArgumentException("--warmup-epochs must be in [0, epochs) = [0, " + epochs + "), got " + warmupEpochs);
    }
  }

  /** The schedule the train options ask for; one-cycle warms up for 30% of the run unless told otherwise. */
  static LearningRateSchedule of(boolean cosine, boolean oneCycle, Double warmup, float peak, double epochs) {
    if (cosine && oneCycle) throw new IllegalArgumentException("choose --cosine or --one-cycle, not both");
    Kind kind = oneCycle ? Kind.ONE_CYCLE : cosine ? Kind.COSINE : Kind.CONSTANT;
    double warmupEpochs = warmup != null ? warmup : oneCycle ? ONE_CYCLE_WARMUP_FRACTION * epochs : 0;
    return new LearningRateSchedule(kind, peak, warmupEpochs, epochs);
  }

  /** Whether the rate ever changes during the run. */
  boolean varies() {
    return kind != Kind.CONSTANT || warmupEpochs > 0;
  }

  /** The interval of 1 / {@value #UPDATES_PER_EPOCH} epoch that {@code epochsDone} falls in. */
  static long interval(double epochsDone) {
    return (long) Math.floor(epochsDone * UPDATES_PER_EPOCH);
  }

  /** The rate to use through interval {@code k}: the schedule at the interval's middle, never below 1e-8. */
  float rateForInterval(long k) {
    return (float) Math.max(rate((k + 0.5) / UPDATES_PER_EPOCH), 1e-8);
  }

  /** lr(e) as the class comment defines it. */
  double rate(double epoch) {
    double start = kind == Kind.ONE_CYCLE ? peak / ONE_CYCLE_DIV : 0;
    double end = kind == Kind.ONE_CYCLE ? start / ONE_CYCLE_FINAL_DIV : kind == Kind.COSINE ? 0 : peak;
    if (epoch < warmupEpochs) return start + (peak - start) * epoch / warmupEpochs;
    double fraction = Math.min(1, (epoch - warmupEpochs) / (epochs - warmupEpochs));
    return end + (peak - end) * 0.5 * (1 + Math.cos(Math.PI * fraction));
  }
}
