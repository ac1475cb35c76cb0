package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A complete, weight-free description of a network as it is now, after any surgery: every
 * layer with its id, configuration, filter ids and frozen flag, plus the id counters, so that
 * {@link #build(long)} recreates a network with identical structure and ids (weights are then
 * copied in by whoever saved them). It is what checkpoints and {@code /api/architecture} carry.
 */
public record Architecture(Shape input, int classes, InitKind init, Map<String, Integer> idCounters, List<LayerInfo> layers) {

  /**
   * One layer. {@code filters}/{@code kernelSize}/{@code stride}/{@code pad} are set for conv,
   * {@code size}/{@code stride} for pool, {@code units} for dense, {@code rate} for dropout (batchnorm
   * has none: its channels are its input's); unused fields are 0. {@code unitNumbers} and {@code nextUnitNumber} rebuild the stable ids.
   */
  public record LayerInfo(String id, String kind, Shape outputShape, int filters, int kernelSize, int stride, int pad,
      int size, int units, float rate, boolean frozen, int[] unitNumbers, int nextUnitNumber, List<String> unitIds) {}

  public Architecture {
    idCounters = Map.copyOf(idCounters);
    layers = List.copyOf(layers);
  }

  /** Describes {@code net} as it is now. */
  public static Architecture of(Network net) {
    List<LayerInfo> infos = new ArrayList<>();
    List<Shape> shapes = net.checkChain();
    for (int l = 0; l < net.layers().size(); l++) {
      Layer layer = net.layers().get(l);
      Shape out = shapes.get(l + 1);
      infos.add(switch (layer) {
        case Conv c -> new LayerInfo(c.id(), c.kind(), out, c.filters(), c.kernelSize(), c.stride(), c.pad(), 0, 0, 0f,
            c.frozen(), c.filterIds().numbers(), c.filterIds().nextNumber(), c.filterIds().ids());
        case Dense d -> new LayerInfo(d.id(), d.kind(), out, 0, 0, 0, 0, 0, d.units(), 0f,
            d.frozen(), d.unitIds().numbers(), d.unitIds().nextNumber(), d.unitIds().ids());
        case MaxPool p -> new LayerInfo(p.id(), p.kind(), out, 0, 0, p.stride(), 0, p.size(), 0, 0f, false, new int[0], 0, List.of());
        case Dropout d -> new LayerInfo(d.id(), d.kind(), out, 0, 0, 0, 0, 0, 0, d.rate(), false, new int[0], 0, List.of());
        case Relu r -> new LayerInfo(r.id(), r.kind(), out, 0, 0, 0, 0, 0, 0, 0f, false, new int[0], 0, List.of());
        case BatchNorm b -> new LayerInfo(b.id(), b.kind(), out, 0, 0, 0, 0, 0, 0, 0f, false, new int[0], 0, List.of());
        case GlobalAveragePool g -> new LayerInfo(g.id(), g.kind(), out, 0, 0, 0, 0, 0, 0, 0f, false, new int[0], 0, List.of());
      });
    }
    return new Architecture(net.inputShape(), net.classes(), net.init(), new TreeMap<>(net.idCounters()), infos);
  }

  /**
   * Recreates the structure with freshly initialised weights from {@code seed}; throws
   * IllegalArgumentException when the description is inconsistent (unknown kind, shapes that do
   * not chain, a classifier that does not match the classes).
   */
  public Network build(long seed) {
    return Network.fromArchitecture(this, seed);
  }
}
