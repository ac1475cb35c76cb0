// Layer panel (paper figs. 1 and 2): every filter's weights of one layer at a readable size (RGB
// for a first conv layer, the diverging scale centred on 0 deeper, each filter scaled to its own
// range, as the nodes) and every filter's activation map for the probe image, captioned with
// filter ids. Opened from a layer's title in the Network view; clicking a tile selects that
// filter. Weights redraw when the structure changes and at most once a second; maps come from
// /api/activations when the layer, the probe or the structure changes, and at most every few
// seconds while training. Tiles of filters the server recommends removing are outlined, those too
// new to judge captioned "new"; one button removes all the layer's recommended filters as one
// remove-filters command (one change, one undo step). What the engine cannot do for this layer
// (an attached run's refusals, maps it does not compute) is listed with the reason.

import { commands, COMMAND } from '../protocol.js';
import { unsupported, mayRequest, refusals, commandBlocked, gate, explain } from '../engine.js';
import { num, parameterLayers, recommendationIndex } from '../store.js';
import { drawFilter, paintMap, symmetricLimit, divergingGradientCss, FILTER_SCALE_NOTE } from '../color.js';
import { layerLabelWithId } from '../labels.js';

const WEIGHTS_EVERY_MS = 1000;
/** What each refused command would have done, as the refusal list says it. */
const REFUSED_WORDS = { [COMMAND.ADD_FILTERS]: 'No filters can be added', [COMMAND.REMOVE_FILTERS]: 'No filters can be removed',
  [COMMAND.INSERT_LAYER]: 'No layer can be inserted after it', [COMMAND.REMOVE_LAYER]: 'It cannot be removed',
  [COMMAND.FREEZE]: 'It cannot be frozen', [COMMAND.UNFREEZE]: 'It cannot be unfrozen' };
const MAPS_EVERY_MS = 3000;

export function createLayerPanel(element, actions) {
  element.innerHTML = `
    <header class="layer-panel-head">
      <h2 class="panel-title" id="layer-panel-title">Layer</h2>
      <button class="btn btn-icon" id="layer-panel-close" aria-label="Close the layer panel" title="Close">×</button>
    </header>
    <div class="muted small" id="layer-panel-sub"></div>
    <ul class="unavailable-note layer-refused small" id="layer-refused" aria-label="Changes this layer cannot take" hidden></ul>
    <div class="layer-advice small" id="layer-advice">
      <button class="btn btn-small" id="layer-remove-recommended" disabled>Remove recommended</button>
      <span class="muted" id="layer-advice-note"></span>
    </div>
    <div class="layer-empty muted" id="layer-panel-gone" hidden></div>
    <div id="layer-panel-body">
      <h3 class="sub-title">Weights <span class="muted small" id="layer-weights-note"></span></h3>
      <div class="tile-grid weights" id="layer-weights" role="group" aria-label="Filter weights"></div>
      <h3 class="sub-title">Activation maps <span class="muted small" id="layer-maps-note"></span></h3>
      <div class="map-legend small muted" id="layer-maps-legend"><span class="legend-label" id="layer-maps-min"></span><span class="legend-bar"></span><span class="legend-label" id="layer-maps-max"></span></div>
      <div class="unavailable-note" id="layer-maps-unavailable" hidden></div>
      <div class="probe-note" id="layer-maps-upload" hidden>The probe is an uploaded image: the server computes activation maps
        for validation images only. Pick a validation image under <b>Input</b> to see this layer's maps.</div>
      <div class="tile-grid maps" id="layer-maps" role="group" aria-label="Activation maps"></div>
      <div id="layer-error" class="field-error" role="alert"></div>
    </div>`;
  const $ = (s) => element.querySelector(s);
  const title = $('#layer-panel-title');
  const sub = $('#layer-panel-sub');
  const gone = $('#layer-panel-gone');
  const body = $('#layer-panel-body');
  const weightsHost = d3.select($('#layer-weights'));
  const mapsHost = d3.select($('#layer-maps'));
  const weightsNote = $('#layer-weights-note');
  const mapsNote = $('#layer-maps-note');
  const mapsLegend = $('#layer-maps-legend');
  const uploadNote = $('#layer-maps-upload');
  const errorBox = $('#layer-error');
  element.querySelector('.legend-bar').style.background = divergingGradientCss();
  $('#layer-panel-close').addEventListener('click', () => actions.showLayer(null));
  const removeRecommended = $('#layer-remove-recommended');
  const adviceNote = $('#layer-advice-note');
  let recommended = []; // the shown layer's recommended filter ids, in the server's order
  removeRecommended.addEventListener('click', () => {
    if (currentLayer && recommended.length) actions.command(commands.removeFilters(currentLayer, recommended));
  });

  let weightsKey = '';
  let weightsAt = 0;
  let weightsSnapshot = -1;
  let maps = null; // the last /api/activations answer drawn: {layer, image, byId: Map, limit, signed, h, w}
  let mapsKey = '';
  let mapsAt = 0;
  let mapsStep = null;
  let mapsDrawn = null;
  let mapsDrawnIds = '';
  let inFlight = false;

  async function loadMaps(layerId, image, key, step) {
    inFlight = true;
    mapsKey = key;
    mapsAt = performance.now();
    mapsStep = step;
    try {
      const answer = await actions.fetchJson(`/api/activations?image=${image}&layer=${encodeURIComponent(layerId)}`);
      const list = answer?.filters || [];
      let limit = 0;
      let min = Infinity;
      for (const f of list) {
        limit = Math.max(limit, symmetricLimit(f.values));
        min = Math.min(min, num(f.min));
      }
      maps = { layer: layerId, image, key, byId: new Map(list.map(f => [f.id, f.values])), limit: limit || 1e-12,
        signed: !(min >= 0), h: num(answer.height) || 1, w: num(answer.width) || 1 };
      errorBox.textContent = '';
    } catch (e) {
      errorBox.textContent = `Activation maps: ${e.message}`;
    } finally {
      inFlight = false;
      actions.requestRender();
    }
  }

  function tiles(host, filterIds, selection, cls, advice) {
    return host.selectAll('button.tile').data(filterIds, id => id).join(enter => {
      const b = enter.append('button').attr('class', `tile ${cls}`).attr('data-id', id => id)
        .on('click', (e, id) => actions.select({ layer: currentLayer, filter: id }));
      b.append('canvas').attr('width', 1).attr('height', 1);
      b.append('span').attr('class', 'tile-caption');
      return b;
    })
      .attr('title', id => id)
      .attr('aria-label', id => `${id} ${cls === 'map' ? 'activation map' : 'weights'}: select this filter`)
      .attr('aria-pressed', id => String(selection?.filter === id))
      .classed('selected', id => selection?.filter === id)
      .classed('recommended', id => advice.removals.has(id))
      .classed('too-new', id => advice.tooNew.has(id))
      .call(b => b.select('.tile-caption').text(id => shortId(id)));
  }

  /** The layer's recommended removals on the button; the count of filters too new to judge beside it. */
  function renderAdvice(state, layerId, ids, advice) {
    recommended = [...advice.removals.values()].filter(r => r.layer === layerId).map(r => r.filter);
    const fresh = ids.filter(id => advice.tooNew.has(id)).length;
    const adviceOff = unsupported(state, 'recommendations');
    gate(removeRecommended, adviceOff ?? commandBlocked(state, COMMAND.REMOVE_FILTERS, layerId), {
      disabled: recommended.length === 0,
      title: recommended.length ? `Remove ${recommended.join(', ')} in one step (one Undo brings them back)`
        : 'The server recommends no filter of this layer for removal',
    });
    removeRecommended.textContent = recommended.length ? `Remove ${recommended.length} recommended` : 'Remove recommended';
    adviceNote.textContent = adviceOff ? '' : [recommended.length ? recommended.map(shortId).join(', ') : 'none recommended',
      fresh ? `${fresh} too new to judge` : ''].filter(Boolean).join(' · ');
  }

  /** The changes this layer refuses (an attached run's rules), each with the reason. */
  function renderRefusals(state, layerId) {
    const list = refusals(state, layerId);
    const box = $('#layer-refused');
    box.hidden = list.length === 0;
    d3.select(box).selectAll('li').data(list, ([type]) => type).join('li')
      .attr('data-command', ([type]) => type)
      .text(([type, reason]) => `${REFUSED_WORDS[type] ?? type}: ${reason}`);
  }

  let currentLayer = null;

  function render(state) {
    const layerId = state.layerPanel;
    element.hidden = !layerId;
    if (!layerId) {
      currentLayer = null;
      return;
    }
    const layers = parameterLayers(state);
    const layer = layers.find(l => l.id === layerId);
    title.textContent = `Layer ${layerLabelWithId(state, layerId)}`;
    if (!layer) {
      gone.hidden = false;
      body.hidden = true;
      sub.textContent = '';
      gone.textContent = layers.length ? `${layerLabelWithId(state, layerId)} no longer exists.` : 'Waiting for the network…';
      currentLayer = null;
      return;
    }
    gone.hidden = true;
    body.hidden = false;
    currentLayer = layerId;
    const ids = layer.filterIds;
    const kernel = num(layer.thumbnailSize);
    const channels = num(layer.thumbnailChannels) || 1;
    sub.textContent = `${ids.length} ${layer.kind === 'conv' ? `filters · ${kernel}×${kernel}` : 'units'}`
      + (layer.frozen ? ' · frozen' : '') + ' · click one to inspect it';
    const selection = state.selection;
    const now = performance.now();
    const advice = recommendationIndex(state);
    renderAdvice(state, layerId, ids, advice);
    renderRefusals(state, layerId);

    // ---- weights: on a structure change at once, else at most once a second ----
    const weightTiles = tiles(weightsHost, layer.kind === 'conv' ? ids : [], selection, 'weights', advice);
    const hasWeights = layer.kind === 'conv' && kernel > 0 && layer.thumbnails?.length;
    weightsNote.textContent = layer.kind !== 'conv' ? '(dense units: no spatial weights)'
      : !hasWeights ? '(no thumbnails of these weights from the engine)'
      : channels === 3 ? `(RGB: the 3 input channels; ${FILTER_SCALE_NOTE})`
      : `(mean over input channels; blue − · white 0 · red +; ${FILTER_SCALE_NOTE})`;
    const structure = `${layerId}|${ids.join(',')}|${kernel}|${channels}`;
    const snapVersion = state.versions.snapshot;
    if (hasWeights && (structure !== weightsKey || (snapVersion !== weightsSnapshot && now - weightsAt > WEIGHTS_EVERY_MS))) {
      weightsKey = structure;
      weightsAt = now;
      weightsSnapshot = snapVersion;
      weightTiles.select('canvas').each(function (id) { drawFilter(this, layer.thumbnails, ids.indexOf(id), kernel, channels); });
    }

    // ---- activation maps for the probe (validation images only; none from an engine that does not compute them) ----
    const mapsOff = unsupported(state, 'activation-maps');
    explain($('#layer-maps-unavailable'), mapsOff, 'Not available: ');
    const probe = state.snapshot?.probe;
    const uploaded = !mapsOff && !!probe && probe.index == null;
    uploadNote.hidden = !uploaded;
    mapsHost.style('display', uploaded || mapsOff ? 'none' : null);
    mapsLegend.hidden = uploaded || !!mapsOff || !maps;
    if (uploaded || mapsOff) {
      mapsNote.textContent = uploaded ? '(uploaded probe)' : '';
      return;
    }
    const inArchitecture = (state.architecture?.layers || []).some(l => l.id === layerId);
    const step = num(state.snapshot?.step);
    if (probe && inArchitecture && !inFlight && mayRequest(state, 'activation-maps')) {
      const key = `${layerId}|${probe.index}|${state.versions.architecture}`;
      const running = state.snapshot?.state === 'running';
      if (key !== mapsKey || (running && step !== mapsStep && now - mapsAt > MAPS_EVERY_MS)) {
        loadMaps(layerId, probe.index, key, step);
      }
    }
    const current = maps && maps.layer === layerId ? maps : null;
    mapsNote.textContent = current ? `(image #${current.image} · ${current.h}×${current.w})`
      : inFlight ? '(loading…)' : '';
    const mapTiles = tiles(mapsHost, ids, selection, 'map', advice);
    if (current && (mapsDrawn !== current || mapsDrawnIds !== structure)) {
      mapsDrawn = current;
      mapsDrawnIds = structure;
      $('#layer-maps-min').textContent = current.signed ? `−${fmt(current.limit)}` : '0';
      $('#layer-maps-max').textContent = `+${fmt(current.limit)}`;
      mapsLegend.querySelector('.legend-bar').style.background = current.signed ? divergingGradientCss()
        : 'linear-gradient(to right, #fff, rgb(40,30,110))';
      mapTiles.select('canvas').each(function (id) {
        const values = current.byId.get(id);
        const { h, w } = current;
        if (this.width !== w || this.height !== h) { this.width = w; this.height = h; }
        const ctx = this.getContext('2d');
        if (!values) { ctx.clearRect(0, 0, w, h); return; }
        const image = ctx.createImageData(w, h);
        paintMap(image.data, values, 0, w * h, current.limit, current.signed);
        ctx.putImageData(image, 0, 0);
      });
      mapTiles.classed('missing', id => !current.byId.has(id));
    }
  }

  return { render };
}

function shortId(id) {
  const i = String(id).lastIndexOf('/');
  return i >= 0 ? id.slice(i + 1) : id;
}

function fmt(v) {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-2 || a >= 1e4) ? v.toExponential(1) : v.toPrecision(3);
}
