"""The small numbers a snapshot carries (docs/ENGINE.md, "snapshot"), computed where the model
lives: per-filter reductions on the model's device, concatenated and copied to the CPU at once.
No weight tensor is copied whole.
"""
import base64

import torch
import torch.nn.functional as F
from torch import nn

from .architecture import run_probe, width

MAX_THUMBNAIL = 7


def encoded(values):
    """A tensor's values as the engine protocol's float list (docs/ENGINE.md): base64 of their
    little-endian float32 bytes. One copy from the device and no per-number work in Python (writing
    6,000 rounded decimals cost the paper model's snapshot about 1 ms); NaN and infinities travel as
    themselves."""
    data = values.detach().reshape(-1).float().cpu().numpy().astype("<f4", copy=False)
    return base64.b64encode(data.tobytes()).decode("ascii")


def thumbnail(conv, rgb):
    """filters x channels x s x s (s = min(kernel, 7)): the RGB weights of a first conv, else the mean
    over input channels; a larger kernel is averaged down to 7x7 (adaptive average pooling)."""
    weight = conv.weight.detach().float()
    weight = weight[:, :3] if rgb else weight.mean(1, keepdim=True)
    if max(weight.shape[2:]) > MAX_THUMBNAIL or weight.shape[2] != weight.shape[3]:
        size = min(MAX_THUMBNAIL, max(weight.shape[2:]))
        weight = F.adaptive_avg_pool2d(weight, size)
    return weight


def jitter(module):
    """Mean |dL/dw| per filter (unit): 0 for a frozen layer or one without a gradient yet."""
    weight = module.weight
    if not weight.requires_grad or weight.grad is None:
        return torch.zeros(weight.shape[0], device=weight.device)
    return weight.grad.detach().abs().reshape(weight.shape[0], -1).float().mean(1)


def probe_activations(model, probe, modules):
    """(per-filter output sums of the probe image for each module, the model's output): a conv's
    filter map summed over its positions, a dense layer's unit values. Hooks live for this forward only."""
    sums = {}
    handles = [m.register_forward_hook(lambda mod, inp, out, name=name: sums.__setitem__(
        name, out[0].detach().float().reshape(out.shape[1], -1).sum(1))) for name, m in modules]
    try:
        output = run_probe(model, probe)
    finally:
        for handle in handles:
            handle.remove()
    return sums, output


def layer_statistics(model, probe, rgb_layer, with_probe=True):
    """{layer: {"jitter", and with the probe "activation", "thumbnails", "thumbnailSize",
    "thumbnailChannels"}} and the probe's class probabilities (None without the probe), with one
    copy from the device. Without the probe only the gradients are read: no forward, no weights."""
    modules = [(name, m) for name, m in model.named_modules() if width(m)]
    sums, output = probe_activations(model, probe, modules) if with_probe else ({}, None)
    parts, layout = [], []
    for name, module in modules:
        pieces = {"jitter": jitter(module)}
        if with_probe:
            pieces["activation"] = sums.get(name, torch.zeros(width(module)))
            if isinstance(module, nn.Conv2d):
                pieces["thumbnails"] = thumbnail(module, name == rgb_layer)
        for key, tensor in pieces.items():
            layout.append((name, key, tensor.numel(), tuple(tensor.shape)))
            parts.append(tensor.reshape(-1).float().to(parts[0].device if parts else tensor.device))
    if with_probe:
        parts.append(torch.softmax(output.detach().float().reshape(output.shape[0], -1)[0], 0).to(parts[0].device))
    flat = torch.cat(parts).cpu()  # the one copy from the device
    stats, at = {}, 0
    for name, key, count, shape in layout:
        entry = stats.setdefault(name, {"thumbnailSize": 0, "thumbnailChannels": 0, "thumbnails": ""} if with_probe else {})
        entry[key] = encoded(flat[at:at + count])
        if key == "thumbnails":
            entry["thumbnailChannels"], entry["thumbnailSize"] = shape[1], shape[2]
        at += count
    return stats, encoded(flat[at:]) if with_probe else None
