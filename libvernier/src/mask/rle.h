/* rle.h — COCO run-length-encoded masks (private).
 *
 * Counts are column-major runs starting with background.  The compressed
 * string form uses 6-bit characters ('0' + value): 5 data bits, 0x20 as the
 * continuation bit, 0x10 as the sign bit of the last character; counts from
 * index 3 on are stored as the difference to the count two places back. */
#ifndef VN_RLE_H
#define VN_RLE_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"

/* Decodes a compressed counts string s[0..len) into *counts (allocated from
 * m, *n_counts entries, caller frees with vn_free(m, *counts, *n_counts *
 * sizeof(uint32_t))).  Validates: only characters 48..111, no dangling
 * continuation, every count in 0..UINT32_MAX, and the counts summing to
 * exactly h*w.  Returns VERNIER_OK, VERNIER_E_RLE (message in err) or an
 * allocation failure. */
int vn_rle_decode_string(vn_mem *m, const char *s, size_t len, uint64_t h, uint64_t w,
                         uint32_t **counts, size_t *n_counts, vernier_error *err);

/* Foreground area: the sum of the odd-indexed counts (pycocotools rleArea). */
uint64_t vn_rle_area(const uint32_t *counts, size_t n);

/* Bounding box as pycocotools 2.0.11's rleToBbox computes it (x, y, w, h),
 * including its behaviour on empty masks. */
void vn_rle_to_bbox(const uint32_t *counts, size_t n, uint32_t h, uint32_t w, double out[4]);

/* ---- masks as values (issue 3) ------------------------------------------
 * A vn_rle is an h x w mask: counts cnts[0..m) alternate background and
 * foreground runs in column-major order, starting with background, summing
 * to h * w.  Functions that produce one allocate its counts from an arena
 * (the caller chooses which: a dataset's cache or an evaluation's scratch)
 * and never free anything; the arena owns the memory. */
typedef struct vn_rle {
    uint32_t h, w;
    size_t m;        /* number of counts */
    uint32_t *cnts;  /* m counts (NULL when m == 0) */
} vn_rle;

/* Decodes a compressed counts string into *out (counts from `ar`), with the
 * validation of vn_rle_decode_string.  err gets an RLE message. */
int vn_rle_from_string(vn_arena *ar, const char *s, size_t len, uint32_t h, uint32_t w,
                       vn_rle *out, vernier_error *err);

/* Validates uncompressed counts (each a non-negative integer, summing to
 * h * w) and copies them into *out.  pycocotools re-encodes them through
 * rleFrString(rleToString(.)), which round-trips, so the counts are used as
 * given.  VERNIER_E_RLE on a bad sum. */
int vn_rle_from_counts(vn_arena *ar, const uint32_t *counts, size_t n, uint32_t h, uint32_t w,
                       vn_rle *out, vernier_error *err);

/* Encodes counts as pycocotools' compressed string (rleToString).  Writes
 * at most cap bytes plus a NUL (buf needs cap + 1 bytes; buf may be NULL
 * when cap is 0); returns the length the string needs (excluding the NUL),
 * so call with cap 0 to size the buffer. */
size_t vn_rle_to_string(const vn_rle *r, char *buf, size_t cap);

/* rleMerge: the union (intersect = 0) or intersection (1) of n masks of
 * the same size, folded in order as pycocotools does.  n == 1 copies;
 * n == 0 gives a 0x0 mask without counts.  Masks of different sizes give
 * VERNIER_E_RLE (pycocotools silently returns an empty 0x0 mask), and so
 * does a step whose result would not sum to h*w: pycocotools' loop stops
 * early on two zero-length runs meeting inside the masks (and when its
 * 32-bit ct wraps, masks of >= 2^31 pixels), or never stops on masks of
 * different totals. */
int vn_rle_merge(vn_arena *ar, const vn_rle *rles, size_t n, int intersect, vn_rle *out);

/* Intersection and union pixel counts of two masks of the same size, walking
 * both run lists (rleIou's exact part). */
void vn_rle_inter_union(const vn_rle *a, const vn_rle *b, uint64_t *inter, uint64_t *uni);

/* pycocotools' rleIou for one pair, after its box prefilter has passed:
 * masks of different sizes give -1; i == 0 gives 0; otherwise
 * (double)i / (double)u, with u = area(dt) when the GT is a crowd.
 * Counts are accumulated as pycocotools does, in 32-bit unsigned, and its
 * loop's early end on zero-length runs is kept (inter_union is exact
 * instead).  Masks of different totals end the walk (pycocotools hangs). */
double vn_rle_iou(const vn_rle *dt, const vn_rle *gt, int gt_crowd);

#endif
