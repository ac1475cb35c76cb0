package org.revacnn.engine;

import java.util.List;

/**
 * Fully connected layer over the flattened input: y[i][u] = sum_d W[u][d] * x[i][d] + b[u].
 * Weights are unit-major {@code [unit][inputIndex]}, where the input index follows the input
 * tensor's own (channel, y, x) order, so an input channel is a contiguous block of each row.
 */
public final class Dense implements Layer {
  private final String id;
  private final Param weights;
  private final Param bias;
  private final UnitIds unitIds;
  private boolean frozen;

  public Dense(String id, int inputs, int units) {
    if (units <= 0) throw new IllegalArgumentException(id + ": units must be positive, got " + units);
    if (inputs <= 0) throw new IllegalArgumentException(id + ": inputs must be positive, got " + inputs);
    this.id = id;
    this.weights = new Param(id + "/weights", units, inputs, 1f);
    this.bias = new Param(id + "/bias", units, 1, 0f);
    this.unitIds = new UnitIds(id, units);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "dense";
  }

  public int units() {
    return weights.units();
  }

  public int inputs() {
    return weights.unitSize();
  }

  public Param weights() {
    return weights;
  }

  public Param bias() {
    return bias;
  }

  public UnitIds unitIds() {
    return unitIds;
  }

  public boolean frozen() {
    return frozen;
  }

  public void setFrozen(boolean frozen) {
    this.frozen = frozen;
  }

  @Override
  public Shape outputShape(Shape in) {
    if (in.size() != inputs()) {
      throw new IllegalArgumentException(id + " expects " + inputs() + " inputs but gets " + in + " = " + in.size());
    }
    return new Shape(units(), 1, 1);
  }

  @Override
  public List<Param> params() {
    return List.of(weights, bias);
  }

  @Override
  public Frame newFrame() {
    return new DenseFrame(params());
  }

  private static final class DenseFrame extends Frame {
    Tensor input;
    Tensor output;
    Tensor gradInput;

    DenseFrame(List<Param> params) {
      super(params);
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    DenseFrame frame = (DenseFrame) f;
    Shape o = outputShape(in.shape());
    int n = in.batch();
    int d = inputs();
    int u = units();
    frame.input = in;
    frame.output = Tensor.reuse(frame.output, n, o);
    float[] y = frame.output.data();
    // Y[n][U] = X[n][D] * W^T
    Gemm.nt(n, u, d, in.data(), 0, d, weights.value(), 0, d, y, 0, u, false);
    float[] b = bias.value();
    for (int i = 0; i < n; i++) for (int j = 0; j < u; j++) y[i * u + j] += b[j];
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    DenseFrame frame = (DenseFrame) f;
    int n = gradOut.batch();
    int d = inputs();
    int u = units();
    float[] g = gradOut.data();
    if (!frozen) {
      // dL/dW[U][D] += dY^T * X ; dL/db[u] += sum_i dY[i][u]
      Gemm.tn(u, d, n, g, 0, u, frame.input.data(), 0, d, frame.grads()[0], 0, d, true);
      float[] gradB = frame.grads()[1];
      for (int i = 0; i < n; i++) for (int j = 0; j < u; j++) gradB[j] += g[i * u + j];
    }
    if (!needInputGrad) return null;
    frame.gradInput = Tensor.reuse(frame.gradInput, n, frame.input.shape());
    // dL/dX[n][D] = dY[n][U] * W[U][D]
    Gemm.nn(n, d, u, g, 0, u, weights.value(), 0, d, frame.gradInput.data(), 0, d, false);
    return frame.gradInput;
  }
}
