"""save-checkpoint: torch.save of the model and optimizer into the folder the server names, under a
plain file name, written to a temporary file and renamed over the target (os.replace), so a reader
never sees half a file. The name rules are the server's (docs/PROTOCOL.md, Security).
"""
import os
import re
import stat
import tempfile

import torch

from .errors import SteeringError

NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
SUFFIX = ".ckpt"


def file_name(name, doing):
    """The checked name with .ckpt added when missing."""
    if not NAME.fullmatch(name) or ".." in name:
        raise SteeringError(f"cannot {doing}: {name[:100]!r} is not a plain file name (letters, digits, '.', '-', "
                            "'_', not starting with '.', no '..', at most 100 characters)")
    return name if name.endswith(SUFFIX) else name + SUFFIX


def free_name(folder, step):
    name = f"step{step}{SUFFIX}"
    n = 2
    while os.path.lexists(os.path.join(folder, name)):
        name = f"step{step}-{n}{SUFFIX}"
        n += 1
    return name


def save(folder, name, overwrite, step, contents):
    """Writes `contents` (a dict for torch.save) as folder/name; returns the name used."""
    doing = "save a checkpoint"
    if not os.path.isabs(folder):
        raise SteeringError(f"cannot {doing}: the checkpoint folder must be an absolute path")
    os.makedirs(folder, mode=0o700, exist_ok=True)
    name = free_name(folder, step) if name is None else file_name(name, doing)
    target = os.path.join(folder, name)
    if os.path.lexists(target):
        mode = os.lstat(target).st_mode
        if not stat.S_ISREG(mode):
            raise SteeringError(f"cannot {doing}: {name} exists and is not a regular file (a link or a folder); "
                                "it is never replaced")
        if not overwrite:
            raise SteeringError(f"cannot {doing}: {name} exists; send \"overwrite\": true to replace it")
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=SUFFIX, dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            torch.save(contents, out)
        os.replace(temporary, target)
    except BaseException:
        os.unlink(temporary)
        raise
    return name
