package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Stable ids of the filters (or neurons) of one layer, {@code conv2/f7}: unit u of the layer's
 * parameters is {@code prefix/f<numbers[u]>}. Numbers are never reused within a layer, so an id
 * keeps naming the same filter through any surgery.
 */
public final class UnitIds {
  private final String layerId;
  private int[] numbers;
  private int nextNumber;
  private List<String> ids; // the ids of numbers, built on first use and dropped when numbers change

  public UnitIds(String layerId, int count) {
    this.layerId = layerId;
    this.numbers = new int[count];
    for (int i = 0; i < count; i++) numbers[i] = i;
    this.nextNumber = count;
  }

  /** Replaces the ids with ones saved from {@link #numbers()} and {@link #nextNumber()}; same count. */
  void restore(int[] savedNumbers, int savedNextNumber) {
    if (savedNumbers.length != numbers.length) {
      throw new IllegalArgumentException(layerId + " has " + numbers.length + " units but " + savedNumbers.length + " saved ids");
    }
    for (int n : savedNumbers) {
      if (n < 0 || n >= savedNextNumber) throw new IllegalArgumentException(layerId + ": saved id number " + n + " is out of range");
    }
    numbers = savedNumbers.clone();
    nextNumber = savedNextNumber;
    ids = null;
  }

  public int count() {
    return numbers.length;
  }

  public String id(int unit) {
    return layerId + "/f" + numbers[unit];
  }

  /** The ids in unit order, unmodifiable (built once per change: snapshots ask for them ten times a second). */
  public List<String> ids() {
    if (ids == null) {
      List<String> built = new ArrayList<>(numbers.length);
      for (int u = 0; u < numbers.length; u++) built.add(id(u));
      ids = List.copyOf(built);
    }
    return ids;
  }

  /** Position of the unit with this id, or -1. */
  public int indexOf(String id) {
    for (int u = 0; u < numbers.length; u++) if (id(u).equals(id)) return u;
    return -1;
  }

  public int[] numbers() {
    return numbers.clone();
  }

  public int nextNumber() {
    return nextNumber;
  }

  /** Re-lays the ids like {@link Param#remapUnits}: -1 entries get fresh, never-used numbers. */
  public void remap(int[] sourceUnits) {
    int[] out = new int[sourceUnits.length];
    for (int u = 0; u < out.length; u++) out[u] = sourceUnits[u] >= 0 ? numbers[sourceUnits[u]] : nextNumber++;
    numbers = out;
    ids = null;
  }
}
