"""``vernier.COCO``: pycocotools' ``COCO`` surface over vernier.

The dict views (``dataset``, ``anns``, ``cats``, ``imgs``, ``imgToAnns``,
``catToImgs``) and the query methods behave as pycocotools 2.0.11's (same
keys, values and types, same progress lines printed); evaluation with
:class:`vernier.COCOeval` hands the C library the JSON as read (a file's
bytes, or the result list as given to :meth:`COCO.loadRes`), so the C side
parses once and derives what ``loadRes`` derives itself.
"""
from __future__ import annotations

import copy
import itertools
import json
import os
import time
import warnings
from collections import defaultdict

import numpy as np

from ._convert import _json_default
from ._errors import InvalidArgumentError, SchemaError, UnknownImageError

__all__ = ["COCO", "ResultsMismatchError", "NotResultsError"]


class ResultsMismatchError(UnknownImageError, AssertionError):
    """``loadRes`` was given results on images the ground truth does not
    have (pycocotools' assertion "Results do not correspond to current coco
    set"); also an :class:`AssertionError`, which is what pycocotools
    raises, so existing handlers keep working."""


class NotResultsError(SchemaError, AssertionError):
    """``loadRes`` was given something that is not a list of results
    (pycocotools' assertion "results in not an array of objects"), e.g. a
    ground-truth file; also an :class:`AssertionError`, as pycocotools."""


def _is_array_like(obj) -> bool:
    return hasattr(obj, "__iter__") and hasattr(obj, "__len__")


def _mask_module():
    """The RLE codec loadRes / annToRLE / annToMask use: :mod:`vernier.mask`
    (pycocotools.mask's functions on vernier's C codec, equal to them bit
    for bit), so the drop-in needs no pycocotools."""
    from . import mask
    return mask


def _derived_areas(anns) -> list:
    """The area loadRes derives for each result (its branch chosen by the
    first result, as loadRes chooses it)."""
    first = anns[0]
    if "bbox" in first and not first["bbox"] == []:
        return [a["bbox"][2] * a["bbox"][3] for a in anns]
    if "segmentation" in first:
        codec = _mask_module()
        segs = [a["segmentation"] for a in anns]
        out = [None] * len(segs)
        # every RLE in one call (the values codec.area([seg])[0] gives one by one)
        rles = [i for i, s in enumerate(segs) if type(s) is not list]
        if rles:
            for i, v in zip(rles, codec.area([segs[i] for i in rles])):
                out[i] = v
        for i, s in enumerate(segs):
            if type(s) is list:
                out[i] = codec.area(s)
        return out
    out = []
    for a in anns:
        s = a["keypoints"]
        x, y = s[0::3], s[1::3]
        out.append((np.max(x) - np.min(x)) * (np.max(y) - np.min(y)))
    return out


def _past_edge(img, x2, y2) -> bool:
    """True when a box's right or bottom edge lies more than a pixel past
    its image (what xyxy boxes read as xywh look like)."""
    try:
        return x2 > img["width"] + 1 or y2 > img["height"] + 1
    except (KeyError, TypeError):
        return False


class COCO:
    """pycocotools' ``COCO``: ``COCO(annotation_file=None)`` reads a COCO
    JSON file (and keeps its bytes for the C library)."""

    def __init__(self, annotation_file=None):
        self.dataset, self.anns, self.cats, self.imgs = dict(), dict(), dict(), dict()
        self.imgToAnns, self.catToImgs = defaultdict(list), defaultdict(list)
        self._raw = None          # (dataset object, bytes) as read from the file
        self._res_src = None      # loadRes: (annotations list object, bytes of the results)
        self._c_gt = None         # (dataset object, vernier CocoDataset) cache
        if annotation_file is not None:
            print("loading annotations into memory...")
            tic = time.time()
            if not isinstance(annotation_file, (str, os.PathLike)):
                raise TypeError("COCO(annotation_file) takes a file path (str or os.PathLike), "
                                f"not {type(annotation_file).__name__}")
            with open(annotation_file, "rb") as f:
                raw = f.read()
            dataset = json.loads(raw)
            if type(dataset) is not dict:
                raise InvalidArgumentError(
                    "annotation file format {} not supported".format(type(dataset)))
            print("Done (t={:0.2f}s)".format(time.time() - tic))
            self.dataset = dataset
            self._raw = (dataset, raw)
            self.createIndex()

    def createIndex(self):
        """Build anns, cats, imgs, imgToAnns and catToImgs from ``dataset``
        (prints pycocotools' progress lines)."""
        print("creating index...")
        anns, cats, imgs = {}, {}, {}
        img_to_anns, cat_to_imgs = defaultdict(list), defaultdict(list)
        ds = self.dataset
        if "annotations" in ds:
            for ann in ds["annotations"]:
                img_to_anns[ann["image_id"]].append(ann)
                anns[ann["id"]] = ann
        if "images" in ds:
            for img in ds["images"]:
                imgs[img["id"]] = img
        if "categories" in ds:
            for cat in ds["categories"]:
                cats[cat["id"]] = cat
        if "annotations" in ds and "categories" in ds:
            for ann in ds["annotations"]:
                cat_to_imgs[ann["category_id"]].append(ann["image_id"])
        print("index created!")
        self.anns = anns
        self.imgToAnns = img_to_anns
        self.catToImgs = cat_to_imgs
        self.imgs = imgs
        self.cats = cats
        self._c_gt = None

    def info(self):
        """Print the ``info`` section of the dataset, one key per line."""
        for key, value in self.dataset["info"].items():
            print("{}: {}".format(key, value))

    def getAnnIds(self, imgIds=[], catIds=[], areaRng=[], iscrowd=None):  # noqa: B006 (pycocotools' signature)
        """Annotation ids on the given images, of the given categories, with
        area strictly inside ``areaRng`` and the given ``iscrowd`` (each
        filter skipped when empty / None), in pycocotools' order."""
        img_ids = imgIds if _is_array_like(imgIds) else [imgIds]
        cat_ids = catIds if _is_array_like(catIds) else [catIds]
        if len(img_ids) == len(cat_ids) == len(areaRng) == 0:
            anns = self.dataset["annotations"]
        else:
            if len(img_ids) != 0:
                anns = list(itertools.chain.from_iterable(
                    self.imgToAnns[i] for i in img_ids if i in self.imgToAnns))
            else:
                anns = self.dataset["annotations"]
            if len(cat_ids) != 0:
                anns = [a for a in anns if a["category_id"] in cat_ids]
            if len(areaRng) != 0:
                anns = [a for a in anns if a["area"] > areaRng[0] and a["area"] < areaRng[1]]
        if iscrowd is not None:
            return [a["id"] for a in anns if a["iscrowd"] == iscrowd]
        return [a["id"] for a in anns]

    def getCatIds(self, catNms=[], supNms=[], catIds=[]):  # noqa: B006
        """Category ids filtered by name, supercategory and id (empty: no
        filter), in the order of ``dataset["categories"]``."""
        cat_nms = catNms if _is_array_like(catNms) else [catNms]
        sup_nms = supNms if _is_array_like(supNms) else [supNms]
        cat_ids = catIds if _is_array_like(catIds) else [catIds]
        cats = self.dataset["categories"]
        if len(cat_nms) != 0:
            cats = [c for c in cats if c["name"] in cat_nms]
        if len(sup_nms) != 0:
            cats = [c for c in cats if c["supercategory"] in sup_nms]
        if len(cat_ids) != 0:
            cats = [c for c in cats if c["id"] in cat_ids]
        return [c["id"] for c in cats]

    def getImgIds(self, imgIds=[], catIds=[]):  # noqa: B006
        """Image ids: all of them, or ``imgIds`` intersected with the images
        of every category in ``catIds`` (pycocotools' rule)."""
        img_ids = imgIds if _is_array_like(imgIds) else [imgIds]
        cat_ids = catIds if _is_array_like(catIds) else [catIds]
        if len(img_ids) == len(cat_ids) == 0:
            return list(self.imgs.keys())
        ids = set(img_ids)
        for i, cat in enumerate(cat_ids):
            if i == 0 and len(ids) == 0:
                ids = set(self.catToImgs[cat])
            else:
                ids &= set(self.catToImgs[cat])
        return list(ids)

    @staticmethod
    def _load(table, ids):
        if _is_array_like(ids):
            return [table[i] for i in ids]
        if type(ids) is int:
            return [table[ids]]
        return None

    def loadAnns(self, ids=[]):  # noqa: B006
        """The annotation dicts of ``ids`` (a list, or one int)."""
        return self._load(self.anns, ids)

    def loadCats(self, ids=[]):  # noqa: B006
        """The category dicts of ``ids`` (a list, or one int)."""
        return self._load(self.cats, ids)

    def loadImgs(self, ids=[]):  # noqa: B006
        """The image dicts of ``ids`` (a list, or one int)."""
        return self._load(self.imgs, ids)

    def showAnns(self, anns, draw_bbox=False):
        """Draw annotations on matplotlib's current axes, as pycocotools
        does: polygons filled (alpha 0.4) and outlined, RLE masks as a
        half-transparent colour layer (crowd masks in pycocotools' green),
        keypoints with the category's skeleton, boxes when ``draw_bbox``;
        each annotation in a random light colour.  Caption annotations are
        printed.  Needs matplotlib (the ``plot`` extra); returns 0 for an
        empty list, as pycocotools."""
        if len(anns) == 0:
            return 0
        first = anns[0]
        if "segmentation" not in first and "keypoints" not in first:
            if "caption" in first:
                for ann in anns:
                    print(ann["caption"])
                return None
            raise InvalidArgumentError(
                "showAnns draws instance annotations (segmentation or keypoints) or prints "
                "captions; the first annotation has neither")
        try:
            import matplotlib.pyplot as plt
            from matplotlib.collections import PatchCollection
            from matplotlib.patches import Polygon
        except ImportError:
            raise ImportError("showAnns needs matplotlib: pip install 'libvernier[plot]' "
                              "(or matplotlib)") from None
        ax = plt.gca()
        ax.set_autoscale_on(False)
        shapes, colours = [], []
        for ann in anns:
            colour = (0.4 + 0.6 * np.random.random(3)).tolist()
            segm = ann.get("segmentation")
            if type(segm) is list:
                for ring in segm:
                    shapes.append(Polygon(np.asarray(ring, dtype=np.float64).reshape(-1, 2)))
                    colours.append(colour)
            elif segm is not None:
                self._draw_mask(ax, ann, segm)
            if type(ann.get("keypoints")) is list:
                self._draw_keypoints(plt, ann, colour)
            if draw_bbox:
                x, y, w, h = ann["bbox"]
                shapes.append(Polygon(np.array([[x, y], [x, y + h], [x + w, y + h], [x + w, y]],
                                               dtype=np.float64)))
                colours.append(colour)
        ax.add_collection(PatchCollection(shapes, facecolor=colours, linewidths=0, alpha=0.4))
        ax.add_collection(PatchCollection(shapes, facecolor="none", edgecolors=colours,
                                          linewidths=2))
        return None

    def _draw_mask(self, ax, ann, segm):
        """One RLE segmentation as an RGBA layer: the mask at alpha 0.5."""
        codec = _mask_module()
        t = self.imgs[ann["image_id"]]
        rle = (codec.frPyObjects([segm], t["height"], t["width"])
               if type(segm["counts"]) is list else [segm])
        m = codec.decode(rle)
        h, w = m.shape[:2]
        if ann.get("iscrowd") == 1:
            rgb = np.array([2.0, 166.0, 101.0]) / 255
        else:
            rgb = np.random.random(3)
        layer = np.empty((h, w, 4))
        layer[:, :, :3] = rgb
        layer[:, :, 3] = m[:, :, 0] * 0.5
        ax.imshow(layer)

    def _draw_keypoints(self, plt, ann, colour):
        """Skeleton edges whose two ends are labelled, then the labelled
        points (visible ones filled with the annotation's colour)."""
        kp = np.asarray(ann["keypoints"], dtype=np.float64)
        x, y, v = kp[0::3], kp[1::3], kp[2::3]
        skeleton = np.asarray(self.loadCats(ann["category_id"])[0].get("skeleton", []),
                              dtype=np.int64).reshape(-1, 2) - 1
        for a, b in skeleton:
            if v[a] > 0 and v[b] > 0:
                plt.plot(x[[a, b]], y[[a, b]], linewidth=3, color=colour)
        plt.plot(x[v > 0], y[v > 0], "o", markersize=8, markerfacecolor=colour,
                 markeredgecolor="k", markeredgewidth=2)
        plt.plot(x[v > 1], y[v > 1], "o", markersize=8, markerfacecolor=colour,
                 markeredgecolor=colour, markeredgewidth=2)

    def loadNumpyAnnotations(self, data):
        """Result dicts from an N x 7 array of rows (image_id, x, y, w, h,
        score, category_id), as pycocotools builds them."""
        print("Converting ndarray to lists...")
        if type(data) is not np.ndarray or data.ndim != 2 or data.shape[1] != 7:
            raise InvalidArgumentError(
                "loadRes/loadNumpyAnnotations takes an N x 7 numpy array of rows "
                "(image_id, x, y, w, h, score, category_id), as pycocotools; got "
                f"{getattr(data, 'shape', type(data).__name__)}")
        print(data.shape)
        n = data.shape[0]
        out = []
        for i in range(n):
            if i % 1000000 == 0:
                print("{}/{}".format(i, n))
            out.append({"image_id": int(data[i, 0]),
                        "bbox": [data[i, 1], data[i, 2], data[i, 3], data[i, 4]],
                        "score": data[i, 5],
                        "category_id": int(data[i, 6])})
        return out

    def loadRes(self, resFile):
        """pycocotools' ``loadRes``: a results file path, a list of result
        dicts or an N x 7 array; the same derivations (bbox from a
        segmentation, area, ids from 1, iscrowd 0)."""
        res = COCO()
        res.dataset["info"] = copy.deepcopy(self.dataset.get("info", {}))
        res.dataset["images"] = [img for img in self.dataset["images"]]
        print("Loading and preparing results...")
        tic = time.time()
        if type(resFile) is str:
            with open(resFile, "rb") as f:
                raw = f.read()
            anns = json.loads(raw)
        elif type(resFile) is np.ndarray:
            anns = self.loadNumpyAnnotations(resFile)
            raw = None
        else:
            anns = resFile
            raw = None
        if type(anns) is not list:
            hint = ""
            if isinstance(anns, dict) and ("images" in anns or "annotations" in anns):
                hint = ("; this looks like a ground-truth file (a COCO object with "
                        "images/annotations): pass the detections, a list of result dicts")
            raise NotResultsError("results in not an array of objects" + hint)
        ann_img_ids = {ann["image_id"] for ann in anns}
        if not ann_img_ids <= set(self.getImgIds()):
            raise ResultsMismatchError("Results do not correspond to current coco set")
        if raw is None and not ("caption" in anns[0]):
            # the C side reads the results as given, before the derivations below
            raw = json.dumps(anns, default=_json_default, separators=(",", ":")).encode("utf-8")
        if "caption" in anns[0]:
            keep = {img["id"] for img in res.dataset["images"]} & ann_img_ids
            res.dataset["images"] = [img for img in res.dataset["images"] if img["id"] in keep]
            for i, ann in enumerate(anns):
                ann["id"] = i + 1
        elif "bbox" in anns[0] and not anns[0]["bbox"] == []:
            res.dataset["categories"] = copy.deepcopy(self.dataset["categories"])
            past_edge = 0
            for i, ann in enumerate(anns):
                bb = ann["bbox"]
                x1, x2, y1, y2 = [bb[0], bb[0] + bb[2], bb[1], bb[1] + bb[3]]
                img = self.imgs.get(ann["image_id"])
                if img is not None and _past_edge(img, x2, y2):
                    past_edge += 1
                if "segmentation" not in ann:
                    ann["segmentation"] = [[x1, y1, x1, y2, x2, y2, x2, y1]]
                ann["area"] = bb[2] * bb[3]
                ann["id"] = i + 1
                ann["iscrowd"] = 0
            if past_edge * 10 >= len(anns):
                warnings.warn(
                    f"{past_edge} of {len(anns)} result boxes reach past their image's right or "
                    "bottom edge (x + w > width or y + h > height): are they [x1, y1, x2, y2]? "
                    "COCO boxes are [x, y, width, height]", UserWarning, stacklevel=2)
        elif "segmentation" in anns[0]:
            res.dataset["categories"] = copy.deepcopy(self.dataset["categories"])
            codec = _mask_module()
            for i, ann in enumerate(anns):
                seg = ann["segmentation"]
                ann["area"] = codec.area([seg])[0] if type(seg) is not list else codec.area(seg)
                if "bbox" not in ann:
                    ann["bbox"] = (codec.toBbox([seg])[0] if type(seg) is not list
                                   else codec.toBbox(seg))
                ann["id"] = i + 1
                ann["iscrowd"] = 0
        elif "keypoints" in anns[0]:
            res.dataset["categories"] = copy.deepcopy(self.dataset["categories"])
            for i, ann in enumerate(anns):
                s = ann["keypoints"]
                x, y = s[0::3], s[1::3]
                x0, x1, y0, y1 = np.min(x), np.max(x), np.min(y), np.max(y)
                ann["area"] = (x1 - x0) * (y1 - y0)
                ann["id"] = i + 1
                ann["bbox"] = [x0, y0, x1 - x0, y1 - y0]
        print("DONE (t={:0.2f}s)".format(time.time() - tic))
        res.dataset["annotations"] = anns
        res.createIndex()
        res._res_src = (anns, raw)
        return res

    def annToRLE(self, ann):
        """The annotation's segmentation as a compressed RLE (computed with
        :mod:`vernier.mask`)."""
        codec = _mask_module()
        t = self.imgs[ann["image_id"]]
        h, w = t["height"], t["width"]
        segm = ann["segmentation"]
        if type(segm) is list:
            return codec.merge(codec.frPyObjects(segm, h, w), 0)
        if type(segm["counts"]) is list:
            return codec.frPyObjects(segm, h, w)
        return ann["segmentation"]

    def annToMask(self, ann):
        """The annotation's binary mask (H x W uint8), from :meth:`annToRLE`."""
        codec = _mask_module()
        rle = self.annToRLE(ann)
        return codec.decode([rle])[:, :, 0]

    # ---- what vernier.COCOeval hands the C library --------------------------

    def _gt_json(self) -> bytes:
        """The ground truth as COCO JSON bytes: the file as read while
        ``dataset`` is still the object loaded from it, else ``dataset``
        serialised (floats round-trip exactly)."""
        if self._raw is not None and self._raw[0] is self.dataset:
            return self._raw[1]
        return json.dumps(self.dataset, default=_json_default,
                          separators=(",", ":")).encode("utf-8")

    def _gt_dataset(self):
        """The parsed C dataset for the whole ground truth, cached."""
        from ._dataset import CocoDataset

        if self._c_gt is None or self._c_gt[0] is not self.dataset:
            self._c_gt = (self.dataset, CocoDataset.from_json(self._gt_json()))
        return self._c_gt[1]

    def _results(self, known_images=None):
        """``(records, json_bytes, ids)``: the results as the C library
        reads them and the annotation id of each, in order.  For a COCO
        not built by loadRes, results on images outside ``known_images``
        (the ground truth's) are left out: COCOeval never evaluates them."""
        anns = self.dataset.get("annotations", [])
        if self._res_src is not None and self._res_src[0] is anns:
            raw = self._res_src[1]
            return anns, raw, np.arange(1, len(anns) + 1, dtype=np.int64)
        # built another way (COCO() + dataset + createIndex, as torchmetrics
        # does): the C library derives each result's area as loadRes does,
        # so the areas given must be those; ids are taken as given
        if known_images is not None:
            anns = [a for a in anns if a["image_id"] in known_images]
        ids = np.array([a["id"] for a in anns], dtype=np.int64)
        if len(ids) and ids.min() <= 0:
            raise InvalidArgumentError(
                "detection annotation ids must be > 0 (pycocotools reads id 0 as \"no match\"); "
                "build the detections with cocoGt.loadRes(results)")
        if anns:
            derived = _derived_areas(anns)
            for i, (a, d) in enumerate(zip(anns, derived)):
                if a.get("area") != d:
                    raise InvalidArgumentError(
                        f"detection annotation {i} (id {a['id']}) has area {a.get('area')!r}, "
                        f"but loadRes would derive {d!r} from its "
                        f"{'bbox' if 'bbox' in anns[0] and anns[0]['bbox'] != [] else 'shape'}: "
                        "vernier evaluates results with loadRes' areas; build the detections "
                        "with cocoGt.loadRes(results)")
        raw = json.dumps(anns, default=_json_default, separators=(",", ":")).encode("utf-8")
        return anns, raw, ids
