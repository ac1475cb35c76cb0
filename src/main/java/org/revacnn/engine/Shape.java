package org.revacnn.engine;

/** The shape of one image-like tensor: channels x height x width (a vector is {@code (n, 1, 1)}). */
public record Shape(int channels, int height, int width) {
  public Shape {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException("shape dimensions must be positive, got " + channels + "x" + height + "x" + width);
    }
  }

  public int size() {
    return channels * height * width;
  }

  public int plane() {
    return height * width;
  }

  @Override
  public String toString() {
    return channels + "x" + height + "x" + width;
  }
}
