// Always-visible header: training state, progress, throughput, latest loss and accuracies,
// pause / resume / step buttons and the connection state. An alert (training paused by itself)
// shows as a row of the header, in the page flow, never over other controls; it can be dismissed
// and comes back only with a different alert. While no run is attached to an attach server, the
// state says so ("waiting for a run", "run ended") and the buttons say why they are off.

import { commands, COMMAND } from '../protocol.js';
import { runlessState, commandBlocked, gate } from '../engine.js';
import { num } from '../store.js';

export function createHeader(element, actions) {
  element.innerHTML = `
    <div class="run-state" id="run-state" aria-live="polite"><span class="dot"></span><span class="label">connecting</span></div>
    <dl class="metrics">
      <div><dt>Epoch</dt><dd id="m-epoch">–</dd></div>
      <div><dt>Step</dt><dd id="m-step">–</dd></div>
      <div><dt>Examples</dt><dd id="m-examples">–</dd></div>
      <div><dt>img/s</dt><dd id="m-ips">–</dd></div>
      <div><dt>Loss</dt><dd id="m-loss">–</dd></div>
      <div><dt>Train acc</dt><dd id="m-train">–</dd></div>
      <div><dt>Val acc</dt><dd id="m-val">–</dd></div>
    </dl>
    <div class="run-buttons" role="group" aria-label="Training">
      <button id="btn-pause" class="btn" title="Pause training">❚❚ Pause</button>
      <button id="btn-resume" class="btn btn-primary" title="Resume training">▶ Resume</button>
      <button id="btn-step" class="btn" title="Train one batch, then pause">Step</button>
    </div>
    <button id="connection" class="connection" title="Connection to the server"><span class="dot"></span><span class="label">connecting</span></button>
    <div id="alert" class="alert" role="alert" hidden><span class="alert-text"></span>
      <button type="button" class="alert-close" aria-label="Dismiss the alert" title="Dismiss">×</button></div>`;
  const $ = (sel) => element.querySelector(sel);
  const fields = {
    epoch: $('#m-epoch'), step: $('#m-step'), examples: $('#m-examples'), ips: $('#m-ips'), loss: $('#m-loss'),
    train: $('#m-train'), val: $('#m-val'),
  };
  const runState = $('#run-state');
  const connection = $('#connection');
  const alertBox = $('#alert');
  const alertText = $('#alert .alert-text');
  let dismissedAlert = '';
  $('#alert .alert-close').addEventListener('click', () => {
    dismissedAlert = alertText.textContent;
    alertBox.hidden = true;
  });
  const pause = $('#btn-pause');
  const resume = $('#btn-resume');
  const step = $('#btn-step');
  pause.addEventListener('click', () => actions.command(commands.pause()));
  resume.addEventListener('click', () => actions.command(commands.resume()));
  step.addEventListener('click', () => actions.command(commands.step(1)));
  connection.addEventListener('click', () => actions.reconnectNow());

  const set = (el, text) => { if (el.textContent !== text) el.textContent = text; };

  return {
    render(state) {
      const s = state.snapshot;
      const open = state.connection === 'open';
      const running = s?.state === 'running';
      const runless = runlessState(state);
      const label = !open ? 'offline' : runless ?? (s ? s.state : 'waiting');
      runState.dataset.state = !open ? 'offline' : runless ? 'waiting' : s?.state || 'waiting';
      runState.classList.toggle('runless', open && !!runless);
      set(runState.querySelector('.label'), label);
      if (s) {
        const epochProgress = num(s.epochProgress);
        // epochProgress counts epochs done as a fraction (2.25: a quarter into the third epoch)
        const intoEpoch = Number.isFinite(epochProgress) ? epochProgress - Math.floor(epochProgress) : NaN;
        set(fields.epoch, `${num(s.epoch) + 1}${Number.isFinite(intoEpoch) ? ` · ${(intoEpoch * 100).toFixed(0)}%` : ''}`);
        set(fields.step, fmtInt(num(s.step)));
        set(fields.examples, fmtInt(num(s.examplesSeen)));
        set(fields.ips, fmtFixed(num(s.imagesPerSecond), 0));
        set(fields.loss, fmtFixed(num(s.loss), 3));
        set(fields.train, fmtPct(num(s.trainAccuracy)));
        set(fields.val, s.validationAccuracy == null ? '–' : fmtPct(num(s.validationAccuracy)));
      }
      gate(pause, commandBlocked(state, COMMAND.PAUSE), { disabled: !open || !running });
      gate(resume, commandBlocked(state, COMMAND.RESUME), { disabled: !open || running || !s });
      gate(step, commandBlocked(state, COMMAND.STEP), { disabled: !open || running || !s });
      connection.dataset.state = state.connection;
      let connText = state.connection === 'open' ? 'connected' : state.connection;
      if (state.connection === 'closed' && state.reconnectAt) {
        connText = `offline · retrying`;
      }
      set(connection.querySelector('.label'), connText);
      connection.title = state.connection === 'open' ? 'Connected to the server' : 'Not connected: click to retry now';
      const alert = s?.alert ? `Training paused by itself: ${s.alert}` : '';
      if (alert !== dismissedAlert) dismissedAlert = '';
      alertBox.hidden = !alert || alert === dismissedAlert;
      set(alertText, alert);
    },
  };
}

export function fmtInt(v) {
  return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–';
}

export function fmtFixed(v, digits) {
  if (!Number.isFinite(v)) return '–';
  return Math.abs(v) >= 1e6 ? v.toExponential(2) : v.toFixed(digits); // a diverged loss stays short
}

export function fmtPct(v) {
  return Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '–';
}
