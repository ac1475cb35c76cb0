// The model shorthand of a live network (the inverse of engine/ModelShorthand), so that the New run
// form starts from the network the user sees: conv blocks (ReLU, then a 2x2 pool unless 'nopool'),
// fc blocks (ReLU), pools and dropouts; the classifier 'output' is implied.

const DEFAULT_KERNEL = 5;

/** The shorthand that builds this architecture's layers, or null when it has a layer shorthand cannot say. */
export function shorthandOf(architecture) {
  const layers = (architecture?.layers || []).filter(l => l.id !== 'output');
  const blocks = [];
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i];
    const next = layers[i + 1];
    if (l.kind === 'conv' || l.kind === 'dense') {
      if (next?.kind !== 'relu') return null;
      i++;
      if (l.kind === 'dense') {
        blocks.push(`fc${l.units}`);
        continue;
      }
      const k = l.kernelSize;
      let block = `conv${l.filters}${k !== DEFAULT_KERNEL ? `k${k}` : ''}${l.stride !== 1 ? `s${l.stride}` : ''}`
        + `${l.pad !== Math.floor(k / 2) ? `p${l.pad}` : ''}`;
      const pool = layers[i + 1];
      if (pool?.kind === 'pool' && pool.size === 2 && pool.stride === 2) i++;
      else block += 'nopool';
      blocks.push(block);
    } else if (l.kind === 'pool' && l.size === l.stride) {
      blocks.push(`pool${l.size}`);
    } else if (l.kind === 'dropout') {
      blocks.push(`drop${Math.round(l.rate * 100)}`);
    } else {
      return null;
    }
  }
  return blocks.length ? blocks.join('-') : null;
}
