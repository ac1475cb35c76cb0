package org.revacnn.engine;

/**
 * A batch of {@code batch} images of one {@link Shape}, stored batch-major then channel-major:
 * element (n, c, y, x) is at {@code ((n * C + c) * H + y) * W + x}. The array is owned by whoever
 * created the tensor (usually a layer's per-thread {@link Frame}) and reused between steps.
 */
public final class Tensor {
  private final int batch;
  private final Shape shape;
  private final float[] data;

  public Tensor(int batch, Shape shape) {
    this(batch, shape, new float[Math.multiplyExact(batch, shape.size())]);
  }

  public Tensor(int batch, Shape shape, float[] data) {
    if (batch <= 0) throw new IllegalArgumentException("batch must be positive, got " + batch);
    if (data.length != batch * shape.size()) {
      throw new IllegalArgumentException("data holds " + data.length + " floats, expected " + batch + " x " + shape);
    }
    this.batch = batch;
    this.shape = shape;
    this.data = data;
  }

  /** Returns {@code previous} when it already has this batch size and shape, else a new zeroed tensor. */
  public static Tensor reuse(Tensor previous, int batch, Shape shape) {
    if (previous != null && previous.batch == batch && previous.shape.equals(shape)) return previous;
    return new Tensor(batch, shape);
  }

  public int batch() {
    return batch;
  }

  public Shape shape() {
    return shape;
  }

  public float[] data() {
    return data;
  }

  /** Number of floats per image. */
  public int imageSize() {
    return shape.size();
  }
}
