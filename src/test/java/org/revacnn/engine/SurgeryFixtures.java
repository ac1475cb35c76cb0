package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Shared helpers of the surgery tests: a fixed batch, training, deep snapshots of a network. */
final class SurgeryFixtures {
  private SurgeryFixtures() {}

  /** A fixed random batch with labels for {@code net}'s input shape and classes. */
  record Batch(float[] images, int[] labels) {
    static Batch random(Network net, int size, long seed) {
      float[] images = GradientCheck.randomArray(size * net.inputShape().size(), seed);
      int[] labels = new SplittableRandom(seed + 1).ints(size, 0, net.classes()).toArray();
      return new Batch(images, labels);
    }

    int size() {
      return labels.length;
    }

    double loss(Network net) {
      return NetworkGradientTest.meanLoss(net, images, labels, size());
    }

    float[] logits(Network net) {
      return net.logits(images, size());
    }

    void train(Network net, Hyperparameters hyper, int steps) {
      for (int s = 0; s < steps; s++) net.trainStep(images, labels, size(), hyper);
    }
  }

  static Hyperparameters sgdMomentum() {
    return Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.01f).withMomentum(0.9f).withWeightDecay(0);
  }

  static Hyperparameters adam() {
    return Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.002f).withWeightDecay(0);
  }

  static double maxAbsDifference(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double max = 0;
    for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
    return max;
  }

  /** Everything observable of a network, deep-copied: layer ids, frozen flags, params, unit ids. */
  record Snapshot(List<String> layerIds, List<Boolean> frozen, List<Param> params, List<List<String>> unitIds,
      List<Integer> nextUnitNumbers, List<Shape> shapes) {

    static Snapshot of(Network net) {
      List<String> ids = new ArrayList<>();
      List<Boolean> frozen = new ArrayList<>();
      List<List<String>> units = new ArrayList<>();
      List<Integer> next = new ArrayList<>();
      for (Layer layer : net.layers()) {
        ids.add(layer.id());
        frozen.add(Network.isFrozen(layer));
        if (Surgery.isParameterised(layer)) {
          units.add(Surgery.unitIds(layer).ids());
          next.add(Surgery.unitIds(layer).nextNumber());
        }
      }
      List<Param> params = net.params().stream().map(Param::copy).toList();
      return new Snapshot(ids, frozen, params, units, next, net.checkChain());
    }

    /** Asserts that {@code net} is bit-identical to this snapshot. */
    void assertUnchanged(Network net) {
      Snapshot now = of(net);
      assertThat(now.layerIds).isEqualTo(layerIds);
      assertThat(now.frozen).isEqualTo(frozen);
      assertThat(now.unitIds).isEqualTo(unitIds);
      assertThat(now.nextUnitNumbers).isEqualTo(nextUnitNumbers);
      assertThat(now.shapes).isEqualTo(shapes);
      assertThat(now.params).hasSameSizeAs(params);
      for (int i = 0; i < params.size(); i++) assertSameParam(now.params.get(i), params.get(i));
    }
  }

  static void assertSameParam(Param actual, Param expected) {
    assertThat(actual.name()).isEqualTo(expected.name());
    assertThat(actual.units()).as(expected.name() + " units").isEqualTo(expected.units());
    assertThat(actual.unitSize()).as(expected.name() + " unit size").isEqualTo(expected.unitSize());
    assertThat(actual.value()).as(expected.name() + " value").isEqualTo(expected.value());
    assertThat(actual.grad()).as(expected.name() + " grad").isEqualTo(expected.grad());
    assertThat(actual.states().keySet()).as(expected.name() + " state names").isEqualTo(expected.states().keySet());
    for (Map.Entry<String, float[]> e : expected.states().entrySet()) {
      assertThat(actual.states().get(e.getKey())).as(expected.name() + " " + e.getKey()).isEqualTo(e.getValue());
    }
  }
}
