package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A complete, weight-free description of a network as it is now, after any surgery: every
 * layer with its id, configuration, filter ids and frozen flag (a block's: whether all its layers
 * are), plus the id counters, so that
 * {@link #build(long)} recreates a network with identical structure and ids (weights are then
 * copied in by whoever saved them). It is what checkpoints and {@code /api/architecture} carry, with
 * the {@link Skip}s the network view draws (read from the residual blocks; an attached run's come
 * from its agent, its layers being flat).
 */
public record Architecture(Shape input, int classes, InitKind init, Map<String, Integer> idCounters, List<LayerInfo> layers,
    List<Skip> skips) {

  /**
   * One layer. {@code filters}/{@code kernelSize}/{@code stride}/{@code pad} are set for conv
   * ({@code withoutBias} when it has no bias), {@code size}/{@code stride} for pool, {@code units} for
   * dense, {@code rate} for dropout; batchnorm and globalpool have none (a batch norm's channels are
   * its input's); a residual block lists its {@code main} path and {@code shortcut} (empty: the
   * identity) as layers of their own. Unused fields are 0, false or empty. {@code unitNumbers} and
   * {@code nextUnitNumber} rebuild the stable ids.
   */
  public record LayerInfo(String id, String kind, Shape outputShape, int filters, int kernelSize, int stride, int pad,
      int size, int units, float rate, boolean frozen, int[] unitNumbers, int nextUnitNumber, List<String> unitIds,
      boolean withoutBias, List<LayerInfo> main, List<LayerInfo> shortcut) {

    public LayerInfo {
      // absent in files written before residual blocks existed
      main = main == null ? List.of() : List.copyOf(main);
      shortcut = shortcut == null ? List.of() : List.copyOf(shortcut);
    }

    /** A layer that is not a residual block, with a bias if it is a conv. */
    public LayerInfo(String id, String kind, Shape outputShape, int filters, int kernelSize, int stride, int pad, int size,
        int units, float rate, boolean frozen, int[] unitNumbers, int nextUnitNumber, List<String> unitIds) {
      this(id, kind, outputShape, filters, kernelSize, stride, pad, size, units, rate, frozen, unitNumbers, nextUnitNumber,
          unitIds, false, List.of(), List.of());
    }
  }

  /**
   * A skip connection: residual block {@code block}'s shortcut leaves from layer {@code from}'s output
   * (the last conv or dense layer before the block; null: the network's input) and is added into the
   * output of layer {@code to} (the last conv or dense layer of the block's main path). {@code shortcut}
   * is {@value #IDENTITY} (the input itself) or {@value #PROJECTION} (a chain of layers, as He et al.'s
   * 1x1 conv + batch norm), {@code projection} the id of the shortcut's conv (null when it has none).
   */
  public record Skip(String block, String from, String to, String shortcut, String projection) {
    public static final String IDENTITY = "identity";
    public static final String PROJECTION = "projection";

    public Skip {
      if (block == null || to == null) throw new IllegalArgumentException("a skip needs its block and the layer it is added into");
      if (!IDENTITY.equals(shortcut) && !PROJECTION.equals(shortcut)) {
        throw new IllegalArgumentException("skip of " + block + ": shortcut must be \"identity\" or \"projection\", got " + shortcut);
      }
      if (IDENTITY.equals(shortcut) && projection != null) {
        throw new IllegalArgumentException("skip of " + block + ": an identity shortcut has no projection layer, got " + projection);
      }
    }
  }

  /** {@code skips} null (a file written before skips were listed): read from the residual blocks of {@code layers}. */
  public Architecture {
    idCounters = Map.copyOf(idCounters);
    layers = List.copyOf(layers);
    skips = skips == null ? Skips.of(layers) : List.copyOf(skips);
  }

  /** An architecture whose skips are those of its residual blocks. */
  public Architecture(Shape input, int classes, InitKind init, Map<String, Integer> idCounters, List<LayerInfo> layers) {
    this(input, classes, init, idCounters, layers, null);
  }

  /** Describes {@code net} as it is now. */
  public static Architecture of(Network net) {
    return new Architecture(net.inputShape(), net.classes(), net.init(), new TreeMap<>(net.idCounters()),
        describe(net.layers(), net.inputShape()));
  }

  private static List<LayerInfo> describe(List<Layer> chain, Shape in) {
    List<LayerInfo> infos = new ArrayList<>();
    Shape shape = in;
    for (Layer layer : chain) {
      Shape out = layer.outputShape(shape);
      infos.add(describe(layer, shape, out));
      shape = out;
    }
    return infos;
  }

  private static LayerInfo describe(Layer layer, Shape in, Shape out) {
    return switch (layer) {
      case Conv c -> new LayerInfo(c.id(), c.kind(), out, c.filters(), c.kernelSize(), c.stride(), c.pad(), 0, 0, 0f,
          c.frozen(), c.filterIds().numbers(), c.filterIds().nextNumber(), c.filterIds().ids(), !c.hasBias(), List.of(),
          List.of());
      case Dense d -> new LayerInfo(d.id(), d.kind(), out, 0, 0, 0, 0, 0, d.units(), 0f,
          d.frozen(), d.unitIds().numbers(), d.unitIds().nextNumber(), d.unitIds().ids());
      case MaxPool p -> new LayerInfo(p.id(), p.kind(), out, 0, 0, p.stride(), 0, p.size(), 0, 0f, false, new int[0], 0, List.of());
      case Dropout d -> new LayerInfo(d.id(), d.kind(), out, 0, 0, 0, 0, 0, 0, d.rate(), false, new int[0], 0, List.of());
      case Residual r -> new LayerInfo(r.id(), r.kind(), out, 0, 0, 0, 0, 0, 0, 0f, Network.isFrozen(r), new int[0], 0, List.of(), false,
          describe(r.main(), in), describe(r.shortcut(), in));
      case Relu r -> plain(r, out);
      case BatchNorm b -> new LayerInfo(b.id(), b.kind(), out, 0, 0, 0, 0, 0, 0, 0f, b.frozen(), new int[0], 0, List.of());
      case GlobalAveragePool g -> plain(g, out);
    };
  }

  /** A layer described by its id, kind and output shape alone. */
  private static LayerInfo plain(Layer layer, Shape out) {
    return new LayerInfo(layer.id(), layer.kind(), out, 0, 0, 0, 0, 0, 0, 0f, false, new int[0], 0, List.of());
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
