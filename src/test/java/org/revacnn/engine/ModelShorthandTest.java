package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelShorthandTest {

  @Test
  void paperModelIsThreeConvReluPoolBlocksThenTheClassifier() {
    try (Network net = Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 1)) {
      assertThat(net.layers().stream().map(Layer::id).toList()).containsExactly(
          "conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3", "pool3", "output");
      assertThat(net.checkChain()).containsExactly(new Shape(3, 32, 32),
          new Shape(16, 32, 32), new Shape(16, 32, 32), new Shape(16, 16, 16),
          new Shape(20, 16, 16), new Shape(20, 16, 16), new Shape(20, 8, 8),
          new Shape(20, 8, 8), new Shape(20, 8, 8), new Shape(20, 4, 4), new Shape(10, 1, 1));
      // 22,466 parameters, as ConvNetJS and PyTorch count them
      assertThat(net.parameterCount()).isEqualTo(22_466);
      Conv conv2 = (Conv) net.layer("conv2");
      assertThat(conv2.filterIds().id(7)).isEqualTo("conv2/f7");
      assertThat(conv2.kernelSize()).isEqualTo(5);
      assertThat(conv2.pad()).isEqualTo(2);
    }
  }

  @Test
  void optionsAndOtherBlocksParse() {
    assertThat(ModelShorthand.parse("conv8k3s2p0nopool-pool3-fc32-drop50")).containsExactly(
        new LayerSpec.ConvSpec(8, 3, 2, 0), new LayerSpec.ReluSpec(), new LayerSpec.PoolSpec(3, 3),
        new LayerSpec.DenseSpec(32), new LayerSpec.ReluSpec(), new LayerSpec.DropoutSpec(0.5f));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "conv16-cnv20|block 2 'cnv20' at character 8: unknown block",
      "conv0|filters must be in 1..4096, got 0",
      "conv16--conv20|block 2 '' at character 8",
      "fc99999999999999999999|units must be in 1..4096",
      "drop100|dropout percent must be in 0..99",
      "' '|model spec is empty"})
  void badSpecsSayWhatAndWhere(String spec, String message) {
    assertThatThrownBy(() -> ModelShorthand.parse(spec)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }

  @Test
  void specThatShrinksBelowOneTexelSaysWhichLayer() {
    assertThatThrownBy(() -> Network.build(NetworkSpec.parse("conv4-conv4-conv4-conv4", new Shape(1, 8, 8), 2), 1))
        .hasMessageContaining("pool4").hasMessageContaining("larger than its input");
  }

  @Test
  void noHiddenLayersIsALinearClassifier() {
    try (Network net = Network.build(new NetworkSpec(new Shape(1, 2, 2), 3, List.of(), InitKind.XAVIER), 1)) {
      assertThat(net.layers()).hasSize(1);
      assertThat(net.parameterCount()).isEqualTo(4 * 3 + 3);
    }
  }
}
