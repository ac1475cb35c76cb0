"""revacnn for PyTorch: attach a training loop to the revacnn server (revacnn.attach, docs/ENGINE.md),
and the model surgery and optimiser-state carry that an attached run applies between steps, as
revacnn's built-in engine does (docs/DESIGN.md, "Live network surgery").

Every command validates everything first; a refused one raises SteeringError (an error reply) and
leaves the model and the optimiser bit-identical. The user's optimizer object stays valid throughout.
"""
from .agent import Run, attach
from .checksum import weights_checksum
from .errors import SteeringError
from .filters import add_filters, remove_filters
from .layers import insert_identity_conv, remove_layer
from .models import paper_model
from .transport import AttachError, MemoryTransport

__all__ = ["AttachError", "MemoryTransport", "Run", "SteeringError", "add_filters", "attach", "remove_filters",
           "insert_identity_conv", "paper_model", "remove_layer", "weights_checksum"]
