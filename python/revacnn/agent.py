"""revacnn.attach: a PyTorch training loop that the revacnn server watches and steers
(docs/ENGINE.md). The run sends a hello, then snapshots at most `snapshot_hz` times a second (and
at once after a command took effect), and applies the server's commands between steps.

    run = revacnn.attach(model, optimizer, transport=..., probe=probe_image, class_names=names)
    for images, labels in run.batches(train_set):      # follows live batch-size changes
        out = run.model(images)
        loss = loss_fn(out, labels)
        optimizer.zero_grad(); loss.backward(); optimizer.step()
        run.step(loss, out, labels)                      # statistics, commands, waits while paused
"""
import random
import time

import torch
from torch.utils.data import DataLoader, Dataset, RandomSampler
from torch.utils.data.dataloader import default_collate

from . import hyperparameters, statistics
from .architecture import UnitNumbers, describe, unwrap
from .checksum import weights_checksum
from .commands import Commands
from .errors import SteeringError
from .messages import PROTOCOL_VERSION, BadMessage, finite_or_none, read_message
from .vectors import filter_vectors

DEFAULT_BATCH = 32
POLL_SECONDS = 0.02


def attach(model, optimizer, transport=None, url=None, token=None, probe=None, probe_label=None, class_names=None,
           validation=None, batch_size=None, snapshot_hz=10.0, clock=time.monotonic, sleep=time.sleep, seed=0):
    """Connects a training run to a revacnn server (through `transport`, or a WebSocket to `url`) and
    returns the Run. `probe` is one image [C, H, W] (or a batch whose first image is used) that the
    snapshots follow through the network; `validation` is kept for the validation accuracy the
    server may ask for (not used yet)."""
    if transport is None:
        if url is None:
            raise TypeError("attach needs a transport or the server's url")
        from .transport import WebSocketTransport
        transport = WebSocketTransport(url, token)
    if not torch.is_tensor(probe) or probe.dim() not in (3, 4):
        raise TypeError("attach needs probe=an image tensor [C, H, W] (or a batch [N, C, H, W]) to follow")
    return Run(model, optimizer, transport, probe if probe.dim() == 4 else probe.unsqueeze(0), probe_label,
               class_names, validation, batch_size, snapshot_hz, clock, sleep, seed)


class Run:
    """An attached training run. Use `run.model` in the loop: it is the current model."""

    def __init__(self, model, optimizer, transport, probe, probe_label, class_names, validation, batch_size,
                 snapshot_hz, clock, sleep, seed):
        self.model = model
        self.optimizer = optimizer
        self.transport = transport
        self.class_names = list(class_names) if class_names is not None else None
        self.validation = validation
        self.batch_size = batch_size
        self.momentum = optimizer.param_groups[0].get("momentum", 0.0)
        self.state = "running"
        self.steps_left = 0
        self.step_count = 0
        self.examples = 0
        self.generator = torch.Generator(device=_device(model)).manual_seed(seed)
        self.units = UnitNumbers(unwrap(model))
        self.commands = Commands(self)
        self._probe = probe.to(_device(model))
        self._probe_label = probe_label
        self._interval = 1.0 / snapshot_hz
        self._clock, self._sleep = clock, sleep
        self._last_snapshot = None
        self._snapshot_due = False
        self._window = None  # device tensors: loss sum, correct count; python: batches, examples, since
        self._start_window()
        self._architecture = describe(unwrap(model), self._probe, self.units)
        transport.send({"type": "hello", "payload": self._hello()})

    # --- the loop ----------------------------------------------------------------------------
    @property
    def hyperparameters(self):
        return hyperparameters.read(self.optimizer, self.momentum, self.batch_size or DEFAULT_BATCH)

    def batches(self, data, shuffle=True):
        """One epoch of `data` (a Dataset, or a DataLoader whose dataset and collate_fn are used), in
        batches of the run's current batch size, read again before every batch; tensors are moved
        to the model's device."""
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
        at = 0
        while at < len(order):
            chosen = order[at:at + self.batch_size]
            at += len(chosen)
            yield _to(collate([data[i] for i in chosen]), _device(self.model))

    def step(self, loss, out=None, labels=None):
        """Call after optimizer.step(): records loss (and accuracy from out and labels) without
        waiting for the device, sends a snapshot when one is due, applies the server's commands,
        and blocks while the run is paused."""
        self.step_count += 1
        count = int(labels.shape[0]) if labels is not None else 1
        self.examples += count
        window = self._window
        window["loss"] = window["loss"] + loss.detach().float() * count
        if out is not None and labels is not None and out.dim() == 2:
            window["correct"] = window["correct"] + (out.detach().argmax(1) == labels).sum()
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
        """Tells the server the run ended (it keeps the history)."""
        self.transport.send({"type": "bye", "payload": {"reason": reason, "step": self.step_count}})

    def set_state(self, state):
        if self.state == state:
            return {}
        self.state = state
        return {"state": state}

    # --- talking to the server -----------------------------------------------------------------
    def _serve(self):
        for message in self.transport.poll():
            self._answer(message)
        now = self._clock()
        if self._snapshot_due or self._last_snapshot is None or now - self._last_snapshot >= self._interval:
            self._snapshot_due = False
            self._last_snapshot = now
            self.transport.send({"type": "snapshot", "payload": self._snapshot(now)})

    def _answer(self, message):
        try:
            kind, message_id, payload = read_message(message)
        except BadMessage as bad:
            reply = {"type": "error", "payload": {"message": str(bad)}}
            if bad.id is not None:
                reply["id"] = bad.id
            self.transport.send(reply)
            return
        reply = {"type": "ack", "id": message_id}
        try:
            if kind == "vectors":
                reply = {"type": "vectors", "id": message_id,
                         "payload": filter_vectors(unwrap(self.model), self._probe, self._probe_label, self.units,
                                                   payload)}
            else:
                changes = self.commands.apply(kind, payload)
                reply["payload"] = {"changes": changes}
                if not changes:
                    reply["payload"]["message"] = f"nothing changed: {_why_unchanged(kind, self.state)}"
                elif kind in Commands.STRUCTURAL or kind in ("undo", "freeze", "unfreeze"):
                    self._architecture = describe(unwrap(self.model), self._probe, self.units)
                    self.transport.send({"type": "architecture", "payload": self._architecture_payload()})
                self._snapshot_due = self._snapshot_due or bool(changes)
        except SteeringError as error:
            reply = {"type": "error", "id": message_id, "payload": {"message": str(error)}}
        if message_id is None:
            reply.pop("id")
        self.transport.send(reply)

    def _architecture_payload(self):
        return dict(self._architecture, ranks=self._ranks())

    def _ranks(self):
        return [{"rank": 0, "checksum": weights_checksum(self.model)}]

    def _hello(self):
        return {"protocolVersion": PROTOCOL_VERSION, "kind": "pytorch", "framework": f"torch {torch.__version__}",
                "device": str(_device(self.model)), "worldSize": 1, "ranks": self._ranks(),
                "architecture": self._architecture, "classNames": self.class_names,
                "hyperparameters": self.hyperparameters, "snapshotHz": 1.0 / self._interval,
                "commands": sorted(set(Commands.STRUCTURAL) | {"pause", "resume", "step", "set-hyperparameters",
                                                               "freeze", "unfreeze", "undo", "save-checkpoint"}),
                "requests": ["vectors"]}

    def _snapshot(self, now):
        window = self._window
        rgb = next((l["id"] for l in self._architecture["layers"] if l.get("thumbnailChannels") == 3), None)
        stats, probabilities = statistics.layer_statistics(unwrap(self.model), self._probe, rgb)
        sums = torch.stack([window["loss"].float().cpu(), window["correct"].float().cpu()]).tolist()
        elapsed = now - window["since"]
        layers = [dict(id=name, **stats[name]) for name in self._layer_order() if name in stats]
        payload = {"step": self.step_count, "examplesSeen": self.examples, "state": self.state,
                   "loss": finite_or_none(sums[0] / window["examples"]) if window["examples"] else None,
                   "trainAccuracy": sums[1] / window["labelled"] if window["labelled"] else None,
                   "imagesPerSecond": window["examples"] / elapsed if elapsed > 0 else None,
                   "hyperparameters": self.hyperparameters, "layers": layers,
                   "probe": {"label": self._probe_label, "probabilities": probabilities},
                   "wallMillis": int(time.time() * 1000)}
        self._start_window()
        return payload

    def _layer_order(self):
        return [l["id"] for l in self._architecture["layers"]]

    def _start_window(self):
        device = _device(self.model)
        self._window = {"loss": torch.zeros((), device=device), "correct": torch.zeros((), device=device,
                        dtype=torch.long), "batches": 0, "examples": 0, "labelled": 0, "since": self._clock()}


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
