"""The real transport (websocket-client) against a standard-library WebSocket server (ws_server.py):
the handshake carries the token to /engine, a command is applied and acknowledged, poll never
reads the socket itself, a server that goes away leaves the run training unattached after one
warning, and a failed connect says what to do."""
import math
import socket
import threading

import pytest
import torch

import revacnn
from agent_harness import CLASS_NAMES, train_steps
from models import images, paper_model
from ws_server import EngineServer

pytest.importorskip("websocket")
from revacnn.transport import WebSocketTransport  # noqa: E402

DEADLINE = 10.0  # seconds; every wait below ends as soon as what it waits for happened


@pytest.fixture
def server():
    server = EngineServer(token="T")
    yield server
    server.go_away(abruptly=True)


def attach(url, token="T"):
    torch.manual_seed(0)
    model = paper_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    return revacnn.attach(model, optimizer, url=url, token=token, probe=images(1, seed=9)[0], probe_label=3,
                          class_names=CLASS_NAMES, batch_size=4)


def train_until(run, done, most=2000):
    """Trains step by step until done() holds (at most `most` steps); the losses."""
    losses = []
    while not done():
        assert len(losses) < most, "what the test waited for did not happen"
        losses += train_steps(run, 1)
    return losses


def answer(server, message_id):
    return server.wait_for(lambda m: m.get("id") == message_id, 0) is not None


def test_a_command_over_the_websocket_is_applied_and_acknowledged(server):
    run = attach(server.url)
    hello = server.wait_for(lambda m: m["type"] == "hello", DEADLINE)
    path, headers = server.requests[0]
    assert path == "/engine" and headers["authorization"] == "Bearer T" and "origin" not in headers
    assert hello["payload"]["protocolVersion"] == 2 and hello["payload"]["classNames"] == CLASS_NAMES

    server.send({"type": "set-hyperparameters", "id": "lr1", "payload": {"learningRate": 0.05}})
    train_until(run, lambda: answer(server, "lr1"))
    ack = server.wait_for(lambda m: m.get("id") == "lr1", 0)
    assert ack == {"type": "ack", "id": "lr1", "payload": {"changes": {"learningRate": {"from": 0.01, "to": 0.05}}}}
    assert [group["lr"] for group in run.optimizer.param_groups] == [0.05]
    snapshot = server.wait_for(lambda m: m["type"] == "snapshot"
                               and m["payload"]["hyperparameters"]["learningRate"] == 0.05, DEADLINE)
    assert snapshot is not None  # sent at once after the command took effect

    server.send_text("{not json")
    train_until(run, lambda: server.wait_for(lambda m: m["type"] == "error", 0) is not None)
    assert server.wait_for(lambda m: m["type"] == "error", 0)["payload"]["message"] == \
        "cannot read the message: malformed JSON"

    reader = run.transport.reader
    run.close()
    bye = server.wait_for(lambda m: m["type"] == "bye", DEADLINE)
    assert bye["payload"] == {"reason": "finished", "step": run.step_count}
    assert not reader.is_alive() and server.unmasked == 0


def test_poll_hands_over_what_the_reader_thread_received_and_never_reads_the_socket(server, monkeypatch):
    transport = WebSocketTransport(server.url, token="T")
    assert transport.reader.daemon and transport.reader.is_alive()
    readers = []
    original = type(transport._connection).recv_data

    def recv_data(connection, *args):
        readers.append(threading.current_thread())
        return original(connection, *args)
    monkeypatch.setattr(type(transport._connection), "recv_data", recv_data)
    assert transport.poll() == []  # nothing arrived: an empty list, from the deque alone

    server.send({"type": "pause", "id": "p1"})  # the reader returns from its pending recv and reads again
    server.send({"type": "resume", "id": "r1"})
    received = []
    while len(received) < 2 and len(readers) < 1000:
        received += transport.poll()
    assert [m["id"] for m in received] == ["p1", "r1"]
    assert readers and set(readers) == {transport.reader}  # only the reader thread ever calls recv
    transport.close()


@pytest.mark.parametrize("abruptly", [False, True], ids=["close-frame", "socket-dropped"])
def test_a_server_that_goes_away_leaves_the_run_training_unattached_after_one_warning(server, abruptly, capsys):
    run = attach(server.url)
    server.wait_for(lambda m: m["type"] == "hello", DEADLINE)
    train_steps(run, 2)
    server.go_away(abruptly=abruptly)
    losses = train_until(run, lambda: not run.attached)
    weights = [p.detach().clone() for p in run.model.parameters()]
    losses += train_steps(run, 20)
    run.close()

    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("revacnn:")]
    assert len(warnings) == 1, warnings
    assert "training goes on unattached" in warnings[0] and server.url.replace("http", "ws") in warnings[0]
    if not abruptly:
        assert "closed the connection (code 1001: going away)" in warnings[0]
    assert all(math.isfinite(loss) for loss in losses)
    assert any(not torch.equal(w, p) for w, p in zip(weights, run.model.parameters()))  # it kept training


def test_a_paused_run_resumes_when_the_server_goes_away(server, capsys):
    run = attach(server.url)
    server.send({"type": "pause", "id": "p1"})

    def go_away_once_paused():
        server.wait_for(lambda m: m.get("id") == "p1", DEADLINE)
        server.go_away()
    leaver = threading.Thread(target=go_away_once_paused)
    leaver.start()
    train_until(run, lambda: answer(server, "p1"))  # the step that pauses returns once the server is gone
    leaver.join()
    assert run.state == "running" and not run.attached
    train_steps(run, 3)
    assert capsys.readouterr().err.count("revacnn:") == 1


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_attach_without_a_server_names_the_url_and_what_to_run():
    port = free_port()
    with pytest.raises(revacnn.AttachError, match=rf"nothing answers at ws://127.0.0.1:{port}/engine .*is "
                                                 rf"`revacnn serve --attach` running at http://127.0.0.1:{port}\?"):
        attach(f"http://127.0.0.1:{port}", token=None)


@pytest.mark.parametrize("token, expected", [
    (None, r"wants a token \(HTTP 401\): pass token="),
    ("wrong", r"refused the token \(HTTP 401\)"),
])
def test_attach_with_a_missing_or_wrong_token_says_so(server, token, expected):
    with pytest.raises(revacnn.AttachError, match=expected):
        attach(server.url, token=token)
    assert server.received == []


def test_attach_to_a_server_without_engine_says_it_is_not_an_attach_server():
    other = EngineServer(path="/ws")
    with pytest.raises(revacnn.AttachError, match=r"refused the WebSocket .*/engine \(HTTP 404\): is it a revacnn "
                                                  r"server started with `revacnn serve --attach`\?"):
        attach(other.url, token=None)
    other.go_away()
