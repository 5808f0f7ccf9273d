/* accum.h — pycocotools' accumulate(): outcome codes to precision, recall
 * and scores (private). */
#ifndef VN_ACCUM_H
#define VN_ACCUM_H

#include <stdint.h>

#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/result.h"

/* Fills ev->precision / recall / scores from the outcomes of every
 * detection slot of `cells` and the non-ignored GT counts npig. */
int vn_accumulate(vernier_eval *ev, const vn_cells *cells, const vn_outcome *out,
                  const uint32_t *npig, vn_arena *scratch);

#endif
