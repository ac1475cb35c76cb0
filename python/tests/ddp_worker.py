"""One rank of a 2-process gloo run of the paper's model under DistributedDataParallel, attached to
a scripted server on rank 0, for test_ddp.py. Each rank writes what it saw to `<folder>/rank<r>.json`."""
import hashlib
import itertools
import json
import math
import os
import socket

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel

import revacnn
from revacnn.architecture import unwrap
from models import assert_identical, images, labels, paper_model, snapshot

WORLD = 2
LOST = "lost"  # a script entry: the server goes away at that poll


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ScriptedServer(revacnn.MemoryTransport):
    """Poll number i delivers script[i] (a list of messages, or LOST: the server goes away then);
    later polls deliver nothing."""

    def __init__(self, script):
        super().__init__()
        self.script = list(script)
        self.polls = 0

    def poll(self):
        self.polls += 1
        entry = self.script.pop(0) if self.script else []
        if entry == LOST:
            self.disconnect("the scripted server went away")
            return super().poll()  # raises ConnectionLost
        return entry


def run_rank(rank, folder, script, steps, seed_by_rank, bad_only, perturb_at):
    """Trains `steps` steps through run.batches; rank 0's server delivers `script` poll by poll.
    After every step the rank records its loss, step count, filter numbers and a digest of its
    optimizer state. With `bad_only`, every step must leave model and optimizer bit-identical.
    At step `perturb_at` rank 1 nudges one weight, so the ranks disagree."""
    torch.set_num_threads(1)
    store = os.path.join(folder, "store")  # a file, not a port that another process could take first
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=WORLD)
    try:
        torch.manual_seed(0)
        model = paper_model()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        server = ScriptedServer(script) if rank == 0 else None
        run = revacnn.attach(DistributedDataParallel(model), optimizer, transport=server,
                             probe=images(1, seed=9)[0], probe_label=3, batch_size=2, sleep=lambda s: None,
                             clock=itertools.count().__next__,  # a second per reading: a snapshot every step
                             seed=rank if seed_by_rank else 0)
        data = torch.utils.data.TensorDataset(images(48, seed=1), labels(48, seed=2))
        seen = []
        while len(seen) < steps:
            for x, y in run.batches(data):
                out = run.model(x)
                loss = F.cross_entropy(out, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                if rank == 1 and len(seen) == perturb_at:
                    with torch.no_grad():
                        unwrap(run.model)[0].weight[0, 0, 0, 0] += 1.0
                before = snapshot(unwrap(run.model), optimizer) if bad_only else None
                run.step(loss, out, y)
                if bad_only:
                    assert_identical(before, snapshot(unwrap(run.model), optimizer))
                seen.append({"loss": loss.item(), "step": run.step_count, "units": run.units.state(),
                             "optimizer": optimizer_digest(optimizer), "batch": int(y.shape[0]),
                             "wrapped": isinstance(run.model, DistributedDataParallel), "attached": run.attached,
                             "state": run.state})
                if len(seen) == steps:
                    break
        run.close()
        with open(os.path.join(folder, f"rank{rank}.json"), "w") as out_file:
            json.dump({"steps": seen, "sent": server.sent if server else None}, out_file)
    finally:
        dist.destroy_process_group()


def optimizer_digest(optimizer):
    """sha256 of the optimizer's hyperparameters, parameter shapes and per-parameter state (momentum):
    DDP's rebuild copies rank 0's weights to the others, but never the optimizer's state."""
    digest = hashlib.sha256()
    for group in optimizer.param_groups:
        digest.update(repr(sorted((k, v) for k, v in group.items() if k != "params")).encode())
        for param in group["params"]:
            digest.update(repr(tuple(param.shape)).encode())
            for key, value in sorted(optimizer.state.get(param, {}).items()):
                tensor = value if torch.is_tensor(value) else torch.tensor(value)
                digest.update(key.encode() + tensor.detach().contiguous().numpy().tobytes())
    return digest.hexdigest()


def finite(value):
    return value is not None and math.isfinite(value)
