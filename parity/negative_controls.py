"""Deliberately broken evaluators: the parity suite must fail them.

Each variant is vernier (strict) evaluating a mutated copy of its input, so
that it behaves like an evaluator with one classic bug:

``drop_crowd``
    ignores crowd handling: every GT's ``iscrowd`` is read as 0.
``box_area``
    buckets ground truths by their box (w * h) instead of the ``area`` field.
``reverse_ties``
    breaks score ties the other way: results of one image and category
    with equal scores are taken in reverse list order.
``renumber_gt_ids``
    renumbers the GT annotations 0, 1, 2, ... in file order (an evaluator
    keyed by position): the first one gets id 0, which pycocotools treats
    as "unmatched", and real ids 0 lose that meaning.

``parity/test_negative_controls.py`` proves, variant by variant, that the
suite's comparison (``parity.checks.assert_matches_oracle`` against
pycocotools) reports a mismatch on a workload that triggers the bug while
unbroken vernier passes the same comparison.  ``--negative-control=NAME``
(or ``VERNIER_NEGATIVE_CONTROL=NAME``) swaps the variant into
``parity.checks.run_vernier`` for a whole run (``parity/conftest.py``), so
``make parity`` fails with it on.
"""

from __future__ import annotations

import copy
import json
import sys
import weakref

ENV_VAR = "VERNIER_NEGATIVE_CONTROL"


def _drop_crowd(gt: dict, dt: list) -> None:
    for a in gt.get("annotations", []):
        if isinstance(a, dict) and "iscrowd" in a:
            a["iscrowd"] = 0


def _box_area(gt: dict, dt: list) -> None:
    for a in gt.get("annotations", []):
        box = a.get("bbox") if isinstance(a, dict) else None
        if isinstance(box, list) and len(box) == 4 and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) for v in box):
            a["area"] = float(box[2]) * float(box[3])


def _reverse_ties(gt: dict, dt: list) -> None:
    groups: dict = {}
    for i, r in enumerate(dt):
        if isinstance(r, dict):
            key = (repr(r.get("image_id")), repr(r.get("category_id")), repr(r.get("score")))
            groups.setdefault(key, []).append(i)
    original = list(dt)
    for positions in groups.values():
        for pos, src in zip(positions, reversed(positions)):
            dt[pos] = original[src]


def _renumber_gt_ids(gt: dict, dt: list) -> None:
    for i, a in enumerate(gt.get("annotations", [])):
        if isinstance(a, dict):
            a["id"] = i


VARIANTS = {
    "drop_crowd": _drop_crowd,
    "box_area": _box_area,
    "reverse_ties": _reverse_ties,
    "renumber_gt_ids": _renumber_gt_ids,
}

# CocoDataset -> the JSON bytes it was parsed from (filled by the patched
# parity.checks.as_dataset while a control is installed), so that a variant
# can mutate a GT the suite passes as a parsed dataset.
_DATASET_SOURCES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def mutate(name: str, gt, dt):
    """(gt, dt) as the broken variant ``name`` sees them.  ``gt``: JSON bytes
    or a CocoDataset (recorded by the patched ``as_dataset``); ``dt``: JSON
    bytes or a list of dicts.  Input that is not valid JSON is passed on
    unchanged (vernier refuses it either way)."""
    fix = VARIANTS[name]
    gt_bytes = gt if isinstance(gt, (bytes, bytearray, memoryview)) else _DATASET_SOURCES.get(gt)
    if gt_bytes is None:
        raise RuntimeError(f"negative control {name}: GT of type {type(gt).__name__} "
                           "was not built by parity.checks.as_dataset")
    try:
        gt_obj = json.loads(bytes(gt_bytes))
        if isinstance(dt, (bytes, bytearray, memoryview)):
            dt_obj, dt_was_bytes = json.loads(bytes(dt)), True
        else:
            dt_obj, dt_was_bytes = copy.deepcopy(list(dt)), False
    except (ValueError, TypeError):
        return gt, dt
    if not isinstance(gt_obj, dict) or not isinstance(dt_obj, list):
        return gt, dt
    fix(gt_obj, dt_obj)
    new_gt = json.dumps(gt_obj).encode()
    new_dt = json.dumps(dt_obj).encode() if dt_was_bytes else dt_obj
    return new_gt, new_dt


def broken(name: str, run):
    """``run`` (``parity.checks.run_vernier``'s signature) on the input as the
    broken variant ``name`` mutates it."""
    if name not in VARIANTS:
        raise ValueError(f"unknown negative control {name!r}; one of {sorted(VARIANTS)}")

    def run_broken(gt, dt, **kwargs):
        return run(*mutate(name, gt, dt), **kwargs)

    run_broken.__name__ = f"run_vernier_{name}"
    run_broken.negative_control = name
    return run_broken


def install(name: str) -> list[str]:
    """Swap the broken variant into ``parity.checks.run_vernier`` and into
    every imported ``parity.*`` module that imported it by name.  Returns the
    modules patched."""
    from parity import checks

    real_run = getattr(checks.run_vernier, "__wrapped_real__", checks.run_vernier)
    real_as_dataset = getattr(checks.as_dataset, "__wrapped_real__", checks.as_dataset)

    def as_dataset(gt_bytes):
        ds = real_as_dataset(gt_bytes)
        _DATASET_SOURCES[ds] = bytes(gt_bytes)
        return ds

    as_dataset.__wrapped_real__ = real_as_dataset
    run_broken = broken(name, real_run)
    run_broken.__wrapped_real__ = real_run
    checks.as_dataset = as_dataset
    patched = []
    for mod_name, mod in list(sys.modules.items()):
        if not mod_name.startswith("parity") or mod is None:
            continue
        if getattr(mod, "run_vernier", None) in (real_run, checks.run_vernier):
            mod.run_vernier = run_broken
            patched.append(mod_name)
        if getattr(mod, "as_dataset", None) is real_as_dataset:
            mod.as_dataset = as_dataset
    return patched
