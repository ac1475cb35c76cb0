package org.revacnn.engine;

import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * Weight initialisation for a layer with fanIn inputs per unit and fanOut outputs.
 * HE: N(0, 2/fanIn), for ReLU networks (He et al. 2015).
 * XAVIER: U(-a, a) with a = sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio 2010).
 * Biases start at zero.
 */
public enum InitKind {
  HE, XAVIER;

  public static InitKind parse(String name) {
    for (InitKind k : values()) if (k.name().equalsIgnoreCase(name)) return k;
    throw new IllegalArgumentException("unknown init '" + name + "'; expected he or xavier");
  }

  /** Fills {@code w[from, to)} with draws for this fan-in and fan-out. */
  public void fill(float[] w, int from, int to, int fanIn, int fanOut, RandomGenerator random) {
    switch (this) {
      case HE -> {
        double std = Math.sqrt(2.0 / fanIn);
        for (int i = from; i < to; i++) w[i] = (float) (random.nextGaussian() * std);
      }
      case XAVIER -> {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = from; i < to; i++) w[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
      }
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
