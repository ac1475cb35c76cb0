package org.revacnn.engine;

import java.util.List;

/**
 * 2D convolution with square kernels, any stride and zero padding, computed as im2col + GEMM.
 * Weights are filter-major, {@code [filter][inChannel][ky][kx]}; biases {@code [filter]}.
 * Forward per shard of n images: col[CinKK][n*HWo] = im2col(x); Y[F][n*HWo] = W * col + b.
 */
public final class Conv implements Layer {
  private final String id;
  private final int kernelSize;
  private final int stride;
  private final int pad;
  private final Param weights;
  private final Param bias;
  private final UnitIds filterIds;
  private boolean frozen;

  public Conv(String id, int inChannels, int filters, int kernelSize, int stride, int pad) {
    if (filters <= 0) throw new IllegalArgumentException(id + ": filters must be positive, got " + filters);
    if (kernelSize <= 0) throw new IllegalArgumentException(id + ": kernel size must be positive, got " + kernelSize);
    if (stride <= 0) throw new IllegalArgumentException(id + ": stride must be positive, got " + stride);
    if (pad < 0) throw new IllegalArgumentException(id + ": padding must be >= 0, got " + pad);
    this.id = id;
    this.kernelSize = kernelSize;
    this.stride = stride;
    this.pad = pad;
    this.weights = new Param(id + "/weights", filters, inChannels * kernelSize * kernelSize, 1f);
    this.bias = new Param(id + "/bias", filters, 1, 0f);
    this.filterIds = new UnitIds(id, filters);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "conv";
  }

  public int filters() {
    return weights.units();
  }

  public int inChannels() {
    return weights.unitSize() / (kernelSize * kernelSize);
  }

  public int kernelSize() {
    return kernelSize;
  }

  public int stride() {
    return stride;
  }

  public int pad() {
    return pad;
  }

  public Param weights() {
    return weights;
  }

  public Param bias() {
    return bias;
  }

  public UnitIds filterIds() {
    return filterIds;
  }

  public boolean frozen() {
    return frozen;
  }

  public void setFrozen(boolean frozen) {
    this.frozen = frozen;
  }

  @Override
  public Shape outputShape(Shape in) {
    if (in.channels() != inChannels()) {
      throw new IllegalArgumentException(id + " expects " + inChannels() + " input channels but gets " + in.channels());
    }
    int outH = (in.height() + 2 * pad - kernelSize) / stride + 1;
    int outW = (in.width() + 2 * pad - kernelSize) / stride + 1;
    if (in.height() + 2 * pad < kernelSize || in.width() + 2 * pad < kernelSize) {
      throw new IllegalArgumentException(id + ": kernel " + kernelSize + "x" + kernelSize
          + " is larger than its padded input " + (in.height() + 2 * pad) + "x" + (in.width() + 2 * pad));
    }
    return new Shape(filters(), outH, outW);
  }

  @Override
  public List<Param> params() {
    return List.of(weights, bias);
  }

  @Override
  public Frame newFrame() {
    return new ConvFrame(params());
  }

  private static final class ConvFrame extends Frame {
    Tensor input;
    Tensor output;
    Tensor gradInput;
    float[] col = new float[0];
    float[] product = new float[0];

    ConvFrame(List<Param> params) {
      super(params);
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    ConvFrame frame = (ConvFrame) f;
    Shape outShape = outputShape(in.shape());
    int n = in.batch();
    int planeOut = outShape.plane();
    int columns = n * planeOut;
    int rows = weights.unitSize();
    int filters = filters();
    frame.input = in;
    frame.col = ensure(frame.col, rows * columns);
    frame.product = ensure(frame.product, filters * columns);
    frame.output = Tensor.reuse(frame.output, n, outShape);
    Im2col.expand(in, kernelSize, stride, pad, outShape.height(), outShape.width(), frame.col);
    // Y[F][n*HWo] = W[F][CinKK] * col[CinKK][n*HWo]
    Gemm.nn(filters, columns, rows, weights.value(), 0, rows, frame.col, 0, columns, frame.product, 0, columns, false);
    // out[i][f][p] = Y[f][i*HWo + p] + b[f]
    float[] out = frame.output.data();
    float[] b = bias.value();
    for (int i = 0; i < n; i++) {
      for (int fi = 0; fi < filters; fi++) {
        int src = fi * columns + i * planeOut;
        int dst = (i * filters + fi) * planeOut;
        float bf = b[fi];
        for (int p = 0; p < planeOut; p++) out[dst + p] = frame.product[src + p] + bf;
      }
    }
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    ConvFrame frame = (ConvFrame) f;
    int n = gradOut.batch();
    int filters = filters();
    int planeOut = gradOut.shape().plane();
    int columns = n * planeOut;
    int rows = weights.unitSize();
    float[] dy = frame.product; // reuse: dY[F][n*HWo] gathered from gradOut[i][f][p]
    float[] g = gradOut.data();
    for (int i = 0; i < n; i++) {
      for (int fi = 0; fi < filters; fi++) {
        System.arraycopy(g, (i * filters + fi) * planeOut, dy, fi * columns + i * planeOut, planeOut);
      }
    }
    if (!frozen) {
      float[] gradW = frame.grads()[0];
      float[] gradB = frame.grads()[1];
      // dL/db[f] += sum over positions of dY[f][:]
      for (int fi = 0; fi < filters; fi++) {
        double sum = 0;
        for (int j = fi * columns, end = j + columns; j < end; j++) sum += dy[j];
        gradB[fi] += (float) sum;
      }
      // dL/dW[F][CinKK] += dY[F][n*HWo] * col^T
      Gemm.nt(filters, rows, columns, dy, 0, columns, frame.col, 0, columns, gradW, 0, rows, true);
    }
    if (!needInputGrad) return null;
    // dcol[CinKK][n*HWo] = W^T * dY, then scatter-add back to the input positions (col2im)
    Gemm.tn(rows, columns, filters, weights.value(), 0, rows, dy, 0, columns, frame.col, 0, columns, false);
    frame.gradInput = Tensor.reuse(frame.gradInput, n, frame.input.shape());
    Im2col.collapse(frame.col, kernelSize, stride, pad, gradOut.shape().height(), gradOut.shape().width(), frame.gradInput);
    return frame.gradInput;
  }

  static float[] ensure(float[] buffer, int size) {
    return buffer.length == size ? buffer : new float[size];
  }
}
