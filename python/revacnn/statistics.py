"""The small numbers a snapshot carries (docs/ENGINE.md, "snapshot"), computed where the model
lives: per-filter reductions on the model's device, concatenated and copied to the CPU at once.
No weight tensor is copied whole.
"""
import torch
import torch.nn.functional as F
from torch import nn

from .architecture import run_probe, width

MAX_THUMBNAIL = 7
DIGITS = 4


def rounded(values):
    """A tensor's values as a list of floats to 4 significant digits (the UI draws them; JSON stays
    small), non-finite as null. Rounded by tensor operations where the tensor lives, in float64 so
    that each value is the double nearest its 4-digit decimal and JSON writes it short:
    x -> round(x * 10^s) / 10^s with s = 3 - floor(log10 |x|) (or round(x / 10^-s) * 10^-s when s < 0,
    so that the power of ten is exact)."""
    x = values.detach().reshape(-1).double()
    finite = torch.isfinite(x)
    shift = (DIGITS - 1 - torch.floor(torch.log10(x.abs()))).nan_to_num(0.0, 0.0, 0.0)
    scale = torch.pow(10.0, shift.abs())
    rounded_values = torch.where(shift >= 0, torch.round(x * scale) / scale, torch.round(x / scale) * scale)
    out = torch.where(finite & (x != 0), rounded_values, x).cpu().tolist()
    if not bool(finite.all()):
        out = [v if v == v and abs(v) != float("inf") else None for v in out]
    return out


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


def layer_statistics(model, probe, rgb_layer):
    """{layer: {"jitter", "activation", "thumbnails", "thumbnailSize", "thumbnailChannels"}} and the
    probe's class probabilities, with one copy from the device."""
    modules = [(name, m) for name, m in model.named_modules() if width(m)]
    sums, output = probe_activations(model, probe, modules)
    parts, layout = [], []
    for name, module in modules:
        pieces = {"jitter": jitter(module), "activation": sums.get(name, torch.zeros(width(module)))}
        if isinstance(module, nn.Conv2d):
            pieces["thumbnails"] = thumbnail(module, name == rgb_layer)
        for key, tensor in pieces.items():
            layout.append((name, key, tensor.numel(), tuple(tensor.shape)))
            parts.append(tensor.reshape(-1).float().to(parts[0].device if parts else tensor.device))
    probabilities = torch.softmax(output.detach().float().reshape(output.shape[0], -1)[0], 0)
    parts.append(probabilities.to(parts[0].device))
    flat = rounded(torch.cat(parts))  # the one copy from the device
    stats, at = {}, 0
    for name, key, count, shape in layout:
        entry = stats.setdefault(name, {"thumbnailSize": 0, "thumbnailChannels": 0, "thumbnails": []})
        entry[key] = flat[at:at + count]
        if key == "thumbnails":
            entry["thumbnailChannels"], entry["thumbnailSize"] = shape[1], shape[2]
        at += count
    return stats, flat[at:]
