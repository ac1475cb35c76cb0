package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A residual block: y = main(x) + shortcut(x), where main and shortcut are chains of layers and an
 * empty shortcut is the identity. He et al.'s basic block is main = conv3x3-bn-relu-conv3x3-bn with
 * an identity shortcut, or a 1x1 conv + bn shortcut where the block changes stride or width; the
 * ReLU after the sum is the next layer of the network, not part of the block.
 *
 * <p>{@link #params()} are the main path's layers' parameters in order, then the shortcut's; the
 * block's frame shares its inner frames' gradient buffers in that order. Owned by the training thread.
 */
public final class Residual implements Layer {
  private final String id;
  private final List<Layer> main;
  private final List<Layer> shortcut;

  public Residual(String id, List<Layer> main, List<Layer> shortcut) {
    if (main.isEmpty()) throw new IllegalArgumentException(id + ": a residual block needs at least one layer on its main path");
    this.id = id;
    this.main = List.copyOf(main);
    this.shortcut = List.copyOf(shortcut);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String kind() {
    return "residual";
  }

  /** The layers of the main path, in order. */
  public List<Layer> main() {
    return main;
  }

  /** The layers of the shortcut, in order; empty for the identity. */
  public List<Layer> shortcut() {
    return shortcut;
  }

  /** Every inner layer: the main path, then the shortcut. */
  public List<Layer> innerLayers() {
    List<Layer> all = new ArrayList<>(main);
    all.addAll(shortcut);
    return all;
  }

  @Override
  public Shape outputShape(Shape in) {
    Shape mainOut = chainShape(main, in);
    Shape shortcutOut = chainShape(shortcut, in);
    if (!mainOut.equals(shortcutOut)) {
      throw new IllegalArgumentException(id + ": its main path gives " + mainOut + " but its "
          + (shortcut.isEmpty() ? "identity shortcut" : "shortcut") + " gives " + shortcutOut + "; they must match to be added");
    }
    return mainOut;
  }

  private static Shape chainShape(List<Layer> chain, Shape in) {
    Shape shape = in;
    for (Layer layer : chain) shape = layer.outputShape(shape);
    return shape;
  }

  @Override
  public List<Param> params() {
    List<Param> all = new ArrayList<>();
    for (Layer layer : innerLayers()) all.addAll(layer.params());
    return all;
  }

  @Override
  public List<Param> buffers() {
    List<Param> all = new ArrayList<>();
    for (Layer layer : innerLayers()) all.addAll(layer.buffers());
    return all;
  }

  @Override
  public Frame newFrame() {
    List<Frame> mainFrames = main.stream().map(Layer::newFrame).toList();
    List<Frame> shortcutFrames = shortcut.stream().map(Layer::newFrame).toList();
    List<float[]> grads = new ArrayList<>();
    for (Frame f : mainFrames) grads.addAll(List.of(f.grads()));
    for (Frame f : shortcutFrames) grads.addAll(List.of(f.grads()));
    return new ResidualFrame(grads.toArray(new float[0][]), mainFrames, shortcutFrames);
  }

  private static final class ResidualFrame extends Frame {
    final List<Frame> mainFrames;
    final List<Frame> shortcutFrames;
    Tensor output;
    Tensor gradInput;

    ResidualFrame(float[][] grads, List<Frame> mainFrames, List<Frame> shortcutFrames) {
      super(grads);
      this.mainFrames = mainFrames;
      this.shortcutFrames = shortcutFrames;
    }
  }

  @Override
  public Tensor forward(Frame f, Tensor in, Pass pass) {
    return forward(f, in, pass, null);
  }

  /** {@link #forward}, running the inner layers through {@code recorder} when it is not null (a probe). */
  Tensor forward(Frame f, Tensor in, Pass pass, ProbeRecorder recorder) {
    ResidualFrame frame = (ResidualFrame) f;
    Tensor mainOut = forwardChain(main, frame.mainFrames, in, pass, recorder);
    Tensor shortcutOut = forwardChain(shortcut, frame.shortcutFrames, in, pass, recorder);
    frame.output = Tensor.reuse(frame.output, in.batch(), mainOut.shape());
    sum(mainOut, shortcutOut, frame.output);
    return frame.output;
  }

  private static Tensor forwardChain(List<Layer> chain, List<Frame> frames, Tensor in, Pass pass, ProbeRecorder recorder) {
    Tensor x = in;
    for (int i = 0; i < chain.size(); i++) {
      x = recorder == null ? chain.get(i).forward(frames.get(i), x, pass) : recorder.forward(chain.get(i), frames.get(i), x, pass);
    }
    return x;
  }

  /**
   * dL/dmain = dL/dshortcut = dL/dy; the inner layers add their parameter gradients, and
   * dL/dx = (main path's dL/dx) + (shortcut's dL/dx, which is dL/dy for the identity).
   */
  @Override
  public Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad) {
    return backward(f, gradOut, needInputGrad, null);
  }

  /** {@link #backward}, running the inner layers through {@code recorder} when it is not null (a probe). */
  Tensor backward(Frame f, Tensor gradOut, boolean needInputGrad, ProbeRecorder recorder) {
    ResidualFrame frame = (ResidualFrame) f;
    Tensor mainGrad = backwardChain(main, frame.mainFrames, gradOut, needInputGrad, recorder);
    Tensor shortcutGrad = backwardChain(shortcut, frame.shortcutFrames, gradOut, needInputGrad, recorder);
    if (!needInputGrad) return null;
    frame.gradInput = Tensor.reuse(frame.gradInput, gradOut.batch(), mainGrad.shape());
    sum(mainGrad, shortcutGrad, frame.gradInput);
    return frame.gradInput;
  }

  private static Tensor backwardChain(List<Layer> chain, List<Frame> frames, Tensor gradOut, boolean needInputGrad,
      ProbeRecorder recorder) {
    Tensor g = gradOut;
    for (int i = chain.size() - 1; i >= 0; i--) {
      boolean inputGrad = i > 0 || needInputGrad;
      g = recorder == null ? chain.get(i).backward(frames.get(i), g, inputGrad) : recorder.backward(chain.get(i), frames.get(i), g, inputGrad);
    }
    return g;
  }

  private static void sum(Tensor a, Tensor b, Tensor out) {
    float[] x = a.data();
    float[] y = b.data();
    float[] z = out.data();
    for (int i = 0; i < z.length; i++) z[i] = x[i] + y[i];
  }
}
