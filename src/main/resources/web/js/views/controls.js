// Hyperparameter controls beside the charts: learning rate, momentum, batch size, weight decay and
// optimiser, checked client-side before sending and showing the server's answer; undo, checkpoint,
// and the steering log. Fields show the server's values except while the user edits them.

import { commands, OPTIMIZERS, parseHyperparameter, label } from '../protocol.js';
import { num } from '../store.js';

const FIELDS = ['learningRate', 'momentum', 'batchSize', 'weightDecay'];

export function createControls(element, actions) {
  element.innerHTML = `
    <h2 class="panel-title">Hyperparameters</h2>
    <form id="hp-form" class="hp-form" novalidate>
      ${FIELDS.map(f => `
        <label class="field stacked" for="hp-${f}">${label(f)}
          <input id="hp-${f}" name="${f}" type="text" inputmode="decimal" autocomplete="off" aria-describedby="hp-${f}-error">
          <span class="field-error" id="hp-${f}-error" role="alert"></span>
        </label>`).join('')}
      <label class="field stacked" for="hp-optimizer">optimizer
        <select id="hp-optimizer" name="optimizer">${OPTIMIZERS.map(o => `<option value="${o}">${o}</option>`).join('')}</select>
      </label>
      <div class="form-buttons">
        <button class="btn btn-primary" type="submit" id="hp-apply">Apply</button>
        <button class="btn" type="button" id="hp-revert">Revert</button>
      </div>
      <div id="hp-status" class="form-status" role="status" aria-live="polite"></div>
    </form>
    <h2 class="panel-title">Model</h2>
    <div class="form-buttons">
      <button class="btn" id="ctl-undo" title="Undo the last structural change">↶ Undo</button>
      <button class="btn" id="ctl-checkpoint" title="Save a checkpoint on the server">Save checkpoint</button>
    </div>
    <h2 class="panel-title">Steering log</h2>
    <ol class="steering-log" id="steering-log" reversed></ol>`;

  const $ = (s) => element.querySelector(s);
  const form = $('#hp-form');
  const inputs = Object.fromEntries(FIELDS.map(f => [f, $(`#hp-${f}`)]));
  inputs.optimizer = $('#hp-optimizer');
  const status = $('#hp-status');
  const log = $('#steering-log');
  const dirty = new Set();
  let pendingId = null;
  let lastSettings = null;
  let logVersion = -1;

  for (const [name, input] of Object.entries(inputs)) {
    input.addEventListener('input', () => {
      dirty.add(name);
      fieldError(name, '');
    });
  }
  $('#hp-revert').addEventListener('click', () => {
    dirty.clear();
    for (const f of FIELDS) fieldError(f, '');
    status.textContent = '';
    lastSettings = null;
    actions.requestRender();
  });
  $('#ctl-undo').addEventListener('click', () => actions.command(commands.undo()));
  $('#ctl-checkpoint').addEventListener('click', () => actions.command(commands.saveCheckpoint()));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const changes = {};
    let ok = true;
    for (const name of [...FIELDS, 'optimizer']) {
      if (!dirty.has(name)) continue;
      const [value, error] = parseHyperparameter(name, inputs[name].value);
      if (error) { fieldError(name, error); ok = false; } else changes[name] = value;
    }
    if (!ok) {
      setStatus('Fix the highlighted fields first.', 'error');
      return;
    }
    if (!Object.keys(changes).length) {
      setStatus('Nothing changed.', 'info');
      return;
    }
    pendingId = actions.command(commands.setHyperparameters(changes));
    if (pendingId) setStatus('Sending…', 'info');
  });

  function fieldError(name, message) {
    const box = element.querySelector(`#hp-${name}-error`);
    if (box) box.textContent = message;
    inputs[name]?.setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  function setStatus(text, kind) {
    status.textContent = text;
    status.dataset.kind = kind;
  }

  return {
    render(state) {
      const h = state.snapshot?.hyperparameters;
      if (pendingId) {
        const result = state.results.get(pendingId);
        if (result) {
          pendingId = null;
          if (result.ok) {
            setStatus(Object.keys(result.changes || {}).length ? 'Applied.' : 'Applied (no change).', 'ok');
            dirty.clear();
            lastSettings = null;
          } else {
            setStatus(`Server refused: ${result.message}`, 'error');
          }
        }
      }
      if (h) {
        const key = JSON.stringify(h);
        if (key !== lastSettings) {
          lastSettings = key;
          for (const f of FIELDS) if (!dirty.has(f)) inputs[f].value = formatValue(num(h[f]));
          if (!dirty.has('optimizer')) inputs.optimizer.value = h.optimizer;
        }
      }
      const disabled = state.connection !== 'open';
      $('#hp-apply').disabled = disabled || !!pendingId;
      $('#ctl-undo').disabled = disabled;
      $('#ctl-checkpoint').disabled = disabled;

      if (state.steeringVersion !== logVersion) {
        logVersion = state.steeringVersion;
        const entries = state.steering.slice(-200).reverse();
        d3.select(log).selectAll('li').data(entries, d => `${d.step}|${d.wallMillis}|${d.type}`).join('li')
          .attr('class', d => `log-${d.type}`)
          .html('')
          .call(li => li.append('span').attr('class', 'log-step').text(d => `step ${num(d.step).toLocaleString('en-US')}`))
          .call(li => li.append('span').attr('class', 'log-text').text(d => d.label));
      }
    },
  };
}

function formatValue(v) {
  if (!Number.isFinite(v)) return '';
  if (Number.isInteger(v)) return String(v);
  return String(+v.toPrecision(6));
}
