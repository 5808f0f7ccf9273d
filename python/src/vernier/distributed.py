"""Distributed evaluation over ``torch.distributed``.

Each rank evaluates its share of the images into a partial
(:meth:`vernier.instance.Evaluator.evaluate_to_partial` or
:meth:`vernier.instance.BackgroundEvaluator.finalize_to_partial`); these
helpers move the partials -- small byte strings, never detections -- over
an initialised process group and merge them with
:meth:`vernier.instance.Evaluator.merge_partials`::

    partial = evaluator.evaluate_to_partial(gt, my_detections, rank_id=dist.get_rank())
    summary = vernier.distributed.gather_summary(evaluator, gt, partial)   # rank 0: Summary
                                                                           # others: None

The transport is two collectives: the partial sizes (``all_gather`` of one
int64 per rank), then the partials as uint8 tensors padded to the largest
(``gather`` to ``dst``, or ``all_gather``).  Both work on the gloo backend
(CPU tensors) and on NCCL (tensors on the current CUDA device).  No pickle
is involved.  torch is imported when a helper is first called; install it
with the ``vernier[torch]`` extra or on its own.

The merged summary equals ``evaluator.evaluate`` on all the ranks'
detections bit for bit, provided each image was evaluated by exactly one
rank: a ``DistributedSampler`` with ``drop_last=False`` pads the last
batches with repeated images, which the merge refuses
(:class:`vernier.PartialOverlapError`); see docs/how-to/distributed-eval.md.
"""
from __future__ import annotations

from typing import Any

__all__ = ["gather_partials", "all_gather_partials", "gather_summary", "all_gather_summary"]


def _torch():
    try:
        import torch
        import torch.distributed as dist
    except ImportError as e:  # pragma: no cover - exercised without torch only
        raise ImportError("vernier.distributed needs torch: pip install 'vernier[torch]'") from e
    if not dist.is_available() or not dist.is_initialized():
        raise RuntimeError("torch.distributed is not initialised: call "
                           "torch.distributed.init_process_group first")
    return torch, dist


def _device(torch, dist, group):
    if dist.get_backend(group) == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def _as_bytes(partial) -> bytes:
    if not isinstance(partial, (bytes, bytearray, memoryview)):
        raise TypeError(f"a partial is bytes, not {type(partial).__name__}")
    return bytes(partial)


def _exchange(partial, group, dst: int | None):
    """The partials of every rank of `group` (rank order) on `dst` (None:
    on every rank); None on the other ranks."""
    torch, dist = _torch()
    data = _as_bytes(partial)
    device = _device(torch, dist, group)
    world = dist.get_world_size(group)
    size = torch.tensor([len(data)], dtype=torch.int64, device=device)
    sizes = [torch.zeros(1, dtype=torch.int64, device=device) for _ in range(world)]
    dist.all_gather(sizes, size, group=group)
    lengths = [int(s.item()) for s in sizes]
    longest = max(lengths) if lengths else 0
    buf = torch.zeros(max(longest, 1), dtype=torch.uint8, device=device)
    if data:
        buf[:len(data)] = torch.frombuffer(bytearray(data), dtype=torch.uint8).to(device)
    me = dist.get_rank()
    if dst is None:
        out = [torch.empty_like(buf) for _ in range(world)]
        dist.all_gather(out, buf, group=group)
    else:
        out = [torch.empty_like(buf) for _ in range(world)] if me == dst else None
        dist.gather(buf, out, dst=dst, group=group)
        if me != dst:
            return None
    return [bytes(t[:n].cpu().numpy().tobytes()) for t, n in zip(out, lengths)]


def gather_partials(partial: bytes, *, group: Any = None, dst: int = 0) -> list[bytes] | None:
    """Collective: every rank of ``group`` passes its partial; rank ``dst``
    (a global rank) gets the list of all of them (in rank order), the
    others ``None``."""
    return _exchange(partial, group, dst)


def all_gather_partials(partial: bytes, *, group: Any = None) -> list[bytes]:
    """Collective: every rank gets the list of every rank's partial."""
    return _exchange(partial, group, None)


def gather_summary(evaluator, gt, partial: bytes, *, group: Any = None, dst: int = 0,
                   memory_budget_bytes: int | None = None):
    """Collective: gathers the ranks' partials on rank ``dst`` and merges
    them there with ``evaluator.merge_partials(gt, ...)``: rank ``dst``
    returns the :class:`~vernier.instance.Summary`, the other ranks
    ``None``.  ``evaluator`` must have the configuration the partials were
    made with (else :class:`vernier.PartialMismatchError` on ``dst``)."""
    blobs = _exchange(partial, group, dst)
    if blobs is None:
        return None
    return evaluator.merge_partials(gt, blobs, memory_budget_bytes=memory_budget_bytes)


def all_gather_summary(evaluator, gt, partial: bytes, *, group: Any = None,
                       memory_budget_bytes: int | None = None):
    """Collective: every rank gets the merged
    :class:`~vernier.instance.Summary` (each merges the partials itself;
    useful when every rank needs the metric, e.g. for early stopping)."""
    blobs = _exchange(partial, group, None)
    return evaluator.merge_partials(gt, blobs, memory_budget_bytes=memory_budget_bytes)
