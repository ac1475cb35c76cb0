"""How an attached run talks to the server: any object with send(message: dict) and poll() -> list
of dicts (the messages that arrived since the last poll, oldest first; never blocks).

MemoryTransport is for tests and for driving a run from the same process. WebSocketTransport
speaks docs/ENGINE.md over WebSocket `/engine` with the websocket-client package (Debian's
`python3-websocket`).
"""
import json
import threading
from collections import deque
from urllib.parse import urlsplit, urlunsplit


POLL_TIMEOUT = 0.001  # seconds poll() waits for a message that is not there


class MemoryTransport:
    """Two in-process queues. The run sends into `sent`; a test (or thread) calls `push` to play the
    server. Thread-safe: `wait_for` lets another thread wait for a message the run sent."""

    def __init__(self):
        self.sent = []
        self._inbox = deque()
        self._changed = threading.Condition()

    def send(self, message):
        json.dumps(message, allow_nan=False)  # a message must be valid JSON as the server reads it
        with self._changed:
            self.sent.append(message)
            self._changed.notify_all()

    def poll(self):
        with self._changed:
            messages = list(self._inbox)
            self._inbox.clear()
            return messages

    def push(self, message):
        with self._changed:
            self._inbox.append(message)

    def wait_for(self, predicate, timeout):
        """The first sent message for which predicate(message) holds, waiting up to `timeout` s; None if none came."""
        with self._changed:
            found = []
            self._changed.wait_for(lambda: found.extend(m for m in self.sent if predicate(m)) or found, timeout)
            return found[0] if found else None

    def of_type(self, kind):
        with self._changed:
            return [m for m in self.sent if m.get("type") == kind]


class WebSocketTransport:
    """docs/ENGINE.md over WebSocket `/engine` of a `revacnn serve --attach` server.

    Written against websocket-client's documented API (websocket.create_connection, send,
    recv, settimeout); not exercised by the tests where that package is not installed.
    A text message that is not a JSON object is answered by an error, as the server does.
    """

    def __init__(self, url, token=None, timeout=10.0):
        import websocket  # Debian: python3-websocket
        self._websocket = websocket
        headers = [f"Authorization: Bearer {token}"] if token else []
        self._connection = websocket.create_connection(engine_url(url), timeout=timeout, header=headers)
        self._connection.settimeout(POLL_TIMEOUT)

    def send(self, message):
        self._connection.send(json.dumps(message, allow_nan=False))

    def poll(self):
        messages = []
        while True:
            try:
                text = self._connection.recv()
            except self._websocket.WebSocketTimeoutException:
                return messages
            if not isinstance(text, str):
                messages.append({"type": "unreadable", "payload": {"why": "a binary message"}})
                continue
            try:
                messages.append(json.loads(text))
            except ValueError:
                messages.append({"type": "unreadable", "payload": {"why": "malformed JSON"}})

    def close(self):
        self._connection.close()


def engine_url(url):
    """http(s)://host:port[/...] -> ws(s)://host:port/engine (the token travels in a header)."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"the server URL must look like http://127.0.0.1:7070, got {url!r}")
    return urlunsplit((scheme, parts.netloc, "/engine", "", ""))
