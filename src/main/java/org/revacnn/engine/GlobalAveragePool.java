package org.revacnn.engine;

import java.util.List;

/**
 * Global average pooling: each channel's whole plane becomes its mean, C x H x W -> C x 1 x 1:
 * y[c] = (1 / HW) sum_p x[c][p]; dL/dx[c][p] = dL/dy[c] / HW.
 */
public final class GlobalAveragePool implements Layer {
  private final String id;

  public GlobalAveragePool(String id) {
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "globalpool";
  }

  @Override
  public Shape outputShape(Shape in) {
    return new Shape(in.channels(), 1, 1);
  }

  @Override
  public List<Param> params() {
    return List.of();
  }

  @Override
  public Frame newFrame() {
    return new PoolFrame();
  }

  private static final class PoolFrame extends Frame {
    Tensor output;
    Tensor gradInput;
    Shape inShape;

    PoolFrame() {
      super(List.of());
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    PoolFrame frame = (PoolFrame) f;
    frame.inShape = in.shape();
    int plane = in.shape().plane();
    int maps = in.batch() * in.shape().channels();
    frame.output = Tensor.reuse(frame.output, in.batch(), outputShape(in.shape()));
    float[] x = in.data();
    float[] y = frame.output.data();
    for (int m = 0; m < maps; m++) {
      double sum = 0;
      for (int i = m * plane; i < (m + 1) * plane; i++) sum += x[i];
      y[m] = (float) (sum / plane);
    }
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    if (!needInputGrad) return null;
    PoolFrame frame = (PoolFrame) f;
    int plane = frame.inShape.plane();
    frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), frame.inShape);
    float[] dy = gradOut.data();
    float[] dx = frame.gradInput.data();
    for (int m = 0; m < dy.length; m++) java.util.Arrays.fill(dx, m * plane, (m + 1) * plane, dy[m] / plane);
    return frame.gradInput;
  }
}
