"""The server's commands, applied to an attached run between steps (docs/ENGINE.md, "Commands").
Each handler validates everything before it changes anything and returns the ack's `changes`; a
SteeringError becomes an error reply and leaves the model and the optimizer bit-identical.
"""
from . import checkpoint, hyperparameters
from .architecture import unwrap
from .errors import SteeringError
from .filters import add_filters, find_module, remove_filters
from .layers import channels_after, insert_identity_conv, remove_layer
from .undo import SavedState

MAX_STEP_BATCHES = 100000
UNDO_DEPTH = 5
IDS_NAMED = 4
UNSUPPORTED = {
    "reset": "an attached run cannot rebuild the user's model; restart the training script instead",
    "set-probe": "an attached run keeps the probe image it was started with (attach(probe=...))",
}


def surgery_result(description, added_layers=(), removed_layers=(), added=(), removed=()):
    return {"description": description, "addedLayers": list(added_layers), "removedLayers": list(removed_layers),
            "addedFilters": list(added), "removedFilters": list(removed), "reinitialised": []}


class Commands:
    """Handlers by command type (HANDLERS, at the end: the command types the agent applies, which its
    hello lists); `structural` ones are undoable and change the architecture."""

    STRUCTURAL = {"add-filters", "remove-filters", "insert-layer", "remove-layer"}

    def __init__(self, run):
        self.run = run
        self.undo_stack = []

    def apply(self, kind, payload):
        if kind in UNSUPPORTED:
            raise SteeringError(f"cannot {kind}: {UNSUPPORTED[kind]}")
        handler = self.HANDLERS[kind]
        if kind not in self.STRUCTURAL:
            return handler(self, payload)
        run = self.run
        saved = SavedState(unwrap(run.model), run.optimizer, extra=(run.units.state(), dict(run.hyperparameters)))
        changes = handler(self, payload)
        saved.description = _in_words(changes)
        self.undo_stack.append(saved)
        del self.undo_stack[:-UNDO_DEPTH]
        return changes

    # --- state -------------------------------------------------------------------------------
    def pause(self, payload):
        return self.run.set_state("paused")

    def resume(self, payload):
        self.run.steps_left = 0
        return self.run.set_state("running")

    def step(self, payload):
        batches = payload.get("batches", 1)
        if not 1 <= batches <= MAX_STEP_BATCHES:
            raise SteeringError(f"cannot step: batches must be in 1..{MAX_STEP_BATCHES}, got {batches}")
        self.run.steps_left = batches
        self.run.state = "running"
        return {"batches": batches}

    def set_hyperparameters(self, payload):
        run = self.run
        current = run.hyperparameters
        wanted = hyperparameters.check(payload, current)
        changes = hyperparameters.apply(run.optimizer, current, wanted)
        run.momentum, run.batch_size = wanted["momentum"], wanted["batchSize"]
        return changes

    # --- surgery -----------------------------------------------------------------------------
    def _layer(self, payload, field, doing):
        if field not in payload:
            raise SteeringError(f"cannot {doing}: {field} is required (a layer id)")
        name = payload[field]
        find_module(unwrap(self.run.model), name, f"{doing} {name}")
        return name

    def add_filters(self, payload):
        run = self.run
        layer = self._layer(payload, "layer", "add filters to")
        doing = f"add filters to {layer}"
        if "count" not in payload:
            raise SteeringError(f"cannot {doing}: count is required")
        source = payload.get("source")
        if source is not None:
            if layer not in run.units.numbers:
                raise SteeringError(f"cannot {doing}: it has no filters")
            source = run.units.index_of(layer, source, doing)
        add_filters(unwrap(run.model), run.optimizer, layer, payload["count"], init=payload.get("init", "random"),
                    source=source, noise=payload.get("noise", 0.0), generator=run.generator)
        added = run.units.added(layer, payload["count"])
        return surgery_result(f"add {len(added)} filter{'s' if len(added) > 1 else ''} to {layer} "
                              f"({payload.get('init', 'random')})", added=added)

    def remove_filters(self, payload):
        run = self.run
        layer = self._layer(payload, "layer", "remove filters from")
        doing = f"remove filters from {layer}"
        ids = payload.get("filters")
        if not ids:
            raise SteeringError(f"cannot {doing}: filters must list at least one filter id")
        if layer not in run.units.numbers:
            raise SteeringError(f"cannot {doing}: it has no filters")
        indices = [run.units.index_of(layer, f, doing) for f in ids]
        remove_filters(unwrap(run.model), run.optimizer, layer, indices)
        removed = run.units.removed(layer, indices)
        return surgery_result(f"remove {len(removed)} filter{'s' if len(removed) > 1 else ''} from {layer}",
                              removed=removed)

    def insert_layer(self, payload):
        run = self.run
        after = self._layer(payload, "after", "insert a layer after")
        doing = f"insert a layer after {after}"
        kind = payload.get("kind")
        if kind != "conv":
            raise SteeringError(f"cannot {doing}: kind must be conv (an attached run inserts identity convs "
                                f"only), got {kind!r}")
        if payload.get("init", "identity") != "identity":
            raise SteeringError(f"cannot {doing}: init must be identity (a new conv starts as the identity, so "
                                f"the function is unchanged), got {payload['init']!r}")
        if payload.get("pool"):
            raise SteeringError(f"cannot {doing}: pool is not supported by an attached run (it would change shapes)")
        if "units" in payload:
            raise SteeringError(f"cannot {doing}: units applies to dense layers; give filters for a conv")
        model = unwrap(run.model)
        if "filters" in payload:
            _, channels = channels_after(model, after, doing)
            if payload["filters"] != channels:
                raise SteeringError(f"cannot {doing}: an identity conv keeps the {channels} channels of its input, "
                                    f"so filters must be {channels} or left out, got {payload['filters']}")
        name = insert_identity_conv(model, run.optimizer, after, kernel_size=payload.get("kernelSize", 3))
        run.units.sync(model)
        return surgery_result(f"insert an identity conv {name} after {after}", added_layers=[name])

    def remove_layer(self, payload):
        run = self.run
        layer = self._layer(payload, "layer", "remove")
        remove_layer(unwrap(run.model), run.optimizer, layer)
        run.units.sync(unwrap(run.model))
        return surgery_result(f"remove {layer}", removed_layers=[layer])

    def freeze(self, payload, frozen=True):
        run = self.run
        verb = "freeze" if frozen else "unfreeze"
        layer = self._layer(payload, "layer", verb)
        params = list(find_module(unwrap(run.model), layer, verb).parameters())
        if not params:
            raise SteeringError(f"cannot {verb} {layer}: it has no parameters")
        if all(p.requires_grad != frozen for p in params):
            return {}
        for param in params:
            param.requires_grad_(not frozen)
            if frozen:
                param.grad = None  # a stale gradient would still move it (and its momentum) in optimizer.step()
        return surgery_result(f"{verb} {layer}")

    def unfreeze(self, payload):
        return self.freeze(payload, frozen=False)

    def undo(self, payload):
        run = self.run
        if not self.undo_stack:
            raise SteeringError("cannot undo: there is no structural change to undo")
        saved = self.undo_stack.pop()
        units, hyper = saved.extra
        now = run.hyperparameters
        saved.restore()
        run.units.restore(units)
        if now != hyper:  # hyperparameters set since the change stay set
            hyperparameters.apply(run.optimizer, hyper, now)
        return {"undone": saved.description, "restoredLayers": [l for l in run.units.numbers]}

    def save_checkpoint(self, payload):
        run = self.run
        if "folder" not in payload:
            raise SteeringError("cannot save a checkpoint: the server names the folder (field folder)")
        model = unwrap(run.model)
        name = checkpoint.save(payload["folder"], payload.get("name"), payload.get("overwrite", False), run.step_count,
                               {"model": model.state_dict(), "optimizer": run.optimizer.state_dict(),
                                "optimizerKind": hyperparameters.kind_of(run.optimizer), "step": run.step_count,
                                "hyperparameters": run.hyperparameters,
                                "filterNumbers": run.units.state()})
        return {"file": name, "folder": payload["folder"]}

    HANDLERS = {"pause": pause, "resume": resume, "step": step, "set-hyperparameters": set_hyperparameters,
                "add-filters": add_filters, "remove-filters": remove_filters, "insert-layer": insert_layer,
                "remove-layer": remove_layer, "freeze": freeze, "unfreeze": unfreeze, "undo": undo,
                "save-checkpoint": save_checkpoint}


def _in_words(changes):
    ids = changes.get("addedFilters") or changes.get("removedFilters") or []
    if not ids:
        return changes["description"]
    more = f" and {len(ids) - IDS_NAMED} more" if len(ids) > IDS_NAMED else ""
    return f"{changes['description']} ({', '.join(ids[:IDS_NAMED])}{more})"
