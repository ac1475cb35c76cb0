// Above the network: for an attached engine, one line naming it ("PyTorch · torch 1.13.0a0 · cpu ·
// 2 processes", the ranks' weight checksums on hover, a warning when they disagree); while no run is
// attached (waiting, ended, dropped) a panel saying so, with the two lines of Python that connect a
// run to this very server (the page's origin and token) and a button that copies them. The built-in
// engine shows neither.

import { engineOf, engineLine, rankChecksums, runlessState, connectSnippet } from '../engine.js';

export function createEngineBanner(element) {
  element.innerHTML = `
    <div class="engine-line" id="engine-line" hidden><span id="engine-name"></span>
      <span class="engine-warning" id="engine-ranks-warning" hidden>· the ranks' weights differ</span></div>
    <section class="engine-waiting card" id="engine-waiting" aria-labelledby="engine-waiting-title" hidden>
      <h2 class="engine-waiting-title" id="engine-waiting-title"></h2>
      <p class="muted">Connect a PyTorch run to this server with these two lines of Python, then call
        <code>run.step(loss, out, labels)</code> after each optimiser step (README: "Steer your own PyTorch training").
        The charts keep the history of earlier runs.</p>
      <div class="engine-snippet-row">
        <pre class="engine-snippet" id="engine-snippet"></pre>
        <div class="engine-copy"><button class="btn btn-small" type="button" id="engine-copy">Copy</button>
          <span class="muted small" id="engine-copy-status" role="status" aria-live="polite"></span></div>
      </div>
    </section>`;
  const $ = (s) => element.querySelector(s);
  const line = $('#engine-line');
  const panel = $('#engine-waiting');
  const snippet = $('#engine-snippet');
  const copyStatus = $('#engine-copy-status');
  snippet.textContent = connectSnippet(location.origin, new URLSearchParams(location.search).get('token'));

  $('#engine-copy').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(snippet.textContent);
      copyStatus.textContent = 'Copied.';
    } catch (e) {
      // no clipboard (a page not served from localhost or https): select the lines for Ctrl+C
      const range = document.createRange();
      range.selectNodeContents(snippet);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      copyStatus.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });

  return {
    render(state) {
      const name = engineLine(state);
      line.hidden = !name;
      line.dataset.engineState = engineOf(state).state;
      if (name) {
        $('#engine-name').textContent = name;
        const ranks = rankChecksums(state);
        line.title = ranks.text ? `Weight checksums: ${ranks.text}` : '';
        $('#engine-ranks-warning').hidden = !ranks.disagree;
      }
      const runless = runlessState(state);
      panel.hidden = !runless;
      panel.dataset.engineState = engineOf(state).state;
      if (runless) {
        const engine = engineOf(state);
        const said = engine.state === 'waiting' ? 'Waiting for a PyTorch run' : engine.message || runless;
        const title = said.charAt(0).toUpperCase() + said.slice(1);
        if ($('#engine-waiting-title').textContent !== title) $('#engine-waiting-title').textContent = title;
      }
    },
  };
}
