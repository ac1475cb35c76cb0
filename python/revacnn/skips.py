"""The skip connections of an attached model (docs/ENGINE.md, "architecture"): one per residual block
of torchvision's BasicBlock/Bottleneck style, that is a module with a `downsample` attribute (None for
the identity shortcut, else a module, the projection, whose first nn.Conv2d is its 1x1 conv) and at least two
direct nn.Conv2d children on its main path (conv1, conv2[, conv3]).

Each skip: `block` (the block's module path), `from` (the last conv or linear layer forward called
before the block, a projection not counted, so after another block it is that block's `to`; None:
the block reads the model's input), `to` (the block's last main-path conv, whose output the shortcut
is added into), `shortcut` ("identity" or "projection") and `projection` (the projection conv's id
or None), all in the ids of the layer list.
"""
from torch import nn


def residual_blocks(model):
    """{block path: (main-path conv paths, projection conv path or None)} for the BasicBlock/Bottleneck-style modules."""
    blocks = {}
    for name, module in model.named_modules():
        if not name or not hasattr(module, "downsample"):
            continue
        direct = [child for child, m in module.named_children() if isinstance(m, nn.Conv2d) and child != "downsample"]
        if len(direct) < 2:
            continue
        shortcut = module.downsample
        projection = None
        if isinstance(shortcut, nn.Module):
            projection = next((f"{name}.downsample.{p}" if p else f"{name}.downsample"
                               for p, m in shortcut.named_modules() if isinstance(m, nn.Conv2d)), None)
        main = {f"{name}.{p}" for p, m in module.named_modules()
                if isinstance(m, nn.Conv2d) and not (p == "downsample" or p.startswith("downsample."))}
        blocks[name] = (main, projection)
    return blocks


def skips(model, order):
    """The skips of `model`, in the order forward reaches their blocks; `order` is the ids of its layers in
    execution order (architecture.execution_order), `model` unwrapped."""
    blocks = residual_blocks(model)
    kinds = {name: module for name, module in model.named_modules()}
    projections = {projection for _, projection in blocks.values() if projection}
    shortcuts = {block: kinds[block].downsample for block in blocks}
    found = {}
    last = None
    for layer in order:
        if not isinstance(kinds.get(layer), (nn.Conv2d, nn.Linear)) or layer in projections:
            continue
        for block, (main, projection) in blocks.items():
            if layer in main:
                skip = found.setdefault(block, {"block": block, "from": last, "to": layer,
                                                "shortcut": "identity" if shortcuts[block] is None else "projection",
                                                "projection": projection})
                skip["to"] = layer
        last = layer
    return list(found.values())
