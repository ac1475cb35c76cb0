// The network view's second toolbar, shown only for a network too big for thumbnail nodes everywhere,
// or while zoomed: which layers to show (a range, or all), a search for a filter id, and what the
// cells of compact layers are coloured and ordered by, with the colour legend.

import { CELL_STATS } from './cell-colors.js';
import { divergingGradientCss, sequential } from '../color.js';

/**
 * handlers: zoom({from, to} layer ids | null), find(text) -> an error message or null, style({stat, order}).
 * Returns {element, render(state, layerIds, zoom, shown)}.
 */
export function createViewBar(element, handlers) {
  element.innerHTML = `
    <button class="btn" type="button" id="zoom-all" title="Show every layer">⤢ All layers</button>
    <label class="field">Layers <select id="zoom-from" aria-label="First layer to zoom into"></select></label>
    <label class="field">to <select id="zoom-to" aria-label="Last layer to zoom into"></select></label>
    <button class="btn" type="button" id="zoom-go">Zoom</button>
    <span class="sep"></span>
    <form id="find-form" class="inline-form" role="search" aria-label="Find a filter">
      <label class="field">Find <input id="find-filter" type="search" placeholder="filter id" aria-label="Filter id to find" size="12"></label>
    </form>
    <span id="find-error" class="field-error" role="alert"></span>
    <span class="sep"></span>
    <label class="field">Cells by <select id="cell-stat" aria-label="Colour the cells by">
      ${Object.entries(CELL_STATS).map(([k, d]) => `<option value="${k}">${d.label}</option>`).join('')}</select></label>
    <label class="field">order <select id="cell-order" aria-label="Order of the cells">
      <option value="id">by id</option><option value="stat">by statistic</option></select></label>
    <span id="cell-legend" class="cell-legend" aria-live="polite"></span>`;
  const $ = s => element.querySelector(s);
  const from = $('#zoom-from');
  const to = $('#zoom-to');
  const stat = $('#cell-stat');
  const order = $('#cell-order');
  const find = $('#find-filter');
  const error = $('#find-error');
  let optionsKey = '';

  $('#zoom-all').addEventListener('click', () => handlers.zoom(null));
  $('#zoom-go').addEventListener('click', () => {
    const ids = [...from.options].map(o => o.value);
    const [a, b] = [ids.indexOf(from.value), ids.indexOf(to.value)].sort((x, y) => x - y);
    handlers.zoom({ from: ids[a], to: ids[b] });
  });
  $('#find-form').addEventListener('submit', (e) => {
    e.preventDefault();
    error.textContent = handlers.find(find.value.trim()) ?? '';
  });
  find.addEventListener('input', () => { error.textContent = ''; });
  const restyle = () => { legend(); handlers.style({ stat: stat.value, order: order.value }); };
  stat.addEventListener('change', restyle);
  order.addEventListener('change', restyle);

  function legend() {
    const def = CELL_STATS[stat.value];
    const host = $('#cell-legend');
    if (def.categories) {
      host.innerHTML = Object.entries(def.categories)
        .map(([reason, c]) => `<span><i style="background:rgb(${c.join(',')})"></i>${reason}</span>`).join('');
      return;
    }
    const bar = def.signed ? divergingGradientCss()
      : `linear-gradient(to right, rgb(${sequential(0).join(',')}), rgb(${sequential(1).join(',')}))`;
    host.innerHTML = `<span>${def.low}</span><span class="legend-bar" style="background:${bar}"></span><span>${def.high}</span>`;
  }
  legend();

  return {
    style: () => ({ stat: stat.value, order: order.value }),
    /** Fills the layer choices when the layers change; marks the range shown. */
    render(state, layerIds, zoom, recommendations) {
      const key = layerIds.join('|');
      if (key !== optionsKey) {
        optionsKey = key;
        for (const select of [from, to]) select.replaceChildren(...layerIds.map(id => new Option(id, id)));
      }
      if (zoom) {
        from.value = zoom.from;
        to.value = zoom.to;
      } else if (!layerIds.includes(to.value) || to.selectedIndex <= 0) {
        to.selectedIndex = Math.max(0, layerIds.length - 1);
      }
      $('#zoom-all').disabled = !zoom;
      const rec = stat.querySelector('option[value=recommendation]');
      rec.disabled = !recommendations;
      rec.title = recommendations ? '' : 'The server has no recommendations (yet)';
    },
  };
}
