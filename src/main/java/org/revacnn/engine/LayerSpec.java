package org.revacnn.engine;

/** The configuration of one layer, as written in a model spec (no weights). */
public sealed interface LayerSpec {
  /** Convolution with square kernels. */
  record ConvSpec(int filters, int kernelSize, int stride, int pad) implements LayerSpec {}

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
}
