/* sort.h — the stable sorts the evaluation needs (private).
 *
 * pycocotools sorts with numpy's mergesort, which is stable: elements with
 * equal keys keep their input order.  Every order-dependent result
 * (score ties) relies on that, so these sorts are stable too. */
#ifndef VN_SORT_H
#define VN_SORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"

/* Stably sorts idx[0..n) by descending key[idx[i]] (ties keep their order).
 * `tmp` must hold n elements.  Keys are finite. */
void vn_sort_desc_by_key(uint32_t *idx, uint32_t *tmp, size_t n, const double *key);

/* Corrected mode's order (quirk A1): descending key, then ascending
 * box[4*idx .. 4*idx+3] (x, y, w, h), then input order: independent of the
 * input order for detections that differ in score or box. */
void vn_sort_desc_by_key_box(uint32_t *idx, uint32_t *tmp, size_t n, const double *key,
                             const double *box);

/* Same for int64 keys, ascending. */
void vn_sort_i64_asc(int64_t *v, int64_t *tmp, size_t n);

#endif
