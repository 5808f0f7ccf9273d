/* masks.h — masks derived from stored segmentations, and the dataset's
 * derivation cache (private).
 *
 * pycocotools' annToRLE: polygons are rasterised at their image's height
 * and width and their parts merged (union); uncompressed and compressed
 * RLEs keep their own size.  Results without a segmentation in a bbox list
 * use the rectangle polygon loadRes synthesises from their box.
 *
 * A dataset keeps the masks (and Boundary IoU bands, per dilation ratio)
 * it has derived, so later evaluations against the same handle skip that
 * work.  The cache is filled under a mutex: concurrent evaluations may
 * share one dataset. */
#ifndef VN_MASKS_H
#define VN_MASKS_H

#include <stddef.h>
#include <stdint.h>

#include "mask/rle.h"
#include "parse/coco.h"

typedef struct vn_mask_cache vn_mask_cache;

/* Creates the (empty) cache of a freshly loaded dataset. */
int vn_mask_cache_init(vernier_dataset *ds);
/* Frees the cache and everything it holds.  NULL cache is a no-op. */
void vn_mask_cache_free(vernier_dataset *ds, vn_mem *m);

/* Makes sure the masks of annotations anns[0..n) are cached and stores a
 * borrowed pointer to each in out[i] (valid until the dataset is freed or
 * its cache cleared; the caller must not clear it meanwhile).  img_hw
 * holds each annotation's image height and width (-1 when the image lacks
 * them: only polygons need them).  Errors name the annotation. */
int vn_gt_masks(const vernier_dataset *ds, const uint32_t *anns, const int64_t *img_hw, size_t n,
                const vn_rle **out, vernier_error *err);

/* The same for Boundary IoU bands at dilation ratio `ratio`. */
int vn_gt_bands(const vernier_dataset *ds, double ratio, const uint32_t *anns,
                const int64_t *img_hw, size_t n, const vn_rle **out, vernier_error *err);

/* The mask of result r into *out (counts from `ar`); img_h/img_w are its
 * image's size (-1 if unknown).  Errors name the result. */
int vn_dt_mask(const vernier_results *res, uint32_t r, int64_t img_h, int64_t img_w, vn_arena *ar,
               vn_rle *out, vernier_error *err);

/* Corrected mode (quirk K1): a polygon needs an even number of coordinates
 * and at least 3 points (pycocotools drops a dangling coordinate, and reads
 * a 4-value first part as a box).  Checks element i of s; `array` names it
 * in the error ("annotations" or "" for results). */
int vn_seg_check_polygons(const vn_segs *s, size_t i, const char *array, vernier_error *err);

/* Cached entries: kind 0 = masks, 1 = boundary bands (all ratios). */
size_t vn_mask_cache_len(const vernier_dataset *ds, int kind);
/* VERNIER_E_STATE while an evaluation holds the cache. */
int vn_mask_cache_clear(const vernier_dataset *ds);
/* An evaluation holds the cache from before its first vn_gt_* call until
 * it no longer uses the pointers it got. */
void vn_mask_cache_acquire(const vernier_dataset *ds);
void vn_mask_cache_release(const vernier_dataset *ds);
/* Bytes the cache holds. */
size_t vn_mask_cache_bytes(const vernier_dataset *ds);

#endif
