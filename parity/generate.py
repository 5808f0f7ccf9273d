"""Synthetic COCO workloads: realistic (COCO-like statistics) and adversarial.

Everything here is deterministic: a workload is a pure function of its
arguments (numpy ``default_rng(seed)``; no global random state), so a failing
parity case can be rebuilt from its test id.  The bbox builders use only
numpy; the segmentation builders (``make_segm_workload`` and below) also use
pycocotools' own mask codec and polygon rasteriser (``pycocotools.mask``,
imported when first needed) to compute GT areas and to encode result masks.

All bbox builders return ``(gt, dt)``: ``gt`` is a COCO ground-truth dict and ``dt``
a loadRes-shaped list of ``{"image_id", "category_id", "bbox", "score"}``
dicts.  Every number is a plain Python ``int``/``float`` (never a numpy
scalar), so ``json.dumps`` writes exactly what a real exporter would (floats
as their shortest repr, which ``json.loads`` reads back to the same double).
"""

from __future__ import annotations

import math

import numpy as np

# COCO's 80 category ids: 1..90 with ten gaps (sparse, like instances_*.json).
COCO_ID_GAPS = (12, 26, 29, 30, 45, 66, 68, 69, 71, 83)
COCO_CATEGORY_IDS = tuple(i for i in range(1, 91) if i not in COCO_ID_GAPS)

# Category ids that never appear in a generated GT ``categories`` list.  pycocotools
# evaluates only the GT categories, so detections in these ids are silently ignored
# (with useCats=1 and useCats=0 alike).
ABSENT_CATEGORY_IDS = (12, 26, 45, 83, 91, 95, 1000)

# Common COCO image sizes (width, height).
IMAGE_SIZES = (
    (640, 480), (480, 640), (640, 427), (427, 640), (640, 425), (500, 375),
    (375, 500), (640, 360), (612, 612), (640, 640), (333, 500), (640, 512),
)

# The IoU thresholds and their exact float64 values, built the way
# pycocotools' Params builds them (np.linspace, not 0.5 + 0.05 * i).
IOU_THRESHOLDS = tuple(float(t) for t in np.linspace(0.5, 0.95, 10, endpoint=True))

# Numeric "export styles": how a detector / annotation tool writes its floats.
ROUND2, FLOAT32, FLOAT64 = 0, 1, 2


def _fmt(value: float, style: int) -> float:
    """Format one number the way an exporter of the given style would."""
    if style == ROUND2:
        return round(float(value), 2)      # e.g. COCO GT boxes, many result files
    if style == FLOAT32:
        return float(np.float32(value))     # torch/mmdet outputs: 0.8123456239700317
    return float(value)                     # full float64 repr


def bbox_iou(dt: list[float], gt: list[float], iscrowd: bool = False) -> float:
    """IoU of two ``[x, y, w, h]`` boxes, computed exactly as pycocotools does.

    A line-by-line replica of ``bbIou`` in cocoapi's ``maskApi.c`` (same
    operations in the same order, all in double precision), used by the
    adversarial builders to construct boxes whose IoU lands exactly on a
    threshold.  For a crowd GT the union is the detection's own area.
    """
    gx, gy, gw, gh = (float(v) for v in gt)
    dx, dy, dw, dh = (float(v) for v in dt)
    ga = gw * gh
    da = dw * dh
    w = min(dw + dx, gw + gx) - max(dx, gx)
    if w <= 0:
        return 0.0
    h = min(dh + dy, gh + gy) - max(dy, gy)
    if h <= 0:
        return 0.0
    i = w * h
    u = da if iscrowd else da + ga - i
    return i / u


def _categories(cat_ids) -> list[dict]:
    return [
        {"id": int(c), "name": "person" if c == 1 else f"category_{c}",
         "supercategory": "person" if c == 1 else f"super_{(c - 1) // 10}"}
        for c in cat_ids
    ]


def _image(image_id: int, width: int, height: int) -> dict:
    return {"id": int(image_id), "width": int(width), "height": int(height),
            "file_name": f"{image_id:012d}.jpg"}


def _box_rle(x: float, y: float, w: float, h: float, width: int, height: int) -> tuple[dict, int]:
    """Uncompressed (column-major) RLE of the pixel-aligned hull of a box.

    Returns ``(segmentation, pixel_area)``: the shape COCO uses for crowd
    regions (``{"counts": [...], "size": [h, w]}``), so that the GT stays
    valid for a future segm evaluation too.
    """
    x0 = max(0, min(width, int(math.floor(x))))
    x1 = max(x0, min(width, int(math.ceil(x + w))))
    y0 = max(0, min(height, int(math.floor(y))))
    y1 = max(y0, min(height, int(math.ceil(y + h))))
    runs = [(0, x0 * height + y0)]
    for col in range(x0, x1):
        runs.append((1, y1 - y0))
        gap = height - (y1 - y0) if col < x1 - 1 else 0
        runs.append((0, gap))
    runs.append((0, (height - y1) + (width - x1) * height))
    # merge equal neighbours and drop empty runs (the first run is always zeros)
    counts: list[int] = []
    last = None
    for value, length in runs:
        if length == 0 and counts:
            continue
        if value == last:
            counts[-1] += length
        else:
            counts.append(length)
            last = value
    assert sum(counts) == width * height
    return {"counts": counts, "size": [int(height), int(width)]}, (x1 - x0) * (y1 - y0)


# ---------------------------------------------------------------------------
# Realistic workloads
# ---------------------------------------------------------------------------

def _category_weights(rng: np.random.Generator, n: int, exponent: float) -> np.ndarray:
    """Zipf-like class frequencies: index 0 (person) most frequent, others shuffled."""
    ranks = np.empty(n)
    ranks[0] = 1.0
    ranks[1:] = rng.permutation(n - 1) + 2.0
    w = ranks ** -exponent
    return w / w.sum()


def _category_sampler(rng: np.random.Generator, cat_ids: np.ndarray, weights: np.ndarray):
    """Fast ``rng.choice(cat_ids, p=weights)``: ``(draw() -> int, draw_many(n) -> array)``."""
    cdf = np.cumsum(weights)

    def draw_many(n: int) -> np.ndarray:
        idx = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
        return cat_ids[np.minimum(idx, len(cat_ids) - 1)]

    def draw() -> int:
        return int(draw_many(1)[0])
    return draw, draw_many


def _random_box(rng: np.random.Generator, width: int, height: int,
                log_mu: float = 7.4, log_sigma: float = 2.1) -> tuple[float, float, float, float]:
    """Log-normal area (spans COCO's small/medium/large), log-normal aspect ratio."""
    area = math.exp(rng.normal(log_mu, log_sigma))
    area = min(max(area, 4.0), 0.95 * width * height)
    aspect = math.exp(rng.normal(0.0, 0.6))
    w = min(math.sqrt(area * aspect), width - 1.0)
    h = min(area / w, height - 1.0)
    x = rng.uniform(0.0, width - w)
    y = rng.uniform(0.0, height - h)
    return x, y, w, h


def _random_boxes(rng: np.random.Generator, n: int, width: int, height: int,
                  log_mu: float = 7.4, log_sigma: float = 2.1) -> np.ndarray:
    """``n`` boxes drawn like :func:`_random_box`, vectorised: an ``n x 4`` array."""
    area = np.clip(np.exp(rng.normal(log_mu, log_sigma, n)), 4.0, 0.95 * width * height)
    aspect = np.exp(rng.normal(0.0, 0.6, n))
    w = np.minimum(np.sqrt(area * aspect), width - 1.0)
    h = np.minimum(area / w, height - 1.0)
    x = rng.random(n) * (width - w)
    y = rng.random(n) * (height - h)
    return np.stack([x, y, w, h], axis=1)


def make_workload(
    n_images: int,
    seed: int,
    *,
    mean_gt_per_image: float = 7.3,
    empty_gt_rate: float = 0.02,
    crowd_rate: float = 0.01,
    polygon_area_rate: float = 0.1,
    exact_area_rate: float = 0.02,
    recall: tuple[float, float, float] = (0.6, 0.85, 0.93),
    exact_copy_rate: float = 0.03,
    integer_shift_rate: float = 0.04,
    confusion_rate: float = 0.05,
    duplicate_rate: float = 0.05,
    fp_per_image: float = 4.0,
    crowded_image_rate: float = 0.03,
    crowded_extra: tuple[int, int] = (100, 220),
    empty_dt_rate: float = 0.01,
    absent_category_dets: int = 3,
    zipf_exponent: float = 1.2,
    category_ids: tuple = COCO_CATEGORY_IDS,
) -> tuple[dict, list[dict]]:
    """A COCO-like bbox ground truth and the output of a simulated detector.

    Ground truth
      * 80 sparse COCO category ids (or ``category_ids``); Zipf-like frequencies,
        person (the first id) first.
      * image ids sparse and random, ``images`` listed in random order;
        annotation ids random (never 0), annotations in random file order.
      * ~``mean_gt_per_image`` objects per image (heavy-tailed count),
        ``empty_gt_rate`` of the images without any.
      * log-normal box sizes over small/medium/large; ``exact_area_rate`` of the
        boxes are exactly 32x32 or 96x96 (area field 1024.0 / 9216.0, i.e. on
        the area-range boundaries); boxes written with 2 decimals like COCO.
      * ``area`` = w*h, except ``polygon_area_rate`` of them get a smaller,
        polygon-like area (pycocotools filters area ranges on this field).
      * ``crowd_rate`` crowd regions (uncompressed RLE, integer area).

    Detections
      * per GT: detected with a size-dependent probability ``recall``
        (small, medium, large); localisation noise of varying quality, or an
        exact copy of the GT box, or the GT box shifted by whole pixels.
      * ``confusion_rate`` of them in a wrong class, ``duplicate_rate``
        duplicated with a lower score; Poisson background false positives.
      * ``crowded_image_rate`` of the images get 100+ extra low-score boxes
        (exercises the maxDets=100 cut).
      * per image one of three export styles: 2-decimal rounding (creates score
        ties within and across images), float32 repr, full float64 repr.
      * ``empty_dt_rate`` of the images without any detection, and
        ``absent_category_dets`` detections in category ids missing from
        ``categories`` (pycocotools ignores them).
    """
    rng = np.random.default_rng(seed)
    cat_ids = np.array(category_ids)
    cat_w = _category_weights(rng, len(cat_ids), zipf_exponent)
    draw_cat, draw_cats = _category_sampler(rng, cat_ids, cat_w)

    image_ids = rng.choice(600_000, size=n_images, replace=False) + 1
    images = []
    for iid in image_ids:
        width, height = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        images.append(_image(int(iid), width, height))

    annotations: list[dict] = []
    per_image_gt: dict[int, list[dict]] = {}
    for img in images:
        W, H = img["width"], img["height"]
        if rng.random() < empty_gt_rate:
            count = 0
        else:
            count = 1 + int(rng.negative_binomial(1.0, 1.0 / mean_gt_per_image))
        anns = []
        for _ in range(count):
            crowd = rng.random() < crowd_rate
            r = rng.random()
            exact = r < exact_area_rate
            if exact:   # 32x32 or 96x96: w * h is exactly 1024.0 or 9216.0
                w = h = 32.0 if r < exact_area_rate / 2 else 96.0
                x, y = round(rng.uniform(0, W - w), 2), round(rng.uniform(0, H - h), 2)
            else:
                x, y, w, h = _random_box(rng, W, H, log_mu=8.5 if crowd else 7.4)
                x, y = round(x, 2), round(y, 2)
                w, h = max(round(w, 2), 1.0), max(round(h, 2), 1.0)
            ann = {"id": 0, "image_id": img["id"],
                   "category_id": draw_cat(),
                   "bbox": [x, y, w, h], "area": w * h, "iscrowd": int(crowd)}
            if crowd:
                ann["segmentation"], ann["area"] = _box_rle(x, y, w, h, W, H)
            else:
                if not exact and rng.random() < polygon_area_rate:
                    ann["area"] = w * h * float(rng.uniform(0.45, 0.95))
                ann["segmentation"] = [[x, y, round(x + w, 2), y, round(x + w, 2),
                                        round(y + h, 2), x, round(y + h, 2)]]
            anns.append(ann)
        per_image_gt[img["id"]] = anns
        annotations.extend(anns)

    ann_ids = rng.choice(10_000_000, size=len(annotations), replace=False) + 1
    for ann, aid in zip(annotations, ann_ids):
        ann["id"] = int(aid)
    annotations = [annotations[i] for i in rng.permutation(len(annotations))]

    gt = {
        "info": {"description": f"vernier parity synthetic workload seed={seed} n={n_images}",
                 "version": "1.0", "year": 2024},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": _categories(cat_ids),
    }

    dt: list[dict] = []
    for img in images:
        W, H = img["width"], img["height"]
        if rng.random() < empty_dt_rate:
            continue
        style = int(rng.choice(3, p=(0.4, 0.4, 0.2)))
        raw: list[tuple[int, list[float], float]] = []   # (category, box, score)
        for ann in per_image_gt[img["id"]]:
            x, y, w, h = ann["bbox"]
            size = 0 if ann["area"] < 1024 else (1 if ann["area"] < 9216 else 2)
            if ann["iscrowd"]:
                if rng.random() < 0.5:   # detectors fire on crowds too
                    raw.append((ann["category_id"], list(_random_box(rng, W, H)),
                                float(rng.beta(2, 3))))
                continue
            if rng.random() >= recall[size]:
                continue
            r = rng.random()
            if r < exact_copy_rate:
                box = [x, y, w, h]
            elif r < exact_copy_rate + integer_shift_rate:
                box = [x + int(rng.integers(-3, 4)), y + int(rng.integers(-3, 4)), w, h]
            else:
                quality = rng.uniform(0.01, 0.2)
                box = [x + rng.normal(0, quality * w), y + rng.normal(0, quality * h),
                       w * math.exp(rng.normal(0, quality)), h * math.exp(rng.normal(0, quality))]
            cat = ann["category_id"]
            if rng.random() < confusion_rate:
                cat = draw_cat()
            score = float(rng.beta(5, 1.8))
            raw.append((cat, box, score))
            if rng.random() < duplicate_rate:
                q = rng.uniform(0.05, 0.4)
                dup = [box[0] + rng.normal(0, q * w), box[1] + rng.normal(0, q * h),
                       box[2] * math.exp(rng.normal(0, q)), box[3] * math.exp(rng.normal(0, q))]
                raw.append((cat, dup, score * float(rng.uniform(0.2, 0.95))))
        n_fp = int(rng.poisson(rng.gamma(2.0, fp_per_image / 2.0)))
        if rng.random() < crowded_image_rate:
            n_fp += int(rng.integers(*crowded_extra))
        if n_fp:
            fp_boxes = _random_boxes(rng, n_fp, W, H)
            fp_cats = draw_cats(n_fp)
            fp_scores = rng.beta(1.2, 6.0, size=n_fp)
            raw.extend((int(c), b, float(sc))
                       for c, b, sc in zip(fp_cats, fp_boxes.tolist(), fp_scores))
        if style != ROUND2 and rng.random() < 0.5:
            # a detector that exports its per-image list sorted by score
            raw.sort(key=lambda d: -d[2])
        for cat, box, score in raw:
            bw, bh = max(box[2], 0.5), max(box[3], 0.5)
            dt.append({"image_id": img["id"], "category_id": int(cat),
                       "bbox": [_fmt(box[0], style), _fmt(box[1], style),
                                _fmt(bw, style), _fmt(bh, style)],
                       "score": _fmt(score, style)})

    for _ in range(absent_category_dets):
        img = images[int(rng.integers(len(images)))]
        x, y, w, h = _random_box(rng, img["width"], img["height"])
        dt.insert(int(rng.integers(len(dt) + 1)),
                  {"image_id": img["id"],
                   "category_id": int(ABSENT_CATEGORY_IDS[rng.integers(len(ABSENT_CATEGORY_IDS))]),
                   "bbox": [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
                   "score": round(float(rng.uniform(0.3, 1.0)), 2)})
    return gt, dt


VAL2017_SEED = 2017


def make_val2017_scale(seed: int = VAL2017_SEED) -> tuple[dict, list[dict]]:
    """A workload at COCO val2017 scale: 5,000 images, ~36k GT, >=150k detections."""
    return make_workload(5000, seed, mean_gt_per_image=7.3, fp_per_image=22.0,
                         crowded_image_rate=0.05, absent_category_dets=25)


# ---------------------------------------------------------------------------
# Adversarial workloads (small, each aimed at one decision of the reference)
# ---------------------------------------------------------------------------

def _gt_dict(images: list[dict], annotations: list[dict], cat_ids) -> dict:
    return {"images": images, "annotations": annotations, "categories": _categories(cat_ids)}


def _gt_ann(ann_id: int, image_id: int, cat: int, box: list[float], *,
            area: float | None = None, iscrowd: int = 0) -> dict:
    x, y, w, h = box
    return {"id": ann_id, "image_id": image_id, "category_id": cat, "bbox": list(box),
            "area": w * h if area is None else area, "iscrowd": iscrowd,
            "segmentation": [[x, y, x + w, y, x + w, y + h, x, y + h]]}


def _det(image_id: int, cat: int, box: list[float], score: float) -> dict:
    return {"image_id": image_id, "category_id": cat, "bbox": list(box), "score": score}


def _solve_on_target(f, start: float, target: float, span: int = 4000) -> float | None:
    """A double ``v`` near ``start`` with ``f(v) == target`` exactly, or None.

    Walks outwards from ``start`` one ulp at a time (``f`` is a monotone IoU
    as a function of one box coordinate, so a hit, if any, is close).
    """
    lo = hi = start
    for _ in range(span):
        if f(lo) == target:
            return lo
        if f(hi) == target:
            return hi
        lo = math.nextafter(lo, -math.inf)
        hi = math.nextafter(hi, math.inf)
    return None


def adversarial_iou_thresholds(seed: int = 0) -> tuple[dict, list[dict]]:
    """Detections whose IoU with a GT is exactly an IoU threshold, or 1 ulp off.

    pycocotools matches when ``iou >= t`` (the comparison is ``iou < t ->
    skip``), so a detection at exactly ``t`` is a true positive at ``t`` and
    one ulp below is not.  For every threshold of ``IOU_THRESHOLDS`` (exact
    linspace doubles, including 0.8999999999999999) the builder searches box
    coordinates whose IoU -- computed with :func:`bbox_iou`, the exact
    pycocotools formula -- is ``t``, ``nextafter(t, 0)`` and
    ``nextafter(t, 1)``; each case gets its own image.  Also: the textbook
    exact cases (IoU 0.5 / 0.75 from integer boxes), the same against a
    crowd GT (IoU = intersection / detection area), and a detection with
    exactly equal IoU to two GTs (the later GT wins).
    """
    rng = np.random.default_rng(seed)
    images, anns, dets = [], [], []
    next_img, next_ann = 100, 1

    def add_case(gt_boxes, det_boxes, crowd=0):
        nonlocal next_img, next_ann
        next_img += 7   # sparse ids
        images.append(_image(next_img, 640, 480))
        for box in gt_boxes:
            anns.append(_gt_ann(next_ann, next_img, 1, box, iscrowd=crowd))
            next_ann += 1
        for box, score in det_boxes:
            dets.append(_det(next_img, 1, box, score))

    # textbook exact cases: GT 10x10, DT 10x5 -> 50/100; DT 10x7.5 -> 75/100
    add_case([[0.0, 0.0, 10.0, 10.0]], [([0.0, 0.0, 10.0, 5.0], 0.9)])
    add_case([[20.0, 30.0, 10.0, 10.0]], [([20.0, 30.0, 10.0, 7.5], 0.8)])
    assert bbox_iou([0.0, 0.0, 10.0, 5.0], [0.0, 0.0, 10.0, 10.0]) == 0.5
    assert bbox_iou([20.0, 30.0, 10.0, 7.5], [20.0, 30.0, 10.0, 10.0]) == 0.75

    found = 0
    for t in IOU_THRESHOLDS:
        for target in (t, math.nextafter(t, 0.0), math.nextafter(t, 1.0)):
            for _attempt in range(40):
                gx, gy = round(rng.uniform(0, 300), 2), round(rng.uniform(0, 200), 2)
                gw, gh = round(rng.uniform(20, 200), 2), round(rng.uniform(20, 200), 2)
                gt_box = [gx, gy, gw, gh]
                if rng.random() < 0.5:
                    # DT shares the GT's top-left corner and width; solve for its height.
                    def iou_of(h, gt_box=gt_box):
                        return bbox_iou([gt_box[0], gt_box[1], gt_box[2], h], gt_box)
                    h = _solve_on_target(iou_of, target * gh, target)
                    det_box = None if h is None else [gx, gy, gw, h]
                else:
                    # DT is the GT shifted right by d; IoU = (w - d) / (w + d).
                    def iou_of(d, gt_box=gt_box):
                        return bbox_iou([gt_box[0] + d, gt_box[1], gt_box[2], gt_box[3]], gt_box)
                    d = _solve_on_target(iou_of, gw * (1 - target) / (1 + target), target)
                    det_box = None if d is None else [gx + d, gy, gw, gh]
                if det_box is not None:
                    assert bbox_iou(det_box, gt_box) == target
                    add_case([gt_box], [(det_box, round(float(rng.uniform(0.1, 1.0)), 3))])
                    found += 1
                    break
    assert found >= 20, f"only {found} exact-IoU cases found"

    # crowd GT: IoU = intersection / detection area.  DT half inside the crowd box.
    crowd_box = [50.0, 50.0, 100.0, 100.0]
    for t in (0.5, 0.75):
        det_box = [50.0 - 100.0 * (1 - t), 60.0, 100.0, 20.0]   # overlaps t*100 of its width
        assert bbox_iou(det_box, crowd_box, iscrowd=True) == t
        add_case([crowd_box], [(det_box, 0.7)], crowd=1)

    # equal IoU with two GTs: the later GT (file order) must take the match.
    g1, g2, d = [0.0, 0.0, 10.0, 10.0], [2.0, 0.0, 10.0, 10.0], [1.0, 0.0, 10.0, 10.0]
    assert bbox_iou(d, g1) == bbox_iou(d, g2)
    add_case([g1, g2], [(d, 0.95), ([1.0, 0.5, 10.0, 9.0], 0.6)])

    return _gt_dict(images, anns, [1, 2]), dets


def adversarial_area_boundaries() -> tuple[dict, list[dict]]:
    """GT areas and detection areas exactly on 32**2 and 96**2, and 1 ulp off.

    Ranges are closed: area == 1024 is both "small" and "medium".  GT ranges
    use the ``area`` field (here sometimes unrelated to the box); unmatched
    detections are ignored outside the range using ``w * h`` as computed by
    loadRes, while matched ones stay true positives.
    """
    images, anns, dets = [], [], []
    ann_id = 1
    edges = (1024.0, 9216.0)
    for k, edge in enumerate(edges):
        side = math.sqrt(edge)   # 32.0 / 96.0, exact
        for j, area in enumerate((edge, math.nextafter(edge, 0.0), math.nextafter(edge, math.inf))):
            img_id = 1000 + 10 * k + j
            images.append(_image(img_id, 640, 480))
            # GT with the box exactly side x side; area field = the case's value
            anns.append(_gt_ann(ann_id, img_id, 1, [10.0, 10.0, side, side], area=area))
            ann_id += 1
            # GT whose area field is on the edge while its box is much bigger
            anns.append(_gt_ann(ann_id, img_id, 2, [200.0, 100.0, 150.0, 120.0], area=area))
            ann_id += 1
            # matched detections (a copy, and a slightly smaller box)
            dets.append(_det(img_id, 1, [10.0, 10.0, side, side], 0.9))
            dets.append(_det(img_id, 2, [205.0, 104.0, 140.0, 110.0], 0.85))
            # unmatched detections whose w*h is the edge or 1 ulp from it
            dets.append(_det(img_id, 1, [400.0, 300.0, side, side], 0.5))
            dets.append(_det(img_id, 1, [400.0, 100.0, side / 2, side * 2], 0.45))
            dets.append(_det(img_id, 2, [300.0, 300.0, side, math.nextafter(side, 0.0)], 0.4))
            dets.append(_det(img_id, 2, [300.0, 10.0, side, math.nextafter(side, math.inf)], 0.35))
            # an out-of-range matched detection (large GT, tiny copy) stays a TP
            dets.append(_det(img_id, 1, [10.0, 10.0, side, side * 0.6], 0.3))
    # a non-square box with w*h exactly 1024 (both factors exact in binary)
    images.append(_image(2000, 640, 480))
    anns.append(_gt_ann(ann_id, 2000, 1, [0.0, 0.0, 12.5, 81.92]))
    dets.append(_det(2000, 1, [0.0, 0.0, 12.5, 81.92], 0.5))
    dets.append(_det(2000, 1, [100.0, 100.0, 25.6, 40.0], 0.6))
    return _gt_dict(images, anns, [1, 2]), dets


def adversarial_tied_scores(seed: int = 1) -> tuple[dict, list[dict]]:
    """Many detections with identical scores, within and across images.

    The reference breaks ties with stable sorts: per image by result-file
    order, across images by image id (ascending), then per-image order.  To
    make that observable the ``images`` list and the result list are in a
    different order than the image ids, and tied detections mix TPs and FPs.
    """
    rng = np.random.default_rng(seed)
    image_ids = [907, 13, 450, 88, 5000, 21, 300, 2]
    images = [_image(i, 640, 480) for i in image_ids]
    anns, dets = [], []
    ann_id = 1
    for img_id in image_ids:
        for _ in range(int(rng.integers(2, 6))):
            x, y, w, h = _random_box(rng, 640, 480, log_mu=8.0, log_sigma=1.0)
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            anns.append(_gt_ann(ann_id, img_id, int(rng.integers(1, 3)), box))
            ann_id += 1
    by_image: dict[int, list[dict]] = {i: [] for i in image_ids}
    for a in anns:
        by_image[a["image_id"]].append(a)
    for img_id in reversed(image_ids):
        for a in by_image[img_id]:
            x, y, w, h = a["bbox"]
            # one good, one poor detection per GT, all with the same few scores
            dets.append(_det(img_id, a["category_id"], [x + 1.0, y, w, h], 0.5))
            dets.append(_det(img_id, a["category_id"], [x + w * 0.6, y + h * 0.6, w, h], 0.5))
        for _ in range(3):
            x, y, w, h = _random_box(rng, 640, 480)
            dets.append(_det(img_id, int(rng.integers(1, 3)),
                             [round(x, 2), round(y, 2), round(w, 2), round(h, 2)],
                             [0.5, 0.25, 1.0][int(rng.integers(3))]))
    return _gt_dict(images, anns, [1, 2]), dets


def adversarial_many_detections(seed: int = 2) -> tuple[dict, list[dict]]:
    """Images with more than 100 detections, with score ties across the cut.

    pycocotools keeps the first maxDets[-1] detections per (image, category)
    after a stable sort by score (and, in accumulate, the first maxDet per
    image for each maxDets value).  Detections ranked ~90..120 share one
    score, so which ones survive the cut depends on file order.  Use with
    several ``max_dets`` settings.
    """
    rng = np.random.default_rng(seed)
    images = [_image(i, 640, 640) for i in (31, 7, 19)]
    anns, dets = [], []
    ann_id = 1
    for img in images:
        gts = []
        for _ in range(60):
            x, y, w, h = _random_box(rng, 640, 640, log_mu=7.0, log_sigma=1.2)
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            anns.append(_gt_ann(ann_id, img["id"], 1, box))
            gts.append(box)
            ann_id += 1
        n = {31: 150, 7: 101, 19: 260}[img["id"]]
        for k in range(n):
            if k % 2 == 0:
                x, y, w, h = gts[(k // 2) % len(gts)]
                box = [x + float(rng.normal(0, 0.1 * w)), y + float(rng.normal(0, 0.1 * h)), w, h]
            else:
                box = list(_random_box(rng, 640, 640))
            score = 0.42 if 90 <= k < 120 else round(float(rng.uniform(0.01, 0.99)), 2)
            dets.append(_det(img["id"], 1, box, score))
    order = rng.permutation(len(dets))
    return _gt_dict(images, anns, [1]), [dets[i] for i in order]


def adversarial_absent_categories(seed: int = 3) -> tuple[dict, list[dict]]:
    """Detections in category ids that are not in GT ``categories`` (ignored).

    Also a category that is listed but has no GT (its detections are all
    false positives; it still counts in catIds) and one listed with neither.
    """
    rng = np.random.default_rng(seed)
    images = [_image(i, 640, 480) for i in (4, 9, 16)]
    anns, dets = [], []
    ann_id = 1
    for img in images:
        for cat in (1, 3):
            x, y, w, h = _random_box(rng, 640, 480, log_mu=8.0, log_sigma=1.0)
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            anns.append(_gt_ann(ann_id, img["id"], cat, box))
            ann_id += 1
            dets.append(_det(img["id"], cat, [box[0] + 2.0, box[1], box[2], box[3]], 0.8))
            # the same box reported under absent categories, with higher scores
            for absent in ABSENT_CATEGORY_IDS[:3]:
                dets.append(_det(img["id"], absent, box, 0.99))
        dets.append(_det(img["id"], 5, [1.0, 1.0, 50.0, 50.0], 0.7))   # listed, no GT
    return _gt_dict(images, anns, [1, 3, 5, 7]), dets


def adversarial_images_without_detections(seed: int = 4) -> tuple[dict, list[dict]]:
    """GT images with annotations but no detection, images with neither,
    and images with detections but no GT."""
    rng = np.random.default_rng(seed)
    images = [_image(i, 640, 480) for i in (1, 2, 3, 4, 5, 6)]
    anns, dets = [], []
    ann_id = 1
    for img_id in (1, 2, 3):          # annotated
        for _ in range(3):
            x, y, w, h = _random_box(rng, 640, 480, log_mu=8.0, log_sigma=1.0)
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            anns.append(_gt_ann(ann_id, img_id, 1, box))
            ann_id += 1
            if img_id == 1:           # only image 1 is detected at all
                dets.append(_det(img_id, 1, [box[0] + 1.5, box[1] - 1.0, box[2], box[3]], 0.6))
    for img_id in (5, 6):             # no GT, false positives only
        dets.append(_det(img_id, 1, [10.0, 10.0, 40.0, 40.0], 0.9))
    # image 4: neither GT nor detections
    return _gt_dict(images, anns, [1, 2]), dets


def adversarial_empty_results(seed: int = 5) -> tuple[dict, list[dict]]:
    """A normal ground truth and an empty result list.

    pycocotools' loadRes crashes on ``[]``; see ``parity.oracle`` for the
    definition of "no detections" this is compared against.
    """
    gt, _ = make_workload(12, seed)
    return gt, []


def adversarial_unknown_image(seed: int = 6) -> tuple[dict, list[dict], int]:
    """Results that reference an image id absent from the GT.

    Returns ``(gt, dt, unknown_image_id)``.  pycocotools' loadRes raises
    ``AssertionError('Results do not correspond to current coco set')``;
    vernier must raise ``vernier.UnknownImageError`` naming the id.
    """
    gt, dt = make_workload(8, seed)
    known = {img["id"] for img in gt["images"]}
    unknown = 987_654_321
    assert unknown not in known
    dt = list(dt)
    dt.insert(len(dt) // 2, _det(unknown, 1, [1.0, 2.0, 30.0, 40.0], 0.77))
    return gt, dt, unknown


# ---------------------------------------------------------------------------
# Segmentation workloads
# ---------------------------------------------------------------------------
#
# Masks are made with pycocotools' own rasteriser and codec, so every GT area
# and every result RLE is exactly what pycocotools derives from the same
# input.  Internally a mask is a compressed RLE dict as pycocotools returns it
# (``counts`` as bytes); what goes into the JSON has ``counts`` as str
# (compressed) or as a list of ints (uncompressed, column-major runs).

def _mask_utils():
    from pycocotools import mask as mask_utils   # the reference's rasteriser and codec

    return mask_utils


def _convex_hull(points: np.ndarray) -> np.ndarray:
    """Andrew's monotone chain: the hull vertices of ``points`` (n x 2), counter-clockwise."""
    pts = sorted(set(map(tuple, points.tolist())))
    if len(pts) < 3:
        return np.array(pts, dtype=np.float64)

    def half(seq):
        out: list[tuple[float, float]] = []
        for p in seq:
            while len(out) >= 2:
                (ax, ay), (bx, by) = out[-2], out[-1]
                if (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax) > 0:
                    break
                out.pop()
            out.append(p)
        return out[:-1]
    return np.array(half(pts) + half(reversed(pts)), dtype=np.float64)


def _shape(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float,
           kind: str) -> np.ndarray:
    """One closed ring of 8..40 vertices (n x 2) around (cx, cy) with radii ~(rx, ry).

    kind: "ellipse" (smooth, slightly jittered), "blob" (strong radial noise,
    concave, sometimes self-touching) or "hull" (convex hull of random points
    in the ellipse, topped up with edge midpoints to at least 8 vertices).
    """
    n = int(rng.integers(8, 41))
    if kind == "hull":
        m = n + int(rng.integers(2, n // 2 + 3))
        a = rng.uniform(0.0, 2 * math.pi, m)
        r = 1.0 - 0.3 * rng.random(m) ** 2
        local = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
        ring = _convex_hull(local)
        while len(ring) < 8:
            mids = (ring + np.roll(ring, -1, axis=0)) / 2.0
            ring = np.stack([ring, mids], axis=1).reshape(-1, 2)
        ring = ring[:40]
    else:
        step = 2 * math.pi / n
        a = np.arange(n) * step + rng.uniform(-0.35, 0.35, n) * step + rng.uniform(0, 2 * math.pi)
        rough = 0.04 if kind == "ellipse" else 0.28
        r = np.clip(1.0 + rough * rng.standard_normal(n), 0.2, 1.9)
        local = np.stack([r * np.cos(a), r * np.sin(a)], axis=1)
        ring = local
    rot = rng.uniform(0.0, math.pi)
    c, s = math.cos(rot), math.sin(rot)
    x = rx * ring[:, 0]
    y = ry * ring[:, 1]
    out = np.stack([cx + c * x - s * y, cy + s * x + c * y], axis=1)
    if rng.random() < 0.5:
        out = out[::-1]               # orientation does not matter to the rasteriser; mix both
    return out


def _pick(rng: np.random.Generator, cumulative: tuple[float, ...]) -> int:
    """Index drawn from a categorical distribution given by its cumulative
    probabilities without the final 1.0 (a faster ``rng.choice(p=...)``)."""
    u = rng.random()
    for i, c in enumerate(cumulative):
        if u < c:
            return i
    return len(cumulative)


def _object_parts(rng: np.random.Generator, W: int, H: int, *, tiny_rate: float, edge_rate: float,
                  outside_rate: float, degenerate_rate: float = 0.0, log_mu: float = 7.4, log_sigma: float = 2.1,
                  max_parts: int = 3) -> list[np.ndarray]:
    """The polygon parts (list of n x 2 arrays) of one object in a W x H image.

    Log-normal area over small/medium/large; ``tiny_rate`` of the objects get
    an area of 0.3..40 px (some rasterise to an empty mask).  ``edge_rate``
    of them are pushed across an image border and clipped to it (vertices
    exactly on x = 0 / W, y = 0 / H, as annotation tools write them);
    ``outside_rate`` are left sticking out of the image unclipped (the
    rasteriser drops/clamps what is outside).  1..3 parts: extra parts are
    smaller pieces near the first (an occluded object split in two).
    ``degenerate_rate`` of them are slivers: vertices on one line or within
    a 0.2 px square (mask usually empty).
    """
    if rng.random() < degenerate_rate:
        # a polygon with no area to speak of: all vertices on one line, or inside
        # a 0.2 px square (annotation-tool slips; their masks are usually empty)
        n = int(rng.integers(8, 41))
        x0, y0 = rng.uniform(0, W - 1), rng.uniform(0, H - 1)
        if rng.random() < 0.5:
            t = rng.uniform(0.0, rng.uniform(1, 60), n)
            if rng.random() < 0.5:
                ring = np.stack([x0 + t, np.full(n, y0)], axis=1)      # horizontal
            else:
                ring = np.stack([np.full(n, x0), y0 + t], axis=1)      # vertical
        else:
            ring = np.stack([x0 + rng.uniform(0, 0.2, n), y0 + rng.uniform(0, 0.2, n)], axis=1)
        return [np.stack([np.clip(ring[:, 0], 0.0, W), np.clip(ring[:, 1], 0.0, H)], axis=1)]
    if rng.random() < tiny_rate:
        area = rng.uniform(0.3, 40.0)
    else:
        area = min(max(math.exp(rng.normal(log_mu, log_sigma)), 6.0), 0.5 * W * H)
    aspect = math.exp(rng.normal(0.0, 0.5))
    rx = math.sqrt(area * aspect / math.pi)
    ry = area / (math.pi * rx)
    rx, ry = min(rx, W * 0.7), min(ry, H * 0.7)
    cx, cy = rng.uniform(0, W), rng.uniform(0, H)
    crossing = rng.random()
    clip = True
    if crossing < edge_rate + outside_rate:
        side = int(rng.integers(4))
        if side == 0:
            cx = rng.uniform(-0.5, 0.6) * rx
        elif side == 1:
            cx = W - rng.uniform(-0.5, 0.6) * rx
        elif side == 2:
            cy = rng.uniform(-0.5, 0.6) * ry
        else:
            cy = H - rng.uniform(-0.5, 0.6) * ry
        clip = crossing < edge_rate
    kind = ("ellipse", "blob", "hull")[_pick(rng, (0.35, 0.75))]
    parts = [_shape(rng, cx, cy, rx, ry, kind)]
    n_parts = 1 + min(_pick(rng, (0.8, 0.94)), max_parts - 1)
    for _ in range(n_parts - 1):
        a = rng.uniform(0, 2 * math.pi)
        d = rng.uniform(0.6, 1.6)
        k = rng.uniform(0.2, 0.6)
        parts.append(_shape(rng, cx + d * rx * math.cos(a), cy + d * ry * math.sin(a),
                            k * rx, k * ry, ("ellipse", "blob", "hull")[int(rng.integers(3))]))
    if clip:
        parts = [np.stack([np.clip(p[:, 0], 0.0, W), np.clip(p[:, 1], 0.0, H)], axis=1) for p in parts]
    else:
        # keep everything finite and near the image (a few pixels outside)
        parts = [np.stack([np.clip(p[:, 0], -8.0, W + 8.0), np.clip(p[:, 1], -8.0, H + 8.0)], axis=1)
                 for p in parts]
    return parts


def _poly_json(parts: list[np.ndarray], style: int) -> list[list[float]]:
    """Polygon parts as COCO writes them: one flat [x0, y0, x1, y1, ...] list per part."""
    if style == ROUND2:
        return [np.round(p.ravel(), 2).tolist() for p in parts]
    if style == FLOAT32:
        return [p.ravel().astype(np.float32).astype(np.float64).tolist() for p in parts]
    return [p.ravel().tolist() for p in parts]


def _poly_rle(mu, polys: list[list[float]], H: int, W: int) -> dict:
    """The union of polygon parts rasterised by pycocotools (annToRLE's polygon path)."""
    return mu.merge(mu.frPyObjects(polys, H, W))


def _encode(mu, mask: np.ndarray) -> dict:
    return mu.encode(np.asfortranarray(mask, dtype=np.uint8))


def _uncompressed_counts(mask: np.ndarray) -> list[int]:
    """Column-major run lengths of a binary H x W mask, starting with a (possibly empty) 0-run."""
    flat = mask.ravel(order="F").astype(np.int8)
    if flat.size == 0:
        return []
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    runs = np.diff(np.concatenate(([0], edges, [flat.size]))).tolist()
    if flat[0] == 1:
        runs.insert(0, 0)
    return [int(v) for v in runs]


def _compressed_json(rle: dict) -> dict:
    h, w = rle["size"]
    counts = rle["counts"]
    return {"size": [int(h), int(w)], "counts": counts.decode("ascii") if isinstance(counts, bytes) else counts}


def _dilate(mask: np.ndarray, steps: int) -> np.ndarray:
    """Binary dilation by a 3x3 cross, ``steps`` times (numpy only)."""
    out = mask.astype(bool)
    for _ in range(steps):
        grown = out.copy()
        grown[1:, :] |= out[:-1, :]
        grown[:-1, :] |= out[1:, :]
        grown[:, 1:] |= out[:, :-1]
        grown[:, :-1] |= out[:, 1:]
        out = grown
    return out


def _erode(mask: np.ndarray, steps: int) -> np.ndarray:
    """Binary erosion by a 3x3 cross (pixels outside the image count as background)."""
    out = mask.astype(bool)
    for _ in range(steps):
        kept = out.copy()
        kept[1:, :] &= out[:-1, :]
        kept[:-1, :] &= out[1:, :]
        kept[:, 1:] &= out[:, :-1]
        kept[:, :-1] &= out[:, 1:]
        kept[0, :] = kept[-1, :] = False
        kept[:, 0] = kept[:, -1] = False
        out = kept
    return out


def _shifted(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """The mask moved by whole pixels (what leaves the image is lost, zeros come in)."""
    H, W = mask.shape
    out = np.zeros_like(mask)
    xs, xd = (slice(0, W - dx), slice(dx, W)) if dx >= 0 else (slice(-dx, W), slice(0, W + dx))
    ys, yd = (slice(0, H - dy), slice(dy, H)) if dy >= 0 else (slice(-dy, H), slice(0, H + dy))
    out[yd, xd] = mask[ys, xs]
    return out


def _shoelace(parts: list[np.ndarray]) -> float:
    """Sum of the parts' polygon areas (what COCO's own ``area`` field approximates)."""
    total = 0.0
    for p in parts:
        x, y = p[:, 0], p[:, 1]
        total += 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))
    return total


def _jitter_parts(rng: np.random.Generator, parts: list[np.ndarray], quality: float,
                  drop_part_rate: float = 0.3) -> list[np.ndarray]:
    """A predicted outline: the GT parts moved, rescaled about their centre and
    re-traced with per-vertex noise; secondary parts are sometimes missed."""
    allpts = np.concatenate(parts)
    lo, hi = allpts.min(axis=0), allpts.max(axis=0)
    size = np.maximum(hi - lo, 1.0)
    centre = (lo + hi) / 2.0
    shift = rng.normal(0.0, quality, 2) * size
    scale = math.exp(rng.normal(0.0, quality))
    out = []
    for i, p in enumerate(parts):
        if i > 0 and rng.random() < drop_part_rate:
            continue
        noise = rng.normal(0.0, 0.5 * quality, p.shape) * size
        out.append(centre + (p - centre) * scale + shift + noise)
    return out


def make_segm_workload(
    n_images: int,
    seed: int,
    *,
    result_bbox: bool = False,
    mean_gt_per_image: float = 7.3,
    empty_gt_rate: float = 0.02,
    crowd_rate: float = 0.01,
    crowd_compressed_rate: float = 0.0,
    area_mismatch_rate: float = 0.04,
    tiny_rate: float = 0.04,
    edge_rate: float = 0.08,
    outside_rate: float = 0.01,
    degenerate_rate: float = 0.005,
    gt_float_rate: float = 0.1,
    recall: tuple[float, float, float] = (0.55, 0.85, 0.93),
    exact_copy_rate: float = 0.03,
    integer_shift_rate: float = 0.04,
    morph_rate: float = 0.06,
    box_mask_rate: float = 0.02,
    empty_mask_rate: float = 0.005,
    confusion_rate: float = 0.05,
    duplicate_rate: float = 0.05,
    fp_per_image: float = 4.0,
    crowded_image_rate: float = 0.03,
    crowded_extra: tuple[int, int] = (100, 220),
    empty_dt_rate: float = 0.01,
    absent_category_dets: int = 3,
    zipf_exponent: float = 1.2,
    result_polygon_rate: float = 0.0,
    result_uncompressed_rate: float = 0.0,
    bbox_only_rate: float = 0.0,
) -> tuple[dict, list[dict]]:
    """A COCO-like instance-segmentation GT and the output of a simulated mask detector.

    Ground truth
      * images, ids, categories, per-image counts and file order as in
        :func:`make_workload` (80 sparse category ids, Zipf frequencies).
      * objects are polygons of 1..3 parts, each a jittered ellipse, a noisy
        (concave) blob or a convex hull with 8..40 vertices; log-normal sizes;
        ``tiny_rate`` tiny ones, ``degenerate_rate`` slivers (empty masks),
        ``edge_rate`` clipped at an image border, ``outside_rate`` partly
        outside the image.
        Coordinates with 2 decimals (``gt_float_rate`` of the images: full
        float64).  ``bbox`` = the polygon extent.
      * ``area`` = the mask area computed by pycocotools (as a float), except
        ``area_mismatch_rate`` of them: the polygon (shoelace) area, the way
        COCO's own files have it (pycocotools buckets by this field).
      * ``crowd_rate`` crowd regions: the union of several blobs, written as an
        uncompressed RLE (counts list) as COCO ships them
        (``crowd_compressed_rate`` of them compressed instead).

    Results (``segmentation`` as a compressed RLE unless said otherwise)
      * per GT, found with a size-dependent probability ``recall``; the mask is
        the GT outline re-traced with noise of varying quality (re-rasterised),
        or an exact copy of the GT mask, or the GT mask shifted by whole pixels,
        dilated or eroded by 1..3 pixels (``morph_rate``), or a box-shaped mask.
      * ``empty_mask_rate`` empty masks, class confusion, duplicates, Poisson
        background blobs, crowded images (100+ extra low-score masks), detections
        on crowd regions, results in categories absent from the GT, images
        without results; per image one export style (2-decimal scores create
        ties, float32, float64).
      * ``result_bbox``: every result also carries a ``bbox`` (the mask's box,
        slightly off, as a box head predicts it).  pycocotools' loadRes then
        takes its bbox branch: area = w*h of that box.  Without it, loadRes
        takes the segm branch: area = mask area, bbox = toBbox(mask).
      * only with ``result_bbox`` (pycocotools cannot read these otherwise):
        ``result_polygon_rate`` results given as polygons (rasterised by
        pycocotools with the GT image's size), ``result_uncompressed_rate`` as
        uncompressed RLE, ``bbox_only_rate`` without any segmentation (loadRes
        synthesises the box's rectangle).
    """
    if not result_bbox and (result_polygon_rate or result_uncompressed_rate or bbox_only_rate):
        raise ValueError("polygon / uncompressed / bbox-only results need result_bbox=True "
                         "(pycocotools' segm branch of loadRes only reads compressed RLE)")
    mu = _mask_utils()
    rng = np.random.default_rng(seed)
    # The result's form and box come from a stream of their own, so the same
    # seed gives the same masks and scores with and without ``result_bbox``.
    form_rng = np.random.default_rng([seed, 1])
    cat_ids = np.array(COCO_CATEGORY_IDS)
    cat_w = _category_weights(rng, len(cat_ids), zipf_exponent)
    draw_cat, draw_cats = _category_sampler(rng, cat_ids, cat_w)

    image_ids = rng.choice(600_000, size=n_images, replace=False) + 1
    images = []
    for iid in image_ids:
        width, height = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        images.append(_image(int(iid), width, height))

    shape_kw = dict(tiny_rate=tiny_rate, edge_rate=edge_rate, outside_rate=outside_rate,
                    degenerate_rate=degenerate_rate)
    annotations: list[dict] = []
    # per image: (annotation, polygon parts or None, mask RLE) for the detector
    per_image_gt: dict[int, list[tuple[dict, list | None, dict]]] = {}
    for img in images:
        W, H = img["width"], img["height"]
        style = FLOAT64 if rng.random() < gt_float_rate else ROUND2
        if rng.random() < empty_gt_rate:
            count = 0
        else:
            count = 1 + int(rng.negative_binomial(1.0, 1.0 / mean_gt_per_image))
        entries = []
        for _ in range(count):
            crowd = rng.random() < crowd_rate
            ann = {"id": 0, "image_id": img["id"], "category_id": draw_cat(), "iscrowd": int(crowd)}
            if crowd:
                blobs = []
                cx, cy = rng.uniform(0.2, 0.8) * W, rng.uniform(0.2, 0.8) * H
                spread = rng.uniform(0.1, 0.35)
                for _ in range(int(rng.integers(3, 13))):
                    bx = cx + rng.normal(0, spread * W)
                    by = cy + rng.normal(0, spread * H)
                    r = rng.uniform(0.03, 0.12) * min(W, H)
                    ring = _shape(rng, bx, by, r * rng.uniform(0.5, 1.0), r, "blob")
                    blobs.append(np.stack([np.clip(ring[:, 0], 0, W), np.clip(ring[:, 1], 0, H)], axis=1))
                rle = _poly_rle(mu, _poly_json(blobs, ROUND2), H, W)
                if rng.random() < crowd_compressed_rate:
                    ann["segmentation"] = _compressed_json(rle)
                else:
                    ann["segmentation"] = {"counts": _uncompressed_counts(mu.decode(rle)),
                                           "size": [int(H), int(W)]}
                area = float(mu.area(rle))
                box = mu.toBbox(rle).tolist()
                ann["bbox"] = [float(v) for v in box]
                ann["area"] = area
                entries.append((ann, None, rle))
                continue
            parts = _object_parts(rng, W, H, **shape_kw)
            polys = _poly_json(parts, style)
            rle = _poly_rle(mu, polys, H, W)
            allpts = np.concatenate([np.asarray(p).reshape(-1, 2) for p in polys])
            x0, y0 = allpts.min(axis=0)
            x1, y1 = allpts.max(axis=0)
            ann["segmentation"] = polys
            ann["bbox"] = [round(float(x0), 2), round(float(y0), 2),
                           round(float(x1 - x0), 2), round(float(y1 - y0), 2)]
            ann["area"] = float(mu.area(rle))
            if rng.random() < area_mismatch_rate:
                ann["area"] = _shoelace([np.asarray(p).reshape(-1, 2) for p in polys])
            entries.append((ann, [np.asarray(p).reshape(-1, 2) for p in polys], rle))
        per_image_gt[img["id"]] = entries
        annotations.extend(a for a, _, _ in entries)

    ann_ids = rng.choice(10_000_000, size=len(annotations), replace=False) + 1
    for ann, aid in zip(annotations, ann_ids):
        ann["id"] = int(aid)
    annotations = [annotations[i] for i in rng.permutation(len(annotations))]

    gt = {
        "info": {"description": f"vernier parity synthetic segm workload seed={seed} n={n_images}",
                 "version": "1.0", "year": 2024},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": _categories(cat_ids),
    }

    dt: list[dict] = []
    for img in images:
        W, H = img["width"], img["height"]
        if rng.random() < empty_dt_rate:
            continue
        style = int(rng.choice(3, p=(0.4, 0.4, 0.2)))
        raw: list[tuple[int, dict, float]] = []     # (category, result body, score)

        def emit(cat: int, score: float, *, rle: dict | None = None,
                 parts: list[np.ndarray] | None = None, near_box=None) -> None:
            """One result: its segmentation in the form the knobs pick, plus its bbox."""
            body: dict = {}
            if parts is not None:
                polys = _poly_json(parts, FLOAT32 if style == FLOAT32 else ROUND2)
                if rle is None:
                    rle = _poly_rle(mu, polys, H, W)
            form = "rle"
            if result_bbox:
                r = form_rng.random()
                if parts is not None and r < result_polygon_rate:
                    form = "polygon"
                elif r < result_polygon_rate + result_uncompressed_rate:
                    form = "uncompressed"
                elif r < result_polygon_rate + result_uncompressed_rate + bbox_only_rate:
                    form = "none"
            if form == "rle":
                body["segmentation"] = _compressed_json(rle)
            elif form == "polygon":
                body["segmentation"] = polys
            elif form == "uncompressed":
                body["segmentation"] = {"size": [int(H), int(W)],
                                        "counts": _uncompressed_counts(mu.decode(rle))}
            if result_bbox:
                bx, by, bw, bh = mu.toBbox(rle).tolist()
                if bw <= 0 or bh <= 0:          # empty mask: the box head still says something
                    bx, by, bw, bh = near_box if near_box is not None else _random_box(form_rng, W, H)
                j = form_rng.normal(0.0, 1.0, 4) * np.array([0.02 * bw + 0.3, 0.02 * bh + 0.3,
                                                        0.03 * bw + 0.3, 0.03 * bh + 0.3])
                box = [bx + j[0], by + j[1], max(bw + j[2], 0.5), max(bh + j[3], 0.5)]
                body["bbox"] = [_fmt(v, style) for v in box]
            raw.append((cat, body, score))

        for ann, parts, rle in per_image_gt[img["id"]]:
            if ann["iscrowd"]:
                if rng.random() < 0.5:      # detectors fire on crowd regions too
                    bx, by, bw, bh = ann["bbox"]
                    blob = _shape(rng, bx + rng.uniform(0, 1) * bw, by + rng.uniform(0, 1) * bh,
                                  rng.uniform(5, 40), rng.uniform(5, 40), "blob")
                    blob = np.stack([np.clip(blob[:, 0], 0, W), np.clip(blob[:, 1], 0, H)], axis=1)
                    emit(ann["category_id"], float(rng.beta(2, 3)), parts=[blob])
                continue
            size = 0 if ann["area"] < 1024 else (1 if ann["area"] < 9216 else 2)
            if rng.random() >= recall[size]:
                continue
            cat = ann["category_id"]
            if rng.random() < confusion_rate:
                cat = draw_cat()
            score = float(rng.beta(5, 1.8))
            r = rng.random()
            cut = np.cumsum([exact_copy_rate, integer_shift_rate, morph_rate, box_mask_rate, empty_mask_rate])
            det_parts = None
            if r < cut[0]:
                emit(cat, score, rle=rle, parts=parts)     # the GT mask itself (IoU 1)
            elif r < cut[1]:
                dx, dy = (int(v) for v in rng.integers(-3, 4, 2))
                emit(cat, score, rle=_encode(mu, _shifted(mu.decode(rle), dx, dy)))
            elif r < cut[2]:
                steps = int(rng.integers(1, 4))
                m = mu.decode(rle)
                m = _dilate(m, steps) if rng.random() < 0.5 else _erode(m, steps)
                emit(cat, score, rle=_encode(mu, m))
            elif r < cut[3]:
                x, y, w, h = ann["bbox"]
                q = rng.uniform(0.0, 0.1)
                box = [x + rng.normal(0, q * w), y + rng.normal(0, q * h), w * math.exp(rng.normal(0, q)),
                       h * math.exp(rng.normal(0, q))]
                emit(cat, score, rle=mu.frPyObjects(np.array([box], dtype=np.float64), H, W)[0])
            elif r < cut[4]:
                emit(cat, score, rle=_encode(mu, np.zeros((H, W), np.uint8)), near_box=ann["bbox"])
            else:
                det_parts = _jitter_parts(rng, parts, rng.uniform(0.01, 0.2))
                emit(cat, score, parts=det_parts)
            if rng.random() < duplicate_rate:
                dup_score = score * float(rng.uniform(0.2, 0.95))
                if rng.random() < 0.3:
                    emit(cat, dup_score, rle=rle, parts=parts)
                else:
                    emit(cat, dup_score, parts=_jitter_parts(rng, det_parts or parts, rng.uniform(0.05, 0.4)))
        n_fp = int(rng.poisson(rng.gamma(2.0, fp_per_image / 2.0)))
        if rng.random() < crowded_image_rate:
            n_fp += int(rng.integers(*crowded_extra))
        if n_fp:
            fp_cats = draw_cats(n_fp)
            fp_scores = rng.beta(1.2, 6.0, size=n_fp)
            for c, sc in zip(fp_cats.tolist(), fp_scores.tolist()):
                emit(int(c), float(sc), parts=_object_parts(rng, W, H, max_parts=2, **shape_kw))
        if style != ROUND2 and rng.random() < 0.5:
            raw.sort(key=lambda d: -d[2])     # a detector that exports each image sorted by score
        for cat, body, score in raw:
            result = {"image_id": img["id"], "category_id": int(cat)}
            result.update(body)
            result["score"] = _fmt(score, style)
            dt.append(result)

    for _ in range(absent_category_dets):
        img = images[int(rng.integers(len(images)))]
        W, H = img["width"], img["height"]
        parts = _object_parts(rng, W, H, max_parts=1, **shape_kw)
        rle = _poly_rle(mu, _poly_json(parts, ROUND2), H, W)
        result = {"image_id": img["id"],
                  "category_id": int(ABSENT_CATEGORY_IDS[rng.integers(len(ABSENT_CATEGORY_IDS))]),
                  "segmentation": _compressed_json(rle),
                  "score": round(float(rng.uniform(0.3, 1.0)), 2)}
        if result_bbox:
            result["bbox"] = [float(v) for v in mu.toBbox(rle).tolist()]
            if result["bbox"][2] <= 0:
                result["bbox"] = [1.0, 1.0, 10.0, 10.0]
        if dt:
            dt.insert(int(rng.integers(1, len(dt) + 1)), result)   # never first: keep the branch
        else:
            dt.append(result)
    return gt, dt


def make_segm_val2017_scale(seed: int = VAL2017_SEED, *, result_bbox: bool = False,
                            n_images: int = 5000) -> tuple[dict, list[dict]]:
    """A segm workload at COCO val2017 scale: 5,000 images, ~36k GT, >=150k results.

    ``n_images`` scales it down with the same statistics (the CI "large" tier).
    """
    return make_segm_workload(n_images, seed, result_bbox=result_bbox, mean_gt_per_image=7.3,
                              fp_per_image=22.0, crowded_image_rate=0.05,
                              absent_category_dets=max(3, n_images // 200))


# ---------------------------------------------------------------------------
# Keypoint workloads
# ---------------------------------------------------------------------------
#
# COCO person keypoints: 17 named points per person, GT written as integers
# ``[x1, y1, v1, ..., x17, y17, v17]`` with visibility v = 0 (not labelled,
# x = y = 0), 1 (labelled, occluded) or 2 (labelled, visible); ``num_keypoints``
# counts the labelled ones.  pycocotools ignores a GT whose ``num_keypoints``
# is 0, computes OKS over the labelled points (``v > 0``) with the GT's
# ``area`` (the segmentation area, not the box's) as scale, and falls back to
# the distance to the GT box grown to [x - w, x + 2w] x [y - h, y + 2h] when no
# point is labelled.  Results carry 51 floats (x, y, confidence per point).

COCO_KEYPOINT_NAMES = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
# person_keypoints_*.json's skeleton (1-based point indices)
COCO_SKELETON = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13), (6, 7), (6, 8),
    (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 7),
)
# pycocotools' Params.setKpParams literals (divided by 10.0 as it does)
COCO_KEYPOINT_SIGMAS = tuple(float(s) for s in np.array(
    [.26, .25, .25, .35, .35, .79, .79, .72, .72, .62, .62, 1.07, 1.07, .87, .87, .89, .89]) / 10.0)

# A standing person facing the camera, in box-normalised coordinates (u, v).
_POSE_TEMPLATE = np.array([
    (0.50, 0.08), (0.54, 0.06), (0.46, 0.06), (0.58, 0.08), (0.42, 0.08),
    (0.68, 0.21), (0.32, 0.21), (0.76, 0.37), (0.24, 0.37), (0.79, 0.51), (0.21, 0.51),
    (0.61, 0.53), (0.39, 0.53), (0.61, 0.74), (0.39, 0.74), (0.61, 0.95), (0.39, 0.95),
])
# index of each point's left/right counterpart (a mirrored pose swaps them)
_FLIP = (0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15)


def _keypoint_categories(cat_ids) -> list[dict]:
    cats = _categories(cat_ids)
    for c in cats:
        c["keypoints"] = list(COCO_KEYPOINT_NAMES)
        c["skeleton"] = [list(pair) for pair in COCO_SKELETON]
    return cats


def _pose(rng: np.random.Generator, box, variation: float = 0.04) -> np.ndarray:
    """The 17 true point positions (17 x 2 floats) of a person in ``box``:
    the template, mirrored half the time, with per-point pose variation."""
    x, y, w, h = box
    uv = _POSE_TEMPLATE.copy()
    if rng.random() < 0.5:
        uv[:, 0] = 1.0 - uv[:, 0]     # seen from behind: left points on the image's left
    uv = uv + rng.normal(0.0, variation, uv.shape)
    return np.stack([x + uv[:, 0] * w, y + uv[:, 1] * h], axis=1)


def _person_box(rng: np.random.Generator, W: int, H: int, log_mu: float, log_sigma: float):
    """A person-shaped box (taller than wide), 2 decimals like COCO."""
    area = min(max(math.exp(rng.normal(log_mu, log_sigma)), 12.0), 0.9 * W * H)
    aspect = math.exp(rng.normal(-0.85, 0.35))          # w / h ~ 0.43
    w = min(math.sqrt(area * aspect), W - 1.0)
    h = min(area / w, H - 1.0)
    x = rng.uniform(0.0, W - w)
    y = rng.uniform(0.0, H - h)
    return [round(x, 2), round(y, 2), max(round(w, 2), 1.0), max(round(h, 2), 1.0)]


def _fmt_kps(points: np.ndarray, conf: np.ndarray, style: int) -> list[float]:
    """A result's 51 floats: x, y, confidence per point, in the export style."""
    out: list[float] = []
    for (px, py), c in zip(points.tolist(), conf.tolist()):
        out.extend((_fmt(px, style), _fmt(py, style), _fmt(c, style)))
    return out


def make_keypoint_workload(
    n_images: int,
    seed: int,
    *,
    category_ids: tuple = (1,),
    category_weights: tuple | None = None,
    result_bbox: bool | str = False,
    mean_gt_per_image: float = 4.1,
    empty_gt_rate: float = 0.1,
    crowd_rate: float = 0.02,
    person_log_mu: float = 8.4,
    person_log_sigma: float = 1.9,
    keypoint_rate: tuple[float, float, float] = (0.08, 0.6, 0.9),
    occlusion: tuple[float, float] = (0.0, 0.6),
    occluded_visible_rate: float = 0.12,
    num_keypoints_mismatch_rate: float = 0.0,
    recall: tuple[float, float, float] = (0.45, 0.85, 0.95),
    no_keypoints_det_rate: float = 0.5,
    quality: tuple[float, float] = (0.05, 1.5),
    exact_copy_rate: float = 0.03,
    flip_rate: float = 0.04,
    confusion_rate: float = 0.05,
    duplicate_rate: float = 0.08,
    fp_per_image: float = 2.5,
    crowded_image_rate: float = 0.08,
    crowded_extra: tuple[int, int] = (15, 45),
    empty_dt_rate: float = 0.02,
    absent_category_dets: int = 2,
) -> tuple[dict, list[dict]]:
    """A COCO-like person-keypoint GT and the output of a simulated top-down pose estimator.

    Ground truth
      * ``categories``: ``category_ids`` (default just person, id 1), each with
        COCO's 17 keypoint names and skeleton (several categories share the
        layout: pycocotools has one sigma array for all of them).
        ``category_weights``: how often each id is drawn (default equal).
      * images with sparse random ids in random order, ``empty_gt_rate`` without
        any person, else 1 + negative-binomial persons (mean ``mean_gt_per_image``).
      * person boxes with a log-normal area over small/medium/large, 2 decimals;
        ``area`` = the box area times 0.35..0.85 (COCO's area is the
        segmentation's, smaller than the box; pycocotools buckets by it);
        a rectangle polygon as ``segmentation``.
      * keypoints as integers: a person is annotated with a size-dependent
        probability ``keypoint_rate`` (small, medium, large by box area);
        points outside the image, and a per-person share drawn from
        ``occlusion``, are not labelled (0, 0, 0); of the labelled ones
        ``occluded_visible_rate`` have v = 1, the rest v = 2.  Unannotated
        persons have ``num_keypoints`` 0 and 51 zeros.
      * ``crowd_rate`` crowd regions: iscrowd 1, ``num_keypoints`` 0, 51 zeros,
        uncompressed RLE, integer area.
      * ``num_keypoints_mismatch_rate`` (adversarial, not COCO): annotations
        whose ``num_keypoints`` disagrees with the visibility flags, either 0
        with labelled points (ignored, but OKS still uses those points) or
        > 0 with none labelled (not ignored; OKS uses the box distance).

    Results (51 floats each: x, y and a confidence per point)
      * per person, found with a size-dependent probability ``recall`` (persons
        without keypoints: times ``no_keypoints_det_rate``); the predicted pose
        is the true pose (labelled or not) plus per-point noise proportional to
        the point's sigma and sqrt(area) times a per-detection quality ``q``
        in the ``quality`` range (skewed towards its low end: mostly good
        poses; a point's OKS term is about exp(-q**2 * chi2_2 / 2), so OKS
        spreads over all thresholds), or an exact copy
        of the GT points (OKS 1), or left/right swapped (``flip_rate``).
      * class confusion (with several categories), duplicates with a lower
        score, Poisson background false positives (random poses),
        ``crowded_image_rate`` images with 15..45 extra low-score poses (more
        than maxDets = 20), detections on crowd regions, images without
        results, ``absent_category_dets`` results in category ids absent from
        the GT; per image one export style (2-decimal scores make ties,
        float32, float64).
      * ``result_bbox``: False -- no ``bbox`` (loadRes' keypoints branch: area =
        the points' extent, bbox derived); True -- every result has the
        person detector's ``bbox`` (loadRes' bbox branch: area = w*h of that
        box); "mixed" -- the first result has none, about half of the others
        have one (loadRes decides by the first result: keypoints branch, the
        given boxes are overwritten).
    """
    if result_bbox not in (False, True, "mixed"):
        raise ValueError(f"result_bbox must be False, True or 'mixed', got {result_bbox!r}")
    rng = np.random.default_rng(seed)
    # results' boxes come from a stream of their own: same poses with and without them
    box_rng = np.random.default_rng([seed, 7])
    cat_ids = np.array(category_ids)
    weights = np.ones(len(cat_ids)) if category_weights is None else np.asarray(category_weights, float)
    draw_cat, _ = _category_sampler(rng, cat_ids, weights / weights.sum())
    sigmas = np.array(COCO_KEYPOINT_SIGMAS)
    K = len(COCO_KEYPOINT_NAMES)

    image_ids = rng.choice(600_000, size=n_images, replace=False) + 1
    images = []
    for iid in image_ids:
        width, height = IMAGE_SIZES[rng.integers(len(IMAGE_SIZES))]
        images.append(_image(int(iid), width, height))

    annotations: list[dict] = []
    # per image: (annotation, true pose 17 x 2 or None for crowds)
    per_image_gt: dict[int, list[tuple[dict, np.ndarray | None]]] = {}
    for img in images:
        W, H = img["width"], img["height"]
        if rng.random() < empty_gt_rate:
            count = 0
        else:
            count = 1 + int(rng.negative_binomial(1.0, 1.0 / mean_gt_per_image))
        entries = []
        for _ in range(count):
            cat = draw_cat()
            if rng.random() < crowd_rate:
                box = _person_box(rng, W, H, person_log_mu + 1.5, 0.8)
                x, y, w, h = box
                seg, pix = _box_rle(x, y, w, h, W, H)
                ann = {"id": 0, "image_id": img["id"], "category_id": cat, "iscrowd": 1,
                       "bbox": box, "area": int(pix), "segmentation": seg,
                       "num_keypoints": 0, "keypoints": [0] * (3 * K)}
                entries.append((ann, None))
                continue
            box = _person_box(rng, W, H, person_log_mu, person_log_sigma)
            x, y, w, h = box
            pose = _pose(rng, box)
            box_area = w * h
            size = 0 if box_area < 1024 else (1 if box_area < 9216 else 2)
            kps = [0] * (3 * K)
            n_kp = 0
            if rng.random() < keypoint_rate[size]:
                hidden = rng.uniform(*occlusion)
                for j, (px, py) in enumerate(pose.tolist()):
                    ix, iy = int(round(px)), int(round(py))
                    if not (0 <= ix < W and 0 <= iy < H) or rng.random() < hidden:
                        continue
                    v = 1 if rng.random() < occluded_visible_rate else 2
                    kps[3 * j:3 * j + 3] = [ix, iy, v]
                    n_kp += 1
            if rng.random() < num_keypoints_mismatch_rate:
                if n_kp > 0:
                    n_kp = 0                       # labelled points, but "no keypoints"
                else:
                    n_kp = int(rng.integers(1, K + 1))  # "has keypoints", none labelled
            seg_area = box_area * float(rng.uniform(0.35, 0.85))
            ann = {"id": 0, "image_id": img["id"], "category_id": cat, "iscrowd": 0,
                   "bbox": box, "area": seg_area,
                   "segmentation": [[x, y, round(x + w, 2), y, round(x + w, 2), round(y + h, 2),
                                     x, round(y + h, 2)]],
                   "num_keypoints": n_kp, "keypoints": kps}
            entries.append((ann, pose))
        per_image_gt[img["id"]] = entries
        annotations.extend(a for a, _ in entries)

    ann_ids = rng.choice(10_000_000, size=len(annotations), replace=False) + 1
    for ann, aid in zip(annotations, ann_ids):
        ann["id"] = int(aid)
    annotations = [annotations[i] for i in rng.permutation(len(annotations))]

    gt = {
        "info": {"description": f"vernier parity synthetic keypoint workload seed={seed} n={n_images}",
                 "version": "1.0", "year": 2024},
        "licenses": [],
        "images": images,
        "annotations": annotations,
        "categories": _keypoint_categories(cat_ids),
    }

    def det_box(pose_pts: np.ndarray, near=None) -> list[float]:
        """The person detector's box: near the GT box, else around the pose."""
        if near is not None:
            x, y, w, h = near
        else:
            lo, hi = pose_pts.min(axis=0), pose_pts.max(axis=0)
            x, y = float(lo[0]), float(lo[1])
            w, h = max(float(hi[0] - lo[0]), 1.0), max(float(hi[1] - lo[1]), 1.0)
        j = box_rng.normal(0.0, 0.05, 4)
        return [x + j[0] * w, y + j[1] * h, max(w * math.exp(j[2]), 0.5), max(h * math.exp(j[3]), 0.5)]

    def predict(pose_pts: np.ndarray, area: float, q: float) -> np.ndarray:
        """Predicted points: each off by ~ q * 2 * sigma_j * sqrt(area) (OKS term ~ exp(-q^2/2))."""
        scale = q * 2.0 * sigmas * math.sqrt(max(area, 1.0))
        return pose_pts + rng.normal(0.0, 1.0, (K, 2)) * scale[:, None]

    dt: list[dict] = []
    for img in images:
        W, H = img["width"], img["height"]
        if rng.random() < empty_dt_rate:
            continue
        style = int(rng.choice(3, p=(0.4, 0.4, 0.2)))
        raw: list[tuple[int, np.ndarray, float, list | None]] = []   # (category, 17 x 2, score, near box)
        for ann, pose in per_image_gt[img["id"]]:
            if ann["iscrowd"]:
                if rng.random() < 0.5:   # a pose inside the crowd region
                    bx, by, bw, bh = ann["bbox"]
                    sub = [bx + rng.uniform(0, 0.7) * bw, by + rng.uniform(0, 0.5) * bh, 0.3 * bw, 0.5 * bh]
                    raw.append((ann["category_id"], _pose(rng, sub), float(rng.beta(2, 3)), None))
                continue
            w, h = ann["bbox"][2], ann["bbox"][3]
            size = 0 if ann["area"] < 1024 else (1 if ann["area"] < 9216 else 2)
            p_det = recall[size] * (1.0 if ann["num_keypoints"] > 0 else no_keypoints_det_rate)
            if rng.random() >= p_det:
                continue
            cat = ann["category_id"]
            if len(cat_ids) > 1 and rng.random() < confusion_rate:
                cat = draw_cat()
            r = rng.random()
            if r < exact_copy_rate:
                pts = predict(pose, ann["area"], 0.5)
                g = ann["keypoints"]
                for j in range(K):
                    if g[3 * j + 2] > 0:
                        pts[j] = (float(g[3 * j]), float(g[3 * j + 1]))
            else:
                q = quality[0] + (quality[1] - quality[0]) * float(rng.random()) ** 2
                pts = predict(pose, ann["area"], q)
                if r < exact_copy_rate + flip_rate:
                    pts = pts[list(_FLIP)]
            score = float(rng.beta(5, 1.8))
            raw.append((cat, pts, score, ann["bbox"]))
            if rng.random() < duplicate_rate:
                dup = predict(pts, ann["area"], float(rng.uniform(0.3, 2.0)))
                raw.append((cat, dup, score * float(rng.uniform(0.2, 0.95)), ann["bbox"]))
        n_fp = int(rng.poisson(rng.gamma(2.0, fp_per_image / 2.0)))
        if rng.random() < crowded_image_rate:
            n_fp += int(rng.integers(*crowded_extra))
        for _ in range(n_fp):
            box = _person_box(rng, W, H, person_log_mu - 0.5, person_log_sigma)
            raw.append((draw_cat(), _pose(rng, box, variation=0.08), float(rng.beta(1.2, 6.0)), None))
        if style != ROUND2 and rng.random() < 0.5:
            raw.sort(key=lambda d: -d[2])     # an estimator that exports each image sorted by score
        for cat, pts, score, near in raw:
            conf = rng.beta(4.0, 1.5, K)
            result = {"image_id": img["id"], "category_id": int(cat),
                      "keypoints": _fmt_kps(pts, conf, style), "score": _fmt(score, style)}
            box = det_box(pts, near)
            if result_bbox is True or (result_bbox == "mixed" and dt and box_rng.random() < 0.5):
                result["bbox"] = [_fmt(v, style) for v in box]
            dt.append(result)

    absent = [c for c in ABSENT_CATEGORY_IDS if c not in set(category_ids)]
    for _ in range(absent_category_dets):
        img = images[int(rng.integers(len(images)))]
        box = _person_box(rng, img["width"], img["height"], person_log_mu, person_log_sigma)
        pts = _pose(rng, box)
        result = {"image_id": img["id"], "category_id": int(absent[int(rng.integers(len(absent)))]),
                  "keypoints": _fmt_kps(pts, rng.beta(4.0, 1.5, K), ROUND2),
                  "score": round(float(rng.uniform(0.3, 1.0)), 2)}
        if result_bbox is True or (result_bbox == "mixed" and dt and box_rng.random() < 0.5):
            result["bbox"] = [round(v, 2) for v in det_box(pts)]
        # never first: the first result decides loadRes' branch
        dt.insert(int(rng.integers(1, len(dt) + 1)) if dt else 0, result)
    return gt, dt


def make_keypoint_val2017_scale(seed: int = VAL2017_SEED, *, result_bbox: bool | str = False,
                                n_images: int = 5000) -> tuple[dict, list[dict]]:
    """A person-keypoint workload at COCO val2017 scale.

    person_keypoints_val2017.json: 5,000 images, 2,693 with persons, 11,004
    person annotations of which ~6k have keypoints.  Here: 5,000 images,
    ~46% without persons, ~4.1 persons per person image, ~55-60% of them
    with keypoints, and >= 50k results (a top-down estimator keeps up to a
    few dozen poses per image, on images without persons too).
    """
    return make_keypoint_workload(n_images, seed, result_bbox=result_bbox,
                                  empty_gt_rate=0.46, mean_gt_per_image=4.1,
                                  fp_per_image=7.0, crowded_image_rate=0.1,
                                  absent_category_dets=max(2, n_images // 500))
