package org.revacnn.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Working memory of one layer for one thread, reused for each shard it runs: one gradient buffer
 * per parameter (same layout as {@link Param#grad()}) plus whatever the layer keeps between forward
 * and backward. Each frame is used by one thread at a time.
 */
public class Frame {
  private final float[][] grads;

  public Frame(List<Param> params) {
    grads = new float[params.size()][];
    for (int i = 0; i < grads.length; i++) grads[i] = new float[params.get(i).size()];
  }

  /** A frame whose gradient buffers are these arrays (a block's frame sharing its inner layers' buffers). */
  protected Frame(float[][] grads) {
    this.grads = grads;
  }

  /** Gradient buffers of this shard, aligned with the layer's {@link Layer#params()}. */
  public float[][] grads() {
    return grads;
  }

  public void zeroGrads() {
    for (float[] g : grads) Arrays.fill(g, 0f);
  }
}
