"""Writes the seed corpora of libvernier/fuzz/corpus/<target>/ from the parity
fixtures (small pairs only) and a few hand-made inputs.

Run from the repository root: ``python libvernier/fuzz/make_corpus.py``.
The partial seeds come from make_partial_seeds.c (see README.md).  Files are
named by content (``seed-<sha1>``), so rerunning adds nothing twice; crash
regressions are named ``crash-<what>`` by hand and never rewritten here.
Keep the committed corpora small (< 2 MB in all).
"""
from __future__ import annotations

import hashlib
import json
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from parity.checks import FIXTURES, load_pair  # noqa: E402

CORPUS = ROOT / "libvernier" / "fuzz" / "corpus"
MAX_SEED = 12_000  # bytes per seed


def put(target: str, data: bytes) -> None:
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{hashlib.sha1(data).hexdigest()[:16]}").write_bytes(data)


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def main() -> None:
    pairs = json.loads((FIXTURES / "expected_pycocotools.json").read_text())["pairs"]
    seen = set()
    rles, polys = [], []
    for entry in pairs:
        try:
            gt, dt = load_pair(entry)
        except Exception:
            continue
        g, r = json.loads(gt), json.loads(dt)
        for a in g.get("annotations", []) + (r if isinstance(r, list) else []):
            seg = a.get("segmentation")
            if isinstance(seg, dict) and isinstance(seg.get("counts"), str):
                rles.append((seg["size"], seg["counts"]))
            elif isinstance(seg, list):
                polys.extend((g_img_hw(g, a.get("image_id")), p) for p in seg if isinstance(p, list))
        gtc, dtc = compact(g), compact(r)
        if len(gtc) + len(dtc) < MAX_SEED and (gtc, dtc) not in seen:
            seen.add((gtc, dtc))
            put("gt_json", gtc + b"\0" + dtc)
            put("results_json", dtc)
        elif len(gtc) < MAX_SEED:
            put("gt_json", gtc)
        if len(dtc) < MAX_SEED:
            put("results_json", dtc)

    # Result lists shaped for fuzz_gt.h's ground truth (images 1-3, categories 1-2).
    kp = [v for i in range(17) for v in (5 + i, 5 + i, 2)]
    for extra in ([], [{"image_id": 3, "category_id": 2, "score": 0.3, "bbox": [0, 0, 4, 4]}]):
        put("results_json", compact([
            {"image_id": 1, "category_id": 1, "score": 0.9, "bbox": [2, 3, 20, 15],
             "segmentation": [[2, 3, 22, 3, 22, 18]], "keypoints": kp},
            {"image_id": 2, "category_id": 2, "score": 0.5, "bbox": [1, 2, 8, 9],
             "segmentation": {"size": [48, 64], "counts": "0`0"}}] + extra))
    put("results_json", compact([{"image_id": 1, "category_id": 2, "score": 0.7,
                                  "segmentation": {"size": [30, 40],
                                                   "counts": "a9??0000000000000000000000000000000000000W9"}}]))
    put("results_json", compact([{"image_id": 2, "category_id": 1, "score": 0.7, "keypoints": kp}]))
    put("results_json", b"[]")

    # RLE: h, w (u32 LE), band width d, counts.
    for (h, w), counts in rles[:40]:
        if h < 2**32 and w < 2**32 and len(counts) < 4000:
            put("rle", struct.pack("<IIB", h, w, 2) + counts.encode())
    for h, w, s in ((30, 40, "a9??0000000000000000000000000000000000000W9"), (0, 0, ""),
                    (1, 1, "01"), (2, 3, "06"), (48, 64, "0`0")):
        put("rle", struct.pack("<IIB", h, w, 1) + s.encode())

    # Polygons: h, w (u16 LE), mode, values (mode 0: i16 quarter pixels; 1: f64).
    for (h, w), p in polys[:60]:
        if len(p) > 256:
            continue
        h, w = min(h, 65535), min(w, 65535)
        put("polygon", struct.pack("<HHB", h, w, 1) + struct.pack(f"<{len(p)}d", *p))
        if all(abs(v) < 8000 for v in p):
            put("polygon", struct.pack("<HHB", h, w, 2) +
                struct.pack(f"<{len(p)}h", *(int(round(v * 4)) for v in p)))
    put("polygon", struct.pack("<HHB", 10, 10, 3) + struct.pack("<4d", 1.5, 2.5, 4.0, 3.0))


def g_img_hw(g, image_id):
    for im in g.get("images", []):
        if im.get("id") == image_id:
            return im.get("height", 0) or 0, im.get("width", 0) or 0
    return 0, 0


if __name__ == "__main__":
    main()
