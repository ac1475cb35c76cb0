// Test view: accuracy, a confusion matrix, per-class accuracy and the predictions on up to the whole
// test set (GET /api/test evaluates and the server keeps the report), shown a page at a time
// (test-grid.js); a confusion cell click (or Enter on a focused cell) pages that cell's images
// instead, its count in the title at once. Also classify-an-upload (POST /api/classify: the probe and
// the steering log stay as they are, unless "Use as probe" is pressed). An engine that cannot
// evaluate or classify is not asked to: the controls are disabled and the view says why.

import { commands, COMMAND } from '../protocol.js';
import { unsupported, mayRequest, commandBlocked, gate, explain } from '../engine.js';
import { num, splitSize } from '../store.js';
import { classColor } from '../color.js';
import { imageToPixels, escapeHtml } from './network.js';
import { PAGE, pageQuery, drawPage, drawBars } from './test-grid.js';

/** Image counts offered below the size of the set; "all" is the whole set. */
const COUNTS = [50, 100, 200, 500, 1000, 2000, 5000];
const DEFAULT_COUNT = 100;

export function createTest(element, actions) {
  element.innerHTML = `
    <div class="toolbar test-toolbar">
      <label class="field">Images <select id="test-count" aria-label="Number of test images to evaluate">
        <option value="${DEFAULT_COUNT}">${DEFAULT_COUNT}</option></select></label>
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
        <header class="card-head"><h3 id="grid-title">Predictions</h3><button class="btn btn-small" id="grid-all" hidden>Show all</button>
          <nav class="pager" aria-label="Pages of predictions">
            <button class="btn btn-small" id="page-prev" aria-label="Previous page" disabled>‹ Prev</button>
            <span class="muted small" id="page-status" role="status" aria-live="polite"></span>
            <button class="btn btn-small" id="page-next" aria-label="Next page" disabled>Next ›</button>
          </nav></header>
        <div class="test-grid" id="test-grid" aria-label="Predictions, one page"></div>
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
  let report = null; // the latest GET /api/test answer: the summary of a report the server keeps
  let page = null; // the page shown: an /api/test/predictions answer
  let filter = null; // the confusion cell shown, {actual, predicted}, or null for all images
  let wanted = 0; // the number of the latest page request: answers to older ones are dropped
  let loading = false;
  let visible = false;
  let lastState = null;
  let upload = null; // {base64}: the last classified upload
  let labelsFor = '';
  let countsFor = -1;
  const drawn = { report: null, filter: null, page: null };

  async function run() {
    if (loading) return;
    loading = true;
    $('#test-run').disabled = true;
    $('#test-run').textContent = 'Evaluating…';
    errorBox.textContent = '';
    try {
      report = await actions.fetchJson(`/api/test?count=${$('#test-count').value}&limit=${PAGE}`);
      filter = null;
      page = report.page;
      wanted++;
    } catch (e) {
      errorBox.textContent = `Evaluation failed: ${e.message}`;
    } finally {
      loading = false;
      $('#test-run').disabled = false;
      $('#test-run').textContent = 'Evaluate';
      actions.requestRender();
    }
  }

  /** Shows the page at `offset` of confusion cell `cell` (null: all images); the title and the cell's count change at once. */
  async function showPage(cell, offset) {
    if (!report) return;
    const asked = ++wanted;
    filter = cell;
    errorBox.textContent = '';
    $('#test-grid').setAttribute('aria-busy', 'true');
    actions.requestRender();
    try {
      const answer = await actions.fetchJson(`/api/test/predictions?${pageQuery(report.report, cell, offset)}`);
      if (asked === wanted) page = answer;
    } catch (e) {
      if (asked === wanted) errorBox.textContent = `Loading the page failed: ${e.message}`;
    } finally {
      if (asked === wanted) {
        $('#test-grid').removeAttribute('aria-busy');
        actions.requestRender();
      }
    }
  }
  $('#test-run').addEventListener('click', run);
  $('#grid-all').addEventListener('click', () => showPage(null, 0));
  $('#page-prev').addEventListener('click', () => page && showPage(filter, Math.max(0, num(page.offset) - PAGE)));
  $('#page-next').addEventListener('click', () => page && showPage(filter, num(page.offset) + PAGE));
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

  /** The grid's title: all images, or the shown cell and how many images it holds (from the confusion matrix, so at once). */
  function drawTitle(state) {
    const names = classesOf(state);
    const cell = filter ? num(report.confusion?.[filter.actual]?.[filter.predicted]) : 0;
    $('#grid-title').textContent = filter
      ? `${names[filter.actual] ?? filter.actual} predicted as ${names[filter.predicted] ?? filter.predicted} (${cell.toLocaleString('en-US')})`
      : `Predictions on ${num(report.images).toLocaleString('en-US')} ${report.split || 'test'} images`;
    $('#grid-all').hidden = !filter;
  }

  /** The shown page and the pager: "first–last of total", Prev and Next enabled where there is a page to go to. */
  function drawGrid(state) {
    drawPage(grid, page, classesOf(state), report.split || 'test');
    const offset = num(page.offset);
    const shown = (page.predictions || []).length;
    const total = num(page.total);
    $('#page-status').textContent = total === 0 ? 'no images'
      : `${(offset + 1).toLocaleString('en-US')}–${(offset + shown).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`;
    $('#page-prev').disabled = offset === 0;
    $('#page-next').disabled = offset + shown >= total;
    $('#test-grid').scrollTop = 0;
  }

  /** The count choices below the size of the set, then "all"; keeps the chosen count when it is still offered. */
  function drawCounts(size) {
    const select = $('#test-count');
    const current = Number(select.value);
    const counts = COUNTS.filter(c => c < size);
    select.innerHTML = counts.map(c => `<option value="${c}">${c.toLocaleString('en-US')}</option>`).join('')
      + `<option value="${size}">all (${size.toLocaleString('en-US')})</option>`;
    select.value = String(counts.includes(current) || current === size ? current : Math.min(DEFAULT_COUNT, size));
    if (!select.value) select.value = String(size);
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
      .on('click', (e, d) => { if (d.v) showPage({ actual: d.a, predicted: d.p }, 0); })
      .on('keydown', (e, d) => { if (d.v && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); showPage({ actual: d.a, predicted: d.p }, 0); } })
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
      const size = splitSize(state.dataset, 'test') || splitSize(state.dataset, 'validation');
      if (size > 0 && size !== countsFor) {
        countsFor = size;
        drawCounts(size);
      }
      if (report && drawn.report !== report) {
        $('#test-accuracy').textContent = Number.isFinite(num(report.accuracy)) ? `${(num(report.accuracy) * 100).toFixed(1)}%` : '–';
        $('#test-info').textContent = `${num(report.images).toLocaleString('en-US')} ${report.split || 'test'} images`
          + (Number.isFinite(num(report.loss)) ? ` · loss ${num(report.loss).toFixed(3)}` : '')
          + (state.snapshot ? ` · at step ${num(state.snapshot.step).toLocaleString('en-US')}` : '');
        drawPerClass(state);
      }
      if (report && (drawn.report !== report || drawn.filter !== filter)) {
        drawConfusion(state);
        drawTitle(state);
      }
      if (report && page && drawn.page !== page) drawGrid(state);
      Object.assign(drawn, { report, filter, page });
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
