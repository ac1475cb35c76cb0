// What a cell of a compact layer (network-cells.js) is coloured by: one statistic of its filter from
// the snapshot (docs/PROTOCOL.md) or the server's recommendations, each with its scale and legend.
// Sequential statistics go white -> deep blue-purple, signed ones use the diverging scale.

import { num, recommendationIndex } from '../store.js';
import { diverging, sequential, symmetricLimit } from '../color.js';

const MISSING = [226, 229, 235];
/** Taylor importance is relative to the layer mean (1): coloured by log2, 1/4x .. 4x at the ends. */
const TAYLOR_LOG2_LIMIT = 2;
const REASON_COLORS = { dead: [178, 24, 43], redundant: [230, 159, 0], unimportant: [0, 114, 178] };

/**
 * Per statistic: label, legend ends, and values(layer, state, jitterRef) -> a per-filter array of
 * numbers (higher = more of it; NaN = not measured) with colour(v) -> [r, g, b].
 */
export const CELL_STATS = {
  jitter: {
    label: 'jitter |∇w|', low: 'still', high: 'most',
    // the amplitude's own normalisation: sqrt(|∇w| / the layer's running maximum)
    values: (layer, state, ref) => perFilter(layer.jitter, v => (ref > 0 && Number.isFinite(v) ? Math.sqrt(Math.max(0, v) / ref) : NaN)),
    colour: () => v => sequential(v),
  },
  activation: {
    label: 'activation', low: '−', high: '+', signed: true,
    values: layer => perFilter(layer.activation, v => v),
    colour: values => { const limit = symmetricLimit(values); return v => diverging(v, limit); },
  },
  apoz: {
    label: 'APoZ', low: '0', high: '1 dead',
    values: layer => perFilter(layer.apoz, v => v),
    colour: () => v => sequential(v),
  },
  taylor: {
    label: 'Taylor', low: '¼×', high: '4× mean', signed: true,
    values: layer => perFilter(layer.taylor, v => v),
    colour: () => v => diverging(v > 0 ? Math.log2(v) : -TAYLOR_LOG2_LIMIT, TAYLOR_LOG2_LIMIT),
  },
  recommendation: {
    label: 'remove?', categories: REASON_COLORS,
    // 3 dead, 2 redundant, 1 unimportant, 0 kept, NaN not judged yet
    values: (layer, state) => {
      const advice = recommendationIndex(state);
      const rank = { dead: 3, redundant: 2, unimportant: 1 };
      return layer.filterIds.map(id => (advice.removals.has(id) ? rank[advice.removals.get(id).reason] ?? 1
        : advice.tooNew.has(id) || !state.recommendations ? NaN : 0));
    },
    colour: () => v => [null, REASON_COLORS.unimportant, REASON_COLORS.redundant, REASON_COLORS.dead][v] ?? [246, 247, 249],
  },
};

/** f(v) of every number of `values` (typed or plain, numbers or their strings) as a Float32Array. */
function perFilter(values, f) {
  const list = values || [];
  const out = new Float32Array(list.length);
  for (let i = 0; i < list.length; i++) out[i] = f(num(list[i]));
  return out;
}

/** The colour of every filter of `layer` by statistic `stat`, as 0xAABBGGRR words (ImageData's byte order). */
export function cellColours(stat, layer, state, jitterRef, out) {
  const def = CELL_STATS[stat] ?? CELL_STATS.jitter;
  const values = def.values(layer, state, jitterRef);
  const colour = def.colour(values);
  const active = layer.activePath || [];
  for (let i = 0; i < out.length; i++) {
    const v = values[i];
    const [r, g, b] = Number.isFinite(v) ? colour(v) : MISSING;
    // a filter off the probe's active path is paler, as an inactive node
    const a = active.length && !active[i] ? 150 : 255;
    out[i] = ((a << 24) | ((b & 255) << 16) | ((g & 255) << 8) | (r & 255)) >>> 0;
  }
  return values;
}
