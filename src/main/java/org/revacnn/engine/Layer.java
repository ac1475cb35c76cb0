package org.revacnn.engine;

import java.util.List;

/**
 * One layer of a {@link Network}. A layer owns its parameters; everything that depends on the
 * batch and lives past one call (inputs kept for backward, outputs, the current shard's parameter
 * gradients) lives in a {@link Frame} made by {@link #newFrame()}, one per thread, so shards can run
 * on different threads.
 * Owned by the training thread.
 */
public sealed interface Layer permits Conv, Relu, MaxPool, Dense, Dropout, BatchNorm, GlobalAveragePool, Residual {
  /** Stable id such as {@code conv2}; surgery never renumbers it. */
  String id();

  /** Short kind name: conv, relu, pool, dense, dropout, batchnorm, globalpool, residual. */
  String kind();

  /** The output shape for this input shape, or an IllegalArgumentException saying why it cannot fit. */
  Shape outputShape(Shape in);

  /** Trainable parameters (empty for parameter-free layers). */
  List<Param> params();

  /**
   * State that is saved and restored with the weights but not trained (batch norm's running
   * statistics); the optimiser never sees it. Empty for most layers.
   */
  default List<Param> buffers() {
    return List.of();
  }

  /** Fresh working buffers (for one thread) for this layer's current parameter sizes. */
  Frame newFrame();

  /** Computes the output for {@code in}, keeping in {@code frame} what backward needs. */
  Tensor forward(Frame frame, Tensor in, Pass pass);

  /**
   * Given dL/dOutput, <em>adds</em> this shard's parameter gradients into {@code frame.grads()}
   * (unless frozen) and returns dL/dInput, or null when {@code needInputGrad} is false.
   */
  Tensor backward(Frame frame, Tensor gradOut, boolean needInputGrad);
}
