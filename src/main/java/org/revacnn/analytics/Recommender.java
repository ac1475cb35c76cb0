package org.revacnn.analytics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * Turns {@link LayerReport}s into removal and freeze recommendations (the paper's future work:
 * "recommend those that have minimal impact ... e.g. a redundant node from clustered nodes").
 * Only filters with enough {@link Evidence} are judged: old enough to have learnt and measured in
 * enough analysis rounds; the others are listed as too new. Rules, in priority order
 * (docs/DESIGN.md (Analytics)): a filter is <b>dead</b> when its APoZ is at least
 * {@link #DEAD_ZERO_FRACTION} in every round of its window; <b>redundant</b> when the cosine
 * similarity of its weights with a kept filter is at least {@link #TWIN_SIMILARITY} (of a pair the
 * less important one goes); <b>unimportant</b> when its Taylor importance (mean over its window) is
 * below {@link #UNIMPORTANT_TAYLOR} times the layer mean. At least one filter per layer is never
 * recommended. A layer is a freeze candidate when its update ratio has stayed below
 * {@link FilterStatistics#TINY_UPDATE_RATIO} for {@link #TINY_UPDATE_STEPS} steps, or when at least
 * {@link #MOSTLY_DEAD_FRACTION} of its filters are dead. Training thread (reads live weights).
 */
public final class Recommender {
  /** APoZ a dead filter reaches in every round of its window: its ReLU fires at under 1% of positions. */
  public static final double DEAD_ZERO_FRACTION = 0.99;
  public static final double TWIN_SIMILARITY = 0.9;
  /** Taylor importance, relative to the layer mean, below which a filter is unimportant. */
  public static final double UNIMPORTANT_TAYLOR = 0.05;
  public static final long TINY_UPDATE_STEPS = 500;
  public static final double MOSTLY_DEAD_FRACTION = 0.5;

  private Recommender() {}

  /**
   * What a filter needs before it is judged: {@code minAgeSteps} training steps since it appeared
   * (time to learn: a new filter starts anywhere, a net2net copy as its source's twin) and its
   * statistics measured in {@code minRounds} analysis rounds.
   */
  public record Evidence(long minAgeSteps, int minRounds) {
    /** A live session: 500 steps (10 analysis rounds) of age, and a full window of rounds. */
    public static final Evidence LIVE = new Evidence(500, ActivationStatistics.ROUNDS);
    /** A saved network measured once on many images ({@code revacnn analyze}): every measured filter. */
    public static final Evidence ONE_MEASUREMENT = new Evidence(0, 1);
  }

  /**
   * Recommendations for every hidden conv/dense layer (removals) and every trainable one (freezing);
   * {@code window} says how the statistics were measured.
   */
  public static Recommendations recommend(Network network, List<LayerReport> reports, Evidence evidence,
      ActivationStatistics.Window window) {
    List<Recommendations.LayerRemovals> layers = new ArrayList<>();
    List<Recommendations.FreezeCandidate> freeze = new ArrayList<>();
    for (LayerReport report : reports) {
      Layer layer = FlatLayer.find(network, report.layerId());
      if (!report.layerId().equals(Network.CLASSIFIER_ID)) {
        List<String> tooNew = new ArrayList<>();
        for (int f = 0; f < report.filterIds().size(); f++) if (!judged(report, f, evidence)) tooNew.add(report.filterIds().get(f));
        layers.add(new Recommendations.LayerRemovals(report.layerId(), report.filterIds().size(),
            candidates(report, FilterLayers.weights(layer), evidence), tooNew));
      }
      if (!report.frozen()) {
        Recommendations.FreezeCandidate candidate = freezeCandidate(report, evidence);
        if (candidate != null) freeze.add(candidate);
      }
    }
    return new Recommendations(network.step(), window, evidence, layers, freeze);
  }

  /**
   * The flagged filters of one layer among those with enough evidence, ranked: dead (highest APoZ
   * first), redundant (most similar first), unimportant.
   */
  public static List<Recommendations.RemovalCandidate> candidates(LayerReport report, Param weights, Evidence evidence) {
    int count = report.filterIds().size();
    double[][] similarity = FilterGeometry.cosineSimilarities(weights.value(), weights.unitSize());
    boolean[] judged = new boolean[count];
    for (int f = 0; f < count; f++) judged[f] = judged(report, f, evidence);
    boolean[] taken = new boolean[count];
    List<Recommendations.RemovalCandidate> out = new ArrayList<>();

    List<Integer> dead = new ArrayList<>();
    for (int f = 0; f < count; f++) if (judged[f] && dead(report, f)) dead.add(f);
    dead.sort(Comparator.<Integer>comparingDouble(f -> -report.zeroFraction()[f]).thenComparingDouble(f -> taylorOrMax(report, f)));
    for (int f : dead) {
      taken[f] = true;
      int rounds = report.rounds()[f];
      out.add(candidate(report, similarity, f, "dead", null, String.format(Locale.ROOT,
          "its ReLU output was zero at %.0f%% or more of the positions %s", 100 * DEAD_ZERO_FRACTION,
          rounds == 1 ? "in the one measurement" : "in each of the last " + rounds + " analysis rounds")));
    }

    List<int[]> pairs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      for (int j = i + 1; j < count; j++) {
        if (judged[i] && judged[j] && similarity[i][j] >= TWIN_SIMILARITY) pairs.add(new int[] {i, j});
      }
    }
    pairs.sort(Comparator.comparingDouble(p -> -similarity[p[0]][p[1]]));
    boolean[] kept = new boolean[count];
    for (int[] pair : pairs) {
      if (taken[pair[0]] || taken[pair[1]] || (kept[pair[0]] && kept[pair[1]])) continue;
      // of the pair the less important filter goes (the later one on ties); a filter already kept as a twin stays
      boolean firstGoes = kept[pair[1]] || (!kept[pair[0]] && taylorOrMax(report, pair[0]) < taylorOrMax(report, pair[1]));
      int loser = firstGoes ? pair[0] : pair[1];
      int keeper = firstGoes ? pair[1] : pair[0];
      taken[loser] = true;
      kept[keeper] = true;
      String twin = report.filterIds().get(keeper);
      out.add(candidate(report, similarity, loser, "redundant", twin, String.format(Locale.ROOT,
          "its weights have cosine similarity %.3f with %s, which is kept", similarity[loser][keeper], twin)));
    }

    List<Integer> unimportant = new ArrayList<>();
    for (int f = 0; f < count; f++) {
      if (judged[f] && !taken[f] && !kept[f] && report.taylor()[f] < UNIMPORTANT_TAYLOR) unimportant.add(f);
    }
    unimportant.sort(Comparator.comparingDouble(f -> report.taylor()[f]));
    for (int f : unimportant) {
      out.add(candidate(report, similarity, f, "unimportant", null, String.format(Locale.ROOT,
          "its Taylor importance over the last %d analysis rounds is below %.2f of the layer mean: zeroing it barely"
              + " changes the loss", report.rounds()[f], UNIMPORTANT_TAYLOR)));
    }
    return out.size() < count ? out : List.copyOf(out.subList(0, count - 1));
  }

  /** Every filter of the layer in removal order: the candidates, then the rest by rising Taylor importance. */
  public static List<String> removalOrder(LayerReport report, Param weights, Evidence evidence) {
    List<String> order = new ArrayList<>(candidates(report, weights, evidence).stream().map(Recommendations.RemovalCandidate::filter).toList());
    List<Integer> rest = new ArrayList<>();
    for (int f = 0; f < report.filterIds().size(); f++) if (!order.contains(report.filterIds().get(f))) rest.add(f);
    rest.sort(Comparator.comparingDouble(f -> taylorOrMax(report, f)));
    for (int f : rest) order.add(report.filterIds().get(f));
    return order;
  }

  /** Whether filter {@code f} is old enough and measured in enough rounds to be judged. */
  static boolean judged(LayerReport report, int f, Evidence evidence) {
    return report.ageSteps()[f] >= evidence.minAgeSteps() && report.rounds()[f] >= evidence.minRounds();
  }

  /** APoZ at least {@link #DEAD_ZERO_FRACTION} in every round of the window (false when not measured). */
  private static boolean dead(LayerReport report, int f) {
    return report.minZeroFraction()[f] >= DEAD_ZERO_FRACTION;
  }

  private static Recommendations.FreezeCandidate freezeCandidate(LayerReport report, Evidence evidence) {
    int dead = 0;
    for (int f = 0; f < report.filterIds().size(); f++) if (judged(report, f, evidence) && dead(report, f)) dead++;
    double deadFraction = (double) dead / report.filterIds().size();
    if (report.tinyUpdateSteps() >= TINY_UPDATE_STEPS) {
      return new Recommendations.FreezeCandidate(report.layerId(), "tiny-updates", String.format(Locale.ROOT,
          "its update ratio (%.2g per step) has stayed below %.0e for %d steps: it has stopped learning",
          report.updateRatio(), FilterStatistics.TINY_UPDATE_RATIO, report.tinyUpdateSteps()),
          report.updateRatio(), report.tinyUpdateSteps(), deadFraction);
    }
    if (deadFraction >= MOSTLY_DEAD_FRACTION) {
      return new Recommendations.FreezeCandidate(report.layerId(), "mostly-dead", String.format(Locale.ROOT,
          "%d of its %d filters are dead (APoZ >= %.2f in every round): remove or re-initialise them rather than train them",
          dead, report.filterIds().size(), DEAD_ZERO_FRACTION), report.updateRatio(), report.tinyUpdateSteps(), deadFraction);
    }
    return null;
  }

  private static Recommendations.RemovalCandidate candidate(LayerReport report, double[][] similarity, int f, String reason,
      String twin, String detail) {
    double mostSimilar = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < similarity.length; j++) if (j != f) mostSimilar = Math.max(mostSimilar, similarity[f][j]);
    if (mostSimilar == Double.NEGATIVE_INFINITY) mostSimilar = Double.NaN;
    return new Recommendations.RemovalCandidate(report.filterIds().get(f), reason, detail, twin, report.zeroFraction()[f],
        report.taylor()[f], mostSimilar, report.l1Norm()[f]);
  }

  /** The relative Taylor importance, with unmeasured (NaN) counted as most important. */
  private static double taylorOrMax(LayerReport report, int f) {
    float t = report.taylor()[f];
    return Float.isNaN(t) ? Double.MAX_VALUE : t;
  }
}
