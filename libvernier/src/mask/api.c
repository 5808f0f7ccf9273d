/* api.c — the public mask API (vernier_mask_*): pycocotools.mask's codec,
 * box and polygon masks, merge and IoU on caller buffers.
 *
 * Every function that produces counts writes them into the caller's
 * buffer (`cap` counts) and reports the number the mask needs in *n_out;
 * when that is more than cap only the first cap are written, so a caller
 * that guessed too small calls again with *n_out.  Scratch memory comes
 * from a temporary arena on the caller's allocator and is released before
 * returning. */
#include <math.h>
#include <string.h>

#include "common/vn_alloc.h"
#include "common/vn_error.h"
#include "mask/polygon.h"
#include "mask/rle.h"

/* Copies r's counts to the caller's buffer, at most cap of them. */
static void give_counts(const vn_rle *r, uint32_t *counts, size_t cap, size_t *n_out)
{
    size_t k = r->m < cap ? r->m : cap;
    if (k > 0)
        memcpy(counts, r->cnts, k * sizeof(uint32_t));
    *n_out = r->m;
}

static int too_large(uint32_t h, uint32_t w)
{
    return (uint64_t)h * w > UINT32_MAX;
}

int vernier_mask_encode(uint32_t *counts, size_t cap, size_t *n_out, const uint8_t *mask,
                        uint32_t h, uint32_t w)
{
    size_t a = (size_t)((uint64_t)h * w), j, k = 0;
    uint32_t c = 0;
    uint8_t p = 0;
    if (n_out == NULL || (counts == NULL && cap > 0) || (mask == NULL && a > 0))
        return VERNIER_E_INVALID_ARG;
    if (too_large(h, w))
        return VERNIER_E_LIMIT;
    /* a new run starts wherever the byte value changes, starting from 0:
     * rleEncode compares bytes, not truth values */
    for (j = 0; j < a; j++) {
        if (mask[j] != p) {
            if (k < cap)
                counts[k] = c;
            k++;
            c = 0;
            p = mask[j];
        }
        c++;
    }
    if (k < cap)
        counts[k] = c;
    *n_out = k + 1;
    return VERNIER_OK;
}

int vernier_mask_decode(uint8_t *mask, const uint32_t *counts, size_t n, uint32_t h,
                        uint32_t w, vernier_error *err)
{
    uint64_t total = 0, a = (uint64_t)h * w;
    size_t i, at = 0;
    if ((mask == NULL && a > 0) || (counts == NULL && n > 0))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_decode: NULL buffer");
    for (i = 0; i < n; i++)
        total += counts[i];
    if (total != a)
        return vn_fail(err, VERNIER_E_RLE,
                       "RLE counts sum to %llu, not height x width = %u x %u",
                       (unsigned long long)total, (unsigned)h, (unsigned)w);
    for (i = 0; i < n; i++) {
        memset(mask + at, (int)(i & 1), counts[i]);
        at += counts[i];
    }
    return VERNIER_OK;
}

int vernier_mask_to_string(char *buf, size_t cap, size_t *len_out, const uint32_t *counts,
                           size_t n)
{
    vn_rle r;
    if (len_out == NULL || (buf == NULL && cap > 0) || (counts == NULL && n > 0))
        return VERNIER_E_INVALID_ARG;
    r.h = 0;
    r.w = 0;
    r.m = n;
    r.cnts = (uint32_t *)(uintptr_t)counts;
    *len_out = vn_rle_to_string(&r, buf, cap);
    return VERNIER_OK;
}

int vernier_mask_from_string(uint32_t *counts, size_t cap, size_t *n_out, const char *s,
                             size_t len, uint32_t h, uint32_t w, const vernier_allocator *alc,
                             vernier_error *err)
{
    vn_mem m;
    vn_arena ar;
    vn_rle r;
    int rc;
    if (n_out == NULL || (counts == NULL && cap > 0) || (s == NULL && len > 0))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_from_string: NULL argument");
    VN_TRY(vn_mem_init(&m, alc));
    vn_arena_init(&ar, &m);
    rc = vn_rle_from_string(&ar, s, len, h, w, &r, err);
    if (rc == VERNIER_OK)
        give_counts(&r, counts, cap, n_out);
    vn_arena_release(&ar);
    return rc;
}

uint64_t vernier_mask_area(const uint32_t *counts, size_t n)
{
    if (counts == NULL)
        return 0;
    return vn_rle_area(counts, n);
}

int vernier_mask_to_bbox(double *out, const uint32_t *counts, size_t n, uint32_t h, uint32_t w)
{
    if (out == NULL || (counts == NULL && n > 0))
        return VERNIER_E_INVALID_ARG;
    vn_rle_to_bbox(counts, n, h, w, out);
    return VERNIER_OK;
}

int vernier_mask_merge(uint32_t *counts, size_t cap, size_t *n_out,
                       const uint32_t *const *masks, const size_t *n_counts, size_t n,
                       uint32_t h, uint32_t w, int intersect, const vernier_allocator *alc,
                       vernier_error *err)
{
    vn_mem m;
    vn_arena ar;
    vn_rle *rles, r;
    size_t i;
    int rc;
    if (n_out == NULL || (counts == NULL && cap > 0) ||
        (n > 0 && (masks == NULL || n_counts == NULL)))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_merge: NULL argument");
    VN_TRY(vn_mem_init(&m, alc));
    vn_arena_init(&ar, &m);
    rles = vn_arena_array(&ar, n ? n : 1, sizeof(vn_rle));
    if (rles == NULL) {
        vn_arena_release(&ar);
        return vn_fail(err, vn_mem_failure(&m), "out of memory merging masks");
    }
    for (i = 0; i < n; i++) {
        uint64_t total = 0;
        size_t j;
        if (masks[i] == NULL && n_counts[i] > 0) {
            vn_arena_release(&ar);
            return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_merge: NULL mask");
        }
        for (j = 0; j < n_counts[i]; j++)
            total += masks[i][j];
        if (total != (uint64_t)h * w) {
            vn_arena_release(&ar);
            return vn_fail(err, VERNIER_E_RLE,
                           "mask %zu: RLE counts sum to %llu, not height x width = %u x %u", i,
                           (unsigned long long)total, (unsigned)h, (unsigned)w);
        }
        rles[i].h = h;
        rles[i].w = w;
        rles[i].m = n_counts[i];
        rles[i].cnts = (uint32_t *)(uintptr_t)masks[i];
    }
    rc = vn_rle_merge(&ar, rles, n, intersect ? 1 : 0, &r);
    if (rc == VERNIER_OK) {
        if (n == 0)
            *n_out = 0;
        else
            give_counts(&r, counts, cap, n_out);
    } else if (rc == VERNIER_E_RLE) {
        vn_fail(err, rc, "cannot merge these masks: their runs do not add up to %u x %u",
                (unsigned)h, (unsigned)w);
    } else {
        vn_fail(err, rc, "out of memory merging masks");
    }
    vn_arena_release(&ar);
    return rc;
}

/* pycocotools' bbIou for one pair (maskApi.c), operation for operation:
 * fmin/fmax, the union as (da + ga) - i, a crowd GT divides by the
 * detection's area. */
static double box_iou(const double *d, const double *g, int crowd)
{
    double ga = g[2] * g[3], da = d[2] * d[3], bw, bh, i, u;
    bw = fmin(d[2] + d[0], g[2] + g[0]) - fmax(d[0], g[0]);
    if (bw <= 0)
        return 0.0;
    bh = fmin(d[3] + d[1], g[3] + g[1]) - fmax(d[1], g[1]);
    if (bh <= 0)
        return 0.0;
    i = bw * bh;
    u = crowd ? da : da + ga - i;
    return i / u;
}

int vernier_mask_box_iou(double *out, const double *dt, size_t m, const double *gt, size_t n,
                         const uint8_t *iscrowd)
{
    size_t d, g;
    if ((m > 0 && n > 0) && (out == NULL || dt == NULL || gt == NULL || iscrowd == NULL))
        return VERNIER_E_INVALID_ARG;
    for (d = 0; d < m; d++)
        for (g = 0; g < n; g++)
            out[d * n + g] = box_iou(dt + 4 * d, gt + 4 * g, iscrowd[g]);
    return VERNIER_OK;
}

int vernier_mask_iou(double *out, const uint32_t *const *dt, const size_t *n_dt,
                     const uint32_t *dt_hw, size_t m, const uint32_t *const *gt,
                     const size_t *n_gt, const uint32_t *gt_hw, size_t n,
                     const uint8_t *iscrowd, const vernier_allocator *alc, vernier_error *err)
{
    vn_mem mem;
    vn_arena ar;
    double *gb;
    size_t d, g;
    if (m == 0 || n == 0)
        return VERNIER_OK;
    if (out == NULL || dt == NULL || n_dt == NULL || dt_hw == NULL || gt == NULL ||
        n_gt == NULL || gt_hw == NULL || iscrowd == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_iou: NULL argument");
    VN_TRY(vn_mem_init(&mem, alc));
    vn_arena_init(&ar, &mem);
    gb = vn_arena_array(&ar, n, 4 * sizeof(double));
    if (gb == NULL) {
        vn_arena_release(&ar);
        return vn_fail(err, vn_mem_failure(&mem), "out of memory computing mask IoU");
    }
    for (g = 0; g < n; g++)
        vn_rle_to_bbox(gt[g], n_gt[g], gt_hw[2 * g], gt_hw[2 * g + 1], gb + 4 * g);
    for (d = 0; d < m; d++) {
        vn_rle a;
        double db[4];
        a.h = dt_hw[2 * d];
        a.w = dt_hw[2 * d + 1];
        a.m = n_dt[d];
        a.cnts = (uint32_t *)(uintptr_t)dt[d];
        vn_rle_to_bbox(a.cnts, a.m, a.h, a.w, db);
        for (g = 0; g < n; g++) {
            double o = box_iou(db, gb + 4 * g, iscrowd[g]);
            /* rleIou walks the runs only of pairs whose boxes overlap */
            if (o > 0) {
                vn_rle b;
                b.h = gt_hw[2 * g];
                b.w = gt_hw[2 * g + 1];
                b.m = n_gt[g];
                b.cnts = (uint32_t *)(uintptr_t)gt[g];
                o = vn_rle_iou(&a, &b, iscrowd[g]);
            }
            out[d * n + g] = o;
        }
    }
    vn_arena_release(&ar);
    return VERNIER_OK;
}

static int shape_fail(vernier_error *err, int rc, const char *what)
{
    if (rc == VERNIER_E_LIMIT)
        return vn_fail(err, rc,
                       "%s: a coordinate is not finite or too large, or the mask is too "
                       "large (at most 2^32 - 1 pixels, width > 0)",
                       what);
    return vn_fail(err, rc, "out of memory rasterising a %s", what);
}

int vernier_mask_from_polygon(uint32_t *counts, size_t cap, size_t *n_out, const double *xy,
                              size_t k, uint32_t h, uint32_t w, const vernier_allocator *alc,
                              vernier_error *err)
{
    vn_mem m;
    vn_arena ar;
    vn_rle r;
    int rc;
    if (n_out == NULL || (counts == NULL && cap > 0) || (xy == NULL && k > 0))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_from_polygon: NULL argument");
    VN_TRY(vn_mem_init(&m, alc));
    vn_arena_init(&ar, &m);
    rc = vn_rle_from_poly(&ar, xy, k, h, w, &r);
    if (rc == VERNIER_OK)
        give_counts(&r, counts, cap, n_out);
    else
        shape_fail(err, rc, "polygon");
    vn_arena_release(&ar);
    return rc;
}

int vernier_mask_from_bbox(uint32_t *counts, size_t cap, size_t *n_out, const double *bb,
                           uint32_t h, uint32_t w, const vernier_allocator *alc,
                           vernier_error *err)
{
    vn_mem m;
    vn_arena ar;
    vn_rle r;
    int rc;
    if (n_out == NULL || (counts == NULL && cap > 0) || bb == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_from_bbox: NULL argument");
    VN_TRY(vn_mem_init(&m, alc));
    vn_arena_init(&ar, &m);
    rc = vn_rle_from_bbox(&ar, bb, h, w, &r);
    if (rc == VERNIER_OK)
        give_counts(&r, counts, cap, n_out);
    else
        shape_fail(err, rc, "box");
    vn_arena_release(&ar);
    return rc;
}
