package org.revacnn.analytics;

import java.util.List;

/**
 * What {@link Recommender} suggests at one step: per hidden layer a ranked list of filters to
 * remove, and the layers it would stop training; {@code window} says how APoZ and Taylor were
 * averaged and {@code evidence} what a filter needed to be judged. Immutable.
 */
public record Recommendations(long step, ActivationStatistics.Window window, Recommender.Evidence evidence,
    List<LayerRemovals> layers, List<FreezeCandidate> freeze) {

  /** The removal candidates of one layer, best candidate first, and its filters too new to judge. */
  public record LayerRemovals(String layer, int filters, List<RemovalCandidate> removals, List<String> tooNew) {}

  /**
   * One filter worth removing and why.
   *
   * @param reason       {@code dead}, {@code redundant} or {@code unimportant} (see docs/DESIGN.md (Analytics))
   * @param detail       the reason in words, with the numbers
   * @param twin         for a redundant filter, the filter it nearly duplicates (kept); else null
   * @param apoz         average percentage of zeros (as a fraction) on the analysis batch, mean over the window
   * @param taylor       Taylor importance (mean over the window) relative to the layer mean
   * @param similarity   largest cosine similarity of its weights with another filter of the layer
   * @param l1Norm       sum |w| of its weights
   */
  public record RemovalCandidate(String filter, String reason, String detail, String twin, double apoz,
      double taylor, double similarity, double l1Norm) {}

  /**
   * A layer whose training could stop.
   *
   * @param reason       {@code tiny-updates} or {@code mostly-dead}
   * @param deadFraction fraction of its filters that are dead (APoZ at or above the threshold in every round)
   */
  public record FreezeCandidate(String layer, String reason, String detail, double updateRatio, long tinyUpdateSteps,
      double deadFraction) {}
}
