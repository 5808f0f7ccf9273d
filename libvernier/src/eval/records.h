/* records.h — the per-image records (pycocotools' evalImgs), kept on
 * request (private). */
#ifndef VN_RECORDS_H
#define VN_RECORDS_H

#include <stdint.h>

#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/result.h"
#include "parse/coco.h"

/* Builds ev's records from the outcomes, matches and match IoUs
 * vn_match_all wrote (iou may be NULL when match is). */
int vn_records_build(vernier_eval *ev, const vn_cells *cells, const vernier_dataset *gt,
                     const vn_outcome *out, const int32_t *match, const double *iou,
                     vn_arena *scratch);

#endif
