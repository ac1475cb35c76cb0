package org.revacnn.session;

import java.util.List;

/**
 * An immutable picture of a session at one moment, published by the training thread at the
 * snapshot rate and read by any thread (latest wins). Arrays are copies, never live buffers.
 *
 * @param state             "running" or "paused"
 * @param loss              mean loss of the latest batch
 * @param trainAccuracy     training accuracy averaged over the recent batches
 * @param validationAccuracy latest validation accuracy, or null before the first evaluation
 * @param alert             why training paused by itself (divergence), or null
 */
public record Snapshot(int schemaVersion, long step, int epoch, double epochProgress, long examplesSeen, String state,
    double loss, double trainAccuracy, Double validationAccuracy, double imagesPerSecond, Settings hyperparameters,
    List<LayerView> layers, ProbeView probe, String alert, long wallMillis) {

  public static final int SCHEMA_VERSION = 1;

  /** The hyperparameters in force. */
  public record Settings(String optimizer, float learningRate, float momentum, int batchSize, float weightDecay) {}

  /**
   * One layer as the network view draws it. For conv and dense layers: filter ids, jitter (smoothed
   * mean |gradient| per coefficient), activation (sum of the filter's output for the probe image:
   * the path width), activePath (in the top half of its layer), and thumbnails: per filter
   * {@code thumbnailChannels x thumbnailSize x thumbnailSize} weights (RGB for a first conv layer,
   * the mean over input channels deeper). Then the statistics of docs/DESIGN.md (Analytics), per filter:
   * meanSquaredGradient, l1Norm (sum |w|), apoz (average percentage of zeros after the ReLU, as a
   * fraction, on the analysis images; null before the first measurement or without a ReLU), taylor
   * (Taylor importance relative to the layer mean), rgbMix (first layer on RGB input only, else
   * empty); and per layer updateRatio (measured sum |dw| / sum |w| per step), gradientSpread and
   * activationSpread (coefficients of variation across filters) and clusterIndex (of the weights;
   * higher: more clustered). Parameter-free layers carry only id, kind and shape.
   */
  public record LayerView(String id, String kind, boolean frozen, int[] outputShape, List<String> filterIds,
      float[] jitter, float[] activation, boolean[] activePath, int thumbnailSize, int thumbnailChannels,
      float[] thumbnails, double updateRatio, float[] meanSquaredGradient, float[] l1Norm, float[] apoz, float[] taylor,
      float[] rgbMix, double gradientSpread, double activationSpread, double clusterIndex) {}

  /**
   * The probe image: its validation index (null if uploaded), label (null: an upload of unknown
   * class), and the model's class probabilities.
   */
  public record ProbeView(Integer index, Integer label, float[] probabilities) {}
}
