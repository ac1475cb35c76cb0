package org.revacnn.analytics;

import java.util.List;
import org.revacnn.engine.Layer;
import org.revacnn.engine.Network;
import org.revacnn.engine.Param;

/**
 * Every statistic of one conv or dense layer at one moment, arrays in filter order (see
 * docs/DESIGN.md (Analytics) for definitions). Built on the training thread from the live network and the
 * two statistics listeners; holds copies only.
 *
 * @param jitter              smoothed mean |dL/dw| per coefficient, per filter
 * @param meanSquaredGradient smoothed mean (dL/dw)^2 per coefficient, per filter
 * @param l1Norm              sum |w| per filter
 * @param zeroFraction        APoZ per filter on the analysis batch, mean over its window (NaN: not measured, or no ReLU follows)
 * @param taylor              Taylor importance per filter (mean over its window) divided by the layer mean (1 = typical; NaN: not measured)
 * @param rgbMix              per filter of a 3-channel first layer, how evenly it uses R, G, B (else empty)
 * @param meanActivation      mean post-ReLU activation per filter on the analysis batch
 * @param updateRatio         smoothed sum |dw| / sum |w| per step (NaN before the first step)
 * @param tinyUpdateSteps     consecutive steps with updateRatio below {@link FilterStatistics#TINY_UPDATE_RATIO}
 * @param gradientSpread      coefficient of variation of the jitter across filters
 * @param activationSpread    coefficient of variation of the mean activation across filters
 * @param clusterIndex        {@link FilterGeometry#clusterIndex} of the weights (NaN above {@link #MAX_CLUSTER_WORK})
 * @param minZeroFraction     the smallest APoZ in each filter's window (the evidence of a dead filter)
 * @param rounds              analysis rounds in each filter's window
 * @param ageSteps            training steps each filter has existed for
 */
public record LayerReport(String layerId, String kind, boolean frozen, List<String> filterIds, float[] jitter,
    float[] meanSquaredGradient, float[] l1Norm, float[] zeroFraction, float[] taylor, float[] rgbMix,
    float[] meanActivation, double updateRatio, long tinyUpdateSteps, double gradientSpread, double activationSpread,
    double clusterIndex, float[] minZeroFraction, int[] rounds, long[] ageSteps) {

  /** Largest filters^2 * coefficients for which the snapshot computes the cluster index (about 10 ms). */
  public static final long MAX_CLUSTER_WORK = 1L << 24;

  /** The report of layer {@code layer} of {@code network} (a conv or dense layer). */
  public static LayerReport of(Network network, Layer layer, FilterStatistics gradients, ActivationStatistics activations) {
    Param weights = FilterLayers.weights(layer);
    if (weights == null) throw new IllegalArgumentException(layer.id() + " has no filters");
    List<String> ids = FilterLayers.ids(layer).ids();
    float[] jitter = gradients.jitter(layer);
    float[] meanActivation = activations.meanActivation(ids);
    boolean colourInput = layer.kind().equals("conv") && network.inputShape().channels() == 3
        && network.layers().getFirst() == layer;
    long work = (long) weights.units() * weights.units() * weights.unitSize();
    double clusterIndex = work <= MAX_CLUSTER_WORK ? FilterGeometry.clusterIndex(weights.value(), weights.unitSize()) : Double.NaN;
    return new LayerReport(layer.id(), layer.kind(), Network.isFrozen(layer), ids, jitter,
        gradients.meanSquaredGradient(layer), FilterGeometry.l1Norms(weights), activations.zeroFraction(ids),
        relativeToMean(activations.taylor(ids)), colourInput ? FilterGeometry.rgbMix(weights) : new float[0], meanActivation,
        gradients.updateRatio(layer.id()), gradients.tinyUpdateSteps(layer.id()), FilterGeometry.spread(jitter),
        FilterGeometry.spread(meanActivation), clusterIndex, activations.minZeroFraction(ids), activations.rounds(ids),
        activations.ageSteps(ids));
  }

  /** Reports of every conv and dense layer, those inside residual blocks included, in the views' order. */
  public static List<LayerReport> all(Network network, FilterStatistics gradients, ActivationStatistics activations) {
    return FilterLayers.of(network).stream().map(l -> of(network, l, gradients, activations)).toList();
  }

  /** values / mean(values): Molchanov et al. normalise per layer (by the L2 norm); the mean makes 1 "typical". */
  public static float[] relativeToMean(float[] values) {
    double sum = 0;
    for (float v : values) sum += v;
    double mean = sum / values.length;
    float[] out = new float[values.length];
    for (int i = 0; i < out.length; i++) out[i] = mean > 0 ? (float) (values[i] / mean) : Float.NaN;
    return out;
  }
}
