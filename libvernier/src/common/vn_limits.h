/* vn_limits.h — the internal limits, each defined once (private).
 *
 * Limits a caller can see are vernier.h's VERNIER_MAX_*; the ones below
 * are internal only.  COCO's keypoint count has its name here too. */
#ifndef VN_LIMITS_H
#define VN_LIMITS_H

#include "vernier.h"

#define VN_MAX_STATS 12        /* summary statistics of one evaluation */
#define VN_MAX_KEYPOINTS 1024  /* keypoints per object (sigmas per category) */
#define VN_COCO_KEYPOINTS 17   /* COCO's person keypoints (and default sigmas) */
#define VN_LABEL_SIZE (VERNIER_MAX_AREA_LABEL + 1) /* an area label, NUL included */

/* Deepest nesting of JSON arrays and objects accepted (VERNIER_E_LIMIT
 * past it). */
#define VN_JSON_MAX_DEPTH 512

/* A compressed-RLE count longer than this many characters carries more
 * than 60 bits: no valid count needs it (valid deltas fit in 34 bits, 7
 * characters). */
#define VN_RLE_MAX_CHARS 12

/* Bound on a polygon's upsampled integer coordinates, |(int)(5x + .5)|
 * (mask/polygon.c explains it). */
#define VN_POLY_COORD_MAX 67108864 /* 2^26 */

/* Largest queue a worker accepts (vernier_worker_options.queue_capacity). */
#define VN_MAX_QUEUE_CAPACITY ((size_t)1 << 20)

#endif
