package org.revacnn.engine;

import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Rectified linear unit: y = max(0, x); dL/dx = dL/dy where y > 0, else 0. */
public final class Relu implements Layer {
  private static final VectorSpecies<Float> SPECIES = VectorWidth.SPECIES;
  private final String id;

  public Relu(String id) {
    this.id = id;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "relu";
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
    return new ReluFrame();
  }

  private static final class ReluFrame extends Frame {
    Tensor output;
    Tensor gradInput;

    ReluFrame() {
      super(List.of());
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    ReluFrame frame = (ReluFrame) f;
    frame.output = Tensor.reuse(frame.output, in.batch(), in.shape());
    float[] x = in.data();
    float[] y = frame.output.data();
    int i = 0;
    for (int end = SPECIES.loopBound(x.length); i < end; i += SPECIES.length()) {
      FloatVector.fromArray(SPECIES, x, i).max(0f).intoArray(y, i);
    }
    for (; i < x.length; i++) y[i] = Math.max(0f, x[i]);
    return frame.output;
  }

  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    if (!needInputGrad) return null;
    ReluFrame frame = (ReluFrame) f;
    frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), gradOut.shape());
    float[] y = frame.output.data();
    float[] g = gradOut.data();
    float[] dx = frame.gradInput.data();
    // branch-free: the sign pattern is random, so a branch would mispredict half the time
    int i = 0;
    for (int end = SPECIES.loopBound(g.length); i < end; i += SPECIES.length()) {
      FloatVector gv = FloatVector.fromArray(SPECIES, g, i);
      gv.blend(0f, FloatVector.fromArray(SPECIES, y, i).compare(VectorOperators.LE, 0f)).intoArray(dx, i);
    }
    for (; i < g.length; i++) dx[i] = y[i] > 0f ? g[i] : 0f;
    return frame.gradInput;
  }
}
