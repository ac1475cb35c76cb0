package org.revacnn.engine;

import java.util.List;

/** The configuration of one layer, as written in a model spec (no weights). */
public sealed interface LayerSpec {
  /** Convolution with square kernels, with a bias unless {@code withBias} is false. */
  record ConvSpec(int filters, int kernelSize, int stride, int pad, boolean withBias) implements LayerSpec {
    public ConvSpec(int filters, int kernelSize, int stride, int pad) {
      this(filters, kernelSize, stride, pad, true);
    }
  }

  record ReluSpec() implements LayerSpec {}

  /** Max pooling over size x size windows moved by stride. */
  record PoolSpec(int size, int stride) implements LayerSpec {}

  /** Fully connected hidden layer (the classifier is added by {@link NetworkSpec}). */
  record DenseSpec(int units) implements LayerSpec {}

  /** Inverted dropout with this drop probability. */
  record DropoutSpec(float rate) implements LayerSpec {}

  /** Batch normalisation of each channel (see {@link BatchNorm}). */
  record BatchNormSpec() implements LayerSpec {}

  /** Global average pooling, C x H x W to C x 1 x 1. */
  record GlobalPoolSpec() implements LayerSpec {}

  /**
   * A residual block y = main(x) + shortcut(x) (see {@link Residual}); an empty shortcut is the
   * identity, and a null one is chosen when the block is built: the identity when the main path
   * keeps the input's shape, else a 1x1 conv without bias (stride: the product of the main path's
   * strides) followed by batch norm.
   */
  record ResidualSpec(List<LayerSpec> main, List<LayerSpec> shortcut) implements LayerSpec {
    public ResidualSpec {
      main = List.copyOf(main);
      shortcut = shortcut == null ? null : List.copyOf(shortcut);
    }

    /** He et al.'s basic block: conv3x3 (stride) - bn - relu - conv3x3 - bn, automatic shortcut. */
    public static ResidualSpec basic(int filters, int stride) {
      return new ResidualSpec(List.of(new ConvSpec(filters, 3, stride, 1, false), new BatchNormSpec(), new ReluSpec(),
          new ConvSpec(filters, 3, 1, 1, false), new BatchNormSpec()), null);
    }
  }
}
