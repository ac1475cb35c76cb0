"""On-demand per-filter vectors for the server's analytics (t-SNE, cluster index, recommendations),
answered between steps (docs/ENGINE.md, "vectors"): one vector per filter of a conv or dense layer.
"""
import torch
import torch.nn.functional as F

from .architecture import width
from .errors import SteeringError
from .filters import find_module
from .statistics import encoded

KINDS = ("weights", "gradients", "activations", "activation-gradients")


def filter_vectors(model, probe, probe_label, units, payload):
    """{"layer", "kind", "ids", "vectors"}: weights (each filter's coefficients), gradients (its
    current dL/dw), activations (its output map for the probe image), activation-gradients (dL/d of
    that map, against the probe's label or else the predicted class; the parameters' .grad is not touched)."""
    doing = "compute vectors"
    if "layer" not in payload:
        raise SteeringError(f"cannot {doing}: layer is required")
    layer = payload["layer"]
    module = find_module(model, layer, f"{doing} of {layer}")
    if not width(module):
        raise SteeringError(f"cannot {doing} of {layer}: it is a {type(module).__name__}; only conv and dense "
                            "layers have filters")
    kind = payload.get("kind", "weights")
    if kind not in KINDS:
        raise SteeringError(f"cannot {doing}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
    count = width(module)
    if kind == "weights":
        vectors = module.weight.detach().reshape(count, -1)
    elif kind == "gradients":
        grad = module.weight.grad
        vectors = torch.zeros_like(module.weight).reshape(count, -1) if grad is None else grad.detach().reshape(count, -1)
    else:
        activation, gradient = _probe_map(model, module, probe, probe_label)
        vectors = (activation if kind == "activations" else gradient).reshape(count, -1)
    values = vectors.detach().cpu()  # one copy from the device
    return {"layer": layer, "kind": kind, "ids": units.ids(layer), "vectors": [encoded(row) for row in values]}


def _probe_map(model, module, probe, probe_label):
    """The module's output for the probe image and dL/d of it (cross-entropy), in eval mode."""
    captured = {}

    def keep(mod, inputs, output):
        captured["map"] = output
    handle = module.register_forward_hook(keep)
    was_training = model.training
    model.eval()
    try:
        with torch.enable_grad():
            output = model(probe[:1])
            target = output.argmax(1) if probe_label is None else torch.tensor([probe_label], device=output.device)
            gradient, = torch.autograd.grad(F.cross_entropy(output, target), captured["map"])
    finally:
        handle.remove()
        model.train(was_training)
    return captured["map"].detach()[0], gradient[0]
