// The script of a `revacnn report` page, appended there to web/js/runs-chart.js in one inline
// module (so it uses that file's functions without importing them): draws the runs of the
// report's JSON data overlaid, redraws when the smoothing, loss axis or x-axis change, and saves
// each chart as CSV, SVG or PNG.

const report = JSON.parse(document.getElementById('report-data').textContent);
const runs = report.runs.map((r, i) => runFromHistory(r.name, runColour(i), r.history,
  e => `${e.type} ${JSON.stringify(e.payload ?? {})}`));
const options = { smoothing: null, log: false, axis: 'step' };
const charts = [['loss', 'Loss', 360], ['accuracy', 'Accuracy', 260], ['throughput', 'Throughput (images/s)', 200]];

function draw() {
  for (const [metric, title, height] of charts) {
    const svg = document.getElementById(`chart-${metric}`);
    drawChart(svg, chartData(runs, metric, options.axis, options.smoothing),
      { title, metric, axis: options.axis, log: metric === 'loss' && options.log, width: 900, height });
  }
}

document.getElementById('smoothing').addEventListener('input', (e) => {
  options.smoothing = Number(e.target.value);
  document.getElementById('smoothing-value').textContent = options.smoothing.toFixed(3);
  draw();
});
document.getElementById('log-loss').addEventListener('change', (e) => { options.log = e.target.checked; draw(); });
document.getElementById('x-axis').innerHTML = X_AXES.map(([value, label]) =>
  `<label><input type="radio" name="x-axis" value="${value}"${value === 'step' ? ' checked' : ''}> ${label}</label>`).join(' ');
document.querySelectorAll('input[name=x-axis]').forEach(input => input.addEventListener('change', () => {
  options.axis = input.value;
  draw();
}));
document.querySelectorAll('button[data-chart]').forEach(button => button.addEventListener('click', () => {
  const metric = button.dataset.chart;
  saveChart(button.dataset.format, `revacnn-${metric}`, document.getElementById(`chart-${metric}`),
    chartData(runs, metric, options.axis, options.smoothing));
}));
document.querySelectorAll('[data-run-colour]').forEach(cell => {
  cell.style.background = runColour(Number(cell.dataset.runColour));
});
draw();
