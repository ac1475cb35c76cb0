package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Shape;

class WeightExportTest {
  private final NetworkState state =
      NetworkState.capture(Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 3));

  @Test
  void shapesFollowPyTorchConventions() {
    var shapes = WeightExport.shapes(state);
    assertThat(shapes.get("conv1/weights")).containsExactly(16, 3, 5, 5);
    assertThat(shapes.get("conv2/weights")).containsExactly(20, 16, 5, 5);
    assertThat(shapes.get("conv1/bias")).containsExactly(16);
    assertThat(shapes.get("output/weights")).containsExactly(10, 320);
  }

  @Test
  void npyFilesHaveAValidHeaderAndTheValuesInOrder(@TempDir Path dir) throws Exception {
    WeightExport.write(state, dir);
    byte[] bytes = Files.readAllBytes(dir.resolve("conv1.weights.npy"));
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(bytes[0]).isEqualTo((byte) 0x93);
    assertThat(new String(bytes, 1, 5, StandardCharsets.US_ASCII)).isEqualTo("NUMPY");
    assertThat(bytes[6]).isEqualTo((byte) 1);
    int headerLength = b.getShort(8);
    assertThat((10 + headerLength) % 64).isZero();
    String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
    assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (16, 3, 5, 5), }").endsWith("\n");
    float[] expected = state.params().getFirst().value();
    assertThat(bytes.length - 10 - headerLength).isEqualTo(4 * expected.length);
    b.position(10 + headerLength);
    for (float v : expected) assertThat(b.getFloat()).isEqualTo(v);
    String biasHeader = new String(Files.readAllBytes(dir.resolve("output.bias.npy")), 10, 60, StandardCharsets.US_ASCII);
    assertThat(biasHeader).contains("'shape': (10,)");
  }

  @Test
  void jsonHoldsEveryParameterWithItsShape() throws Exception {
    JsonNode root = Commands.STRICT.readTree(WeightExport.json(state));
    assertThat(root.get("params").size()).isEqualTo(8);
    JsonNode conv1 = root.get("params").get("conv1/weights");
    assertThat(conv1.get("data").size()).isEqualTo(16 * 3 * 25);
    assertThat((float) conv1.get("data").get(7).asDouble()).isEqualTo(state.params().getFirst().value()[7]);
    assertThat(root.get("architecture").get("layers").size()).isEqualTo(10);
  }
}
