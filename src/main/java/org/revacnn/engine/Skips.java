package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The skip connections of an architecture, read from its residual blocks (what the network view
 * draws beside the layer columns). Walking the layers in order, a block's skip leaves from the last
 * conv or dense layer before the block (null: the network's input; after another block, that block's
 * {@code to}) and is added into the output of the last conv or dense layer of its main path; a block
 * whose main path has no such layer has no layer to draw into and is not listed.
 */
final class Skips {
  private Skips() {}

  static List<Architecture.Skip> of(List<Architecture.LayerInfo> layers) {
    List<Architecture.Skip> skips = new ArrayList<>();
    walk(layers, null, skips);
    return skips;
  }

  /** Appends the skips of {@code chain} (its blocks', nested ones included) and returns its last conv or dense layer, else {@code from}. */
  private static String walk(List<Architecture.LayerInfo> chain, String from, List<Architecture.Skip> skips) {
    String last = from;
    for (Architecture.LayerInfo layer : chain) {
      if (layer.kind().equals("conv") || layer.kind().equals("dense")) {
        last = layer.id();
      } else if (layer.kind().equals("residual")) {
        int at = skips.size();
        String to = walk(layer.main(), last, skips);
        if (to == null || to.equals(last)) continue;
        String projection = layer.shortcut().stream().filter(l -> l.kind().equals("conv")).map(Architecture.LayerInfo::id)
            .findFirst().orElse(null);
        String shortcut = layer.shortcut().isEmpty() ? Architecture.Skip.IDENTITY : Architecture.Skip.PROJECTION;
        skips.add(at, new Architecture.Skip(layer.id(), last, to, shortcut, projection));
        last = to;
      }
    }
    return last;
  }
}
