package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Surgery on networks with batch norm and residual blocks (smallResNet: conv1-bn1-relu1, res1 =
 * conv2-bn2-relu2-conv3-bn3 + identity, relu3, res2 = conv4-bn4-relu4-conv5-bn5 + conv6-bn6, relu5,
 * gap1, output): width changes with the batch norms and, for layers that write into a residual sum,
 * the whole stage; identity blocks, block removal, freezing; refusals leave the network as it was.
 */
class ResNetSurgeryTest {
  private static final int BATCH = 4;
  private static final float[] IMAGES = GradientCheck.randomArray(BATCH * 108, 5);
  private static final int[] LABELS = {0, 1, 2, 1};

  /** smallResNet after a few SGD-with-momentum steps: running statistics and momentum are not at their start. */
  static Network trainedSmallResNet() {
    Network net = ResidualTest.smallResNet(3);
    for (int i = 0; i < 3; i++) net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum());
    return net;
  }

  @Test
  void net2netAndZeroOutOnABlocksInnerConvKeepTheFunctionAndTheBatchNormFollows() {
    for (GrowInit init : List.of(GrowInit.NET2NET, GrowInit.ZERO_OUT)) {
      try (Network net = trainedSmallResNet()) {
        float[] before = net.logits(IMAGES, BATCH);
        BatchNorm bn2 = (BatchNorm) LayerSite.find(net, "bn2").layer();
        float[] gamma = bn2.gamma().value().clone();
        float[] mean = bn2.runningMean().value().clone();
        float[] momentum = bn2.gamma().state("velocity").clone();
        SurgeryResult r = Surgery.addFilters(net, "conv2", 2, init, init == GrowInit.NET2NET ? "conv2/f1" : null, 0);
        assertThat(r.addedUnits()).containsExactly("conv2/f4", "conv2/f5");
        assertThat(bn2.channels()).isEqualTo(6);
        assertThat(((Conv) LayerSite.find(net, "conv3").layer()).inChannels()).isEqualTo(6);
        assertThat(SurgeryFixtures.maxAbsDifference(net.logits(IMAGES, BATCH), before)).as(init.name()).isLessThan(1e-5);
        // survivors keep values and momentum; new channels: the source's (net2net) or the starting values, zero momentum
        assertThat(Arrays.copyOf(bn2.gamma().value(), 4)).isEqualTo(gamma);
        assertThat(Arrays.copyOf(bn2.gamma().state("velocity"), 4)).isEqualTo(momentum);
        assertThat(Arrays.copyOfRange(bn2.gamma().state("velocity"), 4, 6)).containsOnly(0f);
        if (init == GrowInit.NET2NET) {
          assertThat(Arrays.copyOfRange(bn2.gamma().value(), 4, 6)).containsOnly(gamma[1]);
          assertThat(Arrays.copyOfRange(bn2.runningMean().value(), 4, 6)).containsOnly(mean[1]);
        } else {
          assertThat(Arrays.copyOfRange(bn2.gamma().value(), 4, 6)).containsOnly(1f);
          assertThat(Arrays.copyOfRange(bn2.beta().value(), 4, 6)).containsOnly(0f);
          assertThat(Arrays.copyOfRange(bn2.runningMean().value(), 4, 6)).containsOnly(0f);
          assertThat(Arrays.copyOfRange(bn2.runningVariance().value(), 4, 6)).containsOnly(1f);
        }
        assertThat(net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum()).loss()).isFinite();
      }
    }
  }

  @Test
  void aPlainConvBatchNormReluStackGrowsWithItsBatchNorm() {
    List<LayerSpec> layers = List.of(new LayerSpec.ConvSpec(4, 3, 1, 1), new LayerSpec.BatchNormSpec(), new LayerSpec.ReluSpec(),
        new LayerSpec.ConvSpec(5, 3, 1, 1, false), new LayerSpec.BatchNormSpec(), new LayerSpec.ReluSpec());
    try (Network net = Network.build(new NetworkSpec(new Shape(3, 6, 6), 3, layers, InitKind.HE), 2)) {
      for (int i = 0; i < 2; i++) net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum());
      float[] before = net.logits(IMAGES, BATCH);
      Surgery.addFilters(net, "conv1", 3, GrowInit.NET2NET, null, 0);
      Surgery.addFilters(net, "conv2", 2, GrowInit.ZERO_OUT, null, 0);
      assertThat(SurgeryFixtures.maxAbsDifference(net.logits(IMAGES, BATCH), before)).isLessThan(1e-5);
      assertThat(((BatchNorm) net.layer("bn1")).channels()).isEqualTo(7);
      assertThat(((BatchNorm) net.layer("bn2")).channels()).isEqualTo(7);
      NetworkGradientTest.checkNetwork(net, 3, 23);
    }
  }

  @Test
  void removingFiltersOfAnInnerConvKeepsEveryOtherWeightBitIdentical() {
    try (Network net = trainedSmallResNet()) {
      Conv conv2 = (Conv) LayerSite.find(net, "conv2").layer();
      Conv conv3 = (Conv) LayerSite.find(net, "conv3").layer();
      BatchNorm bn2 = (BatchNorm) LayerSite.find(net, "bn2").layer();
      float[] w2 = conv2.weights().value().clone();
      float[] v2 = conv2.weights().state("velocity").clone();
      float[] w3 = conv3.weights().value().clone();
      float[] variance = bn2.runningVariance().value().clone();
      Surgery.removeFilters(net, "conv2", List.of("conv2/f1"));
      int size = conv2.weights().unitSize();
      assertThat(conv2.filterIds().ids()).containsExactly("conv2/f0", "conv2/f2", "conv2/f3");
      assertThat(conv2.weights().value()).isEqualTo(concat(Arrays.copyOfRange(w2, 0, size), Arrays.copyOfRange(w2, 2 * size, 4 * size)));
      assertThat(conv2.weights().state("velocity"))
          .isEqualTo(concat(Arrays.copyOfRange(v2, 0, size), Arrays.copyOfRange(v2, 2 * size, 4 * size)));
      assertThat(bn2.runningVariance().value()).containsExactly(variance[0], variance[2], variance[3]);
      // conv3's unit 0: input channels 0, 2, 3 of 9 taps each
      assertThat(Arrays.copyOf(conv3.weights().value(), 27))
          .isEqualTo(concat(Arrays.copyOfRange(w3, 0, 9), Arrays.copyOfRange(w3, 18, 36)));
      NetworkGradientTest.checkNetwork(net, 3, 29);
    }
  }

  @Test
  void aConvThatWritesIntoAResidualSumChangesWithItsWholeStage() {
    for (GrowInit init : List.of(GrowInit.NET2NET, GrowInit.ZERO_OUT)) {
      try (Network net = trainedSmallResNet()) {
        float[] before = net.logits(IMAGES, BATCH);
        SurgeryResult r = Surgery.addFilters(net, "conv3", 1, init, null, 0);
        assertThat(r.description()).isEqualTo("add 1 filter to conv3 and its residual stage (conv1, conv3, bn1, bn3, conv2, conv4, "
            + "conv6) (" + init.name().toLowerCase(java.util.Locale.ROOT) + ")");
        assertThat(r.addedUnits()).containsExactly("conv1/f4", "conv3/f4");
        assertThat(net.checkChain().get(4)).isEqualTo(new Shape(5, 6, 6));
        assertThat(SurgeryFixtures.maxAbsDifference(net.logits(IMAGES, BATCH), before)).as(init.name()).isLessThan(1e-5);
      }
    }
    try (Network net = trainedSmallResNet()) {
      // the shortcut's conv and the last conv of the projection block write the second stage, read by the classifier
      float[] before = net.logits(IMAGES, BATCH);
      Surgery.addFilters(net, "conv6", 2, GrowInit.NET2NET, "conv6/f3", 0);
      assertThat(SurgeryFixtures.maxAbsDifference(net.logits(IMAGES, BATCH), before)).isLessThan(1e-5);
      assertThat(((Dense) net.layer("output")).inputs()).isEqualTo(8);
      Surgery.removeFilters(net, "conv5", List.of("conv5/f0", "conv5/f7"));
      assertThat(((Conv) LayerSite.find(net, "conv6").layer()).filterIds().ids()).doesNotContain("conv6/f0", "conv6/f7");
      NetworkGradientTest.checkNetwork(net, 3, 32); // seed 31 straddles a ReLU kink at conv1/weights[24] before any surgery too
    }
  }

  @Test
  void resnet20KeepsItsFunctionUnderNet2NetAndZeroOutOnInnerConvsAndStages() {
    Shape input = new Shape(3, 32, 32);
    float[] images = GradientCheck.randomArray(2 * input.size(), 9);
    try (Network net = Network.build(new NetworkSpec(input, 10, ModelShorthand.parse("resnet20"), InitKind.HE), 4)) {
      net.trainStep(images, new int[] {3, 7}, 2, SurgeryFixtures.sgdMomentum());
      float[] before = net.logits(images, 2);
      String inner = ((Residual) net.layer("res5")).main().getFirst().id();
      Surgery.addFilters(net, inner, 3, GrowInit.NET2NET, null, 0);
      Surgery.addFilters(net, inner, 2, GrowInit.ZERO_OUT, null, 0);
      String stageWriter = ((Residual) net.layer("res5")).main().get(3).id();
      SurgeryResult stage = Surgery.addFilters(net, stageWriter, 4, GrowInit.NET2NET, null, 0);
      // stage 2: res4 (projection: main and shortcut) writes, res5 and res6 write and read, res7 (projection) reads
      assertThat(stage.addedUnits()).hasSize(4 * 4);
      assertThat(SurgeryFixtures.maxAbsDifference(net.logits(images, 2), before)).isLessThan(1e-4);
      assertThat(net.trainStep(images, new int[] {3, 7}, 2, SurgeryFixtures.sgdMomentum()).loss()).isFinite();
    }
  }

  @Test
  void anIdentityBlockLeavesTheFunctionExactlyAsItWasAndThenTrains() {
    try (Network net = trainedSmallResNet()) {
      float[] before = net.logits(IMAGES, BATCH);
      SurgeryResult r = Surgery.insertResidual(net, "relu3", 0, InsertInit.IDENTITY);
      assertThat(r.addedLayers()).containsExactly("res3", "relu7");
      assertThat(net.logits(IMAGES, BATCH)).isEqualTo(before);
      BatchNorm last = (BatchNorm) ((Residual) net.layer("res3")).main().getLast();
      net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum());
      assertThat(last.gamma().value()).isNotEqualTo(new float[4]);
    }
    // gradients through an inserted block, checked on a random one: with gamma near 0 the sum sits on
    // the next ReLU's kink wherever the input is 0, where finite differences straddle it
    try (Network net = trainedSmallResNet()) {
      Surgery.insertResidual(net, "relu3", 4, InsertInit.RANDOM);
      NetworkGradientTest.checkNetwork(net, 3, 37);
    }
  }

  @Test
  void freezingABatchNormOrABlockStopsItsParametersButNotItsRunningStatistics() {
    try (Network net = trainedSmallResNet()) {
      Surgery.freeze(net, "bn1");
      Surgery.freeze(net, "res1");
      BatchNorm bn1 = (BatchNorm) net.layer("bn1");
      Residual res1 = (Residual) net.layer("res1");
      assertThat(Network.isFrozen(res1)).isTrue();
      List<float[]> frozen = new java.util.ArrayList<>(List.of(bn1.gamma().value().clone(), bn1.beta().value().clone()));
      res1.params().forEach(p -> frozen.add(p.value().clone()));
      float[] mean = bn1.runningMean().value().clone();
      float[] conv1 = ((Conv) net.layer("conv1")).weights().value().clone();
      try (Network restored = NetworkState.capture(net).restore()) {
        assertThat(Network.isFrozen(restored.layer("bn1")) && Network.isFrozen(restored.layer("res1"))).isTrue();
      }
      net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum());
      List<float[]> after = new java.util.ArrayList<>(List.of(bn1.gamma().value(), bn1.beta().value()));
      res1.params().forEach(p -> after.add(p.value()));
      for (int i = 0; i < frozen.size(); i++) assertThat(after.get(i)).as("array %d", i).isEqualTo(frozen.get(i));
      assertThat(bn1.runningMean().value()).isNotEqualTo(mean);
      assertThat(((Conv) net.layer("conv1")).weights().value()).isNotEqualTo(conv1);
      assertThatThrownBy(() -> Surgery.addFilters(net, "conv2", 1, GrowInit.RANDOM, null, 0))
          .hasMessageContaining("frozen layer conv2");
      Surgery.unfreeze(net, "res1");
      float[] conv2 = ((Conv) LayerSite.find(net, "conv2").layer()).weights().value().clone();
      net.trainStep(IMAGES, LABELS, BATCH, SurgeryFixtures.sgdMomentum());
      assertThat(((Conv) LayerSite.find(net, "conv2").layer()).weights().value()).isNotEqualTo(conv2);
    }
  }

  @Test
  void whatCannotChangeIsRefusedWithTheReasonAndChangesNothing() {
    refused(n -> Surgery.addFilters(n, "res1", 1, GrowInit.RANDOM, null, 0), "it is a residual layer without filters");
    refused(n -> Surgery.freeze(n, "relu2"), "cannot freeze relu2: it has no parameters");
    refused(n -> Surgery.insertConv(n, "relu1", 5, 3, false, InsertInit.RANDOM), "conv2 expects 4 input channels but gets 5");
    refused(n -> Surgery.removeLayer(n, "conv1"), "bn1 normalises 4 channels but gets 3");
    refused(n -> Surgery.removeLayer(n, "conv2"), "cannot remove conv2: conv2 is inside residual block res1");
    refused(n -> Surgery.insertResidual(n, "relu3", 5, InsertInit.IDENTITY), "as many filters as its input has channels, 4, got 5");
    refused(n -> Surgery.insertResidual(n, "res1", 0, InsertInit.IDENTITY), "an identity block must follow a ReLU");
    refused(n -> Surgery.removeFilters(n, "conv2", List.of("conv2/f0", "conv2/f1", "conv2/f2", "conv2/f3")),
        "a layer keeps at least one");
    refused(n -> {
      Surgery.freeze(n, "bn3");
      Surgery.addFilters(n, "conv1", 1, GrowInit.ZERO_OUT, null, 0);
    }, "it would grow or re-initialise frozen layer bn3");
  }

  @Test
  void aStageThatCarriesTheInputIsRefused() {
    List<LayerSpec> layers = List.of(LayerSpec.ResidualSpec.basic(3, 1), new LayerSpec.ReluSpec(), new LayerSpec.GlobalPoolSpec());
    try (Network net = Network.build(new NetworkSpec(new Shape(3, 6, 6), 3, layers, InitKind.HE), 2)) {
      Architecture before = Architecture.of(net);
      assertThatThrownBy(() -> Surgery.addFilters(net, "conv2", 1, GrowInit.RANDOM, null, 0))
          .hasMessage("cannot add filters to conv2: the identity shortcut of res1 carries the network's input, whose channels are fixed");
      assertThat(Architecture.of(net)).usingRecursiveComparison().isEqualTo(before);
    }
  }

  @Test
  void removingAnIdentityShapedBlockKeepsTheNetworkWorking() {
    try (Network net = ResidualTest.smallResNet(3)) {
      SurgeryResult result = Surgery.removeLayer(net, "res1");
      assertThat(result.removedLayers()).containsExactly("res1");
      assertThat(net.layers()).extracting(Layer::id).containsExactly("conv1", "bn1", "relu1", "relu3", "res2", "relu5", "gap1",
          "output");
      StepResult step = net.trainStep(IMAGES, LABELS, BATCH, Hyperparameters.defaults());
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
      assertThat(net.trainStep(IMAGES, LABELS, BATCH, Hyperparameters.defaults()).loss()).isFinite();
    }
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static void refused(Consumer<Network> operation, String reason) {
    try (Network net = ResidualTest.smallResNet(3)) {
      net.trainStep(IMAGES, LABELS, BATCH, Hyperparameters.defaults());
      NetworkState before = NetworkState.capture(net);
      float[] logits = net.logits(IMAGES, BATCH);
      assertThatThrownBy(() -> operation.accept(net)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(reason);
      List<Param> now = net.savedArrays();
      for (int i = 0; i < now.size(); i++) assertThat(now.get(i).value()).isEqualTo(before.params().get(i).value());
      assertThat(net.logits(IMAGES, BATCH)).isEqualTo(logits);
      if (!reason.contains("frozen")) assertThat(Architecture.of(net)).usingRecursiveComparison().isEqualTo(before.architecture());
    }
  }
}
