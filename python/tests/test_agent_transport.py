"""The transports: the in-memory one refuses what is not JSON; the WebSocket URL is the server's /engine."""
import pytest

import revacnn
from revacnn.transport import engine_url


def test_memory_transport_refuses_non_json_and_hands_over_in_order():
    transport = revacnn.MemoryTransport()
    with pytest.raises(ValueError):
        transport.send({"type": "snapshot", "payload": {"loss": float("nan")}})
    transport.push({"type": "pause"})
    transport.push({"type": "resume"})
    assert [m["type"] for m in transport.poll()] == ["pause", "resume"] and transport.poll() == []


@pytest.mark.parametrize("url, expected", [
    ("http://127.0.0.1:7070", "ws://127.0.0.1:7070/engine"),
    ("https://host:8443/ui/?token=x", "wss://host:8443/engine"),
    ("ws://[::1]:7070/", "ws://[::1]:7070/engine"),
])
def test_engine_url(url, expected):
    assert engine_url(url) == expected


@pytest.mark.parametrize("url", ["127.0.0.1:7070", "ftp://host/", "http://"])
def test_engine_url_refuses_what_is_not_a_server_url(url):
    with pytest.raises(ValueError, match="must look like http://127.0.0.1:7070"):
        engine_url(url)
