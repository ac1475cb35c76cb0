package org.revacnn.analytics;

import java.util.List;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;
import org.revacnn.engine.ProbeResult;

/**
 * One vector per filter of a layer, copied out of the live network for a t-SNE map: row f of
 * {@code vectors} ({@code dimensions} values) belongs to {@code ids.get(f)}.
 */
public record FilterVectors(String layer, TsneKind kind, List<String> ids, float[] vectors, int dimensions) {

  /**
   * Reads the vectors on the training thread. The activation kinds use {@code probe}, a probe of
   * the current network, read after the layer's ReLU like the path widths.
   */
  public static FilterVectors read(Network network, String layerId, TsneKind kind, FilterStatistics gradients,
      ProbeResult probe) {
    Layer layer = FlatLayer.find(network, layerId);
    Param weights = FilterLayers.weights(layer);
    if (weights == null) throw new IllegalArgumentException("layer '" + layerId + "' has no filters; choose a conv or dense layer");
    List<String> ids = FilterLayers.ids(layer).ids();
    return switch (kind) {
      case WEIGHTS -> new FilterVectors(layerId, kind, ids, weights.value().clone(), weights.unitSize());
      case GRADIENTS -> new FilterVectors(layerId, kind, ids, gradients.smoothedGradients(layer), weights.unitSize());
      case ACTIVATIONS, ACTIVATION_GRADIENTS -> {
        List<FlatLayer> flat = FlatLayer.of(network);
        int at = flat.stream().map(FlatLayer::layer).toList().indexOf(layer);
        ProbeResult.LayerTrace trace = ActivationTrace.of(flat, probe, at);
        float[] maps = kind == TsneKind.ACTIVATIONS ? trace.output() : trace.outputGradient();
        yield new FilterVectors(layerId, kind, ids, maps.clone(), trace.shape().plane());
      }
    };
  }
}
