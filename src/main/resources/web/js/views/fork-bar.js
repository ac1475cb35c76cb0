// Fork a live run (docs/PROTOCOL.md "Fork"): a Fork button; once forked, a switch choosing the branch
// this page shows (show-branch: the network view, the header and the commands without a branch follow
// it) and a Keep button per branch, which ends the others. The branches come from GET /api/runs, read
// again once each of this bar's commands is answered and every LIST_MILLIS (another page may fork).

import { commands } from '../protocol.js';

const LIST_MILLIS = 3000;
/** A fork as a line drawing (the glyph U+2442 is missing from many fonts). */
const FORK_ICON = `<svg class="fork-icon" width="12" height="14" viewBox="0 0 12 14" aria-hidden="true" fill="none"
  stroke="currentColor" stroke-width="1.6"><circle cx="3" cy="2.5" r="1.6"/><circle cx="9" cy="2.5" r="1.6"/>
  <circle cx="6" cy="11.5" r="1.6"/><path d="M3 4.1v1.4q0 2 3 3t3-3V4.1M6 8.5v1.4"/></svg>`;

export function createForkBar(element, actions) {
  element.innerHTML = `
    <button id="btn-fork" class="btn" title="Split the run into two branches from this moment; both train, taking turns">${FORK_ICON} Fork</button>
    <span class="branch-switch" role="radiogroup" aria-label="Branch shown"></span>
    <span class="branch-keep"></span>`;
  const forkButton = element.querySelector('#btn-fork');
  const switcher = element.querySelector('.branch-switch');
  const keepers = element.querySelector('.branch-keep');
  let branches = [];
  let shown = null; // the branch id this page is shown (null: the first)
  let waiting = null; // the id of this bar's command not answered yet
  let keeping = false; // a keep-branch not answered and listed yet: the branch shown may be ending
  let listedAt = -Infinity;

  async function refresh() {
    listedAt = Date.now();
    try {
      branches = (await actions.fetchJson('/api/runs'))?.branches || [];
    } catch (e) {
      if (e.status === 404) listedAt = Infinity; // a server from before runs and forks: never ask again
      branches = [];
    }
    if (!branches.some(b => b.id === shown)) shown = null;
    draw();
    actions.requestRender();
  }

  /** Sends a command of this bar; returns its id, or null when it could not be sent. */
  function send(command) {
    waiting = actions.command(command);
    return waiting;
  }

  function draw() {
    const forked = branches.length > 1;
    forkButton.hidden = branches.length === 0;
    forkButton.disabled = forked;
    const current = shown ?? branches[0]?.id;
    const title = b => (b.run ? `branch ${b.id}: run ${b.run}` : `branch ${b.id}`);
    d3.select(switcher).selectAll('button').data(forked ? branches : [], b => b.id).join('button')
      .attr('class', 'btn btn-small branch-choice').attr('role', 'radio').attr('data-branch', b => b.id)
      .attr('aria-checked', b => String(b.id === current)).attr('title', b => `Show ${title(b)}`)
      .text(b => b.id)
      .on('click', (e, b) => {
        shown = b.id;
        send(commands.showBranch(b.id));
        draw();
      });
    d3.select(keepers).selectAll('button').data(forked ? branches : [], b => b.id).join('button')
      .attr('class', 'btn btn-small branch-keep-button').attr('data-branch', b => b.id)
      .attr('title', b => `Keep ${title(b)} and end the other (its run stays in the runs folder)`)
      .text(b => `Keep ${b.id}`)
      .on('click', (e, b) => { keeping = send(commands.keepBranch(b.id)) !== null; });
  }

  forkButton.addEventListener('click', () => send(commands.fork()));
  refresh();
  return {
    render(state) {
      if (waiting && !state.pending.has(waiting)) {
        waiting = null;
        refresh().then(() => { keeping = false; });
      } else if (Date.now() - listedAt > LIST_MILLIS) {
        refresh();
      }
    },
    /**
     * The id of the branch shown while the run is forked, else null (the REST reads name it: main.js);
     * null too while a keep-branch is under way, as the branch shown may be ending (the server then
     * answers for the first live branch, which the page is shown once the other ends).
     */
    shownBranch() {
      return branches.length > 1 && !keeping ? (shown ?? branches[0].id) : null;
    },
    /** The run of the branch shown, or null when none is known (for the Training Stats overlay). */
    shownRun() {
      return (branches.find(b => b.id === shown) ?? branches[0])?.run ?? null;
    },
  };
}
