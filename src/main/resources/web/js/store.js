// The one store: all state the views draw, changed only by apply(msg) (server messages) and a few
// UI-only setters (tab, selection, toasts). No DOM here. Views are told about changes through
// subscribe(); main.js batches them into at most one render per animation frame.

import { MESSAGE, STRUCTURAL, COMMAND, commands, describeCommand } from './protocol.js';
import { BUILTIN_ENGINE } from './engine.js';
import { flatLayers, hasNestedBlocks } from './architecture.js';
import { decodeSnapshot } from './snapshot-wire.js';

const MAX_SERIES = 200000;
const MAX_RESULTS = 200;

/** Reads a number that may arrive as a JSON number, "NaN"/"Infinity" string or null. */
export function num(v) {
  if (typeof v === 'number') return v;
  if (v == null) return NaN;
  const n = Number(v);
  return Number.isNaN(n) ? NaN : n;
}

export function createStore() {
  const listeners = new Set();
  let toastSeq = 0;
  const state = {
    connection: 'connecting', // connecting | open | closed
    reconnectAt: null,
    protocolVersion: null,
    architecture: null, // null also while an attach server waits for its first run
    dataset: null,
    engine: null, // EngineInfo (engine.js); null until the first hello
    snapshot: null,
    // per point: step, loss, accuracy, examples seen and wall-clock millis (0 or NaN: not recorded)
    series: { steps: [], loss: [], accuracy: [], examples: [], wall: [], version: 0 },
    validation: [],
    throughput: [],
    steering: [],
    steeringVersion: 0,
    pending: new Map(),
    results: new Map(),
    selection: null, // {layer, filter}
    layerPanel: null, // id of the layer whose filters and maps are shown in full
    tab: 'network',
    toasts: [],
    recommendations: null, // GET /api/recommendations, polled by main.js
    versions: { architecture: 0, snapshot: 0, hello: 0, recommendations: 0, engine: 0 },
  };

  function notify(what) {
    for (const fn of listeners) fn(state, what);
  }

  function resetSeries(history) {
    const s = { steps: [], loss: [], accuracy: [], examples: [], wall: [], version: state.series.version + 1 };
    state.throughput = [];
    if (history && history.loss) {
      const first = num(history.firstStep) || 1;
      const stride = num(history.stride) || 1;
      for (let i = 0; i < history.loss.length; i++) {
        // bucket i covers steps [first + i*stride, first + (i+1)*stride): plot at its last step
        s.steps.push(first + i * stride + stride - 1);
        s.loss.push(num(history.loss[i]));
        s.accuracy.push(num(history.accuracy?.[i]));
        s.examples.push(num(history.examplesSeen?.[i]));
        s.wall.push(num(history.wallMillis?.[i]));
        const ips = num(history.imagesPerSecond?.[i]);
        if (Number.isFinite(ips)) state.throughput.push({ step: s.steps[i], wallMillis: s.wall[i], imagesPerSecond: ips });
      }
    }
    state.series = s;
    state.validation = (history?.validation || []).map(v => ({ step: num(v.step), epoch: num(v.epoch),
      accuracy: num(v.accuracy), loss: num(v.loss) }));
    state.steering = (history?.steering || []).map(e => ({ ...e, step: num(e.step),
      label: describeCommand(e.type, e.payload, e.result) }));
    state.steeringVersion++;
  }

  function onSnapshot(snap) {
    const prev = state.snapshot;
    state.snapshot = snap;
    state.versions.snapshot++;
    const step = num(snap.step);
    const s = state.series;
    const last = s.steps.length ? s.steps[s.steps.length - 1] : -Infinity;
    if (step > last && Number.isFinite(num(snap.loss))) {
      s.steps.push(step);
      s.loss.push(num(snap.loss));
      s.accuracy.push(num(snap.trainAccuracy));
      s.examples.push(num(snap.examplesSeen));
      s.wall.push(num(snap.wallMillis));
      if (s.steps.length > MAX_SERIES) for (const k of ['steps', 'loss', 'accuracy', 'examples', 'wall']) s[k].splice(0, 1000);
      s.version++;
    }
    const va = snap.validationAccuracy;
    if (va != null && Number.isFinite(num(va))) {
      const lastV = state.validation[state.validation.length - 1];
      if (!lastV || Math.abs(lastV.accuracy - num(va)) > 1e-12) {
        state.validation.push({ step, epoch: num(snap.epoch), accuracy: num(va), loss: NaN });
        s.version++;
      }
    }
    if (!prev || num(prev.step) !== step) {
      state.throughput.push({ step, wallMillis: num(snap.wallMillis), imagesPerSecond: num(snap.imagesPerSecond) });
      if (state.throughput.length > 5000) state.throughput.splice(0, 500);
    }
  }

  /** Unpacks a protocol-4 snapshot against the architecture and applies it; false when it does not match. */
  function applySnapshot(payload) {
    const snap = decodeSnapshot(payload, state.architecture);
    if (snap) onSnapshot(snap);
    return !!snap;
  }

  /** Forgets a selected filter that the new architecture no longer has, so no button still targets it. */
  function dropStaleSelection() {
    const filter = state.selection?.filter;
    if (filter && !flatLayers(state.architecture).some(l => (l.unitIds || []).includes(filter))) state.selection = null;
  }

  function remember(id, result) {
    state.results.set(id, result);
    if (state.results.size > MAX_RESULTS) state.results.delete(state.results.keys().next().value);
  }

  const store = {
    state,
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },

    /** Applies one server message. */
    apply(msg) {
      switch (msg.type) {
        case MESSAGE.HELLO: {
          const p = msg.payload || {};
          state.protocolVersion = p.protocolVersion;
          state.architecture = p.architecture || null;
          state.dataset = p.dataset || null;
          state.engine = p.engine || BUILTIN_ENGINE; // an older server's hello has none: its engine is the built-in one
          state.versions.engine++;
          resetSeries(p.history);
          dropStaleSelection();
          state.versions.hello++;
          state.versions.architecture++;
          if (p.snapshot) applySnapshot(p.snapshot);
          break;
        }
        case MESSAGE.SNAPSHOT:
          if (!applySnapshot(msg.payload)) return; // taken before the architecture the page holds: wait for the next
          break;
        case MESSAGE.ARCHITECTURE:
          state.architecture = msg.payload;
          dropStaleSelection();
          state.versions.architecture++;
          break;
        case MESSAGE.ENGINE:
          state.engine = msg.payload || BUILTIN_ENGINE;
          state.versions.engine++;
          break;
        case MESSAGE.ACK: {
          const sent = state.pending.get(msg.id);
          state.pending.delete(msg.id);
          const changes = msg.payload?.changes ?? {};
          remember(msg.id, { ok: true, changes, type: sent?.type });
          // an ack with a message changed nothing (pause when paused): like the server, log nothing
          if (sent && !msg.payload?.message) {
            const step = num(state.snapshot?.step) || 0;
            state.steering.push({ step, epoch: num(state.snapshot?.epoch), wallMillis: Date.now(), type: sent.type,
              payload: sent.payload, result: changes,
              label: describeCommand(sent.type, sent.payload, changes) });
            state.steeringVersion++;
            if (STRUCTURAL.has(sent.type) || ['undo', 'reset', 'save-checkpoint'].includes(sent.type)) {
              // removing a layer is one click: the message offers to take it back
              store.toast(`Done: ${describeCommand(sent.type, sent.payload, changes)}`, 'ok',
                sent.type === COMMAND.REMOVE_LAYER ? { label: 'Undo', command: commands.undo() } : null);
            }
          }
          break;
        }
        case MESSAGE.ERROR: {
          const sent = state.pending.get(msg.id);
          state.pending.delete(msg.id);
          const message = msg.payload?.message || 'unknown error';
          remember(msg.id, { ok: false, message, type: sent?.type });
          store.toast(sent ? `${sent.type} failed: ${message}` : `Server error: ${message}`, 'error');
          break;
        }
        default:
          store.toast(`Unknown message type '${msg.type}' from the server`, 'error');
      }
      notify(msg.type);
    },

    /** Records a command as sent (the socket calls this). */
    sent(id, type, payload) {
      state.pending.set(id, { type, payload, sentAt: Date.now() });
      notify('sent');
    },

    setConnection(connection, reconnectAt = null) {
      state.connection = connection;
      state.reconnectAt = reconnectAt;
      if (connection !== 'open') {
        for (const [id, p] of state.pending) {
          remember(id, { ok: false, message: 'connection lost before the server answered', type: p.type });
        }
        state.pending.clear();
      }
      notify('connection');
    },

    setTab(tab) {
      state.tab = tab;
      notify('tab');
    },

    select(selection) {
      state.selection = selection;
      notify('selection');
    },

    showLayer(layerId) {
      state.layerPanel = layerId;
      notify('layer');
    },

    /** The latest GET /api/recommendations answer (null: none yet or the server has none). */
    setRecommendations(recommendations) {
      state.recommendations = recommendations;
      state.versions.recommendations++;
      notify('recommendations');
    },

    /** Shows a message; `action` ({label, command}: a protocol.js builder result) adds a button that sends it. */
    toast(text, kind = 'info', action = null) {
      const id = ++toastSeq;
      state.toasts.push({ id, text, kind, action, at: Date.now() });
      if (state.toasts.length > 5) state.toasts.shift();
      notify('toast');
      setTimeout(() => store.dismiss(id), kind === 'error' || action ? 9000 : 4000);
      return id;
    },

    dismiss(id) {
      const before = state.toasts.length;
      state.toasts = state.toasts.filter(t => t.id !== id);
      if (state.toasts.length !== before) notify('toast');
    },
  };
  return store;
}

/** The size of a data split from the dataset description ({train: {size}} or {counts: {train}}), or NaN. */
export function splitSize(dataset, name) {
  if (!dataset) return NaN;
  const part = dataset[name];
  if (part && typeof part === 'object' && 'size' in part) return num(part.size);
  if (typeof part === 'number') return part;
  return num(dataset.counts?.[name]);
}

/**
 * The layers that have filters or units (conv and dense), in order, from the snapshot or the
 * architecture; with residual blocks the architecture's order, the convs inside the blocks included
 * (the snapshot's numbers of a layer where it has them).
 */
export function parameterLayers(state) {
  const snapLayers = state.snapshot?.layers;
  const arch = flatLayers(state.architecture);
  const byId = new Map(arch.map(l => [l.id, l]));
  if (snapLayers && snapLayers.length && !hasNestedBlocks(state.architecture)) {
    return snapLayers.filter(l => l.kind === 'conv' || l.kind === 'dense').map(l => ({
      ...l, info: byId.get(l.id) || null,
    }));
  }
  const measured = new Map((snapLayers || []).map(l => [l.id, l]));
  return arch.filter(l => l.kind === 'conv' || l.kind === 'dense').map(l => (measured.has(l.id) ? { ...measured.get(l.id), info: l } : {
    id: l.id, kind: l.kind, frozen: l.frozen, filterIds: l.unitIds || [], jitter: [], activation: [], activePath: [],
    thumbnailSize: 0, thumbnailChannels: 0, thumbnails: [], info: l,
  }));
}

const recommendationCache = new WeakMap();

/**
 * The recommendations indexed for drawing: {removals: Map filter id -> {layer, filter, reason, detail,
 * twin, apoz, taylor, similarity, l1Norm}, freeze: Map layer id -> {layer, reason, detail, ...},
 * tooNew: Set of the filter ids not judged yet, window and evidence as the server sent them (or null)}.
 */
export function recommendationIndex(state) {
  const r = state.recommendations;
  if (!r) return { removals: new Map(), freeze: new Map(), tooNew: new Set(), window: null, evidence: null };
  let index = recommendationCache.get(r);
  if (!index) {
    const removals = new Map();
    const tooNew = new Set();
    for (const layer of r.layers || []) {
      for (const removal of layer.removals || []) removals.set(removal.filter, { ...removal, layer: layer.layer });
      for (const id of layer.tooNew || []) tooNew.add(id);
    }
    const freeze = new Map((r.freeze || []).map(f => [f.layer, f]));
    index = { removals, freeze, tooNew, window: r.window || null, evidence: r.evidence || null };
    recommendationCache.set(r, index);
  }
  return index;
}

/** Reasons for removing a filter, with the badge glyph and the words the UI shows. */
export const REMOVAL_REASONS = Object.freeze({
  dead: { glyph: '✕', label: 'dead' },
  redundant: { glyph: '=', label: 'redundant' },
  unimportant: { glyph: '↓', label: 'unimportant' },
});
