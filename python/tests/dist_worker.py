"""One rank of test_distributed.py's gloo run (not a test module).

Launched torchrun-style: RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT in
the environment, the work directory as argv[1].  The rank evaluates its
shard of the generated workload in the training-loop style of
docs/how-to/distributed-eval.md -- a BackgroundEvaluator fed batch by
batch, ended with finalize_to_partial -- and also with
evaluate_to_partial, gathers both over gloo, and writes what it got to
<work>/rank<R>.npz for the test to compare with a single-process run.
"""
import json
import os
import sys
from pathlib import Path

import numpy as np
import torch.distributed as dist

import vernier.distributed as vd
from vernier.instance import Bbox, CocoDataset, Evaluator

BATCH = 8


def shard(ids, rank, world, how):
    if how == "interleaved":
        return ids[rank::world]
    # contiguous, uneven (sizes ~ 1, 2, 3, ...), the last rank empty
    weights = [r + 1 for r in range(world - 1)] + [0]
    total = sum(weights)
    start = sum(weights[:rank]) * len(ids) // total
    end = sum(weights[:rank + 1]) * len(ids) // total
    return ids[start:end]


def arrays(prefix, s, out):
    out[prefix + "stats"] = np.array(s.stats)
    for name in ("precision", "recall", "scores"):
        out[prefix + name] = s.__getattribute__(name)


def main():
    work = Path(sys.argv[1])
    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    gt_bytes = (work / "gt.json").read_bytes()
    by_image = {}
    for d in json.loads((work / "dt.json").read_bytes()):
        by_image.setdefault(d["image_id"], []).append(d)
    gt = CocoDataset.from_json(gt_bytes)
    ids = sorted(img["id"] for img in json.loads(gt_bytes)["images"])
    out = {}
    for how in ("interleaved", "uneven"):
        mine = shard(ids, rank, world, how)
        for mode in ("strict", "corrected"):
            evaluator = Evaluator(iou=Bbox(), parity_mode=mode)
            # the training loop: batches of images, detections submitted as
            # they are produced, the state ended into a partial
            with evaluator.background(gt, rank_id=rank) as bg:
                for i in range(0, len(mine), BATCH):
                    dets = [d for img in mine[i:i + BATCH] for d in by_image.get(img, [])]
                    if dets:
                        bg.submit(dets, timeout=60)
                p_bg = bg.finalize_to_partial()
            p_once = evaluator.evaluate_to_partial(
                gt, [d for img in mine for d in by_image.get(img, [])], rank_id=rank)
            s_bg = vd.gather_summary(evaluator, gt, p_bg)
            s_once = vd.gather_summary(evaluator, gt, p_once, dst=world - 1)
            s_all = vd.all_gather_summary(evaluator, gt, p_bg)
            key = f"{how}_{mode}_"
            arrays(key + "all_", s_all, out)
            out[key + "size"] = np.array([len(p_bg), len(p_once)])
            if rank == 0:
                arrays(key + "bg_", s_bg, out)
            else:
                assert s_bg is None
            if rank == world - 1:
                arrays(key + "once_", s_once, out)
            else:
                assert s_once is None
    np.savez(work / f"rank{rank}.npz", **out)
    dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
