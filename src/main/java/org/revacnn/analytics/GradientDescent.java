package org.revacnn.analytics;

import java.util.Arrays;
import java.util.List;

/**
 * The t-SNE optimiser: gradient descent with momentum and per-coordinate gains (Jacobs'
 * delta-bar-delta), as in van der Maaten's and scikit-learn's implementations. It owns the
 * update and gain state of one map; the map itself ({@code x}, {@code y}) is moved in place.
 */
final class GradientDescent {
  private static final double EXAGGERATED_MOMENTUM = 0.5;
  private static final double FINAL_MOMENTUM = 0.8;
  private static final double MIN_GAIN = 0.01;
  private static final int KL_REPORT_INTERVAL = 50;

  private final Attraction attraction;
  private final Repulsion repulsion;
  private final double learningRate;
  private final double entropyTerm;
  private final double[] updateX;
  private final double[] updateY;
  private final double[] gainX;
  private final double[] gainY;
  private final double[] repulsionX;
  private final double[] repulsionY;
  private final double[] attractionX;
  private final double[] attractionY;

  GradientDescent(Affinities affinities, Repulsion repulsion, double learningRate) {
    int count = affinities.count;
    this.attraction = new Attraction(affinities);
    this.repulsion = repulsion;
    this.learningRate = learningRate;
    this.entropyTerm = affinities.entropyTerm();
    updateX = new double[count];
    updateY = new double[count];
    gainX = new double[count];
    gainY = new double[count];
    Arrays.fill(gainX, 1);
    Arrays.fill(gainY, 1);
    repulsionX = new double[count];
    repulsionY = new double[count];
    attractionX = new double[count];
    attractionY = new double[count];
  }

  /**
   * Runs {@code iterations} steps on the map (x, y). During the first
   * {@code exaggeratedIterations} steps P is multiplied by {@code exaggeration} and momentum is
   * 0.5; afterwards momentum is 0.8. Appends KL(P || Q) every 50 steps and after the last one.
   */
  void run(double[] x, double[] y, int iterations, double exaggeration, int exaggeratedIterations,
      List<TsneProgress> progress) {
    for (int iteration = 0; iteration < iterations; iteration++) {
      boolean exaggerated = iteration < exaggeratedIterations;
      boolean report = (iteration + 1) % KL_REPORT_INTERVAL == 0 || iteration == iterations - 1;
      double divergence = step(x, y, exaggerated ? exaggeration : 1,
          exaggerated ? EXAGGERATED_MOMENTUM : FINAL_MOMENTUM, report);
      if (report) progress.add(new TsneProgress(iteration, divergence));
    }
  }

  /**
   * One gradient step; returns KL(P || Q) at the positions before the step when {@code report},
   * else NaN.
   */
  private double step(double[] x, double[] y, double alpha, double momentum, boolean report) {
    int count = x.length;
    double normaliser = repulsion.compute(x, y, repulsionX, repulsionY);
    attraction.compute(x, y, attractionX, attractionY);
    // KL = sum p log p - sum p log q, with q_ij = w_ij / Z and sum p = 1
    double divergence = report ? entropyTerm - attraction.logWeightSum(x, y) + Math.log(normaliser) : Double.NaN;
    for (int i = 0; i < count; i++) {
      // dC/dy_i = 4 (alpha * attraction - repulsion / Z)
      double gradientX = 4 * (alpha * attractionX[i] - repulsionX[i] / normaliser);
      double gradientY = 4 * (alpha * attractionY[i] - repulsionY[i] / normaliser);
      updateX[i] = nextUpdate(gradientX, updateX[i], gainX, i, momentum);
      updateY[i] = nextUpdate(gradientY, updateY[i], gainY, i, momentum);
    }
    for (int i = 0; i < count; i++) {
      x[i] += updateX[i];
      y[i] += updateY[i];
    }
    recentre(x);
    recentre(y);
    return divergence;
  }

  /**
   * Delta-bar-delta: a coordinate whose gradient sign disagrees with its last update (still
   * heading downhill) gains +0.2, otherwise its gain shrinks by 0.8; the new update is
   * momentum * update - rate * gain * gradient.
   */
  private double nextUpdate(double gradient, double update, double[] gains, int i, double momentum) {
    boolean stillDownhill = gradient * update < 0;
    gains[i] = Math.max(stillDownhill ? gains[i] + 0.2 : gains[i] * 0.8, MIN_GAIN);
    return momentum * update - learningRate * gains[i] * gradient;
  }

  private static void recentre(double[] coordinate) {
    double mean = 0;
    for (double value : coordinate) mean += value;
    mean /= coordinate.length;
    for (int i = 0; i < coordinate.length; i++) coordinate[i] -= mean;
  }
}
