package org.revacnn.session;

import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * Decides whether a training step diverged: the loss is not finite, the loss exceeds
 * {@code factor} times the mean of the recent batches (after a short warm-up), or a weight is no
 * longer finite. The session then pauses and rolls back to its last good weights.
 */
final class DivergenceGuard {
  /** Steps before the loss-spike rule applies: early losses swing widely. */
  static final int WARM_UP_STEPS = 50;

  private DivergenceGuard() {}

  /** The reason this step diverged, or null when it did not. */
  static String check(double loss, double recentMeanLoss, int stepsSoFar, double factor, Network network) {
    if (!Double.isFinite(loss)) return "the loss became " + loss;
    if (stepsSoFar > WARM_UP_STEPS && Double.isFinite(recentMeanLoss) && loss > factor * recentMeanLoss) {
      return String.format("the batch loss %.4g exceeded %.3g times its recent average %.4g", loss, factor, recentMeanLoss);
    }
    for (Param p : network.params()) {
      for (float w : p.value()) {
        if (!Float.isFinite(w)) return "a weight of " + p.name() + " became " + w;
      }
    }
    return null;
  }
}
