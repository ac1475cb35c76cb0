"""A training loop on the paper's model, attached through an in-memory transport with a fake
clock, for the agent tests."""
import base64
import struct

import torch
import torch.nn.functional as F

import revacnn
from models import images, labels, paper_model

CLASS_NAMES = [f"class{i}" for i in range(10)]


class Clock:
    """Seconds that pass only when a test says so."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def attached(optimizer_kind="sgd", seed=0, **options):
    torch.manual_seed(seed)
    model = paper_model()
    if optimizer_kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    transport = revacnn.MemoryTransport()
    clock = Clock()
    run = revacnn.attach(model, optimizer, transport=transport, probe=images(1, seed=9)[0], probe_label=3,
                         class_names=CLASS_NAMES, clock=clock, timer=clock, batch_size=4, **options)
    return run, transport, clock


def dataset(count=64, seed=1):
    return torch.utils.data.TensorDataset(images(count, seed=seed), labels(count, seed=seed + 1))


def train_steps(run, steps, clock=None, seconds_per_step=0.0, data=None):
    """`steps` steps of the user's loop through run.batches; the loss of each."""
    losses = []
    data = data or dataset()
    while len(losses) < steps:
        for x, y in run.batches(data):
            out = run.model(x)
            loss = F.cross_entropy(out, y)
            run.optimizer.zero_grad()
            loss.backward()
            run.optimizer.step()
            losses.append(loss.item())
            if clock is not None:
                clock.now += seconds_per_step
            run.step(loss, out, y)
            if len(losses) == steps:
                break
    return losses


def command(transport, kind, payload=None, message_id="c1"):
    message = {"type": kind, "id": message_id}
    if payload is not None:
        message["payload"] = payload
    transport.push(message)


def reply(transport, message_id):
    answers = [m for m in transport.sent if m.get("id") == message_id and m["type"] in ("ack", "error", "vectors", "checksums")]
    assert len(answers) == 1, answers
    return answers[0]


def floats(text):
    """A float list of the engine protocol (base64 of little-endian float32) as Python floats."""
    data = base64.b64decode(text, validate=True)
    return list(struct.unpack(f"<{len(data) // 4}f", data))
