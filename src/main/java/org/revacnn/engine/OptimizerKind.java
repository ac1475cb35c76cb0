package org.revacnn.engine;

import java.util.Locale;

/** The update rules {@link Optimizer} knows. */
public enum OptimizerKind {
  SGD, ADAM, ADADELTA;

  /** Parses a user-facing name (sgd, adam, adadelta), with an error listing the accepted names. */
  public static OptimizerKind parse(String name) {
    for (OptimizerKind k : values()) if (k.name().equalsIgnoreCase(name)) return k;
    throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected sgd, adam or adadelta");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
