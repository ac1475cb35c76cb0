package org.revacnn.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Adds and removes filters (units) of one hidden layer L together with the matching input
 * channels of the next parameterised layer N. Between L and N there may only be ReLU, pool
 * (max or global average) and dropout layers, which keep channels apart, so input channel c of N
 * is filter c of L and occupies block c (N.unitSize / L.filters floats: KxK for a conv, H*W for a
 * dense) of every unit of N; any other layer between them makes the operation invalid.
 */
final class UnitSurgery {
  private UnitSurgery() {}

  static SurgeryResult add(Network network, String layerId, int count, GrowInit init, String sourceFilterId, double noise) {
    String doing = "add filters to " + layerId;
    List<Layer> layers = network.layers();
    int index = hiddenLayerIndex(network, layerId, doing);
    Layer layer = layers.get(index);
    Layer next = layers.get(Surgery.nextParameterised(layers, index + 1));
    UnitIds ids = Surgery.unitIds(layer);
    Param weights = Surgery.weights(layer);
    Param nextWeights = Surgery.weights(next);
    int old = ids.count();
    int blockSize = nextWeights.unitSize() / old;
    if (init == null) throw new IllegalArgumentException("cannot " + doing + ": init must be random, net2net or zero-out");
    if (count < 1 || count > Surgery.MAX_ADD_PER_CALL) {
      throw new IllegalArgumentException("cannot " + doing + ": count must be in 1.." + Surgery.MAX_ADD_PER_CALL + ", got " + count);
    }
    if (old + count > Surgery.MAX_WIDTH) {
      throw new IllegalArgumentException("cannot " + doing + ": it has " + old + " filters and a layer may have at most "
          + Surgery.MAX_WIDTH);
    }
    if (!(noise >= 0 && noise <= Surgery.MAX_NOISE)) {
      throw new IllegalArgumentException("cannot " + doing + ": noise must be in 0.." + Surgery.MAX_NOISE + ", got " + noise);
    }
    if (init != GrowInit.NET2NET && (noise != 0 || sourceFilterId != null)) {
      throw new IllegalArgumentException("cannot " + doing + ": a source filter and noise apply to net2net only");
    }
    Surgery.requireUnfrozen(layer, doing);
    Surgery.requireUnfrozen(next, doing);
    Surgery.requireWeightsAtMost(layer.id(), (long) (old + count) * weights.unitSize(), doing);
    Surgery.requireWeightsAtMost(next.id(), (long) nextWeights.units() * (old + count) * blockSize, doing);
    int source = init == GrowInit.NET2NET ? sourceIndex(layer, sourceFilterId, doing) : -1;

    int[] sources = new int[old + count];
    for (int u = 0; u < sources.length; u++) sources[u] = u < old ? u : -1;
    Param bias = Surgery.bias(layer);
    weights.remapUnits(sources);
    bias.remapUnits(sources);
    ids.remap(sources);
    nextWeights.remapBlocks(old, sources);
    List<String> added = List.copyOf(ids.ids().subList(old, old + count));
    List<Integer> newChannels = new ArrayList<>();
    for (int c = old; c < old + count; c++) newChannels.add(c);
    List<String> nextUnits = Surgery.unitIds(next).ids();
    SplittableRandom random = network.initRandom();
    int fanIn = weights.unitSize();
    List<WeightChange> changes = new ArrayList<>();
    switch (init) {
      case RANDOM, ZERO_OUT -> {
        // incoming: w ~ N(0, 2 / fanIn) (He); bias 0 (already, from the remap)
        InitKind.HE.fill(weights.value(), old * fanIn, (old + count) * fanIn, fanIn, 0, random);
        changes.add(new WeightChange(layer.id(), weights.name(), added, List.of(), WeightChange.Fill.HE, "incoming weights"));
        changes.add(new WeightChange(layer.id(), bias.name(), added, List.of(), WeightChange.Fill.ZERO, "bias"));
        if (init == GrowInit.RANDOM) {
          fillNewBlocks(nextWeights, old, count, blockSize, random);
          changes.add(new WeightChange(next.id(), nextWeights.name(), nextUnits, newChannels, WeightChange.Fill.HE,
              "outgoing weights of the new filters"));
        } else {
          // outgoing weights stay 0, so N's output, and the whole function, is unchanged
          changes.add(new WeightChange(next.id(), nextWeights.name(), nextUnits, newChannels, WeightChange.Fill.ZERO,
              "outgoing weights of the new filters"));
        }
      }
      case NET2NET -> {
        String sourceId = ids.id(source);
        copyUnits(weights, bias, source, old, count, noise, random);
        splitBlocks(nextWeights, source, old, count, blockSize);
        String copyNote = "copy of " + sourceId + (noise > 0 ? " plus N(0, (" + noise + " * rms)^2) noise" : "");
        changes.add(new WeightChange(layer.id(), weights.name(), added, List.of(), WeightChange.Fill.COPY, copyNote));
        changes.add(new WeightChange(layer.id(), bias.name(), added, List.of(), WeightChange.Fill.COPY, "copy of " + sourceId));
        List<Integer> splitChannels = new ArrayList<>();
        splitChannels.add(source);
        splitChannels.addAll(newChannels);
        changes.add(new WeightChange(next.id(), nextWeights.name(), nextUnits, splitChannels, WeightChange.Fill.SPLIT,
            "outgoing weights of " + sourceId + " divided by " + (count + 1) + " among it and its copies"));
      }
    }
    network.structureChanged();
    String description = "add " + count + " filter" + (count == 1 ? "" : "s") + " to " + layerId + " ("
        + init.name().toLowerCase(Locale.ROOT) + ")";
    return new SurgeryResult(description, List.of(), List.of(), added, List.of(), changes);
  }

  static SurgeryResult remove(Network network, String layerId, List<String> filterIds) {
    String doing = "remove filters from " + layerId;
    List<Layer> layers = network.layers();
    int index = hiddenLayerIndex(network, layerId, doing);
    Layer layer = layers.get(index);
    Layer next = layers.get(Surgery.nextParameterised(layers, index + 1));
    UnitIds ids = Surgery.unitIds(layer);
    if (filterIds == null || filterIds.isEmpty()) {
      throw new IllegalArgumentException("cannot " + doing + ": no filter ids given");
    }
    Set<String> removed = new HashSet<>();
    for (String id : filterIds) {
      if (id == null || ids.indexOf(id) < 0) {
        throw new IllegalArgumentException("cannot " + doing + ": '" + id + "' is not a filter of " + layerId);
      }
      if (!removed.add(id)) throw new IllegalArgumentException("cannot " + doing + ": '" + id + "' is listed twice");
    }
    int old = ids.count();
    if (removed.size() == old) {
      throw new IllegalArgumentException("cannot " + doing + ": that would remove all " + old
          + " of its filters; a layer keeps at least one (remove the layer instead)");
    }

    int[] keep = new int[old - removed.size()];
    int k = 0;
    for (int u = 0; u < old; u++) if (!removed.contains(ids.id(u))) keep[k++] = u;
    Surgery.weights(layer).remapUnits(keep);
    Surgery.bias(layer).remapUnits(keep);
    ids.remap(keep);
    Surgery.weights(next).remapBlocks(old, keep);
    network.structureChanged();
    String description = "remove " + filterIds.size() + " filter" + (filterIds.size() == 1 ? "" : "s") + " from " + layerId;
    return new SurgeryResult(description, List.of(), List.of(), List.of(), List.copyOf(filterIds), List.of());
  }

  /** Index of a conv or hidden dense layer, or an IllegalArgumentException. */
  private static int hiddenLayerIndex(Network network, String layerId, String doing) {
    Layer layer = network.layer(layerId);
    if (!Surgery.isParameterised(layer)) {
      throw new IllegalArgumentException("cannot " + doing + ": it is a " + layer.kind() + " layer without filters");
    }
    if (layer.id().equals(Network.CLASSIFIER_ID)) {
      throw new IllegalArgumentException("cannot " + doing + ": the classifier has one unit per class");
    }
    if (layer instanceof Conv c && !c.hasBias()) {
      throw new IllegalArgumentException("cannot " + doing + ": it has no bias (a conv that feeds batch norm), and changing "
          + "the width of such a conv is not supported yet");
    }
    int index = network.layers().indexOf(layer);
    requireChannelwisePath(network.layers(), index, doing);
    return index;
  }

  /**
   * Between the layer and the next parameterised one there may only be layers that keep channels
   * apart and own nothing per channel (ReLU, pools, dropout): anything else (a batch norm, a residual
   * block) would need its own re-laying, which is not supported yet.
   */
  private static void requireChannelwisePath(List<Layer> layers, int index, String doing) {
    for (int i = index + 1; i < layers.size() && !Surgery.isParameterised(layers.get(i)); i++) {
      Layer between = layers.get(i);
      if (!(between instanceof Relu || between instanceof MaxPool || between instanceof Dropout
          || between instanceof GlobalAveragePool)) {
        throw new IllegalArgumentException("cannot " + doing + ": " + between.kind() + " layer " + between.id()
            + " follows it, and changing the width of a layer that feeds a " + between.kind() + " is not supported yet");
      }
    }
  }

  /** The named filter, or the one whose weight gradient has the largest mean |g| (lowest index on ties). */
  private static int sourceIndex(Layer layer, String sourceFilterId, String doing) {
    UnitIds ids = Surgery.unitIds(layer);
    if (sourceFilterId != null) {
      int index = ids.indexOf(sourceFilterId);
      if (index < 0) {
        throw new IllegalArgumentException("cannot " + doing + ": source '" + sourceFilterId + "' is not a filter of " + layer.id());
      }
      return index;
    }
    Param weights = Surgery.weights(layer);
    float[] grad = weights.grad();
    int size = weights.unitSize();
    int best = 0;
    double bestMean = -1;
    for (int u = 0; u < weights.units(); u++) {
      double sum = 0;
      for (int i = u * size; i < (u + 1) * size; i++) sum += Math.abs(grad[i]);
      if (sum / size > bestMean) {
        bestMean = sum / size;
        best = u;
      }
    }
    return best;
  }

  /** He-random values, N(0, 2 / fanIn) with N's new fan-in, in blocks [old, old + count) of every unit. */
  private static void fillNewBlocks(Param p, int old, int count, int blockSize, SplittableRandom random) {
    int fanIn = p.unitSize();
    for (int u = 0; u < p.units(); u++) {
      int from = u * fanIn + old * blockSize;
      InitKind.HE.fill(p.value(), from, from + count * blockSize, fanIn, 0, random);
    }
  }

  /** Units [first, first + count) become copies of unit {@code source}, incoming weights plus optional noise. */
  private static void copyUnits(Param weights, Param bias, int source, int first, int count, double noise,
      SplittableRandom random) {
    float[] w = weights.value();
    int size = weights.unitSize();
    double sumSquares = 0;
    for (int i = source * size; i < (source + 1) * size; i++) sumSquares += (double) w[i] * w[i];
    double std = noise * Math.sqrt(sumSquares / size);
    for (int c = first; c < first + count; c++) {
      System.arraycopy(w, source * size, w, c * size, size);
      bias.value()[c] = bias.value()[source];
      if (std > 0) for (int i = c * size; i < (c + 1) * size; i++) w[i] += (float) (random.nextGaussian() * std);
    }
  }

  /**
   * In every unit of N, w[source block] / (count + 1) goes to the source block and to each copy's
   * block: the copies output exactly what the source does, so N still receives
   * (count + 1) * (w / (count + 1)) * a = w * a from them.
   */
  private static void splitBlocks(Param next, int source, int first, int count, int blockSize) {
    float[] w = next.value();
    int size = next.unitSize();
    for (int u = 0; u < next.units(); u++) {
      int sourceAt = u * size + source * blockSize;
      for (int e = 0; e < blockSize; e++) {
        float share = w[sourceAt + e] / (count + 1);
        w[sourceAt + e] = share;
        for (int c = first; c < first + count; c++) w[u * size + c * blockSize + e] = share;
      }
    }
  }
}
