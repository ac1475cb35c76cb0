// Test view: predictions on test images (each with its top-3 class bars: green when right, red
// when wrong), accuracy, a confusion matrix (click a cell to see its images), per-class accuracy,
// and classify-an-upload (POST /api/classify: the probe and the steering log stay as they are,
// unless "Use as probe" is pressed). The grid's images come in one sprite sheet per report
// (GET /api/sprites), not one request per image. An engine that cannot evaluate or classify is not
// asked to: the controls are disabled and the view says why.

import { commands, COMMAND } from '../protocol.js';
import { unsupported, mayRequest, commandBlocked, gate, explain } from '../engine.js';
import { num } from '../store.js';
import { classColor } from '../color.js';
import { imageToPixels, escapeHtml } from './network.js';

const COUNTS = [50, 100, 200, 500];
/** Tiles per row of a sprite sheet (RestApi.SPRITE_COLUMNS) and the size a tile is shown at. */
const SPRITE_COLUMNS = 20;
const THUMB_PX = 48;

export function createTest(element, actions) {
  element.innerHTML = `
    <div class="toolbar test-toolbar">
      <label class="field">Images <select id="test-count" aria-label="Number of test images to evaluate">
        ${COUNTS.map(c => `<option ${c === 100 ? 'selected' : ''}>${c}</option>`).join('')}</select></label>
      <button class="btn btn-primary" id="test-run">Evaluate</button>
      <span class="big-metric"><span class="muted">accuracy</span> <b id="test-accuracy">–</b></span>
      <span class="muted" id="test-info"></span>
      <span class="fill"></span>
      <label class="field upload">Classify your own image <input type="file" id="test-upload" accept="image/*" aria-label="Upload an image to classify"></label>
    </div>
    <div id="test-error" class="field-error" role="alert"></div>
    <p class="unavailable-note" id="test-view-unavailable" hidden></p>
    <p class="unavailable-note" id="classify-unavailable" hidden></p>
    <div class="test-body">
      <div class="test-grid-wrap card">
        <header class="card-head"><h3 id="grid-title">Predictions</h3><button class="btn btn-small" id="grid-all" hidden>Show all</button></header>
        <div class="test-grid" id="test-grid"></div>
      </div>
      <div class="test-side">
        <div class="card upload-card" id="upload-card" hidden>
          <header class="card-head"><h3>Your image</h3></header>
          <div class="upload-result"><img id="upload-preview" alt="Uploaded image" width="64" height="64"><div id="upload-bars" class="bars"></div></div>
          <div class="upload-probe">
            <label class="field">labelled as <select id="upload-label" aria-label="Class label of the uploaded image"></select></label>
            <button class="btn btn-small" id="upload-use" title="Show this image in the Network view (changes the probe)">Use as probe</button>
          </div>
        </div>
        <div class="card">
          <header class="card-head"><h3>Confusion matrix</h3><span class="muted small">rows: actual · columns: predicted</span></header>
          <svg id="confusion" class="confusion" role="group" aria-label="Confusion matrix"></svg>
        </div>
        <div class="card">
          <header class="card-head"><h3>Per-class accuracy</h3></header>
          <svg id="per-class" class="per-class" role="img" aria-label="Per-class accuracy"></svg>
        </div>
      </div>
    </div>`;
  const $ = (s) => element.querySelector(s);
  const grid = d3.select($('#test-grid'));
  const errorBox = $('#test-error');
  let report = null;
  let filter = null; // {actual, predicted}
  let loading = false;
  let visible = false;
  let lastState = null;
  let upload = null; // {base64}: the last classified upload
  let labelsFor = '';
  let reportVersion = 0;
  let drawnVersion = -1;

  async function run() {
    if (loading) return;
    loading = true;
    $('#test-run').disabled = true;
    $('#test-run').textContent = 'Evaluating…';
    errorBox.textContent = '';
    try {
      report = await actions.fetchJson(`/api/test?count=${$('#test-count').value}`);
      filter = null;
      reportVersion++;
    } catch (e) {
      errorBox.textContent = `Evaluation failed: ${e.message}`;
    } finally {
      loading = false;
      $('#test-run').disabled = false;
      $('#test-run').textContent = 'Evaluate';
      actions.requestRender();
    }
  }
  $('#test-run').addEventListener('click', run);
  $('#grid-all').addEventListener('click', () => { filter = null; drawnVersion = -1; actions.requestRender(); });
  $('#test-upload').addEventListener('change', async () => {
    const input = $('#test-upload');
    const file = input.files?.[0];
    if (!file) return;
    errorBox.textContent = '';
    try {
      const shape = lastState?.architecture?.input || lastState?.dataset?.shape;
      const { base64, dataUrl } = await imageToPixels(file, shape);
      const answer = await actions.fetchJson('/api/classify', {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pixels: base64 }),
      });
      upload = { base64 };
      $('#upload-preview').src = dataUrl;
      $('#upload-card').hidden = false;
      $('#upload-label').value = '';
      const probs = answer.probabilities || [];
      const top = [...probs.keys()].sort((a, b) => num(probs[b]) - num(probs[a])).slice(0, 3)
        .map(i => ({ cls: i, p: num(probs[i]) }));
      drawBars(d3.select($('#upload-bars')), top, null, classesOf(lastState), true);
    } catch (e) {
      errorBox.textContent = `Classifying the upload failed: ${e.message}`;
    }
    input.value = '';
  });
  $('#upload-use').addEventListener('click', () => {
    if (!upload) return;
    const label = $('#upload-label').value;
    actions.command(commands.probePixels(upload.base64, label === '' ? undefined : Number(label)));
  });

  function classesOf(state) {
    return report?.classNames || state.dataset?.classNames || [];
  }

  function drawGrid(state) {
    const names = classesOf(state);
    const split = report.split || 'test';
    let predictions = (report.predictions || []).map(normalisePrediction);
    if (filter) predictions = predictions.filter(p => p.label === filter.actual && p.top[0]?.cls === filter.predicted);
    $('#grid-title').textContent = filter
      ? `${names[filter.actual] ?? filter.actual} predicted as ${names[filter.predicted] ?? filter.predicted} (${predictions.length})`
      : `Predictions on ${report.images ?? predictions.length} ${split} images`;
    $('#grid-all').hidden = !filter;
    // one sprite sheet of the report's images (the first `images` of the split), each tile shown at THUMB_PX
    const count = (report.predictions || []).reduce((m, p) => Math.max(m, num(p.index) + 1), 0);
    const sprite = `/api/sprites/${split}?from=0&count=${count}`;
    const across = Math.min(SPRITE_COLUMNS, count);
    const down = Math.ceil(count / SPRITE_COLUMNS);
    const cards = grid.selectAll('figure.pred').data(predictions, p => p.index).join(enter => {
      const f = enter.append('figure').attr('class', 'pred');
      f.append('span').attr('class', 'thumb').attr('role', 'img');
      f.append('figcaption');
      f.append('div').attr('class', 'bars');
      return f;
    });
    cards.classed('wrong', p => p.top[0]?.cls !== p.label)
      .attr('aria-label', p => `image ${p.index}: ${names[p.label] ?? p.label}`);
    cards.select('.thumb').attr('aria-label', p => `${split} image ${p.index}`)
      .style('background-image', `url("${sprite}")`)
      .style('background-size', `${across * THUMB_PX}px ${down * THUMB_PX}px`)
      .style('background-position', p => `${-(p.index % SPRITE_COLUMNS) * THUMB_PX}px ${-Math.floor(p.index / SPRITE_COLUMNS) * THUMB_PX}px`);
    cards.select('figcaption').text(p => names[p.label] ?? p.label);
    cards.select('.bars').each(function (p) { drawBars(d3.select(this), p.top, p.label, names); });
  }

  function drawConfusion(state) {
    const names = classesOf(state);
    const m = report.confusion || [];
    const k = m.length;
    const svg = d3.select($('#confusion'));
    // the card's inner width; rotated column labels reach right of the last column by about cos(55°) of their length
    const avail = Math.max(200, (svg.node().parentNode.clientWidth || 360) - 20);
    const longest = d3.max(names.slice(0, k), n => String(n).length) || 4;
    const lastLabel = String(names[k - 1] ?? '').length;
    const left = Math.min(130, 12 + longest * 6.2);
    const top = Math.min(100, 12 + longest * 5);
    const overhang = Math.max(8, lastLabel * 6.2 * 0.58 - 4);
    const cell = Math.max(10, Math.min(26, Math.floor((avail - left - overhang) / Math.max(1, k))));
    let max = 0;
    const cells = [];
    for (let a = 0; a < k; a++) for (let p = 0; p < k; p++) {
      const v = num(m[a][p]) || 0;
      cells.push({ a, p, v, key: `${a}-${p}` });
      if (a !== p) max = Math.max(max, v);
    }
    let diagMax = 0;
    for (let a = 0; a < k; a++) diagMax = Math.max(diagMax, num(m[a][a]) || 0);
    svg.selectAll('rect.cell').data(cells, d => d.key).join('rect').attr('class', 'cell')
      .attr('x', d => left + d.p * cell).attr('y', d => top + d.a * cell)
      .attr('width', cell - 1).attr('height', cell - 1)
      .attr('fill', d => d.v === 0 ? '#f4f5f7' : d.a === d.p
        ? d3.interpolateBlues(0.2 + 0.8 * d.v / (diagMax || 1)) : d3.interpolateOranges(0.2 + 0.8 * d.v / (max || 1)))
      .classed('active', d => filter && filter.actual === d.a && filter.predicted === d.p)
      .attr('tabindex', d => d.v ? 0 : null)
      .attr('role', d => d.v ? 'button' : null)
      .attr('aria-label', d => `${names[d.a] ?? d.a} predicted as ${names[d.p] ?? d.p}: ${d.v}`)
      .on('click', (e, d) => { if (d.v) { filter = { actual: d.a, predicted: d.p }; drawnVersion = -1; actions.requestRender(); } })
      .on('keydown', (e, d) => { if (d.v && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); filter = { actual: d.a, predicted: d.p }; drawnVersion = -1; actions.requestRender(); } })
      .selectAll('title').data(d => [d]).join('title').text(d => `${names[d.a] ?? d.a} → ${names[d.p] ?? d.p}: ${d.v}`);
    svg.selectAll('text.count').data(cells.filter(c => c.v > 0 && cell >= 15), d => d.key).join('text').attr('class', 'count')
      .attr('x', d => left + d.p * cell + (cell - 1) / 2).attr('y', d => top + d.a * cell + (cell - 1) / 2 + 4)
      .attr('fill', d => (d.a === d.p ? d.v / (diagMax || 1) : d.v / (max || 1)) > 0.6 ? '#fff' : '#222')
      .text(d => d.v);
    svg.selectAll('text.row-label').data(names.slice(0, k)).join('text').attr('class', 'row-label')
      .attr('x', left - 6).attr('y', (d, i) => top + i * cell + cell / 2 + 4).attr('text-anchor', 'end').text(d => d);
    svg.selectAll('text.col-label').data(names.slice(0, k)).join('text').attr('class', 'col-label')
      .attr('transform', (d, i) => `translate(${left + i * cell + cell / 2 + 4},${top - 6}) rotate(-55)`).text(d => d);
    fitToWidth(svg, avail);
  }

  /** Sizes an SVG to its drawn content (labels included), scaled down to at most maxWidth pixels. */
  function fitToWidth(svg, maxWidth) {
    svg.attr('viewBox', null).attr('width', maxWidth).attr('height', 10);
    const box = svg.node().getBBox();
    if (!box.width || !box.height) return;
    const x = Math.min(0, Math.floor(box.x));
    const y = Math.min(0, Math.floor(box.y));
    const w = Math.ceil(box.x + box.width) - x + 2;
    const h = Math.ceil(box.y + box.height) - y + 2;
    const scale = Math.min(1, maxWidth / w);
    svg.attr('viewBox', `${x} ${y} ${w} ${h}`).attr('width', Math.floor(w * scale)).attr('height', Math.ceil(h * scale));
  }

  function drawPerClass(state) {
    const names = classesOf(state);
    const acc = report.perClassAccuracy || [];
    const svg = d3.select($('#per-class'));
    const rowH = 18;
    const avail = Math.max(200, (svg.node().parentNode.clientWidth || 360) - 20);
    const left = Math.min(130, 12 + (d3.max(names, n => String(n).length) || 4) * 6.2);
    const w = Math.max(60, avail - left - 40); // room for the "100%" label right of a full bar
    svg.attr('width', left + w + 40).attr('height', acc.length * rowH + 6);
    const rows = svg.selectAll('g.row').data(acc.map((v, i) => ({ i, v: num(v) })), d => d.i).join(enter => {
      const g = enter.append('g').attr('class', 'row');
      g.append('text').attr('class', 'row-label').attr('x', left - 6).attr('y', 13).attr('text-anchor', 'end');
      g.append('rect').attr('class', 'track').attr('x', left).attr('y', 3).attr('height', 12).attr('width', w);
      g.append('rect').attr('class', 'value').attr('x', left).attr('y', 3).attr('height', 12);
      g.append('text').attr('class', 'value-label').attr('y', 13);
      return g;
    });
    rows.attr('transform', d => `translate(0,${d.i * rowH})`);
    rows.select('.row-label').text(d => names[d.i] ?? d.i);
    rows.select('rect.value').attr('width', d => Number.isFinite(d.v) ? d.v * w : 0).attr('fill', d => classColor(d.i));
    rows.select('.value-label').attr('x', d => left + (Number.isFinite(d.v) ? d.v * w : 0) + 4)
      .text(d => Number.isFinite(d.v) ? `${(d.v * 100).toFixed(0)}%` : 'n/a');
  }

  return {
    render(state) {
      lastState = state;
      const testOff = unsupported(state, 'test-view');
      const classifyOff = unsupported(state, 'classify');
      explain($('#test-view-unavailable'), testOff, 'Evaluation is not available: ');
      explain($('#classify-unavailable'), classifyOff, 'Classifying your own image is not available: ');
      gate($('#test-run'), testOff, { disabled: loading });
      gate($('#test-upload'), classifyOff);
      gate($('#upload-use'), commandBlocked(state, COMMAND.SET_PROBE));
      if (visible && !report && !loading && state.connection === 'open' && state.snapshot && mayRequest(state, 'test-view')) run();
      if (report && drawnVersion !== reportVersion) {
        drawnVersion = reportVersion;
        $('#test-accuracy').textContent = Number.isFinite(num(report.accuracy)) ? `${(num(report.accuracy) * 100).toFixed(1)}%` : '–';
        $('#test-info').textContent = `${report.images ?? (report.predictions || []).length} ${report.split || 'test'} images`
          + (Number.isFinite(num(report.loss)) ? ` · loss ${num(report.loss).toFixed(3)}` : '')
          + (state.snapshot ? ` · at step ${num(state.snapshot.step).toLocaleString('en-US')}` : '');
        drawGrid(state);
        drawConfusion(state);
        drawPerClass(state);
      }
      const names = classesOf(state);
      if (labelsFor !== names.join('|')) {
        labelsFor = names.join('|');
        const select = $('#upload-label');
        const current = select.value;
        select.innerHTML = '<option value="">unknown</option>' + names.map((c, i) => `<option value="${i}">${escapeHtml(c)}</option>`).join('');
        select.value = current;
      }
    },
    setVisible(on) {
      visible = on;
    },
  };
}

/** Accepts {top3:[cls], probabilities:[p]} or {top:[{class|classIndex, probability}]}. */
function normalisePrediction(p) {
  let top = [];
  if (Array.isArray(p.top3)) top = p.top3.map((c, i) => ({ cls: num(c), p: num(p.probabilities?.[i]) }));
  else if (Array.isArray(p.top)) top = p.top.map(t => ({ cls: num(t.class ?? t.classIndex ?? t.label), p: num(t.probability ?? t.p) }));
  return { index: num(p.index), label: num(p.label), top };
}

function drawBars(host, top, label, names, withValues = false) {
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
