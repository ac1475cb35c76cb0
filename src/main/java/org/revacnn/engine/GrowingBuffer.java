package org.revacnn.engine;

/**
 * A float[] reused from call to call that grows to the largest size asked for and never shrinks:
 * scratch for one thread, so the steady state allocates nothing. Its contents are whatever the
 * last user left.
 */
final class GrowingBuffer {
  private float[] data = new float[0];

  /** The buffer, at least {@code size} floats long. */
  float[] atLeast(int size) {
    if (data.length < size) data = new float[size];
    return data;
  }
}
