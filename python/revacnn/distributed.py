"""The ranks of an attached run: one process, or every process of a torch.distributed group (DDP).

Rank 0 talks to the server. At every step boundary it shares what it received (and a seed per
message) with all ranks, so every rank applies the same commands at the same step in the same
order; the ranks' weight checksums are gathered to rank 0 after every command. With one process
every operation is the identity and nothing is communicated.
"""
import torch
import torch.distributed as dist
from torch import nn

from .remap import forget_accumulator


def this_rank():
    """This process's rank under torch.distributed, 0 without it."""
    return dist.get_rank() if dist.is_available() and dist.is_initialized() else 0


class Ranks:
    """World size 1, or the default torch.distributed group when it is initialised with more ranks."""

    def __init__(self):
        self.active = dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1
        self.rank = this_rank()
        self.size = dist.get_world_size() if self.active else 1
        # Commands and checksums travel over gloo on the CPU, beside NCCL too (a second group, made by
        # every rank here): reading them then never waits for the GPU's queued work.
        self._control = None
        if self.active and dist.get_backend() != "gloo":
            self._control = dist.new_group(backend="gloo")

    @property
    def leader(self):
        return self.rank == 0

    def share_step(self, messages, due, attached):
        """Rank 0's (messages, due, attached) on every rank (a collective: every rank calls it at every
        step). One broadcast of three numbers per step; the messages follow only when there are some."""
        if not self.active:
            return messages, due, attached
        flags = torch.tensor([len(messages), int(due), int(attached)] if self.leader else [0, 0, 0])
        dist.broadcast(flags, src=0, group=self._control)
        count, due, attached = flags.tolist()
        if count:
            box = [messages]
            dist.broadcast_object_list(box, src=0, group=self._control)
            messages = box[0]
        return messages, bool(due), bool(attached)

    def gather(self, value):
        """Every rank's `value`, in rank order (a collective)."""
        if not self.active:
            return [value]
        values = [None] * self.size
        dist.all_gather_object(values, value, group=self._control)
        return values

    def sum(self, tensor):
        """The element-wise sum of `tensor` over the ranks (a collective on the default group, so a
        CUDA tensor stays on its GPU under NCCL)."""
        if self.active:
            dist.all_reduce(tensor)
        return tensor


def rewrap(model):
    """A DistributedDataParallel wrapper rebuilt around its (changed) module with the same settings:
    DDP records the parameters, their shapes and which require grad when it is built, so a
    structural change or a freeze needs a new wrapper. Building one is a collective (every rank)
    that also copies rank 0's weights to the others, so checksums are taken before it. Any other
    model is returned as it is."""
    if not isinstance(model, nn.parallel.DistributedDataParallel):
        return model
    module = model.module
    # The old reducer's gradient hooks sit on each parameter's gradient accumulator: every parameter
    # gets a new one, so only the new wrapper's hooks run. Dropping the old reducer (and the logger
    # that shares it) frees its buckets; a reference the user kept to the old wrapper is then an
    # empty shell (the loop uses run.model).
    for owner in ("logger", "reducer"):
        if hasattr(model, owner):
            delattr(model, owner)
    for param in module.parameters():
        forget_accumulator(param)
    settings = dict(device_ids=model.device_ids, output_device=model.output_device,
                    broadcast_buffers=model.broadcast_buffers, process_group=model.process_group,
                    bucket_cap_mb=model.bucket_bytes_cap / (1024 * 1024),
                    find_unused_parameters=model.find_unused_parameters,
                    gradient_as_bucket_view=model.gradient_as_bucket_view)
    return nn.parallel.DistributedDataParallel(module, **settings)
