package org.revacnn.engine;

/**
 * Parameter update rules. Every rule keeps its state in the {@link Param} itself (same layout
 * as the value), so surgery that moves a filter's slice moves its history too. Weight decay is
 * L2: g = dL/dw + decay * w, decay = {@link Hyperparameters#decayOf}: weightDecay * decayMultiplier
 * (0 for biases), and 0 for batch norm's gamma and beta under {@link Hyperparameters#noNormDecay}.
 */
public final class Optimizer {
  /** Adadelta's denominator guard, ConvNetJS's value (Adam's epsilon is far too small for it). */
  private static final float ADADELTA_EPSILON = 1e-6f;

  private Optimizer() {}

  /** Applies one update to {@code p} from its accumulated gradient; {@code step} counts from 1. */
  public static void update(Param p, Hyperparameters h, long step) {
    switch (h.optimizer()) {
      case SGD -> sgd(p, h);
      case ADAM -> adam(p, h, step);
      case ADADELTA -> adadelta(p, h);
    }
  }

  /** v = mu * v + g; w -= lr * v  (Nesterov: w -= lr * (g + mu * v)), as PyTorch's SGD. */
  private static void sgd(Param p, Hyperparameters h) {
    float[] w = p.value();
    float[] grad = p.grad();
    float decay = h.decayOf(p);
    float lr = h.learningRate();
    float mu = h.momentum();
    if (mu == 0f) {
      for (int i = 0; i < w.length; i++) w[i] -= lr * (grad[i] + decay * w[i]);
      return;
    }
    float[] v = p.state("velocity");
    for (int i = 0; i < w.length; i++) {
      float g = grad[i] + decay * w[i];
      v[i] = mu * v[i] + g;
      w[i] -= lr * (h.nesterov() ? g + mu * v[i] : v[i]);
    }
  }

  /** m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr * m/(1-b1^t) / (sqrt(v/(1-b2^t)) + eps). */
  private static void adam(Param p, Hyperparameters h, long step) {
    float[] w = p.value();
    float[] grad = p.grad();
    float[] m = p.state("adam.m");
    float[] v = p.state("adam.v");
    float decay = h.decayOf(p);
    float b1 = h.beta1();
    float b2 = h.beta2();
    double correction1 = 1 - Math.pow(b1, step);
    double correction2 = 1 - Math.pow(b2, step);
    float stepSize = (float) (h.learningRate() * Math.sqrt(correction2) / correction1);
    float eps = (float) (h.epsilon() * Math.sqrt(correction2));
    for (int i = 0; i < w.length; i++) {
      float g = grad[i] + decay * w[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      w[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) + eps);
    }
  }

  /**
   * Adadelta (Zeiler 2012; ConvNetJS's default): G = rho G + (1-rho) g^2;
   * dx = -sqrt((X + eps) / (G + eps)) g; X = rho X + (1-rho) dx^2; w += lr * dx (lr 1 = the paper's rule).
   */
  private static void adadelta(Param p, Hyperparameters h) {
    float[] w = p.value();
    float[] grad = p.grad();
    float[] gsum = p.state("adadelta.g2");
    float[] xsum = p.state("adadelta.dx2");
    float decay = h.decayOf(p);
    float rho = h.rho();
    float eps = ADADELTA_EPSILON;
    for (int i = 0; i < w.length; i++) {
      float g = grad[i] + decay * w[i];
      gsum[i] = rho * gsum[i] + (1 - rho) * g * g;
      float dx = -(float) Math.sqrt((xsum[i] + eps) / (gsum[i] + eps)) * g;
      xsum[i] = rho * xsum[i] + (1 - rho) * dx * dx;
      w[i] += h.learningRate() * dx;
    }
  }
}
