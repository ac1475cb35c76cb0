// Names of layers as people read them. Ids are stable (a conv layer inserted after pool2 is conv4
// for good, so commands and keys never change), but the UI names each layer by its position among
// the layers of its kind: that conv4, sitting between conv2 and conv3, is shown as "conv3", and the
// old conv3 as "conv4". The id stays in tooltips ("conv3 (id conv4)"). An attached run's layers
// are named by their module paths (features.3, layer1.0.conv1), which people know: shown as they are.

import { isExternalEngine } from './engine.js';
import { flatLayers } from './architecture.js';

const labelCache = new WeakMap();

/** Map layer id -> display label for one architecture message: prefix + rank among the layers with that prefix (residual blocks' inner layers in place). */
export function layerLabels(architecture) {
  if (!architecture) return new Map();
  let labels = labelCache.get(architecture);
  if (!labels) {
    labels = new Map();
    const counts = new Map();
    for (const { id } of flatLayers(architecture)) {
      const match = /^(.*?)(\d+)$/.exec(id);
      if (!match) { labels.set(id, id); continue; } // "output": no number, nothing to reorder
      const rank = (counts.get(match[1]) || 0) + 1;
      counts.set(match[1], rank);
      labels.set(id, `${match[1]}${rank}`);
    }
    labelCache.set(architecture, labels);
  }
  return labels;
}

/** A layer's display label (its id when the architecture does not list it). */
export function layerLabel(state, id) {
  if (isExternalEngine(state)) return id;
  return layerLabels(state.architecture).get(id) ?? id;
}

/** The label, and the id too where they differ: "conv3 (id conv4)". */
export function layerLabelWithId(state, id) {
  const label = layerLabel(state, id);
  return label === id ? id : `${label} (id ${id})`;
}

/** A filter's display name: its layer's label and its own stable number, "conv3/f5" for id "conv4/f5". */
export function filterLabel(state, filterId) {
  const cut = String(filterId).lastIndexOf('/');
  return cut < 0 ? filterId : `${layerLabel(state, filterId.slice(0, cut))}${filterId.slice(cut)}`;
}
