package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Residual blocks: shapes, a hand-computed sum, whole-block and whole-network gradient checks, saved structure. */
class ResidualTest {
  private static final Shape INPUT = new Shape(3, 6, 6);

  /** conv3-bn-relu, then an identity-shortcut block and a stride-2 block with a 1x1 projection, pooled into the classifier. */
  static Network smallResNet(long seed) {
    List<LayerSpec> layers = List.of(new LayerSpec.ConvSpec(4, 3, 1, 1, false), new LayerSpec.BatchNormSpec(),
        new LayerSpec.ReluSpec(), LayerSpec.ResidualSpec.basic(4, 1), new LayerSpec.ReluSpec(),
        LayerSpec.ResidualSpec.basic(6, 2), new LayerSpec.ReluSpec(), new LayerSpec.GlobalPoolSpec());
    return Network.build(new NetworkSpec(INPUT, 3, layers, InitKind.HE), seed);
  }

  @Test
  void identityAndProjectionShortcutsAreChosenByShape() {
    try (Network net = smallResNet(1)) {
      Residual same = (Residual) net.layer("res1");
      Residual down = (Residual) net.layer("res2");
      assertThat(same.shortcut()).isEmpty();
      assertThat(same.main()).extracting(Layer::kind).containsExactly("conv", "batchnorm", "relu", "conv", "batchnorm");
      assertThat(down.shortcut()).extracting(Layer::kind).containsExactly("conv", "batchnorm");
      Conv projection = (Conv) down.shortcut().getFirst();
      assertThat(List.of(projection.kernelSize(), projection.stride(), projection.pad(), projection.filters()))
          .containsExactly(1, 2, 0, 6);
      assertThat(projection.hasBias()).isFalse();
      assertThat(net.checkChain().get(net.layers().indexOf(down) + 1)).isEqualTo(new Shape(6, 3, 3));
      // ids are unique across the blocks' inner layers
      assertThat(net.layers().stream().map(Layer::id)).containsExactly("conv1", "bn1", "relu1", "res1", "relu3", "res2", "relu5",
          "gap1", "output");
      assertThat(same.innerLayers()).extracting(Layer::id).containsExactly("conv2", "bn2", "relu2", "conv3", "bn3");
    }
  }

  @Test
  void outputIsMainPathPlusShortcut() {
    // main: 1x1 conv with weight 2 and bias 1; identity shortcut: y = 2x + 1 + x
    Conv conv = new Conv("conv1", 1, 1, 1, 1, 0);
    conv.weights().value()[0] = 2f;
    conv.bias().value()[0] = 1f;
    Residual block = new Residual("res1", List.of(conv), List.of());
    Frame frame = block.newFrame();
    Tensor y = block.forward(frame, new Tensor(1, new Shape(1, 1, 3), new float[] {1, -2, 0.5f}), Pass.inference());
    assertThat(y.data()).containsExactly(4f, -5f, 2.5f);
    // dL/dx = (2 + 1) dL/dy; dL/dw = sum x dL/dy; dL/db = sum dL/dy
    Tensor dx = block.backward(frame, new Tensor(1, new Shape(1, 1, 3), new float[] {1, 1, 2}), true);
    assertThat(dx.data()).containsExactly(3f, 3f, 6f);
    assertThat(frame.grads()[0]).containsExactly(0f);
    assertThat(frame.grads()[1]).containsExactly(4f);
  }

  @Test
  void mismatchedPathsAreRefusedWithTheShapes() {
    Residual block = new Residual("res1", List.of(new Conv("conv1", 3, 5, 3, 1, 1)), List.of());
    assertThatThrownBy(() -> block.outputShape(new Shape(3, 4, 4)))
        .hasMessage("res1: its main path gives 5x4x4 but its identity shortcut gives 3x4x4; they must match to be added");
  }

  @Test
  void identityBlockGradientsMatchFiniteDifferencesInTrainingAndInference() {
    for (boolean training : new boolean[] {true, false}) {
      Residual block = block(4, 1, 4);
      LayerGradientTest.checkLayer(block, new Shape(4, 5, 5), 2, GradientCheck.randomArray(2 * 100, 11), training);
    }
  }

  @Test
  void projectionBlockGradientsMatchFiniteDifferencesInTrainingAndInference() {
    for (boolean training : new boolean[] {true, false}) {
      Residual block = block(3, 2, 5);
      LayerGradientTest.checkLayer(block, new Shape(3, 6, 6), 2, GradientCheck.randomArray(2 * 108, 11), training);
    }
  }

  /** A basic block built outside a network, with random weights and batch norm parameters. */
  private static Residual block(int inChannels, int stride, int filters) {
    try (Network net = Network.build(new NetworkSpec(new Shape(inChannels, 6, 6), 2,
        List.of(LayerSpec.ResidualSpec.basic(filters, stride)), InitKind.HE), 4)) {
      Residual block = (Residual) net.layers().getFirst();
      long seed = 30;
      for (Layer layer : block.innerLayers()) {
        if (layer instanceof BatchNorm bn) {
          float[] g = GradientCheck.randomArray(bn.channels(), seed++);
          for (int c = 0; c < g.length; c++) bn.gamma().value()[c] = 1f + 0.5f * g[c];
          System.arraycopy(GradientCheck.randomArray(bn.channels(), seed++), 0, bn.beta().value(), 0, bn.channels());
          float[] v = GradientCheck.randomArray(bn.channels(), seed++);
          for (int c = 0; c < v.length; c++) bn.runningVariance().value()[c] = 1f + 0.5f * v[c];
          System.arraycopy(GradientCheck.randomArray(bn.channels(), seed++), 0, bn.runningMean().value(), 0, bn.channels());
        }
      }
      return block;
    }
  }

  @Test
  void wholeNetworkGradientsMatchFiniteDifferencesInTrainingAndInference() {
    try (Network net = smallResNet(3)) {
      int batch = 4;
      float[] images = GradientCheck.randomArray(batch * INPUT.size(), 5);
      int[] labels = {0, 1, 2, 1};
      NetworkGradientTest.checkNetwork(net, 3, 21); // inference: running statistics
      NetworkGradientTest.checkTrainingPass(net, images, labels, 12, 9);
    }
  }

  @Test
  void architectureAndStateRoundTripWithBlocksAndBuffers() {
    try (Network net = smallResNet(3)) {
      int batch = 4;
      float[] images = GradientCheck.randomArray(batch * INPUT.size(), 5);
      net.trainStep(images, new int[] {0, 1, 2, 1}, batch, Hyperparameters.defaults());
      Architecture arch = Architecture.of(net);
      Architecture.LayerInfo res2 = arch.layers().get(5);
      assertThat(res2.kind()).isEqualTo("residual");
      assertThat(res2.main()).extracting(Architecture.LayerInfo::id).containsExactly("conv4", "bn4", "relu4", "conv5", "bn5");
      assertThat(res2.shortcut()).extracting(Architecture.LayerInfo::id).containsExactly("conv6", "bn6");
      assertThat(res2.shortcut().getFirst().withoutBias()).isTrue();
      try (Network restored = NetworkState.capture(net).restore()) {
        assertThat(Architecture.of(restored)).usingRecursiveComparison().isEqualTo(arch);
        assertThat(restored.logits(images, batch)).isEqualTo(net.logits(images, batch));
        List<Param> saved = net.savedArrays();
        List<Param> copy = restored.savedArrays();
        for (int i = 0; i < saved.size(); i++) assertThat(copy.get(i).value()).as(saved.get(i).name()).isEqualTo(saved.get(i).value());
      }
    }
  }
}
