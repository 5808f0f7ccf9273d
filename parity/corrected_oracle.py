"""The reference for ``parity_mode="corrected"``: pycocotools 2.0.11 with the
quirk fixes of ADR 0011, and nothing else changed.

``CorrectedCOCOeval`` subclasses pycocotools' ``COCOeval`` and overrides only
the two methods the fixes touch; every floating-point operation that reaches
an output is still pycocotools' own:

* ``_prepare`` (after pycocotools' own ``_prepare`` has run):
    - **D1** -- a GT whose own ``ignore`` flag is truthy is ignored, as a
      crowd is (pycocotools overwrites the flag with ``iscrowd``).  Only
      the flag changes: the IoU stays ordinary IoU (``computeIoU`` reads
      ``iscrowd``, not ``ignore``), and such a GT is matched at most once
      per threshold (``evaluateImg`` lets only crowds absorb several DTs).
    - **id 0** -- a GT with id 0 gets a fresh non-zero id.  pycocotools
      records matches by id with 0 meaning "unmatched" and compares the
      recorded ids only against 0, so renumbering is exactly "id 0 is an
      ordinary id".
    - **A1** -- each (image, category) cell's detections are put in the
      order (-score, x, y, w, h of the bbox loadRes left on the result,
      input order).  ``computeIoU``/``evaluateImg`` then sort stably by
      -score, which keeps that order, so equal scores are ordered by box
      instead of by input order.  (Accumulation across images is already
      independent of the result order: image id, then rank in the image.)
* ``summarize`` -- **L9**: the statistics pycocotools reads at a literal cap
  (``stats[0]`` at 100; every keypoint statistic at 20) read the largest
  cap of the ladder.  Everything else is pycocotools 2.0.11's code as is.

The refusals of corrected mode (I2 masks of different sizes, J2 a result
without a mask, K1 degenerate polygons) have no oracle: vernier raises
instead of computing, and ``parity/test_corrected.py`` checks the error.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
from pycocotools.cocoeval import COCOeval

from parity.oracle import OracleResult, check_reference_version, evaluate_accumulate


class CorrectedCOCOeval(COCOeval):
    """pycocotools' COCOeval with the corrected-mode fixes (see the module doc)."""

    def _prepare(self):
        # D1: remember which GTs carry a truthy `ignore` before pycocotools'
        # _prepare overwrites the field.  loadAnns returns the dicts of
        # cocoGt.anns (the last annotation of a repeated id), so they are
        # recognised by identity.
        flagged = {id(a) for a in self.cocoGt.anns.values() if a.get("ignore")}
        # id 0: a fresh id, larger than every other.  All occurrences of a
        # repeated id 0 are one dict (see above), so they stay one annotation.
        fresh = max([a["id"] for a in self.cocoGt.anns.values()] + [0]) + 1

        super()._prepare()

        for gts in self._gts.values():
            for g in gts:
                if id(g) in flagged:
                    g["ignore"] = True                    # D1
                if g["id"] == 0:
                    g["id"] = fresh                       # id 0
        self._order_ties_by_box()                         # A1

    def _order_ties_by_box(self):
        """A1: order each evaluation cell's detections by (-score, bbox), stably."""
        def key(d):
            return (-d["score"], *(float(v) for v in d["bbox"]))

        p = self.params
        if p.useCats:
            for dts in self._dts.values():
                dts.sort(key=key)
            return
        # useCats=0: computeIoU/evaluateImg concatenate an image's detections
        # over p.catIds (in that order) and sort the concatenation.  Sorting
        # the concatenation here and storing it under the first category
        # gives the same list, ordered (-score, bbox, category, input order).
        for img in {k[0] for k in list(self._dts)}:
            pooled = [d for c in p.catIds for d in self._dts.get((img, c), [])]
            for c in p.catIds:
                self._dts.pop((img, c), None)
            self._dts[img, p.catIds[0]] = sorted(pooled, key=key)

    def summarize(self):
        """pycocotools 2.0.11's summarize(), except that the caps it reads as
        literals (100 for stats[0]; 20 for every keypoint statistic) are the
        largest cap of the ladder (L9).  The printed line shows the cap read."""
        def _summarize(ap=1, iouThr=None, areaRng='all', maxDets=100):
            p = self.params
            iStr = ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
            titleStr = 'Average Precision' if ap == 1 else 'Average Recall'
            typeStr = '(AP)' if ap == 1 else '(AR)'
            iouStr = '{:0.2f}:{:0.2f}'.format(p.iouThrs[0], p.iouThrs[-1]) \
                if iouThr is None else '{:0.2f}'.format(iouThr)

            aind = [i for i, aRng in enumerate(p.areaRngLbl) if aRng == areaRng]
            mind = [i for i, mDet in enumerate(p.maxDets) if mDet == maxDets]
            if ap == 1:
                s = self.eval['precision']
                if iouThr is not None:
                    t = np.where(iouThr == p.iouThrs)[0]
                    s = s[t]
                s = s[:, :, :, aind, mind]
            else:
                s = self.eval['recall']
                if iouThr is not None:
                    t = np.where(iouThr == p.iouThrs)[0]
                    s = s[t]
                s = s[:, :, aind, mind]
            if len(s[s > -1]) == 0:
                mean_s = -1
            else:
                mean_s = np.mean(s[s > -1])
            print(iStr.format(titleStr, typeStr, iouStr, areaRng, maxDets, mean_s))
            return mean_s

        top = self.params.maxDets[-1]     # L9: evaluate() sorted the ladder ascending
        md = self.params.maxDets

        def _summarizeDets():
            stats = np.zeros((12,))
            stats[0] = _summarize(1, maxDets=top)                 # pycocotools: literal 100
            stats[1] = _summarize(1, iouThr=.5, maxDets=md[2])
            stats[2] = _summarize(1, iouThr=.75, maxDets=md[2])
            stats[3] = _summarize(1, areaRng='small', maxDets=md[2])
            stats[4] = _summarize(1, areaRng='medium', maxDets=md[2])
            stats[5] = _summarize(1, areaRng='large', maxDets=md[2])
            stats[6] = _summarize(0, maxDets=md[0])
            stats[7] = _summarize(0, maxDets=md[1])
            stats[8] = _summarize(0, maxDets=md[2])
            stats[9] = _summarize(0, areaRng='small', maxDets=md[2])
            stats[10] = _summarize(0, areaRng='medium', maxDets=md[2])
            stats[11] = _summarize(0, areaRng='large', maxDets=md[2])
            return stats

        def _summarizeKps():                                      # pycocotools: literal 20
            stats = np.zeros((10,))
            stats[0] = _summarize(1, maxDets=top)
            stats[1] = _summarize(1, maxDets=top, iouThr=.5)
            stats[2] = _summarize(1, maxDets=top, iouThr=.75)
            stats[3] = _summarize(1, maxDets=top, areaRng='medium')
            stats[4] = _summarize(1, maxDets=top, areaRng='large')
            stats[5] = _summarize(0, maxDets=top)
            stats[6] = _summarize(0, maxDets=top, iouThr=.5)
            stats[7] = _summarize(0, maxDets=top, iouThr=.75)
            stats[8] = _summarize(0, maxDets=top, areaRng='medium')
            stats[9] = _summarize(0, maxDets=top, areaRng='large')
            return stats

        if not self.eval:
            raise Exception('Please run accumulate() first')
        if self.params.iouType in ('segm', 'bbox'):
            self.stats = _summarizeDets()
        elif self.params.iouType == 'keypoints':
            self.stats = _summarizeKps()


def run_corrected(gt, dt, iou_type: str = "bbox", max_dets=None, use_cats: bool = True,
                  kpt_oks_sigmas=None, iou_thrs=None, rec_thrs=None,
                  area_rng=None) -> OracleResult:
    """What ``parity_mode="corrected"`` must compute: :class:`CorrectedCOCOeval`
    run exactly as :func:`parity.oracle.run_pycocotools` runs ``COCOeval``
    (same inputs, same parameters, same empty-results convention, same
    returned fields)."""
    check_reference_version()
    ev = evaluate_accumulate(CorrectedCOCOeval, gt, dt, iou_type, max_dets=max_dets,
                             use_cats=use_cats, kpt_oks_sigmas=kpt_oks_sigmas, iou_thrs=iou_thrs,
                             rec_thrs=rec_thrs, area_rng=area_rng)

    # bbox/segm with fewer than three caps: summarize() reads maxDets[2] and
    # raises IndexError; vernier (ADR 0010) and run_pycocotools report no
    # statistics and no lines instead, in both modes.
    no_stats = iou_type != "keypoints" and len(ev.params.maxDets) < 3
    printed = io.StringIO()
    if not no_stats:
        with contextlib.redirect_stdout(printed):
            ev.summarize()

    return OracleResult(
        stats=np.zeros(0) if no_stats else np.array(ev.stats, dtype=np.float64),
        precision=ev.eval["precision"],
        recall=ev.eval["recall"],
        scores=ev.eval["scores"],
        eval_imgs=ev.evalImgs,
        lines=printed.getvalue().splitlines(),
        params=ev.params,
    )
