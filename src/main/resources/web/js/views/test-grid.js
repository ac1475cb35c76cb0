// The Test view's grid: one page of a report's predictions (GET /api/test/predictions), all images or
// one confusion cell's, each with its top-3 class bars (green when right, red when wrong). The page's
// thumbnails come in one sprite sheet (GET /api/test/sprite with the page's own parameters), so the
// DOM and the network carry one page however many images were evaluated.

import { num } from '../store.js';

/** Predictions per page. */
export const PAGE = 100;
/** Tiles per row of a sprite sheet (RestApi.SPRITE_COLUMNS) and the size a tile is shown at. */
const SPRITE_COLUMNS = 20;
const THUMB_PX = 48;

/** The query of a page of report `report`: offset, PAGE and the cell ({actual, predicted} or null). */
export function pageQuery(report, filter, offset) {
  const cell = filter ? `&actual=${filter.actual}&predicted=${filter.predicted}` : '';
  return `report=${report}&offset=${offset}&limit=${PAGE}${cell}`;
}

/** Draws `page` (an /api/test/predictions answer) into the d3 selection `grid`, replacing the last page. */
export function drawPage(grid, page, names, split) {
  const predictions = (page.predictions || []).map(normalisePrediction);
  const sprite = `/api/test/sprite?${pageQuery(page.report, cellOf(page), num(page.offset))}`;
  const across = Math.min(SPRITE_COLUMNS, predictions.length);
  const down = Math.ceil(predictions.length / SPRITE_COLUMNS);
  const cards = grid.selectAll('figure.pred').data(predictions, p => p.index).join(enter => {
    const f = enter.append('figure').attr('class', 'pred');
    f.append('span').attr('class', 'thumb').attr('role', 'img');
    f.append('figcaption');
    f.append('div').attr('class', 'bars');
    return f;
  });
  // d3's join keeps figures in data order, so the k-th figure is the sprite's k-th tile
  cards.order().classed('wrong', p => p.top[0]?.cls !== p.label)
    .attr('data-index', p => p.index).attr('data-label', p => p.label).attr('data-predicted', p => p.top[0]?.cls)
    .attr('aria-label', p => `${split} image ${p.index}: ${names[p.label] ?? p.label}, predicted ${names[p.top[0]?.cls] ?? p.top[0]?.cls}`);
  cards.select('.thumb').attr('aria-label', p => `${split} image ${p.index}`)
    .style('background-image', `url("${sprite}")`)
    .style('background-size', `${across * THUMB_PX}px ${down * THUMB_PX}px`)
    .style('background-position', (p, k) => `${-(k % SPRITE_COLUMNS) * THUMB_PX}px ${-Math.floor(k / SPRITE_COLUMNS) * THUMB_PX}px`);
  cards.select('figcaption').text(p => names[p.label] ?? p.label);
  cards.select('.bars').each(function (p) { drawBars(d3.select(this), p.top, p.label, names); });
}

/** The confusion cell a page is of, or null for all images. */
function cellOf(page) {
  return page.actual == null ? null : { actual: num(page.actual), predicted: num(page.predicted) };
}

/** Accepts {top3:[cls], probabilities:[p]} or {top:[{class|classIndex, probability}]}. */
function normalisePrediction(p) {
  let top = [];
  if (Array.isArray(p.top3)) top = p.top3.map((c, i) => ({ cls: num(c), p: num(p.probabilities?.[i]) }));
  else if (Array.isArray(p.top)) top = p.top.map(t => ({ cls: num(t.class ?? t.classIndex ?? t.label), p: num(t.probability ?? t.p) }));
  return { index: num(p.index), label: num(p.label), top };
}

/** Bars of the top classes' probabilities; with a label, the right class green and the others red. */
export function drawBars(host, top, label, names, withValues = false) {
  const rows = host.selectAll('div.bar-row').data(top, (d, i) => i).join(enter => {
    const r = enter.append('div').attr('class', 'bar-row');
    r.append('span').attr('class', 'bar-name');
    r.append('span').attr('class', 'bar-track').append('span').attr('class', 'bar-fill');
    if (withValues) r.append('span').attr('class', 'bar-value');
    return r;
  });
  rows.select('.bar-value').text(d => `${((d.p || 0) * 100).toFixed(1)}%`);
  rows.classed('right', d => label != null && d.cls === label).classed('wrong', d => label != null && d.cls !== label)
    .classed('neutral', () => label == null);
  rows.select('.bar-name').text(d => names[d.cls] ?? d.cls);
  rows.select('.bar-fill').style('width', d => `${Math.max(0, Math.min(1, d.p || 0)) * 100}%`);
  rows.attr('title', d => `${names[d.cls] ?? d.cls}: ${((d.p || 0) * 100).toFixed(1)}%`);
}
