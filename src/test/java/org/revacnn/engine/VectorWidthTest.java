package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.Callable;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine at every vector width in one JVM (each in a loader of its own), and the choice of width. */
class VectorWidthTest {

  @ParameterizedTest(name = "{0} bits")
  @ValueSource(ints = {128, 256, 512})
  @SuppressWarnings("unchecked")
  void kernelsMatchScalarReferencesAtEveryWidth(int bits) throws Exception {
    ClassLoader loader = VectorWidthLoader.withBits(bits);
    Class<?> checks = loader.loadClass(KernelsAtWidth.class.getName());
    assertThat(checks).isNotSameAs(KernelsAtWidth.class);
    int[] widths = ((Callable<int[]>) checks.getConstructor().newInstance()).call();
    assertThat(widths).as("bits per vector, GEMM panel width in floats").containsExactly(bits, 2 * bits / Float.SIZE);
  }

  @Test
  void propertyPicksTheSpecies() {
    assertThat(VectorWidth.choose(null)).isEqualTo(FloatVector.SPECIES_PREFERRED);
    assertThat(VectorWidth.choose(" ")).isEqualTo(FloatVector.SPECIES_PREFERRED);
    assertThat(VectorWidth.choose("128")).isEqualTo(FloatVector.SPECIES_128);
    assertThat(VectorWidth.choose("256")).isEqualTo(FloatVector.SPECIES_256);
    assertThat(VectorWidth.choose(" 512 ")).isEqualTo(FloatVector.SPECIES_512);
  }

  @Test
  void otherWidthsAreRefusedWithTheAllowedOnes() {
    for (String bad : new String[] {"64", "1024", "avx512", "256bits"}) {
      assertThatThrownBy(() -> VectorWidth.choose(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("revacnn.vectorBits must be 128, 256 or 512").hasMessageContaining(bad);
    }
  }

  @Test
  void halfSpeciesIsHalfTheWidth() {
    assertThat(VectorWidth.HALF.vectorBitSize()).isEqualTo(VectorWidth.bits() / 2);
  }
}
