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
 * Owned by the training thread. A training forward sees the whole batch: at once, or, in a
 * sharded step, through {@link BatchStatistics} (each shard's frame on its own thread).
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
  private boolean frozen;

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

  /**
   * Whether gamma and beta are excluded from gradients and updates. The running statistics still
   * follow the batches a frozen layer sees in training, as in PyTorch with requires_grad off: the
   * layers before it may still be training, and inference must normalise what they now output.
   */
  public boolean frozen() {
    return frozen;
  }

  public void setFrozen(boolean frozen) {
    this.frozen = frozen;
  }

  /** Gamma, beta, running mean and running variance: every array with one entry per channel. */
  List<Param> channelArrays() {
    return List.of(gamma, beta, runningMean, runningVariance);
  }

  /** Channels [from, to) start afresh: gamma 1, beta 0, running mean 0, running variance 1. */
  void resetChannels(int from, int to) {
    java.util.Arrays.fill(gamma.value(), from, to, 1f);
    java.util.Arrays.fill(beta.value(), from, to, 0f);
    java.util.Arrays.fill(runningMean.value(), from, to, 0f);
    java.util.Arrays.fill(runningVariance.value(), from, to, 1f);
  }

  /** Channels [first, first + count) become copies of channel {@code source}: parameters and statistics. */
  void copyChannel(int source, int first, int count) {
    for (Param p : channelArrays()) java.util.Arrays.fill(p.value(), first, first + count, p.value()[source]);
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
    /** Per image and channel sums (two per channel in backward), this shard's side of the batch's sums. */
    double[] perImage = new double[0];
    boolean training;
    /** The link to the other shards of the step the last forward ran in (null: this shard is the batch). */
    BatchStatistics.Shard batch;

    BatchNormFrame(List<Param> params, int channels) {
      super(params);
      inverseStd = new float[channels];
    }

    /** The per-image sums array for {@code images} images and {@code width} values each, zeroed. */
    double[] perImage(int images, int width) {
      if (perImage.length < images * width) perImage = new double[images * width];
      java.util.Arrays.fill(perImage, 0, images * width, 0);
      return perImage;
    }

    /** total[k] = the sum of perImage[n * width + k] over every image of the batch, in image order. */
    double[] batchTotals(int images, int width) {
      if (batch != null) return batch.sum(perImage, images, width);
      double[] total = new double[width];
      for (int n = 0; n < images; n++) for (int k = 0; k < width; k++) total[k] += perImage[n * width + k];
      return total;
    }
  }

  /**
   * Normalises with the batch's statistics in training, the running ones in inference. In a sharded
   * step ({@link Pass#batch()} set) the mean and variance are those of the whole batch: every shard
   * sums its images per channel, the sums are added over the batch (see {@link BatchStatistics}),
   * then the squared deviations likewise; only shard 0 moves the running statistics.
   */
  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    BatchNormFrame frame = (BatchNormFrame) f;
    Shape shape = outputShape(in.shape());
    int channels = shape.channels();
    int batch = in.batch();
    int plane = shape.plane();
    frame.batch = pass.training() ? pass.batch() : null;
    long count = (long) (frame.batch == null ? batch : frame.batch.whole().batch()) * plane;
    if (pass.training() && count < 2) {
      throw new IllegalArgumentException(id + ": batch statistics need more than one value per channel in training, got "
          + batch + " image(s) of " + shape);
    }
    frame.training = pass.training();
    frame.output = Tensor.reuse(frame.output, batch, shape);
    if (frame.normalised.length != in.data().length) frame.normalised = new float[in.data().length];
    float[] x = in.data();
    double[] mean = new double[channels];
    double[] variance = new double[channels];
    if (pass.training()) {
      double[] sums = frame.perImage(batch, channels);
      for (int n = 0; n < batch; n++) {
        for (int c = 0; c < channels; c++) {
          int base = (n * channels + c) * plane;
          double sum = 0;
          for (int i = base; i < base + plane; i++) sum += x[i];
          sums[n * channels + c] = sum;
        }
      }
      double[] totals = frame.batchTotals(batch, channels);
      for (int c = 0; c < channels; c++) mean[c] = totals[c] / count;
      double[] squares = frame.perImage(batch, channels);
      for (int n = 0; n < batch; n++) {
        for (int c = 0; c < channels; c++) {
          int base = (n * channels + c) * plane;
          double m = mean[c];
          double sum = 0;
          for (int i = base; i < base + plane; i++) sum += (x[i] - m) * (x[i] - m);
          squares[n * channels + c] = sum;
        }
      }
      double[] squareTotals = frame.batchTotals(batch, channels);
      boolean movesRunning = frame.batch == null || frame.batch.index() == 0;
      for (int c = 0; c < channels; c++) {
        variance[c] = squareTotals[c] / count; // biased, for normalising
        if (!movesRunning) continue;
        runningMean.value()[c] = (float) ((1 - MOMENTUM) * runningMean.value()[c] + MOMENTUM * mean[c]);
        runningVariance.value()[c] = (float) ((1 - MOMENTUM) * runningVariance.value()[c]
            + MOMENTUM * squareTotals[c] / (count - 1)); // unbiased, as PyTorch
      }
    } else {
      for (int c = 0; c < channels; c++) {
        mean[c] = runningMean.value()[c];
        variance[c] = runningVariance.value()[c];
      }
    }
    normalise(frame, x, mean, variance, batch, channels, plane);
    return frame.output;
  }

  /** x-hat = (x - mean) / sqrt(var + eps) kept in the frame; y = gamma x-hat + beta. */
  private void normalise(BatchNormFrame frame, float[] x, double[] mean, double[] variance, int batch, int channels,
      int plane) {
    float[] xHat = frame.normalised;
    float[] y = frame.output.data();
    for (int c = 0; c < channels; c++) {
      float inverseStd = (float) (1 / Math.sqrt(variance[c] + EPSILON));
      frame.inverseStd[c] = inverseStd;
      float m = (float) mean[c];
      float g = gamma.value()[c];
      float b = beta.value()[c];
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + c) * plane;
        for (int i = base; i < base + plane; i++) {
          xHat[i] = (x[i] - m) * inverseStd;
          y[i] = g * xHat[i] + b;
        }
      }
    }
  }

  /**
   * Adds dL/dgamma = sum dy * x-hat and dL/dbeta = sum dy (sums over this shard's images, y, x;
   * nothing when frozen). With
   * batch statistics, dL/dx = gamma / sqrt(var + eps) * (dy - mean(dy) - x-hat * mean(dy * x-hat)),
   * the means over the n values of the channel in the whole batch (the mean and variance depend on
   * every x of it; a sharded step adds the sums up as forward did); with running statistics they
   * are constants and dL/dx = gamma / sqrt(var + eps) * dy.
   */
  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    BatchNormFrame frame = (BatchNormFrame) f;
    Shape shape = gradOut.shape();
    int channels = shape.channels();
    int batch = gradOut.batch();
    int plane = shape.plane();
    float[] dy = gradOut.data();
    float[] xHat = frame.normalised;
    // per image: sum dy in [0, C), sum dy * x-hat in [C, 2C)
    double[] sums = frame.perImage(batch, 2 * channels);
    for (int n = 0; n < batch; n++) {
      for (int c = 0; c < channels; c++) {
        int base = (n * channels + c) * plane;
        double sumDy = 0;
        double sumDyXHat = 0;
        for (int i = base; i < base + plane; i++) {
          sumDy += dy[i];
          sumDyXHat += (double) dy[i] * xHat[i];
        }
        sums[n * 2 * channels + c] = sumDy;
        sums[n * 2 * channels + channels + c] = sumDyXHat;
      }
    }
    float[] gradGamma = frame.grads()[0];
    float[] gradBeta = frame.grads()[1];
    double[] own = new double[2 * channels];
    for (int n = 0; n < batch; n++) for (int k = 0; k < 2 * channels; k++) own[k] += sums[n * 2 * channels + k];
    for (int c = 0; c < channels && !frozen; c++) {
      gradGamma[c] += (float) own[channels + c];
      gradBeta[c] += (float) own[c];
    }
    if (!needInputGrad) return null;
    double[] totals = frame.training ? frame.batchTotals(batch, 2 * channels) : own;
    long count = (long) (frame.batch == null ? batch : frame.batch.whole().batch()) * plane;
    frame.gradInput = Tensor.reuse(frame.gradInput, batch, shape);
    float[] dx = frame.gradInput.data();
    for (int c = 0; c < channels; c++) {
      float scale = gamma.value()[c] * frame.inverseStd[c];
      float meanDy = frame.training ? (float) (totals[c] / count) : 0f;
      float meanDyXHat = frame.training ? (float) (totals[channels + c] / count) : 0f;
      for (int n = 0; n < batch; n++) {
        int base = (n * channels + c) * plane;
        for (int i = base; i < base + plane; i++) dx[i] = scale * (dy[i] - meanDy - xHat[i] * meanDyXHat);
      }
    }
    return frame.gradInput;
  }
}
