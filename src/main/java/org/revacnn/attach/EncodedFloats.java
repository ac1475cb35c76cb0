package org.revacnn.attach;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Base64;

/**
 * Reads the engine protocol's float lists (docs/ENGINE.md, "Conventions"): a base64 string of
 * little-endian float32 values, as the agent sends them (no decimal text to write or parse), or a
 * JSON array of numbers, where {@code null} stands for a non-finite value and reads as NaN.
 */
final class EncodedFloats extends StdDeserializer<float[]> {
  EncodedFloats() {
    super(float[].class);
  }

  @Override
  public float[] deserialize(JsonParser parser, DeserializationContext context) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.VALUE_STRING) return decode(parser.getText());
    if (token != JsonToken.START_ARRAY) {
      return (float[]) context.handleUnexpectedToken(float[].class, parser);
    }
    float[] values = new float[16];
    int count = 0;
    for (JsonToken next = parser.nextToken(); next != JsonToken.END_ARRAY; next = parser.nextToken()) {
      if (count == values.length) values = Arrays.copyOf(values, 2 * count);
      if (next == JsonToken.VALUE_NULL) {
        values[count++] = Float.NaN;
      } else if (next.isNumeric()) {
        values[count++] = parser.getFloatValue();
      } else {
        return (float[]) context.handleUnexpectedToken(float[].class, parser);
      }
    }
    return Arrays.copyOf(values, count);
  }

  /** The floats of a base64 text of little-endian float32 values; a clear error when it is not one. */
  static float[] decode(String text) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("a float list must be base64 of little-endian float32 values: " + e.getMessage());
    }
    if (bytes.length % Float.BYTES != 0) {
      throw new IllegalArgumentException("a float list must be base64 of little-endian float32 values, got " + bytes.length
          + " bytes, not a multiple of 4");
    }
    float[] values = new float[bytes.length / Float.BYTES];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
    return values;
  }
}
