// The WebSocket: connects to /ws (with ?token= when the page has one), parses messages into
// store.apply, and reconnects by itself with exponential backoff when the server goes away.
// On every (re)connect the server's hello carries the history, so the store catches up.

import { VIEW } from './protocol.js';

export function createSocket(store, { path = '/ws' } = {}) {
  let ws = null;
  let attempt = 0;
  let seq = 0;
  let timer = null;
  let closedByUs = false;
  let lastView = null; // the view last set, re-sent on every (re)connect

  function url() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const token = new URLSearchParams(location.search).get('token');
    return `${proto}//${location.host}${path}${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  }

  function connect() {
    timer = null;
    store.setConnection('connecting');
    try {
      ws = new WebSocket(url());
    } catch (e) {
      scheduleReconnect();
      return;
    }
    ws.onopen = () => {
      attempt = 0;
      if (lastView) ws.send(JSON.stringify({ type: VIEW, id: `v${++seq}`, payload: lastView }));
      store.setConnection('open');
    };
    ws.onmessage = (event) => {
      const msg = parse(event.data);
      if (msg) store.apply(msg);
    };
    ws.onclose = () => {
      ws = null;
      if (!closedByUs) scheduleReconnect();
    };
    ws.onerror = () => { /* onclose follows and reconnects */ };
  }

  function scheduleReconnect() {
    if (timer) return;
    const delay = Math.min(10000, 250 * 2 ** attempt) * (0.8 + 0.4 * ((attempt * 7919) % 10) / 10);
    attempt = Math.min(attempt + 1, 10);
    store.setConnection('closed', Date.now() + delay);
    timer = setTimeout(connect, delay);
  }

  function parse(text) {
    try {
      return JSON.parse(text);
    } catch (e) {
      // Jackson may write bare NaN / Infinity, which is not JSON: read them as strings
      try {
        return JSON.parse(text.replace(/([:,\[]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"'));
      } catch (e2) {
        store.toast('Could not read a message from the server', 'error');
        return null;
      }
    }
  }

  return {
    start: connect,
    /** Sends a command; returns its id, or null (with a toast) when not connected. */
    send(type, payload = {}) {
      if (!ws || ws.readyState !== WebSocket.OPEN) {
        store.toast(`Not connected: '${type}' was not sent`, 'error');
        return null;
      }
      const id = `c${++seq}`;
      ws.send(JSON.stringify({ type, id, payload }));
      store.sent(id, type, payload);
      return id;
    },
    /**
     * Tells the server what the open views need of the snapshots ({layers, statistics}: protocol.js VIEW);
     * not a command, so not tracked as pending. Sent again after every reconnect.
     */
    setView(view) {
      lastView = view;
      if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: VIEW, id: `v${++seq}`, payload: view }));
    },
    /** Reconnects now (used by the connection indicator). */
    reconnectNow() {
      if (timer) { clearTimeout(timer); timer = null; }
      if (!ws) connect();
    },
    close() {
      closedByUs = true;
      if (timer) clearTimeout(timer);
      if (ws) ws.close();
    },
  };
}
