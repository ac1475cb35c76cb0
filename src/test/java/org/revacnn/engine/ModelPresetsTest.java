package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CIFAR ResNet presets: structure, parameter counts against PyTorch, and that they learn. */
class ModelPresetsTest {
  private static final Shape CIFAR = new Shape(3, 32, 32);

  /** Counts printed by src/test/resources/reference/resnet_reference.py (PyTorch 1.13, the same models). */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"resnet20, 3, 272474", "resnet32, 5, 466906", "resnet56, 9, 855770"})
  void parameterCountsMatchPyTorch(String preset, int blocksPerStage, long pytorchCount) {
    try (Network net = Network.build(NetworkSpec.parse(preset, CIFAR, 10), 1)) {
      assertThat(net.parameterCount()).isEqualTo(pytorchCount);
      List<Residual> blocks = net.layers().stream().filter(Residual.class::isInstance).map(Residual.class::cast).toList();
      assertThat(blocks).hasSize(3 * blocksPerStage);
      // 6n + 2 layers with weights: the stem, two convs per block, the classifier (shortcuts not counted)
      long weighted = 1 + blocks.stream().mapToLong(b -> b.main().stream().filter(Conv.class::isInstance).count()).sum() + 1;
      assertThat(weighted).isEqualTo(6L * blocksPerStage + 2);
    }
  }

  @Test
  void resnet20IsHeEtAlsCifarNetwork() {
    try (Network net = Network.build(NetworkSpec.parse("resnet20", CIFAR, 10), 1)) {
      List<Shape> shapes = net.checkChain();
      List<String> blocks = new ArrayList<>();
      for (int l = 0; l < net.layers().size(); l++) {
        if (net.layers().get(l) instanceof Residual r) {
          blocks.add(shapes.get(l + 1) + (r.shortcut().isEmpty() ? "" : " projection"));
        }
      }
      assertThat(blocks).containsExactly("16x32x32", "16x32x32", "16x32x32", "32x16x16 projection", "32x16x16", "32x16x16",
          "64x8x8 projection", "64x8x8", "64x8x8");
      assertThat(net.layers()).extracting(Layer::kind).startsWith("conv", "batchnorm", "relu", "residual", "relu")
          .endsWith("residual", "relu", "globalpool", "dense");
      assertThat(shapes.get(shapes.size() - 2)).isEqualTo(new Shape(64, 1, 1));
      Conv stem = (Conv) net.layers().getFirst();
      assertThat(List.of(stem.filters(), stem.kernelSize(), stem.stride(), stem.pad())).containsExactly(16, 3, 1, 1);
      assertThat(stem.hasBias()).isFalse();
    }
  }

  @Test
  void theShorthandSpellsOutThePreset() {
    assertThat(ModelShorthand.parse("resnet20")).isEqualTo(ModelShorthand.parse(
        "conv16k3bnnopool-res16-res16-res16-res32s2-res32-res32-res64s2-res64-res64-gap"));
    assertThat(NetworkSpec.PAPER_MODEL).isEqualTo("conv16-conv20-conv20");
  }

  @Test
  void depthsThatAreNotSixNPlusTwoAreRefused() {
    assertThatThrownBy(() -> ModelShorthand.parse("resnet21")).hasMessageContaining("6n + 2 layers")
        .hasMessageContaining("got 21");
    assertThatThrownBy(() -> ModelShorthand.parse("resnet2000")).hasMessageContaining("ResNet depth must be in 8..110");
  }

  @Test
  void aFewTrainingStepsOnSyntheticDataLowerTheLoss() {
    // 16 random images with fixed random labels: a ResNet-20 must start to fit them
    int batch = 16;
    float[] images = GradientCheck.randomArray(batch * CIFAR.size(), 3);
    int[] labels = new SplittableRandom(4).ints(batch, 0, 10).toArray();
    Hyperparameters sgd = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.05f).withMomentum(0.9f);
    try (Network net = Network.build(NetworkSpec.parse("resnet20", CIFAR, 10), 1)) {
      net.setThreads(2);
      double first = net.trainStep(images, labels, batch, sgd).loss();
      assertThat(first).isBetween(Math.log(10) - 0.5, Math.log(10) + 0.5);
      for (int step = 0; step < 7; step++) net.trainStep(images, labels, batch, sgd);
      double trained = net.computeGradients(images, labels, batch, true).loss();
      assertThat(trained).isLessThan(first * 0.8);
      assertThat(NetworkGradientTest.meanLoss(net, images, labels, batch)).isFinite(); // inference with running statistics
    }
  }
}
