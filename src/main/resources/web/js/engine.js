// What the engine behind the server can do, from the EngineInfo of hello and `engine` messages
// (docs/PROTOCOL.md): the built-in engine (and an older server, which sends no EngineInfo) can do
// everything; an attached PyTorch run names the features and commands it cannot serve
// (`unsupported`) and the commands each layer refuses (`refused`), and while no run is attached
// (waiting, ended, dropped) no command can be sent at all. Views disable such controls (never
// hide them) and say why: gate() puts the reason in the control's title and data-unavailable.

/** What an older server (hello without `engine`) runs: the in-process engine, which can do everything. */
export const BUILTIN_ENGINE = Object.freeze({ kind: 'builtin', state: 'in-process', run: 1, worldSize: 1,
  ranks: [], message: null, unsupported: {}, refused: {} });

const KIND_NAMES = { builtin: 'built-in engine', pytorch: 'PyTorch' };
/** Engine states in which no run is attached, with the words the UI shows for them. */
const WITHOUT_RUN = { waiting: 'waiting for a run', ended: 'run ended', dropped: 'run disconnected' };

/** The engine of the state (the built-in one until a hello says otherwise). */
export function engineOf(state) {
  return state.engine || BUILTIN_ENGINE;
}

/** Whether the engine is an attached framework's (not the in-process one). */
export function isExternalEngine(state) {
  return engineOf(state).kind !== 'builtin';
}

/** The words for an engine state without a run ("waiting for a run", "run ended", ...), or null when a run is there. */
export function runlessState(state) {
  return WITHOUT_RUN[engineOf(state).state] ?? null;
}

/** Why no command can be sent now (no run attached), or null. */
export function steeringOff(state) {
  const engine = engineOf(state);
  if (!WITHOUT_RUN[engine.state]) return null;
  return engine.message || `no ${KIND_NAMES[engine.kind] ?? engine.kind} run is attached`;
}

/** Why a feature (test-view, classify, ...) or command type is not available from this engine, or null. */
export function unsupported(state, key) {
  return engineOf(state).unsupported?.[key] ?? null;
}

/** Whether the UI may request a feature's endpoint: the server's hello has said which engine runs and it serves it. */
export function mayRequest(state, feature) {
  return state.engine != null && !unsupported(state, feature);
}

/** Why command `type` cannot be sent now (to layer `layerId`, when given): no run, unsupported, or refused by that layer. */
export function commandBlocked(state, type, layerId = null) {
  return steeringOff(state) ?? unsupported(state, type)
    ?? (layerId == null ? null : engineOf(state).refused?.[layerId]?.[type] ?? null);
}

/** The commands layer `layerId` refuses, as [type, reason] pairs. */
export function refusals(state, layerId) {
  return Object.entries(engineOf(state).refused?.[layerId] ?? {});
}

/** One line naming an attached engine: "PyTorch · torch 1.13.0a0 · cpu · 2 processes"; null for the built-in one. */
export function engineLine(state) {
  const engine = engineOf(state);
  if (engine.kind === 'builtin') return null;
  const processes = Number(engine.worldSize);
  return [KIND_NAMES[engine.kind] ?? engine.kind, engine.framework, engine.device,
    processes > 0 ? `${processes} process${processes === 1 ? '' : 'es'}` : null,
    WITHOUT_RUN[engine.state]].filter(Boolean).join(' · ');
}

/** The ranks' weight checksums in words, and whether they disagree (they must agree after every command). */
export function rankChecksums(state) {
  const ranks = engineOf(state).ranks || [];
  const distinct = new Set(ranks.map(r => r.checksum));
  return { text: ranks.map(r => `rank ${r.rank}: ${String(r.checksum ?? '–').slice(0, 12)}`).join(', '),
    disagree: ranks.length > 1 && distinct.size > 1 };
}

/**
 * The two lines of Python that connect a PyTorch run to this server: its own origin (the page's),
 * and the page's token when it has one. JSON string literals are valid Python string literals.
 */
export function connectSnippet(origin, token) {
  return 'import revacnn   # the package in python/ of the revacnn repository\n'
    + `run = revacnn.attach(model, optimizer, url=${JSON.stringify(origin)}`
    + `${token ? `, token=${JSON.stringify(token)}` : ''}, probe=image)`;
}

const ownTitles = new WeakMap();

/**
 * Enables or disables a control: with a reason it is disabled, its title says why and
 * data-unavailable holds the reason; without one it is disabled only when `disabled`, and its
 * title is `title` (or the title it had before it was first gated).
 */
export function gate(control, reason, { disabled = false, title } = {}) {
  if (!ownTitles.has(control)) ownTitles.set(control, control.getAttribute('title'));
  control.disabled = disabled || !!reason;
  setAttribute(control, 'title', reason ? `Unavailable: ${reason}` : title === undefined ? ownTitles.get(control) : title);
  setAttribute(control, 'data-unavailable', reason || null);
}

/** Shows a note saying why something is unavailable (`prefix` + reason), or hides it when there is no reason. */
export function explain(note, reason, prefix = '') {
  const text = reason ? `${prefix}${reason}` : '';
  note.hidden = !reason;
  if (note.textContent !== text) note.textContent = text;
}

function setAttribute(element, name, value) {
  if (value == null) element.removeAttribute(name);
  else if (element.getAttribute(name) !== value) element.setAttribute(name, value);
}
