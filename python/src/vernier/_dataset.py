"""CocoDataset: COCO ground truth parsed once by the C library, and the one
rule for what a ``gt`` argument may be."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager

from . import _lowlevel as _ll
from ._errors import StateError

class CocoDataset:
    """COCO ground truth, parsed once by the C library.

    ``CocoDataset(path)`` reads and parses a ground-truth JSON file (a
    ``str`` or ``os.PathLike``, as :meth:`from_file`); :meth:`from_json`
    parses bytes already in memory.  Pass it to :meth:`Evaluator.evaluate`
    any number of times.  The handle is immutable and may be shared between
    threads.  :meth:`close` (or ``with``) frees it at once; otherwise it is
    freed when garbage-collected.
    """

    __slots__ = ("_handle", "_lock", "_pins", "_source", "_names", "_digest", "__weakref__")

    def __init__(self, path, _data=None):
        source = None
        if isinstance(path, _ll.Dataset):  # from_json: an already parsed handle
            handle = path
            source = _data  # the bytes it was parsed from
        elif isinstance(path, (str, os.PathLike)):
            with open(path, "rb") as f:
                data = f.read()
            handle = _ll.dataset_load_json(data, source=os.fsdecode(path))
            source = os.path.abspath(os.fspath(path))
        elif isinstance(path, (bytes, bytearray, memoryview)):
            raise TypeError("CocoDataset(...) takes a file path (str or os.PathLike); parse "
                            "JSON bytes with CocoDataset.from_json(data)")
        else:
            raise TypeError(f"CocoDataset(...) takes a file path (str or os.PathLike), not "
                            f"{type(path).__name__}; use CocoDataset.from_json(data) for JSON "
                            "bytes")
        self._handle = handle
        self._lock = threading.Lock()
        self._pins = 0  # BackgroundEvaluators using the handle
        # where the ground truth came from: its file's absolute path, or the
        # bytes object from_json parsed (held, not copied), for pickling and
        # category names
        self._source = source
        self._names = None
        self._digest = None

    @classmethod
    def from_json(cls, data: bytes, *, source: str | None = None) -> "CocoDataset":
        """Parse COCO ground-truth JSON bytes (``images``, ``categories``,
        ``annotations``).  ``source`` (e.g. the file name) is quoted in
        error messages.  Raises :class:`~vernier.JSONError` or
        :class:`~vernier.SchemaError` naming the location of bad input."""
        handle = _ll.dataset_load_json(data, source=source)
        return cls(handle, data if isinstance(data, bytes) else bytes(data))

    @classmethod
    def from_arrays(cls, *, images, categories, annotations) -> "CocoDataset":
        """Build ground truth from columns, without JSON: three dicts of
        arrays keyed by COCO's own field names.

        ``images``: ``id`` (required), ``width``, ``height`` (-1: absent on
        that image).  ``categories``: ``id`` (required), ``keypoints`` (one
        list of keypoint names, or None, per category: only their number is
        used, as from JSON).  ``annotations``: ``id``, ``image_id``,
        ``category_id`` (required), ``bbox`` (N, 4) x, y, w, h, ``area``,
        ``iscrowd`` (0..255), ``ignore``, ``num_keypoints``,
        ``segmentation`` (one entry per annotation: None, a list of
        polygons, or an RLE dict with ``counts`` as a list or a compressed
        string; or all of them as an (N, H, W) bool/uint8 binary mask
        array, RLE-encoded in C) and ``keypoints`` ((N, K, 3) or one list
        per annotation; an empty one is absent).  An optional column left
        out is absent from every annotation, as a missing JSON key (not a
        zero: a missing ``area`` is an error at a bbox evaluation, as in
        pycocotools).

        Arrays may be numpy arrays, torch tensors (CPU) or anything with
        ``__dlpack__`` / ``__array__``, under the dtype rule of detections
        (docs/reference/input-format.md, "numpy values"; float32 is
        refused: ground truth is given once, in float64).  The dataset
        equals the one :meth:`from_json` builds from the same content
        (same :attr:`digest`, same evaluations).  Errors name the column
        and row (``annotations["bbox"][3][2] is NaN``)."""
        from ._convert import dataset_columns
        return cls(_ll.dataset_from_columns(dataset_columns(images, categories, annotations)))

    @classmethod
    def from_file(cls, path) -> "CocoDataset":
        """Read and parse a ground-truth JSON file (``str`` or
        ``os.PathLike``); the same as ``CocoDataset(path)``.  The file name
        is quoted in error messages."""
        return cls(path)

    def _h(self) -> _ll.Dataset:
        if self._handle is None:
            raise ValueError("CocoDataset is closed")
        return self._handle

    @property
    def num_images(self) -> int:
        """Entries of ``images`` (as read, duplicates included)."""
        return self._h().num_images

    @property
    def num_annotations(self) -> int:
        """Entries of ``annotations``."""
        return self._h().num_annotations

    @property
    def num_categories(self) -> int:
        """Entries of ``categories``."""
        return self._h().num_categories

    @property
    def segm_cache_len(self) -> int:
        """Ground-truth masks derived and kept by earlier mask evaluations."""
        return self._h().cache_len("masks")

    @property
    def boundary_cache_len(self) -> int:
        """Boundary bands kept (all dilation ratios together)."""
        return self._h().cache_len("bands")

    @property
    def digest(self) -> str:
        """The SHA-256 (hex) of the parsed ground truth's canonical encoding,
        as recorded in partials: formatting (whitespace, key order, number
        spelling, unknown keys) does not change it; any value the
        evaluation reads, or the order of an array, does."""
        if self._digest is None:
            self._digest = self._h().digest().hex()
        return self._digest

    def _source_bytes(self) -> bytes:
        """The JSON this dataset was parsed from: the bytes from_json got,
        or its file read again and checked against the digest."""
        src = self._source
        if isinstance(src, bytes):
            return src
        with open(src, "rb") as f:
            data = f.read()
        if _ll.dataset_load_json(data, source=src).digest().hex() != self.digest:
            raise ValueError(f"{src}: the file changed since this CocoDataset was parsed "
                             "from it (its digest differs)")
        return data

    @property
    def category_names(self) -> dict:
        """``{category id: name}`` from ``categories``, as the C library
        parsed them (``vernier_dataset_category_name``; a category without
        a string ``name`` gives "", a repeated id its last entry)."""
        if self._names is None:
            self._names = self._h().category_names()
        return dict(self._names)

    def __reduce__(self):
        """Pickles as the ground truth's JSON bytes and its digest: the
        copy is parsed again on unpickling and must have the same digest."""
        self._h()
        return (_restore, (self._source_bytes(), self.digest))

    def __eq__(self, other) -> bool:
        """Equal: both open and the same parsed ground truth (digest)."""
        if not isinstance(other, CocoDataset):
            return NotImplemented
        if self._handle is None or other._handle is None:
            return self is other
        return self.digest == other.digest

    def __hash__(self) -> int:
        if self._digest is None and self._handle is None:
            return id(self)
        return hash(self.digest)

    def clear_cache(self) -> None:
        """Drop the derived masks and bands (the next mask evaluation derives
        them again).  Raises :class:`~vernier.StateError` while an evaluation
        on another thread is using this dataset."""
        self._h().clear_cache()

    def close(self) -> None:
        """Free the C dataset now.  Idempotent.  Raises
        :class:`~vernier.StateError` while a :class:`BackgroundEvaluator`
        built on this dataset is open."""
        with self._lock:
            if self._pins and self._handle is not None:
                raise StateError("a BackgroundEvaluator still uses this dataset: finalize or "
                                 "close it first")
            h, self._handle = self._handle, None
        if h is not None:
            h.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        if self._handle is None:
            return "CocoDataset(closed)"
        return (f"CocoDataset(num_images={self.num_images}, "
                f"num_annotations={self.num_annotations}, num_categories={self.num_categories})")


def _restore(data: bytes, digest: str) -> CocoDataset:
    ds = CocoDataset.from_json(data)
    if ds.digest != digest:
        raise ValueError("unpickled CocoDataset: the ground truth's digest differs from the "
                         "pickled one")
    return ds


def _gt_handle(gt) -> tuple:
    """``(handle, owned)`` for a ``gt`` argument: a :class:`CocoDataset`'s
    own handle (``owned`` False) or one parsed from COCO JSON bytes
    (bytes, bytearray, memoryview; ``owned`` True: the caller closes it)."""
    if isinstance(gt, CocoDataset):
        return gt._h(), False
    if isinstance(gt, (bytes, bytearray, memoryview)):
        return _ll.dataset_load_json(gt), True
    if isinstance(gt, (str, os.PathLike)):  # a ground-truth file's path
        with open(gt, "rb") as f:
            data = f.read()
        return _ll.dataset_load_json(data, source=os.fsdecode(gt)), True
    raise TypeError(f"gt must be a CocoDataset, JSON bytes or a file path, not "
                    f"{type(gt).__name__}")


@contextmanager
def _gt_dataset(gt):
    """The dataset handle of a ``gt`` argument for the ``with`` block; one
    parsed here is freed when the block ends."""
    handle, owned = _gt_handle(gt)
    try:
        yield handle
    finally:
        if owned:
            handle.close()


@contextmanager
def _gt_and_results(gt, data: bytes, parallel: bool):
    """``(dataset handle, results handle)`` for the ``with`` block: the
    ground truth as :func:`_gt_dataset` gives it and the results parsed
    from ``data``; both parsed here are freed when the block ends.  With
    ``parallel`` a ground truth still to be parsed is parsed on a second
    thread while this one parses the results (the C parsers release the
    GIL).  Errors are those of the sequential order: the ground truth's
    first, then the results'."""
    if not parallel or isinstance(gt, CocoDataset):
        with _gt_dataset(gt) as ds:
            res = _ll.results_load_json(data)
            try:
                yield ds, res
            finally:
                res.close()
        return
    box = {}

    def parse_gt():
        try:
            box["gt"] = _gt_handle(gt)
        except BaseException as e:  # re-raised on the calling thread below
            box["error"] = e

    worker = threading.Thread(target=parse_gt, name="vernier-gt-parse")
    worker.start()
    res = res_error = None
    try:
        res = _ll.results_load_json(data)
    except BaseException as e:
        res_error = e
    worker.join()
    handle, owned = box.get("gt", (None, False))
    try:
        if "error" in box:
            raise box["error"]
        if res_error is not None:
            raise res_error
        yield handle, res
    finally:
        if res is not None:
            res.close()
        if owned:
            handle.close()

