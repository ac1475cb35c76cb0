package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.revacnn.engine.SurgeryFixtures.Batch;
import org.revacnn.engine.SurgeryFixtures.Snapshot;

/** Worked examples of each surgery operation, its errors, and training after it. */
class SurgeryTest {
  private static final Shape INPUT = new Shape(3, 8, 8);

  private static Network build(String spec) {
    return Network.build(NetworkSpec.parse(spec, INPUT, 4), 11);
  }

  @Test
  void addingFiltersGrowsTheLayerAndTheNextLayersInputs() {
    try (Network net = build("conv3k3-conv4k3-fc5")) {
      Conv conv1 = (Conv) net.layer("conv1");
      Conv conv2 = (Conv) net.layer("conv2");
      Dense fc1 = (Dense) net.layer("fc1");
      SurgeryResult first = Surgery.addFilters(net, "conv1", 2, GrowInit.RANDOM, null, 0);
      assertThat(conv1.filters()).isEqualTo(5);
      assertThat(conv2.inChannels()).isEqualTo(5);
      assertThat(first.addedUnits()).containsExactly("conv1/f3", "conv1/f4");
      // conv2 is followed by relu and a 2x2 pool: 8x8 -> 4x4 -> 2x2, so each channel is 4 inputs of fc1
      Surgery.addFilters(net, "conv2", 3, GrowInit.ZERO_OUT, null, 0);
      assertThat(fc1.inputs()).isEqualTo(7 * 4);
      assertThat(net.checkChain().get(net.layers().size())).isEqualTo(new Shape(4, 1, 1));
    }
  }

  @Test
  void removedIdsAreNeverReused() {
    try (Network net = build("conv3k3")) {
      Surgery.removeFilters(net, "conv1", List.of("conv1/f1"));
      SurgeryResult added = Surgery.addFilters(net, "conv1", 1, GrowInit.RANDOM, null, 0);
      assertThat(added.addedUnits()).containsExactly("conv1/f3");
      assertThat(((Conv) net.layer("conv1")).filterIds().ids()).containsExactly("conv1/f0", "conv1/f2", "conv1/f3");
    }
  }

  @Test
  void removingFiltersDropsTheNextLayersMatchingSlices() {
    try (Network net = build("conv3k3-conv2k3")) {
      Conv conv2 = (Conv) net.layer("conv2");
      float[] before = conv2.weights().value().clone();
      Surgery.removeFilters(net, "conv1", List.of("conv1/f0", "conv1/f2"));
      // conv2 keeps input channel 1 of each filter: 9 taps out of 27
      assertThat(conv2.inChannels()).isEqualTo(1);
      for (int f = 0; f < 2; f++) {
        for (int t = 0; t < 9; t++) assertThat(conv2.weights().value()[f * 9 + t]).isEqualTo(before[f * 27 + 9 + t]);
      }
    }
  }

  @Test
  void net2netSplitsTheSourcesOutgoingWeightsAndKeepsTheFunction() {
    try (Network net = build("conv3k3-fc4")) {
      Batch batch = Batch.random(net, 4, 3);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 2);
      float[] logits = batch.logits(net);
      Dense fc1 = (Dense) net.layer("fc1");
      float[] outgoing = fc1.weights().value().clone();
      int plane = 16;
      SurgeryResult result = Surgery.addFilters(net, "conv1", 2, GrowInit.NET2NET, "conv1/f1", 0);
      assertThat(result.changes()).extracting(WeightChange::fill)
          .containsExactly(WeightChange.Fill.COPY, WeightChange.Fill.COPY, WeightChange.Fill.SPLIT);
      assertThat(result.changes().get(2).inputChannels()).containsExactly(1, 3, 4);
      float[] w = fc1.weights().value();
      for (int u = 0; u < 4; u++) {
        for (int e = 0; e < plane; e++) {
          float third = outgoing[u * 3 * plane + plane + e] / 3;
          assertThat(w[u * 5 * plane + plane + e]).isEqualTo(third);
          assertThat(w[u * 5 * plane + 3 * plane + e]).isEqualTo(third);
          assertThat(w[u * 5 * plane + 4 * plane + e]).isEqualTo(third);
        }
      }
      assertThat(SurgeryFixtures.maxAbsDifference(batch.logits(net), logits)).isLessThanOrEqualTo(1e-5);
    }
  }

  @Test
  void net2netCopiesTheFilterWithTheLargestMeanGradientByDefault() {
    try (Network net = build("conv4k3")) {
      Conv conv1 = (Conv) net.layer("conv1");
      float[] grad = conv1.weights().grad();
      int size = conv1.weights().unitSize();
      for (int i = 0; i < size; i++) {
        grad[size + i] = 0.5f;
        grad[2 * size + i] = -0.7f; // |g| counts
        grad[3 * size + i] = 0.7f; // a tie goes to the lower index
      }
      SurgeryResult result = Surgery.addFilters(net, "conv1", 1, GrowInit.NET2NET, null, 0);
      assertThat(result.changes().get(0).detail()).isEqualTo("copy of conv1/f2");
    }
  }

  @Test
  void net2netNoiseBreaksSymmetryOnlyInTheCopies() {
    try (Network net = build("conv3k3")) {
      Conv conv1 = (Conv) net.layer("conv1");
      float[] source = java.util.Arrays.copyOfRange(conv1.weights().value(), 0, 27);
      Surgery.addFilters(net, "conv1", 1, GrowInit.NET2NET, "conv1/f0", 0.05);
      float[] w = conv1.weights().value();
      assertThat(java.util.Arrays.copyOfRange(w, 0, 27)).isEqualTo(source);
      assertThat(java.util.Arrays.copyOfRange(w, 81, 108)).isNotEqualTo(source);
      assertThat(SurgeryFixtures.maxAbsDifference(java.util.Arrays.copyOfRange(w, 81, 108), source)).isLessThan(0.5);
    }
  }

  /** PyTorch issue 4388: parameters widened behind the optimiser's back silently stopped updating. */
  @ParameterizedTest
  @EnumSource(value = OptimizerKind.class, names = {"SGD", "ADAM"})
  void newFiltersAreUpdatedByTheOptimiser(OptimizerKind kind) {
    Hyperparameters hyper = kind == OptimizerKind.SGD ? SurgeryFixtures.sgdMomentum() : SurgeryFixtures.adam();
    try (Network net = build("conv4k3-conv4k3-fc8")) {
      Batch batch = Batch.random(net, 4, 5);
      batch.train(net, hyper, 3);
      Surgery.addFilters(net, "conv2", 2, GrowInit.RANDOM, null, 0);
      Conv conv2 = (Conv) net.layer("conv2");
      Dense fc1 = (Dense) net.layer("fc1");
      int size = conv2.weights().unitSize();
      float[] newIncoming = java.util.Arrays.copyOfRange(conv2.weights().value(), 4 * size, 6 * size);
      float[] fc1Before = fc1.weights().value().clone();
      batch.train(net, hyper, 2);
      assertThat(java.util.Arrays.copyOfRange(conv2.weights().value(), 4 * size, 6 * size)).isNotEqualTo(newIncoming);
      String stateName = kind == OptimizerKind.SGD ? "velocity" : "adam.m";
      float[] state = conv2.weights().states().get(stateName);
      assertThat(state).hasSize(6 * size);
      assertThat(java.util.Arrays.copyOfRange(state, 4 * size, 6 * size)).isNotEqualTo(new float[2 * size]);
      // fc1's new input channels (4 and 5 of 6, 4 inputs each) moved too (in units whose ReLU is alive)
      int fcSize = fc1.inputs();
      int moved = 0;
      for (int u = 0; u < fc1.units(); u++) {
        for (int i = u * fcSize + 16; i < u * fcSize + 24; i++) if (fc1.weights().value()[i] != fc1Before[i]) moved++;
      }
      assertThat(moved).isPositive();
    }
  }

  @Test
  void frozenLayersStayFrozenAndUnchangedThroughSurgery() {
    try (Network net = build("conv4k3-conv4k3-fc8")) {
      Batch batch = Batch.random(net, 4, 6);
      Hyperparameters hyper = SurgeryFixtures.adam();
      batch.train(net, hyper, 2);
      Surgery.freeze(net, "conv1");
      Param conv1Weights = ((Conv) net.layer("conv1")).weights().copy();
      Surgery.addFilters(net, "conv2", 2, GrowInit.NET2NET, null, 0.01);
      Surgery.insertDense(net, "relu3", 6, InsertInit.RANDOM);
      double before = batch.loss(net);
      batch.train(net, hyper, 5);
      assertThat(batch.loss(net)).isLessThan(before);
      assertThat(Network.isFrozen(net.layer("conv1"))).isTrue();
      // a frozen layer's gradient reads zero; its value and optimiser state do not move
      Param conv1Now = ((Conv) net.layer("conv1")).weights();
      assertThat(conv1Now.value()).isEqualTo(conv1Weights.value());
      assertThat(conv1Now.state("adam.m")).isEqualTo(conv1Weights.state("adam.m"));
      assertThatThrownBy(() -> Surgery.addFilters(net, "conv1", 1, GrowInit.RANDOM, null, 0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("frozen layer conv1");
      Surgery.unfreeze(net, "conv1");
      batch.train(net, hyper, 1);
      assertThat(((Conv) net.layer("conv1")).weights().value()).isNotEqualTo(conv1Weights.value());
    }
  }

  @Test
  void insertingAConvBlockWithPoolReinitialisesTheDenseAfterIt() {
    try (Network net = build("conv4k3-fc5")) {
      Dense fc1 = (Dense) net.layer("fc1");
      float[] fc1Bias = fc1.bias().value().clone();
      SurgeryResult result = Surgery.insertConv(net, "pool1", 6, 3, true, InsertInit.RANDOM);
      assertThat(result.addedLayers()).containsExactly("conv2", "relu3", "pool2");
      assertThat(net.layers().stream().map(Layer::id))
          .containsExactly("conv1", "relu1", "pool1", "conv2", "relu3", "pool2", "fc1", "relu2", "output");
      assertThat(fc1.inputs()).isEqualTo(6 * 2 * 2);
      assertThat(fc1.bias().value()).isEqualTo(fc1Bias);
      WeightChange adapted = result.changes().get(2);
      assertThat(adapted.layerId()).isEqualTo("fc1");
      assertThat(adapted.param()).isEqualTo("fc1/weights");
      assertThat(adapted.units()).hasSize(5);
      assertThat(adapted.inputChannels()).isEmpty();
      assertThat(adapted.detail()).isEqualTo("input changed from 4x4x4 to 6x2x2");
      assertThat(result.changes()).hasSize(3);
    }
  }

  @Test
  void removingAConvRemovesItsReluAndPoolAndAdaptsTheNextLayer() {
    try (Network net = build("conv4k3-conv5k3-fc5")) {
      SurgeryResult result = Surgery.removeLayer(net, "conv2");
      assertThat(result.removedLayers()).containsExactly("conv2", "relu2", "pool2");
      assertThat(((Dense) net.layer("fc1")).inputs()).isEqualTo(4 * 4 * 4);
      assertThat(result.changes()).extracting(WeightChange::layerId).containsExactly("fc1");
      // a single pool: the conv before it keeps its weights, the dense gets a bigger input
      SurgeryResult pool = Surgery.removeLayer(net, "pool1");
      assertThat(pool.removedLayers()).containsExactly("pool1");
      assertThat(((Dense) net.layer("fc1")).inputs()).isEqualTo(4 * 8 * 8);
    }
  }

  @Test
  void identityInsertionsKeepTheLogits() {
    try (Network net = build("conv3k3-conv4k3nopool-fc5")) {
      Batch batch = Batch.random(net, 4, 8);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 3);
      float[] logits = batch.logits(net);
      Surgery.insertConv(net, "pool1", 3, 3, false, InsertInit.IDENTITY);
      Surgery.insertConv(net, "relu2", 4, 1, false, InsertInit.IDENTITY);
      Surgery.insertDense(net, "relu3", 5, InsertInit.IDENTITY);
      assertThat(SurgeryFixtures.maxAbsDifference(batch.logits(net), logits)).isLessThanOrEqualTo(1e-5);
      double before = batch.loss(net);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 3);
      assertThat(batch.loss(net)).isLessThan(before);
    }
    try (Network net = build("conv3k3-fc5")) {
      Batch batch = Batch.random(net, 4, 8);
      float[] logits = batch.logits(net);
      SurgeryResult conv = Surgery.insertConv(net, "pool1", 3, 3, false, InsertInit.IDENTITY);
      assertThat(conv.addedLayers()).containsExactly("conv2", "relu3");
      Surgery.insertDense(net, "relu3", 48, InsertInit.IDENTITY);
      assertThat(batch.logits(net)).as("an identity is exact in float").isEqualTo(logits);
    }
  }

  @Test
  void invalidOperationsFailWithAClearMessageAndChangeNothing() {
    try (Network net = build("conv3k3-conv2k3-conv2k3-fc5")) {
      Batch batch = Batch.random(net, 4, 9);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 2);
      Snapshot before = Snapshot.of(net);
      expectInvalid(net, n -> Surgery.addFilters(n, "conv9", 1, GrowInit.RANDOM, null, 0), "unknown layer 'conv9'");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 0, GrowInit.RANDOM, null, 0), "count must be in 1..1024");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 1025, GrowInit.RANDOM, null, 0), "count must be in 1..1024");
      expectInvalid(net, n -> Surgery.addFilters(n, "output", 1, GrowInit.RANDOM, null, 0), "classifier");
      expectInvalid(net, n -> Surgery.addFilters(n, "relu1", 1, GrowInit.RANDOM, null, 0), "relu layer");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 1, GrowInit.NET2NET, "conv1/f9", 0), "'conv1/f9'");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 1, GrowInit.NET2NET, null, Double.NaN), "noise");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 1, GrowInit.RANDOM, null, 0.1), "net2net only");
      expectInvalid(net, n -> Surgery.addFilters(n, "conv1", 1, null, null, 0), "init");
      expectInvalid(net, n -> Surgery.removeFilters(n, "conv2", List.of("conv2/f0", "conv2/f1")), "at least one");
      expectInvalid(net, n -> Surgery.removeFilters(n, "conv2", List.of("conv2/f7")), "'conv2/f7' is not a filter of conv2");
      expectInvalid(net, n -> Surgery.removeFilters(n, "conv2", List.of("conv2/f0", "conv2/f0")), "listed twice");
      expectInvalid(net, n -> Surgery.removeFilters(n, "conv2", List.of()), "no filter ids");
      expectInvalid(net, n -> Surgery.insertConv(n, "pool2", 4, 3, false, InsertInit.RANDOM), "larger than its input 2x2x2");
      expectInvalid(net, n -> Surgery.insertConv(n, "pool1", 4, 4, false, InsertInit.RANDOM), "odd");
      expectInvalid(net, n -> Surgery.insertConv(n, "conv1", 3, 3, false, InsertInit.IDENTITY), "must follow a ReLU");
      expectInvalid(net, n -> Surgery.insertConv(n, "relu1", 5, 3, false, InsertInit.IDENTITY), "filters = its input channels = 3");
      expectInvalid(net, n -> Surgery.insertConv(n, "relu1", 3, 3, true, InsertInit.IDENTITY), "cannot pool");
      expectInvalid(net, n -> Surgery.insertConv(n, "relu1", 4, 1, true, InsertInit.RANDOM),
          "the layers after it would not fit: pool3: pool window 2x2 is larger than its input 2x1x1");
      expectInvalid(net, n -> Surgery.insertConv(n, "output", 4, 1, false, InsertInit.RANDOM), "follow the classifier");
      expectInvalid(net, n -> Surgery.insertConv(n, "conv1", 5000, 1, false, InsertInit.RANDOM), "filters must be in");
      expectInvalid(net, n -> Surgery.insertDense(n, "relu1", 8, InsertInit.RANDOM), "pool1");
      expectInvalid(net, n -> Surgery.insertDense(n, "pool2", 9, InsertInit.IDENTITY), "units = its inputs = 8");
      expectInvalid(net, n -> Surgery.insertDense(n, "pool1", 48, InsertInit.IDENTITY), "pool2: pool window");
      expectInvalid(net, n -> Surgery.insertDense(n, Surgery.INPUT, 192, InsertInit.IDENTITY), "must follow a ReLU");
      expectInvalid(net, n -> Surgery.removeLayer(n, "output"), "classifier");
      expectInvalid(net, n -> Surgery.removeLayer(n, "nothing"), "unknown layer");
      expectInvalid(net, n -> Surgery.freeze(n, "pool1"), "no parameters");
      before.assertUnchanged(net);
    }
    try (Network net = build("conv3k3-conv2k3nopool-fc5")) {
      Snapshot before = Snapshot.of(net);
      expectInvalid(net, n -> Surgery.insertDense(n, "pool1", 48, InsertInit.IDENTITY),
          "an identity block must not change the input of conv2 (3x4x4 -> 48x1x1)");
      before.assertUnchanged(net);
    }
  }

  @Test
  void aFailedOperationLeavesIdCountersAndRandomSourceUntouched() {
    try (Network failed = build("conv3k3-fc5"); Network clean = build("conv3k3-fc5")) {
      assertThatThrownBy(() -> Surgery.insertConv(failed, "relu2", 4, 3, false, InsertInit.RANDOM))
          .isInstanceOf(IllegalArgumentException.class);
      SurgeryResult a = Surgery.insertConv(failed, "pool1", 4, 3, false, InsertInit.RANDOM);
      SurgeryResult b = Surgery.insertConv(clean, "pool1", 4, 3, false, InsertInit.RANDOM);
      assertThat(a).isEqualTo(b);
      for (int i = 0; i < failed.params().size(); i++) {
        SurgeryFixtures.assertSameParam(failed.params().get(i), clean.params().get(i));
      }
    }
  }

  @Test
  void surgeryOnThePaperModelKeepsTraining() {
    Network net = Network.build(NetworkSpec.parse(NetworkSpec.PAPER_MODEL, new Shape(3, 32, 32), 10), 1);
    try (net) {
      Batch batch = Batch.random(net, 4, 10);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 2);
      Surgery.addFilters(net, "conv3", 1, GrowInit.NET2NET, null, 0);
      assertThat(((Conv) net.layer("conv3")).filters()).isEqualTo(21);
      double before = batch.loss(net);
      batch.train(net, SurgeryFixtures.sgdMomentum().withLearningRate(0.002f), 3);
      assertThat(batch.loss(net)).isLessThan(before);
    }
  }

  private static void expectInvalid(Network net, Consumer<Network> operation, String message) {
    assertThatThrownBy(() -> operation.accept(net))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
