"""What attaching costs a PyTorch training run (issue 11, section 4), measured against a running server.

Overhead (the default): PyTorch training images per second of the plain loop and of the attached loop
(revacnn.attach, run.model, run.step: examples/torch_train.py's train_step) for the paper's model at batch 4 and 64 and the CIFAR-sized
resnet18 at batch 64, on torch.set_num_threads(2). Plain and attached trials alternate (--rounds of
each, default 6, --seconds each, default 5) so machine noise hits both; the table gives the median
img/s of each, the difference of the medians and the median of the rounds' paired differences (a
plain trial and the attached one right after it). Both loops feed the same prepared in-memory batches
(no DataLoader), so the difference is revacnn's alone. Before the first round one attached trial of
--warm-up seconds (default 10) is run and not counted: a long-running server's JIT compiler has done
its work, a just-started one has not. Throughout, a "browser stand-in" reads every message the
server pushes to a page (a websocket-client connection to /ws, as a browser's at 10 Hz), in a process
of its own as a browser is: in the training process it would take the interpreter lock from the loop.

    revacnn serve --attach --port 7070 &                   # the server (the lead's Java side)
    /usr/bin/python3 python/bench/attach_overhead.py --url http://127.0.0.1:7070 [--token T]
    /usr/bin/python3 python/bench/attach_overhead.py --fake-server     # see below
    /usr/bin/python3 python/bench/attach_overhead.py --plain-only --configs paper:4

Latency (--latency): the attached paper model at batch 4 trains in a thread while set-hyperparameters
commands with a new learningRate each are sent through REST `POST /api/commands`; for each, the time
from sending to the ack (the REST answer) and to the first /ws snapshot whose hyperparameters show the
new rate; p50 and p95 over --count commands (default 40), one every 0.25 s.

    /usr/bin/python3 python/bench/attach_overhead.py --latency --url http://127.0.0.1:7070

--fake-server replaces the server by the tests' standard-library WebSocket server
(python/tests/ws_server.py), which reads /engine and nothing else: no /ws (so no browser stand-in)
and no REST, so --latency then sends the commands on /engine itself and times the ack and the
snapshot as that server receives them. It measures the agent's side only, not the Java server's.

Output: a small markdown table on stdout (paste into docs/BENCHMARKS.md with the CPU's name).
"""
import argparse
import importlib.util
import json
import math
import os
import pathlib
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the revacnn package in python/
import revacnn  # noqa: E402

CONFIGS = ["paper:4", "paper:64", "resnet18:64"]
PREPARED_BATCHES = 8  # distinct batches the loops cycle through
WARM_UP_STEPS = 3  # not timed: first calls allocate
PAUSE_BETWEEN_COMMANDS = 0.25  # seconds
WAIT = 10.0  # seconds any single answer may take before the bench gives up


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a running `revacnn serve --attach`, e.g. http://127.0.0.1:7070")
    where.add_argument("--fake-server", action="store_true", help="the tests' stdlib /engine server instead")
    where.add_argument("--plain-only", action="store_true", help="the plain loop only (no server)")
    parser.add_argument("--token", default=os.environ.get("REVACNN_TOKEN"), help="the server's token, if any")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="model:batch,... (models: paper, resnet18)")
    parser.add_argument("--rounds", type=int, default=6, help="plain and attached trials of each config")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one trial")
    parser.add_argument("--warm-up", type=float, default=10.0, help="seconds of attached training not counted, first")
    parser.add_argument("--stand-in", action="store_true", help=argparse.SUPPRESS)  # the browser stand-in's process
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    parser.add_argument("--latency", action="store_true", help="command -> ack -> snapshot latency instead")
    parser.add_argument("--count", type=int, default=40, help="commands timed by --latency")
    args = parser.parse_args(argv)
    if not (args.url or args.fake_server or args.plain_only):
        parser.error("give --url URL (a running `revacnn serve --attach`), --fake-server or --plain-only")
    if args.latency and args.plain_only:
        parser.error("--latency needs a server: --url URL or --fake-server")
    args.configs = [config(text) for text in args.configs.split(",")]
    for name, value in (("--rounds", args.rounds), ("--count", args.count), ("--threads", args.threads)):
        if value < 1:
            parser.error(f"{name} must be at least 1, got {value}")
    if args.seconds <= 0:
        parser.error(f"--seconds must be positive, got {args.seconds}")
    if args.warm_up < 0:
        parser.error(f"--warm-up must be 0 or more, got {args.warm_up}")
    return args


def config(text):
    model, _, batch = text.partition(":")
    if model not in ("paper", "resnet18") or not batch.isdigit() or int(batch) < 1:
        raise SystemExit(f"--configs: each must be paper:N or resnet18:N with N >= 1, got {text!r}")
    return model, int(batch)


# --- the loops ---------------------------------------------------------------------------------
def example():
    """examples/torch_train.py as a module: its train_step and resnet18."""
    spec = importlib.util.spec_from_file_location("torch_train", HERE.parents[1] / "examples" / "torch_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


EXAMPLE = example()


def build(model_name):
    torch.manual_seed(0)
    model = revacnn.paper_model() if model_name == "paper" else EXAMPLE.resnet18()
    return model, torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def prepared_batches(batch):
    generator = torch.Generator().manual_seed(1)
    return [(torch.randn(batch, 3, 32, 32, generator=generator), torch.randint(0, 10, (batch,), generator=generator))
            for _ in range(PREPARED_BATCHES)]


def train(model, optimizer, batches, seconds, run=None, stop=None):
    """Images per second of `seconds` of training after WARM_UP_STEPS untimed steps; with `run`,
    the attached loop (run.model, run.step). `stop` (an Event) may end it early."""
    images, started, step = 0, None, 0
    while True:
        x, y = batches[step % len(batches)]
        EXAMPLE.train_step(model, optimizer, x, y, run)
        step += 1
        if step == WARM_UP_STEPS:
            started = time.perf_counter()
        elif step > WARM_UP_STEPS:
            images += y.shape[0]
            elapsed = time.perf_counter() - started
            if elapsed >= seconds or (stop is not None and stop.is_set()):
                return images / elapsed


def attach(server, model, optimizer, batch):
    try:
        return revacnn.attach(model, optimizer, url=server.url, token=server.token, probe=torch.randn(3, 32, 32),
                              probe_label=0, batch_size=batch)
    except revacnn.AttachError as error:
        raise SystemExit(str(error)) from None


# --- the servers -------------------------------------------------------------------------------
class RealServer:
    """A running `revacnn serve --attach`: REST commands, and the browser stand-in on /ws (a thread of
    this process when the arrival times are needed, as for --latency; else a process of its own)."""

    def __init__(self, url, token, arrivals):
        self.url, self.token = url.rstrip("/"), token
        self.browser = BrowserStandIn(url, token) if arrivals else BrowserProcess(url, token)

    def command(self, message):
        """The answer to one command sent through REST."""
        request = urllib.request.Request(self.url + "/api/commands", data=json.dumps(message).encode(),
                                         headers=dict({"Content-Type": "application/json"}, **self._authorization()))
        with urllib.request.urlopen(request, timeout=WAIT) as response:
            return json.loads(response.read())

    def snapshot_showing(self, learning_rate, timeout):
        """The arrival time of the first /ws snapshot whose hyperparameters show `learning_rate`."""
        return self.browser.arrival(lambda m: m.get("type") == "snapshot" and
                                    m["payload"]["hyperparameters"]["learningRate"] == learning_rate, timeout)

    def _authorization(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def close(self):
        self.browser.close()


class BrowserProcess:
    """The browser stand-in in a process of its own (this script with --stand-in), as a browser is:
    it reads every /ws message until told to stop, then reports how many messages and bytes it read."""

    def __init__(self, url, token):
        command = [sys.executable, __file__, "--stand-in", "--url", url] + (["--token", token] if token else [])
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self._process.stdout.readline().strip()
        if ready != "ready":
            self._process.kill()
            raise ConnectionError(ready or "the stand-in's process exited")
        self.count, self.bytes = 0, 0

    def close(self):
        out, _ = self._process.communicate("stop\n", timeout=WAIT)
        self.count, self.bytes = (int(word) for word in out.split())


def stand_in(args):
    """The --stand-in process: connects to /ws, says "ready", reads until a line arrives on stdin,
    then prints the message and byte counts."""
    try:
        browser = BrowserStandIn(args.url, args.token)
    except Exception as error:  # websocket-client's kinds and OSError's
        print(f"{type(error).__name__}: {error}", flush=True)
        raise SystemExit(1) from None
    print("ready", flush=True)
    sys.stdin.readline()
    browser.close()
    print(browser.count, browser.bytes, flush=True)


class BrowserStandIn:
    """A websocket-client connection to /ws that reads every message, as the page does, and keeps
    each one's arrival time (a thread reads; nothing is left waiting in the socket)."""

    def __init__(self, url, token):
        import websocket
        address = url.rstrip("/").replace("http", "ws", 1) + "/ws"
        headers = [f"Authorization: Bearer {token}"] if token else []
        self._connection = websocket.create_connection(address, timeout=WAIT, header=headers, suppress_origin=True)
        self._connection.settimeout(None)
        self.messages, self.count, self.bytes = [], 0, 0
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        import websocket
        while True:
            try:
                opcode, data = self._connection.recv_data()
            except Exception:  # closed by the bench: it is over
                return
            if opcode == websocket.ABNF.OPCODE_CLOSE:  # closed by the server
                return
            with self._changed:
                self.count += 1
                self.bytes += len(data)
                self.messages.append((time.perf_counter(), json.loads(data)))
                self._changed.notify_all()

    def arrival(self, predicate, timeout):
        with self._changed:
            found = []
            self._changed.wait_for(lambda: found.extend(t for t, m in self.messages if predicate(m)) or found, timeout)
            return found[0] if found else None

    def close(self):
        """Closes the connection; every message that arrived before is counted when this returns."""
        self._connection.close()
        self._reader.join(WAIT)


class FakeServer:
    """python/tests/ws_server.py's EngineServer: /engine only; commands go on /engine itself."""

    def __init__(self):
        sys.path.insert(0, str(HERE.parent / "tests"))
        from ws_server import EngineServer
        self.engine = EngineServer()
        self.url, self.token, self.browser = self.engine.url, None, None
        self._arrivals = {}

    def command(self, message):
        self.engine.send(message)
        answer = self.engine.wait_for(lambda m: m.get("id") == message["id"], WAIT)
        if answer is None:
            raise SystemExit(f"no answer to {message['id']} within {WAIT} s")
        return answer

    def snapshot_showing(self, learning_rate, timeout):
        found = self.engine.wait_for(lambda m: m["type"] == "snapshot" and
                                     m["payload"]["hyperparameters"]["learningRate"] == learning_rate, timeout)
        return time.perf_counter() if found else None

    def close(self):
        self.engine.go_away()


# --- the measurements --------------------------------------------------------------------------
def overhead(args, server):
    """Rows (model, batch, plain img/s, attached img/s or None, difference of the medians %, median of
    the rounds' paired differences %), each median over --rounds."""
    rows = []
    for model_name, batch in args.configs:
        model, optimizer = build(model_name)
        batches = prepared_batches(batch)
        if server is not None and args.warm_up > 0:
            attached_trial(server, model, optimizer, batches, batch, args.warm_up)
        plain, attached, paired = [], [], []
        for trial in range(args.rounds):
            plain.append(train(model, optimizer, batches, args.seconds))
            if server is not None:
                attached.append(attached_trial(server, model, optimizer, batches, batch, args.seconds))
                paired.append(100 * (attached[-1] / plain[-1] - 1))
            print(f"  {model_name} batch {batch} round {trial + 1}: plain {plain[-1]:.1f} img/s"
                  + (f", attached {attached[-1]:.1f} img/s ({paired[-1]:+.1f}%)" if attached else ""),
                  file=sys.stderr, flush=True)
        plain_median = statistics.median(plain)
        attached_median = statistics.median(attached) if attached else None
        change = 100 * (attached_median / plain_median - 1) if attached else None
        rows.append((model_name, batch, plain_median, attached_median, change,
                     statistics.median(paired) if paired else None))
    return rows


def attached_trial(server, model, optimizer, batches, batch, seconds):
    run = attach(server, model, optimizer, batch)
    try:
        return train(model, optimizer, batches, seconds, run)
    finally:
        run.close()


def overhead_table(rows, rounds, seconds):
    lines = [f"| model | batch | plain img/s | attached img/s | difference of the medians | median of the paired "
             f"differences |  ({rounds} rounds of {seconds:g} s each)", "|---|---|---|---|---|---|"]
    for model_name, batch, plain, attached, change, paired in rows:
        lines.append(f"| {model_name} | {batch} | {plain:.1f} | "
                     + (f"{attached:.1f} | {change:+.1f}% | {paired:+.1f}% |" if attached is not None else "- | - | - |"))
    return "\n".join(lines)


def latency(args, server):
    """(ack ms, snapshot ms) per command, for the attached paper model at batch 4."""
    model, optimizer = build("paper")
    run = attach(server, model, optimizer, 4)
    stop = threading.Event()
    trainer = threading.Thread(target=lambda: train(model, optimizer, prepared_batches(4), float("inf"), run, stop))
    trainer.start()
    times = []
    try:
        for i in range(args.count):
            rate = round(0.01 + 0.0001 * (i + 1), 6)  # a new value each time: its snapshot cannot be an old one
            sent = time.perf_counter()
            answer = server.command({"type": "set-hyperparameters", "id": f"lr{i}", "payload": {"learningRate": rate}})
            acked = time.perf_counter()
            if answer.get("type") != "ack":
                raise SystemExit(f"command lr{i} was not acknowledged: {answer}")
            shown = server.snapshot_showing(rate, WAIT)
            if shown is None:
                raise SystemExit(f"no snapshot showed learningRate {rate} within {WAIT} s")
            times.append((1000 * (acked - sent), 1000 * (shown - sent)))
            time.sleep(PAUSE_BETWEEN_COMMANDS)
    finally:
        stop.set()
        trainer.join()
        run.close()
    return times


def percentile(values, fraction):
    """The nearest-rank percentile: the smallest value with at least `fraction` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * fraction) - 1)]


def latency_table(times):
    lines = [f"| {len(times)} commands (paper model, batch 4) | p50 ms | p95 ms |", "|---|---|---|"]
    for label, column in (("command -> ack", 0), ("command -> first snapshot showing it", 1)):
        values = [t[column] for t in times]
        lines.append(f"| {label} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |")
    return "\n".join(lines)


def main(argv=None):
    args = arguments(argv)
    if args.stand_in:
        return stand_in(args)
    torch.set_num_threads(args.threads)
    try:
        server = (None if args.plain_only else FakeServer() if args.fake_server
                  else RealServer(args.url, args.token, arrivals=args.latency))
    except Exception as error:  # websocket-client's kinds and OSError's: the /ws of --url did not answer
        raise SystemExit(f"cannot connect the browser stand-in to {args.url}/ws ({error}); is `revacnn serve "
                         "--attach` running there?") from None
    where = "no server" if server is None else "the fake /engine server" if args.fake_server else args.url
    print(f"torch {torch.__version__}, {args.threads} threads, {where}", flush=True)
    try:
        if args.latency:
            print(latency_table(latency(args, server)), flush=True)
        else:
            print(overhead_table(overhead(args, server), args.rounds, args.seconds), flush=True)
    finally:
        if server is not None:
            server.close()
    if server is not None and server.browser is not None:
        print(f"browser stand-in on /ws: {server.browser.count} messages, {server.browser.bytes / 1e6:.1f} MB read",
              flush=True)


if __name__ == "__main__":
    main()
