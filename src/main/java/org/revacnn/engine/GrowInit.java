package org.revacnn.engine;

import java.util.Locale;

/**
 * How {@link Surgery#addFilters} initialises new filters (or units): their incoming weights and
 * bias, and their outgoing weights, i.e. the new input slices of the next parameterised layer.
 * The math of each mode is in docs/DESIGN.md (section "Live network surgery").
 */
public enum GrowInit {
  /** He-random incoming weights, zero bias, He-random outgoing slices: the function changes. */
  RANDOM,
  /**
   * Net2WiderNet: each new filter copies a source filter (weights and bias) and the source's
   * outgoing weights are split equally among it and its copies: the function is unchanged.
   */
  NET2NET,
  /** Network morphism: He-random incoming weights, zero bias, zero outgoing weights: the function is unchanged. */
  ZERO_OUT;

  /** Accepts random, net2net, zero-out or zero_out in any case. */
  public static GrowInit parse(String name) {
    String normal = name == null ? "" : name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (GrowInit g : values()) if (g.name().equals(normal)) return g;
    throw new IllegalArgumentException("unknown grow init '" + name + "'; expected random, net2net or zero-out");
  }
}
