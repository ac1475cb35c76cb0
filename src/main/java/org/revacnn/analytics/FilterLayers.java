package org.revacnn.analytics;

import java.util.List;
import org.revacnn.engine.Conv;
import org.revacnn.engine.Dense;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;
import org.revacnn.engine.UnitIds;

/** The filters (units) of a conv or dense layer: their ids and weights; null for parameter-free layers. */
public final class FilterLayers {
  private FilterLayers() {}

  /** Every conv and dense layer of the network in the views' order, those inside residual blocks included. */
  public static List<Layer> of(Network network) {
    return FlatLayer.of(network).stream().map(FlatLayer::layer).filter(l -> weights(l) != null).toList();
  }

  public static UnitIds ids(Layer layer) {
    return switch (layer) {
      case Conv c -> c.filterIds();
      case Dense d -> d.unitIds();
      default -> null;
    };
  }

  /** The weights, one unit per filter ({@code [filter][inChannel][ky][kx]} or {@code [unit][input]}). */
  public static Param weights(Layer layer) {
    return switch (layer) {
      case Conv c -> c.weights();
      case Dense d -> d.weights();
      default -> null;
    };
  }
}
