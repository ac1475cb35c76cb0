// Hyperparameter controls beside the charts: learning rate, momentum, batch size, weight decay and
// optimiser, checked client-side before sending and showing the server's answer (switching the
// optimiser shows the learning rate it will get); undo, checkpoint; a new run of a model typed in
// shorthand; and the steering log. Fields show the server's values except while the user edits them.
// What the engine cannot do now (no run attached, a command it does not support) is disabled, and
// the panel says why.

import { commands, COMMAND, OPTIMIZERS, DEFAULT_LEARNING_RATES, parseHyperparameter, label } from '../protocol.js';
import { steeringOff, commandBlocked, gate, explain } from '../engine.js';
import { num } from '../store.js';
import { shorthandOf } from '../modelspec.js';

const FIELDS = ['learningRate', 'momentum', 'batchSize', 'weightDecay'];

export function createControls(element, actions) {
  element.innerHTML = `
    <h2 class="panel-title">Hyperparameters</h2>
    <p class="unavailable-note" id="controls-unavailable" hidden></p>
    <form id="hp-form" class="hp-form" novalidate>
      ${FIELDS.map(f => `
        <label class="field stacked" for="hp-${f}">${label(f)}
          <input id="hp-${f}" name="${f}" type="text" inputmode="decimal" autocomplete="off" aria-describedby="hp-${f}-error">
          ${f === 'learningRate' ? '<span class="muted small" id="hp-learningRate-note" aria-live="polite"></span>' : ''}
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
    <h2 class="panel-title">New run</h2>
    <form id="run-form" class="hp-form" novalidate>
      <label class="field stacked" for="run-model">model (shorthand)
        <input id="run-model" type="text" autocomplete="off" spellcheck="false" placeholder="conv16-conv20-conv20"
          aria-describedby="run-model-help run-model-error">
        <span class="muted small" id="run-model-help">blocks joined by "-": convF[kK][sS][pP][nopool], fcU, poolS, dropPCT</span>
        <span class="field-error" id="run-model-error" role="alert"></span>
      </label>
      <div class="field stacked">dataset <b id="run-dataset">–</b>
        <span class="muted small">fixed when the server starts (<code>revacnn serve --data …</code>)</span></div>
      <div class="form-buttons"><button class="btn" type="submit" id="run-start">Start a new run…</button></div>
      <p class="unavailable-note" id="run-unavailable" hidden></p>
      <div id="run-confirm" class="form-status" hidden>
        <span id="run-confirm-text"></span>
        <div class="form-buttons"><button class="btn btn-primary" type="button" id="run-confirm-yes">Reset now</button>
          <button class="btn" type="button" id="run-confirm-no">Cancel</button></div>
      </div>
      <div id="run-status" class="form-status" role="status" aria-live="polite"></div>
    </form>
    <h2 class="panel-title">Steering log</h2>
    <ol class="steering-log" id="steering-log" reversed></ol>`;

  const $ = (s) => element.querySelector(s);
  const form = $('#hp-form');
  const inputs = Object.fromEntries(FIELDS.map(f => [f, $(`#hp-${f}`)]));
  inputs.optimizer = $('#hp-optimizer');
  const status = $('#hp-status');
  const log = $('#steering-log');
  const lrNote = $('#hp-learningRate-note');
  const dirty = new Set();
  let pendingId = null;
  let lastSettings = null;
  let serverSettings = null;
  let logVersion = -1;

  for (const [name, input] of Object.entries(inputs)) {
    input.addEventListener('input', () => {
      dirty.add(name);
      fieldError(name, '');
      if (name === 'learningRate') lrNote.textContent = '';
    });
  }
  // a new optimiser gets its own default rate (CommandApplier): show that rate before Apply,
  // unless the user typed one; back to the server's optimiser, back to its rate
  inputs.optimizer.addEventListener('change', () => {
    if (dirty.has('learningRate') && !lrNote.textContent) return;
    const chosen = inputs.optimizer.value;
    const same = chosen === serverSettings?.optimizer;
    inputs.learningRate.value = formatValue(same ? num(serverSettings.learningRate) : DEFAULT_LEARNING_RATES[chosen]);
    if (same) dirty.delete('learningRate'); else dirty.add('learningRate');
    lrNote.textContent = same ? '' : `${chosen}'s default rate, applied with the optimiser`;
    fieldError('learningRate', '');
  });
  $('#hp-revert').addEventListener('click', () => {
    lrNote.textContent = '';
    dirty.clear();
    for (const f of FIELDS) fieldError(f, '');
    status.textContent = '';
    lastSettings = null;
    actions.requestRender();
  });
  $('#ctl-undo').addEventListener('click', () => actions.command(commands.undo()));
  $('#ctl-checkpoint').addEventListener('click', () => actions.command(commands.saveCheckpoint()));

  // ---- new run: the model field starts as the live network's shorthand; a reset needs a second click ----
  const runModel = $('#run-model');
  const runConfirm = $('#run-confirm');
  const runStatus = $('#run-status');
  let runDirty = false;
  let runShownFor = null;
  let runPendingId = null;
  runModel.addEventListener('input', () => {
    runDirty = true;
    runConfirm.hidden = true;
    $('#run-model-error').textContent = '';
  });
  $('#run-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const model = runModel.value.trim();
    if (!model) {
      $('#run-model-error').textContent = 'Type a model, e.g. conv16-conv20-conv20';
      return;
    }
    $('#run-confirm-text').textContent = `Replace the network with fresh weights of ${model}? The trained weights are lost`
      + ' (a reset cannot be undone; save a checkpoint first to keep them). The charts keep their history.';
    runConfirm.hidden = false;
    $('#run-confirm-yes').focus();
  });
  $('#run-confirm-no').addEventListener('click', () => { runConfirm.hidden = true; });
  $('#run-confirm-yes').addEventListener('click', () => {
    runConfirm.hidden = true;
    runPendingId = actions.command(commands.reset(runModel.value.trim()));
    if (runPendingId) setRunStatus('Starting…', 'info');
  });

  function setRunStatus(text, kind) {
    runStatus.textContent = text;
    runStatus.dataset.kind = kind;
  }

  function renderRun(state) {
    $('#run-dataset').textContent = state.dataset?.description || '–';
    if (runPendingId) {
      const result = state.results.get(runPendingId);
      if (result) {
        runPendingId = null;
        if (result.ok) {
          runDirty = false;
          runShownFor = null;
          setRunStatus(`New run of ${result.changes.model} started (seed ${result.changes.seed}).`, 'ok');
        } else {
          $('#run-model-error').textContent = result.message;
          setRunStatus('Server refused: the network is unchanged.', 'error');
        }
      }
    }
    if (!runDirty && runShownFor !== state.architecture) {
      runShownFor = state.architecture;
      runModel.value = shorthandOf(state.architecture) ?? '';
    }
    const resetOff = commandBlocked(state, COMMAND.RESET);
    gate($('#run-start'), resetOff, { disabled: state.connection !== 'open' || !!runPendingId });
    runModel.disabled = !!resetOff;
    if (resetOff) runConfirm.hidden = true;
    explain($('#run-unavailable'), steeringOff(state) ? null : resetOff, 'A new run cannot be started here: ');
  }

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
      serverSettings = h || serverSettings;
      renderRun(state);
      if (pendingId) {
        const result = state.results.get(pendingId);
        if (result) {
          pendingId = null;
          if (result.ok) {
            setStatus(Object.keys(result.changes || {}).length ? 'Applied.' : 'Applied (no change).', 'ok');
            lrNote.textContent = '';
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
      const hyperparametersOff = commandBlocked(state, COMMAND.SET_HYPERPARAMETERS);
      gate($('#hp-apply'), hyperparametersOff, { disabled: disabled || !!pendingId });
      gate($('#ctl-undo'), commandBlocked(state, COMMAND.UNDO), { disabled });
      gate($('#ctl-checkpoint'), commandBlocked(state, COMMAND.SAVE_CHECKPOINT), { disabled });
      explain($('#controls-unavailable'), steeringOff(state) ?? hyperparametersOff,
        steeringOff(state) ? 'Steering is off: ' : 'Hyperparameters cannot be changed: ');

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
