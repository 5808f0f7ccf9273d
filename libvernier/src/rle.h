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

#include "vn_alloc.h"

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

#endif
