"""``patch_pycocotools()``: make code written for pycocotools run on vernier.

``patch_pycocotools()`` replaces ``pycocotools.coco.COCO`` and
``pycocotools.cocoeval.COCOeval`` (and ``Params``) with vernier's, in the
pycocotools modules and in every already-imported module that bound them by
name (``from pycocotools.coco import COCO``); modules imported later get
vernier's through the patched pycocotools modules.  When pycocotools is not
installed, stand-in ``pycocotools``, ``pycocotools.coco`` and
``pycocotools.cocoeval`` modules are registered.  ``pycocotools.mask``'s
functions (``encode``, ``decode``, ``area``, ``toBbox``, ``merge``, ``iou``,
``frPyObjects``) become :mod:`vernier.mask`'s, which return the same values
bit for bit (a stand-in ``pycocotools.mask`` without pycocotools).

Patching nests: each ``patch_pycocotools()`` is undone by one ``unpatch()``
(or by leaving its ``with`` block); the originals come back when the last
one is undone.  Patching while patched changes nothing else.

``python -m vernier.patch script.py args...`` runs an unmodified script
with the patch applied.
"""
from __future__ import annotations

import importlib
import os
import runpy
import sys
import threading
import types

__all__ = ["patch_pycocotools", "unpatch", "is_patched"]

_lock = threading.RLock()
_depth = 0
_undo: list = []  # callables restoring what the outermost patch changed


class _Patch:
    """What :func:`patch_pycocotools` returns: ``with`` it to unpatch on exit."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        unpatch()
        return False


def is_patched() -> bool:
    """True while at least one :func:`patch_pycocotools` is in effect."""
    return _depth > 0


def _set(obj, name, value):
    had = name in vars(obj)
    old = vars(obj).get(name)
    setattr(obj, name, value)

    def restore():
        if had:
            setattr(obj, name, old)
        else:
            delattr(obj, name)
    _undo.append(restore)


# pycocotools.mask's public functions, all in vernier.mask
_MASK_FUNCTIONS = ("encode", "decode", "area", "toBbox", "merge", "iou", "frPyObjects")


def _apply():
    from . import mask as vmask
    from .coco import COCO
    from .cocoeval import COCOeval, Params

    replacements = {}
    try:
        coco_mod = importlib.import_module("pycocotools.coco")
        eval_mod = importlib.import_module("pycocotools.cocoeval")
        mask_mod = importlib.import_module("pycocotools.mask")
    except ImportError:
        coco_mod = eval_mod = mask_mod = None
    if coco_mod is not None:
        replacements[id(coco_mod.COCO)] = (coco_mod.COCO, COCO)
        replacements[id(eval_mod.COCOeval)] = (eval_mod.COCOeval, COCOeval)
        replacements[id(eval_mod.Params)] = (eval_mod.Params, Params)
        for name in _MASK_FUNCTIONS:
            fn = getattr(mask_mod, name)
            replacements[id(fn)] = (fn, getattr(vmask, name))
        # names bound in already-imported modules (the pycocotools ones included)
        for mod in list(sys.modules.values()):
            if not isinstance(mod, types.ModuleType):
                continue
            try:
                items = list(vars(mod).items())
            except TypeError:
                continue
            for name, value in items:
                hit = replacements.get(id(value))
                if hit is not None and hit[0] is value:
                    _set(mod, name, hit[1])
    else:
        added = []
        pkg = types.ModuleType("pycocotools")
        pkg.__path__ = []
        pkg.__doc__ = "vernier's stand-in for pycocotools (not installed)"
        coco_mod = types.ModuleType("pycocotools.coco")
        coco_mod.COCO = COCO
        eval_mod = types.ModuleType("pycocotools.cocoeval")
        eval_mod.COCOeval = COCOeval
        eval_mod.Params = Params
        mask_mod = types.ModuleType("pycocotools.mask")
        for name in _MASK_FUNCTIONS:
            setattr(mask_mod, name, getattr(vmask, name))
        pkg.coco = coco_mod
        pkg.cocoeval = eval_mod
        pkg.mask = mask_mod
        missing = object()
        for mod in (pkg, coco_mod, eval_mod, mask_mod):
            added.append((mod.__name__, sys.modules.get(mod.__name__, missing)))
            sys.modules[mod.__name__] = mod

        def remove():
            for name, before in added:
                if before is missing:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = before
        _undo.append(remove)


def patch_pycocotools() -> _Patch:
    """Replace pycocotools' ``COCO`` / ``COCOeval`` with vernier's (see the
    module documentation).  Returns a handle usable as a context manager."""
    global _depth
    with _lock:
        if _depth == 0:
            try:
                _apply()
            except BaseException:
                _restore()
                raise
        _depth += 1
    return _Patch()


def _restore():
    while _undo:
        _undo.pop()()


def unpatch() -> None:
    """Undo one :func:`patch_pycocotools`; the last one restores the
    originals.  Does nothing when not patched."""
    global _depth
    with _lock:
        if _depth == 0:
            return
        _depth -= 1
        if _depth == 0:
            _restore()


def main(argv=None) -> int:
    """``python -m vernier.patch script.py args...``"""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m vernier.patch script.py [args...]\n"
              "Runs script.py with pycocotools' COCO, COCOeval and mask functions replaced by "
              "vernier's.")
        return 0 if args else 2
    script = args[0]
    sys.argv = args
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    patch_pycocotools()
    try:
        runpy.run_path(script, run_name="__main__")
    finally:
        unpatch()
    return 0


if __name__ == "__main__":
    from vernier.patch import main as _main  # the package's module: one patch state

    sys.exit(_main())
