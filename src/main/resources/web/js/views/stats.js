// Training Stats view (paper fig. 4): loss per batch (faint points on canvas, a smoothed line on
// SVG), training and validation accuracy, throughput, and every steering action as a labelled
// marker (hover for what changed; labels that would collide with another are left out, their
// marker still shows it on hover). A window selector shows the last 500 / 5k steps or all, and the
// x-axis plots against steps, examples seen, wall-clock time or time since the start; the loss axis
// is linear or logarithmic, and a slider sets the smoothing. Ticking kept runs in the run selector
// (run-picker.js) overlays them with the live one, each in its colour (runs-chart.js); each chart
// downloads as CSV, SVG and PNG.

import { X_AXES, chartData, drawChart, formatDuration, saveChart, smoothingWeight, xValues } from '../runs-chart.js';
import { createRunPicker } from './run-picker.js';

const WINDOWS = [['500', 500], ['5k', 5000], ['all', Infinity]];
const MARGIN = { top: 22, right: 18, bottom: 26, left: 52 };
const MAX_POINTS = 4000;
/** The charts that download (and overlay runs): metric and title. */
const SAVED = [['loss', 'Loss'], ['accuracy', 'Accuracy'], ['throughput', 'Throughput (images/s)']];
/** Rows of marker labels above the loss chart, and the room kept between two labels in a row. */
const LABEL_ROWS = 4;
const LABEL_GAP = 4;

export function createStats(element, actions) {
  element.innerHTML = `
    <div class="toolbar stats-toolbar">
      <div class="segmented" role="radiogroup" aria-label="Steps shown">
        ${WINDOWS.map(([label], i) => `<label><input type="radio" name="stats-window" value="${i}" ${i === 2 ? 'checked' : ''}><span>${label === 'all' ? 'All steps' : `Last ${label}`}</span></label>`).join('')}
      </div>
      <div class="segmented" role="radiogroup" aria-label="x-axis">
        ${X_AXES.map(([value, label], i) => `<label><input type="radio" name="stats-x" value="${value}" ${i === 0 ? 'checked' : ''}><span>${label}</span></label>`).join('')}
      </div>
      <label class="stats-smoothing" title="Exponential moving average weight, as TensorBoard's (auto until moved)">Smoothing
        <input type="range" id="stats-smoothing" min="0" max="0.999" step="0.001" value="0.9"><output id="stats-smoothing-value">auto</output></label>
      <label class="stats-log"><input type="checkbox" id="stats-log"> Log loss</label>
      <span class="fill"></span>
      <span class="chart-key"><span class="key-dot loss"></span>batch loss <span class="key-line loss"></span>smoothed
        <span class="key-line train"></span>train acc <span class="key-line val"></span>validation acc <span class="key-marker"></span>steering</span>
    </div>
    <div class="run-picker" id="stats-runs" role="group" aria-label="Runs to overlay"></div>
    <div class="chart chart-loss" id="chart-loss"></div>
    <div class="chart chart-acc" id="chart-acc"></div>
    <div class="chart chart-ips" id="chart-ips"></div>
    <div class="chart chart-overlay" id="chart-overlay-loss" hidden><svg class="overlay-svg"></svg></div>
    <div class="chart chart-overlay" id="chart-overlay-accuracy" hidden><svg class="overlay-svg"></svg></div>
    <div class="chart chart-overlay chart-overlay-small" id="chart-overlay-throughput" hidden><svg class="overlay-svg"></svg></div>
    <div class="tooltip" id="stats-tooltip" role="tooltip" hidden></div>`;

  const tooltip = element.querySelector('#stats-tooltip');
  let windowIndex = 2;
  element.querySelectorAll('input[name=stats-window]').forEach(input => input.addEventListener('change', () => {
    windowIndex = Number(input.value);
    lastKey = '';
    actions.requestRender();
  }));
  let xAxis = 'step';
  element.querySelectorAll('input[name=stats-x]').forEach(input => input.addEventListener('change', () => {
    xAxis = input.value;
    lastKey = '';
    actions.requestRender();
  }));

  let smoothing = null;
  const smoothingOutput = element.querySelector('#stats-smoothing-value');
  element.querySelector('#stats-smoothing').addEventListener('input', (e) => {
    smoothing = Number(e.target.value);
    smoothingOutput.textContent = smoothing.toFixed(3);
    lastKey = '';
    actions.requestRender();
  });
  let logLoss = false;
  element.querySelector('#stats-log').addEventListener('change', (e) => {
    logLoss = e.target.checked;
    lastKey = '';
    actions.requestRender();
  });
  const picker = createRunPicker(element.querySelector('#stats-runs'), actions);

  const loss = makeChart(element.querySelector('#chart-loss'), 'Loss', { canvas: true });
  const acc = makeChart(element.querySelector('#chart-acc'), 'Accuracy', {});
  const ips = makeChart(element.querySelector('#chart-ips'), 'Throughput (images/s)', {});
  const overlays = Object.fromEntries(SAVED.map(([metric]) => [metric, element.querySelector(`#chart-overlay-${metric}`)]));
  const charts = [loss, acc, ips];
  let lastKey = '';
  /** What the loss and accuracy charts show of each run (in the window), for drawing the overlay and for downloads. */
  let shown = { runs: [], overlay: false };

  for (const host of [...charts.map(c => c.host), ...Object.values(overlays)]) {
    new ResizeObserver(() => { lastKey = ''; actions.requestRender(); }).observe(host);
  }
  const liveHosts = { loss: loss.host, accuracy: acc.host, throughput: ips.host };
  for (const [metric, title] of SAVED) {
    for (const host of [liveHosts[metric], overlays[metric]]) {
      addDownloads(host, format => saveChart(format, `revacnn-${metric}`, chartSvg(metric, title, host), data(metric))
        .catch(e => actions.toast(e.message, 'error')));
    }
  }

  function data(metric) {
    return chartData(shown.runs, metric, xAxis, smoothing);
  }

  /** The SVG of the overlaid chart, or, for a live chart, one drawn from the same data at its size. */
  function chartSvg(metric, title, host) {
    if (host === overlays[metric]) return host.querySelector('svg');
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    drawChart(svg, data(metric), { title, metric, axis: xAxis, log: metric === 'loss' && logLoss,
      width: host.clientWidth, height: host.clientHeight });
    return svg;
  }

  /** The live run as runs-chart.js draws it: the store's series (with the throughput at its steps), validation and steering. */
  function liveRun(state) {
    return (name, colour) => {
      const ipsAt = new Map(state.throughput.map(t => [t.step, t.imagesPerSecond]));
      return { name, colour, ...state.series, ips: state.series.steps.map(step => ipsAt.get(step) ?? NaN),
        validation: state.validation, steering: state.steering.map(e => ({ step: e.step, type: e.type, label: e.label })) };
    };
  }

  /** Shows either the live charts or the overlaid ones. */
  function showOverlay(on) {
    element.querySelector('.chart-key').hidden = on;
    for (const c of charts) c.host.hidden = on;
    for (const host of Object.values(overlays)) host.hidden = !on;
  }

  function renderOverlay() {
    for (const [metric, title] of SAVED) {
      const host = overlays[metric];
      drawChart(host.querySelector('svg'), data(metric), { title, metric, axis: xAxis, log: metric === 'loss' && logLoss,
        width: host.clientWidth, height: host.clientHeight });
    }
  }

  function showTip(event, entry) {
    tooltip.hidden = false;
    tooltip.innerHTML = '';
    const title = document.createElement('strong');
    title.textContent = `step ${entry.step.toLocaleString('en-US')} · ${entry.type}`;
    const body = document.createElement('div');
    body.textContent = entry.label;
    tooltip.append(title, body);
    const box = element.getBoundingClientRect();
    tooltip.style.left = `${Math.min(box.width - 260, event.clientX - box.left + 12)}px`;
    tooltip.style.top = `${event.clientY - box.top + 12}px`;
  }
  function hideTip() { tooltip.hidden = true; }

  function render(state) {
    const s = state.series;
    shown = picker.runs(liveRun(state));
    const span = WINDOWS[windowIndex][1];
    if (Number.isFinite(span)) shown = { ...shown, runs: shown.runs.map(run => lastSteps(run, span)) };
    const sizes = [...charts.map(c => c.host), ...Object.values(overlays)].map(h => `${h.clientWidth}x${h.clientHeight}`).join();
    const key = `${s.version}|${state.steeringVersion}|${windowIndex}|${xAxis}|${state.throughput.length}|${shown.key}|${shown.overlay}|${sizes}`;
    if (key === lastKey) return;
    lastKey = key;
    showOverlay(shown.overlay);
    if (shown.overlay) {
      renderOverlay();
      return;
    }

    const n = s.steps.length;
    const lastStep = n ? s.steps[n - 1] : 0;
    const firstStep = Number.isFinite(span) ? Math.max(n ? s.steps[0] : 0, lastStep - span) : (n ? s.steps[0] : 0);
    let from = 0;
    while (from < n && s.steps[from] < firstStep) from++;
    const xs = xValues(s, xAxis);
    const xOf = xOfStep(s, xs);
    const domain = xAxis === 'step' ? [firstStep, Math.max(lastStep, firstStep + 1)] : valueDomain(xs, from, n);
    const xTitle = X_AXES.find(a => a[0] === xAxis)[2];
    const axis = { domain, time: xAxis === 'time', format: xAxis === 'relative' ? formatDuration : null, title: xTitle };

    // ---- loss ----
    const stride = Math.max(1, Math.ceil((n - from) / MAX_POINTS));
    const points = [];
    for (let i = from; i < n; i += stride) if (Number.isFinite(s.loss[i]) && Number.isFinite(xs[i])) points.push([xs[i], s.loss[i]]);
    const smooth = ema(xs, s.loss, from, n, stride, smoothing);
    const lossY = lossScale(points, logLoss);
    loss.draw(axis, lossY, logLoss ? '~g' : '.2f');
    const ctx = loss.canvasContext();
    if (ctx) {
      ctx.fillStyle = 'rgba(31, 119, 180, 0.35)';
      for (const [x, y] of points) ctx.fillRect(loss.x(x) - 1.4, lossY(y) - 1.4, 2.8, 2.8);
    }
    loss.line('smooth', smooth, 'line-loss');

    // ---- accuracy ----
    const accY = d3.scaleLinear().domain([0, 1]);
    acc.draw(axis, accY, '.0%');
    acc.line('train', ema(xs, s.accuracy, from, n, stride, smoothing), 'line-train');
    const val = state.validation.filter(v => v.step >= firstStep && Number.isFinite(v.accuracy)).map(v => [xOf(v.step), v.accuracy])
      .filter(v => Number.isFinite(v[0]));
    acc.line('val', val, 'line-val');
    acc.dots('val', val, 'dot-val');

    // ---- throughput ----
    const tp = state.throughput.filter(t => t.step >= firstStep && Number.isFinite(t.imagesPerSecond))
      .map(t => [xOf(t.step), t.imagesPerSecond]).filter(t => Number.isFinite(t[0]));
    let ipsMax = 0;
    for (const p of tp) ipsMax = Math.max(ipsMax, p[1]);
    ips.draw(axis, d3.scaleLinear().domain([0, ipsMax > 0 ? ipsMax * 1.1 : 1]).nice(), '~s');
    ips.line('ips', tp, 'line-ips');

    // ---- steering markers ----
    const markers = state.steering.map((e, i) => ({ ...e, key: `${i}`, x: xOf(e.step) }))
      .filter(e => e.step >= firstStep && e.step <= lastStep + 1 && Number.isFinite(e.x));
    loss.markers(markers, true, showTip, hideTip);
    acc.markers(markers, false, showTip, hideTip);
  }

  return { render };
}

/** The run's points of its last `span` steps, and its validation points and steering entries in them. */
function lastSteps(run, span) {
  const first = (run.steps[run.steps.length - 1] ?? 0) - span;
  const from = d3.bisectLeft(run.steps, first);
  const keep = ['steps', 'loss', 'accuracy', 'examples', 'wall', 'ips'].map(k => [k, run[k].slice(from)]);
  return { ...run, ...Object.fromEntries(keep), validation: run.validation.filter(v => v.step >= first),
    steering: run.steering.filter(e => e.step >= first) };
}

/** The loss axis: linear from 0, or logarithmic over the positive losses (log). */
function lossScale(points, log) {
  const ys = points.map(p => p[1]).filter(y => y > 0);
  const yMax = d3.max(ys) ?? 0;
  if (log) return d3.scaleLog().domain(ys.length ? [d3.min(ys), Math.max(yMax, d3.min(ys) * 10)] : [0.01, 10]).nice();
  return d3.scaleLinear().domain([0, yMax > 0 ? yMax * 1.05 : 1]).nice();
}

/** Adds CSV, SVG and PNG buttons to a chart; `save(format)` saves it. */
function addDownloads(host, save) {
  const bar = document.createElement('div');
  bar.className = 'chart-downloads';
  for (const format of ['csv', 'svg', 'png']) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn btn-small';
    button.dataset.format = format;
    button.textContent = format.toUpperCase();
    button.title = `Download this chart as ${format.toUpperCase()}`;
    button.addEventListener('click', () => save(format));
    bar.append(button);
  }
  host.append(bar);
}

/** Maps a step to the x of the first series point at or after it (the last point for later steps). */
function xOfStep(series, xs) {
  if (xs === series.steps) return step => step;
  return (step) => {
    const i = Math.min(series.steps.length - 1, d3.bisectLeft(series.steps, step));
    return i >= 0 ? xs[i] : NaN;
  };
}

/** The range of the finite xs[from..to), widened to a non-empty interval. */
function valueDomain(xs, from, to) {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = from; i < to; i++) if (Number.isFinite(xs[i])) { lo = Math.min(lo, xs[i]); hi = Math.max(hi, xs[i]); }
  if (!Number.isFinite(lo)) return [0, 1];
  return [lo, Math.max(hi, lo + 1)];
}

/** Exponential moving average of ys (debiased, TensorBoard-style), sampled every `stride`; smoothing null: by the count. */
function ema(xs, ys, from, to, stride, smoothing) {
  const out = [];
  const alpha = smoothingWeight(smoothing, to - from);
  let avg = 0;
  let weight = 0;
  for (let i = from; i < to; i++) {
    const y = ys[i];
    if (!Number.isFinite(y) || !Number.isFinite(xs[i])) continue;
    avg = alpha * avg + (1 - alpha) * y;
    weight = alpha * weight + (1 - alpha);
    if ((i - from) % stride === 0 || i === to - 1) out.push([xs[i], avg / weight]);
  }
  return out;
}

function makeChart(host, title, { canvas = false }) {
  host.innerHTML = '';
  const heading = document.createElement('div');
  heading.className = 'chart-title';
  heading.textContent = title;
  host.append(heading);
  let cnv = null;
  if (canvas) {
    cnv = document.createElement('canvas');
    cnv.className = 'chart-canvas';
    host.append(cnv);
  }
  const svg = d3.select(host).append('svg').attr('class', 'chart-svg').attr('role', 'img').attr('aria-label', title);
  const grid = svg.append('g').attr('class', 'grid');
  const xAxis = svg.append('g').attr('class', 'axis x-axis');
  const yAxis = svg.append('g').attr('class', 'axis y-axis');
  const plot = svg.append('g').attr('class', 'plot');
  const markerLayer = svg.append('g').attr('class', 'markers');
  svg.append('text').attr('class', 'axis-label');
  const chart = {
    host,
    x: d3.scaleLinear(),
    y: d3.scaleLinear(),
    width: 0,
    height: 0,
    /** Axes for {domain, time, title} on x (time: wall-clock millis) and the scale y. */
    draw(axis, y, format) {
      const w = host.clientWidth;
      const h = host.clientHeight - 18;
      chart.width = w;
      chart.height = h;
      svg.attr('width', w).attr('height', h);
      chart.x = (axis.time ? d3.scaleTime() : d3.scaleLinear()).domain(axis.domain).range([MARGIN.left, w - MARGIN.right]);
      chart.y = y.range([h - MARGIN.bottom, MARGIN.top]);
      const xTicks = Math.max(2, Math.floor(w / 110));
      const yTicks = Math.max(2, Math.floor(h / 40));
      xAxis.attr('transform', `translate(0,${h - MARGIN.bottom})`)
        .call(axis.format ? d3.axisBottom(chart.x).ticks(xTicks).tickFormat(axis.format).tickSizeOuter(0)
          : d3.axisBottom(chart.x).ticks(xTicks, axis.time ? undefined : '~s').tickSizeOuter(0));
      yAxis.attr('transform', `translate(${MARGIN.left},0)`)
        .call(d3.axisLeft(chart.y).ticks(yTicks, format).tickSizeOuter(0));
      grid.selectAll('line').data(chart.y.ticks(yTicks)).join('line')
        .attr('x1', MARGIN.left).attr('x2', w - MARGIN.right)
        .attr('y1', d => chart.y(d)).attr('y2', d => chart.y(d));
      svg.select('.axis-label').attr('x', w - MARGIN.right).attr('y', h - 2).attr('text-anchor', 'end').text(axis.title);
      if (cnv) {
        const ratio = window.devicePixelRatio || 1;
        if (cnv.width !== Math.round(w * ratio) || cnv.height !== Math.round(h * ratio)) {
          cnv.width = Math.round(w * ratio);
          cnv.height = Math.round(h * ratio);
          cnv.style.width = `${w}px`;
          cnv.style.height = `${h}px`;
        }
        const ctx = cnv.getContext('2d');
        ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
        ctx.clearRect(0, 0, w, h);
        ctx.save();
        ctx.beginPath();
        ctx.rect(MARGIN.left, MARGIN.top, w - MARGIN.left - MARGIN.right, h - MARGIN.top - MARGIN.bottom);
        ctx.clip();
        chart.ctx = ctx;
      }
    },
    canvasContext() { return chart.ctx || null; },
    line(key, data, cls) {
      const path = d3.line().x(d => chart.x(d[0])).y(d => chart.y(d[1])).defined(d => Number.isFinite(d[0]) && Number.isFinite(d[1]));
      plot.selectAll(`path.${cls}`).data([data]).join('path').attr('class', `series ${cls}`).attr('d', path);
      if (chart.ctx) { chart.ctx.restore(); chart.ctx = null; }
    },
    dots(key, data, cls) {
      plot.selectAll(`circle.${cls}`).data(data, d => d[0]).join('circle').attr('class', cls).attr('r', 2.5)
        .attr('cx', d => chart.x(d[0])).attr('cy', d => chart.y(d[1]));
    },
    markers(entries, labelled, onEnter, onLeave) {
      const top = MARGIN.top - 4;
      const bottom = chart.height - MARGIN.bottom;
      const groups = markerLayer.selectAll('g.marker').data(entries, d => d.key).join(enter => {
        const g = enter.append('g').attr('class', d => `marker marker-${d.type}`).attr('tabindex', labelled ? 0 : null)
          .attr('role', labelled ? 'note' : null);
        g.append('title');
        g.append('line');
        g.append('rect').attr('class', 'hit');
        if (labelled) {
          g.append('path').attr('class', 'flag');
          g.append('text').attr('class', 'marker-label');
        }
        return g;
      });
      const right = chart.width - MARGIN.right;
      groups.attr('transform', d => `translate(${chart.x(d.x).toFixed(1)},0)`)
        .attr('aria-label', d => `step ${d.step}: ${d.label}`)
        .on('mouseenter focus', (e, d) => onEnter(e, d))
        .on('mousemove', (e, d) => onEnter(e, d))
        .on('mouseleave blur', onLeave);
      groups.select('title').text(d => `step ${d.step}: ${d.label}`);
      groups.select('line').attr('y1', top).attr('y2', bottom);
      groups.select('rect.hit').attr('x', -4).attr('width', 8).attr('y', top).attr('height', bottom - top);
      if (labelled) {
        const texts = groups.select('text.marker-label').text(d => shortLabel(d));
        // measured while shown: a label left out last time (display: none) would measure 0 px wide; the box
        // also covers glyphs wider than their advance (❚❚ from a fallback font)
        groups.classed('unlabelled', false);
        const widths = new Map();
        texts.each(function (d) { widths.set(d.key, Math.max(this.getComputedTextLength(), this.getBBox().width)); });
        const rows = placeLabels(entries.map(d => ({ key: d.key, x: chart.x(d.x), width: widths.get(d.key) })), right);
        const y = d => top + 8 + 12 * rows.get(d.key).row;
        const flipped = d => rows.get(d.key).flipped;
        groups.classed('unlabelled', d => !rows.has(d.key));
        const placed = groups.filter(d => rows.has(d.key));
        placed.select('path.flag').attr('d', d => flipped(d) ? `M0,${y(d) - 8}h-6l2,4l-2,4h6z` : `M0,${y(d) - 8}h6l-2,4l2,4h-6z`);
        placed.select('text.marker-label').attr('x', d => flipped(d) ? -8 : 8).attr('y', d => y(d))
          .attr('text-anchor', d => flipped(d) ? 'end' : 'start');
      }
    },
  };
  return chart;
}

/**
 * Puts each label ({key, x, width} in pixels; it starts 8 px right of its marker, or ends 8 px left
 * of it where it would pass the right edge) in the first of LABEL_ROWS rows where it keeps
 * LABEL_GAP px from the label before it; labels that fit no row are left out. Returns key ->
 * {row, flipped} for the labels placed.
 */
function placeLabels(labels, right) {
  const rowEnds = new Array(LABEL_ROWS).fill(-Infinity);
  const placed = new Map();
  const spans = labels.map(l => {
    const flipped = l.x + 8 + l.width > right;
    return { key: l.key, flipped, from: flipped ? l.x - 8 - l.width : l.x, to: flipped ? l.x : l.x + 8 + l.width };
  }).sort((a, b) => a.from - b.from);
  for (const span of spans) {
    const row = rowEnds.findIndex(end => span.from >= end + LABEL_GAP);
    if (row < 0) continue;
    rowEnds[row] = span.to;
    placed.set(span.key, { row, flipped: span.flipped });
  }
  return placed;
}

function shortLabel(e) {
  switch (e.type) {
    case 'set-hyperparameters': {
      const keys = Object.keys(e.result && Object.keys(e.result).length ? e.result : e.payload || {});
      const names = { learningRate: 'lr', momentum: 'mom', batchSize: 'batch', weightDecay: 'wd', optimizer: 'opt' };
      return keys.map(k => names[k] || k).join('+') || 'hp';
    }
    case 'add-filters': return `+${e.payload?.count ?? 1} ${e.payload?.layer ?? ''}`;
    case 'remove-filters': return `−${(e.payload?.filters || []).length} ${e.payload?.layer ?? ''}`;
    case 'insert-layer': return `+layer`;
    case 'remove-layer': return `−${e.payload?.layer ?? 'layer'}`;
    case 'set-probe': return 'probe';
    case 'pause': return '❚❚';
    case 'resume': return '▶';
    default: return e.type;
  }
}
