package org.revacnn.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Inserts and removes layer blocks. Validation walks the proposed chain of shapes first: a conv
 * whose input channel count changes, or a dense whose input size changes, is "adapted" (its
 * weights are drawn afresh, He, with the new fan-in; its bias is kept); any other layer that
 * cannot take its new input makes the operation invalid. Only then is anything created.
 */
final class LayerSurgery {
  private LayerSurgery() {}

  /** A conv or dense layer whose weights must be re-laid for a new fan-in. */
  private record Adaptation(Layer layer, Shape oldInput, Shape newInput, int newUnitSize) {}

  static SurgeryResult insertConv(Network network, String afterLayerId, int filters, int kernelSize, boolean pool,
      InsertInit init) {
    String doing = "insert a conv block after " + afterLayerId;
    int position = insertPosition(network, afterLayerId, doing);
    Shape in = network.checkChain().get(position);
    if (init == null) throw new IllegalArgumentException("cannot " + doing + ": init must be identity or random");
    if (filters < 1 || filters > Surgery.MAX_WIDTH) {
      throw new IllegalArgumentException("cannot " + doing + ": filters must be in 1.." + Surgery.MAX_WIDTH + ", got " + filters);
    }
    if (kernelSize < 1 || kernelSize % 2 == 0) {
      throw new IllegalArgumentException("cannot " + doing + ": kernel size must be odd and positive (padding k/2 keeps "
          + "the spatial size), got " + kernelSize);
    }
    if (kernelSize > in.height() || kernelSize > in.width()) {
      throw new IllegalArgumentException("cannot " + doing + ": kernel " + kernelSize + "x" + kernelSize
          + " is larger than its input " + in);
    }
    if (pool && (in.height() < 2 || in.width() < 2)) {
      throw new IllegalArgumentException("cannot " + doing + ": a 2x2 pool does not fit its input " + in);
    }
    Surgery.requireWeightsAtMost("the new conv", (long) filters * in.channels() * kernelSize * kernelSize, doing);
    if (init == InsertInit.IDENTITY) {
      if (filters != in.channels()) {
        throw new IllegalArgumentException("cannot " + doing + ": an identity conv needs filters = its input channels = "
            + in.channels() + ", got " + filters);
      }
      if (pool) throw new IllegalArgumentException("cannot " + doing + ": an identity conv block cannot pool");
      requireNonNegativeInput(network, position, doing);
    }
    Shape out = pool ? new Shape(filters, in.height() / 2, in.width() / 2) : new Shape(filters, in.height(), in.width());
    List<Adaptation> adaptations = walkFrom(network, position, out, doing);
    if (init == InsertInit.IDENTITY) requireNoAdaptation(adaptations, doing);

    Conv conv = (Conv) network.create(new LayerSpec.ConvSpec(filters, kernelSize, 1, kernelSize / 2), in);
    List<Layer> block = new ArrayList<>(List.of(conv, network.create(new LayerSpec.ReluSpec(), in)));
    if (pool) block.add(network.create(new LayerSpec.PoolSpec(2, 2), in));
    Param weights = conv.weights();
    WeightChange.Fill fill;
    if (init == InsertInit.IDENTITY) {
      // filter f: 1 at (channel f, centre tap), so with pad k/2 and stride 1, y[f](y, x) = x[f](y, x)
      int taps = kernelSize * kernelSize;
      int centre = (kernelSize / 2) * kernelSize + kernelSize / 2;
      for (int f = 0; f < filters; f++) weights.value()[f * weights.unitSize() + f * taps + centre] = 1f;
      fill = WeightChange.Fill.IDENTITY;
    } else {
      InitKind.HE.fill(weights.value(), 0, weights.size(), weights.unitSize(), 0, network.initRandom());
      fill = WeightChange.Fill.HE;
    }
    return insert(network, position, block, adaptations, fill, "insert " + describe(block) + " after " + afterLayerId
        + " (" + init.name().toLowerCase(Locale.ROOT) + ")");
  }

  static SurgeryResult insertDense(Network network, String afterLayerId, int units, InsertInit init) {
    String doing = "insert a dense block after " + afterLayerId;
    int position = insertPosition(network, afterLayerId, doing);
    Shape in = network.checkChain().get(position);
    if (init == null) throw new IllegalArgumentException("cannot " + doing + ": init must be identity or random");
    if (units < 1 || units > Surgery.MAX_WIDTH) {
      throw new IllegalArgumentException("cannot " + doing + ": units must be in 1.." + Surgery.MAX_WIDTH + ", got " + units);
    }
    Surgery.requireWeightsAtMost("the new dense layer", (long) units * in.size(), doing);
    if (init == InsertInit.IDENTITY) {
      if (units != in.size()) {
        throw new IllegalArgumentException("cannot " + doing + ": an identity dense layer needs units = its inputs = "
            + in.size() + ", got " + units);
      }
      requireNonNegativeInput(network, position, doing);
    }
    List<Adaptation> adaptations = walkFrom(network, position, new Shape(units, 1, 1), doing);
    if (init == InsertInit.IDENTITY) requireNoAdaptation(adaptations, doing);

    Dense dense = (Dense) network.create(new LayerSpec.DenseSpec(units), in);
    List<Layer> block = List.of(dense, network.create(new LayerSpec.ReluSpec(), in));
    Param weights = dense.weights();
    WeightChange.Fill fill;
    if (init == InsertInit.IDENTITY) {
      // W = I: y = x, flattened in the same (channel, y, x) order the next layer reads
      for (int u = 0; u < units; u++) weights.value()[u * units + u] = 1f;
      fill = WeightChange.Fill.IDENTITY;
    } else {
      InitKind.HE.fill(weights.value(), 0, weights.size(), in.size(), 0, network.initRandom());
      fill = WeightChange.Fill.HE;
    }
    return insert(network, position, block, adaptations, fill, "insert " + describe(block) + " after " + afterLayerId
        + " (" + init.name().toLowerCase(Locale.ROOT) + ")");
  }

  static SurgeryResult insertResidual(Network network, String afterLayerId, int filters, InsertInit init) {
    String doing = "insert a residual block after " + afterLayerId;
    int position = insertPosition(network, afterLayerId, doing);
    Shape in = network.checkChain().get(position);
    if (init == null) throw new IllegalArgumentException("cannot " + doing + ": init must be identity or random");
    if (filters != 0 && filters != in.channels()) {
      throw new IllegalArgumentException("cannot " + doing + ": a block with an identity shortcut has as many filters as "
          + "its input has channels, " + in.channels() + ", got " + filters);
    }
    if (in.height() < 3 || in.width() < 3) {
      throw new IllegalArgumentException("cannot " + doing + ": its 3x3 convs are larger than their input " + in);
    }
    Surgery.requireWeightsAtMost("a conv of the new block", (long) in.channels() * in.channels() * 9, doing);
    if (init == InsertInit.IDENTITY) requireNonNegativeInput(network, position, doing);
    walkFrom(network, position, in, doing); // the shape is kept: nothing after it adapts, but frozen or odd layers still refuse

    Residual block = (Residual) network.create(LayerSpec.ResidualSpec.basic(in.channels(), 1), in);
    List<WeightChange> changes = new ArrayList<>();
    for (Layer inner : block.main()) {
      if (inner instanceof Conv c) {
        InitKind.HE.fill(c.weights().value(), 0, c.weights().size(), c.weights().unitSize(), 0, network.initRandom());
        changes.add(new WeightChange(c.id(), c.weights().name(), c.filterIds().ids(), List.of(), WeightChange.Fill.HE, "new layer"));
      }
    }
    BatchNorm last = (BatchNorm) block.main().getLast();
    if (init == InsertInit.IDENTITY) {
      // gamma 0 and beta 0: the main path adds exactly 0 in training and inference, so y = x + 0 = x
      java.util.Arrays.fill(last.gamma().value(), 0f);
      changes.add(new WeightChange(last.id(), last.gamma().name(), List.of(), List.of(), WeightChange.Fill.ZERO,
          "the block starts as the identity"));
    }
    network.mutableLayers().addAll(position, List.of(block, network.create(new LayerSpec.ReluSpec(), in)));
    network.structureChanged();
    List<String> added = network.layers().subList(position, position + 2).stream().map(Layer::id).toList();
    return new SurgeryResult("insert " + String.join("+", added) + " after " + afterLayerId + " ("
        + init.name().toLowerCase(Locale.ROOT) + ")", added, List.of(), List.of(), List.of(), changes);
  }

  static SurgeryResult remove(Network network, String layerId) {
    String doing = "remove " + layerId;
    List<Layer> layers = network.layers();
    Layer layer = topLayer(network, layerId, doing);
    if (layerId.equals(Network.CLASSIFIER_ID)) {
      throw new IllegalArgumentException("cannot " + doing + ": it is the classifier");
    }
    int from = layers.indexOf(layer);
    int to = from + 1;
    // a conv takes the ReLU and pool layers right after it, a dense its ReLU; others go alone
    while (Surgery.isParameterised(layer) && (layers.get(to) instanceof Relu
        || (layer instanceof Conv && layers.get(to) instanceof MaxPool))) {
      to++;
    }
    List<Layer> removed = List.copyOf(layers.subList(from, to));
    List<Adaptation> adaptations = walkFrom(network, to, network.checkChain().get(from), doing);

    network.mutableLayers().subList(from, to).clear();
    List<WeightChange> changes = adapt(network, adaptations);
    network.structureChanged();
    List<String> removedIds = removed.stream().map(Layer::id).toList();
    return new SurgeryResult("remove " + String.join(", ", removedIds), List.of(), removedIds, List.of(), List.of(), changes);
  }

  /** Index in the layer list at which a block inserted after {@code afterLayerId} goes. */
  private static int insertPosition(Network network, String afterLayerId, String doing) {
    if (Surgery.INPUT.equals(afterLayerId)) return 0;
    Layer after = topLayer(network, afterLayerId, doing);
    if (after.id().equals(Network.CLASSIFIER_ID)) {
      throw new IllegalArgumentException("cannot " + doing + ": nothing may follow the classifier");
    }
    return network.layers().indexOf(after) + 1;
  }

  /** A layer of the network's own chain; one inside a residual block is refused, naming the block. */
  private static Layer topLayer(Network network, String layerId, String doing) {
    LayerSite site = LayerSite.find(network, layerId);
    if (site.inner()) {
      throw new IllegalArgumentException("cannot " + doing + ": " + layerId + " is inside residual block " + site.block().id()
          + ", whose paths keep their layers (insert or remove whole blocks)");
    }
    return site.layer();
  }

  /**
   * The identity is only preserved behind the block's ReLU when its input is already >= 0: the
   * layer before is a ReLU, possibly followed by pool or dropout layers (which keep signs).
   */
  private static void requireNonNegativeInput(Network network, int position, String doing) {
    List<Layer> layers = network.layers();
    for (int i = position - 1; i >= 0; i--) {
      Layer layer = layers.get(i);
      if (layer instanceof Relu) return;
      if (!(layer instanceof MaxPool || layer instanceof Dropout)) break;
    }
    throw new IllegalArgumentException("cannot " + doing + ": an identity block must follow a ReLU (or a pool after "
        + "one), whose output is >= 0; otherwise the block's ReLU would change the function");
  }

  private static void requireNoAdaptation(List<Adaptation> adaptations, String doing) {
    if (adaptations.isEmpty()) return;
    Adaptation a = adaptations.get(0);
    throw new IllegalArgumentException("cannot " + doing + ": an identity block must not change the input of "
        + a.layer().id() + " (" + a.oldInput() + " -> " + a.newInput() + ")");
  }

  /**
   * Runs {@code shape} through layers [from, end) of the current chain, collecting the conv and
   * dense layers whose fan-in changes; throws if any other layer cannot take its new input.
   */
  private static List<Adaptation> walkFrom(Network network, int from, Shape shape, String doing) {
    List<Layer> layers = network.layers();
    List<Shape> oldShapes = network.checkChain();
    List<Adaptation> adaptations = new ArrayList<>();
    for (int i = from; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      Shape in = shape;
      try {
        switch (layer) {
          case Conv c when in.channels() != c.inChannels() -> {
            int taps = c.kernelSize() * c.kernelSize();
            adaptations.add(new Adaptation(c, oldShapes.get(i), in, in.channels() * taps));
            Surgery.requireWeightsAtMost(c.id(), (long) c.filters() * in.channels() * taps, doing);
            shape = c.outputShape(new Shape(c.inChannels(), in.height(), in.width()));
          }
          case Dense d when in.size() != d.inputs() -> {
            adaptations.add(new Adaptation(d, oldShapes.get(i), in, in.size()));
            Surgery.requireWeightsAtMost(d.id(), (long) d.units() * in.size(), doing);
            shape = new Shape(d.units(), 1, 1);
          }
          default -> shape = layer.outputShape(in);
        }
      } catch (IllegalArgumentException e) {
        if (e.getMessage().startsWith("cannot ")) throw e;
        throw new IllegalArgumentException("cannot " + doing + ": the layers after it would not fit: " + e.getMessage(), e);
      }
    }
    for (Adaptation a : adaptations) Surgery.requireUnfrozen(a.layer(), doing);
    return adaptations;
  }

  private static SurgeryResult insert(Network network, int position, List<Layer> block, List<Adaptation> adaptations,
      WeightChange.Fill fill, String description) {
    network.mutableLayers().addAll(position, block);
    List<WeightChange> changes = new ArrayList<>();
    Layer layer = block.get(0);
    List<String> units = Surgery.unitIds(layer).ids();
    changes.add(new WeightChange(layer.id(), Surgery.weights(layer).name(), units, List.of(), fill, "new layer"));
    changes.add(new WeightChange(layer.id(), Surgery.bias(layer).name(), units, List.of(), WeightChange.Fill.ZERO, "new layer"));
    changes.addAll(adapt(network, adaptations));
    network.structureChanged();
    return new SurgeryResult(description, block.stream().map(Layer::id).toList(), List.of(), List.of(), List.of(), changes);
  }

  /** Re-lays each adapted layer's weights for its new fan-in: fresh He values, zero gradient and state. */
  private static List<WeightChange> adapt(Network network, List<Adaptation> adaptations) {
    List<WeightChange> changes = new ArrayList<>();
    for (Adaptation a : adaptations) {
      Param weights = Surgery.weights(a.layer());
      int[] fresh = new int[a.newUnitSize()];
      Arrays.fill(fresh, -1);
      weights.remapBlocks(weights.unitSize(), fresh); // blocks of one float, none kept: all zero
      InitKind.HE.fill(weights.value(), 0, weights.size(), a.newUnitSize(), 0, network.initRandom());
      changes.add(new WeightChange(a.layer().id(), weights.name(), Surgery.unitIds(a.layer()).ids(), List.of(),
          WeightChange.Fill.HE, "input changed from " + a.oldInput() + " to " + a.newInput()));
    }
    return changes;
  }

  private static String describe(List<Layer> block) {
    return String.join("+", block.stream().map(Layer::id).toList());
  }
}
