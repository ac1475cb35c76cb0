"""Which layers read a conv's filters.

From the conv's output the walk follows the tensor through layers that keep channels apart
(BatchNorm2d, activations, pooling, dropout, and one channel-major flatten) to the layers that
read the filters as input channels: another nn.Conv2d, or an nn.Linear after the flatten. The
graph comes from torch.fx; a model that fx cannot trace is walked in nn.Sequential order.
Anything else on the way (a residual addition, a concatenation, the model's output) refuses.
"""
import operator
from collections import Counter

import torch
import torch.fx
import torch.nn.functional as F
from torch import nn

from .errors import SteeringError

CHANNELWISE_MODULES = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid,
                       nn.Identity, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d,
                       nn.Dropout, nn.Dropout2d)
CHANNELWISE_FUNCTIONS = {torch.relu, F.relu, F.relu6, F.leaky_relu, F.elu, F.gelu, F.silu, torch.tanh,
                         torch.sigmoid, F.max_pool2d, F.avg_pool2d, F.adaptive_avg_pool2d, F.adaptive_max_pool2d,
                         F.dropout, F.dropout2d, torch._C._nn.avg_pool2d}
CHANNELWISE_METHODS = {"relu", "relu_", "tanh", "sigmoid", "contiguous"}
SHAPE_METHODS = {"size", "dim"}  # read the shape only: nothing flows on
ADDITION_FUNCTIONS = {operator.add, operator.iadd, torch.add}
ADDITION_METHODS = {"add", "add_"}
SUPPORTED = "BatchNorm2d, activations, pooling, dropout, and a flatten before an nn.Linear"


class Fanout:
    """What follows a conv: `norms`, the (name, BatchNorm2d) whose channels are its filters, and
    `consumers`, the (name, nn.Conv2d | nn.Linear) whose input channels are its filters."""

    def __init__(self, conv_name, channels, doing):
        self.norms = []
        self.consumers = []
        self._conv_name = conv_name
        self._channels = channels
        self._doing = doing

    def refuse(self, why):
        return SteeringError(f"cannot {self._doing}: {why}")

    def unsupported(self, what, why=""):
        return self.refuse(f"its output reaches {what}{why}; only {SUPPORTED} may stand between it and "
                           "the layer that reads its filters")

    def module_step(self, name, module, flat):
        """The flatten flag after `module`, or None where the walk stops (`module` reads the filters)."""
        channels = self._channels
        if isinstance(module, nn.BatchNorm2d) and not flat:
            if module.num_features != channels:
                raise self.unsupported(name, f" with {module.num_features} features, not {channels}")
            self.norms.append((name, module))
            return flat
        if isinstance(module, CHANNELWISE_MODULES):
            return flat
        if isinstance(module, nn.Flatten) and not flat and module.start_dim == 1 and module.end_dim == -1:
            return True
        if isinstance(module, nn.Conv2d) and not flat:
            if module.groups != 1 or module.in_channels != channels:
                raise self.unsupported(name, f" (a conv with {module.in_channels} input channels in "
                                             f"{module.groups} groups; expected {channels} in 1 group)")
            self.consumers.append((name, module))
            return None
        if isinstance(module, nn.Linear) and flat:
            if module.in_features % channels != 0:
                raise self.unsupported(name, f" (an nn.Linear with {module.in_features} inputs, not a "
                                             f"multiple of {channels} channels)")
            self.consumers.append((name, module))
            return None
        state = "after a flatten" if flat else "before a flatten"
        raise self.unsupported(f"{name} ({type(module).__name__} {state})")

    def walk_graph(self, graph_module):
        nodes = list(graph_module.graph.nodes)
        calls = Counter(n.target for n in nodes if n.op == "call_module")
        start = [n for n in nodes if n.op == "call_module" and n.target == self._conv_name]
        if not start:
            raise self.refuse("forward never calls it")
        if len(start) > 1:
            raise self.refuse("forward calls it more than once")
        frontier = [(start[0], False)]
        while frontier:
            node, flat = frontier.pop()
            for user in node.users:
                after = self._node_step(graph_module, user, flat, calls)
                if after is not None:
                    frontier.append((user, after))

    def _node_step(self, graph_module, node, flat, calls):
        """As module_step, for any node of the fx graph."""
        if node.op == "call_module":
            module = graph_module.get_submodule(node.target)
            if calls[node.target] > 1 and any(True for _ in module.parameters()):
                raise self.unsupported(node.target, ", which forward calls more than once")
            return self.module_step(node.target, module, flat)
        if node.op == "output":
            raise self.refuse("its output is the model's output, whose shape must stay")
        if node.op not in ("call_function", "call_method"):
            raise self.unsupported(f"a {node.op} node ({node.name})")
        target = node.target
        label = target if isinstance(target, str) else getattr(target, "__name__", str(target))
        if target in ADDITION_FUNCTIONS or target in ADDITION_METHODS:
            raise self.refuse(f"its output feeds a residual addition ({label} in {node.name}), whose other "
                              "operand keeps its width; it cannot change width alone")
        if target in CHANNELWISE_FUNCTIONS or target in CHANNELWISE_METHODS:
            return flat
        if target in SHAPE_METHODS or (target is getattr and node.args[1] in ("shape", "device", "dtype")):
            return None
        if not flat and _is_channel_flatten(node):
            return True
        raise self.unsupported(f"{label} ({node.name})")

    def walk_sequential(self, model):
        leaves = [(name, m) for name, m in model.named_modules() if not any(True for _ in m.children())]
        names = [name for name, _ in leaves]
        if self._conv_name not in names:
            raise self.refuse("it is not a layer of the model's nn.Sequential chain")
        flat = False
        for name, module in leaves[names.index(self._conv_name) + 1:]:
            flat = self.module_step(name, module, flat)
            if flat is None:
                return
        raise self.refuse("its output is the model's output, whose shape must stay")


def _is_channel_flatten(node):
    """torch.flatten(x, 1), x.flatten(1), or x.view / x.reshape(batch, -1): channel-major, batch kept."""
    args, kwargs = node.args, node.kwargs
    if node.target in (torch.flatten, "flatten"):
        start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
        end = args[2] if len(args) > 2 else kwargs.get("end_dim", -1)
        return start == 1 and end == -1
    return node.target in ("view", "reshape") and len(args) == 3 and args[2] == -1


def _is_sequential_chain(model):
    """True when every module with children, the model included, is an nn.Sequential."""
    return all(isinstance(m, nn.Sequential) for m in model.modules() if any(True for _ in m.children()))


def trace(model):
    """(torch.fx graph module, None), or (None, why fx cannot trace the model) for untraceable Python."""
    try:
        return torch.fx.symbolic_trace(model), None
    except Exception as error:  # fx raises many kinds on untraceable Python; all mean "walk the chain"
        return None, str(error).splitlines()[0] if str(error) else type(error).__name__


def find_fanout(model, conv_name, channels, doing, traced=None):
    """The Fanout of conv `conv_name` with `channels` filters, or a SteeringError saying why not.
    `traced` is trace(model) when the caller has it already (one trace for many convs)."""
    fanout = Fanout(conv_name, channels, doing)
    graph_module, untraceable = traced or trace(model)
    if graph_module is not None:
        fanout.walk_graph(graph_module)
    elif _is_sequential_chain(model):
        fanout.walk_sequential(model)
    else:
        raise fanout.refuse(f"torch.fx cannot trace the model ({untraceable}) and it is not an nn.Sequential, "
                            "so the layers that read its filters are unknown")
    if not fanout.consumers:
        raise fanout.refuse("no conv or linear layer reads its filters")
    return fanout
