// Compact layers of the network view: every filter of a layer that does not fit as thumbnail nodes is
// one cell of a grid on a single canvas per layer (network-layout.js places the grid: column-major,
// `rows` cells per column, `pitch` px apart). Cells are coloured by a chosen statistic
// (cell-colors.js), in filter-id order or sorted by that statistic; they jitter like nodes (amplitude
// proportional to the filter's mean |gradient|, still when frozen or paused), drawn into the canvas's
// pixels by the view's one animation loop. A click maps the cell under the pointer (where it sits
// when still) back to its filter id; the groups of cells are where bundles of paths start and end.
// A canvas is redrawn only when its colours, order or selection changed, or (at most ~30 times a
// second) while its cells jitter, and never while it is scrolled out of view.

import { num } from '../store.js';
import { cellColours, CELL_STATS } from './cell-colors.js';

/** Paths between two compact layers join groups of cells: count/16 groups, 16..32 (fewer only for a tiny layer). */
const MIN_GROUPS = 16;
const MAX_GROUPS = 32;
/** Groups of a layer that paths are drawn from / to: the ones with most top-50% activation. */
export const MAX_GROUP_ENDS = 4;
const SELECTED = [37, 99, 235];
/** Cells that only jitter are redrawn at most every this many seconds (~30 Hz: every other frame at 60). */
const JITTER_FRAME_S = 0.03;

/**
 * onPick(layerId, filterId) when a cell is clicked; onZoom(layerId) on Enter in a layer's canvas.
 * A layer's entry: {canvas, ctx, image, words, geometry, ids, order (position -> filter index), posOf
 * (filter index -> position), colours, norm, amp, wobble, dirty}.
 */
export function createCells(onPick, onZoom) {
  const entries = new Map();
  // a canvas scrolled out of view (a zoom wider than the view) is not drawn; it is drawn afresh once it shows
  const inView = new IntersectionObserver((changes) => {
    for (const change of changes) {
      const e = [...entries.values()].find(x => x.canvas === change.target);
      if (!e) continue;
      e.shown = change.isIntersecting;
      if (e.shown) e.dirty = true;
    }
  });
  const dpr = Math.max(1, Math.min(2, Math.round(window.devicePixelRatio || 1)));
  let selected = null;
  let frames = 0;
  let lastDrawn = -Infinity;

  function entryFor(host, layerId) {
    let e = entries.get(layerId);
    if (e && e.canvas.parentNode === host) return e;
    const canvas = document.createElement('canvas');
    canvas.className = 'cells';
    canvas.tabIndex = 0;
    canvas.dataset.layer = layerId;
    host.appendChild(canvas);
    e = { canvas, ctx: canvas.getContext('2d'), key: '', dirty: true, still: false, shown: true };
    inView.observe(canvas);
    canvas.addEventListener('click', (ev) => {
      const index = indexAt(e, ev.offsetX, ev.offsetY);
      if (index >= 0) onPick(layerId, e.ids[index]);
    });
    canvas.addEventListener('mousemove', (ev) => {
      const index = indexAt(e, ev.offsetX, ev.offsetY);
      const title = index >= 0 ? `${e.ids[index]} · ${e.statLabel} ${formatValue(e.values[index])}` : '';
      if (canvas.title !== title) canvas.title = title;
    });
    canvas.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); onZoom(layerId); }
    });
    entries.set(layerId, e);
    return e;
  }

  /** The filter index under the point (CSS px in the canvas), or -1. */
  function indexAt(e, x, y) {
    const g = e.geometry;
    if (!g) return -1;
    const col = Math.floor((x - g.pad) / g.pitch);
    const row = Math.floor((y - g.pad) / g.pitch);
    if (col < 0 || row < 0 || row >= g.rows || col >= g.cols) return -1;
    const pos = col * g.rows + row;
    return pos < e.ids.length ? e.order[pos] : -1;
  }

  return {
    /** Forgets the layers not drawn as cells any more (their canvases go with their columns or are removed). */
    keep(layerIds) {
      for (const [id, e] of entries) {
        if (!layerIds.has(id)) { inView.unobserve(e.canvas); e.canvas.remove(); entries.delete(id); }
      }
    },

    /**
     * Draws `layer` (a snapshot layer) as the cells `cells` of the layout in column element `host`:
     * colours by `stat`, order 'id' or 'stat', jitter norms from the layer's running |∇w| maximum `ref`.
     */
    update(host, layer, cells, state, { stat, order, ref, label }) {
      const e = entryFor(host, layer.id);
      const count = layer.filterIds.length;
      const pitch = cells.pitch;
      const maxAmp = Math.max(0.8, Math.min(3, pitch * 0.3));
      const pad = Math.ceil(maxAmp);
      const key = `${cells.left},${cells.top},${pitch},${cells.rows},${cells.cols},${count}`;
      if (key !== e.key) {
        e.key = key;
        e.geometry = { pitch, rows: cells.rows, cols: cells.cols, pad, size: pitch >= 4 ? pitch - 1 : pitch, maxAmp };
        const w = cells.cols * pitch + 2 * pad;
        const h = cells.rows * pitch + 2 * pad;
        Object.assign(e.canvas.style, { left: `${cells.left - pad}px`, top: `${cells.top - pad}px`, width: `${w}px`, height: `${h}px` });
        Object.assign(e.canvas.dataset, { pitch, rows: cells.rows, pad, size: e.geometry.size });
        e.canvas.width = w * dpr;
        e.canvas.height = h * dpr;
        e.image = e.ctx.createImageData(w * dpr, h * dpr);
        e.words = new Uint32Array(e.image.data.buffer);
        e.colours = new Uint32Array(count);
        e.norm = new Float32Array(count);
        e.amp = new Float32Array(count);
        e.wobble = Float32Array.from(layer.filterIds.flatMap((id) => { const w = wobble(id); return [w.px, w.py, w.fx, w.fy]; }));
        e.order = Int32Array.from(layer.filterIds, (id, i) => i);
        e.posOf = null;
      }
      e.ids = layer.filterIds;
      const before = e.colours.slice();
      e.values = cellColours(stat, layer, state, ref, e.colours);
      e.statLabel = CELL_STATS[stat]?.label ?? stat;
      if (order === 'stat') {
        // highest first, unmeasured last; ties keep id order, so the order is stable between snapshots
        const v = e.values;
        const key = i => (Number.isFinite(v[i]) ? v[i] : -Infinity);
        e.order = Int32Array.from(layer.filterIds, (id, i) => i).sort((a, b) => key(b) - key(a) || a - b);
      } else if (e.order.some((i, p) => i !== p)) {
        e.order = Int32Array.from(layer.filterIds, (id, i) => i);
      }
      if (e.canvas.dataset.order !== order) e.canvas.dataset.order = order;
      // redrawn when a colour or a place changed (a paused network's snapshots change neither)
      const moved = e.order.some((i, p) => e.posOf?.[i] !== p);
      if (moved) {
        e.posOf = new Int32Array(count);
        e.order.forEach((i, p) => { e.posOf[i] = p; });
      }
      if (moved || e.colours.some((c, i) => c !== before[i])) e.dirty = true;
      const jit = layer.jitter || [];
      for (let i = 0; i < count; i++) {
        const v = num(jit[i]);
        e.norm[i] = ref > 0 && Number.isFinite(v) ? Math.sqrt(Math.max(0, v) / ref) : 0;
      }
      const aria = `${label}: ${count} filters as cells coloured by ${e.statLabel}; click one to select it, Enter zooms in`;
      if (e.canvas.getAttribute('aria-label') !== aria) e.canvas.setAttribute('aria-label', aria);
    },

    select(filterId) {
      if (selected === filterId) return;
      selected = filterId;
      for (const e of entries.values()) e.dirty = true;
    },

    /**
     * One animation frame at time t (s): eases each cell's amplitude towards maxAmp * norm while
     * `training` (else 0) by `ease`; redraws every layer that changed, and those that move when due.
     */
    frame(t, ease, training) {
      let drawn = false;
      const due = t - lastDrawn >= JITTER_FRAME_S;
      for (const e of entries.values()) {
        if (!e.geometry) continue;
        const g = e.geometry;
        let moving = false;
        for (let i = 0; i < e.amp.length; i++) {
          const target = training ? g.maxAmp * e.norm[i] : 0;
          e.amp[i] += (target - e.amp[i]) * ease;
          if (e.amp[i] < 0.03) e.amp[i] = 0;
          else moving = true;
        }
        if (!e.shown || !(e.dirty || (moving && due))) continue;
        e.dirty = false;
        draw(e, t);
        drawn = true;
      }
      if (drawn) {
        frames++;
        lastDrawn = t;
      }
    },

    /** Frames in which some layer's cells were redrawn (for tests and the benchmark). */
    frames: () => frames,

    /** The largest jitter amplitude of any cell now (px; 0: every cell still). */
    maxAmplitude() {
      let max = 0;
      for (const e of entries.values()) for (const a of e.amp || []) max = Math.max(max, a);
      return max;
    },

    /**
     * The groups of a compact layer that carry most of the probe's top-50% activation, up to
     * MAX_GROUP_ENDS: [{key, xl, xr, y, a}] (a: the summed activation, the path width's measure).
     */
    groupEnds(layer, cells) {
      const e = entries.get(layer.id);
      if (!e?.posOf) return [];
      const count = layer.filterIds.length;
      const groups = Math.min(count, Math.max(MIN_GROUPS, Math.min(MAX_GROUPS, Math.round(count / 16))));
      const act = layer.activation || [];
      const active = layer.activePath || [];
      const sum = new Float64Array(groups);
      const rows = new Float64Array(groups);
      const members = new Float64Array(groups);
      for (let i = 0; i < count; i++) {
        const pos = e.posOf[i];
        const g = Math.min(groups - 1, Math.floor((pos * groups) / count));
        if (!active.length || active[i]) sum[g] += Math.max(0, num(act[i]) || 0);
        rows[g] += pos % cells.rows;
        members[g]++;
      }
      const ends = [];
      for (let g = 0; g < groups; g++) {
        if (sum[g] > 0) {
          ends.push({ key: `${layer.id}#${g}`, xl: cells.left, xr: cells.left + cells.cols * cells.pitch,
            y: cells.top + (rows[g] / members[g] + 0.5) * cells.pitch, a: sum[g] });
        }
      }
      return ends.sort((a, b) => b.a - a.a).slice(0, MAX_GROUP_ENDS);
    },
  };

  function draw(e, t) {
    const g = e.geometry;
    const words = e.words;
    const stride = e.image.width;
    words.fill(0);
    const side = g.size * dpr;
    let sel = -1;
    for (let pos = 0; pos < e.order.length; pos++) {
      const i = e.order[pos];
      const col = Math.floor(pos / g.rows);
      const row = pos - col * g.rows;
      let x = g.pad + col * g.pitch;
      let y = g.pad + row * g.pitch;
      const a = e.amp[i];
      if (a > 0) {
        const w = e.wobble;
        const px = w[4 * i];
        const py = w[4 * i + 1];
        const fx = w[4 * i + 2];
        const fy = w[4 * i + 3];
        // the nodes' wobble (network.js): two sines per axis at the filter's own frequencies and phases
        x += a * (0.65 * Math.sin(t * fx + px) + 0.35 * Math.sin(t * fx * 1.7 + py));
        y += a * (0.65 * Math.cos(t * fy + py) + 0.35 * Math.sin(t * fy * 1.3 + px));
      }
      // inside the canvas: its margin `pad` is at least the largest amplitude
      const colour = e.colours[i];
      for (let r = 0, k = Math.round(y * dpr) * stride + Math.round(x * dpr); r < side; r++, k += stride) {
        for (let q = k; q < k + side; q++) words[q] = colour;
      }
      if (e.ids[i] === selected) sel = pos;
    }
    if (sel >= 0) {
      // the selected filter: a ring of the accent colour around its still place
      const col = Math.floor(sel / g.rows);
      const x0 = Math.round((g.pad + col * g.pitch) * dpr) - dpr;
      const y0 = Math.round((g.pad + (sel - col * g.rows) * g.pitch) * dpr) - dpr;
      const ring = (255 << 24 | SELECTED[2] << 16 | SELECTED[1] << 8 | SELECTED[0]) >>> 0;
      const s = side + 2 * dpr;
      fill(words, stride, x0, y0, s, dpr, ring);
      fill(words, stride, x0, y0 + s - dpr, s, dpr, ring);
      fill(words, stride, x0, y0, dpr, s, ring);
      fill(words, stride, x0 + s - dpr, y0, dpr, s, ring);
    }
    e.ctx.putImageData(e.image, 0, 0);
  }
}

/** Fills a w x h rectangle at (x, y) of an RGBA word buffer `stride` words wide, clipped to it. */
function fill(words, stride, x, y, w, h, colour) {
  const height = words.length / stride;
  const xa = Math.max(0, x);
  const xb = Math.min(stride, x + w);
  if (xb <= xa) return;
  for (let r = Math.max(0, y); r < Math.min(height, y + h); r++) words.fill(colour, r * stride + xa, r * stride + xb);
}

/** A filter's wobble, from its id so that it keeps it across snapshots: phases px, py in [0, 2π), frequencies fx, fy (rad/s). */
export function wobble(id) {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) { h ^= id.charCodeAt(i); h = Math.imul(h, 16777619); }
  h >>>= 0;
  return { px: (h % 628) / 100, py: ((h >> 10) % 628) / 100, fx: 9 + (h % 7), fy: 10 + ((h >> 4) % 6) };
}

function formatValue(v) {
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toFixed(3);
}
