"""What an attached model looks like to the server (docs/ENGINE.md, "architecture"): its leaf
modules in the order forward calls them, with ids, kinds, output shapes, filter ids, frozen flags
and which commands each layer supports (or why not), and its residual blocks' skips (skips.py).

Layer ids are module paths of the unwrapped model (`features.3`, `layer1.0.conv1`; a DDP or
DataParallel wrapper's `module.` is not part of them). Filter ids are `<layer>/f<number>`, numbers
that surgery never reuses or renumbers (UnitNumbers), as in the built-in engine.
"""
import torch
from torch import nn

from .errors import SteeringError
from .layers import _sequential_child, _shape_change, channels_after
from .skips import skips
from .tracing import find_fanout, trace

KINDS = ((nn.Conv2d, "conv"), (nn.Linear, "dense"), (nn.BatchNorm2d, "batchnorm"),
         ((nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d), "pool"),
         ((nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid), "relu"),
         ((nn.Dropout, nn.Dropout2d), "dropout"), (nn.Flatten, "flatten"))


def unwrap(model):
    wrappers = (nn.parallel.DistributedDataParallel, nn.DataParallel)
    return model.module if isinstance(model, wrappers) else model


def kind_of(module):
    for classes, name in KINDS:
        if isinstance(module, classes):
            return name
    return "other"


def width(module):
    """Filters of a conv, units of a dense layer, else 0."""
    if isinstance(module, nn.Conv2d):
        return module.out_channels
    return module.out_features if isinstance(module, nn.Linear) else 0


class UnitNumbers:
    """Per conv/dense layer, the stable number of each filter in index order, and the next free one."""

    def __init__(self, model):
        self.numbers = {}
        self.next = {}
        self.sync(model)

    def sync(self, model):
        """Layers new to the model are numbered 0..n-1; layers that left are forgotten."""
        present = {name: width(m) for name, m in model.named_modules() if width(m)}
        for name, count in present.items():
            if name not in self.numbers:
                self.numbers[name] = list(range(count))
                self.next[name] = count
        for name in set(self.numbers) - set(present):
            del self.numbers[name], self.next[name]

    def ids(self, layer):
        return [f"{layer}/f{n}" for n in self.numbers[layer]]

    def index_of(self, layer, filter_id, doing):
        prefix = f"{layer}/f"
        number = filter_id[len(prefix):] if filter_id.startswith(prefix) else ""
        if not number.isdigit() or int(number) not in self.numbers[layer]:
            raise SteeringError(f"cannot {doing}: {filter_id!r} is not a filter of {layer} (its filters are "
                                f"{prefix}N for N in {self.numbers[layer][:8]}{'...' if len(self.numbers[layer]) > 8 else ''})")
        return self.numbers[layer].index(int(number))

    def added(self, layer, count):
        start = self.next[layer]
        self.numbers[layer].extend(range(start, start + count))
        self.next[layer] = start + count
        return [f"{layer}/f{n}" for n in range(start, start + count)]

    def removed(self, layer, indices):
        gone = [self.numbers[layer][i] for i in indices]
        self.numbers[layer] = [n for n in self.numbers[layer] if n not in gone]
        return [f"{layer}/f{n}" for n in gone]

    def state(self):
        return {k: list(v) for k, v in self.numbers.items()}, dict(self.next)

    def restore(self, state):
        numbers, following = state
        self.numbers = {k: list(v) for k, v in numbers.items()}
        self.next = dict(following)


def execution_order(model, probe):
    """(leaf name, module, output shape) in the order a forward of `probe` (one image, no gradient,
    eval mode, so no BatchNorm statistics move) calls them; leaves it never calls come last, shape None."""
    leaves = [(name, m) for name, m in model.named_modules() if name and not any(True for _ in m.children())]
    shapes = {}

    def record(name, out):  # a forward hook that returns a value would replace the output: this returns None
        shapes.setdefault(name, list(out.shape[1:]) if torch.is_tensor(out) else None)
    handles = [m.register_forward_hook(lambda mod, inp, out, name=name: record(name, out)) for name, m in leaves]
    try:
        run_probe(model, probe)
    finally:
        for handle in handles:
            handle.remove()
    called = list(shapes)  # first-call order
    by_name = dict(leaves)
    return [(n, by_name[n], shapes[n]) for n in called] + [(n, m, None) for n, m in leaves if n not in shapes]


def run_probe(model, probe):
    """The model's output for the probe batch, in eval mode without gradient; the mode is restored."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(probe)
    finally:
        model.train(was_training)


def describe(model, probe, units):
    """The architecture message's payload (docs/ENGINE.md)."""
    layers = []
    first_conv = True
    traced = trace(model)  # once for every conv's refusals
    order = execution_order(model, probe)
    for name, module, shape in order:
        kind = kind_of(module)
        layer = {"id": name, "kind": kind, "module": type(module).__name__, "outputShape": shape,
                 "filters": width(module), "kernelSize": 0, "stride": 0, "pad": 0,
                 "frozen": any(True for _ in module.parameters()) and not any(p.requires_grad for p in module.parameters()),
                 "unitIds": units.ids(name) if name in units.numbers else [],
                 "nextUnitNumber": units.next.get(name, 0), "thumbnailChannels": 0}
        if kind == "conv":
            layer.update(kernelSize=module.kernel_size[0], stride=module.stride[0],
                         pad=module.padding[0] if isinstance(module.padding, tuple) else module.padding,
                         thumbnailChannels=3 if first_conv and module.in_channels == 3 else 1)
            first_conv = False
        layer["refused"] = refusals(model, name, module, kind, traced)
        layers.append(layer)
    return {"input": list(probe.shape[1:]), "layers": layers, "skips": skips(model, [name for name, _, _ in order])}


def refusals(model, name, module, kind, traced):
    """{command: why not} for the commands this layer cannot take; a command not listed is supported.
    `traced` is tracing.trace(model)."""
    refused = {}
    if kind != "conv":
        why = "only an nn.Conv2d's filters can be added or removed by an attached run"
        refused["add-filters"] = refused["remove-filters"] = why
    else:
        why = _why_not(lambda: find_fanout(model, name, module.out_channels, "change its width", traced))
        if why is None and module.groups != 1:
            why = f"it is a grouped conv ({module.groups} groups)"
        if why:
            refused["add-filters"] = refused["remove-filters"] = why
    why = _why_not(lambda: channels_after(model, name, "insert a conv after it"))
    if why:
        refused["insert-layer"] = why
    why = _why_not(lambda: _sequential_child(model, name, "remove it")) or _shape_change(module)
    if why:
        refused["remove-layer"] = why
    if not any(True for _ in module.parameters()):
        refused["freeze"] = refused["unfreeze"] = "it has no parameters"
    return refused


def _why_not(check):
    """The reason part of the SteeringError `check` raises ("cannot X: reason"), or None."""
    try:
        check()
    except SteeringError as error:
        return str(error).split(": ", 1)[-1]
    return None
