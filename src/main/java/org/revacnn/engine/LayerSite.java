package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a layer sits: in the network's own chain ({@code block} null) or on the main path or
 * shortcut of residual block {@code block}; {@code chain} is that list of layers and {@code index}
 * the layer's position in it; {@code top} is the position in the network's chain of the layer or
 * of its block.
 */
record LayerSite(Layer layer, List<Layer> chain, int index, Residual block, int top) {

  /** The site of the layer with this id, at the top or inside a block, or an IllegalArgumentException listing every id. */
  static LayerSite find(Network network, String id) {
    List<Layer> layers = network.layers();
    for (int t = 0; t < layers.size(); t++) {
      Layer layer = layers.get(t);
      if (layer.id().equals(id)) return new LayerSite(layer, layers, t, null, t);
      if (layer instanceof Residual r) {
        for (List<Layer> path : List.of(r.main(), r.shortcut())) {
          for (int i = 0; i < path.size(); i++) if (path.get(i).id().equals(id)) return new LayerSite(path.get(i), path, i, r, t);
        }
      }
    }
    throw new IllegalArgumentException("unknown layer '" + id + "'; layers are " + allIds(layers));
  }

  /** Whether the layer is inside a residual block. */
  boolean inner() {
    return block != null;
  }

  private static List<String> allIds(List<Layer> layers) {
    List<String> ids = new ArrayList<>();
    for (Layer layer : layers) {
      ids.add(layer.id());
      if (layer instanceof Residual r) r.innerLayers().forEach(inner -> ids.add(inner.id()));
    }
    return ids;
  }
}
