package org.revacnn.analytics;

import java.util.List;
import org.revacnn.engine.Layer;
import org.revacnn.engine.ProbeResult;

/**
 * Where a filter's activation is read in a {@link ProbeResult}: after the layer's ReLU when one
 * follows it directly (the post-activation map a filter passes on), else the layer's own output.
 */
public final class ActivationTrace {
  private ActivationTrace() {}

  /** Index of the trace that holds layer {@code layerIndex}'s activation. */
  public static int index(List<Layer> layers, int layerIndex) {
    return followedByRelu(layers, layerIndex) ? layerIndex + 1 : layerIndex;
  }

  /** Whether the next layer is a ReLU, so that an activation of exactly 0 means "not firing". */
  public static boolean followedByRelu(List<Layer> layers, int layerIndex) {
    return layerIndex + 1 < layers.size() && layers.get(layerIndex + 1).kind().equals("relu");
  }

  /** The trace holding layer {@code layerIndex}'s activation. */
  public static ProbeResult.LayerTrace of(List<Layer> layers, ProbeResult probe, int layerIndex) {
    return probe.layers().get(index(layers, layerIndex));
  }
}
