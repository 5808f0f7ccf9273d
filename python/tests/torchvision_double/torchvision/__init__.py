"""Test double of torchvision (see python/tests/torchvision_double/README.md)."""
from . import models, ops, transforms  # noqa: F401

__version__ = "0.17.0"
