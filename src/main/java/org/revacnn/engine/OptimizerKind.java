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

  /**
   * A learning rate that trains the paper's model at batch 4: Adadelta's rule needs none (1 = the
   * rule as published, ConvNetJS's default), Adam 0.001, SGD with momentum 0.002 (0.01 kills the
   * ReLUs of the paper's model at batch 4 on our data; measured).
   */
  public float defaultLearningRate() {
    return switch (this) {
      case SGD -> 0.002f;
      case ADAM -> 0.001f;
      case ADADELTA -> 1f;
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
