package org.revacnn.engine;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species every engine kernel uses, chosen once per JVM: the CPU's preferred width
 * ({@code FloatVector.SPECIES_PREFERRED}: 256 bits with AVX2, 512 with AVX-512) unless the system
 * property {@value #PROPERTY} names 128, 256 or 512. Tile widths, panel widths and loop strides
 * derive from its length. A width the CPU lacks still runs, in the Vector API's software fallback
 * (correct, many times slower): that is how the 512-bit path is tested on an AVX2 machine.
 *
 * <p>The kernels hold it in {@code static final} fields because the Vector API compiles to vector
 * instructions only where C2 sees the species as a constant; a species passed in a field or
 * argument falls back to software whenever a kernel is compiled on its own. Tests that need other
 * widths in one JVM load the engine's classes again in a class loader of their own.
 */
public final class VectorWidth {
  private VectorWidth() {}

  /** System property that forces the width: 128, 256 or 512 (bits). */
  public static final String PROPERTY = "revacnn.vectorBits";

  static final VectorSpecies<Float> SPECIES = choose(System.getProperty(PROPERTY));

  /**
   * Half of {@link #SPECIES}: the kernels fall back to it for planes whose rows are a whole number
   * of half vectors but not of full ones (the paper model's 8-wide conv3 with 16-lane AVX-512).
   */
  static final VectorSpecies<Float> HALF = VectorSpecies.of(float.class, VectorShape.forBitSize(SPECIES.vectorBitSize() / 2));

  /** Bits per vector of the engine's kernels in this JVM. */
  public static int bits() {
    return SPECIES.vectorBitSize();
  }

  /** The species for a value of {@value #PROPERTY}: null or blank means the CPU's preferred one. */
  static VectorSpecies<Float> choose(String bits) {
    if (bits == null || bits.isBlank()) return FloatVector.SPECIES_PREFERRED;
    return switch (bits.strip()) {
      case "128" -> FloatVector.SPECIES_128;
      case "256" -> FloatVector.SPECIES_256;
      case "512" -> FloatVector.SPECIES_512;
      default -> throw new IllegalArgumentException(
          "-D" + PROPERTY + " must be 128, 256 or 512 (bits per vector), got '" + bits + "'");
    };
  }
}
