"""How an attached run talks to the server: any object with send(message: dict), poll() -> list of
dicts (the messages that arrived since the last poll, oldest first; never waits) and close().

When the server is gone, send and poll raise ConnectionLost (poll once every message that arrived
before has been handed over); the run then warns once and trains on unattached (agent.py).

MemoryTransport is for tests and for driving a run from the same process. WebSocketTransport
speaks docs/ENGINE.md over WebSocket `/engine` with the websocket-client package (Debian's
`python3-websocket`). SilentTransport sends nothing and hears nothing.
"""
import json
import socket
import struct
import threading
from collections import deque
from urllib.parse import urlsplit, urlunsplit

SEND_TIMEOUT = 10.0  # seconds a send may wait for a server that does not read before the run gives it up
CLOSE_WAIT = 2.0  # seconds close() waits for the server's answer to the closing handshake
AUTHORIZATION_REFUSED = (401, 403)


class ConnectionLost(ConnectionError):
    """The server's connection ended; the message says why, in words."""


class AttachError(ConnectionError):
    """attach could not connect to the server; the message names the URL and what to do."""


class MemoryTransport:
    """Two in-process queues. The run sends into `sent`; a test (or thread) calls `push` to play the
    server, and `disconnect` to play a server that went away. Thread-safe: `wait_for` lets another
    thread wait for a message the run sent."""

    def __init__(self):
        self.sent = []
        self.closed = False
        self._lost = None
        self._inbox = deque()
        self._changed = threading.Condition()

    def send(self, message):
        json.dumps(message, allow_nan=False)  # a message must be valid JSON as the server reads it
        with self._changed:
            if self._lost:
                raise ConnectionLost(self._lost)
            self.sent.append(message)
            self._changed.notify_all()

    def poll(self):
        with self._changed:
            messages = list(self._inbox)
            self._inbox.clear()
            if not messages and self._lost:
                raise ConnectionLost(self._lost)
            return messages

    def close(self):
        self.closed = True

    def push(self, message):
        with self._changed:
            self._inbox.append(message)

    def disconnect(self, why="the server closed the connection"):
        with self._changed:
            self._lost = why

    def wait_for(self, predicate, timeout):
        """The first sent message for which predicate(message) holds, waiting up to `timeout` s; None if none came."""
        with self._changed:
            found = []
            self._changed.wait_for(lambda: found.extend(m for m in self.sent if predicate(m)) or found, timeout)
            return found[0] if found else None

    def of_type(self, kind):
        with self._changed:
            return [m for m in self.sent if m.get("type") == kind]


class SilentTransport:
    """Says nothing and hears nothing: the transport of ranks other than 0 (they hear the server
    through rank 0), and of a run whose server is gone."""

    def send(self, message):
        pass

    def poll(self):
        return []

    def close(self):
        pass


class WebSocketTransport:
    """docs/ENGINE.md over WebSocket `/engine` of a `revacnn serve --attach` server.

    A daemon thread (`reader`) blocks in websocket-client's recv and appends each message, parsed,
    to a deque; poll() only drains that deque, so a training step never waits for the network.
    send() runs on the training thread: websocket-client serialises whole frames with its own lock
    (`enable_multithread`), so the reader's automatic pongs never interleave with it. A text message
    that is not JSON, or a binary one, is handed over as {"type": "unreadable"} so the run answers
    with an error, as the server does.
    """

    def __init__(self, url, token=None, timeout=10.0):
        import websocket  # Debian: python3-websocket
        self._websocket = websocket
        self.url = engine_url(url)
        self._inbox = deque()  # appended by the reader, drained by poll: deque's append and popleft are atomic
        self._lost = None  # why the connection ended, once it has
        self._closing = False
        self._connection = _connect(websocket, url, self.url, token, timeout)
        self._connection.settimeout(SEND_TIMEOUT)
        self.reader = threading.Thread(target=self._read, name="revacnn-websocket-reader", daemon=True)
        self.reader.start()

    def send(self, message):
        text = json.dumps(message, allow_nan=False)
        if self._lost:
            raise ConnectionLost(self._lost)
        try:
            self._connection.send(text)
        except Exception as error:  # websocket-client raises its own kinds and OSError's: all mean "gone"
            self._end(f"sending to {self.url} failed ({_in_words(error)})")
            raise ConnectionLost(self._lost) from None

    def poll(self):
        messages = []
        while self._inbox:
            messages.append(self._inbox.popleft())
        if not messages and self._lost:
            raise ConnectionLost(self._lost)
        return messages

    def close(self):
        """The closing handshake (a close frame, the server's answer read by the reader), then the socket."""
        if self._closing:
            return
        self._closing = True
        connection = self._connection
        if not self._lost:
            try:
                connection.send_close()
            except Exception:  # already gone: nothing to say goodbye to
                pass
            self.reader.join(CLOSE_WAIT)
        if self.reader.is_alive() and connection.sock is not None:
            connection.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader blocked in recv
            self.reader.join(CLOSE_WAIT)
        connection.shutdown()

    def _read(self):
        websocket = self._websocket
        while True:
            try:
                opcode, data = self._connection.recv_data()
            except websocket.WebSocketTimeoutException:
                continue  # a quiet server: the socket's timeout is there to bound sends
            except Exception as error:  # any failure of the connection ends it; poll tells the run
                self._end(f"the connection to {self.url} broke ({_in_words(error)})")
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                self._end(f"the server at {self.url} closed the connection{_close_reason(data)}")
                return
            self._inbox.append(_parse(opcode == websocket.ABNF.OPCODE_TEXT, data))

    def _end(self, why):
        if self._lost is None:
            self._lost = "the run closed the connection" if self._closing else why


def _connect(websocket, url, address, token, timeout):
    """websocket-client's connection to `address`, or an AttachError that says what to do."""
    headers = [f"Authorization: Bearer {token}"] if token else []
    try:
        # no Origin header: the server refuses a foreign Origin, and a training script is no web page
        return websocket.create_connection(address, timeout=timeout, header=headers, suppress_origin=True,
                                           enable_multithread=True)
    except websocket.WebSocketBadStatusException as refused:
        status = refused.status_code
        if status in AUTHORIZATION_REFUSED and not token:
            why = (f"the server at {url} wants a token (HTTP {status}): pass token=... (the example: --token T), "
                   "the token that `revacnn serve` printed in its URL")
        elif status in AUTHORIZATION_REFUSED:
            why = (f"the server at {url} refused the token (HTTP {status}): check that it is the token that "
                   "`revacnn serve` printed in its URL")
        else:
            why = (f"the server at {url} refused the WebSocket {address} (HTTP {status}): is it a revacnn "
                   "server started with `revacnn serve --attach`?")
        raise AttachError(f"cannot attach: {why}") from None
    except (OSError, websocket.WebSocketException) as error:
        raise AttachError(f"cannot attach: nothing answers at {address} ({_in_words(error)}); is "
                          f"`revacnn serve --attach` running at {url}?") from None


def _parse(is_text, data):
    if not is_text:
        return {"type": "unreadable", "payload": {"why": "a binary message"}}
    try:
        return json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except ValueError:  # UnicodeDecodeError is a ValueError too
        return {"type": "unreadable", "payload": {"why": "malformed JSON"}}


def _close_reason(data):
    """ (code 1001: going away) from a close frame's body: a 2-byte status code, then UTF-8 text."""
    if len(data) < 2:
        return ""
    code = struct.unpack("!H", data[:2])[0]
    reason = data[2:].decode("utf-8", "replace")
    return f" (code {code}{': ' + reason if reason else ''})"


def _in_words(error):
    return str(error) or type(error).__name__


def engine_url(url):
    """http(s)://host:port[/...] -> ws(s)://host:port/engine (the token travels in a header)."""
    parts = urlsplit(url)
    scheme = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise ValueError(f"the server URL must look like http://127.0.0.1:7070, got {url!r}")
    return urlunsplit((scheme, parts.netloc, "/engine", "", ""))
