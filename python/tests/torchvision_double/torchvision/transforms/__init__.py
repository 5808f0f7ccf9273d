"""Placeholder: torchmetrics imports names from here at import time; none is
usable (the drop-in test needs only torchvision.ops' box operations)."""


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)

    def unavailable(*args, **kwargs):
        raise NotImplementedError(f"torchvision.transforms.{name} is not part of vernier's test double")

    unavailable.__name__ = name
    return unavailable
