// t-SNE view (paper fig. 5): one panel per conv/dense layer (following architecture changes) with
// the 2-D embedding of its filters by weights, gradients, activations or activation gradients
// (radio buttons), smooth transitions between updates, hover for the id and the filter's statistics,
// click to select the filter in the network view; filters the server recommends removing have a
// dashed ring; plus an image map coloured by class.

import { TSNE_KINDS } from '../protocol.js';
import { num, parameterLayers, recommendationIndex } from '../store.js';
import { classColor } from '../color.js';

const REFRESH_MS = 5000;
const KIND_LABELS = { weights: 'Filter weights', gradients: 'Filter gradients', activations: 'Activation maps',
  'activation-gradients': 'Activation gradients' };

export function createTsne(element, actions) {
  element.innerHTML = `
    <div class="tsne-side">
      <fieldset class="radio-list">
        <legend>Embed filters by</legend>
        ${TSNE_KINDS.map((k, i) => `<label><input type="radio" name="tsne-kind" value="${k}" ${i === 0 ? 'checked' : ''}> ${KIND_LABELS[k]}</label>`).join('')}
      </fieldset>
      <p class="muted small">Each dot is one filter; nearby dots have similar vectors. A tight cluster suggests
        redundant filters; an even spread, diverse ones. Click a dot to select that filter in the Network view.</p>
      <div id="tsne-status" class="form-status" role="status"></div>
    </div>
    <div class="tsne-panels" id="tsne-panels"></div>
    <div class="tooltip" id="tsne-tooltip" role="tooltip" hidden></div>`;
  const panelsHost = d3.select(element).select('#tsne-panels');
  const status = element.querySelector('#tsne-status');
  const tooltip = element.querySelector('#tsne-tooltip');
  let kind = TSNE_KINDS[0];
  let visible = false;
  let lastState = null;
  const results = new Map(); // panel key -> {status: 'ok'|'missing'|'error'|'loading', data, message, fetchedAt}
  const inFlight = new Set();
  let timer = null;
  let panelKeys = '';

  element.querySelectorAll('input[name=tsne-kind]').forEach(input => input.addEventListener('change', () => {
    kind = input.value;
    refreshAll(true);
  }));

  function panelsFor(state) {
    const layers = parameterLayers(state).map(l => ({ key: `layer:${l.id}`, layer: l.id, title: l.id, filters: l.filterIds.length }));
    layers.push({ key: 'images', layer: null, title: 'Images (validation) by class' });
    return layers;
  }

  let endpointMissingAt = 0; // when the server last said 404: then ask again only every 30 s

  async function load(panel) {
    const url = panel.layer ? `/api/tsne?layer=${encodeURIComponent(panel.layer)}&kind=${kind}` : '/api/tsne/images';
    const resultKey = panel.layer ? `${panel.key}|${kind}` : panel.key;
    if (inFlight.has(resultKey)) return;
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
    if (!lastState || !visible) return;
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
    const first = !lastState;
    lastState = state;
    if (first) refreshAll(true);
    const panels = panelsFor(state);
    const classNames = state.dataset?.classNames || [];
    const selection = state.selection;
    const removals = recommendationIndex(state).removals;
    const groups = panelsHost.selectAll('section.tsne-panel').data(panels, p => p.key).join(enter => {
      const sec = enter.append('section').attr('class', p => `tsne-panel card${p.layer ? '' : ' tsne-images'}`)
        .attr('data-panel', p => p.layer || 'images').attr('aria-label', p => `t-SNE of ${p.title}`);
      const head = sec.append('header').attr('class', 'card-head');
      head.append('h3');
      head.append('span').attr('class', 'cluster-index');
      sec.append('svg').attr('class', 'tsne-svg').attr('viewBox', '0 0 300 220').attr('preserveAspectRatio', 'xMidYMid meet')
        .append('g').attr('class', 'dots');
      sec.append('div').attr('class', 'panel-message');
      sec.append('div').attr('class', 'legend-classes');
      return sec;
    }, update => update, exit => exit.remove());
    // new layers appear: fetch them
    // layers added or removed: fetch the new panels
    const keys = panels.map(p => p.key).join();
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
      sec.select('h3').text(p.layer ? `${p.title} · ${KIND_LABELS[kind].toLowerCase()}` : p.title);
      const ci = r.data?.clusterIndex;
      sec.select('.cluster-index').text(ci == null || !Number.isFinite(num(ci)) ? '' : `cluster index ${num(ci).toFixed(2)}`)
        .attr('title', 'How clustered the filters are (higher: more redundant)');
      const message = r.status === 'missing' ? 'Not available yet: this server has no t-SNE endpoint.'
        : r.status === 'loading' ? 'Computing…' : r.status === 'error' ? `Could not load: ${r.message}` : '';
      sec.select('.panel-message').text(message).classed('error', r.status === 'error').attr('hidden', message ? null : true);
      sec.classed('unavailable', r.status === 'missing');
      // while another kind's map is computed, the previous one stays and then moves to the new one
      const data = r.data || (r.status === 'loading' ? this.drawnData : null);
      const points = (data?.points || []).filter(d => Number.isFinite(num(d.x)) && Number.isFinite(num(d.y)));
      const x = d3.scaleLinear().domain(padded(d3.extent(points, d => num(d.x)))).range([14, 286]);
      const y = d3.scaleLinear().domain(padded(d3.extent(points, d => num(d.y)))).range([206, 14]);
      const dots = sec.select('g.dots').selectAll('circle').data(points, d => p.layer ? d.id : d.index);
      // move the dots only when a new map arrived: restarting the transition at every render (10 Hz) would stall it
      // (the radius is set outright: a transition of it interrupted by the next map would leave dots small)
      const changed = this.drawnData !== data;
      this.drawnData = data;
      this.dataset.kind = p.layer ? (data?.kind ?? '') : 'images';
      const t = changed ? d3.transition().duration(700).ease(d3.easeCubicInOut) : null;
      dots.join(
        enter => enter.append('circle').attr('cx', d => x(num(d.x))).attr('cy', d => y(num(d.y))),
        update => changed ? update.call(u => u.transition(t).attr('cx', d => x(num(d.x))).attr('cy', d => y(num(d.y)))) : update,
        exit => exit.remove(),
      )
        .attr('r', d => p.layer ? (removals.has(d.id) ? 6 : 5) : 2.6)
        .attr('class', p.layer ? 'filter-dot' : 'image-dot')
        .attr('fill', d => p.layer ? null : classColor(num(d.label)))
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
      if (!p.layer) {
        sec.select('.legend-classes').selectAll('span').data(classNames).join('span')
          .html('').call(s => s.append('i').style('background', (c, i) => classColor(i)))
          .call(s => s.append('b').text(c => c));
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
