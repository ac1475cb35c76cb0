// The run selector of Training Stats: the runs of the server's runs folder (GET /api/runs), each
// with a checkbox in its colour, as TensorBoard's. The live session's run is ticked from the start;
// ticking another fetches its history (GET /api/history?run=NAME) once, again only when the run
// has changed since. The list is read again every LIST_MILLIS while the view is drawn (never
// again from a server that has no /api/runs). A forked run has one live run per branch: the one
// shown (actions.shownRun, fork-bar.js) is drawn from the store, the others from their logs, ticked
// when they appear and read every FORKED_LIST_MILLIS, so both branches' curves overlay live.

import { describeCommand } from '../protocol.js';
import { runColour, runFromHistory } from '../runs-chart.js';

const LIST_MILLIS = 10000;
const FORKED_LIST_MILLIS = 2000;
const MAX_POINTS = 4000;
/** The live run's name when the server keeps no runs (serve --attach). */
export const LIVE = 'live session';

export function createRunPicker(host, actions) {
  host.innerHTML = '<span class="run-picker-title">Runs</span><span class="run-picker-list"></span>';
  const list = host.querySelector('.run-picker-list');
  let listed = [{ name: LIVE, live: true, lastChange: '' }];
  let listedAt = -Infinity;
  let failed = false; // the last listing failed (said once, until one succeeds)
  const ticked = new Set([LIVE]);
  const histories = new Map(); // name -> {lastChange, run (null until fetched)}
  let fetched = 0;
  let current = LIVE; // the run drawn from the store's series
  const seenLive = new Set();

  async function refresh() {
    listedAt = Date.now();
    try {
      const body = await actions.fetchJson('/api/runs');
      const runs = body?.runs || [];
      const live = runs.find(r => r.name === (actions.shownRun?.() || body.live)) || runs.find(r => r.live);
      if (live && ticked.delete(LIVE)) ticked.add(live.name);
      for (const r of runs.filter(r => r.live && !seenLive.has(r.name))) {
        seenLive.add(r.name);
        ticked.add(r.name); // a new branch's curves overlay at once
      }
      current = live ? live.name : LIVE;
      listed = live ? runs : [{ name: LIVE, live: true, lastChange: '' }, ...runs];
    } catch (e) {
      if (e.status === 404) listedAt = Infinity; // a server from before runs were kept: never ask again
      else if (!failed) actions.toast(`Could not list the runs: ${e.message}`, 'error');
      failed = true;
      return;
    }
    failed = false;
    drawList();
    actions.requestRender();
  }

  function colourOf(name) {
    return runColour(Math.max(0, listed.findIndex(r => r.name === name)));
  }

  function drawList() {
    const labels = d3.select(list).selectAll('label.run-choice').data(listed, r => r.name).join(enter => {
      const label = enter.append('label').attr('class', 'run-choice');
      label.append('input').attr('type', 'checkbox').attr('name', 'stats-run').on('change', function (e, r) {
        if (this.checked) ticked.add(r.name); else ticked.delete(r.name);
        actions.requestRender();
      });
      label.append('span').attr('class', 'run-swatch');
      label.append('span').attr('class', 'run-name');
      return label;
    });
    labels.attr('title', r => (r.live ? 'the live session' : `${r.model ?? ''} · ${r.steps ?? 0} steps${r.problem ? ` · ${r.problem}` : ''}`));
    labels.select('input').attr('value', r => r.name).property('checked', r => ticked.has(r.name));
    labels.select('.run-swatch').style('background', r => colourOf(r.name));
    labels.select('.run-name').text(r => (r.live ? `${r.name} (live)` : r.name));
  }

  /** Fetches a ticked run's history when it has none yet or the run changed since. */
  function load(entry) {
    const known = histories.get(entry.name);
    if (known && known.lastChange === entry.lastChange) return known.run || null;
    histories.set(entry.name, { lastChange: entry.lastChange, run: known?.run || null });
    actions.fetchJson(`/api/history?run=${encodeURIComponent(entry.name)}&maxPoints=${MAX_POINTS}`)
      .then(history => {
        histories.get(entry.name).run = runFromHistory(entry.name, colourOf(entry.name), history,
          e => describeCommand(e.type, e.payload, e.result));
        fetched++;
        actions.requestRender();
      })
      .catch(e => actions.toast(`Could not read the run ${entry.name}: ${e.message}`, 'error'));
    return known?.run || null;
  }

  drawList();
  return {
    /**
     * The ticked runs to draw, in list order: the live one as `liveRun` (the store's series) and the
     * others from their logs (left out until fetched); `overlay` is false while only the live run is ticked.
     */
    runs(liveRun) {
      const forked = listed.filter(r => r.live).length > 1;
      if (Date.now() - listedAt > (forked ? FORKED_LIST_MILLIS : LIST_MILLIS)) refresh();
      const shownRun = actions.shownRun?.();
      if (shownRun && listed.some(r => r.name === shownRun)) current = shownRun;
      const runs = [];
      for (const entry of listed) {
        if (!ticked.has(entry.name)) continue;
        const run = entry.name === current ? liveRun(entry.name, colourOf(entry.name)) : load(entry);
        if (run) runs.push(run);
      }
      const overlay = listed.some(r => r.name !== current && ticked.has(r.name));
      return { runs, overlay, key: `${fetched}|${runs.map(r => r.name).join('|')}` };
    },
  };
}
