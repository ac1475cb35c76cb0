// Runs overlaid on one chart (Training Stats' comparison and `revacnn report`): each run's loss or
// accuracy against step, examples seen, wall time or time since its start, smoothed with
// TensorBoard's exponential moving average, its steering actions as markers in its colour, and the
// chart as CSV, SVG or PNG. Imports nothing (D3 v7 is the global `d3`), so that the report can
// inline this file as it is. Styles are SVG attributes, not CSS classes, so a chart saved as SVG
// or PNG looks as it does on the page.

/** Run colours in the order runs are listed (TensorBoard's palette). */
export const RUN_COLOURS = ['#ff7043', '#0077bb', '#cc3311', '#33bbee', '#ee3377', '#009988', '#7e57c2', '#827717'];

/** What the x-axis measures: value, radio label and axis title. */
export const X_AXES = [['step', 'Step', 'step'], ['examples', 'Examples', 'examples seen'], ['time', 'Wall time', 'wall time'],
  ['relative', 'Relative', 'time since the run started']];

const MARGIN = { top: 26, right: 16, bottom: 28, left: 52 };
/** Per metric: the run's values and the name of their series. */
const METRICS = {
  loss: ['loss', 'batch loss'],
  accuracy: ['accuracy', 'train accuracy'],
  throughput: ['ips', 'images per second'],
};
const MAX_POINTS = 4000;

export function runColour(index) {
  return RUN_COLOURS[index % RUN_COLOURS.length];
}

/** A number from JSON: a number, "NaN"/"Infinity" string or null (NaN). */
function num(v) {
  if (typeof v === 'number') return v;
  return v == null ? NaN : Number(v);
}

/**
 * A run from a history body (GET /api/history, docs/PROTOCOL.md): per point (bucket i, plotted at its
 * last step) step, loss, accuracy, examples seen, wall-clock millis and throughput (ips, images/s);
 * validation points; steering entries labelled by `label(entry)`.
 */
export function runFromHistory(name, colour, history, label) {
  const first = num(history.firstStep) || 1;
  const stride = num(history.stride) || 1;
  const loss = (history.loss || []).map(num);
  const at = (key, i) => num(history[key]?.[i]);
  return {
    name, colour,
    steps: loss.map((_, i) => first + i * stride + stride - 1),
    loss,
    accuracy: loss.map((_, i) => at('accuracy', i)),
    examples: loss.map((_, i) => at('examplesSeen', i)),
    wall: loss.map((_, i) => at('wallMillis', i)),
    ips: loss.map((_, i) => at('imagesPerSecond', i)),
    validation: (history.validation || []).map(v => ({ step: num(v.step), accuracy: num(v.accuracy) })),
    steering: (history.steering || []).map(e => ({ step: num(e.step), type: e.type, label: label(e) })),
  };
}

/**
 * The smoothing weight w of the moving average for `count` points: the slider's value, or when it
 * is null (not moved yet) a weight that suits the count (0.85 up to 200 points, 0.97 up to 2000, else 0.995).
 */
export function smoothingWeight(smoothing, count) {
  if (smoothing != null) return smoothing;
  return count > 2000 ? 0.995 : count > 200 ? 0.97 : 0.85;
}

/**
 * TensorBoard's smoothing: m_k = w·m_(k-1) + (1-w)·y_k over the finite values, m_0 = 0, shown
 * debiased as m_k / (1 - w^k) (so the first point is the first value, not pulled to 0). NaN where y is.
 */
export function smooth(ys, w) {
  const out = new Array(ys.length);
  let m = 0;
  let k = 0;
  for (let i = 0; i < ys.length; i++) {
    if (!Number.isFinite(ys[i])) { out[i] = NaN; continue; }
    m = w * m + (1 - w) * ys[i];
    k++;
    out[i] = w >= 1 ? ys[i] : m / (1 - w ** k);
  }
  return out;
}

/** Each point's x on `axis` (NaN where not recorded): step, examples, wall millis or seconds since the run's first point. */
export function xValues(run, axis) {
  if (axis === 'step') return run.steps;
  const recorded = (axis === 'examples' ? run.examples : run.wall).map(v => (Number.isFinite(v) && v > 0 ? v : NaN));
  if (axis !== 'relative') return recorded;
  const start = recorded.find(Number.isFinite);
  return recorded.map(v => (v - start) / 1000);
}

/** Maps a step to the x of the run's first point at or after it (its last point for later steps). */
function xOfStep(run, xs) {
  if (xs === run.steps) return step => step;
  return (step) => {
    const i = Math.min(run.steps.length - 1, d3.bisectLeft(run.steps, step));
    return i >= 0 ? xs[i] : NaN;
  };
}

/**
 * What a chart of `metric` ('loss', 'accuracy' or 'throughput') shows of each run: its lines of points
 * {run, colour, series, dashed, points: [{step, examples, wall, x, y, smooth}]} (loss: the batch loss;
 * accuracy: the training accuracy, smoothed, and the validation accuracy, as measured; throughput:
 * images per second) and its
 * steering markers {run, colour, step, x, label}.
 */
export function chartData(runs, metric, axis, smoothing) {
  const lines = [];
  const markers = [];
  for (const run of runs) {
    const xs = xValues(run, axis);
    const [key, series] = METRICS[metric];
    const ys = run[key] || [];
    const smoothed = smooth(ys, smoothingWeight(smoothing, ys.length));
    const point = (i, y, s) => ({ step: run.steps[i], examples: run.examples[i], wall: run.wall[i], x: xs[i], y, smooth: s });
    lines.push({ run: run.name, colour: run.colour, series, dashed: false,
      points: ys.map((y, i) => point(i, y, smoothed[i])) });
    const xOf = xOfStep(run, xs);
    if (metric === 'accuracy') {
      const points = run.validation.filter(v => Number.isFinite(v.accuracy)).map(v => {
        const i = Math.min(run.steps.length - 1, d3.bisectLeft(run.steps, v.step));
        return { ...point(i, v.accuracy, v.accuracy), step: v.step, x: xOf(v.step) };
      });
      lines.push({ run: run.name, colour: run.colour, series: 'validation accuracy', dashed: true, points });
    }
    for (const e of run.steering) {
      if (e.type === 'step' || e.type === 'pause' || e.type === 'resume') continue;
      const x = xOf(e.step);
      if (Number.isFinite(x)) markers.push({ run: run.name, colour: run.colour, step: e.step, x, label: e.label });
    }
  }
  return { lines, markers };
}

/** The chart's data as CSV: one row a point, every run and series, raw and smoothed. */
export function chartCsv(data) {
  const cell = v => (typeof v === 'string' ? `"${v.replaceAll('"', '""')}"` : Number.isFinite(v) ? String(v) : '');
  const rows = ['run,series,step,examplesSeen,wallMillis,value,smoothed'];
  for (const line of data.lines) {
    for (const p of line.points) {
      rows.push([line.run, line.series, p.step, p.examples > 0 ? p.examples : NaN, p.wall > 0 ? p.wall : NaN, p.y, p.smooth]
        .map(cell).join(','));
    }
  }
  return rows.join('\n') + '\n';
}

/** Every `stride`-th point and the last, so that a line has at most MAX_POINTS. */
function thin(points) {
  const stride = Math.max(1, Math.ceil(points.length / MAX_POINTS));
  return points.filter((_, i) => i % stride === 0 || i === points.length - 1);
}

/** Tick labels of seconds since a run's start: 45 s, 12 min, 3.5 h. */
export function formatDuration(seconds) {
  if (Math.abs(seconds) < 180) return `${d3.format('~r')(seconds)} s`;
  if (Math.abs(seconds) < 3 * 3600) return `${d3.format('~r')(+(seconds / 60).toPrecision(3))} min`;
  return `${d3.format('~r')(+(seconds / 3600).toPrecision(3))} h`;
}

/**
 * Draws `data` (chartData) into the SVG element `svg`, width × height px: axes, each line raw
 * (faint; loss only) and smoothed, validation points, steering markers with their run and label on
 * hover, a legend of the runs. `log`: a logarithmic y-axis (points at or below 0 are left out).
 */
export function drawChart(svg, data, { title, metric, axis, log, width, height }) {
  const root = d3.select(svg).attr('width', width).attr('height', height).attr('viewBox', `0 0 ${width} ${height}`)
    .attr('font-family', 'sans-serif').attr('font-size', 10);
  root.selectAll('*').remove();
  root.append('rect').attr('width', width).attr('height', height).attr('fill', '#fff');
  const finite = p => Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || p.y > 0);
  const all = data.lines.flatMap(l => l.points.filter(finite));
  const xExtent = d3.extent(all, p => p.x);
  const x = (axis === 'time' ? d3.scaleTime() : d3.scaleLinear())
    .domain(xExtent[0] === undefined ? [0, 1] : [xExtent[0], xExtent[1] > xExtent[0] ? xExtent[1] : xExtent[0] + 1])
    .range([MARGIN.left, width - MARGIN.right]);
  const yMax = d3.max(all, p => p.y) ?? 1;
  const y = metric === 'accuracy' && !log ? d3.scaleLinear().domain([0, 1])
    : log ? d3.scaleLog().domain([d3.min(all, p => p.y) ?? 0.01, Math.max(yMax, (d3.min(all, p => p.y) ?? 0.01) * 10)]).nice()
      : d3.scaleLinear().domain([0, yMax > 0 ? yMax * 1.05 : 1]).nice();
  y.range([height - MARGIN.bottom, MARGIN.top]);
  const xAxis = d3.axisBottom(x).ticks(Math.max(2, Math.floor(width / 110))).tickSizeOuter(0);
  if (axis === 'relative') xAxis.tickFormat(formatDuration);
  else if (axis !== 'time') xAxis.tickFormat(d3.format('~s'));
  root.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${height - MARGIN.bottom})`).call(xAxis);
  root.append('g').attr('class', 'y-axis').attr('transform', `translate(${MARGIN.left},0)`)
    .call(d3.axisLeft(y).ticks(Math.max(2, Math.floor(height / 40)), yFormat(metric, log)).tickSizeOuter(0));
  root.append('text').attr('x', MARGIN.left).attr('y', 14).attr('font-weight', 600).attr('font-size', 12).attr('fill', '#333').text(title);
  root.append('text').attr('x', width - MARGIN.right).attr('y', height - 2).attr('text-anchor', 'end').attr('fill', '#555')
    .text(X_AXES.find(a => a[0] === axis)[2]);

  const plot = root.append('g').attr('class', 'plot');
  const line = key => d3.line().x(p => x(p.x)).y(p => y(p[key])).defined(p => finite(p) && Number.isFinite(p[key]) && (!log || p[key] > 0));
  for (const l of data.lines) {
    const points = thin(l.points);
    if (!l.dashed && metric === 'loss') {
      plot.append('path').attr('class', 'run-raw').attr('data-run', l.run).attr('d', line('y')(points))
        .attr('fill', 'none').attr('stroke', l.colour).attr('stroke-opacity', 0.25).attr('stroke-width', 1);
    }
    plot.append('path').attr('class', l.dashed ? 'run-validation' : 'run-line').attr('data-run', l.run)
      .attr('d', line('smooth')(points)).attr('fill', 'none').attr('stroke', l.colour).attr('stroke-width', l.dashed ? 1.5 : 2)
      .attr('stroke-dasharray', l.dashed ? '4 3' : null);
    if (l.dashed) {
      plot.selectAll(null).data(points.filter(finite)).join('circle').attr('class', 'run-dot').attr('data-run', l.run).attr('r', 2.5)
        .attr('cx', p => x(p.x)).attr('cy', p => y(p.y)).attr('fill', l.colour);
    }
  }
  const marks = root.append('g').attr('class', 'markers').selectAll('g').data(data.markers).join('g')
    .attr('class', 'run-marker').attr('data-run', m => m.run).attr('transform', m => `translate(${x(m.x).toFixed(1)},0)`);
  marks.append('title').text(m => `${m.run} · step ${m.step}: ${m.label}`);
  marks.append('line').attr('y1', MARGIN.top).attr('y2', height - MARGIN.bottom).attr('stroke', m => m.colour)
    .attr('stroke-width', 1.5).attr('stroke-dasharray', '3 2');
  marks.append('rect').attr('x', -4).attr('width', 8).attr('y', MARGIN.top).attr('height', height - MARGIN.top - MARGIN.bottom)
    .attr('fill', 'transparent');

  const runs = [...new Map(data.lines.map(l => [l.run, l.colour])).entries()];
  const legend = root.append('g').attr('class', 'legend').attr('text-anchor', 'end');
  runs.forEach(([name, colour], i) => {
    legend.append('text').attr('x', width - MARGIN.right).attr('y', MARGIN.top + 10 + 12 * i).attr('fill', colour)
      .attr('font-weight', 600).text(name);
  });
}

/** The y-axis tick format: percent for accuracy, SI prefixes for throughput, else two decimals (or as needed on a log axis). */
function yFormat(metric, log) {
  if (metric === 'accuracy') return '.0%';
  if (metric === 'throughput') return '~s';
  return log ? '~g' : '.2f';
}

/** The SVG element as a standalone SVG document. */
export function svgMarkup(svg) {
  const copy = svg.cloneNode(true);
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`;
}

/** The SVG element drawn at twice its size into a PNG (a promise of a Blob). */
export function pngBlob(svg) {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = 2 * width;
      canvas.height = 2 * height;
      const ctx = canvas.getContext('2d');
      ctx.scale(2, 2);
      ctx.drawImage(image, 0, 0, width, height);
      URL.revokeObjectURL(url);
      canvas.toBlob(blob => (blob ? resolve(blob) : reject(new Error('the chart could not be drawn as PNG'))), 'image/png');
    };
    image.onerror = () => { URL.revokeObjectURL(url); reject(new Error('the chart could not be drawn as PNG')); };
    image.src = url;
  });
}

/** Offers `blob` as a download named `name`. */
export function download(name, blob) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Saves the chart drawn in `svg` from `data` as `base`.csv, .svg or .png. */
export async function saveChart(format, base, svg, data) {
  if (format === 'csv') download(`${base}.csv`, new Blob([chartCsv(data)], { type: 'text/csv' }));
  else if (format === 'svg') download(`${base}.svg`, new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  else download(`${base}.png`, await pngBlob(svg));
}
