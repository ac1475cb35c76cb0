package org.revacnn.engine;

import java.util.List;

/**
 * Live network surgery, applied between training steps by the training thread: add or remove
 * filters (units) of a hidden layer, insert or remove a layer block, freeze or unfreeze a layer.
 *
 * <p>Every operation is validated first and then applied as a whole: an invalid one throws a
 * single IllegalArgumentException saying what is wrong and leaves the network (weights,
 * gradients, optimiser state, ids, id counters, random source) exactly as it was. A valid one
 * re-lays every affected {@link Param} with {@link Param#remapUnits} / {@link Param#remapBlocks},
 * so surviving weights keep their gradient and optimiser state and new entries start at zero;
 * surviving filters keep their ids and new ones get ids never used before. The returned
 * {@link SurgeryResult} lists every weight region that was written. Growing or re-initialising a
 * frozen layer is refused (its new weights could never train); shrinking one is allowed.
 * The math of each initialisation is in docs/DESIGN.md (section "Live network surgery").
 */
public final class Surgery {
  /** The position before the first layer, for {@link #insertConv} and {@link #insertDense}. */
  public static final String INPUT = "input";
  /** Most filters or units one call may add. */
  public static final int MAX_ADD_PER_CALL = 1024;
  /** Most filters or units a layer may have. */
  public static final int MAX_WIDTH = 4096;
  /** Most floats a layer's weights may hold after an operation (64 MiB). */
  public static final long MAX_LAYER_WEIGHTS = 1L << 24;
  /** Largest Net2Net noise, relative to the source filter's root-mean-square weight. */
  public static final double MAX_NOISE = 1.0;

  private Surgery() {}

  /**
   * Adds {@code count} filters to conv layer {@code layerId} (or units to a hidden dense layer),
   * which may be inside a residual block; the batch norms after it get matching channels and the
   * next parameterised layer one new input channel per filter. A layer that writes into a residual
   * sum changes with its whole stage (see {@link WidthGroup}).
   *
   * @param sourceFilterId for {@link GrowInit#NET2NET}: the filter to copy, or null for the one
   *     with the largest mean |gradient| (lowest index on ties); must be null otherwise
   * @param noise for {@link GrowInit#NET2NET}: std of Gaussian noise added to the copies' incoming
   *     weights, relative to the source's root-mean-square weight (0 keeps the function exact);
   *     must be 0 otherwise
   */
  public static SurgeryResult addFilters(Network network, String layerId, int count, GrowInit init, String sourceFilterId,
      double noise) {
    return UnitSurgery.add(network, layerId, count, init, sourceFilterId, noise);
  }

  /**
   * Removes these filters (units) by id, with the matching channels of the batch norms after it and
   * input channels of the next parameterised layer (for a residual stage: the same positions of all).
   */
  public static SurgeryResult removeFilters(Network network, String layerId, List<String> filterIds) {
    return UnitSurgery.remove(network, layerId, filterIds);
  }

  /**
   * Inserts conv (kernel x kernel, stride 1, pad kernel/2, odd kernel) + ReLU [+ 2x2 max-pool,
   * stride 2] after layer {@code afterLayerId} (or {@link #INPUT}). Every later parameterised layer
   * whose input size changes gets fresh He weights (listed in the result).
   */
  public static SurgeryResult insertConv(Network network, String afterLayerId, int filters, int kernelSize, boolean pool,
      InsertInit init) {
    return LayerSurgery.insertConv(network, afterLayerId, filters, kernelSize, pool, init);
  }

  /** Inserts a fully connected layer of {@code units} + ReLU after {@code afterLayerId} (or {@link #INPUT}). */
  public static SurgeryResult insertDense(Network network, String afterLayerId, int units, InsertInit init) {
    return LayerSurgery.insertDense(network, afterLayerId, units, init);
  }

  /**
   * Inserts a residual basic block (conv3x3-bn-relu-conv3x3-bn plus the identity) and a ReLU after
   * {@code afterLayerId}, as wide as its input ({@code filters} 0 means that width). With
   * {@link InsertInit#IDENTITY} the block's last batch norm starts with gamma 0, so its main path
   * adds exactly 0 and, behind a ReLU whose input is >= 0, the function is unchanged.
   */
  public static SurgeryResult insertResidual(Network network, String afterLayerId, int filters, InsertInit init) {
    return LayerSurgery.insertResidual(network, afterLayerId, filters, init);
  }

  /**
   * Removes a layer: a conv with the ReLU and pool layers right after it, a dense with the ReLU
   * right after it, or a single ReLU, pool or dropout layer. The classifier cannot be removed.
   */
  public static SurgeryResult removeLayer(Network network, String layerId) {
    return LayerSurgery.remove(network, layerId);
  }

  /**
   * Excludes a conv, dense or batch norm layer (inside a block or not), or every such layer of a
   * residual block, from gradients and updates; it still passes gradients down. A frozen batch
   * norm's running statistics still follow the batches (see {@link BatchNorm#frozen()}).
   */
  public static SurgeryResult freeze(Network network, String layerId) {
    return setFrozen(network, layerId, true);
  }

  /** Lets a frozen layer (or every layer of a residual block) train again. */
  public static SurgeryResult unfreeze(Network network, String layerId) {
    return setFrozen(network, layerId, false);
  }

  private static SurgeryResult setFrozen(Network network, String layerId, boolean frozen) {
    String verb = frozen ? "freeze" : "unfreeze";
    Layer layer = LayerSite.find(network, layerId).layer();
    if (layer.params().isEmpty()) throw new IllegalArgumentException("cannot " + verb + " " + layerId + ": it has no parameters");
    List<Layer> targets = layer instanceof Residual r ? r.innerLayers() : List.of(layer);
    for (Layer target : targets) {
      switch (target) {
        case Conv c -> c.setFrozen(frozen);
        case Dense d -> d.setFrozen(frozen);
        case BatchNorm b -> b.setFrozen(frozen);
        default -> { } // no parameters
      }
    }
    return new SurgeryResult(verb + " " + layerId, List.of(), List.of(), List.of(), List.of(), List.of());
  }

  static Param weights(Layer layer) {
    return layer.params().get(0);
  }

  static Param bias(Layer layer) {
    return layer.params().get(1);
  }

  static UnitIds unitIds(Layer layer) {
    return switch (layer) {
      case Conv c -> c.filterIds();
      case Dense d -> d.unitIds();
      default -> throw new IllegalStateException(layer.id() + " has no units");
    };
  }

  static boolean isParameterised(Layer layer) {
    return layer instanceof Conv || layer instanceof Dense;
  }

  static void requireUnfrozen(Layer layer, String doing) {
    if (Network.isFrozen(layer)) {
      throw new IllegalArgumentException("cannot " + doing + ": it would grow or re-initialise frozen layer "
          + layer.id() + "; unfreeze it first");
    }
  }

  static void requireWeightsAtMost(String layerName, long floats, String doing) {
    if (floats > MAX_LAYER_WEIGHTS) {
      throw new IllegalArgumentException("cannot " + doing + ": " + layerName + " would hold " + floats
          + " weights, more than " + MAX_LAYER_WEIGHTS);
    }
  }
}
