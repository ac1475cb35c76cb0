package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Surgery on networks with batch norm and residual blocks: what is not supported yet is refused
 * with the reason and leaves the network exactly as it was; what already works keeps it working.
 */
class ResNetSurgeryTest {
  private static final int BATCH = 4;
  private static final float[] IMAGES = GradientCheck.randomArray(BATCH * 108, 5);

  @Test
  void widthChangesAroundBatchNormAndBlocksAreRefusedAndChangeNothing() {
    refused(n -> Surgery.addFilters(n, "conv1", 2, GrowInit.ZERO_OUT, null, 0), "it has no bias");
    refused(n -> Surgery.removeFilters(n, "conv1", List.of("conv1/f0")), "it has no bias");
    refused(n -> Surgery.addFilters(n, "res1", 1, GrowInit.RANDOM, null, 0), "it is a residual layer without filters");
    refused(n -> Surgery.freeze(n, "res1"), "freezing a residual layer is not supported yet");
    refused(n -> Surgery.freeze(n, "bn1"), "freezing a batchnorm layer is not supported yet");
    refused(n -> Surgery.insertConv(n, "relu1", 5, 3, false, InsertInit.RANDOM), "conv2 expects 4 input channels but gets 5");
    refused(n -> Surgery.removeLayer(n, "conv1"), "bn1 normalises 4 channels but gets 3");
  }

  @Test
  void aConvWithBiasFeedingBatchNormIsRefusedToo() {
    List<LayerSpec> layers = List.of(new LayerSpec.ConvSpec(4, 3, 1, 1), new LayerSpec.BatchNormSpec(), new LayerSpec.ReluSpec());
    try (Network net = Network.build(new NetworkSpec(new Shape(3, 6, 6), 3, layers, InitKind.HE), 2)) {
      assertThatThrownBy(() -> Surgery.addFilters(net, "conv1", 1, GrowInit.RANDOM, null, 0))
          .hasMessage("cannot add filters to conv1: batchnorm layer bn1 follows it, and changing the width of a layer that "
              + "feeds a batchnorm is not supported yet");
    }
  }

  @Test
  void removingAnIdentityShapedBlockKeepsTheNetworkWorking() {
    try (Network net = ResidualTest.smallResNet(3)) {
      SurgeryResult result = Surgery.removeLayer(net, "res1");
      assertThat(result.removedLayers()).containsExactly("res1");
      assertThat(net.layers()).extracting(Layer::id).containsExactly("conv1", "bn1", "relu1", "relu3", "res2", "relu5", "gap1",
          "output");
      StepResult step = net.trainStep(IMAGES, new int[] {0, 1, 2, 1}, BATCH, Hyperparameters.defaults());
      assertThat(step.loss()).isFinite();
      try (Network restored = NetworkState.capture(net).restore()) {
        assertThat(restored.logits(IMAGES, BATCH)).isEqualTo(net.logits(IMAGES, BATCH));
      }
    }
  }

  @Test
  void insertingAConvThatKeepsTheShapeBeforeABlockWorks() {
    try (Network net = ResidualTest.smallResNet(3)) {
      Surgery.insertConv(net, "relu1", 4, 3, false, InsertInit.IDENTITY);
      assertThat(net.layers()).extracting(Layer::id).startsWith("conv1", "bn1", "relu1", "conv7", "relu6", "res1");
      assertThat(net.trainStep(IMAGES, new int[] {0, 1, 2, 1}, BATCH, Hyperparameters.defaults()).loss()).isFinite();
    }
  }

  private static void refused(Consumer<Network> operation, String reason) {
    try (Network net = ResidualTest.smallResNet(3)) {
      net.trainStep(IMAGES, new int[] {0, 1, 2, 1}, BATCH, Hyperparameters.defaults());
      NetworkState before = NetworkState.capture(net);
      float[] logits = net.logits(IMAGES, BATCH);
      assertThatThrownBy(() -> operation.accept(net)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
      assertThat(Architecture.of(net)).usingRecursiveComparison().isEqualTo(before.architecture());
      List<Param> now = net.savedArrays();
      for (int i = 0; i < now.size(); i++) assertThat(now.get(i).value()).isEqualTo(before.params().get(i).value());
      assertThat(net.logits(IMAGES, BATCH)).isEqualTo(logits);
    }
  }
}
