// Network view (paper fig. 3): one column per conv/dense layer, each filter a node showing its
// weights (RGB for a first conv layer, the diverging scale deeper). A node is a still button of at
// least MIN_NODE px (the click target); only the drawing inside it jitters, with amplitude from the
// live gradient magnitude (a CSS transform written in a requestAnimationFrame loop, no layout
// reads). Each layer's nodes are one tab stop (roving tabindex: arrow keys move between them,
// Enter selects); paths between consecutive layers are as wide as the source filter's activation
// for the probe image, top half only. A layer's title opens its panel (views/layer.js); layer
// headers hold +, −, freeze and remove; a toolbar inserts layers; the left column picks or
// uploads the probe image. Parameter-free layers (pool, relu, dropout, batchnorm, flatten, other)
// are named in the subtitle of the conv layer before them. For an attached run a line above names
// the engine; while no run is attached a panel says so, with the two lines of Python that connect
// one; actions the engine or a layer refuses are disabled with the reason (engine.js).
// A network too big for a node per filter (network-layout.js) shows its big layers as cells on one
// canvas each (network-cells.js), with a second toolbar (network-viewbar.js) to zoom into a range of
// layers, find a filter and choose what the cells show; a narrow column's title zooms into its layer.

import { commands, COMMAND, GROW_INITS, INSERT_INITS, identityWidth } from '../protocol.js';
import { num, parameterLayers, splitSize, recommendationIndex, REMOVAL_REASONS } from '../store.js';
import { drawFilter, symmetricLimit, divergingCss, divergingGradientCss, FILTER_SCALE_NOTE } from '../color.js';
import { layerLabel, layerLabelWithId } from '../labels.js';
import { createEngineBanner } from './engine-banner.js';
import { isExternalEngine, runlessState, commandBlocked, gate, explain } from '../engine.js';
import { computeLayout } from './network-layout.js';
import { createCells, wobble } from './network-cells.js';
import { createViewBar } from './network-viewbar.js';
import { createSkips, SKIP_STRIP } from './network-skips.js';
import { flatLayers, skipsOf } from '../architecture.js';

const MAX_EDGES_PER_SIDE = 24;
/**
 * In the overview of a big network the bundles' widths follow the probe's activation at most every
 * this many ms (2 Hz): each change re-lays out and re-rasters the paths' SVG, the costliest part of
 * a snapshot there. The latest snapshot's widths are drawn at most this late; a new layout at once.
 */
const OVERVIEW_EDGES_MS = 500;
/** How long a zoom in or out takes to settle (ms). */
const ZOOM_MS = 260;

export function createNetwork(element, actions) {
  element.innerHTML = `
    <div class="engine-banner" id="engine-banner"></div>
    <div class="toolbar network-toolbar">
      <label class="field">New filters
        <select id="grow-init" aria-label="Initialisation of added filters">${GROW_INITS.map(i => `<option>${i}</option>`).join('')}</select>
      </label>
      <span class="sep"></span>
      <form id="insert-form" class="inline-form" aria-label="Insert a layer">
        <label class="field">Insert after <select id="insert-after" aria-label="Insert after layer"></select></label>
        <label class="field"><select id="insert-kind" aria-label="Kind of layer to insert"><option value="conv">conv</option><option value="dense">dense</option></select></label>
        <label class="field"><span id="insert-size-label">filters</span> <input id="insert-size" type="number" min="1" max="512" value="8" aria-label="Filters or units of the new layer"></label>
        <label class="field conv-only">kernel <input id="insert-kernel" type="number" min="1" max="11" step="2" value="3" aria-label="Kernel size of the new conv layer"></label>
        <label class="field conv-only"><input id="insert-pool" type="checkbox" aria-label="Add a pooling layer"> pool</label>
        <label class="field">init <select id="insert-init" aria-label="Initialisation of the new layer">${INSERT_INITS.map(i => `<option>${i}</option>`).join('')}</select></label>
        <button class="btn" type="submit" id="insert-btn">Insert layer</button>
      </form>
      <span class="sep"></span>
      <button class="btn" id="net-undo" title="Undo the last structural change">↶ Undo</button>
    </div>
    <div class="toolbar network-viewbar" id="network-viewbar" aria-label="Layers shown and cells" hidden></div>
    <div class="network-canvas" id="network-canvas">
      <svg class="network-paths" aria-hidden="true"><g class="edges"></g></svg>
      <div class="probe-panel" id="probe-panel">
        <div class="col-title">Input</div>
        <div class="probe-figure"><img id="probe-img" alt="Probe image" width="96" height="96"><div id="probe-caption" class="caption">–</div></div>
        <form id="probe-form" class="probe-form">
          <label class="field">Validation image
            <span class="row"><input id="probe-index" type="number" min="0" value="0" aria-label="Validation image index for the probe">
            <button class="btn btn-small" type="submit">Use</button></span>
          </label>
        </form>
        <label class="field">Or upload
          <input id="probe-file" type="file" accept="image/*" aria-label="Upload a probe image">
        </label>
        <label class="field">labelled as <select id="probe-label" aria-label="Class label of the uploaded image"></select></label>
        <div id="probe-error" class="field-error" role="alert"></div>
        <div id="probe-unavailable" class="unavailable-note small" hidden></div>
      </div>
      <div class="network-layers"></div>
      <svg class="network-skips" aria-hidden="true"><defs><marker id="skip-arrow" viewBox="0 0 8 8" refX="6" refY="4"
        markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L8,4L0,8z"/></marker></defs></svg>
      <span class="legend" aria-hidden="true"><span>weights <span class="legend-label">−</span><span class="legend-bar"></span><span class="legend-label">+</span> (${FILTER_SCALE_NOTE})</span>
        <span>· path width = probe activation (top 50%)</span><span>· jitter = |∇w|</span>
        <span class="legend-rec">· <span class="rec-swatch"></span> remove?
          <b class="rec-glyph">${REMOVAL_REASONS.dead.glyph}</b> dead <b class="rec-glyph">${REMOVAL_REASONS.redundant.glyph}</b> redundant
          <b class="rec-glyph">${REMOVAL_REASONS.unimportant.glyph}</b> unimportant <b class="freeze-glyph">!</b> freeze?</span>
        <span class="legend-skip" hidden>· skip <svg width="24" height="10"><path class="skip-line" d="M2,1C2,9 22,9 22,1"/></svg> identity
          <svg width="24" height="10"><path class="skip-line projection" d="M2,1C2,9 22,9 22,1"/></svg> 1×1 projection</span></span>
      <div class="network-empty" hidden>Waiting for the network…</div>
    </div>`;

  const $ = (s) => element.querySelector(s);
  const canvasArea = $('#network-canvas');
  const svg = d3.select(element).select('svg.network-paths');
  const edgeGroup = svg.select('g.edges');
  const skipSvg = $('svg.network-skips');
  const skipArcs = createSkips(skipSvg);
  const layersHost = d3.select(element).select('.network-layers');
  const emptyNote = $('.network-empty');
  const growInit = $('#grow-init');
  const insertForm = $('#insert-form');
  const insertAfter = $('#insert-after');
  const insertKind = $('#insert-kind');
  const insertSize = $('#insert-size');
  const probeImg = $('#probe-img');
  const probeCaption = $('#probe-caption');
  const probeIndex = $('#probe-index');
  const probeFile = $('#probe-file');
  const probeLabel = $('#probe-label');
  const probeError = $('#probe-error');
  const banner = createEngineBanner($('#engine-banner'));
  element.querySelector('.legend-bar').style.background = divergingGradientCss();

  let width = 0;
  let height = 0;
  let visible = true;
  let lastState = null;
  let layoutKey = '';
  let layouts = 0; // layouts computed so far
  let headsKey = ''; // what the layer headers were last drawn from (headsKeyOf)
  let layout = null; // {columns: [{id, x, nodes: [{id, x, y, size}]}]}
  const jitterNodes = new Map(); // node id -> {el, px, py, fx, fy, amp, target}
  const layerRef = new Map(); // layer id -> running reference jitter
  const drawnPaths = new WeakMap(); // path element -> its [d, stroke-width, stroke-opacity]
  let lastStep = null;
  let edgesAt = -Infinity; // when the paths were last drawn (performance.now())
  let edgesLater = 0; // the timer that draws the overview's paths that a snapshot was not drawn with
  let lastStepChange = 0;
  let serverRunning = false;
  let labelsFor = '';
  let shownProbe = '';
  const focusedNode = new Map(); // layer id -> id of its node that takes the layer's one tab stop
  let insertOptionsKey = '';
  let zoom = null; // {from, to}: ids of the first and last layer shown as nodes; null: every layer
  let zoomMotion = null; // a zoom to play once the new layout is drawn: {zoomingIn, x (old layout), range}
  let revealId = null; // a filter the search found, scrolled into view once drawn
  let cellStyle = { stat: 'jitter', order: 'id' };
  const cells = createCells((layerId, filterId) => actions.select({ layer: layerId, filter: filterId }),
    layerId => zoomTo({ from: layerId, to: layerId }));
  const viewBarElement = $('#network-viewbar');
  const viewBar = createViewBar(viewBarElement, {
    zoom: range => zoomTo(range),
    find: text => find(text),
    style: (style) => { cellStyle = style; tellNeeds(); actions.requestRender(); },
  });

  new ResizeObserver((entries) => {
    for (const e of entries) {
      width = e.contentRect.width;
      height = e.contentRect.height;
    }
    layoutKey = '';
    actions.requestRender();
  }).observe(canvasArea);

  // ---- controls ----
  insertKind.addEventListener('change', () => {
    const conv = insertKind.value === 'conv';
    $('#insert-size-label').textContent = conv ? 'filters' : 'units';
    element.querySelectorAll('.conv-only').forEach(e => { e.hidden = !conv; });
    fitIdentity();
  });
  // an identity block must keep its input's width (and cannot pool): the form sets what it needs
  const insertInit = $('#insert-init');
  const insertPool = $('#insert-pool');
  function fitIdentity() {
    const identity = insertInit.value === 'identity';
    insertPool.disabled = identity;
    if (!identity) return;
    insertPool.checked = false;
    const width = identityWidth(lastState?.architecture, insertAfter.value, insertKind.value);
    if (width) insertSize.value = String(width);
  }
  insertInit.addEventListener('change', fitIdentity);
  insertAfter.addEventListener('change', fitIdentity);
  insertForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const size = Number(insertSize.value);
    if (!Number.isInteger(size) || size < 1 || size > 512) {
      actions.toast('The new layer needs a whole number of filters/units in 1..512', 'error');
      return;
    }
    const after = insertAfter.value;
    const init = insertInit.value;
    if (insertKind.value === 'conv') {
      const kernel = Number($('#insert-kernel').value);
      if (!Number.isInteger(kernel) || kernel < 1 || kernel > 11) {
        actions.toast('Kernel size must be a whole number in 1..11', 'error');
        return;
      }
      actions.command(commands.insertConv(after, size, kernel, insertPool.checked, init));
    } else {
      actions.command(commands.insertDense(after, size, init));
    }
  });
  $('#net-undo').addEventListener('click', () => actions.command(commands.undo()));

  $('#probe-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const count = splitSize(lastState?.dataset, 'validation');
    const v = Number(probeIndex.value);
    if (probeIndex.value.trim() === '' || !Number.isInteger(v) || v < 0 || (Number.isFinite(count) && v >= count)) {
      probeError.textContent = `Pick a whole number in 0..${Number.isFinite(count) ? count - 1 : '…'}`;
      return;
    }
    probeError.textContent = '';
    actions.command(commands.probeImage(v));
  });
  probeFile.addEventListener('change', async () => {
    const file = probeFile.files?.[0];
    if (!file) return;
    probeError.textContent = '';
    try {
      const shape = lastState?.architecture?.input || lastState?.dataset?.shape;
      const { base64, dataUrl } = await imageToPixels(file, shape);
      const label = probeLabel.value === '' ? undefined : Number(probeLabel.value);
      const id = actions.command(commands.probePixels(base64, label));
      if (id) probeImg.src = dataUrl;
    } catch (err) {
      probeError.textContent = err.message;
    }
    probeFile.value = '';
  });

  /** Asks for the detail (thumbnails) of the layers drawn as nodes and the statistic the cells show. */
  function tellNeeds() {
    actions.networkNeeds?.({ layers: (layout?.columns || []).filter(c => !c.cells).map(c => c.id), stat: cellStyle.stat });
  }

  // ---- zoom and search ----
  /** Shows layers range.from..range.to (ids) as nodes, or every layer (null); the change is animated. */
  function zoomTo(range) {
    zoomMotion = { zoomingIn: !!range, x: range ? centreOf(layout, range) : null, range: zoom };
    zoom = range;
    layoutKey = '';
    canvasArea.scrollLeft = 0;
    actions.requestRender();
  }

  /** The mean x of the columns of layers range.from..range.to shown in `at`, else the middle of the view. */
  function centreOf(at, range) {
    const ids = parameterLayers(lastState).map(l => l.id);
    const [a, b] = [ids.indexOf(range.from), ids.indexOf(range.to)];
    const xs = (at?.columns || []).filter(c => { const i = ids.indexOf(c.id); return i >= a && i <= b; }).map(c => c.x);
    return xs.length ? xs.reduce((p, q) => p + q, 0) / xs.length : width / 2;
  }

  /**
   * The zoom as a CSS transform from where the range was (zooming in: the new picture grows out of
   * it) or to where it now is (zooming out: the old range shrinks into its place), ZOOM_MS long.
   */
  function playZoom({ zoomingIn, x, range }) {
    const originX = zoomingIn ? x : range ? centreOf(layout, range) : width / 2;
    for (const el of [svg.node(), layersHost.node(), skipSvg]) {
      el.style.transition = 'none';
      el.style.transformOrigin = `${originX}px 50%`;
      el.style.transform = `scale(${zoomingIn ? 0.35 : 2.5})`;
      el.style.opacity = '0.2';
      el.getBoundingClientRect(); // the start takes effect before the transition is set
      el.style.transition = `transform ${ZOOM_MS}ms ease-out, opacity ${ZOOM_MS}ms ease-out`;
      el.style.transform = '';
      el.style.opacity = '';
    }
  }

  /** Selects the filter whose id is `text` (any case), zooming to its layer unless it is drawn as a node; else says why not. */
  function find(text) {
    if (!text) return 'Type a filter id, e.g. conv1/f0';
    const wanted = text.toLowerCase();
    for (const layer of parameterLayers(lastState)) {
      const id = layer.filterIds.find(f => f.toLowerCase() === wanted);
      if (!id) continue;
      const col = layout?.columns.find(c => c.id === layer.id);
      if (!col || col.cells) zoomTo({ from: layer.id, to: layer.id });
      revealId = id;
      actions.select({ layer: layer.id, filter: id });
      return null;
    }
    return `No filter ${text} in this network`;
  }

  // ---- jitter animation: transforms only ----
  let rafId = 0;
  let lastFrame = 0;
  function animate(now) {
    rafId = 0;
    if (!visible) return;
    const t = now / 1000;
    // time-based easing, so that slow frames settle as fast as quick ones (~0.1 s time constant)
    const ease = 1 - Math.exp(-Math.min(0.5, Math.max(0, now - lastFrame) / 1000) / 0.1);
    lastFrame = now;
    // still unless the server says running and the step advanced in the last 1.5 s
    const training = serverRunning && now - lastStepChange < 1500;
    for (const n of jitterNodes.values()) {
      const target = training ? n.maxAmp * (n.norm || 0) : 0;
      n.amp += (target - n.amp) * ease;
      if (n.amp < 0.03) {
        if (n.still) continue;
        n.amp = 0;
        n.still = true;
        n.el.style.transform = 'translate(0px, 0px)';
        continue;
      }
      n.still = false;
      const dx = n.amp * (0.65 * Math.sin(t * n.fx + n.px) + 0.35 * Math.sin(t * n.fx * 1.7 + n.py));
      const dy = n.amp * (0.65 * Math.cos(t * n.fy + n.py) + 0.35 * Math.sin(t * n.fy * 1.3 + n.px));
      n.el.style.transform = `translate(${dx.toFixed(2)}px, ${dy.toFixed(2)}px)`;
    }
    cells.frame(t, ease, training);
    rafId = requestAnimationFrame(animate);
  }
  function startAnimation() {
    if (!rafId && visible) rafId = requestAnimationFrame(animate);
  }

  /**
   * Draws the state, keeping keyboard focus in the view: a control that a render hides, disables or
   * removes (a recommendation badge, "−" once no filter is selected) would otherwise drop focus to
   * the top of the page. Focus then goes to its layer's tab-stop node.
   */
  function render(state) {
    const focused = element.contains(document.activeElement) ? document.activeElement : null;
    draw(state);
    if (focused && !canHoldFocus(focused)) {
      const stop = focused.closest('.layer-col')?.querySelector('button.node[tabindex="0"]')
        ?? element.querySelector('button.node[tabindex="0"]');
      stop?.focus({ preventScroll: true });
    }
  }

  function canHoldFocus(control) {
    return control.isConnected && !control.disabled && !control.closest('[hidden]') && control.getClientRects().length > 0;
  }

  function draw(state) {
    lastState = state;
    banner.render(state);
    renderSteering(state);
    const layers = parameterLayers(state);
    emptyNote.hidden = layers.length > 0 || !!runlessState(state); // the banner says what the network waits for
    if (!width || !height) return;
    const classNames = state.dataset?.classNames || [];

    // ---- layout, recomputed only when the structure, the size or the zoom changes ----
    const ids = layers.map(l => l.id);
    if (zoom && !(ids.includes(zoom.from) && ids.includes(zoom.to))) zoom = null; // a zoomed layer was removed
    const skips = skipsOf(state.architecture);
    const key = `${width}x${height}|${zoom ? `${zoom.from}..${zoom.to}` : ''}|${skips.length ? 'skips' : ''}|`
      + layers.map(l => `${l.id}:${joinedIds(l.filterIds)}`).join('|');
    const relaid = key !== layoutKey;
    if (relaid) {
      layoutKey = key;
      layouts++;
      layout = computeLayout(layers, width, height, classNames.length > 0,
        zoom && { from: ids.indexOf(zoom.from), to: ids.indexOf(zoom.to) }, skips.length ? SKIP_STRIP : 0);
      // wider than the view: the paths and columns span the whole layout, which scrolls sideways
      const wide = layout.width > width ? `${Math.ceil(layout.width)}px` : null;
      canvasArea.classList.toggle('wide', !!wide);
      canvasArea.dataset.zoom = zoom ? `${zoom.from}..${zoom.to}` : '';
      svg.style('width', wide);
      layersHost.style('width', wide);
      skipSvg.style.width = wide ?? '';
      $('.legend-skip').hidden = !skips.length;
      viewBarElement.hidden = !(layout.scaled || zoom);
      tellNeeds();
    }
    if (!viewBarElement.hidden) viewBar.render(state, ids, zoom, !!state.recommendations);
    const colById = new Map(layout.columns.map(c => [c.id, c]));
    const shownLayers = layers.filter(l => colById.has(l.id));
    const selection = state.selection;

    // ---- layer columns (headers + nodes), keyed by layer id ----
    const lastLayerId = layers.length ? layers[layers.length - 1].id : null;
    const pendingLayers = new Set([...state.pending.values()].map(p => p.payload?.layer || p.payload?.after).filter(Boolean));
    const cols = layersHost.selectAll('div.layer-col').data(shownLayers, d => d.id).join(
      enter => {
        const col = enter.append('div').attr('class', 'layer-col').attr('data-layer', d => d.id);
        const head = col.append('div').attr('class', 'layer-head');
        head.append('button').attr('class', 'layer-title')
          .on('click', (e, d) => {
            // a narrow or context column's title zooms into its layer; a full one's opens the layer's panel
            const col = layout?.columns.find(c => c.id === d.id);
            if (col?.narrow || col?.context) zoomTo({ from: d.id, to: d.id });
            else actions.showLayer(lastState?.layerPanel === d.id ? null : d.id);
          });
        head.append('div').attr('class', 'layer-sub');
        const bar = head.append('div').attr('class', 'layer-buttons').attr('role', 'group')
          .attr('aria-label', d => `Layer ${d.id}`);
        bar.append('button').attr('class', 'btn btn-icon add-filter').text('+')
          .on('click', (e, d) => actions.command(commands.addFilters(d.id, 1, growInit.value)));
        bar.append('button').attr('class', 'btn btn-icon remove-filter').text('−')
          .on('click', (e, d) => {
            const sel = lastState?.selection;
            if (sel && sel.layer === d.id) actions.command(commands.removeFilters(d.id, [sel.filter]));
          });
        bar.append('button').attr('class', 'btn btn-icon freeze').text('❄')
          .on('click', (e, d) => {
            const layer = parameterLayers(lastState).find(l => l.id === d.id);
            actions.command(layer?.frozen ? commands.unfreeze(d.id) : commands.freeze(d.id));
          });
        bar.append('button').attr('class', 'freeze-hint').text('!')
          .on('click', (e, d) => {
            const hint = recommendationIndex(lastState).freeze.get(d.id);
            if (hint) actions.toast(`Freeze ${d.id}? ${hint.detail}`, 'info');
          });
        bar.append('button').attr('class', 'btn btn-icon remove-layer').text('×')
          .on('click', (e, d) => actions.command(commands.removeLayer(d.id)));
        return col;
      });
    // the headers change with the structure, the engine, the selection, commands and advice, not with a snapshot's numbers
    const heads = headsKeyOf(state, layers, pendingLayers);
    if (heads !== headsKey || relaid) {
      headsKey = heads;
      drawHeads(cols, state, colById, pendingLayers, lastLayerId, selection);
    }

    const probs = state.snapshot?.probe?.probabilities || [];
    const advice = recommendationIndex(state);
    const probeLabelIndex = state.snapshot?.probe?.label;
    cols.each(function (layer) {
      const col = colById.get(layer.id);
      // jitter amplitudes, normalised by the layer's running maximum
      const jit = layer.jitter || [];
      let max = 0;
      for (const v of jit) if (Number.isFinite(num(v))) max = Math.max(max, num(v));
      const ref = Math.max(max, (layerRef.get(layer.id) || 0) * 0.998);
      layerRef.set(layer.id, ref);
      if (col.cells) {
        cells.update(this, layer, col.cells, state, { ...cellStyle, ref, label: layerLabelWithId(state, layer.id) });
        if (!this.querySelector('button.node')) return; // no nodes to draw or take away
      }
      const isOutput = layer.id === lastLayerId && layer.kind === 'dense';
      const nodes = d3.select(this).selectAll('button.node').data(col.nodes, n => n.id).join(
        enter => {
          const b = enter.append('button').attr('class', 'node').attr('data-id', n => n.id)
            .on('click', (e, n) => actions.select({ layer: layer.id, filter: n.id }))
            .on('focus', (e, n) => { focusedNode.set(layer.id, n.id); })
            .on('keydown', (e, n) => moveFocus(e, layer.id, n));
          b.append('span').attr('class', 'node-face');
          return b;
        },
        update => update,
        exit => exit.each(function (n) { jitterNodes.delete(n.id); }).remove());
      const stop = tabStop(layer.id, col.nodes, selection); // the layer's one tab stop, found once per render
      nodes.style('left', n => `${n.x}px`).style('top', n => `${n.y}px`)
        .style('width', n => `${n.size}px`).style('height', n => `${n.size}px`)
        .classed('selected', n => selection?.filter === n.id)
        .classed('inactive', (n) => !layer.activePath?.[n.index])
        .classed('recommended', n => advice.removals.has(n.id))
        .attr('data-recommended', n => advice.removals.get(n.id)?.reason ?? null)
        .attr('aria-label', n => (isOutput && classNames[n.index] ? `${n.id} (${classNames[n.index]})` : n.id)
          + (advice.removals.has(n.id) ? `, recommended for removal: ${removalText(advice.removals.get(n.id))}` : ''))
        .attr('title', n => advice.removals.has(n.id) ? `${n.id}: remove? ${removalText(advice.removals.get(n.id))}` : null)
        .attr('aria-pressed', n => String(selection?.filter === n.id))
        .attr('tabindex', n => (n.id === stop ? 0 : -1));
      nodes.selectAll('span.rec-badge').data(n => advice.removals.has(n.id) ? [advice.removals.get(n.id)] : [])
        .join('span').attr('class', 'rec-badge').attr('aria-hidden', 'true')
        .each(function (r) { setText(this, REMOVAL_REASONS[r.reason]?.glyph ?? '?'); });
      // a conv filter shows its weights; a unit, or a filter whose weights the engine sends no thumbnail of, its activation
      const thumbnails = layer.kind === 'conv' && num(layer.thumbnailSize) > 0 && layer.thumbnails?.length > 0;
      nodes.select('.node-face').selectAll('canvas.thumb').data(thumbnails ? [0] : []).join('canvas').attr('class', 'thumb');
      nodes.select('.node-face').selectAll('span.swatch').data(thumbnails ? [] : [0]).join('span').attr('class', 'swatch');
      if (thumbnails) drawThumbnails(nodes, layer);
      else drawSwatches(nodes, layer);
      if (isOutput) {
        nodes.selectAll('span.class-label').data(n => [n]).join('span').attr('class', 'class-label')
          .classed('truth', n => n.index === probeLabelIndex)
          .each(function (n) { setText(this, classNames[n.index] ?? n.id); });
        nodes.selectAll('span.prob').data(n => [n]).join('span').attr('class', 'prob')
          .style('width', n => `${Math.max(0, Math.min(1, num(probs[n.index]) || 0)) * 64}px`)
          .attr('title', n => `p = ${(num(probs[n.index]) || 0).toFixed(3)}`);
      }
      nodes.each(function (n) {
        let j = jitterNodes.get(n.id);
        const face = this.querySelector('.node-face');
        if (!j || j.el !== face) {
          j = { el: face, ...wobble(n.id), amp: 0, still: false };
          jitterNodes.set(n.id, j);
        }
        j.maxAmp = Math.max(1.2, Math.min(4, n.size * 0.14));
        const v = num(jit[n.index]);
        j.norm = ref > 0 && Number.isFinite(v) ? Math.sqrt(Math.max(0, v) / ref) : 0;
      });
    });

    cells.keep(new Set(layout.columns.filter(c => c.cells).map(c => c.id)));
    cells.select(selection?.filter ?? null);
    if (relaid) {
      // nodes of columns no longer shown went with their column
      for (const [id, j] of jitterNodes) if (!j.el.isConnected) jitterNodes.delete(id);
    }
    if (revealId) {
      layersHost.select(`button.node[data-id='${CSS.escape(revealId)}']`).node()?.scrollIntoView({ block: 'nearest', inline: 'center' });
      revealId = null;
    }
    if (zoomMotion && relaid) {
      playZoom(zoomMotion);
      zoomMotion = null;
    }

    // training = the step advanced within the last second and the server says running
    const step = num(state.snapshot?.step);
    const now = performance.now();
    if (step !== lastStep) { lastStep = step; lastStepChange = now; }
    serverRunning = state.snapshot?.state === 'running' && state.connection === 'open';
    startAnimation();

    clearTimeout(edgesLater);
    const wait = relaid || !layout.scaled ? 0 : edgesAt + OVERVIEW_EDGES_MS - now;
    if (wait <= 0) {
      edgesAt = now;
      drawEdges(shownLayers, colById, state);
    } else {
      edgesLater = setTimeout(() => actions.requestRender(), wait);
    }
    skipArcs.draw(skips, layout, ids, colById, id => layerLabel(state, id), `${layoutKey}|${state.versions.architecture}`);
    renderProbe(state);
  }

  /** The layer headers: titles, subtitles, the buttons (gated by the engine and the layer) and the freeze advice. */
  function drawHeads(cols, state, colById, pendingLayers, lastLayerId, selection) {
    const zooms = d => colById.get(d.id).narrow || colById.get(d.id).context;
    cols.classed('frozen', d => !!d.frozen).classed('pending', d => pendingLayers.has(d.id))
      .classed('narrow', d => colById.get(d.id).narrow).classed('context', d => colById.get(d.id).context)
      .attr('data-mode', d => (colById.get(d.id).cells ? 'cells' : 'nodes'));
    cols.select('.layer-head')
      .style('left', d => `${colById.get(d.id).x - colById.get(d.id).headWidth / 2}px`)
      .style('width', d => `${colById.get(d.id).headWidth}px`);
    cols.select('.layer-title').text(d => layerLabel(state, d.id) + (d.frozen ? ' ❄' : ''))
      .classed('open', d => state.layerPanel === d.id)
      .attr('aria-pressed', d => (zooms(d) ? null : String(state.layerPanel === d.id)))
      .attr('title', d => (zooms(d) ? `Zoom into ${layerLabelWithId(state, d.id)} (${subtitle(d, state)})`
        : `${state.layerPanel === d.id ? 'Close the panel of' : 'Show every filter and activation map of'} ${layerLabelWithId(state, d.id)}`));
    cols.select('.layer-sub').text(d => subtitle(d, state));
    // each button: [class, its command, off anyway, title, label]; disabled with the reason when the engine or the layer refuses the command
    const name = d => layerLabelWithId(state, d.id);
    const buttons = [
      ['.add-filter', () => COMMAND.ADD_FILTERS, d => d.id === lastLayerId || state.connection !== 'open',
        d => `Add a ${growInit.value} filter to ${name(d)}`, d => `Add a filter to ${name(d)}`],
      ['.remove-filter', () => COMMAND.REMOVE_FILTERS, d => d.id === lastLayerId || selection?.layer !== d.id || d.filterIds.length <= 1,
        d => (selection?.layer === d.id ? `Remove ${selection.filter}` : 'Select a filter of this layer first'),
        d => `Remove the selected filter from ${name(d)}`],
      ['.freeze', d => (d.frozen ? COMMAND.UNFREEZE : COMMAND.FREEZE), () => false,
        d => (d.frozen ? `Unfreeze ${name(d)}` : `Freeze ${name(d)} (stop updating its weights)`),
        d => `${d.frozen ? 'Unfreeze' : 'Freeze'} ${name(d)}`],
      ['.remove-layer', () => COMMAND.REMOVE_LAYER, d => d.id === lastLayerId, d => `Remove layer ${name(d)}`, d => `Remove layer ${name(d)}`],
    ];
    for (const [cls, type, off, title, label] of buttons) {
      cols.select(cls).attr('aria-label', label)
        .each(function (d) { gate(this, commandBlocked(state, type(d), d.id), { disabled: off(d), title: title(d) }); });
    }
    cols.select('.freeze').attr('aria-pressed', d => String(!!d.frozen));
    const advice = recommendationIndex(state);
    cols.select('.freeze-hint')
      .attr('hidden', d => advice.freeze.has(d.id) && !d.frozen ? null : true)
      .attr('aria-label', d => advice.freeze.has(d.id)
        ? `Freezing ${layerLabelWithId(state, d.id)} is suggested: ${advice.freeze.get(d.id).detail}` : null)
      .attr('title', d => advice.freeze.has(d.id) ? `Freeze suggested (${advice.freeze.get(d.id).reason}): ${advice.freeze.get(d.id).detail}` : null);
  }

  /** Everything the layer headers are drawn from, as one string (drawHeads runs again only when it changes). */
  function headsKeyOf(state, layers, pendingLayers) {
    const freeze = recommendationIndex(state).freeze;
    return JSON.stringify([layouts, state.versions.architecture, state.versions.engine,
      state.selection?.layer, state.selection?.filter, state.layerPanel, state.connection, [...pendingLayers],
      layers.map(l => [!!l.frozen, freeze.get(l.id)?.reason, freeze.get(l.id)?.detail]), growInit.value]);
  }

  /** The node of a layer that is its tab stop: the last focused one, else the selected one, else the first. */
  function tabStop(layerId, nodes, selection) {
    const ids = new Set(nodes.map(n => n.id));
    if (ids.has(focusedNode.get(layerId))) return focusedNode.get(layerId);
    if (ids.has(selection?.filter)) return selection.filter;
    return nodes[0]?.id;
  }

  /** Arrow keys inside a layer's grid: up/down one node, left/right one sub-column, Home/End the ends. */
  function moveFocus(event, layerId, node) {
    const col = layout?.columns.find(c => c.id === layerId);
    if (!col) return;
    const steps = { ArrowUp: -1, ArrowDown: 1, ArrowLeft: -col.perColumn, ArrowRight: col.perColumn };
    let to;
    if (event.key in steps) to = Math.max(0, Math.min(col.nodes.length - 1, node.index + steps[event.key]));
    else if (event.key === 'Home') to = 0;
    else if (event.key === 'End') to = col.nodes.length - 1;
    else return;
    event.preventDefault();
    const target = event.currentTarget.parentNode.querySelector(`button.node[data-id='${CSS.escape(col.nodes[to].id)}']`);
    if (!target) return;
    for (const b of event.currentTarget.parentNode.querySelectorAll('button.node')) b.tabIndex = b === target ? 0 : -1;
    target.focus();
  }

  function drawThumbnails(nodes, layer) {
    const size = num(layer.thumbnailSize);
    const channels = num(layer.thumbnailChannels) || 1;
    const data = layer.thumbnails;
    nodes.select('canvas.thumb').each(function (n) { drawFilter(this, data, n.index, size, channels); });
  }

  function drawSwatches(nodes, layer) {
    const act = layer.activation || [];
    const limit = symmetricLimit(act);
    nodes.select('span.swatch').style('background', n => divergingCss(num(act[n.index]), limit));
  }

  /**
   * Paths between consecutive shown layers, from the input when the first layer is shown: from each
   * end of the source layer to each of the target layer's. A layer of nodes ends paths at its
   * filters on the active path (top 50%); a layer of cells at its groups of cells with the most
   * top-50% activation (a bundle). Width: the source end's activation, relative to the layer's largest.
   */
  function drawEdges(layers, colById, state) {
    const edges = [];
    let prev = null;
    const probe = colById.get('__input');
    for (const layer of layers) {
      const col = colById.get(layer.id);
      const targets = col.cells ? cells.groupEnds(layer, col.cells) : nodeEnds(layer, col.nodes);
      if (!prev) {
        for (const t of layout.input ? targets : []) {
          edges.push({ id: `in>${t.key}`, x1: probe.x, y1: probe.y, x2: t.xl, y2: t.y, w: 1.2, o: 0.25 });
        }
      } else {
        let max = 0;
        for (const s of prev) max = Math.max(max, s.a);
        for (const s of prev) {
          const w = 0.4 + 3.6 * (max > 0 ? Math.max(0, s.a) / max : 0);
          for (const t of targets) {
            edges.push({ id: `${s.key}>${t.key}`, x1: s.xr, y1: s.y, x2: t.xl, y2: t.y, w, o: 0.12 + 0.3 * (w / 4) });
          }
        }
      }
      prev = targets;
    }
    // attributes are written only when they change: a snapshot moves few of hundreds of paths
    edgeGroup.selectAll('path').data(edges, e => e.id).join('path').each(function (e) {
      const mx = (e.x1 + e.x2) / 2;
      const drawn = [`M${e.x1},${e.y1}C${mx},${e.y1} ${mx},${e.y2} ${e.x2},${e.y2}`, e.w.toFixed(2), e.o.toFixed(2)];
      const before = drawnPaths.get(this) || [];
      ['d', 'stroke-width', 'stroke-opacity'].forEach((name, k) => {
        if (before[k] !== drawn[k]) this.setAttribute(name, drawn[k]);
      });
      drawnPaths.set(this, drawn);
    });
  }

  function renderProbe(state) {
    const probe = state.snapshot?.probe;
    const classNames = state.dataset?.classNames || [];
    if (labelsFor !== classNames.join('|')) {
      labelsFor = classNames.join('|');
      probeLabel.innerHTML = '<option value="">unknown</option>'
        + classNames.map((c, i) => `<option value="${i}">${escapeHtml(c)}</option>`).join('');
      const count = splitSize(state.dataset, 'validation');
      if (Number.isFinite(count)) probeIndex.max = String(Math.max(0, count - 1));
    }
    if (!probe) return;
    // an uploaded probe (from here or the Test view) is drawn from the pixels of the last set-probe sent
    const upload = probe.index == null ? lastUpload(state) : null;
    const key = probe.index == null ? `uploaded|${upload ? upload.wallMillis : ''}` : `v${probe.index}`;
    if (key !== shownProbe) {
      shownProbe = key;
      // an attached run keeps its probe image to itself: no picture rather than a broken one
      probeImg.hidden = probe.index == null && !upload;
      if (probe.index != null) {
        probeImg.src = `/api/images/validation/${probe.index}`;
        if (document.activeElement !== probeIndex) probeIndex.value = String(probe.index);
      } else if (upload) {
        const url = pixelsToDataUrl(upload.payload.pixels, state.architecture?.input || state.dataset?.shape);
        if (url) probeImg.src = url;
      }
    }
    const probs = probe.probabilities || [];
    let best = -1;
    for (let i = 0; i < probs.length; i++) if (best < 0 || num(probs[i]) > num(probs[best])) best = i;
    const truth = probe.label == null ? 'unknown' : classNames[probe.label] ?? probe.label;
    const guess = best >= 0 ? `${classNames[best] ?? best} ${(num(probs[best]) * 100).toFixed(0)}%` : '–';
    const source = probe.index != null ? `#${probe.index}` : isExternalEngine(state) ? "the run's probe" : 'uploaded';
    const text = `${source} · ${truth} → ${guess}`;
    if (probeCaption.textContent !== text) probeCaption.textContent = text;
    probeCaption.classList.toggle('right', probe.label != null && best === probe.label);
    probeCaption.classList.toggle('wrong', probe.label != null && best >= 0 && best !== probe.label);
  }

  /**
   * The toolbar, the probe form and the insert choices: what the engine cannot do now is disabled
   * with the reason (a layer after which nothing can be inserted stays listed, disabled).
   */
  function renderSteering(state) {
    const insertKey = `${state.versions.architecture}|${state.versions.engine}|${layoutKey}`;
    if (insertKey !== insertOptionsKey) {
      insertOptionsKey = insertKey;
      updateInsertOptions(state);
    }
    gate($('#insert-btn'), commandBlocked(state, COMMAND.INSERT_LAYER, insertAfter.value || null));
    gate($('#net-undo'), commandBlocked(state, COMMAND.UNDO));
    const probeOff = commandBlocked(state, COMMAND.SET_PROBE);
    for (const control of [probeIndex, probeFile, probeLabel, $('#probe-form button')]) gate(control, probeOff);
    explain($('#probe-unavailable'), runlessState(state) ? null : probeOff, 'The probe cannot be changed: ');
  }

  function updateInsertOptions(state) {
    const all = (state.architecture?.layers || []).map(l => l.id);
    const ids = all.length ? all : parameterLayers(state).map(l => l.id);
    const current = insertAfter.value;
    // steering off or no insert at all: the button says why, the choices stay open; else each layer's refusal
    const anyInsert = commandBlocked(state, COMMAND.INSERT_LAYER) == null;
    const refusedAfter = id => (anyInsert ? commandBlocked(state, COMMAND.INSERT_LAYER, id) : null);
    insertAfter.innerHTML = ids.map((id) => {
      const reason = refusedAfter(id);
      return `<option value="${escapeHtml(id)}"${reason ? ` disabled title="${escapeHtml(`Unavailable: ${reason}`)}"` : ''}>`
        + `${escapeHtml(layerLabel(state, id))}${reason ? ' (not here)' : ''}</option>`;
    }).join('');
    const usable = ids.filter(id => !refusedAfter(id));
    if (usable.includes(current)) insertAfter.value = current;
    else if (usable.length) insertAfter.value = usable[0];
    fitIdentity();
  }

  return {
    render,
    /** Frames in which compact layers' cells were redrawn (tests and the benchmark). */
    cellFrames: () => cells.frames(),
    /** The largest jitter amplitude of a compact layer's cell now (px; 0 when all are still). */
    cellJitter: () => cells.maxAmplitude(),
    setVisible(on) {
      visible = on;
      if (on) startAnimation();
    },
  };
}

/** Sets an element's text only when it differs (a new text node costs a layout). */
function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

const joinedCache = new WeakMap();

/** A layer's filter ids joined by commas, once per ids array (a snapshot reuses the architecture's arrays). */
function joinedIds(ids) {
  let joined = joinedCache.get(ids);
  if (joined === undefined) {
    joined = ids.join(',');
    joinedCache.set(ids, joined);
  }
  return joined;
}

/** A removal recommendation in words: its reason and, for a redundant filter, its twin. */
function removalText(r) {
  return r.reason === 'redundant' && r.twin ? `redundant (twin of ${r.twin})` : r.reason;
}

function subtitle(layer, state) {
  const info = layer.info;
  const n = layer.filterIds.length;
  if (layer.kind === 'conv') {
    const k = info?.kernelSize || layer.thumbnailSize;
    const archLayers = flatLayers(state.architecture);
    const i = archLayers.findIndex(l => l.id === layer.id);
    const extras = [];
    for (let j = i + 1; i >= 0 && j < archLayers.length && archLayers[j].kind !== 'conv' && archLayers[j].kind !== 'dense'; j++) {
      extras.push(archLayers[j].kind === 'other' && archLayers[j].module ? archLayers[j].module : archLayers[j].kind);
    }
    return `${n} × ${k}×${k}${extras.length ? ' · ' + extras.join(' · ') : ''}`;
  }
  return `${n} units`;
}

/**
 * The path ends of a layer of nodes: its nodes in the top half of the layer's activation (activePath),
 * capped to keep the picture readable: [{key, xl, xr, y, a}] (a: the probe's activation).
 */
function nodeEnds(layer, nodes) {
  const act = layer.activation || [];
  const active = layer.activePath || [];
  let chosen = nodes.filter(n => active[n.index]);
  if (!active.length) chosen = nodes.slice();
  if (chosen.length > MAX_EDGES_PER_SIDE) {
    chosen = chosen.slice().sort((a, b) => (num(act[b.index]) || 0) - (num(act[a.index]) || 0)).slice(0, MAX_EDGES_PER_SIDE);
  }
  return chosen.map(n => ({ key: n.id, xl: n.x, xr: n.x + n.size, y: n.y + n.size / 2, a: num(act[n.index]) || 0 }));
}

/** Decodes an image file onto a canvas of the model's input shape; returns uint8 CHW pixels as base64. */
async function imageToPixels(file, shape) {
  const channels = num(shape?.channels) || 3;
  const h = num(shape?.height) || 32;
  const w = num(shape?.width) || 32;
  const bitmap = await createImageBitmap(file).catch(() => { throw new Error('That file is not an image the browser can read'); });
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  // centre-crop to the target aspect, then scale
  const scale = Math.max(w / bitmap.width, h / bitmap.height);
  const sw = w / scale;
  const sh = h / scale;
  ctx.drawImage(bitmap, (bitmap.width - sw) / 2, (bitmap.height - sh) / 2, sw, sh, 0, 0, w, h);
  const rgba = ctx.getImageData(0, 0, w, h).data;
  const plane = w * h;
  const bytes = new Uint8Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    const r = rgba[4 * p];
    const g = rgba[4 * p + 1];
    const b = rgba[4 * p + 2];
    if (channels === 1) {
      bytes[p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      bytes[p] = r;
      bytes[plane + p] = g;
      bytes[2 * plane + p] = b;
      for (let c = 3; c < channels; c++) bytes[c * plane + p] = 0;
    }
  }
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return { base64: btoa(binary), dataUrl: canvas.toDataURL() };
}

export { imageToPixels };

/** The latest accepted set-probe command with pixels in the steering log, or null. */
function lastUpload(state) {
  const log = state.steering || [];
  for (let i = log.length - 1; i >= 0; i--) {
    const e = log[i];
    if (e.type === 'set-probe') return e.payload?.pixels ? e : null;
  }
  return null;
}

/** Draws uint8 CHW pixels (base64, as sent by set-probe) as a PNG data URL; null if they do not fit the shape. */
function pixelsToDataUrl(base64, shape) {
  const channels = num(shape?.channels) || 3;
  const h = num(shape?.height) || 32;
  const w = num(shape?.width) || 32;
  let bytes;
  try {
    bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  } catch (e) {
    return null;
  }
  const plane = w * h;
  if (bytes.length !== channels * plane) return null;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = h;
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(w, h);
  for (let p = 0; p < plane; p++) {
    const r = bytes[p];
    image.data[4 * p] = r;
    image.data[4 * p + 1] = channels >= 3 ? bytes[plane + p] : r;
    image.data[4 * p + 2] = channels >= 3 ? bytes[2 * plane + p] : r;
    image.data[4 * p + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  return canvas.toDataURL();
}

export function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
