"""Adding and removing filters of an nn.Conv2d, with the BatchNorm2d channels that follow it and
the input channels of the layers that read it (see tracing.py), as the built-in engine does
(docs/DESIGN.md, "Live network surgery"). Everything is computed and checked first, then
committed at once (remap.Rewrite): a refused command leaves model and optimiser bit-identical.
"""
import math

import torch
from torch import nn

from .errors import SteeringError
from .remap import Rewrite, channel_blocks, remap, remap_blocks
from .tracing import find_fanout

MAX_ADD_PER_CALL = 1024
MAX_WIDTH = 4096
MAX_LAYER_WEIGHTS = 1 << 24
MAX_NOISE = 1.0
GROW_INITS = ("random", "net2net", "zero-out")


def add_filters(model, optimizer, conv_name, count, init="random", source=None, noise=0.0, generator=None):
    """Appends `count` filters to conv `conv_name`; every layer that reads it gets the new input channels.

    init: "random" (He incoming weights, zero bias, He outgoing weights: the function changes),
    "zero-out" (He incoming, zero bias, zero outgoing: the function is unchanged), or "net2net"
    (copies of filter `source`, or of the one with the largest mean |gradient|, lowest index on ties;
    its outgoing weights are split equally among it and its copies: the function is unchanged;
    `noise` > 0 adds N(0, (noise * rms of the source's weights)^2) to the copies' weights).
    `generator` (a torch.Generator) draws the random values. Optimiser state of surviving entries
    is carried, that of new ones is zero. Returns the indices of the new filters.
    """
    doing = f"add filters to {conv_name}"
    conv = _conv(model, conv_name, doing)
    mode = _grow_init(init, doing)
    old = conv.out_channels
    if not _is_int(count) or not 1 <= count <= MAX_ADD_PER_CALL:
        raise SteeringError(f"cannot {doing}: count must be in 1..{MAX_ADD_PER_CALL}, got {count!r}")
    if old + count > MAX_WIDTH:
        raise SteeringError(f"cannot {doing}: it has {old} filters and a layer may have at most {MAX_WIDTH}")
    if not isinstance(noise, (int, float)) or not 0 <= noise <= MAX_NOISE:
        raise SteeringError(f"cannot {doing}: noise must be in 0..{MAX_NOISE}, got {noise!r}")
    if mode != "net2net" and (noise != 0 or source is not None):
        raise SteeringError(f"cannot {doing}: a source filter and noise apply to net2net only")
    if source is not None and (not _is_int(source) or not 0 <= source < old):
        raise SteeringError(f"cannot {doing}: source {source!r} is not a filter index of {conv_name} (0..{old - 1})")
    fanout = find_fanout(model, conv_name, old, doing)
    for name, layer in [(conv_name, conv)] + fanout.consumers:
        if not layer.weight.requires_grad:
            raise SteeringError(f"cannot {doing}: it would grow frozen layer {name} (its weight does not "
                                "require grad); unfreeze it first")
    _require_weights_at_most(conv_name, (old + count) * conv.weight[0].numel(), doing)
    for name, layer in fanout.consumers:
        _require_weights_at_most(name, layer.weight.numel() // old * (old + count), doing)

    sources = list(range(old)) + [-1] * count
    new = slice(old, old + count)
    src = None
    rewrite = Rewrite(optimizer)
    by_filter = lambda t: remap(t, 0, sources)
    weight = by_filter(conv.weight.detach())
    bias = None if conv.bias is None else by_filter(conv.bias.detach())
    if mode == "net2net":
        src = _source_filter(conv) if source is None else source
        weight[new] = weight[src]
        if noise > 0:
            rms = weight[src].pow(2).mean().sqrt()
            weight[new] += _gaussian(weight[new].shape, weight, generator) * (noise * rms)
        if bias is not None:
            bias[new] = bias[src]
    else:
        # He: w ~ N(0, 2 / fan_in), fan_in = in_channels * kh * kw; the bias stays 0
        weight[new] = _gaussian(weight[new].shape, weight, generator) * math.sqrt(2.0 / weight[0].numel())
    rewrite.param(conv.weight, weight, by_filter)
    if bias is not None:
        rewrite.param(conv.bias, bias, by_filter)
    for _, norm in fanout.norms:
        _plan_norm(rewrite, norm, sources, new, src)
    for _, layer in fanout.consumers:
        _plan_consumer_growth(rewrite, layer, old, sources, new, mode, src, generator)
    rewrite.attribute(conv, "out_channels", old + count)
    rewrite.commit()
    return list(range(old, old + count))


def remove_filters(model, optimizer, conv_name, indices):
    """Removes filters `indices` of conv `conv_name`, with the BatchNorm2d channels after it and the
    matching input channels of the layers that read it; nothing is re-initialised."""
    doing = f"remove filters from {conv_name}"
    conv = _conv(model, conv_name, doing)
    old = conv.out_channels
    if not isinstance(indices, (list, tuple)) or not indices:
        raise SteeringError(f"cannot {doing}: give a non-empty list of filter indices, got {indices!r}")
    for index in indices:
        if not _is_int(index) or not 0 <= index < old:
            raise SteeringError(f"cannot {doing}: {index!r} is not a filter index of {conv_name} (0..{old - 1})")
    if len(set(indices)) != len(indices):
        twice = next(i for i in indices if indices.count(i) > 1)
        raise SteeringError(f"cannot {doing}: {twice} is listed twice")
    if len(indices) == old:
        raise SteeringError(f"cannot {doing}: that would remove all {old} of its filters; a layer keeps at "
                            "least one (remove the layer instead)")
    fanout = find_fanout(model, conv_name, old, doing)

    removed = set(indices)
    sources = [f for f in range(old) if f not in removed]
    rewrite = Rewrite(optimizer)
    by_filter = lambda t: remap(t, 0, sources)
    for param in (conv.weight, conv.bias):
        if param is not None:
            rewrite.param(param, by_filter(param.detach()), by_filter)
    for _, norm in fanout.norms:
        _plan_norm(rewrite, norm, sources, None, None)
    for _, layer in fanout.consumers:
        by_block = lambda t, old=old: remap_blocks(t, old, sources)
        rewrite.param(layer.weight, by_block(layer.weight.detach()), by_block)
        _plan_consumer_width(rewrite, layer, len(sources), old)
    rewrite.attribute(conv, "out_channels", len(sources))
    rewrite.commit()


def _plan_norm(rewrite, norm, sources, new, src):
    """BatchNorm2d channels follow the filters; the `new` slice copies channel `src` (net2net: the copy
    is normalised exactly as its source), or gets weight 1, bias 0, mean 0, var 1 when src is None."""
    by_filter = lambda t: remap(t, 0, sources)
    for name, fresh in (("weight", 1.0), ("bias", 0.0), ("running_mean", 0.0), ("running_var", 1.0)):
        tensor = getattr(norm, name)
        if tensor is None:
            continue
        value = by_filter(tensor.detach())
        if new is not None:
            value[new] = fresh if src is None else value[src]
        if isinstance(tensor, nn.Parameter):
            rewrite.param(tensor, value, by_filter)
        else:
            rewrite.buffer(norm, name, value)
    rewrite.attribute(norm, "num_features", len(sources))


def _plan_consumer_growth(rewrite, layer, old, sources, new, mode, src, generator):
    """New input channels of a layer that reads the conv: He (random), 0 (zero-out), or the source's
    block split in equal shares among the source and its copies (net2net):
    sum over {s, copies} of (W_s / (k + 1)) * a_s = W_s * a_s, so the layer's input is unchanged."""
    by_block = lambda t: remap_blocks(t, old, sources)
    weight = by_block(layer.weight.detach())
    blocks = channel_blocks(weight, len(sources))
    if mode == "random":
        fan_in = weight[0].numel()
        blocks[:, new] = _gaussian(blocks[:, new].shape, weight, generator) * math.sqrt(2.0 / fan_in)
    elif mode == "net2net":
        share = blocks[:, src] / (new.stop - new.start + 1)
        blocks[:, src] = share
        blocks[:, new] = share.unsqueeze(1)
    rewrite.param(layer.weight, weight, by_block)
    _plan_consumer_width(rewrite, layer, len(sources), old)


def _plan_consumer_width(rewrite, layer, channels, old):
    if isinstance(layer, nn.Conv2d):
        rewrite.attribute(layer, "in_channels", channels)
    else:
        rewrite.attribute(layer, "in_features", layer.in_features // old * channels)


def _conv(model, name, doing):
    module = find_module(model, name, doing)
    if not isinstance(module, nn.Conv2d):
        raise SteeringError(f"cannot {doing}: it is a {type(module).__name__}, not an nn.Conv2d")
    if module.groups != 1:
        raise SteeringError(f"cannot {doing}: it is a grouped conv ({module.groups} groups)")
    return module


def find_module(model, name, doing):
    """The submodule called `name`, or a SteeringError listing the model's layers."""
    modules = dict(model.named_modules())
    if not isinstance(name, str) or not name or name not in modules:
        layers = [n for n, m in modules.items() if n and not any(True for _ in m.children())]
        shown = ", ".join(layers[:20]) + (", ..." if len(layers) > 20 else "")
        raise SteeringError(f"cannot {doing}: unknown layer {name!r}; layers are {shown}")
    return modules[name]


def _grow_init(init, doing):
    """random, net2net or zero-out (zero_out too), in any case."""
    normal = init.strip().lower().replace("_", "-") if isinstance(init, str) else None
    if normal not in GROW_INITS:
        raise SteeringError(f"cannot {doing}: unknown init {init!r}; expected random, net2net or zero-out")
    return normal


def _source_filter(conv):
    """The filter whose weight gradient has the largest mean |g|, lowest index on ties (0 without one)."""
    if conv.weight.grad is None:
        return 0
    means = conv.weight.grad.detach().abs().reshape(conv.out_channels, -1).double().mean(1)
    return int((means == means.max()).nonzero()[0])


def _gaussian(shape, like, generator):
    """N(0, 1) values of `shape` on `like`'s device and dtype, drawn by `generator` (on its own device)."""
    device = like.device if generator is None else generator.device
    return torch.randn(shape, generator=generator, device=device).to(like.device, like.dtype)


def _require_weights_at_most(name, count, doing):
    if count > MAX_LAYER_WEIGHTS:
        raise SteeringError(f"cannot {doing}: {name} would hold {count} weights, more than {MAX_LAYER_WEIGHTS}")


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)
