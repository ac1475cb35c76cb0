package org.revacnn.engine;

import java.util.List;

/**
 * Inverted dropout: in training each value is zeroed with probability {@code rate} and the
 * survivors are scaled by 1 / (1 - rate), so inference is the identity.
 */
public final class Dropout implements Layer {
  private final String id;
  private final float rate;

  public Dropout(String id, float rate) {
    if (!(rate >= 0f && rate < 1f)) throw new IllegalArgumentException(id + ": dropout rate must be in [0, 1), got " + rate);
    this.id = id;
    this.rate = rate;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "dropout";
  }

  public float rate() {
    return rate;
  }

  @Override
  public Shape outputShape(Shape in) {
    return in;
  }

  @Override
  public List<Param> params() {
    return List.of();
  }

  @Override
  public Frame newFrame() {
    return new DropoutFrame();
  }

  private static final class DropoutFrame extends Frame {
    Tensor output;
    Tensor gradInput;
    float[] scale = new float[0];

    DropoutFrame() {
      super(List.of());
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    DropoutFrame frame = (DropoutFrame) f;
    frame.output = Tensor.reuse(frame.output, in.batch(), in.shape());
    float[] x = in.data();
    float[] y = frame.output.data();
    if (frame.scale.length != x.length) frame.scale = new float[x.length];
    float keep = 1f / (1f - rate);
    for (int i = 0; i < x.length; i++) {
      frame.scale[i] = !pass.training() || rate == 0f ? 1f : (pass.random().nextFloat() < rate ? 0f : keep);
      y[i] = x[i] * frame.scale[i];
    }
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    if (!needInputGrad) return null;
    DropoutFrame frame = (DropoutFrame) f;
    frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), gradOut.shape());
    float[] g = gradOut.data();
    float[] dx = frame.gradInput.data();
    for (int i = 0; i < g.length; i++) dx[i] = g[i] * frame.scale[i];
    return frame.gradInput;
  }
}
