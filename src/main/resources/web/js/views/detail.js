// Detail panel for the selected filter: its weights (large), its activation map for the probe
// image (GET /api/activations), its live statistics (from the snapshot: one value per measure, with
// the window APoZ and Taylor are averaged over) and, when the server recommends removing it (GET
// /api/recommendations), the reason, the rule it met and which statistic is the evidence; a filter
// too new to judge says so. A button removes it, unless the engine or the layer refuses that (the
// panel then says why); an engine that computes no activation maps is not asked for one.

import { commands, COMMAND } from '../protocol.js';
import { unsupported, commandBlocked, gate, explain } from '../engine.js';
import { num, parameterLayers, recommendationIndex, REMOVAL_REASONS } from '../store.js';
import { drawFilter, paintMap, symmetricLimit, FILTER_SCALE_NOTE } from '../color.js';
import { filterLabel, layerLabelWithId } from '../labels.js';

export function createDetail(element, actions) {
  element.innerHTML = `
    <h2 class="panel-title">Filter</h2>
    <div id="detail-empty" class="muted">Click a node in the network to inspect a filter.</div>
    <div id="detail-body" hidden>
      <div class="detail-id" id="detail-id"></div>
      <div class="detail-figures">
        <figure><canvas id="detail-weights" class="big-canvas" width="5" height="5" aria-label="Filter weights"></canvas><figcaption id="detail-weights-caption">weights</figcaption></figure>
        <figure><canvas id="detail-activation" class="big-canvas" width="1" height="1" aria-label="Activation map for the probe image"></canvas><figcaption id="detail-act-caption">activation (probe)</figcaption></figure>
      </div>
      <section id="detail-rec" class="detail-rec" aria-labelledby="detail-rec-title" hidden>
        <h3 id="detail-rec-title" class="detail-rec-title"></h3>
        <p id="detail-rec-text" class="detail-rec-text"></p>
        <button class="btn btn-small" id="detail-twin" hidden></button>
      </section>
      <p id="detail-new" class="detail-new small" hidden></p>
      <dl class="stats-list" id="detail-stats"></dl>
      <p id="detail-window" class="muted small"></p>
      <div class="detail-buttons">
        <button class="btn" id="detail-remove">Remove this filter</button>
        <button class="btn" id="detail-clear">Clear selection</button>
      </div>
      <p class="unavailable-note small" id="detail-remove-unavailable" hidden></p>
      <div id="detail-error" class="field-error" role="alert"></div>
    </div>`;
  const $ = (s) => element.querySelector(s);
  const empty = $('#detail-empty');
  const body = $('#detail-body');
  const idBox = $('#detail-id');
  const weights = $('#detail-weights');
  const activation = $('#detail-activation');
  const actCaption = $('#detail-act-caption');
  const weightsCaption = $('#detail-weights-caption');
  const statsList = $('#detail-stats');
  const errorBox = $('#detail-error');
  const recBox = $('#detail-rec');
  const twinButton = $('#detail-twin');
  const newNote = $('#detail-new');
  const windowNote = $('#detail-window');
  let current = null;
  let activationKey = '';
  let activationFetchedAt = 0;
  let inFlight = false;

  $('#detail-remove').addEventListener('click', () => {
    if (current) actions.command(commands.removeFilters(current.layer, [current.filter]));
  });
  $('#detail-clear').addEventListener('click', () => actions.select(null));
  twinButton.addEventListener('click', () => {
    if (current && twinButton.dataset.twin) actions.select({ layer: current.layer, filter: twinButton.dataset.twin });
  });

  async function loadActivation(state, layerId, filterId) {
    const probe = state.snapshot?.probe;
    const mapsOff = unsupported(state, 'activation-maps');
    if (mapsOff) {
      activation.hidden = true;
      actCaption.textContent = `no activation map: ${mapsOff}`;
      return;
    }
    if (!probe || probe.index == null) {
      // maps are computed for validation images only: no stale map of the previous probe stays on show
      activation.hidden = true;
      actCaption.textContent = 'no activation map for an uploaded probe: pick a validation image under Input';
      return;
    }
    inFlight = true;
    try {
      const maps = await actions.fetchJson(`/api/activations?image=${probe.index}&layer=${encodeURIComponent(layerId)}`);
      const found = findMap(maps, filterId, state);
      if (!found) throw new Error(`no map for ${filterId}`);
      const { values, h, w } = found;
      if (activation.width !== w || activation.height !== h) { activation.width = w; activation.height = h; }
      const ctx = activation.getContext('2d');
      const image = ctx.createImageData(w, h);
      let min = Infinity;
      for (const v of values) min = Math.min(min, num(v));
      paintMap(image.data, values, 0, w * h, symmetricLimit(values), min < 0);
      ctx.putImageData(image, 0, 0);
      activation.hidden = false;
      actCaption.textContent = `activation · image #${probe.index} · ${h}×${w}`;
      errorBox.textContent = '';
    } catch (e) {
      actCaption.textContent = 'activation unavailable';
      errorBox.textContent = `Activation map: ${e.message}`;
    } finally {
      inFlight = false;
    }
  }

  /** The recommendation box: the reason and the rule it met (its numbers are the table's, marked as evidence). */
  function renderRecommendation(rec, step) {
    recBox.hidden = !rec;
    if (!rec) return;
    const reason = REMOVAL_REASONS[rec.reason];
    $('#detail-rec-title').textContent = `${reason?.glyph ?? '?'} Recommended for removal: ${reason?.label ?? rec.reason}`;
    $('#detail-rec-text').textContent = `${rec.detail || ''}${Number.isFinite(num(step)) ? ` (judged at step ${step})` : ''}.`;
    twinButton.hidden = !rec.twin;
    twinButton.dataset.twin = rec.twin || '';
    twinButton.textContent = rec.twin ? `Show its twin ${rec.twin}` : '';
  }

  /** "Too new to judge" for a filter the server has not judged yet, with what it waits for. */
  function renderTooNew(tooNew, evidence) {
    newNote.hidden = !tooNew;
    if (!tooNew) return;
    newNote.textContent = 'Too new to judge: a filter gets removal advice once it has trained for '
      + `${num(evidence?.minAgeSteps) || 'some'} steps and its statistics cover ${num(evidence?.minRounds) || 'several'} analysis rounds.`;
  }

  return {
    render(state) {
      const sel = state.selection;
      const layers = parameterLayers(state);
      const layer = sel ? layers.find(l => l.id === sel.layer) : null;
      const index = layer ? layer.filterIds.indexOf(sel.filter) : -1;
      const show = !!layer && index >= 0;
      empty.hidden = show;
      body.hidden = !show;
      if (!show) {
        if (sel && layers.length && !layer) empty.textContent = `${sel.filter} no longer exists.`;
        else empty.textContent = 'Click a node in the network to inspect a filter.';
        current = null;
        return;
      }
      current = { layer: layer.id, filter: sel.filter };
      idBox.textContent = `${filterLabel(state, sel.filter)}${layer.frozen ? ' · frozen' : ''}`;
      idBox.title = `id ${sel.filter}`;

      // weights
      const size = num(layer.thumbnailSize);
      const channels = num(layer.thumbnailChannels) || 1;
      const range = layer.kind === 'conv' && size > 0 && layer.thumbnails?.length
        ? drawFilter(weights, layer.thumbnails, index, size, channels) : null;
      weights.hidden = !range;
      weightsCaption.textContent = range ? `weights · ${fmt(range[0])} … ${fmt(range[1])}` : 'weights';
      weightsCaption.title = range ? `${FILTER_SCALE_NOTE}: the two ends of the colour scale` : '';

      const advice = recommendationIndex(state);
      const rec = advice.removals.get(sel.filter);
      renderRecommendation(rec, state.recommendations?.step);
      renderTooNew(!rec && advice.tooNew.has(sel.filter), advice.evidence);

      // [term, value, is the evidence of the recommendation]
      const rows = [
        ['layer', `${layerLabelWithId(state, layer.id)} (${layer.kind})`],
        ['jitter |∇w|', fmt(num(layer.jitter?.[index]))],
        ['activation Σ', fmt(num(layer.activation?.[index]))],
        ['on active path', layer.activePath?.[index] ? 'yes (top 50%)' : 'no'],
        ['L1 norm Σ|w|', fmt(num(layer.l1Norm?.[index]))],
        ['APoZ (dead if ≈ 1)', fmt(num(layer.apoz?.[index])), rec?.reason === 'dead'],
        ['Taylor (1 = layer mean)', fmt(num(layer.taylor?.[index])), rec?.reason === 'unimportant'],
        ...(layer.rgbMix?.length ? [['RGB mix', fmt(num(layer.rgbMix[index]))]] : []),
        ['layer update ratio', fmt(num(layer.updateRatio))],
        ['layer cluster index', fmt(num(layer.clusterIndex))],
      ];
      showTerms(d3.select(statsList), rows);
      windowNote.textContent = windowText(advice.window);
      const removeOff = commandBlocked(state, COMMAND.REMOVE_FILTERS, layer.id);
      gate($('#detail-remove'), removeOff, { disabled: layer.filterIds.length <= 1 || layer === layers[layers.length - 1] });
      explain($('#detail-remove-unavailable'), removeOff, 'It cannot be removed: ');

      // activation map: refetch when the selection or probe changes, and every 2 s while training
      const key = `${sel.filter}|${state.snapshot?.probe?.index}|${state.versions.architecture}|${state.versions.engine}`;
      const stale = state.snapshot?.state === 'running' && performance.now() - activationFetchedAt > 2000;
      if (!inFlight && (key !== activationKey || stale)) {
        activationKey = key;
        activationFetchedAt = performance.now();
        loadActivation(state, layer.id, sel.filter);
      }
    },
  };
}

/**
 * Fills a <dl> with one <div><dt>term</dt><dd>value</dd></div> per [term, value, evidence] row, keyed
 * by term; an evidence row is marked (class "evidence") as the one a recommendation rests on.
 */
function showTerms(list, rows) {
  list.selectAll('div').data(rows, r => r[0]).join(enter => {
    const div = enter.append('div');
    div.append('dt');
    div.append('dd');
    return div;
  }).call(div => {
    div.classed('evidence', r => !!r[2]).attr('title', r => r[2] ? 'the evidence for the recommendation' : null);
    div.select('dt').text(r => r[0]);
    div.select('dd').text(r => r[1]);
  });
}

/** Which window APoZ and Taylor are averaged over, as the server's recommendations answer says. */
function windowText(window) {
  const rounds = num(window?.rounds);
  const images = num(window?.images);
  const every = num(window?.everySteps);
  if (!(rounds > 0 && images > 0 && every > 0)) return 'APoZ and Taylor: mean over the last analysis rounds.';
  return `APoZ and Taylor: mean over the last ${rounds} analysis rounds of ${images} validation images`
    + ` (one round every ${every} steps). Jitter: recent steps; L1: now.`;
}

/** Finds one filter's map in an /api/activations answer ({height, width, filters: [{id, values}]}). */
function findMap(maps, filterId, state) {
  if (!maps) return null;
  const list = maps.filters || maps.maps || [];
  let item = list.find?.(m => (m.id ?? m.filter ?? m.filterId) === filterId);
  if (!item) return null;
  const values = item.values || item.map || item.data || item;
  let h = num(item.height ?? maps.height);
  let w = num(item.width ?? maps.width);
  if (!(h > 0 && w > 0)) { h = w = Math.round(Math.sqrt(values.length)); }
  return { values, h, w };
}

function fmt(v) {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(4);
}
