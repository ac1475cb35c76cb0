package org.revacnn.engine;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Adds and removes filters (units) of one hidden layer, with everything whose width is tied to it
 * (a {@link WidthGroup}): the batch norms after it follow its filters, and the next parameterised
 * layer gets or loses the matching input channels; a layer that writes into a residual sum changes
 * with its whole stage (every writer gets the same new filters or loses the same positions). Input
 * channel c of a reader is filter c of the writers and occupies block c (unitSize / width floats:
 * KxK for a conv, H*W for a dense) of every unit of the reader.
 */
final class UnitSurgery {
  private UnitSurgery() {}

  static SurgeryResult add(Network network, String layerId, int count, GrowInit init, String sourceFilterId, double noise) {
    String doing = "add filters to " + layerId;
    WidthGroup group = WidthGroup.of(network, layerId, doing);
    Layer layer = group.named();
    int old = Surgery.unitIds(layer).count();
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
    for (Layer l : group.layers()) Surgery.requireUnfrozen(l, doing);
    for (Layer w : group.writers()) Surgery.requireWeightsAtMost(w.id(), (long) (old + count) * Surgery.weights(w).unitSize(), doing);
    for (Layer r : group.readers()) {
      Param p = Surgery.weights(r);
      Surgery.requireWeightsAtMost(r.id(), (long) p.units() * (old + count) * (p.unitSize() / old), doing);
    }
    int source = init == GrowInit.NET2NET ? sourceIndex(layer, sourceFilterId, doing) : -1;

    int[] sources = new int[old + count];
    for (int u = 0; u < sources.length; u++) sources[u] = u < old ? u : -1;
    relay(group, old, sources);
    List<String> added = new ArrayList<>();
    for (Layer w : group.writers()) added.addAll(Surgery.unitIds(w).ids().subList(old, old + count));
    List<Integer> newChannels = new ArrayList<>();
    for (int c = old; c < old + count; c++) newChannels.add(c);
    SplittableRandom random = network.initRandom();
    List<WeightChange> changes = new ArrayList<>();
    for (Layer w : group.writers()) {
      List<String> wAdded = Surgery.unitIds(w).ids().subList(old, old + count);
      Param weights = Surgery.weights(w);
      Param bias = bias(w);
      if (init == GrowInit.NET2NET) {
        String sourceId = Surgery.unitIds(w).id(source);
        copyUnits(weights, bias, source, old, count, noise, random);
        changes.add(new WeightChange(w.id(), weights.name(), wAdded, List.of(), WeightChange.Fill.COPY,
            "copy of " + sourceId + (noise > 0 ? " plus N(0, (" + noise + " * rms)^2) noise" : "")));
        if (bias != null) {
          changes.add(new WeightChange(w.id(), bias.name(), wAdded, List.of(), WeightChange.Fill.COPY, "copy of " + sourceId));
        }
      } else {
        // incoming: w ~ N(0, 2 / fanIn) (He); bias 0 (already, from the re-laying)
        int fanIn = weights.unitSize();
        InitKind.HE.fill(weights.value(), old * fanIn, (old + count) * fanIn, fanIn, 0, random);
        changes.add(new WeightChange(w.id(), weights.name(), wAdded, List.of(), WeightChange.Fill.HE, "incoming weights"));
        if (bias != null) changes.add(new WeightChange(w.id(), bias.name(), wAdded, List.of(), WeightChange.Fill.ZERO, "bias"));
      }
    }
    for (BatchNorm n : group.norms()) {
      if (init == GrowInit.NET2NET) {
        // a copied filter's values, hence its batch and running statistics, equal the source's
        n.copyChannel(source, old, count);
      } else {
        n.resetChannels(old, old + count);
      }
      for (Param p : n.channelArrays()) {
        changes.add(new WeightChange(n.id(), p.name(), List.of(), newChannels,
            init == GrowInit.NET2NET ? WeightChange.Fill.COPY : WeightChange.Fill.DEFAULT,
            init == GrowInit.NET2NET ? "copy of channel " + source : "new channels"));
      }
    }
    for (Layer r : group.readers()) {
      Param next = Surgery.weights(r);
      int blockSize = next.unitSize() / (old + count);
      List<String> units = Surgery.unitIds(r).ids();
      switch (init) {
        case RANDOM -> {
          fillNewBlocks(next, old, count, blockSize, random);
          changes.add(new WeightChange(r.id(), next.name(), units, newChannels, WeightChange.Fill.HE,
              "outgoing weights of the new filters"));
        }
        // outgoing weights stay 0, so the reader's output, and the whole function, is unchanged
        case ZERO_OUT -> changes.add(new WeightChange(r.id(), next.name(), units, newChannels, WeightChange.Fill.ZERO,
            "outgoing weights of the new filters"));
        case NET2NET -> {
          splitBlocks(next, source, old, count, blockSize);
          List<Integer> splitChannels = new ArrayList<>();
          splitChannels.add(source);
          splitChannels.addAll(newChannels);
          changes.add(new WeightChange(r.id(), next.name(), units, splitChannels, WeightChange.Fill.SPLIT,
              "outgoing weights of channel " + source + " divided by " + (count + 1) + " among it and its copies"));
        }
      }
    }
    network.structureChanged();
    String description = "add " + count + " filter" + (count == 1 ? "" : "s") + " to " + layerId + stageNote(group) + " ("
        + init.name().toLowerCase(Locale.ROOT) + ")";
    return new SurgeryResult(description, List.of(), List.of(), added, List.of(), changes);
  }

  static SurgeryResult remove(Network network, String layerId, List<String> filterIds) {
    String doing = "remove filters from " + layerId;
    WidthGroup group = WidthGroup.of(network, layerId, doing);
    UnitIds ids = Surgery.unitIds(group.named());
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
    List<String> removedIds = new ArrayList<>();
    for (int u = 0; u < old; u++) {
      if (!removed.contains(ids.id(u))) {
        keep[k++] = u;
      } else {
        for (Layer w : group.writers()) removedIds.add(Surgery.unitIds(w).id(u));
      }
    }
    relay(group, old, keep);
    network.structureChanged();
    String description = "remove " + filterIds.size() + " filter" + (filterIds.size() == 1 ? "" : "s") + " from " + layerId
        + stageNote(group);
    return new SurgeryResult(description, List.of(), List.of(), List.of(), removedIds, List.of());
  }

  /**
   * Re-lays every array of the group: writer unit (and id, batch norm channel) u takes old unit
   * {@code sources[u]}, reader input channel c takes old channel {@code sources[c]} (-1: zeros).
   */
  private static void relay(WidthGroup group, int old, int[] sources) {
    for (Layer w : group.writers()) {
      for (Param p : w.params()) p.remapUnits(sources);
      Surgery.unitIds(w).remap(sources);
    }
    for (BatchNorm n : group.norms()) for (Param p : n.channelArrays()) p.remapUnits(sources);
    for (Layer r : group.readers()) Surgery.weights(r).remapBlocks(old, sources);
  }

  /** For a stage: " and its residual stage (conv1, conv3, ...)", naming every layer that changes with it. */
  private static String stageNote(WidthGroup group) {
    if (!group.stage()) return "";
    return " and its residual stage (" + String.join(", ", group.layers().stream().map(Layer::id).toList()) + ")";
  }

  /** The bias of a conv or dense layer, or null for a conv without one. */
  private static Param bias(Layer layer) {
    return layer instanceof Conv c && !c.hasBias() ? null : Surgery.bias(layer);
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

  /** Units [first, first + count) become copies of unit {@code source} (weights and bias, if any), plus optional noise. */
  private static void copyUnits(Param weights, Param bias, int source, int first, int count, double noise,
      SplittableRandom random) {
    float[] w = weights.value();
    int size = weights.unitSize();
    double sumSquares = 0;
    for (int i = source * size; i < (source + 1) * size; i++) sumSquares += (double) w[i] * w[i];
    double std = noise * Math.sqrt(sumSquares / size);
    for (int c = first; c < first + count; c++) {
      System.arraycopy(w, source * size, w, c * size, size);
      if (bias != null) bias.value()[c] = bias.value()[source];
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
