package org.revacnn.analytics;

/**
 * Settings for {@link Tsne}. Immutable; {@link #defaults()} follows scikit-learn and openTSNE.
 *
 * @param perplexity target perplexity of each point's input neighbourhood; clamped for small
 *     point sets (see {@link Tsne})
 * @param iterations gradient-descent iterations of a cold start, early exaggeration included
 * @param earlyExaggeration factor multiplying the input affinities P during the first
 *     {@code earlyExaggerationIterations} iterations of a cold start
 * @param earlyExaggerationIterations length of the early-exaggeration phase (momentum 0.5);
 *     momentum is 0.8 afterwards
 * @param learningRate step size; {@code 0} means automatic: max(n / earlyExaggeration / 4, 50)
 * @param theta Barnes-Hut accuracy: a quadtree cell of width w at distance r from a point is
 *     summarised by its centre of mass when w / r &lt; theta
 * @param exactThreshold largest point count that uses the exact O(n^2) gradient; larger sets
 *     use Barnes-Hut. The default is 10,000: the vectorised exact repulsion measured 4-5x faster
 *     than the quadtree at 2,000 points and still 2x faster at 8,000 (AVX2, one thread)
 * @param warmStartIterations iterations of a warm start (no early exaggeration, momentum 0.8)
 * @param seed seed of every random choice (PCA start vectors, jitter of new points)
 */
public record TsneConfig(
    double perplexity,
    int iterations,
    double earlyExaggeration,
    int earlyExaggerationIterations,
    double learningRate,
    double theta,
    int exactThreshold,
    int warmStartIterations,
    long seed) {

  public TsneConfig {
    if (!(perplexity > 0)) throw new IllegalArgumentException("perplexity must be > 0: " + perplexity);
    if (iterations < 0 || earlyExaggerationIterations < 0 || warmStartIterations < 0) {
      throw new IllegalArgumentException("iteration counts must be >= 0");
    }
    if (!(earlyExaggeration >= 1)) {
      throw new IllegalArgumentException("earlyExaggeration must be >= 1: " + earlyExaggeration);
    }
    if (!(learningRate >= 0)) throw new IllegalArgumentException("learningRate must be >= 0: " + learningRate);
    if (!(theta >= 0)) throw new IllegalArgumentException("theta must be >= 0: " + theta);
  }

  /** Perplexity 30, 750 iterations (250 exaggerated by 12), automatic learning rate, theta 0.5,
   *  exact gradient up to 10,000 points, 150 warm-start iterations, seed 42. */
  public static TsneConfig defaults() {
    return new TsneConfig(30, 750, 12, 250, 0, 0.5, 10_000, 150, 42L);
  }

  public TsneConfig withExactThreshold(int newExactThreshold) {
    return new TsneConfig(perplexity, iterations, earlyExaggeration, earlyExaggerationIterations,
        learningRate, theta, newExactThreshold, warmStartIterations, seed);
  }

  public TsneConfig withSeed(long newSeed) {
    return new TsneConfig(perplexity, iterations, earlyExaggeration, earlyExaggerationIterations,
        learningRate, theta, exactThreshold, warmStartIterations, newSeed);
  }

  public TsneConfig withIterations(int newIterations) {
    return new TsneConfig(perplexity, newIterations, earlyExaggeration, earlyExaggerationIterations,
        learningRate, theta, exactThreshold, warmStartIterations, seed);
  }

  public TsneConfig withPerplexity(double newPerplexity) {
    return new TsneConfig(newPerplexity, iterations, earlyExaggeration, earlyExaggerationIterations,
        learningRate, theta, exactThreshold, warmStartIterations, seed);
  }

  /** The learning rate for n points: the fixed one, or max(n / earlyExaggeration / 4, 50). */
  double learningRateFor(int pointCount) {
    return learningRate > 0 ? learningRate : Math.max(pointCount / earlyExaggeration / 4.0, 50.0);
  }
}
