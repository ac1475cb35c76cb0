package org.revacnn.engine;

import java.util.Locale;

/** How {@link Surgery#insertConv} and {@link Surgery#insertDense} initialise the inserted layer. */
public enum InsertInit {
  /**
   * Net2DeeperNet: the layer computes the identity (a 1 at the centre tap of each filter's own
   * channel, or the identity matrix) with zero bias; behind its ReLU and on a non-negative input
   * the network's function is unchanged.
   */
  IDENTITY,
  /** He-random weights, zero bias: the function changes. */
  RANDOM;

  /** Accepts identity or random in any case. */
  public static InsertInit parse(String name) {
    String normal = name == null ? "" : name.trim().toUpperCase(Locale.ROOT);
    for (InsertInit i : values()) if (i.name().equals(normal)) return i;
    throw new IllegalArgumentException("unknown insert init '" + name + "'; expected identity or random");
  }
}
