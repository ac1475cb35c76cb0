package org.revacnn.engine;

import java.util.List;

/**
 * A whole architecture: input shape, hidden layers, and the number of classes. The classifier,
 * a fully connected layer from the last hidden output to {@code classes} logits with softmax
 * cross-entropy as loss, is always appended and is not listed in {@code layers}.
 */
public record NetworkSpec(Shape input, int classes, List<LayerSpec> layers, InitKind init) {
  /** The paper's model in shorthand. */
  public static final String PAPER_MODEL = "conv16-conv20-conv20";

  public NetworkSpec {
    if (classes < 2) throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classes);
    layers = List.copyOf(layers);
  }

  /** Parses shorthand (see {@link ModelShorthand}) for this input and class count, He init. */
  public static NetworkSpec parse(String shorthand, Shape input, int classes) {
    return new NetworkSpec(input, classes, ModelShorthand.parse(shorthand), InitKind.HE);
  }
}
