// Where the network view puts each layer's column. A layer is drawn as thumbnail nodes (one still
// button per filter, the paper's look) when they fit, else as cells: a grid of small squares on one
// canvas (network-cells.js). The paper model and anything that fits the view, or a model at most
// WIDE_LIMIT times wider than it (scrolled sideways), keep nodes everywhere; a bigger model gets an
// overview in which every layer has an equal slot of the width and a layer whose nodes do not fit its
// slot becomes cells. A zoom shows a range of layers as nodes (scrolling sideways if need be), with
// the layer before and after it as narrow columns of cells for context.

const HEADER_H = 86;
const INPUT_W = 176;
const GAP = 4;
/** Smallest node (click target) side in px. */
const MIN_NODE = 24;
/** Narrowest layer header, and the room kept between two columns of nodes that would otherwise overlap. */
const MIN_HEAD_W = 96;
const COLUMN_GAP = 40;
/** Room between two columns of the overview, and the width of a context column of a zoom. */
const SLOT_GAP = 10;
const CONTEXT_W = 44;
/** A layout of nodes up to this many times wider than the view scrolls sideways; a wider one becomes the overview. */
const WIDE_LIMIT = 2;
/** Cell pitch (side + gap, px) bounds. */
const MIN_PITCH = 2;
const MAX_PITCH = 14;

/**
 * The layout of `layers` (the parameter layers, in order) in a view of width x height px:
 * {columns: [{id, x (centre), nodes, cells, perColumn, headWidth, narrow, context}], width (px, > the
 * view's when it scrolls), scaled (some layer is cells), shown (ids of the layers drawn), skipY (the
 * bottom of the columns)}. `zoom`: null for every layer, or {from, to}: indices of the first and last
 * layer to show as nodes. `below`: px kept free under the columns (the skip arcs' strip).
 */
export function computeLayout(layers, width, height, hasClasses, zoom, below = 0) {
  const top = HEADER_H;
  const avail = Math.max(60, height - top - 14 - below);
  const rightPad = hasClasses ? 120 : 24;
  const x0 = INPUT_W + 70;
  const x1 = width - rightPad - 30;
  const from = zoom ? Math.max(0, zoom.from - 1) : 0;
  const to = zoom ? Math.min(layers.length - 1, zoom.to + 1) : layers.length - 1;
  const shown = layers.slice(from, to + 1);
  const isContext = (i) => !!zoom && (from + i < zoom.from || from + i > zoom.to);
  const n = shown.length;
  const even = n > 1 ? (x1 - x0) / (n - 1) : 0;

  let blocks = shown.map((layer, i) => (isContext(i) ? cellBlock(layer.filterIds.length, avail, CONTEXT_W)
    : nodeBlock(layer, avail)));
  let gap = COLUMN_GAP;
  let placed = place(blocks, gap, even);
  if (!zoom && !placed.fits && x0 + placed.span + rightPad + 30 > WIDE_LIMIT * width) {
    // the overview: every layer an equal slot; nodes where they fit it, else cells
    const slot = n > 1 ? even : x1 - x0;
    gap = SLOT_GAP;
    blocks = blocks.map((b, i) => (b.blockW <= slot - gap ? b : cellBlock(shown[i].filterIds.length, avail, slot - gap)));
    placed = place(blocks, gap, even);
  }
  const { gaps, fits } = placed;
  const columns = [{ id: '__input', x: 134, y: 80, nodes: [], headWidth: 0 }]; // right edge of the probe image
  let cx = n > 1 ? x0 : (x0 + x1) / 2;
  shown.forEach((layer, li) => {
    const b = blocks[li];
    if (li > 0) cx += gaps[li - 1];
    const y0 = top + Math.max(0, (avail - b.rows * b.pitch) / 2);
    const left = cx - b.blockW / 2;
    const room = n > 1 ? Math.min(gaps[li - 1] ?? Infinity, gaps[li] ?? Infinity) : MIN_HEAD_W + 10;
    const narrow = room - 10 < MIN_HEAD_W;
    const column = { id: layer.id, x: cx, perColumn: b.rows, context: isContext(li), narrow,
      headWidth: narrow ? Math.max(14, room - 4) : Math.min(150, room - 10), nodes: [], cells: null };
    if (b.cells) {
      column.cells = { left, top: y0, pitch: b.pitch, rows: b.rows, cols: b.cols, count: layer.filterIds.length };
    } else {
      const size = b.pitch - GAP;
      column.nodes = layer.filterIds.map((id, index) => ({
        id, index, size, x: left + Math.floor(index / b.rows) * b.pitch, y: y0 + (index % b.rows) * b.pitch,
      }));
    }
    columns.push(column);
  });
  const last = blocks[n - 1]?.blockW ?? 0;
  return { columns, width: fits ? width : cx + last / 2 + rightPad + 30, scaled: blocks.some(b => b.cells),
    shown: shown.map(l => l.id), input: from === 0, skipY: top + avail };
}

/**
 * The distance from each column to the next: `even`, unless two neighbouring blocks would overlap;
 * then every distance is as far as keeps both blocks (and, for nodes, their headers) `gap` apart.
 * span: from the first column's centre to the last block's right edge.
 */
function place(blocks, gap, even) {
  const needed = blocks.slice(1).map((b, i) => (blocks[i].blockW + b.blockW) / 2 + gap);
  const fits = needed.every(d => d <= even);
  const gaps = needed.map(d => (fits ? even : Math.max(gap === COLUMN_GAP ? MIN_HEAD_W + 10 : 0, d)));
  const span = gaps.reduce((a, b) => a + b, 0) + (blocks[blocks.length - 1]?.blockW ?? 0) / 2;
  return { gaps, fits, span };
}

/** Nodes of a layer: side 24..40 px (a dense layer 24), column-major, as many per column as fit the height. */
function nodeBlock(layer, avail) {
  const count = layer.filterIds.length;
  let size = Math.floor(avail / Math.max(1, count)) - GAP;
  size = Math.max(MIN_NODE, Math.min(layer.kind === 'conv' ? 40 : MIN_NODE, size));
  const perColumn = Math.max(1, Math.floor(avail / (size + GAP)));
  const rows = Math.min(count, perColumn);
  return { cells: false, pitch: size + GAP, rows, cols: Math.ceil(count / perColumn),
    blockW: Math.ceil(count / perColumn) * (size + GAP) - GAP };
}

/**
 * Cells of a layer: the largest pitch p (MIN_PITCH..MAX_PITCH) whose grid, column-major with
 * rows = floor(avail / p) per column, is at most `maxWidth` wide: ceil(count / rows) * p <= maxWidth.
 */
function cellBlock(count, avail, maxWidth) {
  let pitch = MIN_PITCH;
  for (let p = MAX_PITCH; p > MIN_PITCH; p--) {
    if (Math.ceil(count / Math.floor(avail / p)) * p <= maxWidth) { pitch = p; break; }
  }
  const rows = Math.max(1, Math.min(count, Math.floor(avail / pitch)));
  const cols = Math.ceil(count / rows);
  return { cells: true, pitch, rows, cols, blockW: cols * pitch };
}
