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

/* The index of the first byte of mask[j..a) that differs from p (a when
 * none does), eight bytes at a time through long runs. */
static size_t run_end(const uint8_t *mask, size_t j, size_t a, uint8_t p)
{
    const uint64_t pp = (uint64_t)p * UINT64_C(0x0101010101010101);
    while (j + 8 <= a) {
        uint64_t v;
        memcpy(&v, mask + j, sizeof v);
        if (v != pp)
            break;
        j += 8;
    }
    while (j < a && mask[j] == p)
        j++;
    return j;
}

int vernier_mask_encode(uint32_t *counts, size_t cap, size_t *n_out, const uint8_t *mask,
                        uint32_t h, uint32_t w)
{
    size_t a = (size_t)((uint64_t)h * w), j = 0, k = 0;
    uint8_t p = 0;
    if (n_out == NULL || (counts == NULL && cap > 0) || (mask == NULL && a > 0))
        return VERNIER_E_INVALID_ARG;
    if (too_large(h, w))
        return VERNIER_E_LIMIT;
    /* a new run starts wherever the byte value changes, starting from 0:
     * rleEncode compares bytes, not truth values */
    for (;;) {
        size_t e = run_end(mask, j, a, p);
        if (k < cap)
            counts[k] = (uint32_t)(e - j);
        k++;
        if (e == a)
            break;
        p = mask[e];
        j = e;
    }
    *n_out = k;
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

/* rleIou of m detections against n ground truths held as vn_rle values,
 * with pycocotools' box prefilter; gb has room for 4 n doubles. */
static void iou_rles(double *out, const vn_rle *dt, size_t m, const vn_rle *gt, size_t n,
                     const uint8_t *iscrowd, double *gb)
{
    size_t d, g;
    for (g = 0; g < n; g++)
        vn_rle_to_bbox(gt[g].cnts, gt[g].m, gt[g].h, gt[g].w, gb + 4 * g);
    for (d = 0; d < m; d++) {
        double db[4];
        vn_rle_to_bbox(dt[d].cnts, dt[d].m, dt[d].h, dt[d].w, db);
        for (g = 0; g < n; g++) {
            double o = box_iou(db, gb + 4 * g, iscrowd[g]);
            /* rleIou walks the runs only of pairs whose boxes overlap */
            if (o > 0)
                o = vn_rle_iou(dt + d, gt + g, iscrowd[g]);
            out[d * n + g] = o;
        }
    }
}

/* n masks given as counts, viewed as vn_rle values (no copy) in `ar`. */
static vn_rle *view_counts(vn_arena *ar, const uint32_t *const *c, const size_t *nc,
                           const uint32_t *hw, size_t n)
{
    vn_rle *r = vn_arena_array(ar, n, sizeof(vn_rle));
    size_t i;
    if (r == NULL)
        return NULL;
    for (i = 0; i < n; i++) {
        r[i].h = hw[2 * i];
        r[i].w = hw[2 * i + 1];
        r[i].m = nc[i];
        r[i].cnts = (uint32_t *)(uintptr_t)c[i];
    }
    return r;
}

int vernier_mask_iou(double *out, const uint32_t *const *dt, const size_t *n_dt,
                     const uint32_t *dt_hw, size_t m, const uint32_t *const *gt,
                     const size_t *n_gt, const uint32_t *gt_hw, size_t n,
                     const uint8_t *iscrowd, const vernier_allocator *alc, vernier_error *err)
{
    vn_mem mem;
    vn_arena ar;
    vn_rle *a, *b;
    double *gb;
    if (m == 0 || n == 0)
        return VERNIER_OK;
    if (out == NULL || dt == NULL || n_dt == NULL || dt_hw == NULL || gt == NULL ||
        n_gt == NULL || gt_hw == NULL || iscrowd == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_iou: NULL argument");
    VN_TRY(vn_mem_init(&mem, alc));
    vn_arena_init(&ar, &mem);
    gb = vn_arena_array(&ar, n, 4 * sizeof(double));
    a = gb ? view_counts(&ar, dt, n_dt, dt_hw, m) : NULL;
    b = a ? view_counts(&ar, gt, n_gt, gt_hw, n) : NULL;
    if (b == NULL) {
        vn_arena_release(&ar);
        return vn_fail(err, vn_mem_failure(&mem), "out of memory computing mask IoU");
    }
    iou_rles(out, a, m, b, n, iscrowd, gb);
    vn_arena_release(&ar);
    return VERNIER_OK;
}

/* ---- masks given as compressed strings ---------------------------------- */

/* Decodes one string into *r (counts in `ar`); names the mask in errors as
 * `what` `index` when what is not NULL. */
static int decode_one(vn_arena *ar, vn_mem *mem, const char *s, size_t len, uint32_t h,
                      uint32_t w, vn_rle *r, const char *what, size_t index, vernier_error *err)
{
    int rc;
    if (s == NULL && len > 0)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "NULL RLE string");
    rc = vn_rle_from_string(ar, s, len, h, w, r, err);
    if (rc == VERNIER_E_RLE && what != NULL && vn_error_usable(err)) {
        char msg[sizeof err->message];
        memcpy(msg, err->message, sizeof msg);
        vn_fail(err, rc, "%s %zu: %s", what, index, msg);
    } else if (rc != VERNIER_OK && rc != VERNIER_E_RLE) {
        vn_fail(err, vn_mem_failure(mem), "out of memory decoding an RLE string");
    }
    return rc;
}

/* What a single-string function does with the decoded mask. */
enum string_op { OP_DECODE, OP_AREA, OP_BBOX };

/* Decodes s[0..len) in an arena on alc and applies `op`, writing to out
 * (the mask's bytes, a uint64_t area or four doubles). */
static int on_string(enum string_op op, void *out, const char *s, size_t len, uint32_t h,
                     uint32_t w, const vernier_allocator *alc, vernier_error *err)
{
    vn_mem mem;
    vn_arena ar;
    vn_rle r;
    int rc;
    VN_TRY(vn_mem_init(&mem, alc));
    vn_arena_init(&ar, &mem);
    rc = decode_one(&ar, &mem, s, len, h, w, &r, NULL, 0, err);
    if (rc == VERNIER_OK) {
        if (op == OP_DECODE)
            rc = vernier_mask_decode(out, r.cnts, r.m, h, w, err);
        else if (op == OP_AREA)
            *(uint64_t *)out = vn_rle_area(r.cnts, r.m);
        else
            vn_rle_to_bbox(r.cnts, r.m, h, w, out);
    }
    vn_arena_release(&ar);
    return rc;
}

int vernier_mask_encode_string(char *buf, size_t cap, size_t *len_out, const uint8_t *mask,
                               uint32_t h, uint32_t w, const vernier_allocator *alc,
                               vernier_error *err)
{
    vn_mem mem;
    vn_arena ar;
    vn_rle r;
    size_t a = (size_t)((uint64_t)h * w), n = 0;
    int rc;
    if (len_out == NULL || (buf == NULL && cap > 0) || (mask == NULL && a > 0))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_encode_string: NULL argument");
    if (too_large(h, w))
        return vn_fail(err, VERNIER_E_LIMIT, "a %u x %u mask has more than 2^32 - 1 pixels",
                       (unsigned)h, (unsigned)w);
    VN_TRY(vn_mem_init(&mem, alc));
    vn_arena_init(&ar, &mem);
    /* h * w + 1 counts always suffice (pages never written cost nothing) */
    r.h = h;
    r.w = w;
    r.cnts = vn_arena_array(&ar, a + 1, sizeof(uint32_t));
    rc = r.cnts == NULL ? vn_fail(err, vn_mem_failure(&mem), "out of memory encoding a mask")
                        : vernier_mask_encode(r.cnts, a + 1, &n, mask, h, w);
    r.m = n;
    if (rc == VERNIER_OK)
        *len_out = vn_rle_to_string(&r, buf, cap);
    vn_arena_release(&ar);
    return rc;
}

int vernier_mask_string_decode(uint8_t *mask, const char *s, size_t len, uint32_t h,
                               uint32_t w, const vernier_allocator *alc, vernier_error *err)
{
    if (mask == NULL && (uint64_t)h * w > 0)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_string_decode: NULL mask");
    return on_string(OP_DECODE, mask, s, len, h, w, alc, err);
}

int vernier_mask_string_area(uint64_t *out, const char *s, size_t len, uint32_t h, uint32_t w,
                             const vernier_allocator *alc, vernier_error *err)
{
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_string_area: NULL out");
    return on_string(OP_AREA, out, s, len, h, w, alc, err);
}

int vernier_mask_string_to_bbox(double *out, const char *s, size_t len, uint32_t h, uint32_t w,
                                const vernier_allocator *alc, vernier_error *err)
{
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_string_to_bbox: NULL out");
    return on_string(OP_BBOX, out, s, len, h, w, alc, err);
}

/* Decodes n strings into a vn_rle array in `ar`. */
static vn_rle *decode_many(vn_arena *ar, vn_mem *mem, const char *const *s, const size_t *len,
                           const uint32_t *hw, size_t n, const char *what, int *rc,
                           vernier_error *err)
{
    vn_rle *r = vn_arena_array(ar, n, sizeof(vn_rle));
    size_t i;
    if (r == NULL) {
        *rc = vn_fail(err, vn_mem_failure(mem), "out of memory computing mask IoU");
        return NULL;
    }
    for (i = 0; i < n; i++) {
        *rc = decode_one(ar, mem, s[i], len[i], hw[2 * i], hw[2 * i + 1], r + i, what, i, err);
        if (*rc != VERNIER_OK)
            return NULL;
    }
    return r;
}

int vernier_mask_string_iou(double *out, const char *const *dt, const size_t *dt_len,
                            const uint32_t *dt_hw, size_t m, const char *const *gt,
                            const size_t *gt_len, const uint32_t *gt_hw, size_t n,
                            const uint8_t *iscrowd, const vernier_allocator *alc,
                            vernier_error *err)
{
    vn_mem mem;
    vn_arena ar;
    vn_rle *a, *b = NULL;
    double *gb;
    int rc = VERNIER_OK;
    if (m == 0 || n == 0)
        return VERNIER_OK;
    if (out == NULL || dt == NULL || dt_len == NULL || dt_hw == NULL || gt == NULL ||
        gt_len == NULL || gt_hw == NULL || iscrowd == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "vernier_mask_string_iou: NULL argument");
    VN_TRY(vn_mem_init(&mem, alc));
    vn_arena_init(&ar, &mem);
    gb = vn_arena_array(&ar, n, 4 * sizeof(double));
    if (gb == NULL)
        rc = vn_fail(err, vn_mem_failure(&mem), "out of memory computing mask IoU");
    a = rc == VERNIER_OK ? decode_many(&ar, &mem, dt, dt_len, dt_hw, m, "dt", &rc, err) : NULL;
    if (a != NULL)
        b = decode_many(&ar, &mem, gt, gt_len, gt_hw, n, "gt", &rc, err);
    if (b != NULL)
        iou_rles(out, a, m, b, n, iscrowd, gb);
    vn_arena_release(&ar);
    return rc;
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
