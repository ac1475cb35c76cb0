// The wire protocol: message and command type names (listed once, mirroring Commands.TYPES in Java)
// and small builders for command payloads.

export const PROTOCOL_VERSION = 4;

/** The one client -> server message that is not a command: what the open views need of the snapshots (docs/PROTOCOL.md). */
export const VIEW = 'view';

/** Server -> client message types. */
export const MESSAGE = Object.freeze({
  HELLO: 'hello',
  SNAPSHOT: 'snapshot',
  ARCHITECTURE: 'architecture',
  ACK: 'ack',
  ERROR: 'error',
  ENGINE: 'engine',
});

/** Client -> server command types, in documentation order. */
export const COMMAND = Object.freeze({
  PAUSE: 'pause',
  RESUME: 'resume',
  STEP: 'step',
  SET_HYPERPARAMETERS: 'set-hyperparameters',
  ADD_FILTERS: 'add-filters',
  REMOVE_FILTERS: 'remove-filters',
  INSERT_LAYER: 'insert-layer',
  REMOVE_LAYER: 'remove-layer',
  FREEZE: 'freeze',
  UNFREEZE: 'unfreeze',
  SET_PROBE: 'set-probe',
  SAVE_CHECKPOINT: 'save-checkpoint',
  UNDO: 'undo',
  RESET: 'reset',
  FORK: 'fork',
  KEEP_BRANCH: 'keep-branch',
  SHOW_BRANCH: 'show-branch',
});

/** Commands that change the network's structure (they can be undone). */
export const STRUCTURAL = new Set([COMMAND.ADD_FILTERS, COMMAND.REMOVE_FILTERS, COMMAND.INSERT_LAYER, COMMAND.REMOVE_LAYER]);

export const GROW_INITS = ['random', 'net2net', 'zero-out'];
export const INSERT_INITS = ['random', 'identity'];
export const OPTIMIZERS = ['sgd', 'adam', 'adadelta'];
/** The learning rate the server gives an optimiser chosen without one (OptimizerKind.defaultLearningRate). */
export const DEFAULT_LEARNING_RATES = Object.freeze({ sgd: 0.002, adam: 0.001, adadelta: 1 });
export const TSNE_KINDS = ['weights', 'gradients', 'activations', 'activation-gradients'];

/** Limits the server enforces (Hyperparameters.java); checked client-side first. */
export const LIMITS = Object.freeze({
  maxBatchSize: 4096,
  maxStepBatches: 100000,
});

// ---- command builders: each returns [type, payload] ----
export const commands = {
  pause: () => [COMMAND.PAUSE, {}],
  resume: () => [COMMAND.RESUME, {}],
  step: (batches = 1) => [COMMAND.STEP, { batches }],
  setHyperparameters: (changes) => [COMMAND.SET_HYPERPARAMETERS, { ...changes }],
  addFilters: (layer, count = 1, init = 'random') => [COMMAND.ADD_FILTERS, { layer, count, init }],
  removeFilters: (layer, filters) => [COMMAND.REMOVE_FILTERS, { layer, filters }],
  insertConv: (after, filters, kernelSize, pool, init) =>
    [COMMAND.INSERT_LAYER, { after, kind: 'conv', filters, kernelSize, pool, init }],
  insertDense: (after, units, init) => [COMMAND.INSERT_LAYER, { after, kind: 'dense', units, init }],
  removeLayer: (layer) => [COMMAND.REMOVE_LAYER, { layer }],
  freeze: (layer) => [COMMAND.FREEZE, { layer }],
  unfreeze: (layer) => [COMMAND.UNFREEZE, { layer }],
  probeImage: (image) => [COMMAND.SET_PROBE, { image }],
  probePixels: (pixelsBase64, label) => [COMMAND.SET_PROBE, { pixels: pixelsBase64, label }],
  saveCheckpoint: (name) => [COMMAND.SAVE_CHECKPOINT, name ? { name } : {}],
  undo: () => [COMMAND.UNDO, {}],
  /** A new run: fresh weights from the seed, of the session's model or of `model` (shorthand, e.g. conv16-conv20-conv20). */
  reset: (model) => [COMMAND.RESET, model ? { model } : {}],
  /** Splits the run into two branches (docs/PROTOCOL.md "Fork"); keepBranch ends the other, showBranch picks the one this page shows. */
  fork: () => [COMMAND.FORK, {}],
  keepBranch: (branch) => [COMMAND.KEEP_BRANCH, { branch }],
  showBranch: (branch) => [COMMAND.SHOW_BRANCH, { branch }],
};

/**
 * The width an identity block inserted after layer `after` must have (LayerSurgery's rule): a conv
 * block as many filters as its input has channels, a dense block as many units as its input has
 * values; null when the architecture does not list that layer.
 */
export function identityWidth(architecture, after, kind) {
  const shape = after === 'input' ? architecture?.input : architecture?.layers?.find(l => l.id === after)?.outputShape;
  if (!shape) return null;
  return kind === 'conv' ? shape.channels : shape.channels * shape.height * shape.width;
}

/** Validates one hyperparameter field; returns [value, null] or [null, message]. */
export function parseHyperparameter(name, text) {
  const raw = String(text).trim();
  if (name === 'optimizer') {
    return OPTIMIZERS.includes(raw) ? [raw, null] : [null, `optimizer must be one of ${OPTIMIZERS.join(', ')}`];
  }
  if (raw === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) return [null, `${label(name)} must be a number`];
  const v = Number(raw);
  if (!Number.isFinite(v)) return [null, `${label(name)} must be a finite number`];
  switch (name) {
    case 'learningRate':
      return v > 0 && v <= 10 ? [v, null] : [null, 'learning rate must be > 0 and ≤ 10'];
    case 'momentum':
      return v >= 0 && v < 1 ? [v, null] : [null, 'momentum must be in [0, 1)'];
    case 'weightDecay':
      return v >= 0 && v <= 1 ? [v, null] : [null, 'weight decay must be in [0, 1]'];
    case 'batchSize':
      return Number.isInteger(v) && v >= 1 && v <= LIMITS.maxBatchSize
        ? [v, null] : [null, `batch size must be a whole number in 1..${LIMITS.maxBatchSize}`];
    default:
      return [null, `unknown field ${name}`];
  }
}

export function label(name) {
  return { learningRate: 'learning rate', momentum: 'momentum', weightDecay: 'weight decay', batchSize: 'batch size',
    optimizer: 'optimizer' }[name] || name;
}

/** A one-line human description of a command (for markers, toasts and the steering log). */
export function describeCommand(type, payload = {}, result = {}) {
  const p = payload || {};
  switch (type) {
    case COMMAND.SET_HYPERPARAMETERS: {
      const changes = result && Object.keys(result).length ? result : null;
      if (changes) {
        return Object.entries(changes).map(([k, v]) => v && typeof v === 'object' && 'to' in v
          ? `${label(k)} ${fmtValue(v.from)} → ${fmtValue(v.to)}` : `${label(k)} ${fmtValue(v)}`).join(', ') || 'no change';
      }
      return Object.entries(p).map(([k, v]) => `${label(k)} = ${fmtValue(v)}`).join(', ');
    }
    case COMMAND.ADD_FILTERS: return `add ${p.count ?? 1} filter${(p.count ?? 1) === 1 ? '' : 's'} to ${p.layer} (${p.init || 'random'})`;
    case COMMAND.REMOVE_FILTERS: return `remove ${(p.filters || []).join(', ')} from ${p.layer}`;
    case COMMAND.INSERT_LAYER: return `insert ${p.kind} layer after ${p.after}` +
      (p.kind === 'conv' ? ` (${p.filters} filters, ${p.kernelSize ?? 3}×${p.kernelSize ?? 3}${p.pool ? ', pool' : ''})` : ` (${p.units} units)`);
    case COMMAND.REMOVE_LAYER: return `remove layer ${p.layer}`;
    case COMMAND.FREEZE: return `freeze ${p.layer}`;
    case COMMAND.UNFREEZE: return `unfreeze ${p.layer}`;
    case COMMAND.SET_PROBE: return p.image != null ? `probe = validation image ${p.image}` : 'probe = uploaded image';
    case COMMAND.STEP: return `step ${p.batches} batch${p.batches === 1 ? '' : 'es'}`;
    case COMMAND.SAVE_CHECKPOINT: return result && result.file ? `saved checkpoint ${result.file} in ${result.folder}` : 'save checkpoint';
    case COMMAND.UNDO: return result && result.undone ? `undo: ${result.undone}` : 'undo';
    case COMMAND.FORK: return result?.forked ? `fork: branch ${result.forked}${result.run ? ` (run ${result.run})` : ''}` : 'fork';
    case COMMAND.KEEP_BRANCH: return `keep branch ${p.branch}`;
    case COMMAND.SHOW_BRANCH: return `show branch ${p.branch}`;
    case COMMAND.RESET: return `new run${result?.model || p.model ? ` of ${result?.model || p.model}` : ''}`;
    default: return type;
  }
}

function fmtValue(v) {
  if (typeof v === 'number') return Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : String(+v.toPrecision(4));
  return String(v);
}
