package org.revacnn.engine;

import java.util.List;

/**
 * Batch normalisation over each channel of an image tensor (PyTorch's {@code BatchNorm2d}):
 * y = gamma[c] * (x - mean[c]) / sqrt(var[c] + eps) + beta[c].
 *
 * <p>In training the mean and the biased variance are those of the batch over (image, y, x), and
 * the running statistics move towards them: running = (1 - momentum) running + momentum batch, with
 * the unbiased variance (times n / (n - 1), n = images * H * W) for the running variance. In
 * inference the running statistics are used. Gamma starts at 1, beta at 0, the running mean at 0
 * and the running variance at 1. Every array has one unit per channel. The running statistics are
 * {@link #buffers()}: saved with the weights, never touched by the optimiser.
 * Owned by the training thread; a training forward must see the whole batch at once (the network
 * runs batch-statistics layers as one shard).
 */
public final class BatchNorm implements Layer {
  /** PyTorch's defaults. */
  public static final float MOMENTUM = 0.1f;
  public static final float EPSILON = 1e-5f;

  private final String id;
  private final Param gamma;
  private final Param beta;
  private final Param runningMean;
  private final Param runningVariance;

  public BatchNorm(String id, int channels) {
    if (channels <= 0) throw new IllegalArgumentException(id + ": channels must be positive, got " + channels);
    this.id = id;
    this.gamma = new Param(id + "/gamma", channels, 1, 1f, true);
    this.beta = new Param(id + "/beta", channels, 1, 1f, true);
    this.runningMean = new Param(id + "/runningMean", channels, 1, 0f);
    this.runningVariance = new Param(id + "/runningVariance", channels, 1, 0f);
    java.util.Arrays.fill(gamma.value(), 1f);
    java.util.Arrays.fill(runningVariance.value(), 1f);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "batchnorm";
  }

  public int channels() {
    return gamma.units();
  }

  public Param gamma() {
    return gamma;
  }

  public Param beta() {
    return beta;
  }

  public Param runningMean() {
    return runningMean;
  }

  public Param runningVariance() {
    return runningVariance;
  }

  @Override
  public Shape outputShape(Shape in) {
    if (in.channels() != channels()) {
      throw new IllegalArgumentException(id + " normalises " + channels() + " channels but gets " + in.channels());
    }
    return in;
  }

  @Override
  public List<Param> params() {
    return List.of(gamma, beta);
  }

  @Override
  public List<Param> buffers() {
    return List.of(runningMean, runningVariance);
  }

  @Override
  public Frame newFrame() {
    return new BatchNormFrame(params(), channels());
  }

  private static final class BatchNormFrame extends Frame {
    Tensor output;
    Tensor gradInput;
    /** x-hat, the normalised input, kept for backward. */
    float[] normalised = new float[0];
    /** Per channel: 1 / sqrt(var + eps) of the statistics the last forward used. */
    final float[] inverseStd;
    boolean training;

    BatchNormFrame(List<Param> params, int channels) {
      super(params);
      inverseStd = new float[channels];
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    BatchNormFrame frame = (BatchNormFrame) f;
    Shape shape = outputShape(in.shape());
    int batch = in.batch();
    int plane = shape.plane();
    long count = (long) batch * plane;
    if (pass.training() && count < 2) {
      throw new IllegalArgumentException(id + ": batch statistics need more than one value per channel in training, got "
          + batch + " image(s) of " + shape);
    }
    frame.training = pass.training();
    frame.output = Tensor.reuse(frame.output, batch, shape);
    if (frame.normalised.length != in.data().length) frame.normalised = new float[in.data().length];
    float[] x = in.data();
    float[] xHat = frame.normalised;
    float[] y = frame.output.data();
    for (int c = 0; c < shape.channels(); c++) {
      double mean;
      double variance;
      if (pass.training()) {
        double sum = 0;
        for (int n = 0; n < batch; n++) {
          int base = (n * shape.channels() + c) * plane;
          for (int i = base; i < base + plane; i++) sum += x[i];
        }
        mean = sum / count;
        double squares = 0;
        for (int n = 0; n < batch; n++) {
          int base = (n * shape.channels() + c) * plane;
          for (int i = base; i < base + plane; i++) squares += (x[i] - mean) * (x[i] - mean);
        }
        variance = squares / count; // biased, for normalising
        runningMean.value()[c] = (float) ((1 - MOMENTUM) * runningMean.value()[c] + MOMENTUM * mean);
        runningVariance.value()[c] = (float) ((1 - MOMENTUM) * runningVariance.value()[c]
            + MOMENTUM * squares / (count - 1)); // unbiased, as PyTorch
      } else {
        mean = runningMean.value()[c];
        variance = runningVariance.value()[c];
      }
      float inverseStd = (float) (1 / Math.sqrt(variance + EPSILON));
      frame.inverseStd[c] = inverseStd;
      float m = (float) mean;
      float g = gamma.value()[c];
      float b = beta.value()[c];
      for (int n = 0; n < batch; n++) {
        int base = (n * shape.channels() + c) * plane;
        for (int i = base; i < base + plane; i++) {
          xHat[i] = (x[i] - m) * inverseStd;
          y[i] = g * xHat[i] + b;
        }
      }
    }
    return frame.output;
  }

  /**
   * Adds dL/dgamma = sum dy * x-hat and dL/dbeta = sum dy (sums over image, y, x). With batch
   * statistics, dL/dx = gamma / sqrt(var + eps) * (dy - mean(dy) - x-hat * mean(dy * x-hat)), the
   * means over the n values of the channel (the mean and variance depend on x too); with running
   * statistics they are constants and dL/dx = gamma / sqrt(var + eps) * dy.
   */
  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    BatchNormFrame frame = (BatchNormFrame) f;
    Shape shape = gradOut.shape();
    int batch = gradOut.batch();
    int plane = shape.plane();
    long count = (long) batch * plane;
    float[] dy = gradOut.data();
    float[] xHat = frame.normalised;
    float[] gradGamma = frame.grads()[0];
    float[] gradBeta = frame.grads()[1];
    if (needInputGrad) frame.gradInput = Tensor.reuse(frame.gradInput, batch, shape);
    for (int c = 0; c < shape.channels(); c++) {
      double sumDy = 0;
      double sumDyXHat = 0;
      for (int n = 0; n < batch; n++) {
        int base = (n * shape.channels() + c) * plane;
        for (int i = base; i < base + plane; i++) {
          sumDy += dy[i];
          sumDyXHat += (double) dy[i] * xHat[i];
        }
      }
      gradGamma[c] += (float) sumDyXHat;
      gradBeta[c] += (float) sumDy;
      if (!needInputGrad) continue;
      float scale = gamma.value()[c] * frame.inverseStd[c];
      float meanDy = frame.training ? (float) (sumDy / count) : 0f;
      float meanDyXHat = frame.training ? (float) (sumDyXHat / count) : 0f;
      float[] dx = frame.gradInput.data();
      for (int n = 0; n < batch; n++) {
        int base = (n * shape.channels() + c) * plane;
        for (int i = base; i < base + plane; i++) dx[i] = scale * (dy[i] - meanDy - xHat[i] * meanDyXHat);
      }
    }
    return needInputGrad ? frame.gradInput : null;
  }
}
