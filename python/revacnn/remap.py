"""Re-laying tensors along their channel dimension, and committing a re-layout together with the
gradient and the optimiser's per-element state, so that history moves with the weight.

A re-layout is described by `sources`: new slice i is old slice sources[i], or zeros where
sources[i] < 0. Survivors keep value, gradient and state bit for bit; new slices start at zero.
"""
import torch


def remap(tensor, dim, sources):
    """A copy of `tensor` whose slice i along `dim` is old slice sources[i], or zeros where sources[i] < 0."""
    shape = list(tensor.shape)
    shape[dim] = len(sources)
    out = tensor.new_zeros(shape)
    kept = [i for i, s in enumerate(sources) if s >= 0]
    if kept:
        new_index = torch.tensor(kept, device=tensor.device)
        old_index = torch.tensor([sources[i] for i in kept], device=tensor.device)
        out.index_copy_(dim, new_index, tensor.index_select(dim, old_index))
    return out


def channel_blocks(tensor, channels):
    """A view (out, channels, rest) of a consumer's weight: block c holds what input channel c feeds.

    A conv's weight (out, C, kh, kw) has blocks of kh*kw; a linear layer after a channel-major
    flatten (out, C*H*W) reads channel c at inputs [c*H*W, (c+1)*H*W), blocks of H*W.
    """
    return tensor.reshape(tensor.shape[0], channels, -1)


def remap_blocks(tensor, channels, sources):
    """`remap` of the input-channel blocks of a consumer's weight (see `channel_blocks`)."""
    moved = remap(channel_blocks(tensor, channels), 1, sources)
    return moved.reshape(tensor.shape[0], -1, *tensor.shape[2:])


def swap_data(param, value):
    """param.data = value, for a value of another shape too (see forget_accumulator)."""
    if value.shape != param.shape:
        forget_accumulator(param)
    param.data = value


def forget_accumulator(param):
    """Makes the next forward give `param` a new gradient accumulator. Autograd caches one per
    parameter, made for the parameter's shape, and keeps using it while anything holds it: the
    graph of the loss the user's loop still holds, or a DistributedDataParallel reducer (whose
    gradient hooks sit on it). Backward through one of the old shape fails ("invalid gradient ...
    expected shape compatible with"). Assigning data of another dtype makes torch drop the cached
    accumulator (set_data forgets it when the type changes, not when the shape does)."""
    data = param.data
    param.data = torch.empty(0, dtype=torch.float64 if data.dtype != torch.float64 else torch.float32,
                             device=data.device)
    param.data = data


class Rewrite:
    """New values for some parameters and buffers, computed in full before anything is written.

    `commit` then swaps them in: a parameter keeps its identity (only `.data` changes), so the
    module, the optimiser's param_groups and the user's references stay valid; its gradient and
    every optimiser state tensor of the parameter's shape are moved the same way (survivors
    carried, new entries zero); scalar state such as Adam's `step` is kept.
    """

    def __init__(self, optimizer):
        self._optimizer = optimizer
        self._params = []
        self._buffers = []
        self._attributes = []

    def param(self, param, value, move):
        """Plans `param` <- `value`; `move(old)` re-lays a tensor of the old shape (gradient, state)."""
        grad = None if param.grad is None else move(param.grad)
        state = {}
        if self._optimizer is not None and param in self._optimizer.state:
            for key, entry in self._optimizer.state[param].items():
                if torch.is_tensor(entry) and entry.shape == param.shape:
                    state[key] = move(entry)
        self._params.append((param, value, grad, state))

    def buffer(self, module, name, value):
        self._buffers.append((module, name, value))

    def attribute(self, module, name, value):
        self._attributes.append((module, name, value))

    def commit(self):
        for param, value, grad, state in self._params:
            swap_data(param, value)
            param.grad = grad
            if state:
                self._optimizer.state[param].update(state)
        for module, name, value in self._buffers:
            setattr(module, name, value)
        for module, name, value in self._attributes:
            setattr(module, name, value)
