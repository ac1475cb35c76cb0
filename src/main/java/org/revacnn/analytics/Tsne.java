package org.revacnn.analytics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * t-distributed stochastic neighbour embedding (van der Maaten and Hinton 2008) of points into
 * 2-D, the per-layer filter maps of ReVACNN.
 *
 * <p>Input is a row-major {@code float[]} of n points by d dimensions, so a layer's conv weights
 * ({@code [filter][inChannel][ky][kx]}) can be passed as they are with d = inChannels * k * k.
 * Input affinities are sparse, over each point's k = min(n - 1, ceil(3 * perplexity)) exact
 * nearest neighbours, with the perplexity clamped for small n to
 * max(min(perplexity, (n - 1) / 3), min(2, n - 1)): a layer of 16 filters gets perplexity 5.
 * The map starts from the top two principal components scaled to standard deviation 1e-4, and
 * is optimised with the exact gradient up to {@link TsneConfig#exactThreshold()} points and
 * Barnes-Hut above. Single-threaded; a run takes up to seconds, so call it off the training
 * thread.
 *
 * <p>Deterministic: the same config and input give a bit-identical layout. The instance is
 * stateless between calls (each call allocates its own working state), so any thread may use it.
 */
public final class Tsne {
  /** Standard deviation of the first coordinate of a cold-start map (openTSNE's convention). */
  private static final double INITIAL_SCALE = 1e-4;
  /** Jitter of a new point placed at its nearest known neighbour, relative to the map's spread. */
  private static final double NEW_POINT_JITTER = 1e-3;

  private final TsneConfig config;

  public Tsne(TsneConfig config) {
    this.config = config;
  }

  /** A cold start: PCA initialisation, early exaggeration, {@code config.iterations()} steps. */
  public TsneResult fit(float[] points, int dimensions) {
    int count = pointCount(points, dimensions);
    double[][] initial = scaledPca(points, dimensions);
    return optimise(points, dimensions, initial, config.iterations(), config.earlyExaggerationIterations(), count);
  }

  /**
   * A warm start from the previous map of the same layer. Points whose id is in
   * {@code previous} start where they were; new ids start (with a little seeded jitter) at
   * their nearest known neighbour in input space; ids missing from {@code ids} are dropped.
   * Runs {@code config.warmStartIterations()} steps without early exaggeration, then aligns the
   * map to the previous one on the shared ids with {@link Procrustes} (rotation or reflection,
   * uniform scale, translation). Without shared ids this is a cold start.
   *
   * @param ids one distinct id per input point, in input order (e.g. "conv2/f7")
   */
  public TsneResult warmStart(Map<String, LayoutPoint> previous, List<String> ids, float[] points, int dimensions) {
    int count = pointCount(points, dimensions);
    if (ids.size() != count) throw new IllegalArgumentException(ids.size() + " ids for " + count + " points");
    if (new HashSet<>(ids).size() != count) throw new IllegalArgumentException("ids must be distinct");
    List<Integer> known = new ArrayList<>();
    for (int i = 0; i < count; i++) if (previous.containsKey(ids.get(i))) known.add(i);
    if (known.isEmpty()) return fit(points, dimensions);

    double[][] initial = new double[count][];
    for (int i : known) {
      LayoutPoint position = previous.get(ids.get(i));
      initial[i] = new double[] {position.x(), position.y()};
    }
    double jitter = NEW_POINT_JITTER * Math.max(rootMeanSquareRadius(initial, known), INITIAL_SCALE);
    SplittableRandom random = new SplittableRandom(config.seed());
    float[] lanes = NearestNeighbours.laneScratch();
    for (int i = 0; i < count; i++) {
      if (initial[i] != null) continue;
      int nearest = known.getFirst();
      double nearestDistance = Double.POSITIVE_INFINITY;
      for (int j : known) {
        double distance = NearestNeighbours.squaredDistance(points, i * dimensions, j * dimensions, dimensions, lanes);
        if (distance < nearestDistance) {
          nearestDistance = distance;
          nearest = j;
        }
      }
      initial[i] = new double[] {
          initial[nearest][0] + jitter * gaussian(random), initial[nearest][1] + jitter * gaussian(random)};
    }

    TsneResult optimised = optimise(points, dimensions, initial, config.warmStartIterations(), 0, count);
    double[][] source = new double[known.size()][];
    double[][] target = new double[known.size()][];
    for (int s = 0; s < known.size(); s++) {
      int i = known.get(s);
      source[s] = optimised.layout()[i];
      LayoutPoint position = previous.get(ids.get(i));
      target[s] = new double[] {position.x(), position.y()};
    }
    double[][] aligned = Procrustes.fit(source, target).apply(optimised.layout());
    return new TsneResult(aligned, optimised.progress());
  }

  /** Perplexity used for n points: the configured one, at most (n - 1) / 3, at least min(2, n - 1). */
  double effectivePerplexity(int count) {
    return Math.max(Math.min(config.perplexity(), (count - 1) / 3.0), Math.min(2.0, count - 1));
  }

  private TsneResult optimise(float[] points, int dimensions, double[][] initial, int iterations,
      int exaggeratedIterations, int count) {
    double[] x = new double[count];
    double[] y = new double[count];
    for (int i = 0; i < count; i++) {
      x[i] = initial[i][0];
      y[i] = initial[i][1];
    }
    List<TsneProgress> progress = new ArrayList<>();
    if (count >= 2) {
      double perplexity = effectivePerplexity(count);
      int neighbourCount = Math.min(count - 1, (int) Math.ceil(3 * perplexity));
      Affinities affinities = Affinities.fromNeighbours(
          NearestNeighbours.find(points, dimensions, neighbourCount), perplexity);
      Repulsion repulsion = count <= config.exactThreshold()
          ? new ExactRepulsion(count)
          : new BarnesHutRepulsion(config.theta());
      new GradientDescent(affinities, repulsion, config.learningRateFor(count))
          .run(x, y, iterations, config.earlyExaggeration(), exaggeratedIterations, progress);
    }
    double[][] layout = new double[count][];
    for (int i = 0; i < count; i++) layout[i] = new double[] {x[i], y[i]};
    return new TsneResult(layout, progress);
  }

  /**
   * Top two principal components, scaled so the first has standard deviation 1e-4. A component
   * without variance (identical or collinear points) is replaced by seeded noise of that size,
   * so the map can still unfold.
   */
  private double[][] scaledPca(float[] points, int dimensions) {
    double[][] projected = Pca.project(points, dimensions, config.seed());
    int count = projected.length;
    double firstDeviation = standardDeviation(projected, 0);
    double secondDeviation = standardDeviation(projected, 1);
    SplittableRandom random = new SplittableRandom(config.seed());
    double scale = firstDeviation > 0 ? INITIAL_SCALE / firstDeviation : 0;
    for (int i = 0; i < count; i++) {
      projected[i][0] = firstDeviation > 0 ? projected[i][0] * scale : INITIAL_SCALE * gaussian(random);
      projected[i][1] = secondDeviation > 0 ? projected[i][1] * scale : INITIAL_SCALE * gaussian(random);
    }
    return projected;
  }

  private static double standardDeviation(double[][] layout, int axis) {
    double mean = 0;
    for (double[] point : layout) mean += point[axis];
    mean /= layout.length;
    double sum = 0;
    for (double[] point : layout) sum += (point[axis] - mean) * (point[axis] - mean);
    return Math.sqrt(sum / layout.length);
  }

  private static double rootMeanSquareRadius(double[][] layout, List<Integer> rows) {
    double meanX = 0;
    double meanY = 0;
    for (int i : rows) {
      meanX += layout[i][0];
      meanY += layout[i][1];
    }
    meanX /= rows.size();
    meanY /= rows.size();
    double sum = 0;
    for (int i : rows) sum += Math.pow(layout[i][0] - meanX, 2) + Math.pow(layout[i][1] - meanY, 2);
    return Math.sqrt(sum / rows.size());
  }

  /** Standard normal sample (Box-Muller), from the given seeded source only. */
  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  private static int pointCount(float[] points, int dimensions) {
    if (dimensions <= 0 || points.length == 0 || points.length % dimensions != 0) {
      throw new IllegalArgumentException("need n >= 1 rows of " + dimensions + " values, got " + points.length);
    }
    for (float value : points) {
      if (!Float.isFinite(value)) throw new IllegalArgumentException("points must be finite");
    }
    return points.length / dimensions;
  }
}
