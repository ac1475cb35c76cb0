package org.revacnn.engine;

import java.util.List;

/**
 * Everything the views need about one probe image: the class probabilities and, for every layer in
 * {@link FlatLayer} order (a residual block's inner layers in place of the block), its output and
 * dL/dOutput for the given label. Arrays are copies, safe to hand to other threads.
 */
public record ProbeResult(float[] probabilities, double loss, List<LayerTrace> layers) {
  /** One layer's output for the probe image and the loss gradient with respect to it. */
  public record LayerTrace(String layerId, Shape shape, float[] output, float[] outputGradient) {}
}
