package org.revacnn.engine;

import java.util.List;

/**
 * 2D convolution with square kernels, any stride and zero padding, computed as im2col + GEMM.
 * Weights are filter-major, {@code [filter][inChannel][ky][kx]}; biases {@code [filter]}.
 * Forward per image: col[CinKK][HWo] = im2col(x); Y[F][HWo] = W * col + b.
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

    ConvFrame(List<Param> params) {
      super(params);
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    ConvFrame frame = (ConvFrame) f;
    Shape inShape = in.shape();
    Shape outShape = outputShape(inShape);
    int planeOut = outShape.plane();
    int rows = weights.unitSize();
    int filters = filters();
    frame.input = in;
    frame.col = ensure(frame.col, rows * planeOut);
    frame.output = Tensor.reuse(frame.output, in.batch(), outShape);
    float[] out = frame.output.data();
    float[] b = bias.value();
    // image by image, so the column matrix stays in cache
    for (int i = 0; i < in.batch(); i++) {
      Im2col.expand(in.data(), i * inShape.size(), inShape, kernelSize, stride, pad, outShape.height(), outShape.width(), frame.col);
      int outBase = i * outShape.size();
      // Y_i[F][HWo] = W[F][CinKK] * col_i[CinKK][HWo] + b
      Gemm.nn(filters, planeOut, rows, weights.value(), 0, rows, frame.col, 0, planeOut, out, outBase, planeOut, false);
      for (int fi = 0; fi < filters; fi++) {
        float bf = b[fi];
        for (int p = outBase + fi * planeOut, end = p + planeOut; p < end; p++) out[p] += bf;
      }
    }
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    ConvFrame frame = (ConvFrame) f;
    Shape inShape = frame.input.shape();
    Shape outShape = gradOut.shape();
    int filters = filters();
    int planeOut = outShape.plane();
    int rows = weights.unitSize();
    float[] dy = gradOut.data();
    if (needInputGrad) {
      frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), inShape);
      java.util.Arrays.fill(frame.gradInput.data(), 0f);
    }
    for (int i = 0; i < gradOut.batch(); i++) {
      int dyBase = i * outShape.size();
      if (!frozen) {
        float[] gradB = frame.grads()[1];
        // dL/db[f] += sum over positions of dY_i[f][:]
        for (int fi = 0; fi < filters; fi++) {
          double sum = 0;
          for (int p = dyBase + fi * planeOut, end = p + planeOut; p < end; p++) sum += dy[p];
          gradB[fi] += (float) sum;
        }
        // dL/dW[F][CinKK] += dY_i[F][HWo] * col_i^T (the columns are unfolded again rather than kept)
        Im2col.expand(frame.input.data(), i * inShape.size(), inShape, kernelSize, stride, pad, outShape.height(),
            outShape.width(), frame.col);
        Gemm.nt(filters, rows, planeOut, dy, dyBase, planeOut, frame.col, 0, planeOut, frame.grads()[0], 0, rows, true);
      }
      if (needInputGrad) {
        // dcol_i[CinKK][HWo] = W^T * dY_i, then scatter-add back to the input positions (col2im)
        Gemm.tn(rows, planeOut, filters, weights.value(), 0, rows, dy, dyBase, planeOut, frame.col, 0, planeOut, false);
        Im2col.collapse(frame.col, kernelSize, stride, pad, outShape.height(), outShape.width(), frame.gradInput.data(),
            i * inShape.size(), inShape);
      }
    }
    return needInputGrad ? frame.gradInput : null;
  }

  static float[] ensure(float[] buffer, int size) {
    return buffer.length == size ? buffer : new float[size];
  }
}
