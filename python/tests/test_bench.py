"""python/bench/attach_overhead.py: its arguments, the plain loop, and the attached loop and the
latency mode against the tests' standard-library /engine server (--fake-server); tiny trials."""
import importlib.util
import os
import pathlib
import re

import pytest
import torch

BENCH = pathlib.Path(__file__).resolve().parents[1] / "bench" / "attach_overhead.py"
NUMBER = r"\d+\.\d"


@pytest.fixture(autouse=True)
def keep_torch_threads():
    threads = torch.get_num_threads()  # main() sets them for the whole process
    yield
    torch.set_num_threads(threads)


def bench():
    spec = importlib.util.spec_from_file_location("attach_overhead", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("argv, expected", [
    ([], "give --url URL"),
    (["--plain-only", "--latency"], "--latency needs a server"),
    (["--plain-only", "--fake-server"], "not allowed with argument"),
    (["--plain-only", "--rounds", "0"], "--rounds must be at least 1, got 0"),
    (["--plain-only", "--seconds", "0"], "--seconds must be positive"),
    (["--plain-only", "--warm-up", "-1"], "--warm-up must be 0 or more, got -1"),
])
def test_bad_arguments_are_refused_with_the_reason(argv, expected, capsys):
    with pytest.raises(SystemExit):
        bench().arguments(argv)
    assert expected in capsys.readouterr().err


@pytest.mark.parametrize("configs", ["paper", "vgg:4", "paper:0", "paper:x"])
def test_a_bad_config_is_named(configs):
    with pytest.raises(SystemExit, match=f"--configs: each must be paper:N or resnet18:N with N >= 1, got '{configs}'"):
        bench().arguments(["--plain-only", "--configs", configs])


def test_the_plain_loop_gives_a_table_row(capsys):
    bench().main(["--plain-only", "--configs", "paper:4", "--rounds", "2", "--seconds", "0.2", "--threads", "1"])
    out = capsys.readouterr().out
    assert "1 threads, no server" in out
    assert re.search(rf"^\| paper \| 4 \| {NUMBER} \| - \| - \| - \|$", out, re.M), out


def test_the_attached_loop_runs_against_the_fake_server(capsys):
    pytest.importorskip("websocket")
    bench().main(["--fake-server", "--configs", "paper:4", "--rounds", "1", "--seconds", "0.3", "--warm-up", "0.2",
                  "--threads", "1"])
    out = capsys.readouterr().out
    assert re.search(rf"^\| paper \| 4 \| {NUMBER} \| {NUMBER} \| [+-]{NUMBER}% \| [+-]{NUMBER}% \|$", out, re.M), out


def test_the_browser_stand_in_runs_in_its_own_process_and_reports_what_it_read():
    pytest.importorskip("websocket")
    from ws_server import EngineServer
    page_server = EngineServer(path="/ws")  # plays the server's /ws
    try:
        browser = bench().BrowserProcess(page_server.url, "T")
        page_server.send({"type": "snapshot", "payload": {"step": 1}})
        page_server.send_text("{}")
        path, headers = page_server.requests[0]
        assert path == "/ws" and headers["authorization"] == "Bearer T"
        assert browser._process.pid != os.getpid()
        page_server.go_away()  # its close frame comes after the two messages: the stand-in reads both first
        browser.close()
        assert browser._process.returncode == 0
        assert (browser.count, browser.bytes) == (2, len('{"type": "snapshot", "payload": {"step": 1}}') + 2)
    finally:
        page_server.go_away()


def test_a_stand_in_that_cannot_connect_says_why():
    pytest.importorskip("websocket")
    with pytest.raises(ConnectionError, match="Error"):
        bench().BrowserProcess("http://127.0.0.1:9", None)


def test_the_latency_mode_times_ack_and_snapshot_against_the_fake_server(capsys):
    pytest.importorskip("websocket")
    bench().main(["--fake-server", "--latency", "--count", "3", "--threads", "1"])
    out = capsys.readouterr().out
    assert "| 3 commands (paper model, batch 4) | p50 ms | p95 ms |" in out
    for label in ("command -> ack", "command -> first snapshot showing it"):
        assert re.search(rf"^\| {label} \| {NUMBER} \| {NUMBER} \|$", out, re.M), out


def test_percentiles_are_nearest_rank():
    percentile = bench().percentile
    values = list(range(20, 0, -1))
    assert percentile(values, 0.5) == 10 and percentile(values, 0.95) == 19 and percentile([7], 0.95) == 7
