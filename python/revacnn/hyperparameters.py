"""Hyperparameters of an attached run: learning rate, momentum, weight decay (set on every param
group of the user's optimizer) and the optimizer kind, switched in place so that the user's
`optimizer` object stays the one to call.
"""
import math

import torch

from .errors import SteeringError

KINDS = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adadelta": torch.optim.Adadelta}
# the built-in engine's per-rule defaults (docs/DESIGN.md), used when a switch names no rate
DEFAULT_LEARNING_RATE = {"sgd": 0.002, "adam": 0.001, "adadelta": 1.0}
HYPERPARAMETER_KEYS = {"lr", "momentum", "weight_decay", "dampening", "nesterov", "betas", "eps", "amsgrad",
                       "rho", "maximize", "foreach", "capturable", "differentiable", "fused"}
MAX_BATCH = 4096


def kind_of(optimizer):
    """sgd, adam, adadelta, or the class name of another optimizer."""
    for name, cls in KINDS.items():
        if type(optimizer) is cls:
            return name
    return type(optimizer).__name__


def read(optimizer, momentum, batch_size):
    """The run's hyperparameters as the protocol names them, from the optimizer's first group."""
    group = optimizer.param_groups[0]
    return {"optimizer": kind_of(optimizer), "learningRate": group.get("lr"),
            "momentum": group.get("momentum", momentum), "batchSize": batch_size,
            "weightDecay": group.get("weight_decay", 0.0)}


def check(payload, current):
    """The new values, validated as the built-in engine does; a switch of rule without a rate takes
    the rule's default rate (Adadelta's 1 under SGD would blow up)."""
    doing = "cannot set hyperparameters"
    wanted = dict(current)
    if "learningRate" in payload:
        if not payload["learningRate"] > 0:
            raise SteeringError(f"{doing}: learningRate must be finite and > 0, got {payload['learningRate']}")
        wanted["learningRate"] = float(payload["learningRate"])
    if "momentum" in payload:
        if not 0 <= payload["momentum"] < 1:
            raise SteeringError(f"{doing}: momentum must be in [0, 1), got {payload['momentum']}")
        wanted["momentum"] = float(payload["momentum"])
    if "weightDecay" in payload:
        if not payload["weightDecay"] >= 0:
            raise SteeringError(f"{doing}: weightDecay must be >= 0, got {payload['weightDecay']}")
        wanted["weightDecay"] = float(payload["weightDecay"])
    if "batchSize" in payload:
        if not 1 <= payload["batchSize"] <= MAX_BATCH:
            raise SteeringError(f"{doing}: batchSize must be in 1..{MAX_BATCH}, got {payload['batchSize']}")
        wanted["batchSize"] = payload["batchSize"]
    if "optimizer" in payload:
        kind = payload["optimizer"].strip().lower()
        if kind not in KINDS:
            raise SteeringError(f"{doing}: unknown optimizer {payload['optimizer']!r}; expected sgd, adam or adadelta")
        if kind != current["optimizer"] and "learningRate" not in payload:
            wanted["learningRate"] = DEFAULT_LEARNING_RATE[kind]
        wanted["optimizer"] = kind
    if wanted["optimizer"] not in KINDS and any(wanted[k] != current[k] for k in ("momentum", "weightDecay")):
        raise SteeringError(f"{doing}: the run's optimizer is a {current['optimizer']}; momentum and weight "
                            "decay are set on sgd, adam or adadelta only (switch optimizer first)")
    return wanted


def apply(optimizer, current, wanted):
    """Writes `wanted` into the optimizer (switching its rule in place when it changes); returns the
    changes as {"field": {"from": old, "to": new}}."""
    if wanted["optimizer"] != current["optimizer"]:
        switch(optimizer, wanted["optimizer"])
    kind = wanted["optimizer"]
    for group in optimizer.param_groups:
        group["lr"] = wanted["learningRate"]
        if kind in KINDS:
            group["weight_decay"] = wanted["weightDecay"]
        if kind == "sgd":
            group["momentum"] = wanted["momentum"]
    return {k: {"from": current[k], "to": wanted[k]} for k in current if current[k] != wanted[k]}


def switch(optimizer, kind):
    """Turns `optimizer` into a fresh optimizer of `kind` over the same param groups, in place: the
    object stays the same (the user's loop keeps calling it), its class and state change. Group keys
    that are not hyperparameters (a scheduler's `initial_lr`) stay.

    State carried where it maps: Adam's second moment v (an average of g^2, bias-corrected
    v / (1 - beta2^t)) becomes Adadelta's square_avg (also an average of g^2). Nothing is carried
    into SGD (momentum is a running sum of updates, not of gradients) or into Adam (its bias
    correction assumes moments that start at zero).
    """
    old_kind = kind_of(optimizer)
    groups = []
    for group in optimizer.param_groups:
        fresh = {"params": group["params"], "lr": group["lr"], "weight_decay": group.get("weight_decay", 0.0)}
        groups.append(fresh)
    replacement = KINDS[kind](groups)
    for old_group, new_group in zip(optimizer.param_groups, replacement.param_groups):
        new_group.update({k: v for k, v in old_group.items() if k not in HYPERPARAMETER_KEYS and k != "params"})
    if old_kind == "adam" and kind == "adadelta":
        for group in optimizer.param_groups:
            beta2 = group["betas"][1]
            for param in group["params"]:
                state = optimizer.state.get(param, {})
                if "exp_avg_sq" in state:
                    steps = float(state["step"])
                    replacement.state[param] = {
                        "step": torch.tensor(0.0),
                        "square_avg": state["exp_avg_sq"] / (1 - math.pow(beta2, steps)),
                        "acc_delta": torch.zeros_like(param)}
    optimizer.__dict__.clear()
    optimizer.__dict__.update(replacement.__dict__)
    optimizer.__class__ = type(replacement)
