"""A small WebSocket server made with the standard library only (RFC 6455: the opening handshake, text,
close and ping frames, masked client frames) that plays a revacnn server's `/engine` for the tests of
the real transport, and for python/bench/attach_overhead.py --fake-server. One client at a time.

    server = EngineServer(token="T")             # listens on 127.0.0.1, a free port: server.url
    server.wait_for(lambda m: m["type"] == "hello", 10)
    server.send({"type": "pause", "id": "p1"})
    server.go_away()                              # a close frame (1001), then the sockets close
"""
import base64
import hashlib
import json
import socket
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455, 1.3: Sec-WebSocket-Accept = b64(sha1(key + GUID))
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA
GOING_AWAY = 1001


class EngineServer:
    def __init__(self, token=None, path="/engine"):
        self.token, self.path = token, path
        self.requests = []  # (path, {lower-case header: value}) of every handshake
        self.received = []  # the JSON messages clients sent, in order
        self.unmasked = 0  # client frames that came without a mask (RFC 6455 forbids them)
        self._changed = threading.Condition()
        self._client = None
        self._sending = threading.Lock()  # the test's sends and this thread's answers are whole frames
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def send(self, message):
        self.send_text(json.dumps(message))

    def send_text(self, text):
        self._frame(TEXT, text.encode())

    def wait_for(self, predicate, timeout):
        """The first received message for which predicate holds, waiting up to `timeout` s; None if none."""
        with self._changed:
            found = []
            self._changed.wait_for(lambda: found.extend(m for m in self.received if predicate(m)) or found, timeout)
            return found[0] if found else None

    def go_away(self, abruptly=False):
        """The server stops: a close frame (1001, going away) unless `abruptly`, then every socket closes."""
        self._listener.close()
        if self._client is not None:
            if not abruptly:
                self._frame(CLOSE, struct.pack("!H", GOING_AWAY) + b"going away")
            self._client.close()

    def _accept(self):
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:  # the listener closed
                return
            with client:
                if self._handshake(client):
                    self._client = client
                    self._serve(client)

    def _handshake(self, client):
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = client.recv(4096)
            if not chunk:
                return False
            request += chunk
        lines = request.split(b"\r\n\r\n")[0].decode().split("\r\n")
        path = lines[0].split(" ")[1]
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        self.requests.append((path, headers))
        status = None
        if path != self.path:
            status = "404 Not Found"
        elif self.token is not None and headers.get("authorization") != f"Bearer {self.token}":
            status = "401 Unauthorized"
        if status:
            client.sendall(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
            return False
        accept = base64.b64encode(hashlib.sha1((headers["sec-websocket-key"] + GUID).encode()).digest()).decode()
        client.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Accept: {accept}\r\n\r\n").encode())
        return True

    def _serve(self, client):
        """Reads frames until the client closes: text is JSON to record, close is answered, ping ponged."""
        message = b""
        while True:
            try:
                head = _exactly(client, 2)
                fin, opcode, masked, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x80, head[1] & 0x7F
                if length >= 126:  # 126: a 16-bit length follows, 127: a 64-bit one
                    size = 2 if length == 126 else 8
                    length = int.from_bytes(_exactly(client, size), "big")
                mask = _exactly(client, 4) if masked else bytes(4)
                self.unmasked += not masked
                payload = _unmask(_exactly(client, length), mask)
            except OSError:  # the client, or go_away, closed the socket
                return
            if opcode == CLOSE:
                self._frame(CLOSE, payload[:2])
                return
            if opcode == PING:
                self._frame(PONG, payload)
                continue
            message += payload
            if fin and opcode in (TEXT, 0):
                with self._changed:
                    self.received.append(json.loads(message))
                    self._changed.notify_all()
                message = b""

    def _frame(self, opcode, payload):
        """One unmasked frame (a server's frames are never masked) with FIN set."""
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        try:
            with self._sending:
                self._client.sendall(head + payload)
        except OSError:  # a client that is gone hears nothing
            pass


def _unmask(data, mask):
    """data XOR the 4-byte mask repeated (RFC 6455, 5.3), as one big-integer XOR."""
    key = (mask * (len(data) // 4 + 1))[:len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(key, "big")).to_bytes(len(data), "big")


def _exactly(client, count):
    data = b""
    while len(data) < count:
        chunk = client.recv(count - len(data))
        if not chunk:
            raise ConnectionError("the client closed the connection")
        data += chunk
    return data
