package org.revacnn.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.Shape;

/**
 * What {@code GET /api/activations} returns: one layer's output for one validation image, as one
 * {@code height x width} map (row-major) per channel. Channels of a conv or dense layer are its
 * filters; the ReLU and pool layers after it keep those filters' ids. Layers are those of the views'
 * order: a residual block's inner layers in place of the block (as {@link ProbeResult} lists them).
 */
public record ActivationMaps(int image, int label, String layer, String kind, int height, int width, List<FilterMap> filters) {

  /** One channel: the filter id, its map and the map's range. */
  public record FilterMap(String id, float[] values, float min, float max) {}

  static ActivationMaps of(int image, int label, String layerId, Architecture architecture, ProbeResult probe) {
    List<Architecture.LayerInfo> layers = flat(architecture);
    int index = indexOf(architecture, layerId);
    ProbeResult.LayerTrace trace = probe.layers().get(index);
    Shape shape = trace.shape();
    List<String> ids = channelIds(layers, index, shape.channels());
    List<FilterMap> maps = new ArrayList<>(shape.channels());
    for (int c = 0; c < shape.channels(); c++) {
      float[] values = Arrays.copyOfRange(trace.output(), c * shape.plane(), (c + 1) * shape.plane());
      float min = Float.POSITIVE_INFINITY;
      float max = Float.NEGATIVE_INFINITY;
      for (float v : values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      maps.add(new FilterMap(ids.get(c), values, min, max));
    }
    return new ActivationMaps(image, label, layerId, layers.get(index).kind(), shape.height(), shape.width(), maps);
  }

  /** The position of a layer in the views' order, or IllegalArgumentException naming the layers there are. */
  static int indexOf(Architecture architecture, String layerId) {
    List<Architecture.LayerInfo> layers = flat(architecture);
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).id().equals(layerId)) return i;
    }
    throw new IllegalArgumentException("unknown layer '" + layerId + "'; layers are "
        + layers.stream().map(Architecture.LayerInfo::id).toList());
  }

  /** The ids of the nearest layer at or before {@code index} that has one unit per channel, else {@code layer/cN}. */
  private static List<String> channelIds(List<Architecture.LayerInfo> layers, int index, int channels) {
    for (int i = index; i >= 0; i--) {
      List<String> ids = layers.get(i).unitIds();
      if (!ids.isEmpty()) {
        if (ids.size() == channels) return ids;
        break;
      }
    }
    String layer = layers.get(index).id();
    List<String> ids = new ArrayList<>(channels);
    for (int c = 0; c < channels; c++) ids.add(layer + "/c" + c);
    return ids;
  }

  /** The layers with each residual block's inner layers in place of the block, main path then shortcut. */
  static List<Architecture.LayerInfo> flat(Architecture architecture) {
    List<Architecture.LayerInfo> out = new ArrayList<>();
    addFlat(architecture.layers(), out);
    return out;
  }

  private static void addFlat(List<Architecture.LayerInfo> chain, List<Architecture.LayerInfo> out) {
    for (Architecture.LayerInfo layer : chain) {
      if (layer.kind().equals("residual")) {
        addFlat(layer.main(), out);
        addFlat(layer.shortcut(), out);
      } else {
        out.add(layer);
      }
    }
  }
}
