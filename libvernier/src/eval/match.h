/* match.h — IoU / OKS kernels and pycocotools' greedy matching, per cell
 * (private). */
#ifndef VN_MATCH_H
#define VN_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/plan.h"
#include "parse/coco.h"

/* A detection's outcomes at one area range, for every IoU threshold t, as
 * pycocotools' accumulate classifies them: bit t set = true positive at t,
 * bit 32 + t set = ignored at t (neither TP nor FP: it matched an ignored
 * GT, or it is unmatched and outside the area range); neither = false
 * positive.  Hence at most 32 IoU thresholds. */
typedef uint64_t vn_outcome;
_Static_assert(VERNIER_MAX_IOU_THRESHOLDS <= 32, "an outcome has 32 TP and 32 ignore bits");
#define VN_TP_BIT(t) ((vn_outcome)1 << (t))
#define VN_IGN_BIT(t) ((vn_outcome)1 << (32 + (t)))

/* Computes the outcomes of every detection of every cell.
 * out has A * n_dt entries, zeroed by the caller: detection slot s (its
 * position in dt_res) at area range a is out[a * n_dt + s].  npig has
 * n_cells * A counts of non-ignored GTs.  match_out, when not NULL, has
 * A * T * n_dt entries set to -1 by the caller; the match of slot s at area
 * range a and threshold t, as the GT's position within its cell (before the
 * ignore sort), is written to match_out[(a * T + t) * n_dt + s].  iou_out,
 * when not NULL, has as many entries, and gets the IoU (OKS) of each match
 * written there (pycocotools' ious[d, g] of the match); entries of
 * unmatched detections are left as the caller set them. */
int vn_match_all(const vn_cells *cells, const vn_plan *plan, const vernier_dataset *gt,
                 const vernier_results *res, vn_arena *scratch, vn_outcome *out, uint32_t *npig,
                 int32_t *match_out, double *iou_out, vernier_error *err);

#endif
