package org.revacnn.engine;

import java.util.List;

/**
 * Max pooling over size x size windows moved by stride, per channel, without padding (windows
 * that would cross the border are dropped). Backward routes each output gradient to the input
 * position that won the max (first one on ties).
 */
public final class MaxPool implements Layer {
  private final String id;
  private final int size;
  private final int stride;

  public MaxPool(String id, int size, int stride) {
    if (size <= 0 || stride <= 0) {
      throw new IllegalArgumentException(id + ": pool size and stride must be positive, got " + size + " and " + stride);
    }
    this.id = id;
    this.size = size;
    this.stride = stride;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "pool";
  }

  public int size() {
    return size;
  }

  public int stride() {
    return stride;
  }

  @Override
  public Shape outputShape(Shape in) {
    if (in.height() < size || in.width() < size) {
      throw new IllegalArgumentException(id + ": pool window " + size + "x" + size + " is larger than its input " + in);
    }
    return new Shape(in.channels(), (in.height() - size) / stride + 1, (in.width() - size) / stride + 1);
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
    Shape inputShape;
    int[] winners = new int[0];

    PoolFrame() {
      super(List.of());
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    PoolFrame frame = (PoolFrame) f;
    Shape s = in.shape();
    Shape o = outputShape(s);
    frame.inputShape = s;
    frame.output = Tensor.reuse(frame.output, in.batch(), o);
    int total = in.batch() * o.size();
    if (frame.winners.length != total) frame.winners = new int[total];
    float[] x = in.data();
    float[] y = frame.output.data();
    int[] winners = frame.winners;
    int planes = in.batch() * s.channels();
    if (size == 2 && stride == 2) {
      forwardTwoByTwo(x, y, winners, planes, s, o);
      return frame.output;
    }
    for (int plane = 0; plane < planes; plane++) {
      int inBase = plane * s.plane();
      int outBase = plane * o.plane();
      for (int oy = 0; oy < o.height(); oy++) {
        for (int ox = 0; ox < o.width(); ox++) {
          int best = inBase + oy * stride * s.width() + ox * stride;
          float max = x[best];
          for (int dy = 0; dy < size; dy++) {
            int row = inBase + (oy * stride + dy) * s.width() + ox * stride;
            for (int dx = 0; dx < size; dx++) {
              if (x[row + dx] > max) {
                max = x[row + dx];
                best = row + dx;
              }
            }
          }
          y[outBase + oy * o.width() + ox] = max;
          winners[outBase + oy * o.width() + ox] = best;
        }
      }
    }
    return frame.output;
  }

  /**
   * The paper's 2x2 stride-2 pooling without branches: window maxima land in random places, so
   * compare-and-branch code mispredicts about half the time; here each comparison becomes a
   * conditional move.
   */
  private static void forwardTwoByTwo(float[] x, float[] y, int[] winners, int planes, Shape s, Shape o) {
    int w = s.width();
    for (int plane = 0; plane < planes; plane++) {
      int inBase = plane * s.plane();
      int outBase = plane * o.plane();
      for (int oy = 0; oy < o.height(); oy++) {
        int row = inBase + 2 * oy * w;
        int out = outBase + oy * o.width();
        for (int ox = 0; ox < o.width(); ox++) {
          int i = row + 2 * ox;
          float top = Math.max(x[i], x[i + 1]);
          int topAt = x[i + 1] > x[i] ? i + 1 : i;
          float bottom = Math.max(x[i + w], x[i + w + 1]);
          int bottomAt = x[i + w + 1] > x[i + w] ? i + w + 1 : i + w;
          boolean lower = bottom > top;
          y[out + ox] = lower ? bottom : top;
          winners[out + ox] = lower ? bottomAt : topAt;
        }
      }
    }
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    if (!needInputGrad) return null;
    PoolFrame frame = (PoolFrame) f;
    frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), frame.inputShape);
    float[] dx = frame.gradInput.data();
    java.util.Arrays.fill(dx, 0f);
    float[] g = gradOut.data();
    int[] winners = frame.winners;
    for (int j = 0; j < g.length; j++) dx[winners[j]] += g[j];
    return frame.gradInput;
  }
}
