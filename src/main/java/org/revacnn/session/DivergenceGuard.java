package org.revacnn.session;

import java.util.Arrays;
import java.util.Locale;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * Decides whether training diverged, judging only the batch losses it has seen since it was last
 * {@link #restart() restarted} (a fresh session, a rollback, any change of the network):
 * <ul>
 *   <li>at once when the loss is not finite ({@link #judge}) or a weight is not
 *       ({@link #nonFiniteWeight});
 *   <li>when the <em>median</em> loss of the last {@link #RECENT} batches (right after a restart,
 *       of the batches there are, from the {@link #FIRST_JUDGED FIRST_JUDGED}-th on) exceeds the limit:
 *       {@code factor} times the mean of up to {@link #BASELINE} batches before them, and by at least
 *       {@link #MIN_RISE} nats (once {@link #WARM_UP} such batches exist), capped at the ceiling
 *       {@code factor * max(1, ln classes)}, which alone applies before that. ln(classes) is the
 *       loss of a uniform guess, so a median above the ceiling is far worse than guessing.
 * </ul>
 * The median needs 5 of the 9 latest batches above the limit: a sustained climb is caught in 5
 * batches, while isolated spikes never pause the run. A converged run at batch 4 meets them: the
 * default synthetic run (seed 1, one thread) has losses of 8.9 and 9.1 nats at steps 17,048 and
 * 17,050 among losses near 1e-5, and 0.3% of its batches after step 8,000 exceed the 1-nat limit;
 * if those came independently, 5 of 9 would exceed it less than once in 10^10 batches (3 of 5: once in
 * 4 million, about every 1.5 hours at 750 steps/s). The old rule, the mean of the last 10 batches,
 * paused on the first spike and, as it stayed in its window, again after each of the next resumes.
 */
final class DivergenceGuard {
  /** Batches whose median is judged. */
  static final int RECENT = 9;
  /** Batches after a restart before the first judgement (then the median needs 2 of 3 high, 3 of 4 or 5, ...). */
  static final int FIRST_JUDGED = 3;
  /** Batches before them whose mean is the reference level. */
  static final int BASELINE = 200;
  /** Reference batches needed before the relative limit applies (early losses swing widely). */
  static final int WARM_UP = 50;
  /**
   * The smallest rise (in nats) of the recent median that counts: near zero loss a ratio alone
   * fires on noise (0.05 -> 0.25 is 5x), while a real divergence climbs towards ln(classes) and beyond.
   */
  static final double MIN_RISE = 1.0;

  private final double factor;
  private final int classes;
  private final double ceiling;
  private final double[] losses = new double[BASELINE + RECENT];
  private long count;

  /** @param factor how many times the reference level the recent median may reach (> 1) */
  DivergenceGuard(double factor, int classes) {
    this.factor = factor;
    this.classes = classes;
    this.ceiling = factor * Math.max(1, Math.log(classes));
  }

  /** Forgets every loss: from now on only new batches are judged. */
  void restart() {
    count = 0;
  }

  /** Records the latest batch's loss; returns why training diverged, or null when it did not. */
  String judge(double loss) {
    if (!Double.isFinite(loss)) return "the loss became " + loss;
    losses[(int) (count % losses.length)] = loss;
    count++;
    if (count < FIRST_JUDGED) return null;
    double median = recentMedian();
    double limit = limit();
    if (median <= limit) return null;
    String why = limit == ceiling
        ? String.format(Locale.ROOT, "the ceiling, far worse than a uniform guess over %d classes, loss %.4g", classes, Math.log(classes))
        : String.format(Locale.ROOT, "%.3g times the mean of the %d batches before, %.4g", factor, baselineCount(), baselineMean());
    return String.format(Locale.ROOT, "the median loss of the last %d batches, %.4g, exceeded %.4g (%s)",
        Math.min(count, RECENT), median, limit, why);
  }

  /**
   * True when the latest batch's loss is within the limit: not even a spike. A copy of the weights
   * counts as good only after {@link #RECENT} calm batches (see {@link LastGoodState}).
   */
  boolean calm() {
    return count > 0 && losses[(int) ((count - 1) % losses.length)] <= limit();
  }

  /** Why the weights are unusable (the first non-finite one), or null when all are finite. */
  static String nonFiniteWeight(Network network) {
    for (Param p : network.params()) {
      for (float w : p.value()) {
        if (!Float.isFinite(w)) return "a weight of " + p.name() + " became " + w;
      }
    }
    return null;
  }

  /** min(ceiling, max(factor * mean, mean + MIN_RISE)) once the reference holds WARM_UP batches, else the ceiling. */
  private double limit() {
    if (baselineCount() < WARM_UP) return ceiling;
    double mean = baselineMean();
    return Math.min(ceiling, Math.max(factor * mean, mean + MIN_RISE));
  }

  /** The lower median of the latest min(count, RECENT) losses: more than half of them must exceed a limit for it to. */
  private double recentMedian() {
    double[] recent = new double[(int) Math.min(count, RECENT)];
    for (int i = 0; i < recent.length; i++) recent[i] = losses[(int) ((count - 1 - i) % losses.length)];
    Arrays.sort(recent);
    return recent[(recent.length - 1) / 2];
  }

  private int baselineCount() {
    return (int) Math.max(0, Math.min(BASELINE, count - RECENT));
  }

  private double baselineMean() {
    int n = baselineCount();
    double sum = 0;
    for (long i = count - RECENT - n; i < count - RECENT; i++) sum += losses[(int) (i % losses.length)];
    return sum / n;
  }
}
