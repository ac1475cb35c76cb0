package org.revacnn.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A trainable parameter array split into {@code units} equal slices, one per filter or neuron
 * ({@code value[u * unitSize ... (u+1) * unitSize)} belongs to unit u). The gradient and every
 * optimiser state array (momentum, Adam moments, ...) have the same layout and are resized with
 * the value, always, so that surgery on a filter moves its whole history with it.
 * Owned by the training thread.
 */
public final class Param {
  private final String name;
  private final float decayMultiplier;
  private final boolean normalisation;
  private int units;
  private int unitSize;
  private float[] value;
  private float[] grad;
  private final Map<String, float[]> state = new LinkedHashMap<>();

  /**
   * @param decayMultiplier how much weight decay applies (1 for weights, 0 for biases)
   */
  public Param(String name, int units, int unitSize, float decayMultiplier) {
    this(name, units, unitSize, decayMultiplier, false);
  }

  /**
   * @param decayMultiplier how much weight decay applies (1 for weights, 0 for biases)
   * @param normalisation   a normalisation layer's scale or shift (batch norm's gamma, beta), which
   *                        {@link Hyperparameters#noNormDecay} exempts from weight decay
   */
  public Param(String name, int units, int unitSize, float decayMultiplier, boolean normalisation) {
    this.normalisation = normalisation;
    this.name = name;
    this.units = units;
    this.unitSize = unitSize;
    this.decayMultiplier = decayMultiplier;
    this.value = new float[units * unitSize];
    this.grad = new float[units * unitSize];
  }

  public String name() {
    return name;
  }

  public int units() {
    return units;
  }

  public int unitSize() {
    return unitSize;
  }

  public int size() {
    return value.length;
  }

  public float[] value() {
    return value;
  }

  public float[] grad() {
    return grad;
  }

  public float decayMultiplier() {
    return decayMultiplier;
  }

  /** Whether this is a normalisation layer's scale or shift (see {@link Hyperparameters#noNormDecay}). */
  public boolean normalisation() {
    return normalisation;
  }

  /** The optimiser state array with this name, created zeroed on first use. */
  public float[] state(String key) {
    return state.computeIfAbsent(key, k -> new float[value.length]);
  }

  /** A read-only view of the optimiser state names and arrays (arrays are live). */
  public Map<String, float[]> states() {
    return java.util.Collections.unmodifiableMap(state);
  }

  /** Drops all optimiser state (used when the optimiser kind changes). */
  public void clearState() {
    state.clear();
  }

  /** A deep copy of value, gradient and state, for rollback and bit-identity checks. */
  public Param copy() {
    Param p = new Param(name, units, unitSize, decayMultiplier, normalisation);
    p.value = value.clone();
    p.grad = grad.clone();
    state.forEach((k, v) -> p.state.put(k, v.clone()));
    return p;
  }

  /** Replaces this parameter's contents with those of {@code other} (same name). */
  public void restoreFrom(Param other) {
    units = other.units;
    unitSize = other.unitSize;
    value = other.value.clone();
    grad = other.grad.clone();
    state.clear();
    other.state.forEach((k, v) -> state.put(k, v.clone()));
  }

  /**
   * Re-lays every array (value, gradient, state) unit by unit: new unit {@code u} takes old unit
   * {@code sourceUnits[u]}, or zeros when it is -1. Value slices for new units are then filled by
   * the caller; gradient and state of new units start at zero.
   */
  public void remapUnits(int[] sourceUnits) {
    value = remap(value, sourceUnits);
    grad = remap(grad, sourceUnits);
    state.replaceAll((k, v) -> remap(v, sourceUnits));
    units = sourceUnits.length;
  }

  /**
   * Re-lays every array within each unit: each unit is {@code blocks} blocks of
   * {@code unitSize / oldBlocks} floats (e.g. an input channel's KxK kernel), and new block
   * {@code b} takes old block {@code sourceBlocks[b]}, or zeros when it is -1.
   */
  public void remapBlocks(int oldBlocks, int[] sourceBlocks) {
    int blockSize = unitSize / oldBlocks;
    int newUnitSize = blockSize * sourceBlocks.length;
    value = remapWithin(value, oldBlocks, blockSize, sourceBlocks);
    grad = remapWithin(grad, oldBlocks, blockSize, sourceBlocks);
    state.replaceAll((k, v) -> remapWithin(v, oldBlocks, blockSize, sourceBlocks));
    unitSize = newUnitSize;
  }

  private float[] remapWithin(float[] old, int oldBlocks, int blockSize, int[] sourceBlocks) {
    float[] out = new float[units * blockSize * sourceBlocks.length];
    for (int u = 0; u < units; u++) {
      int oldBase = u * oldBlocks * blockSize;
      int newBase = u * sourceBlocks.length * blockSize;
      for (int b = 0; b < sourceBlocks.length; b++) {
        if (sourceBlocks[b] >= 0) {
          System.arraycopy(old, oldBase + sourceBlocks[b] * blockSize, out, newBase + b * blockSize, blockSize);
        }
      }
    }
    return out;
  }

  private float[] remap(float[] old, int[] sources) {
    float[] out = new float[sources.length * unitSize];
    for (int u = 0; u < sources.length; u++) {
      if (sources[u] >= 0) System.arraycopy(old, sources[u] * unitSize, out, u * unitSize, unitSize);
    }
    return out;
  }
}
