// Boot: one store, one socket, one view per element. Store changes schedule at most one render
// per animation frame; only the header and the visible tab are drawn.

import { createStore } from './store.js';
import { createSocket } from './socket.js';
import { createHeader } from './views/header.js';
import { createNetwork } from './views/network.js';
import { createDetail } from './views/detail.js';
import { createLayerPanel } from './views/layer.js';
import { createStats } from './views/stats.js';
import { createControls } from './views/controls.js';
import { createTsne } from './views/tsne.js';
import { createTest } from './views/test.js';
import { createForkBar } from './views/fork-bar.js';
import { mayRequest } from './engine.js';

const store = createStore();
const socket = createSocket(store);

/** The REST reads about a branch's network (docs/PROTOCOL.md "Fork"): asked of the branch this page shows. */
const BRANCH_READS = ['/api/activations', '/api/test', '/api/classify', '/api/tsne', '/api/recommendations'];

/** `url` with ?branch= naming the branch shown when it reads a branch's network and the run is forked. */
function forShownBranch(url) {
  if (!BRANCH_READS.some(read => url === read || url.startsWith(`${read}?`) || url.startsWith(`${read}/`))) return url;
  const branch = views.fork.shownBranch(); // never asked while the views are built: they read no branch then
  if (!branch) return url;
  return `${url}${url.includes('?') ? '&' : '?'}branch=${encodeURIComponent(branch)}`;
}

/** Reads JSON from the REST API; throws an Error carrying the server's message (and .status). */
async function fetchJson(url, options) {
  const response = await fetch(forShownBranch(url), options);
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text.replace(/([:,\[]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"')) : null;
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const error = new Error(body?.message || body?.error || body?.title || `${response.status} ${response.statusText}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

const actions = {
  /** Sends [type, payload] (a protocol.js builder result); returns the command id or null. */
  command: ([type, payload]) => socket.send(type, payload),
  select: (selection) => store.select(selection),
  showLayer: (layerId) => store.showLayer(layerId),
  showTab: (tab) => showTab(tab),
  toast: (text, kind) => store.toast(text, kind),
  fetchJson,
  reconnectNow: () => socket.reconnectNow(),
  requestRender: () => schedule(),
  /** The run of the branch this page shows (a forked run has two; fork-bar.js). */
  shownRun: () => views.fork?.shownRun(),
  /** The network view says which layers it draws as nodes and which statistic colours its cells. */
  networkNeeds: (needs) => { networkNeeds = needs; sendView(); },
};

// ---- what the open views need of the snapshots beyond what every snapshot carries (protocol 4) ----
let networkNeeds = { layers: [], stat: 'jitter' };
let sentView = '';
function sendView() {
  const state = store.state;
  const layers = new Set(networkNeeds.layers);
  if (state.selection?.layer) layers.add(state.selection.layer);
  if (state.layerPanel) layers.add(state.layerPanel);
  const view = { layers: [...layers].sort(), statistics: ['apoz', 'taylor'].filter(s => s === networkNeeds.stat) };
  const key = JSON.stringify(view);
  if (key === sentView) return;
  sentView = key;
  socket.setView(view);
}
store.subscribe((state, what) => { if (what === 'selection' || what === 'layer') sendView(); });

const views = {
  header: createHeader(document.getElementById('header'), actions),
  network: createNetwork(document.getElementById('network'), actions),
  layer: createLayerPanel(document.getElementById('layer-panel'), actions),
  detail: createDetail(document.getElementById('detail'), actions),
  stats: createStats(document.getElementById('stats'), actions),
  controls: createControls(document.getElementById('controls'), actions),
  tsne: createTsne(document.getElementById('tsne'), actions),
  test: createTest(document.getElementById('test'), actions),
  fork: createForkBar(document.getElementById('fork-bar'), actions),
};
const byTab = {
  network: [views.network, views.layer, views.detail],
  stats: [views.stats, views.controls],
  tsne: [views.tsne],
  test: [views.test],
};

// ---- tabs ----
const tabButtons = [...document.querySelectorAll('[role=tab]')];
function showTab(tab) {
  if (!byTab[tab]) return;
  for (const b of tabButtons) {
    const on = b.dataset.tab === tab;
    b.setAttribute('aria-selected', String(on));
    b.tabIndex = on ? 0 : -1;
    document.getElementById(b.getAttribute('aria-controls')).hidden = !on;
  }
  for (const [name, list] of Object.entries(byTab)) {
    for (const v of list) v.setVisible?.(name === tab);
  }
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
  store.setTab(tab);
}
for (const b of tabButtons) {
  b.addEventListener('click', () => showTab(b.dataset.tab));
  b.addEventListener('keydown', (e) => {
    const i = tabButtons.indexOf(b);
    let next = null;
    if (e.key === 'ArrowRight') next = tabButtons[(i + 1) % tabButtons.length];
    if (e.key === 'ArrowLeft') next = tabButtons[(i - 1 + tabButtons.length) % tabButtons.length];
    if (next) { e.preventDefault(); next.focus(); showTab(next.dataset.tab); }
  });
}

// ---- skip link: past the header, tabs and the network's filters, to the visible view's side panel ----
document.getElementById('skip-link').addEventListener('click', (e) => {
  e.preventDefault();
  const view = document.getElementById(`view-${store.state.tab}`);
  const target = view.querySelector('aside') || view;
  if (!target.hasAttribute('tabindex')) target.tabIndex = -1;
  target.focus();
});

// ---- toasts ----
const toastHost = document.getElementById('toasts');
function renderToasts(state) {
  d3.select(toastHost).selectAll('div.toast')
    .data(state.toasts, t => t.id)
    .join(
      enter => enter.append('div')
        .attr('class', t => `toast toast-${t.kind}`)
        .attr('role', t => t.kind === 'error' ? 'alert' : null)
        .call(div => div.append('span').text(t => t.text))
        .call(div => div.filter(t => t.action).append('button').attr('class', 'btn btn-small toast-action')
          .text(t => t.action.label).on('click', (e, t) => { actions.command(t.action.command); store.dismiss(t.id); }))
        .call(div => div.append('button').attr('class', 'toast-close').attr('aria-label', 'Dismiss')
          .text('×').on('click', (e, t) => store.dismiss(t.id))),
    );
}

const datasetInfo = document.getElementById('dataset-info');
function renderDataset(state) {
  const d = state.dataset;
  const text = d ? `${d.description || 'dataset'} · ${(d.classNames || []).length} classes` : '';
  if (datasetInfo.textContent !== text) datasetInfo.textContent = text;
}

// ---- render loop: at most once per animation frame ----
let queued = false;
function schedule() {
  if (queued) return;
  queued = true;
  requestAnimationFrame(renderAll);
}
function renderAll() {
  queued = false;
  const state = store.state;
  try {
    views.header.render(state);
    views.fork.render(state);
    for (const v of byTab[state.tab]) v.render(state);
    renderToasts(state);
    renderDataset(state);
  } catch (e) {
    store.toast(`Display error: ${e.message}`, 'error');
    throw e;
  }
}
store.subscribe(schedule);
window.addEventListener('resize', schedule);

// ---- recommendations: polled every 5 s, and soon after the structure or frozen flags change; never
// asked of an engine that does not serve them (nor before the hello says which engine runs) ----
const RECOMMENDATIONS_MS = 5000;
let recommendationsTimer = null;
let recommendationsInFlight = false;
let recommendationsAgain = false;
async function pollRecommendations() {
  clearTimeout(recommendationsTimer);
  recommendationsTimer = setTimeout(pollRecommendations, RECOMMENDATIONS_MS);
  if (store.state.connection !== 'open') return;
  if (!mayRequest(store.state, 'recommendations')) {
    if (store.state.recommendations) store.setRecommendations(null);
    return;
  }
  if (recommendationsInFlight) { recommendationsAgain = true; return; }
  recommendationsInFlight = true;
  try {
    store.setRecommendations(await fetchJson('/api/recommendations'));
  } catch (e) {
    // a server without the endpoint (404) or a transient failure: keep the last answer, try again later
    if (e.status === 404) store.setRecommendations(null);
  } finally {
    recommendationsInFlight = false;
    if (recommendationsAgain) {
      recommendationsAgain = false;
      clearTimeout(recommendationsTimer);
      recommendationsTimer = setTimeout(pollRecommendations, 0);
    }
  }
}
store.subscribe((state, what) => {
  if (what === 'architecture' || what === 'hello' || what === 'engine') {
    clearTimeout(recommendationsTimer);
    recommendationsTimer = setTimeout(pollRecommendations, 300);
  }
});
pollRecommendations();

const initial = (location.hash || '#network').slice(1);
showTab(byTab[initial] ? initial : 'network');
socket.start();

// for tests and debugging
window.revacnn = { store, actions, views };
