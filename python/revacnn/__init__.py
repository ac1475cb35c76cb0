"""revacnn for PyTorch: the model surgery and optimiser-state carry that an attached training run
applies between steps, as revacnn's built-in engine does (docs/DESIGN.md, "Live network surgery").

Every function validates the whole command first; a refused one raises SteeringError and leaves
the model and the optimiser bit-identical. The user's optimizer object stays valid throughout.
"""
from .checksum import weights_checksum
from .errors import SteeringError
from .filters import add_filters, remove_filters
from .layers import insert_identity_conv, remove_layer

__all__ = ["SteeringError", "add_filters", "remove_filters", "insert_identity_conv", "remove_layer",
           "weights_checksum"]
