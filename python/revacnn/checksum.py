"""A hash of a model's weights, for checking that every rank of a distributed run holds the same model."""
import hashlib

import torch

from .architecture import unwrap


def weights_checksum(model):
    """sha256 (hex) over every parameter and buffer, in sorted name order, of name, dtype, shape and bytes.

    A DistributedDataParallel or DataParallel wrapper is unwrapped first, so a rank's wrapped model
    and the plain model hash alike.
    """
    inner = unwrap(model)
    tensors = dict(inner.named_parameters())
    tensors.update(inner.named_buffers())
    digest = hashlib.sha256()
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        digest.update(f"{name}|{tensor.dtype}|{tuple(tensor.shape)}|".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()
