// The architecture as the views read it. An in-process residual block is one entry of the layer list
// with its main path and shortcut nested inside (what a checkpoint rebuilds it from); the views
// list its inner layers in place instead, main path then shortcut, as an attached run's flat list
// of modules does (layer1.0.conv1, layer1.0.conv2, layer1.0.downsample.0). The skips the server
// lists (docs/PROTOCOL.md, "skips") say which layers the blocks join.

const flatCache = new WeakMap();

/** Every layer of the architecture in order, residual blocks' inner layers in place of the block. */
export function flatLayers(architecture) {
  if (!architecture) return [];
  let flat = flatCache.get(architecture);
  if (!flat) {
    flat = [];
    const walk = (layers) => {
      for (const layer of layers || []) {
        if (layer.kind === 'residual') {
          walk(layer.main);
          walk(layer.shortcut);
        } else {
          flat.push(layer);
        }
      }
    };
    walk(architecture.layers);
    flatCache.set(architecture, flat);
  }
  return flat;
}

/** Whether some layer is a residual block listed with its inner layers nested (an in-process ResNet). */
export function hasNestedBlocks(architecture) {
  return (architecture?.layers || []).some(l => l.kind === 'residual');
}

/** The skip connections: [{block, from (null: the input), to, shortcut: 'identity' | 'projection', projection}]. */
export function skipsOf(architecture) {
  return architecture?.skips || [];
}
