"""Strict reading of the messages a server sends to an attached run (docs/ENGINE.md): the same
rules as the built-in engine's commands (docs/PROTOCOL.md): unknown types and fields, nulls and
values of the wrong JSON type are errors that name the field, never coerced.
"""
import math

PROTOCOL_VERSION = 2
MAX_ID = 100
MAX_TEXT = 100

NUMBER, WHOLE, TEXT, FLAG, TEXTS = "number", "whole number", "text", "boolean", "list of texts"

# type -> {field: kind}; every field is optional at this level (the command says what it needs)
COMMANDS = {
    "pause": {},
    "resume": {},
    "step": {"batches": WHOLE},
    "set-hyperparameters": {"learningRate": NUMBER, "momentum": NUMBER, "batchSize": WHOLE,
                            "weightDecay": NUMBER, "optimizer": TEXT},
    "add-filters": {"layer": TEXT, "count": WHOLE, "init": TEXT, "source": TEXT, "noise": NUMBER},
    "remove-filters": {"layer": TEXT, "filters": TEXTS},
    "insert-layer": {"after": TEXT, "kind": TEXT, "filters": WHOLE, "kernelSize": WHOLE, "pool": FLAG,
                     "init": TEXT, "units": WHOLE},
    "remove-layer": {"layer": TEXT},
    "freeze": {"layer": TEXT},
    "unfreeze": {"layer": TEXT},
    "set-probe": {"image": WHOLE, "pixels": TEXT, "label": WHOLE},
    "save-checkpoint": {"name": TEXT, "overwrite": FLAG, "folder": "path"},
    "undo": {},
    "reset": {"model": TEXT},
    "vectors": {"layer": TEXT, "kind": TEXT},
    "checksums": {},
}


class BadMessage(ValueError):
    """A message that cannot be read; `id` is the message's id when it had a usable one."""

    def __init__(self, text, message_id=None):
        super().__init__(text)
        self.id = message_id


def read_message(message):
    """(type, id, payload) of a server message, or BadMessage saying what is wrong."""
    if not isinstance(message, dict):
        raise BadMessage(f"a message must be a JSON object, got {describe(message)}")
    if message.get("type") == "unreadable":
        raise BadMessage(f"cannot read the message: {message.get('payload', {}).get('why')}")
    message_id = message.get("id")
    if "id" in message and (not isinstance(message_id, str) or len(message_id) > MAX_ID):
        raise BadMessage(f"id must be a text of at most {MAX_ID} characters, got {describe(message_id)}")
    kind = message.get("type")
    if not isinstance(kind, str):
        raise BadMessage(f"type must be a text, got {describe(kind)}", message_id)
    extra = sorted(set(message) - {"type", "id", "payload"})
    if extra:
        raise BadMessage(f"unknown field {extra[0]!r} in the message; a message has type, id and payload", message_id)
    if kind not in COMMANDS:
        raise BadMessage(f"unknown command type {clip(kind)!r}; expected one of {', '.join(COMMANDS)}", message_id)
    payload = message.get("payload", {})
    if not isinstance(payload, dict):
        raise BadMessage(f"bad payload for {kind!r}: must be an object, got {describe(payload)}", message_id)
    fields = COMMANDS[kind]
    for name, value in payload.items():
        if name not in fields:
            known = ", ".join(fields) or "none"
            raise BadMessage(f"bad payload for {kind!r}: unknown field {clip(name)!r}; fields are {known}", message_id)
        why = _wrong_type(fields[name], value)
        if why:
            raise BadMessage(f"bad payload for {kind!r} field {name!r}: {why}", message_id)
    return kind, message_id, payload


def _wrong_type(kind, value):
    """Why `value` is not a `kind`, or None."""
    if value is None:
        return "null is not a value; leave the field out instead"
    if kind == NUMBER:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    elif kind == WHOLE:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == FLAG:
        ok = isinstance(value, bool)
    elif kind == TEXTS:
        if isinstance(value, list) and all(isinstance(v, str) and len(v) <= MAX_TEXT for v in value):
            return None
        return f"must be a list of texts of at most {MAX_TEXT} characters, got {describe(value)}"
    elif kind == "path":
        ok = isinstance(value, str) and len(value) <= 4096
    else:
        if isinstance(value, str) and len(value) > MAX_TEXT:
            return f"must be a text of at most {MAX_TEXT} characters, got {describe(value)}"
        ok = isinstance(value, str)
    return None if ok else f"must be a {'text' if kind == 'path' else kind}, got {describe(value)}"


def describe(value):
    """A value as people read it: "the text 'NaN'", "the number 2.5", "true", "a list", "null"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"the text {clip(value)!r}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return "a list" if isinstance(value, list) else "an object"


def clip(text, limit=100):
    """At most `limit` characters of a bad value; longer ones end in … and their length."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


def finite_or_none(value):
    """JSON has no NaN or infinity: those travel as null."""
    return value if value is not None and math.isfinite(value) else None
