package org.revacnn.session;

import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * Decides whether training diverged: the loss is not finite, a weight is no longer finite, or
 * the mean loss of the last {@link #SHORT_WINDOW} batches exceeds {@code factor} times the mean of
 * the {@link #LONG_WINDOW} batches before them, and by at least {@link #MIN_RISE}. Comparing means,
 * not single batches, keeps the
 * ordinary spikes of small batches (one batch of 4 can easily cost 5x the average) from counting.
 * The session then pauses and rolls back to its last good weights.
 */
final class DivergenceGuard {
  static final int SHORT_WINDOW = 10;
  static final int LONG_WINDOW = 200;
  /**
   * The smallest rise (in nats) of the recent mean loss that counts: near zero loss a ratio alone
   * fires on noise (0.05 -> 0.25 is 5x), while a real divergence climbs towards ln(classes) and beyond.
   */
  static final double MIN_RISE = 1.0;
  /** Steps before the loss rule applies: early losses swing widely. */
  static final int WARM_UP_STEPS = 50;

  private DivergenceGuard() {}

  /** The reason the latest step (already in {@code history}) diverged, or null when it did not. */
  static String check(double loss, History history, double factor, Network network) {
    if (!Double.isFinite(loss)) return "the loss became " + loss;
    if (history.stepCount() > WARM_UP_STEPS + SHORT_WINDOW) {
      double recent = history.meanLossBefore(0, SHORT_WINDOW);
      double before = history.meanLossBefore(SHORT_WINDOW, LONG_WINDOW);
      if (recent > factor * before && recent - before > MIN_RISE) {
        return String.format("the mean loss of the last %d batches, %.4g, exceeded %.3g times the average before, %.4g",
            SHORT_WINDOW, recent, factor, before);
      }
    }
    for (Param p : network.params()) {
      for (float w : p.value()) {
        if (!Float.isFinite(w)) return "a weight of " + p.name() + " became " + w;
      }
    }
    return null;
  }
}
