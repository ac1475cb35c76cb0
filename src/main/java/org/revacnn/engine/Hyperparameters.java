package org.revacnn.engine;

/**
 * Training settings a user may change between steps. Defaults follow the paper's ConvNetJS CIFAR-10
 * setup: Adadelta, batch 4, L2 weight decay 1e-4 (momentum applies when SGD is chosen).
 *
 * @param nesterov      Nesterov momentum for SGD
 * @param weightDecay   L2 coefficient added to weight gradients (not biases)
 * @param beta1         Adam's first-moment decay
 * @param beta2         Adam's second-moment decay
 * @param epsilon       Adam's denominator guard
 * @param rho           Adadelta's running-average decay
 * @param labelSmoothing the target's weight moved evenly onto all classes (0: plain cross-entropy; see SoftmaxCrossEntropy)
 * @param noNormDecay   weight decay skips batch norm's gamma and beta too (biases never get it)
 */
public record Hyperparameters(OptimizerKind optimizer, float learningRate, float momentum, boolean nesterov,
    float weightDecay, int batchSize, float beta1, float beta2, float epsilon, float rho, float labelSmoothing,
    boolean noNormDecay) {

  public static final int MAX_BATCH_SIZE = 4096;

  public Hyperparameters {
    check(Float.isFinite(learningRate) && learningRate > 0, "learning rate must be a finite number > 0, got " + learningRate);
    check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1), got " + momentum);
    check(Float.isFinite(weightDecay) && weightDecay >= 0, "weight decay must be a finite number >= 0, got " + weightDecay);
    check(batchSize >= 1 && batchSize <= MAX_BATCH_SIZE, "batch size must be in 1.." + MAX_BATCH_SIZE + ", got " + batchSize);
    check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got " + beta1);
    check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got " + beta2);
    check(epsilon > 0 && Float.isFinite(epsilon), "epsilon must be a finite number > 0, got " + epsilon);
    check(rho >= 0 && rho < 1, "rho must be in [0, 1), got " + rho);
    check(labelSmoothing >= 0 && labelSmoothing < 1, "label smoothing must be in [0, 1), got " + labelSmoothing);
    if (optimizer == null) throw new IllegalArgumentException("optimizer must be given");
  }

  public static Hyperparameters defaults() {
    return new Hyperparameters(OptimizerKind.ADADELTA, OptimizerKind.ADADELTA.defaultLearningRate(), 0.9f, false, 1e-4f, 4,
        0.9f, 0.999f, 1e-8f, 0.95f, 0f, false);
  }

  public Hyperparameters withOptimizer(OptimizerKind value) {
    return new Hyperparameters(value, learningRate, momentum, nesterov, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withLearningRate(float value) {
    return new Hyperparameters(optimizer, value, momentum, nesterov, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withMomentum(float value) {
    return new Hyperparameters(optimizer, learningRate, value, nesterov, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withNesterov(boolean value) {
    return new Hyperparameters(optimizer, learningRate, momentum, value, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withWeightDecay(float value) {
    return new Hyperparameters(optimizer, learningRate, momentum, nesterov, value, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withBatchSize(int value) {
    return new Hyperparameters(optimizer, learningRate, momentum, nesterov, weightDecay, value, beta1, beta2, epsilon, rho,
        labelSmoothing, noNormDecay);
  }

  public Hyperparameters withLabelSmoothing(float value) {
    return new Hyperparameters(optimizer, learningRate, momentum, nesterov, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        value, noNormDecay);
  }

  public Hyperparameters withNoNormDecay(boolean value) {
    return new Hyperparameters(optimizer, learningRate, momentum, nesterov, weightDecay, batchSize, beta1, beta2, epsilon, rho,
        labelSmoothing, value);
  }

  /** The weight decay {@code p} gets: {@code weightDecay * decayMultiplier}, or none for batch norm under {@link #noNormDecay}. */
  public float decayOf(Param p) {
    return noNormDecay && p.normalisation() ? 0f : weightDecay * p.decayMultiplier();
  }

  private static void check(boolean ok, String message) {
    if (!ok) throw new IllegalArgumentException(message);
  }
}
