"""The state before a structural change, restored exactly by undo: every module's children,
parameter objects (values and gradients), buffers and plain attributes (widths), and the
optimizer's param groups and per-parameter state. Parameters and modules keep their identity,
so the user's references (the model, the optimizer) stay valid.
"""
import copy

import torch

from .remap import swap_data

_MODULE_DICTS = ("_modules", "_parameters", "_buffers")


def _clone(value):
    return value.detach().clone() if torch.is_tensor(value) else copy.deepcopy(value)


class SavedState:
    def __init__(self, model, optimizer, description=None, extra=None):
        self.description = description
        self.extra = extra
        self.modules = []
        params = {}
        for module in model.modules():
            plain = {k: v for k, v in vars(module).items()
                     if not k.startswith("_") and not torch.is_tensor(v) and k != "training"}
            self.modules.append((module, {k: dict(getattr(module, k)) for k in _MODULE_DICTS},
                                 {k: _clone(v) for k, v in module._buffers.items() if v is not None},
                                 copy.deepcopy(plain)))
            for param in module._parameters.values():
                if param is not None:
                    params[id(param)] = param
        self.params = [(p, p.detach().clone(), None if p.grad is None else p.grad.clone(), p.requires_grad)
                       for p in params.values()]
        self.optimizer = optimizer
        self.groups = [dict(g, params=list(g["params"])) for g in optimizer.param_groups]
        self.state = {p: {k: _clone(v) for k, v in s.items()} for p, s in optimizer.state.items()}
        self.optimizer_class = type(optimizer)
        self.defaults = dict(optimizer.defaults)

    def restore(self):
        """Puts everything back as it was at capture time, in place."""
        for module, dicts, buffers, plain in self.modules:
            for name, saved in dicts.items():
                live = getattr(module, name)
                live.clear()
                live.update(saved)
            for name, value in buffers.items():
                module._buffers[name] = value.clone()
            vars(module).update(copy.deepcopy(plain))
        for param, value, grad, requires_grad in self.params:
            swap_data(param, value.clone())
            param.grad = None if grad is None else grad.clone()
            param.requires_grad_(requires_grad)
        optimizer = self.optimizer
        optimizer.__class__ = self.optimizer_class
        optimizer.defaults = dict(self.defaults)
        optimizer.param_groups[:] = [dict(g, params=list(g["params"])) for g in self.groups]
        optimizer.state.clear()
        for param, state in self.state.items():
            optimizer.state[param] = {k: _clone(v) for k, v in state.items()}
