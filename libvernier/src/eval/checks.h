/* checks.h — corrected mode's refusals of results pycocotools would
 * evaluate silently (private). */
#ifndef VN_CHECKS_H
#define VN_CHECKS_H

#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/plan.h"
#include "parse/coco.h"
#include "vernier.h"

/* Quirk J6 in corrected mode, one shape of segmentation (polygon
 * or RLE) per box-kind result list; VERNIER_E_SCHEMA names the first
 * result of the other shape. */
int vn_check_one_shape(const vernier_results *res, vernier_error *err);

/* Quirks J2 and K1 in corrected mode, for the results the cells
 * hold (those that get evaluated), in list order: a box-kind result without
 * a segmentation, or with a degenerate polygon, is refused; the error names
 * the first. */
int vn_check_dt_masks(const vn_cells *cells, const vernier_results *res, vn_arena *scratch,
                      vernier_error *err);

/* Whether the checks below apply: corrected mode with a mask kernel
 * (segm or boundary). */
int vn_checks_masks(const vn_plan *plan);

#endif
