package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * One layer in the views' order of a network: the network's layers with each residual block's
 * inner layers in place of the block, main path then shortcut (nested blocks likewise), as
 * js/architecture.js flatLayers lists them. {@code chain} is the list of layers the layer sits in
 * (the network's, or a block's path) and {@code index} its position there, so what follows it is
 * {@code chain.get(index + 1)} on its own path, not across a residual sum; {@code outputShape} is
 * its output for one image.
 */
public record FlatLayer(Layer layer, List<Layer> chain, int index, Shape outputShape) {

  /** Every layer of the network in the views' order (residual blocks themselves are not listed). */
  public static List<FlatLayer> of(Network network) {
    List<FlatLayer> flat = new ArrayList<>();
    walk(network.layers(), network.inputShape(), flat);
    return flat;
  }

  /** The layer with this id, at the top or inside a block, or an IllegalArgumentException listing the ids there are. */
  public static Layer find(Network network, String id) {
    List<FlatLayer> flat = of(network);
    for (FlatLayer f : flat) if (f.layer.id().equals(id)) return f.layer;
    throw new IllegalArgumentException("unknown layer '" + id + "'; layers are " + flat.stream().map(f -> f.layer.id()).toList());
  }

  /** The layer {@code ahead} places after this one on its own path, or null past the path's end. */
  public Layer next(int ahead) {
    int at = index + ahead;
    return at < chain.size() ? chain.get(at) : null;
  }

  /** Appends the flat layers of {@code chain} fed {@code in} and returns the chain's output shape. */
  private static Shape walk(List<Layer> chain, Shape in, List<FlatLayer> flat) {
    Shape shape = in;
    for (int i = 0; i < chain.size(); i++) {
      Layer layer = chain.get(i);
      if (layer instanceof Residual r) {
        walk(r.main(), shape, flat);
        walk(r.shortcut(), shape, flat);
        shape = r.outputShape(shape);
      } else {
        shape = layer.outputShape(shape);
        flat.add(new FlatLayer(layer, chain, i, shape));
      }
    }
    return shape;
  }
}
