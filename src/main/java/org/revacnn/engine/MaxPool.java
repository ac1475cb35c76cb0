package org.revacnn.engine;

import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

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

  private static final VectorSpecies<Float> F = VectorWidth.SPECIES;
  private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
  private static final int L = F.length();
  /** Even lanes to the low half, odd lanes to the high half. */
  private static final VectorShuffle<Float> EVENS_LOW = VectorShuffle.fromOp(F, i -> i < L / 2 ? 2 * i : 2 * (i - L / 2) + 1);
  /** Odd lanes to the low half, even lanes to the high half. */
  private static final VectorShuffle<Float> ODDS_LOW = VectorShuffle.fromOp(F, i -> i < L / 2 ? 2 * i + 1 : 2 * (i - L / 2));
  private static final VectorMask<Float> HIGH_HALF = VectorMask.fromLong(F, ((1L << L) - 1) & ~((1L << (L / 2)) - 1));
  /** Lane j holds 2j: the offset of output j's window within a run of 2L inputs. */
  private static final IntVector TWICE_LANE = IntVector.zero(I).addIndex(2);

  /**
   * The paper's 2x2 stride-2 pooling, L outputs at a time: the 2L inputs of each window row are
   * split into even and odd columns by two lane permutations and a blend, so x0 x1 / x2 x3 (the
   * window, row by row) sit in four vectors; the winner is the first maximum in that order, as in
   * the scalar tail. Branch-free: window maxima land in random places, and branches mispredict.
   */
  private static void forwardTwoByTwo(float[] x, float[] y, int[] winners, int planes, Shape s, Shape o) {
    int w = s.width();
    int ow = o.width();
    int vectorEnd = ow - ow % L;
    for (int plane = 0; plane < planes; plane++) {
      int inBase = plane * s.plane();
      int outBase = plane * o.plane();
      for (int oy = 0; oy < o.height(); oy++) {
        int row = inBase + 2 * oy * w;
        int out = outBase + oy * ow;
        for (int ox = 0; ox < vectorEnd; ox += L) {
          int i = row + 2 * ox;
          FloatVector a = FloatVector.fromArray(F, x, i);
          FloatVector b = FloatVector.fromArray(F, x, i + L);
          FloatVector x0 = a.rearrange(EVENS_LOW).blend(b.rearrange(ODDS_LOW), HIGH_HALF);
          FloatVector x1 = a.rearrange(ODDS_LOW).blend(b.rearrange(EVENS_LOW), HIGH_HALF);
          a = FloatVector.fromArray(F, x, i + w);
          b = FloatVector.fromArray(F, x, i + w + L);
          FloatVector x2 = a.rearrange(EVENS_LOW).blend(b.rearrange(ODDS_LOW), HIGH_HALF);
          FloatVector x3 = a.rearrange(ODDS_LOW).blend(b.rearrange(EVENS_LOW), HIGH_HALF);
          VectorMask<Float> right = x1.compare(VectorOperators.GT, x0);
          VectorMask<Float> bottomRight = x3.compare(VectorOperators.GT, x2);
          FloatVector top = x0.blend(x1, right);
          FloatVector bottom = x2.blend(x3, bottomRight);
          VectorMask<Float> lower = bottom.compare(VectorOperators.GT, top);
          top.blend(bottom, lower).intoArray(y, out + ox);
          // winner = i + 2j + (lower ? w + bottomRight : right)
          IntVector topOffset = IntVector.zero(I).blend(1, right.cast(I));
          IntVector bottomOffset = IntVector.broadcast(I, w).add(1, bottomRight.cast(I));
          TWICE_LANE.add(i).add(topOffset.blend(bottomOffset, lower.cast(I))).intoArray(winners, out + ox);
        }
        for (int ox = vectorEnd; ox < ow; ox++) {
          int i = row + 2 * ox;
          int topAt = x[i + 1] > x[i] ? i + 1 : i;
          int bottomAt = x[i + w + 1] > x[i + w] ? i + w + 1 : i + w;
          int at = x[bottomAt] > x[topAt] ? bottomAt : topAt;
          y[out + ox] = x[at];
          winners[out + ox] = at;
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
