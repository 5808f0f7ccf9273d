/* polygon.h — polygon and box masks, pycocotools 2.0.11's rleFrPoly and
 * rleFrBbox (private). */
#ifndef VN_POLYGON_H
#define VN_POLYGON_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"
#include "mask/rle.h"

/* rleFrPoly: rasterises one polygon of k vertices xy[0..2k) (x0, y0, x1,
 * y1, ...) into an h x w mask exactly as pycocotools 2.0.11 does (5x
 * upsampling, truncating casts, x outside [0, w-1] dropped, y clamped).
 * k = 0 gives the empty mask.  VERNIER_E_LIMIT (out gets no counts) when a
 * coordinate is NaN, infinite or beyond |(int)(5x + .5)| <= 2^26 (|x| up
 * to about 13.4 million; pycocotools turns such values into INT_MIN and
 * then walks ~2^31 points or crashes), when h*w > UINT32_MAX, and when
 * w == 0 and the polygon reaches x >= 0 (pycocotools' counts then do not
 * sum to h*w).  Scratch memory beyond a few KiB comes from a temporary
 * arena on ar's vn_mem, released before returning. */
int vn_rle_from_poly(vn_arena *ar, const double *xy, size_t k, uint32_t h, uint32_t w,
                     vn_rle *out);

/* rleFrBbox: the 4-corner polygon of box xywh, through vn_rle_from_poly. */
int vn_rle_from_bbox(vn_arena *ar, const double bb[4], uint32_t h, uint32_t w, vn_rle *out);

#endif
