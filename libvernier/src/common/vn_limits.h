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

#endif
