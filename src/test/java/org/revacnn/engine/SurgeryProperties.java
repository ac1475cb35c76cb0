package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.revacnn.engine.SurgeryFixtures.Batch;
import org.revacnn.engine.SurgeryFixtures.Snapshot;
import org.revacnn.engine.SurgeryRecipe.Kind;

/** Surgery on random small networks with random operation sequences. */
class SurgeryProperties {
  private static final Shape INPUT = new Shape(3, 8, 8);

  /** A small random model: one or two 3x3 conv blocks (2 to 6 filters, pooled or not), then maybe a dense layer. */
  static String spec(SplittableRandom random) {
    List<String> convs = Seeds.listOf(random, 1, 2, r -> "conv" + Seeds.between(r, 2, 6) + "k3" + Seeds.oneOf(r, "", "nopool"));
    return String.join("-", convs) + (random.nextBoolean() ? "" : "-fc" + Seeds.between(random, 3, 6));
  }

  private static SurgeryRecipe differentiableOperation(SplittableRandom random) {
    return SurgeryRecipe.any(random, Kind.ADD_FILTERS, Kind.REMOVE_FILTERS, Kind.INSERT_CONV, Kind.INSERT_DENSE, Kind.REMOVE_LAYER);
  }

  private static Network build(String spec, int classes, long seed) {
    return Network.build(NetworkSpec.parse(spec, INPUT, classes), seed);
  }

  @RepeatedTest(value = 30, name = "seed {currentRepetition}")
  void survivorsKeepWeightsGradientsAndOptimiserState(RepetitionInfo repetition) {
    SplittableRandom random = Seeds.random(repetition);
    String spec = spec(random);
    int classes = Seeds.between(random, 3, 4);
    boolean adam = random.nextBoolean();
    List<SurgeryRecipe> operations = Seeds.listOf(random, 1, 4, r -> SurgeryRecipe.any(r, Kind.values()));
    Hyperparameters hyper = adam ? SurgeryFixtures.adam() : SurgeryFixtures.sgdMomentum();
    try (Network net = build(spec, classes, 3)) {
      Batch batch = Batch.random(net, 6, 4);
      batch.train(net, hyper, 3);
      for (SurgeryRecipe operation : operations) {
        Snapshot snapshot = Snapshot.of(net);
        Map<String, Element> before = elements(net);
        Map<String, Element> beforeByPosition = new HashMap<>();
        before.values().forEach(element -> beforeByPosition.put(element.positionKey(), element));
        SurgeryResult result;
        try {
          result = operation.apply(net, false);
        } catch (IllegalArgumentException invalid) {
          snapshot.assertUnchanged(net);
          continue;
        }
        Map<String, Element> after = elements(net);
        int kept = 0;
        for (Map.Entry<String, Element> e : after.entrySet()) {
          Element now = e.getValue();
          // a float that kept its place but whose input was renamed (a layer inserted or removed before it)
          Element old = before.containsKey(e.getKey()) ? before.get(e.getKey()) : beforeByPosition.get(now.positionKey());
          if (now.changedBy(result)) {
            if (now.fill() != WeightChange.Fill.SPLIT) now.assertFreshHistory(e.getKey());
          } else if (old != null) {
            now.assertSameAs(old, e.getKey());
            kept++;
          } else {
            throw new AssertionError(e.getKey() + " is new but no change of " + result + " covers it");
          }
        }
        assertThat(kept).as("survivors of %s", result.description()).isPositive();
        batch.train(net, hyper, 1);
      }
    }
  }

  @RepeatedTest(value = 40, name = "seed {currentRepetition}")
  void functionPreservingOperationsKeepTheLogits(RepetitionInfo repetition) {
    SplittableRandom random = Seeds.random(repetition);
    String spec = spec(random);
    int classes = Seeds.between(random, 3, 4);
    List<Integer> picks = Seeds.listOf(random, 1, 3, r -> Seeds.between(r, 0, 99));
    try (Network net = build(spec, classes, 5)) {
      Batch batch = Batch.random(net, 6, 6);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 3);
      float[] logits = batch.logits(net);
      for (int pick : picks) {
        SurgeryResult result = applyFunctionPreserving(net, pick);
        assertThat(SurgeryFixtures.maxAbsDifference(batch.logits(net), logits))
            .as("after %s on %s", result.description(), spec).isLessThanOrEqualTo(1e-5);
      }
    }
  }

  @RepeatedTest(value = 30, name = "seed {currentRepetition}")
  void afterAnyOperationGradientsCheckAndTrainingLowersTheLoss(RepetitionInfo repetition) {
    SplittableRandom random = Seeds.random(repetition);
    String spec = spec(random);
    int classes = Seeds.between(random, 3, 4);
    List<SurgeryRecipe> operations = Seeds.listOf(random, 1, 3, SurgeryProperties::differentiableOperation);
    Hyperparameters hyper = SurgeryFixtures.sgdMomentum();
    try (Network net = build(spec, classes, 7)) {
      Batch batch = Batch.random(net, 8, 8);
      batch.train(net, hyper, 2);
      for (SurgeryRecipe operation : operations) {
        try {
          operation.apply(net, true);
        } catch (IllegalArgumentException invalid) {
          continue;
        }
        assertSameAsRebuilt(net, batch);
        moveBiasesOffTheKink(net);
        checkGradients(net);
        // plain gradient descent with a small step must go downhill (momentum may overshoot on a fixed batch)
        double before = batch.loss(net);
        batch.train(net, hyper.withMomentum(0), 5);
        assertThat(batch.loss(net)).as("loss after %s", operation).isLessThan(before);
      }
    }
  }

  @RepeatedTest(value = 40, name = "seed {currentRepetition}")
  void invalidOperationsLeaveEverythingBitIdentical(RepetitionInfo repetition) {
    SplittableRandom random = Seeds.random(repetition);
    String spec = spec(random);
    int which = (repetition.getCurrentRepetition() - 1) % 14; // each of the 14 invalid operations at least twice
    int pick = Seeds.between(random, 0, 99);
    try (Network net = build(spec, 3, 9); Network twin = build(spec, 3, 9)) {
      Batch batch = Batch.random(net, 4, 10);
      batch.train(net, SurgeryFixtures.sgdMomentum(), 3);
      batch.train(twin, SurgeryFixtures.sgdMomentum(), 3);
      Snapshot snapshot = Snapshot.of(net);
      assertThatThrownBy(() -> invalidOperation(net, which, pick)).isInstanceOf(IllegalArgumentException.class);
      snapshot.assertUnchanged(net);
      // hidden state too: the id counters and the random source give the twin's next layer
      SurgeryResult next = Surgery.insertConv(net, Surgery.INPUT, 2, 3, false, InsertInit.RANDOM);
      assertThat(next).isEqualTo(Surgery.insertConv(twin, Surgery.INPUT, 2, 3, false, InsertInit.RANDOM));
      Snapshot.of(twin).assertUnchanged(net);
    }
  }

  /**
   * The whole-network finite-difference check on one random image, tried on up to three images:
   * on random networks a ReLU or max-pool kink lies within even STEP / 8 of about one weight in a
   * hundred networks (the difference is then one-sided), but a wrong gradient is wrong on every
   * image.
   */
  private static void checkGradients(Network net) {
    for (long seed = 21; ; seed++) {
      try {
        NetworkGradientTest.checkNetwork(net, 1, seed);
        return;
      } catch (AssertionError kinkOrWrong) {
        if (seed == 23) throw kinkOrWrong;
      }
    }
  }

  /**
   * A unit with zero bias (every new one) whose window sees only zeros (a dead ReLU upstream, or
   * padding) has a pre-activation of exactly 0, on its ReLU's kink, where the loss has no
   * derivative in the bias and the finite difference is one-sided. Biases moved by 0.005..0.01
   * leave the kink out of the check's reach; weights never sit there (their zero inputs do not move
   * the pre-activation).
   */
  private static void moveBiasesOffTheKink(Network net) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    for (Layer layer : net.layers()) {
      if (!Surgery.isParameterised(layer)) continue;
      float[] bias = Surgery.bias(layer).value();
      for (int i = 0; i < bias.length; i++) bias[i] += (float) ((random.nextBoolean() ? 1 : -1) * (0.005 + 0.005 * random.nextDouble()));
    }
  }

  /**
   * The exact oracle: a network built from scratch with the same architecture and weights gives
   * bit-identical logits and gradients, so surgery left no stale sizes, frames or buffers behind.
   */
  private static void assertSameAsRebuilt(Network net, Batch batch) {
    List<LayerSpec> specs = new ArrayList<>();
    for (Layer layer : net.layers().subList(0, net.layers().size() - 1)) {
      specs.add(switch (layer) {
        case Conv c -> new LayerSpec.ConvSpec(c.filters(), c.kernelSize(), c.stride(), c.pad());
        case Dense d -> new LayerSpec.DenseSpec(d.units());
        case Relu r -> new LayerSpec.ReluSpec();
        case MaxPool m -> new LayerSpec.PoolSpec(m.size(), m.stride());
        default -> throw new AssertionError("no " + layer.kind() + " layer in these networks");
      });
    }
    try (Network rebuilt = Network.build(new NetworkSpec(net.inputShape(), net.classes(), specs, InitKind.HE), 0)) {
      List<Param> params = net.params();
      List<Param> fresh = rebuilt.params();
      assertThat(fresh).hasSameSizeAs(params);
      for (int i = 0; i < params.size(); i++) {
        assertThat(fresh.get(i).size()).isEqualTo(params.get(i).size());
        System.arraycopy(params.get(i).value(), 0, fresh.get(i).value(), 0, params.get(i).size());
      }
      net.computeGradients(batch.images(), batch.labels(), batch.size(), false);
      rebuilt.computeGradients(batch.images(), batch.labels(), batch.size(), false);
      for (int i = 0; i < params.size(); i++) assertThat(params.get(i).grad()).isEqualTo(fresh.get(i).grad());
    }
  }

  /** One of several operations that must be refused, on a layer chosen by {@code pick}. */
  private static void invalidOperation(Network net, int which, int pick) {
    List<Layer> layers = net.layers();
    List<Layer> convs = layers.stream().filter(l -> l instanceof Conv).toList();
    Conv conv = (Conv) convs.get(pick % convs.size());
    List<String> ids = conv.filterIds().ids();
    Layer last = layers.get(layers.size() - 2);
    Shape lastShape = net.checkChain().get(layers.size() - 1);
    switch (which) {
      case 0 -> Surgery.addFilters(net, "conv" + (convs.size() + 5), 1, GrowInit.RANDOM, null, 0);
      case 1 -> Surgery.addFilters(net, conv.id(), pick % 2 == 0 ? 0 : -pick, GrowInit.NET2NET, null, 0);
      case 2 -> Surgery.addFilters(net, conv.id(), Surgery.MAX_ADD_PER_CALL + 1 + pick, GrowInit.ZERO_OUT, null, 0);
      case 3 -> Surgery.addFilters(net, conv.id(), 1, GrowInit.NET2NET, conv.id() + "/f" + (ids.size() + pick), 0);
      case 4 -> Surgery.addFilters(net, conv.id(), 1, GrowInit.NET2NET, null, pick % 2 == 0 ? -0.1 : Double.POSITIVE_INFINITY);
      case 5 -> Surgery.removeFilters(net, conv.id(), ids);
      case 6 -> Surgery.removeFilters(net, conv.id(), List.of(ids.get(0), conv.id() + "/f" + (ids.size() + pick)));
      case 7 -> Surgery.removeLayer(net, Network.CLASSIFIER_ID);
      case 8 -> Surgery.insertConv(net, last.id(), 2, Math.max(lastShape.height(), lastShape.width()) + 1 + 2 * (pick % 2) | 1,
          false, InsertInit.RANDOM);
      case 9 -> Surgery.insertConv(net, Surgery.INPUT, 3, 3, false, InsertInit.IDENTITY);
      case 10 -> Surgery.insertConv(net, conv.id(), conv.filters(), 1, false, InsertInit.IDENTITY);
      case 11 -> Surgery.insertDense(net, Network.CLASSIFIER_ID, 4, InsertInit.RANDOM);
      case 12 -> Surgery.freeze(net, layers.get(layers.indexOf(conv) + 1).id());
      default -> Surgery.removeFilters(net, Network.CLASSIFIER_ID, List.of("output/f0"));
    }
  }

  /** Zero-out or exact net2net growth, or an identity insert behind a ReLU, chosen by {@code pick}. */
  private static SurgeryResult applyFunctionPreserving(Network net, int pick) {
    List<Layer> layers = net.layers();
    List<Layer> hidden = layers.stream().filter(l -> Surgery.isParameterised(l) && !l.id().equals(Network.CLASSIFIER_ID)).toList();
    List<Integer> afterRelu = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) instanceof Relu || (layers.get(i) instanceof MaxPool && layers.get(i - 1) instanceof Relu)) afterRelu.add(i);
    }
    switch (pick % 4) {
      case 0, 1 -> {
        Layer layer = hidden.get(pick / 4 % hidden.size());
        GrowInit init = pick % 4 == 0 ? GrowInit.ZERO_OUT : GrowInit.NET2NET;
        return Surgery.addFilters(net, layer.id(), 1 + pick / 8 % 3, init, null, 0);
      }
      default -> {
        int index = afterRelu.get(pick / 4 % afterRelu.size());
        Layer after = layers.get(index);
        Shape in = net.checkChain().get(index + 1);
        if (pick % 4 == 3) {
          try {
            return Surgery.insertDense(net, after.id(), in.size(), InsertInit.IDENTITY);
          } catch (IllegalArgumentException shapesDoNotAllowIt) {
            // e.g. a pool follows: fall through to an identity conv, which always fits here
          }
        }
        int kernel = Math.min(in.height(), in.width()) >= 3 ? 3 : 1;
        return Surgery.insertConv(net, after.id(), in.channels(), kernel, false, InsertInit.IDENTITY);
      }
    }
  }

  /**
   * Every float of every parameter, keyed by layer, parameter, unit id, input id (the unit id of
   * the previous parameterised layer that feeds this block, or the image channel) and offset, so
   * that a float that only moved keeps its key.
   */
  private static Map<String, Element> elements(Network net) {
    Map<String, Element> out = new HashMap<>();
    List<String> inputIds = new ArrayList<>();
    for (int c = 0; c < net.inputShape().channels(); c++) inputIds.add("image/c" + c);
    for (Layer layer : net.layers()) {
      if (!Surgery.isParameterised(layer)) continue;
      List<String> units = Surgery.unitIds(layer).ids();
      for (Param p : layer.params()) {
        int blocks = p == Surgery.weights(layer) ? inputIds.size() : 1;
        int blockSize = p.unitSize() / blocks;
        for (int u = 0; u < p.units(); u++) {
          for (int b = 0; b < blocks; b++) {
            String input = p == Surgery.weights(layer) ? inputIds.get(b) : "-";
            for (int e = 0; e < blockSize; e++) {
              int i = u * p.unitSize() + b * blockSize + e;
              Map<String, Float> states = new HashMap<>();
              p.states().forEach((name, array) -> states.put(name, array[i]));
              Element element = new Element(layer.id(), p.name(), units.get(u), b, b * blockSize + e, p.value()[i], p.grad()[i], states,
                  new WeightChange.Fill[1]);
              out.put(layer.id() + "|" + p.name() + "|" + units.get(u) + "|" + input + "|" + e, element);
            }
          }
        }
      }
      inputIds = units;
    }
    return out;
  }

  /** One float of one parameter with its gradient and optimiser state. */
  private record Element(String layerId, String param, String unit, int inputChannel, int indexInUnit, float value, float grad,
      Map<String, Float> states, WeightChange.Fill[] coveringFill) {

    String positionKey() {
      return layerId + "|" + param + "|" + unit + "|#" + indexInUnit;
    }

    boolean changedBy(SurgeryResult result) {
      for (WeightChange c : result.changes()) {
        if (c.layerId().equals(layerId) && c.param().equals(param) && c.units().contains(unit)
            && (c.inputChannels().isEmpty() || c.inputChannels().contains(inputChannel))) {
          coveringFill[0] = c.fill();
          return true;
        }
      }
      return false;
    }

    WeightChange.Fill fill() {
      return coveringFill[0];
    }

    void assertFreshHistory(String key) {
      assertThat(grad).as("%s grad", key).isZero();
      states.forEach((name, v) -> assertThat(v).as("%s %s", key, name).isZero());
    }

    void assertSameAs(Element old, String key) {
      assertThat(Float.floatToIntBits(value)).as("%s value %s vs %s", key, value, old.value).isEqualTo(Float.floatToIntBits(old.value));
      assertThat(Float.floatToIntBits(grad)).as("%s grad", key).isEqualTo(Float.floatToIntBits(old.grad));
      assertThat(states.keySet()).as("%s state names", key).containsAll(old.states.keySet());
      old.states.forEach((name, v) -> assertThat(Float.floatToIntBits(states.get(name))).as("%s %s", key, name)
          .isEqualTo(Float.floatToIntBits(v)));
    }
  }
}
