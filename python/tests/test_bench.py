"""python/bench/attach_overhead.py: its arguments, the plain loop, and the attached loop and the
latency mode against the tests' standard-library /engine server (--fake-server); tiny trials."""
import importlib.util
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
    assert re.search(rf"^\| paper \| 4 \| {NUMBER} \| - \| - \|$", out, re.M), out


def test_the_attached_loop_runs_against_the_fake_server(capsys):
    pytest.importorskip("websocket")
    bench().main(["--fake-server", "--configs", "paper:4", "--rounds", "1", "--seconds", "0.3", "--threads", "1"])
    out = capsys.readouterr().out
    assert re.search(rf"^\| paper \| 4 \| {NUMBER} \| {NUMBER} \| [+-]{NUMBER}% \|$", out, re.M), out


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
