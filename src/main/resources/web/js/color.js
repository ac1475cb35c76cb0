// Colour scales shared by every view: a diverging scale centred on 0 (blue negative, white 0, red
// positive: ColorBrewer RdBu, colour-blind safe; symmetric per layer for maps, per filter for
// weights), RGB rendering of first-layer filters (per-filter contrast), and a colour-blind-safe
// categorical palette for classes (Okabe-Ito + 2).

export const CLASS_COLORS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000',
  '#999999', '#882255', '#44AA99', '#117733'];

export function classColor(i) {
  return CLASS_COLORS[((i % CLASS_COLORS.length) + CLASS_COLORS.length) % CLASS_COLORS.length];
}

// RdBu reversed, 11 stops, sampled from ColorBrewer
const STOPS = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/** Maps v in [-limit, limit] to [r, g, b] (0 -> near white). */
export function diverging(v, limit) {
  const t = limit > 0 && Number.isFinite(v) ? Math.max(-1, Math.min(1, v / limit)) : 0;
  const x = (t + 1) / 2 * (STOPS.length - 1);
  const i = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = STOPS[i];
  const b = STOPS[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

export function divergingCss(v, limit) {
  const [r, g, b] = diverging(v, limit);
  return `rgb(${r | 0},${g | 0},${b | 0})`;
}

/** The largest |value| in values[from, to), at least a tiny epsilon: the symmetric domain of a layer. */
export function symmetricLimit(values, from = 0, to = values ? values.length : 0) {
  let m = 0;
  for (let i = from; i < to; i++) {
    const a = Math.abs(+values[i]);
    if (a > m && Number.isFinite(a)) m = a;
  }
  return m || 1e-12;
}

/** How filter thumbnails are scaled, as every view that draws them states it. */
export const FILTER_SCALE_NOTE = 'each filter scaled to its own range';

/**
 * Paints one filter thumbnail into an ImageData-sized RGBA buffer, scaled to the filter's own range
 * (as the usual filter visualisations do, so that a filter with small weights shows its structure):
 * channels 3: RGB, every channel mapped from [lo, hi], the filter's min and max over all three, to
 * [0, 255], so colours keep their balance; otherwise the diverging scale over [-m, m], m = the
 * filter's largest |w| (white stays 0). Returns [lo, hi], the values drawn at the scale's two ends.
 */
export function paintFilter(rgba, values, offset, size, channels) {
  const plane = size * size;
  const rgb = channels === 3;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = offset; i < offset + (rgb ? 3 : 1) * plane; i++) {
    const v = +values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(hi >= lo)) lo = hi = 0; // no finite value
  const m = Math.max(Math.abs(lo), Math.abs(hi));
  // a constant filter has no range: mid grey (RGB) or white (diverging)
  const toByte = (v) => hi > lo && Number.isFinite(v) ? 255 * Math.max(0, Math.min(1, (v - lo) / (hi - lo))) : 127.5;
  for (let p = 0; p < plane; p++) {
    let r, g, b;
    if (rgb) {
      r = toByte(+values[offset + p]);
      g = toByte(+values[offset + plane + p]);
      b = toByte(+values[offset + 2 * plane + p]);
    } else {
      [r, g, b] = diverging(+values[offset + p], m);
    }
    rgba[4 * p] = r;
    rgba[4 * p + 1] = g;
    rgba[4 * p + 2] = b;
    rgba[4 * p + 3] = 255;
  }
  return rgb ? [lo, hi] : [-m, m];
}

/**
 * Draws filter `index` of a layer's thumbnails (filters x channels x size x size) into a canvas at
 * the kernel's size, as paintFilter scales it; returns the drawn [lo, hi], or null (and a blank canvas)
 * when the thumbnails do not hold that filter.
 */
export function drawFilter(canvas, thumbnails, index, size, channels) {
  if (canvas.width !== size || canvas.height !== size) { canvas.width = size; canvas.height = size; }
  const ctx = canvas.getContext('2d');
  const per = size * size * channels;
  if (!(size > 0) || index < 0 || (index + 1) * per > thumbnails.length) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    return null;
  }
  const image = ctx.createImageData(size, size);
  const range = paintFilter(image.data, thumbnails, index * per, size, channels);
  ctx.putImageData(image, 0, 0);
  return range;
}

/** Maps t in [0, 1] to white -> deep blue-purple (perceptually ordered, prints in grey); outside is clamped. */
export function sequential(t) {
  const u = Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
  return [255 - u * (255 - 40), 255 - u * (255 - 30), 255 - u * (255 - 110)];
}

/** Paints a 2-D map with the sequential scale used for activations (ReLU outputs are >= 0). */
export function paintMap(rgba, values, offset, plane, limit, signed) {
  for (let p = 0; p < plane; p++) {
    const v = +values[offset + p];
    let r, g, b;
    if (signed) {
      [r, g, b] = diverging(v, limit);
    } else {
      [r, g, b] = sequential(limit > 0 ? v / limit : 0);
    }
    rgba[4 * p] = r;
    rgba[4 * p + 1] = g;
    rgba[4 * p + 2] = b;
    rgba[4 * p + 3] = 255;
  }
}

/** A CSS linear-gradient of the diverging scale (for legends). */
export function divergingGradientCss() {
  return `linear-gradient(to right, ${STOPS.map((s, i) => `rgb(${s.join(',')}) ${(i / (STOPS.length - 1) * 100).toFixed(0)}%`).join(', ')})`;
}
