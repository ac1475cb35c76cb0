package org.revacnn.engine;

import java.util.List;

/**
 * One region of one parameter that a surgery operation wrote: in layer {@code layerId}, the
 * parameter named {@code param} ({@link Param#name()}, e.g. {@code conv2/weights}), the units
 * {@code units} (by id), and within each of them the input channels {@code inputChannels}
 * (positions in the new layout, each a block of unitSize / inChannels floats; empty means the
 * whole unit; for a batch norm's per-channel arrays, units is empty and inputChannels lists the
 * channels). Every weight that no change of a {@link SurgeryResult} covers keeps its value,
 * gradient and optimiser state bit for bit (it may have moved to a new position).
 *
 * @param detail a human-readable note, e.g. the source filter of a copy
 */
public record WeightChange(String layerId, String param, List<String> units, List<Integer> inputChannels, Fill fill,
    String detail) {

  public WeightChange {
    units = List.copyOf(units);
    inputChannels = List.copyOf(inputChannels);
  }

  /** What was written; gradient and optimiser state of the region are zero unless said otherwise. */
  public enum Fill {
    /** He-random draws, N(0, 2 / fanIn). */
    HE,
    /** Zeros. */
    ZERO,
    /** A copy of another unit's values (plus noise if the detail says so). */
    COPY,
    /** Existing outgoing weights divided among a unit and its copies; gradient and state kept. */
    SPLIT,
    /** An identity kernel or matrix. */
    IDENTITY,
    /** A batch norm's starting values: scale 1, shift 0, running mean 0, running variance 1. */
    DEFAULT
  }
}
