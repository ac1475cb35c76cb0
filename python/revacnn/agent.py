"""revacnn.attach: a PyTorch training loop that the revacnn server watches and steers
(docs/ENGINE.md). The run sends a hello, then snapshots at most `snapshot_hz` times a second (and
at once after a command took effect), and applies the server's commands between steps. When the server goes away the run prints one warning
and trains on unattached: no statistics, no commands, a paused run resumes.

Under torch.distributed (DDP) every rank calls attach with its (wrapped) model; rank 0 alone talks
to the server and shares each step's commands with the others (distributed.py), so every rank
applies them at the same step; `run.model` is the DDP wrapper, rebuilt after a structural change.

    run = revacnn.attach(model, optimizer, transport=..., probe=probe_image, class_names=names)
    for images, labels in run.batches(train_set):      # follows live batch-size changes
        out = run.model(images)
        loss = loss_fn(out, labels)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        run.step(loss, out, labels)                      # statistics, commands, waits while paused
"""
import random
import sys
import time

import torch
from torch.utils.data import DataLoader, Dataset, RandomSampler
from torch.utils.data.dataloader import default_collate

from . import hyperparameters, statistics
from .architecture import UnitNumbers, describe, unwrap
from .checksum import weights_checksum
from .commands import Commands
from .distributed import Ranks, rewrap, this_rank
from .errors import SteeringError
from .messages import PROTOCOL_VERSION, BadMessage, finite_or_none, read_message
from .transport import ConnectionLost, SilentTransport
from .vectors import filter_vectors

DEFAULT_BATCH = 32
# Snapshots take at most this share of the run's wall time, half for light ones (loss, accuracy, the
# gradients' jitter) and half for full ones (also a forward of the probe image for the paths, the
# thumbnails and the probe's classes): a snapshot of a kind that costs c seconds is followed by at
# least c / (MONITORING_SHARE / 2) seconds without one of that kind, so a slow model or machine gets
# fewer than snapshot_hz a second, and full ones less often than light ones when the probe is dear.
MONITORING_SHARE = 0.01
POLL_SECONDS = 0.02


def attach(model, optimizer, transport=None, url=None, token=None, probe=None, probe_label=None, class_names=None,
           validation=None, batch_size=None, snapshot_hz=10.0, clock=time.monotonic, sleep=time.sleep, seed=0,
           timer=time.perf_counter):
    """Connects a training run to a revacnn server (through `transport`, or a WebSocket to `url`) and
    returns the Run. `probe` is one image [C, H, W] (or a batch whose first image is used) that the
    snapshots follow through the network; `validation` is kept for the validation accuracy the
    server may ask for (not used yet). Under torch.distributed only rank 0 connects. A server that
    cannot be reached, or refuses the token, raises revacnn.AttachError saying what to do. `clock`
    decides when a snapshot is due, `timer` measures what one costs (tests pass their own)."""
    if this_rank() != 0:
        transport = SilentTransport()  # only rank 0 talks to the server
    if transport is None:
        if url is None:
            raise TypeError("attach needs a transport or the server's url")
        from .transport import WebSocketTransport
        transport = WebSocketTransport(url, token)
    if not torch.is_tensor(probe) or probe.dim() not in (3, 4):
        raise TypeError("attach needs probe=an image tensor [C, H, W] (or a batch [N, C, H, W]) to follow")
    return Run(model, optimizer, transport, probe if probe.dim() == 4 else probe.unsqueeze(0), probe_label,
               class_names, validation, batch_size, snapshot_hz, clock, sleep, seed, timer)


class Run:
    """An attached training run. Use `run.model` in the loop: it is the current model."""

    def __init__(self, model, optimizer, transport, probe, probe_label, class_names, validation, batch_size,
                 snapshot_hz, clock, sleep, seed, timer):
        self.model = model
        self.optimizer = optimizer
        self.transport = transport
        self.attached = True  # False once the server is gone
        self.class_names = list(class_names) if class_names is not None else None
        self.validation = validation
        self.batch_size = batch_size
        self.momentum = optimizer.param_groups[0].get("momentum", 0.0)
        self.state = "running"
        self.steps_left = 0
        self.step_count = 0
        self.epoch = 0  # of run.batches: the epoch being read, from 0
        self.epoch_progress = 0.0  # epochs read so far as a fraction: 2.5 halfway through the third
        self._epochs_started = 0
        self.examples = 0  # over all ranks, counted at snapshots
        self.ranks = Ranks()
        self.generator = torch.Generator(device=_device(model)).manual_seed(seed)
        self._seeds = random.Random(seed)  # rank 0 draws one per command; every rank seeds `generator` with it
        self.units = UnitNumbers(unwrap(model))
        self.commands = Commands(self)
        self._probe = probe.to(_device(model))
        self._probe_label = probe_label
        self._interval = 1.0 / snapshot_hz
        self._clock, self._sleep, self._timer = clock, sleep, timer
        self._last_snapshot = None  # when the last snapshot of any kind was taken
        self._last_full = None  # when the last full one was
        self._cost = {"light": 0.0, "full": 0.0}  # seconds a snapshot of each kind took, smoothed (rank 0)
        self._snapshot_due = False  # a full snapshot at the next step (a command took effect)
        self._window = None  # device tensors: loss sum, correct count; python: batches, examples, since
        self._start_window()
        self._architecture = describe(unwrap(model), self._probe, self.units) if self.ranks.leader else None
        hello = self._hello(self._checksums())
        self._send({"type": "hello", "payload": hello})

    # --- the loop ----------------------------------------------------------------------------
    @property
    def hyperparameters(self):
        return hyperparameters.read(self.optimizer, self.momentum, self.batch_size or DEFAULT_BATCH)

    def batches(self, data, shuffle=True):
        """One epoch of `data` (a Dataset, or a DataLoader whose dataset and collate_fn are used), in
        batches of the run's current batch size, read again before every batch; tensors are moved
        to the model's device. Under torch.distributed each rank reads its own share of every
        epoch (the same shuffle on every rank, rank r taking every world-size-th example from r,
        the tail that does not divide evenly left out), so every rank runs the same number of steps."""
        collate = default_collate
        if isinstance(data, DataLoader):
            collate = data.collate_fn
            shuffle = isinstance(data.sampler, RandomSampler)
            if self.batch_size is None and data.batch_size:
                self.batch_size = data.batch_size
            data = data.dataset
        if not isinstance(data, Dataset) and not hasattr(data, "__getitem__"):
            raise TypeError("batches needs a Dataset or a DataLoader")
        if self.batch_size is None:
            self.batch_size = DEFAULT_BATCH
        order = list(range(len(data)))
        if shuffle:
            random.Random(self.step_count).shuffle(order)
        ranks = self.ranks
        order = order[:len(order) - len(order) % ranks.size][ranks.rank::ranks.size]
        self.epoch = self._epochs_started
        self._epochs_started += 1
        at = 0
        while at < len(order):
            chosen = order[at:at + self.batch_size]
            at += len(chosen)
            self.epoch_progress = self.epoch + at / len(order)
            yield _to(collate([data[i] for i in chosen]), _device(self.model))

    def step(self, loss, out=None, labels=None):
        """Call after optimizer.step(): records loss (and accuracy from out and labels) without
        waiting for the device, sends a snapshot when one is due, applies the server's commands,
        and blocks while the run is paused."""
        self.step_count += 1
        count = int(labels.shape[0]) if labels is not None else 1
        window = self._window
        window["loss"].add_(loss.detach(), alpha=count)  # in place, on the device: no wait, no new tensor
        if out is not None and labels is not None and out.dim() == 2:
            window["correct"].add_((out.detach().argmax(1) == labels).sum())
            window["labelled"] += count
        window["batches"] += 1
        window["examples"] += count
        if self.steps_left > 0:
            self.steps_left -= 1
            if self.steps_left == 0:
                self.set_state("paused")
                self._snapshot_due = True
        self._serve()
        while self.state == "paused":
            self._sleep(POLL_SECONDS)
            self._serve()

    def close(self, reason="finished"):
        """Tells the server the run ended (it keeps the history; only rank 0 has a server to tell) and
        closes the connection."""
        self._send({"type": "bye", "payload": {"reason": reason, "step": self.step_count}})
        self.transport.close()
        self.transport = SilentTransport()

    def set_state(self, state):
        if self.state == state:
            return {}
        self.state = state
        return {"state": state}

    # --- talking to the server -----------------------------------------------------------------
    def _serve(self):
        """Rank 0's messages (each with a seed it drew) and whether its clock says a snapshot is due,
        shared with every rank; then every rank applies the same messages in the same order."""
        now = self._clock()
        messages, due = [], False
        if self.ranks.leader:
            messages = [(m, self._seeds.getrandbits(63)) for m in self._poll()]
            due = self.attached and (self._last_snapshot is None or now - self._last_snapshot >= self._gap("light"))
        messages, due, attached = self.ranks.share_step(messages, due, self.attached)
        if not attached:  # rank 0 lost the server: every rank trains on, and none waits for a resume
            self.attached, self.state, self.steps_left, self._snapshot_due = False, "running", 0, False
        for message, seed in messages:
            self._answer(message, seed)
        if due or self._snapshot_due and attached:
            full = self._snapshot_due or self._last_full is None or now - self._last_full >= self._gap("full")
            self._snapshot_due = False
            self._last_snapshot = now
            if full:
                self._last_full = now
            started = self._timer()
            snapshot = self._snapshot(now, full)
            if self.ranks.leader:
                self._send({"type": "snapshot", "payload": snapshot})
                kind = "full" if full else "light"
                self._cost[kind] += 0.3 * (self._timer() - started - self._cost[kind])

    def _gap(self, kind):
        """Seconds to wait after a snapshot of `kind` before the next one of that kind."""
        return max(self._interval, self._cost[kind] / (MONITORING_SHARE / 2))

    def _send(self, message):
        try:
            self.transport.send(message)
        except ConnectionLost as lost:
            self._detach(lost)

    def _poll(self):
        try:
            return self.transport.poll()
        except ConnectionLost as lost:
            self._detach(lost)
            return []

    def _detach(self, lost):
        """The server is gone (rank 0 only): one warning on stderr, then nothing is sent any more. At
        the next step boundary every rank learns it (share_step) and trains on unattached: no more
        snapshots or commands, and a paused (or stepping) run resumes, as no one is left to resume it."""
        print(f"revacnn: {lost} at step {self.step_count}; training goes on unattached (no more snapshots or "
              "commands)", file=sys.stderr, flush=True)
        self.attached = False
        self.transport = SilentTransport()

    def _answer(self, message, seed):
        try:
            kind, message_id, payload = read_message(message)
        except BadMessage as bad:
            reply = {"type": "error", "payload": {"message": str(bad)}}
            if bad.id is not None:
                reply["id"] = bad.id
            self._send(reply)
            return
        if kind == "vectors":
            if self.ranks.leader:  # a request: only rank 0 answers, nothing changes
                self._answer_vectors(message_id, payload)
            return
        if kind == "checksums":  # a request every rank takes part in (a gather); rank 0 answers
            checksums = self._checksums()
            if self.ranks.leader:
                self._send({"type": "checksums", "id": message_id, "payload": {"ranks": checksums}})
            return
        reply = {"type": "ack", "id": message_id}
        reshaped = False
        try:
            self.generator.manual_seed(seed)
            changes = self.commands.apply(kind, payload)
            reply["payload"] = {"changes": changes}
            if not changes:
                reply["payload"]["message"] = f"nothing changed: {_why_unchanged(kind, self.state)}"
            reshaped = bool(changes) and (kind in Commands.STRUCTURAL or kind in ("undo", "freeze", "unfreeze"))
            self._snapshot_due = self._snapshot_due or bool(changes)
        except SteeringError as error:
            reply = {"type": "error", "id": message_id, "payload": {"message": str(error)}}
        # taken before a DDP wrapper is rebuilt: building one copies rank 0's weights to every rank
        checksums = self._checksums() if self.ranks.active or reshaped else None
        if reshaped:
            self.model = rewrap(self.model)
        if not self.ranks.leader:
            return
        if reshaped:
            self._architecture = describe(unwrap(self.model), self._probe, self.units)
            self._send({"type": "architecture", "payload": dict(self._architecture, ranks=checksums)})
        if self.ranks.active:
            reply["payload"]["ranks"] = checksums
        if message_id is None:
            reply.pop("id")
        self._send(reply)
        if len({r["checksum"] for r in checksums or []}) > 1:
            self._send({"type": "error", "payload": {"message": _disagreement(kind, message_id, checksums)}})

    def _answer_vectors(self, message_id, payload):
        try:
            reply = {"type": "vectors", "id": message_id,
                     "payload": filter_vectors(unwrap(self.model), self._probe, self._probe_label, self.units, payload)}
        except SteeringError as error:
            reply = {"type": "error", "id": message_id, "payload": {"message": str(error)}}
        if message_id is None:
            reply.pop("id")
        self._send(reply)

    def _checksums(self):
        """[{rank, checksum}] of every rank's weights, gathered (a collective under torch.distributed)."""
        sums = self.ranks.gather(weights_checksum(self.model))
        return [{"rank": rank, "checksum": checksum} for rank, checksum in enumerate(sums)]

    def _hello(self, checksums):
        return {"protocolVersion": PROTOCOL_VERSION, "kind": "pytorch", "framework": f"torch {torch.__version__}",
                "device": str(_device(self.model)), "worldSize": self.ranks.size, "ranks": checksums,
                "architecture": self._architecture, "classNames": self.class_names,
                "hyperparameters": self.hyperparameters, "snapshotHz": 1.0 / self._interval,
                "commands": sorted(Commands.HANDLERS),
                "requests": ["checksums", "vectors"]}

    def _snapshot(self, now, full=True):
        """The snapshot's payload on rank 0 (None on the others); a light one (not `full`) has no
        probe, and its layers only their jitter. Loss, accuracy and images per second are over all
        ranks: the window's sums are added up across them (a collective)."""
        window = self._window
        device = window["loss"].device
        sums = self.ranks.sum(torch.stack([window["loss"].double(), window["correct"].double(),
                                           torch.tensor(float(window["examples"]), dtype=torch.double, device=device),
                                           torch.tensor(float(window["labelled"]), dtype=torch.double, device=device)]))
        loss, correct, examples, labelled = sums.cpu().tolist()
        self.examples += int(examples)
        elapsed = now - window["since"]
        self._start_window()
        if not self.ranks.leader:
            return None
        rgb = next((l["id"] for l in self._architecture["layers"] if l.get("thumbnailChannels") == 3), None)
        stats, probabilities = statistics.layer_statistics(unwrap(self.model), self._probe, rgb, with_probe=full)
        layers = [dict(id=name, **stats[name]) for name in self._layer_order() if name in stats]
        snapshot = {"step": self.step_count, "epoch": self.epoch, "epochProgress": round(self.epoch_progress, 4),
                    "examplesSeen": self.examples, "state": self.state,
                    "loss": finite_or_none(loss / examples) if examples else None,
                    "trainAccuracy": correct / labelled if labelled else None,
                    "imagesPerSecond": examples / elapsed if elapsed > 0 else None,
                    "hyperparameters": self.hyperparameters, "layers": layers,
                    "wallMillis": int(time.time() * 1000)}
        if full:
            snapshot["probe"] = {"label": self._probe_label, "probabilities": probabilities}
        return snapshot

    def _layer_order(self):
        return [l["id"] for l in self._architecture["layers"]]

    def _start_window(self):
        device = _device(self.model)
        self._window = {"loss": torch.zeros((), device=device), "correct": torch.zeros((), device=device,
                        dtype=torch.long), "batches": 0, "examples": 0, "labelled": 0, "since": self._clock()}


def _disagreement(kind, message_id, checksums):
    reference = checksums[0]["checksum"]
    differing = [f"rank {r['rank']} has {r['checksum'][:12]}" for r in checksums if r["checksum"] != reference]
    after = f"{kind} ({message_id})" if message_id is not None else kind
    return (f"the ranks hold different weights after {after}: rank 0 has {reference[:12]}, "
            f"{', '.join(differing)}; the distributed run is out of step")


def _why_unchanged(kind, state):
    if kind in ("pause", "resume"):
        return f"already {state}"
    if kind in ("freeze", "unfreeze"):
        return f"already {kind}d" if kind == "freeze" else "already trainable"
    return "the values are the current ones"


def _device(model):
    first = next(iter(list(model.parameters()) + list(model.buffers())), None)
    return first.device if first is not None else torch.device("cpu")


def _to(batch, device):
    if torch.is_tensor(batch):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to(item, device) for item in batch)
    return batch
