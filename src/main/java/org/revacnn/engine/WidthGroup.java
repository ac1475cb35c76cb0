package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The layers whose width changes together when filters are added to or removed from one layer:
 * the writers (conv or dense layers whose filters are the channels), the batch norms that normalise
 * those channels, and the readers (the conv or dense layers that take them as input channels).
 *
 * <p>A plain layer is the only writer and the next parameterised layer of its chain the only
 * reader; between them may be ReLU, pool, dropout and batch norm layers, which keep channels apart.
 * A layer whose output goes into a residual sum (the last conv of a block's path, or a conv
 * feeding a block) writes into a stage: the channels that the identity shortcuts carry from the
 * stage's start (a conv, or a block with a projection shortcut) through its identity blocks. Each
 * identity block's main path reads the stage with its first layer and writes into it with its last
 * one; the first block with a projection shortcut (or the first plain conv or dense layer) after
 * them reads it and ends it. Every writer, batch norm and reader of the stage changes with it, so
 * channel c of every term of every sum stays channel c.
 *
 * @param stage whether the group is a residual stage (not a single layer and its reader)
 */
record WidthGroup(Layer named, List<Layer> writers, List<BatchNorm> norms, List<Layer> readers, boolean stage) {

  WidthGroup {
    writers = List.copyOf(writers);
    norms = List.copyOf(norms);
    readers = List.copyOf(readers);
  }

  /** Writers, batch norms and readers, in that order. */
  List<Layer> layers() {
    List<Layer> all = new ArrayList<>(writers);
    all.addAll(norms);
    all.addAll(readers);
    return all;
  }

  /** The group of layer {@code layerId}, or an IllegalArgumentException saying why its width cannot change. */
  static WidthGroup of(Network network, String layerId, String doing) {
    LayerSite site = LayerSite.find(network, layerId);
    Layer layer = site.layer();
    if (!Surgery.isParameterised(layer)) {
      throw new IllegalArgumentException("cannot " + doing + ": it is a " + layer.kind() + " layer without filters");
    }
    if (layer.id().equals(Network.CLASSIFIER_ID)) {
      throw new IllegalArgumentException("cannot " + doing + ": the classifier has one unit per class");
    }
    List<BatchNorm> norms = new ArrayList<>();
    int next = skipChannelwise(site.chain(), site.index() + 1, norms);
    if (next < site.chain().size()) {
      Layer reader = site.chain().get(next);
      if (Surgery.isParameterised(reader)) return new WidthGroup(layer, List.of(layer), norms, List.of(reader), false);
      if (!(reader instanceof Residual)) {
        throw new IllegalArgumentException("cannot " + doing + ": " + reader.kind() + " layer " + reader.id()
            + " follows it, and changing the width of a layer that feeds a " + reader.kind() + " is not supported");
      }
    }
    // it feeds a block (whose identity shortcut passes its channels on) or ends a block's path: a stage
    WidthGroup stage = stage(network.layers(), site.top(), doing);
    if (!stage.writers().contains(layer)) {
      throw new IllegalArgumentException("cannot " + doing + ": it writes into the sum of " + site.block().id()
          + " but is not the last layer of its path");
    }
    return new WidthGroup(layer, stage.writers(), stage.norms(), stage.readers(), true);
  }

  /** The stage that the layer at top-level position {@code at} (a block, or a conv feeding one) belongs to. */
  private static WidthGroup stage(List<Layer> layers, int at, String doing) {
    int start = at;
    while (layers.get(start) instanceof Residual r && r.shortcut().isEmpty()) {
      int before = start - 1;
      while (before >= 0 && channelwise(layers.get(before))) before--;
      if (before < 0) {
        throw new IllegalArgumentException("cannot " + doing + ": the identity shortcut of " + r.id()
            + " carries the network's input, whose channels are fixed");
      }
      start = before;
    }
    List<Layer> writers = new ArrayList<>();
    List<BatchNorm> norms = new ArrayList<>();
    List<Layer> readers = new ArrayList<>();
    switch (layers.get(start)) {
      case Conv c -> writers.add(c);
      case Residual r -> {
        writers.add(lastWriter(r, r.main(), norms, doing));
        writers.add(lastWriter(r, r.shortcut(), norms, doing));
      }
      default -> throw new IllegalArgumentException("cannot " + doing + ": the residual stage starts at "
          + layers.get(start).kind() + " layer " + layers.get(start).id() + ", whose width cannot change");
    }
    int i = start;
    while (true) {
      i = skipChannelwise(layers, i + 1, norms);
      Layer layer = layers.get(i); // the classifier ends every chain, so i is in range
      if (layer instanceof Residual r) {
        Layer first = firstReader(r, r.main(), norms, doing);
        readers.add(first);
        if (!r.shortcut().isEmpty()) {
          readers.add(firstReader(r, r.shortcut(), norms, doing));
          break;
        }
        Layer last = lastWriter(r, r.main(), norms, doing);
        if (last == first) {
          throw new IllegalArgumentException("cannot " + doing + ": " + first.id() + " of " + r.id()
              + " both reads and writes the residual stage");
        }
        writers.add(last);
      } else if (Surgery.isParameterised(layer)) {
        readers.add(layer);
        break;
      } else {
        throw new IllegalArgumentException("cannot " + doing + ": " + layer.kind() + " layer " + layer.id()
            + " reads the residual stage, and its width cannot change");
      }
    }
    return new WidthGroup(writers.getFirst(), writers, norms, readers, true);
  }

  /** The first conv of a block's path, collecting the batch norms before it. */
  private static Layer firstReader(Residual block, List<Layer> path, List<BatchNorm> norms, String doing) {
    int i = skipChannelwise(path, 0, norms);
    if (i == path.size() || !Surgery.isParameterised(path.get(i))) {
      throw new IllegalArgumentException("cannot " + doing + ": a path of " + block.id() + " does not start with a conv");
    }
    return path.get(i);
  }

  /** The last conv of a block's path, collecting the batch norms after it. */
  private static Layer lastWriter(Residual block, List<Layer> path, List<BatchNorm> norms, String doing) {
    int last = path.size() - 1;
    while (last >= 0 && !Surgery.isParameterised(path.get(last))) last--;
    if (last < 0 || skipChannelwise(path, last + 1, norms) != path.size()) {
      throw new IllegalArgumentException("cannot " + doing + ": a path of " + block.id() + " does not end with a conv");
    }
    return path.get(last);
  }

  /** Index of the first layer at or after {@code from} that mixes channels; batch norms on the way are collected. */
  private static int skipChannelwise(List<Layer> chain, int from, List<BatchNorm> norms) {
    int i = from;
    while (i < chain.size() && channelwise(chain.get(i))) {
      if (chain.get(i) instanceof BatchNorm b) norms.add(b);
      i++;
    }
    return i;
  }

  /** A layer that keeps channels apart: ReLU, pools, dropout, batch norm (whose per-channel arrays follow the channels). */
  private static boolean channelwise(Layer layer) {
    return layer instanceof Relu || layer instanceof MaxPool || layer instanceof Dropout || layer instanceof GlobalAveragePool
        || layer instanceof BatchNorm;
  }
}
