package org.revacnn.attach;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine protocol's float lists, read through the agent messages' parser (docs/ENGINE.md). */
class EncodedFloatsTest {
  private static String base64(float... values) {
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) bytes.putFloat(v);
    return Base64.getEncoder().encodeToString(bytes.array());
  }

  private static AgentMessages.Probe probe(String probabilities) {
    return AgentMessages.payload(AgentMessages.envelope("{\"type\": \"snapshot\", \"payload\": {\"label\": 1, \"probabilities\": "
        + probabilities + "}}"), AgentMessages.Probe.class);
  }

  @Test
  void base64OfLittleEndianFloat32IsReadExactlyNonFiniteValuesIncluded() {
    float[] values = {0.123456f, -98765.4f, 3.14159e-7f, 0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE};
    assertThat(probe("\"" + base64(values) + "\"").probabilities()).containsExactly(values);
    assertThat(probe("\"AACAPw==\"").probabilities()).containsExactly(1f); // what the agent's test writes for [1.0]
    assertThat(probe("\"\"").probabilities()).isEmpty();
  }

  @Test
  void aJsonArrayOfNumbersIsReadTooWithNullAsNaN() {
    assertThat(probe("[0.5, null, -2, 1e-3]").probabilities()).containsExactly(0.5f, Float.NaN, -2f, 1e-3f);
    assertThat(probe("[]").probabilities()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"AACAP\"", "\"AACA\"", "\"not base64!\"", "[1, \"2\"]", "{\"a\": 1}", "true"})
  void anythingElseIsAClearError(String probabilities) {
    assertThatThrownBy(() -> probe(probabilities)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad snapshot payload: ");
  }

  @Test
  void theErrorSaysWhatAFloatListMustBe() {
    assertThatThrownBy(() -> probe("\"AACA\"")).hasMessageContaining("base64 of little-endian float32 values, got 3 bytes");
  }
}
