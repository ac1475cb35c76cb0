// t-SNE view (paper fig. 5): one panel per conv/dense layer (following architecture changes) with
// the 2-D embedding of its filters by weights, gradients, activations or activation gradients
// (radio buttons), smooth transitions between updates, hover for the id and the filter's statistics,
// click to select the filter in the network view; filters the server recommends removing have a
// dashed ring; plus an image map coloured by class. Each filter is drawn as its own thumbnail, as
// in the Network view (RGB for a first conv layer; a dense unit as its activation swatch), so that
// clusters of similar filters show; or, by choice, as a dot coloured by one of its statistics. The
// panels share the view: the grid picks the number of columns that gives each map the most room.
// An engine that makes no image map is not asked for one: its panel says why.

import { TSNE_KINDS } from '../protocol.js';
import { num, parameterLayers, recommendationIndex } from '../store.js';
import { classColor, drawFilter, divergingCss, symmetricLimit, FILTER_SCALE_NOTE } from '../color.js';
import { layerLabel } from '../labels.js';
import { unsupported } from '../engine.js';

const REFRESH_MS = 5000;
const THUMBNAILS_EVERY_MS = 1000;
const KIND_LABELS = { weights: 'Filter weights', gradients: 'Filter gradients', activations: 'Activation maps',
  'activation-gradients': 'Activation gradients' };
/** How a filter is drawn: its thumbnail, or a dot coloured by a statistic of the snapshot (field name). */
const DRAW_AS = { thumbnail: 'its weights (thumbnail)', l1Norm: 'colour: L1 norm Σ|w|', apoz: 'colour: APoZ',
  taylor: 'colour: Taylor importance', jitter: 'colour: |∇w| (jitter)' };
/** The map's design size (a panel's SVG keeps this aspect at least) and the grid's smallest cell. */
const MAP_W = 300;
const MAP_H = 220;
const GRID_GAP = 12;
const PANEL_CHROME = 44; // header and padding of a panel above and below its map
const MIN_ROW = 200;

export function createTsne(element, actions) {
  element.innerHTML = `
    <div class="tsne-side">
      <fieldset class="radio-list">
        <legend>Embed filters by</legend>
        ${TSNE_KINDS.map((k, i) => `<label><input type="radio" name="tsne-kind" value="${k}" ${i === 0 ? 'checked' : ''}> ${KIND_LABELS[k]}</label>`).join('')}
      </fieldset>
      <label class="field stacked" for="tsne-draw">Draw each filter as
        <select id="tsne-draw">${Object.entries(DRAW_AS).map(([k, v]) => `<option value="${k}">${v}</option>`).join('')}</select>
      </label>
      <p class="muted small" id="tsne-draw-note"></p>
      <p class="muted small">Each point is one filter; nearby points have similar vectors. A tight cluster suggests
        redundant filters; an even spread, diverse ones. Click a point to select that filter in the Network view.</p>
      <div id="tsne-status" class="form-status" role="status"></div>
    </div>
    <div class="tsne-panels" id="tsne-panels"></div>
    <div class="tooltip" id="tsne-tooltip" role="tooltip" hidden></div>`;
  const panelsHost = d3.select(element).select('#tsne-panels');
  const status = element.querySelector('#tsne-status');
  const tooltip = element.querySelector('#tsne-tooltip');
  const drawNote = element.querySelector('#tsne-draw-note');
  let kind = TSNE_KINDS[0];
  let drawAs = 'thumbnail';
  let visible = false;
  let lastState = null;
  const results = new Map(); // panel key -> {status: 'ok'|'missing'|'unavailable'|'error'|'loading', data, message, fetchedAt}
  const inFlight = new Set();
  let timer = null;
  let panelKeys = '';

  element.querySelectorAll('input[name=tsne-kind]').forEach(input => input.addEventListener('change', () => {
    kind = input.value;
    refreshAll(true);
  }));
  element.querySelector('#tsne-draw').addEventListener('change', (e) => {
    drawAs = e.target.value;
    actions.requestRender();
  });

  // ---- the grid: as many columns as give each map the largest scale in the space there is ----
  let gridFor = '';
  function fitGrid(count) {
    const host = panelsHost.node();
    const width = host.clientWidth;
    const height = host.clientHeight;
    const key = `${count}|${width}|${height}`;
    if (key === gridFor || !width || !height) return;
    gridFor = key;
    let best = { columns: 1, row: MIN_ROW, scale: -1 };
    for (let columns = 1; columns <= count; columns++) {
      const rows = Math.ceil(count / columns);
      const cellW = (width - GRID_GAP * (columns - 1)) / columns;
      const row = Math.max(MIN_ROW, Math.floor((height - GRID_GAP * (rows - 1)) / rows));
      const scale = Math.min(cellW / MAP_W, (row - PANEL_CHROME) / MAP_H);
      if (scale > best.scale) best = { columns, row, scale };
    }
    host.style.gridTemplateColumns = `repeat(${best.columns}, minmax(0, 1fr))`;
    host.style.gridAutoRows = `${best.row}px`;
  }
  new ResizeObserver(() => { gridFor = ''; actions.requestRender(); }).observe(panelsHost.node());

  // ---- thumbnails as image URLs, per layer, redrawn at most once a second ----
  const scratch = document.createElement('canvas');
  const thumbnailCache = new Map(); // layer id -> {at, structure, urls: Map filter id -> data URL}
  function thumbnailUrls(layer) {
    const size = num(layer.thumbnailSize);
    const channels = num(layer.thumbnailChannels) || 1;
    const structure = `${layer.filterIds.join(',')}|${size}|${channels}`;
    const cached = thumbnailCache.get(layer.id);
    if (cached && cached.structure === structure && performance.now() - cached.at < THUMBNAILS_EVERY_MS) return cached.urls;
    const urls = new Map();
    layer.filterIds.forEach((id, index) => {
      if (drawFilter(scratch, layer.thumbnails || [], index, size, channels)) urls.set(id, scratch.toDataURL());
    });
    thumbnailCache.set(layer.id, { at: performance.now(), structure, urls });
    return urls;
  }

  /**
   * How to paint the points of one layer: {urls} (thumbnail images by filter id), or {fill(id)} for
   * dots with a legend {lo, hi, label} when they show a statistic.
   */
  function pointStyle(layer) {
    if (!layer) return { fill: () => null };
    const index = new Map(layer.filterIds.map((id, i) => [id, i]));
    if (drawAs === 'thumbnail') {
      if (layer.kind === 'conv' && num(layer.thumbnailSize) > 0 && layer.thumbnails?.length) return { urls: thumbnailUrls(layer) };
      const act = layer.activation || [];
      const limit = symmetricLimit(act);
      return { fill: id => divergingCss(num(act[index.get(id)]), limit) };
    }
    const values = layer[drawAs] || [];
    const finite = layer.filterIds.map((id, i) => num(values[i])).filter(Number.isFinite);
    const lo = finite.length ? Math.min(...finite) : 0;
    const hi = finite.length ? Math.max(...finite) : 0;
    return {
      fill: (id) => {
        const v = num(values[index.get(id)]);
        return Number.isFinite(v) ? d3.interpolateViridis(hi > lo ? (v - lo) / (hi - lo) : 0.5) : '#bbb';
      },
      legend: { lo, hi, label: DRAW_AS[drawAs].replace('colour: ', ''), count: finite.length },
    };
  }

  function panelsFor(state) {
    const layers = parameterLayers(state).map(l => ({ key: `layer:${l.id}`, layer: l.id, title: layerLabel(state, l.id),
      filters: l.filterIds.length }));
    layers.push({ key: 'images', layer: null, title: 'Images (validation) by class' });
    return layers;
  }

  let endpointMissingAt = 0; // when the server last said 404: then ask again only every 30 s

  async function load(panel) {
    const url = panel.layer ? `/api/tsne?layer=${encodeURIComponent(panel.layer)}&kind=${kind}` : '/api/tsne/images';
    const resultKey = panel.layer ? `${panel.key}|${kind}` : panel.key;
    if (inFlight.has(resultKey)) return;
    const imageMapOff = panel.layer ? null : unsupported(lastState, 'image-map');
    if (imageMapOff) {
      results.set(resultKey, { status: 'unavailable', message: imageMapOff, fetchedAt: Date.now() });
      return;
    }
    if (panel.layer && endpointMissingAt && Date.now() - endpointMissingAt < 30000) {
      results.set(resultKey, { status: 'missing', fetchedAt: endpointMissingAt });
      return;
    }
    inFlight.add(resultKey);
    const previous = results.get(resultKey);
    if (!previous) results.set(resultKey, { status: 'loading' });
    try {
      const data = await actions.fetchJson(url);
      if (panel.layer) endpointMissingAt = 0;
      results.set(resultKey, { status: 'ok', data, fetchedAt: Date.now() });
    } catch (e) {
      if (e.status === 404 && panel.layer) endpointMissingAt = Date.now();
      results.set(resultKey, e.status === 404
        ? { status: 'missing', message: 't-SNE is not available yet on this server', fetchedAt: Date.now() }
        : { status: 'error', message: e.message, fetchedAt: Date.now(), data: previous?.data });
    } finally {
      inFlight.delete(resultKey);
      actions.requestRender();
    }
  }

  function refreshAll(force) {
    if (!lastState?.engine || !visible) return; // nothing is asked before the hello says which engine runs
    if (force) endpointMissingAt = 0;
    const panels = panelsFor(lastState).filter(panel => {
      const r = results.get(panel.layer ? `${panel.key}|${kind}` : panel.key);
      // once an endpoint says 404, ask again only when forced or every 30 s
      return force || !(r?.status === 'missing' && Date.now() - r.fetchedAt < 30000);
    });
    // one at a time, so that a server without t-SNE answers one 404, not one per layer
    (async () => { for (const panel of panels) await load(panel); })();
    actions.requestRender();
  }

  /** The hover text of a filter: its id, live statistics and any removal recommendation. */
  function filterTip(state, layerId, filterId) {
    const layer = parameterLayers(state).find(l => l.id === layerId);
    const i = layer ? layer.filterIds.indexOf(filterId) : -1;
    const lines = [filterId];
    if (i >= 0) {
      const stats = [['L1', layer.l1Norm], ['APoZ', layer.apoz], ['Taylor', layer.taylor], ['|∇w|', layer.jitter]]
        .map(([name, values]) => [name, num(values?.[i])]).filter(([, v]) => Number.isFinite(v))
        .map(([name, v]) => `${name}\u00a0${fmt(v)}`);
      if (stats.length) lines.push(stats.join(' · '));
    }
    const rec = recommendationIndex(state).removals.get(filterId);
    if (rec) lines.push(`recommended for removal: ${rec.reason}${rec.twin ? ` (twin of ${rec.twin})` : ''}`);
    return lines.join('\n');
  }

  function showTip(event, text) {
    tooltip.hidden = false;
    tooltip.textContent = text;
    const box = element.getBoundingClientRect();
    tooltip.style.left = `${event.clientX - box.left + 12}px`;
    tooltip.style.top = `${event.clientY - box.top + 12}px`;
  }

  function render(state) {
    const first = !lastState?.engine && !!state.engine;
    lastState = state;
    if (first) refreshAll(true);
    const panels = panelsFor(state);
    fitGrid(panels.length);
    const layersById = new Map(parameterLayers(state).map(l => [l.id, l]));
    const classNames = state.dataset?.classNames || [];
    const selection = state.selection;
    const removals = recommendationIndex(state).removals;
    drawNote.textContent = drawAs === 'thumbnail'
      ? `Conv filters as in the Network view: RGB for the first layer, blue − · white 0 · red + deeper; ${FILTER_SCALE_NOTE}.`
        + ' Dense units as their activation for the probe.'
      : 'Colour: viridis from the lowest (dark) to the highest (yellow) value within each layer; grey = not measured yet.';
    const groups = panelsHost.selectAll('section.tsne-panel').data(panels, p => p.key).join(enter => {
      const sec = enter.append('section').attr('class', p => `tsne-panel card${p.layer ? '' : ' tsne-images'}`)
        .attr('data-panel', p => p.layer || 'images').attr('aria-label', p => `t-SNE of ${p.title}`);
      const head = sec.append('header').attr('class', 'card-head');
      head.append('h3');
      head.append('span').attr('class', 'cluster-index');
      const svg = sec.append('svg').attr('class', 'tsne-svg').attr('viewBox', `0 0 ${MAP_W} ${MAP_H}`)
        .attr('preserveAspectRatio', 'xMidYMid meet');
      svg.append('g').attr('class', 'thumbs');
      svg.append('g').attr('class', 'dots');
      sec.append('div').attr('class', 'panel-message');
      sec.append('div').attr('class', 'legend-classes');
      return sec;
    }, update => update, exit => exit.remove());
    // layers added or removed, or another branch shown (a hello: docs/PROTOCOL.md "Fork"): fetch afresh
    const keys = `${panels.map(p => p.key).join()}|${state.versions.hello}`;
    if (keys !== panelKeys) {
      const changed = panelKeys !== '';
      panelKeys = keys;
      if (changed) refreshAll(false);
    }

    let missing = 0;
    groups.each(function (p) {
      const sec = d3.select(this);
      const r = results.get(p.layer ? `${p.key}|${kind}` : p.key) || { status: 'loading' };
      if (r.status === 'missing') missing++;
      sec.attr('aria-label', `t-SNE of ${p.title}`);
      sec.select('h3').text(p.layer ? `${p.title} · ${KIND_LABELS[kind].toLowerCase()}` : p.title)
        .attr('title', p.layer && p.title !== p.layer ? `layer id ${p.layer}` : null);
      const ci = r.data?.clusterIndex;
      sec.select('.cluster-index').text(ci == null || !Number.isFinite(num(ci)) ? '' : `cluster index ${num(ci).toFixed(2)}`)
        .attr('title', 'How clustered the filters are (higher: more redundant)');
      const message = r.status === 'missing' ? 'Not available yet: this server has no t-SNE endpoint.'
        : r.status === 'unavailable' ? `Not available: ${r.message}`
        : r.status === 'loading' ? 'Computing…' : r.status === 'error' ? `Could not load: ${r.message}` : '';
      sec.select('.panel-message').text(message).classed('error', r.status === 'error').attr('hidden', message ? null : true);
      sec.classed('unavailable', r.status === 'missing' || r.status === 'unavailable');
      // the map fills its panel: the view box is the SVG's own size (at least the design size's aspect)
      const svg = sec.select('svg.tsne-svg');
      const box = svg.node().getBoundingClientRect();
      const w = Math.max(MAP_W, Math.round(box.width) || MAP_W);
      const h = Math.max(120, Math.round(box.height) || MAP_H);
      if (svg.attr('viewBox') !== `0 0 ${w} ${h}`) svg.attr('viewBox', `0 0 ${w} ${h}`);
      // while another kind's map is computed, the previous one stays and then moves to the new one
      const data = r.data || (r.status === 'loading' ? this.drawnData : null);
      const points = (data?.points || []).filter(d => Number.isFinite(num(d.x)) && Number.isFinite(num(d.y)));
      const style = p.layer ? pointStyle(layersById.get(p.layer)) : null;
      // thumbnails: ~1/3 of the room per point, 14..44 px
      const side = Math.round(Math.max(14, Math.min(44, Math.sqrt(w * h / Math.max(1, points.length)) / 3)));
      const pad = style?.urls ? side * 0.75 + 2 : 14;
      const x = d3.scaleLinear().domain(padded(d3.extent(points, d => num(d.x)))).range([pad, w - pad]);
      const y = d3.scaleLinear().domain(padded(d3.extent(points, d => num(d.y)))).range([h - pad, pad]);
      // move the points only when a new map arrived: restarting the transition at every render (10 Hz) would stall it
      // (sizes are set outright: a transition of them interrupted by the next map would leave points small)
      const changed = this.drawnData !== data || this.drawnSize !== `${w}x${h}|${side}|${!!style?.urls}`;
      const moved = this.drawnData !== data;
      this.drawnData = data;
      this.drawnSize = `${w}x${h}|${side}|${!!style?.urls}`;
      this.dataset.kind = p.layer ? (data?.kind ?? '') : 'images';
      this.dataset.drawAs = p.layer ? (style.urls ? 'thumbnail' : drawAs) : '';
      const t = moved ? d3.transition().duration(700).ease(d3.easeCubicInOut) : null;
      /** Puts existing points where the map says: gliding to a new map, at once after a resize. */
      function place(update, xName, xOf, yName, yOf) {
        if (moved) update.transition(t).attr(xName, xOf).attr(yName, yOf);
        else if (changed) update.attr(xName, xOf).attr(yName, yOf);
        return update;
      }
      const thumbs = sec.select('g.thumbs').selectAll('image').data(style?.urls ? points : [], d => d.id);
      thumbs.join(
        enter => enter.append('image').attr('class', 'filter-thumb').attr('pointer-events', 'none')
          .attr('preserveAspectRatio', 'none').style('image-rendering', 'pixelated')
          .attr('x', d => x(num(d.x)) - side / 2).attr('y', d => y(num(d.y)) - side / 2),
        update => place(update, 'x', d => x(num(d.x)) - side / 2, 'y', d => y(num(d.y)) - side / 2),
        exit => exit.remove(),
      )
        .attr('width', side).attr('height', side)
        .attr('data-id', d => d.id)
        .attr('href', d => style.urls.get(d.id) ?? null);
      const dots = sec.select('g.dots').selectAll('circle').data(points, d => p.layer ? d.id : d.index);
      dots.join(
        enter => enter.append('circle').attr('cx', d => x(num(d.x))).attr('cy', d => y(num(d.y))),
        update => place(update, 'cx', d => x(num(d.x)), 'cy', d => y(num(d.y))),
        exit => exit.remove(),
      )
        // over a thumbnail the circle is its click target and ring (a transparent fill still takes the pointer)
        .attr('r', d => !p.layer ? 2.6 : style.urls ? side * 0.72 : Math.max(5, side * 0.3) + (removals.has(d.id) ? 1 : 0))
        .attr('class', p.layer ? 'filter-dot' : 'image-dot')
        .attr('fill', d => p.layer ? null : classColor(num(d.label)))
        .style('fill', d => !p.layer ? null : style.urls ? 'transparent' : style.fill(d.id))
        .classed('framed', !!p.layer)
        .classed('selected', d => p.layer && selection?.filter === d.id)
        .classed('recommended', d => p.layer && removals.has(d.id))
        .attr('data-id', d => p.layer ? d.id : null)
        .attr('tabindex', p.layer ? 0 : null)
        .attr('role', p.layer ? 'button' : null)
        .attr('aria-label', d => p.layer ? `${d.id}${removals.has(d.id) ? `, recommended for removal: ${removals.get(d.id).reason}` : ''}` : null)
        .on('mouseenter', (e, d) => showTip(e, p.layer ? filterTip(lastState, p.layer, d.id)
          : `image #${d.index} · ${classNames[num(d.label)] ?? d.label}`))
        .on('mouseleave', () => { tooltip.hidden = true; })
        .on('focus', (e, d) => { if (p.layer) showTip(focusPoint(e.currentTarget), filterTip(lastState, p.layer, d.id)); })
        .on('blur', () => { tooltip.hidden = true; })
        .on('click', (e, d) => {
          if (!p.layer) return;
          actions.select({ layer: p.layer, filter: d.id });
          actions.toast(`Selected ${d.id}: see the Network view`, 'info');
        })
        .on('keydown', (e, d) => {
          if (p.layer && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); actions.select({ layer: p.layer, filter: d.id }); }
        });
      const legend = sec.select('.legend-classes');
      if (!p.layer) {
        legend.selectAll('span').data(classNames).join('span')
          .html('').call(s => s.append('i').style('background', (c, i) => classColor(i)))
          .call(s => s.append('b').text(c => c));
      } else {
        const l = style.legend;
        legend.selectAll('span').data(l && l.count ? [l] : []).join('span').attr('class', 'stat-legend')
          .html('').call(s => s.append('b').text(d => `${d.label} ${fmt(d.lo)}`))
          .call(s => s.append('i').attr('class', 'stat-bar').style('background',
            `linear-gradient(to right, ${d3.range(0, 1.01, 0.25).map(v => d3.interpolateViridis(v)).join(', ')})`))
          .call(s => s.append('b').text(d => fmt(d.hi)));
      }
    });
    status.textContent = missing ? 't-SNE is not available yet on this server.' : '';
    status.dataset.kind = missing ? 'warn' : '';
  }

  return {
    render,
    setVisible(on) {
      visible = on;
      if (on) {
        refreshAll(false);
        if (!timer) timer = setInterval(() => refreshAll(false), REFRESH_MS);
      } else if (timer) {
        clearInterval(timer);
        timer = null;
      }
    },
  };
}

/** A pointer-like position at the right of an element, for a tooltip shown on keyboard focus. */
function focusPoint(el) {
  const box = el.getBoundingClientRect();
  return { clientX: box.right, clientY: box.top };
}

function fmt(v) {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(+v.toPrecision(3));
}

function padded([a, b]) {
  if (a == null || b == null) return [0, 1];
  if (a === b) return [a - 1, b + 1];
  const m = (b - a) * 0.04;
  return [a - m, b + m];
}
