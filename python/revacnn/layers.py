"""Inserting an identity-initialised conv into an nn.Sequential, and removing a layer whose
removal keeps every shape. The Sequential keeps the names of its other children (no renumbering),
so the layers' names, which the UI keys on, stay stable.
"""
import torch
from torch import nn

from .errors import SteeringError
from .filters import MAX_LAYER_WEIGHTS, find_module
from .tracing import CHANNELWISE_MODULES

NEW_CONV_PREFIX = "inserted_conv"


def insert_identity_conv(model, optimizer, after_name, kernel_size=3, name=None):
    """Inserts nn.Conv2d(C, C, kernel_size, padding=kernel_size // 2) right after `after_name`, a
    child of an nn.Sequential whose output has C channels (found from the nearest Conv2d or
    BatchNorm2d before it). Weights are the identity (Dirac: filter f is 1 at the centre tap of its
    own channel, so y_f(p) = x_f(p)), bias 0: the function is unchanged. Its parameters join the
    optimiser as a new param group with the hyperparameters of the group that trains the layer the
    channel count came from (or the first group). Returns the new layer's full name.
    """
    doing = f"insert a conv after {after_name}"
    parent, key = _sequential_child(model, after_name, doing)
    origin, channels = channels_after(model, after_name, doing)
    if not isinstance(kernel_size, int) or isinstance(kernel_size, bool) or kernel_size < 1 or kernel_size % 2 == 0:
        raise SteeringError(f"cannot {doing}: kernel size must be odd and positive (padding k/2 keeps the "
                            f"spatial size), got {kernel_size!r}")
    if channels * channels * kernel_size * kernel_size > MAX_LAYER_WEIGHTS:
        raise SteeringError(f"cannot {doing}: the new conv would hold more than {MAX_LAYER_WEIGHTS} weights")
    new_key = _new_key(parent, name, doing)
    like = next(iter([*origin.parameters(), *origin.buffers(), *model.parameters(), torch.empty(0)]))

    conv = nn.Conv2d(channels, channels, kernel_size, padding=kernel_size // 2).to(like.device, like.dtype)
    with torch.no_grad():
        nn.init.dirac_(conv.weight)
        conv.bias.zero_()
    if optimizer is not None:
        group = _group_of(optimizer, origin)
        optimizer.add_param_group({**{k: v for k, v in group.items() if k != "params"},
                                   "params": [conv.weight, conv.bias]})
    children = list(parent._modules.items())
    at = list(parent._modules).index(key) + 1
    parent._modules.clear()  # the same dict, re-filled in the new order
    parent._modules.update(children[:at] + [(new_key, conv)] + children[at:])
    prefix = after_name.rsplit(".", 1)[0] + "." if "." in after_name else ""
    return prefix + new_key


def remove_layer(model, optimizer, name):
    """Removes child `name` of an nn.Sequential when its output has the shape of its input (an
    activation, dropout, BatchNorm, a conv from C to C channels that keeps the spatial size, a
    square nn.Linear); its parameters leave the optimiser (their group stays, maybe empty, so
    learning-rate schedulers keep their indices). Anything else is refused with the reason."""
    doing = f"remove {name}"
    parent, key = _sequential_child(model, name, doing)
    module = parent._modules[key]
    reason = _shape_change(module)
    if reason:
        raise SteeringError(f"cannot {doing}: {reason}, so the layer after it would not fit")
    uses = sum(1 for _, m in model.named_modules(remove_duplicate=False) if m is module)
    if uses > 1:
        raise SteeringError(f"cannot {doing}: the same module is used {uses} times in the model")
    if optimizer is not None:
        gone = {id(p) for p in module.parameters()}
        for group in optimizer.param_groups:
            group["params"] = [p for p in group["params"] if id(p) not in gone]
        for param in module.parameters():
            optimizer.state.pop(param, None)
    delattr(parent, key)


def _shape_change(module):
    """Why `module`'s output shape may differ from its input's, or None when it never does."""
    kind = type(module).__name__
    if any(True for _ in module.children()):
        return f"it is a container ({kind}); remove its layers one by one"
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)) or isinstance(module, CHANNELWISE_MODULES) \
            and not isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return None
    if isinstance(module, nn.Conv2d):
        if module.in_channels != module.out_channels:
            return f"it maps {module.in_channels} channels to {module.out_channels}"
        if any(s != 1 for s in module.stride):
            return f"its stride {tuple(module.stride)} shrinks the image"
        if module.padding != "same" and any(d * (k - 1) != 2 * p for k, p, d in
                                            zip(module.kernel_size, module.padding, module.dilation)):
            return f"its kernel {tuple(module.kernel_size)} with padding {module.padding} changes the image size"
        return None
    if isinstance(module, nn.Linear):
        if module.in_features != module.out_features:
            return f"it maps {module.in_features} features to {module.out_features}"
        return None
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)):
        return f"it is a {kind}, which changes the image size"
    if isinstance(module, nn.Flatten):
        return "it is a Flatten, which changes the tensor's shape"
    return f"removing a {kind} is not known to keep shapes"


def _sequential_child(model, name, doing):
    """(parent nn.Sequential, key) of layer `name`, or a SteeringError."""
    find_module(model, name, doing)
    parent_name, _, key = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    if not isinstance(parent, nn.Sequential):
        raise SteeringError(f"cannot {doing}: it is not a child of an nn.Sequential (its parent is a "
                            f"{type(parent).__name__})")
    return parent, key


def channels_after(model, name, doing):
    """(origin, C): layer `name`, a child of an nn.Sequential, outputs C channels, as the nearest
    Conv2d (its filters) or BatchNorm2d (its features) `origin` at or before it, through channel-wise
    layers only, tells; a SteeringError when no such layer tells it."""
    sequential, at = _sequential_child(model, name, doing)
    keys = list(sequential._modules)
    for key in reversed(keys[:keys.index(at) + 1]):
        module = sequential._modules[key]
        if isinstance(module, nn.Conv2d):
            return module, module.out_channels
        if isinstance(module, nn.BatchNorm2d):
            return module, module.num_features
        if not isinstance(module, CHANNELWISE_MODULES):
            raise SteeringError(f"cannot {doing}: its output is not a known image tensor ({key} is a "
                                f"{type(module).__name__})")
    raise SteeringError(f"cannot {doing}: no Conv2d or BatchNorm2d before it in its nn.Sequential tells the "
                        "channel count")


def _new_key(parent, name, doing):
    if name is None:
        n = 1
        while f"{NEW_CONV_PREFIX}{n}" in parent._modules or hasattr(parent, f"{NEW_CONV_PREFIX}{n}"):
            n += 1
        return f"{NEW_CONV_PREFIX}{n}"
    if not isinstance(name, str) or not name or "." in name or hasattr(parent, name):
        raise SteeringError(f"cannot {doing}: {name!r} is not a free layer name (non-empty, no dots, unused)")
    return name


def _group_of(optimizer, module):
    """The param group that trains `module`'s first parameter, or the first group."""
    first = next(module.parameters(), None)
    for group in optimizer.param_groups:
        if any(p is first for p in group["params"]):
            return group
    return optimizer.param_groups[0]
