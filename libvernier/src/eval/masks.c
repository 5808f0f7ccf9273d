/* masks.c — from stored segmentations to masks, and the dataset's cache of
 * derived ground-truth masks and Boundary IoU bands (ADR 0020). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "common/vn_error.h"
#include "eval/masks.h"
#include "mask/boundary.h"
#include "mask/polygon.h"

typedef struct band_set {
    double ratio;
    vn_rle *band;     /* one per annotation */
    uint8_t *done;
    size_t count;     /* entries done */
    struct band_set *next;
} band_set;

struct vn_mask_cache {
    pthread_mutex_t lock;
    vn_mem mem;       /* the cache's own accounting (readers run concurrently) */
    vn_arena arena;   /* counts of every cached mask and band */
    size_t n;         /* annotations of the dataset */
    vn_rle *mask;     /* n entries once used */
    uint8_t *done;
    size_t count;
    band_set *bands;
    size_t users;     /* evaluations holding borrowed pointers */
};

int vn_mask_cache_init(vernier_dataset *ds)
{
    vn_mask_cache *c = vn_malloc(&ds->mem, sizeof(*c));
    if (c == NULL)
        return vn_mem_failure(&ds->mem);
    memset(c, 0, sizeof(*c));
    if (pthread_mutex_init(&c->lock, NULL) != 0) {
        vn_free(&ds->mem, c, sizeof(*c));
        return VERNIER_E_NOMEM;
    }
    vn_mem_init(&c->mem, &ds->mem.alc);
    vn_arena_init(&c->arena, &c->mem);
    c->n = ds->n_anns;
    ds->cache = c;
    return VERNIER_OK;
}

/* Drops every derived entry (the lock must be held). */
static void cache_reset(vn_mask_cache *c)
{
    vn_arena_release(&c->arena);
    c->mask = NULL;
    c->done = NULL;
    c->count = 0;
    c->bands = NULL;
}

void vn_mask_cache_free(vernier_dataset *ds, vn_mem *m)
{
    vn_mask_cache *c = ds->cache;
    if (c == NULL)
        return;
    cache_reset(c);
    pthread_mutex_destroy(&c->lock);
    vn_free(m, c, sizeof(*c));
    ds->cache = NULL;
}

size_t vn_mask_cache_len(const vernier_dataset *ds, int kind)
{
    vn_mask_cache *c = ds->cache;
    size_t n = 0;
    band_set *b;
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&c->lock);
    if (kind == 0) {
        n = c->count;
    } else {
        for (b = c->bands; b != NULL; b = b->next)
            n += b->count;
    }
    pthread_mutex_unlock(&c->lock);
    return n;
}

int vn_mask_cache_clear(const vernier_dataset *ds)
{
    vn_mask_cache *c = ds->cache;
    int rc = VERNIER_OK;
    if (c == NULL)
        return VERNIER_OK;
    pthread_mutex_lock(&c->lock);
    if (c->users > 0)
        rc = VERNIER_E_STATE;
    else
        cache_reset(c);
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void vn_mask_cache_acquire(const vernier_dataset *ds)
{
    vn_mask_cache *c = ds->cache;
    pthread_mutex_lock(&c->lock);
    c->users++;
    pthread_mutex_unlock(&c->lock);
}

void vn_mask_cache_release(const vernier_dataset *ds)
{
    vn_mask_cache *c = ds->cache;
    pthread_mutex_lock(&c->lock);
    c->users--;
    pthread_mutex_unlock(&c->lock);
}

size_t vn_mask_cache_bytes(const vernier_dataset *ds)
{
    vn_mask_cache *c = ds->cache;
    size_t n;
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&c->lock);
    n = c->mem.used;
    pthread_mutex_unlock(&c->lock);
    return n;
}

/* ---- making one mask --------------------------------------------------- */

static int fail_seg(vernier_error *err, int code, const char *array, size_t i, uint64_t at,
                    const char *fmt, const char *detail)
{
    char path[96], msg[sizeof(((vernier_error *)0)->message)];
    snprintf(path, sizeof(path), "%s[%zu].segmentation", array, i);
    snprintf(msg, sizeof(msg), fmt, detail);
    vn_fail(err, code, "%s: %s", path, msg);
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)i, (int64_t)at);
    if (array[0] == '\0')
        vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i);
    return code;
}

/* Rasterises the polygon parts of `seg` at h x w and merges them, as
 * frPyObjects + merge do.  pycocotools dispatches on the first part's
 * length: exactly 4 values take its box path (which fails on a list) and
 * fewer fail too, so a first part needs at least 5 values. */
static int poly_mask(const vn_segs *s, const vn_seg *seg, int64_t h, int64_t w, vn_arena *ar,
                     vn_rle *out, const char *array, size_t i, vernier_error *err)
{
    vn_arena tmp;
    vn_rle *parts;
    size_t p;
    int rc;
    if (seg->len == 0)
        return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at,
                        "%s", "an empty polygon list has no mask (pycocotools raises IndexError)");
    if (s->parts[seg->off].len <= 4)
        return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at,
                        "%s", "the first polygon has fewer than 3 points (pycocotools cannot "
                              "rasterise it)");
    if (h < 0 || w < 0)
        return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at, "%s",
                        "its image has no height/width, which rasterising a polygon needs");
    if ((uint64_t)h * (uint64_t)w > UINT32_MAX)
        return fail_seg(err, VERNIER_E_LIMIT, array, i, seg->at, "%s",
                        "its image has more than 2^32-1 pixels");
    if (seg->len == 1) {
        const vn_part *pt = &s->parts[seg->off];
        rc = vn_rle_from_poly(ar, s->coords + pt->off, pt->len / 2, (uint32_t)h, (uint32_t)w, out);
        if (rc == VERNIER_E_LIMIT)
            return fail_seg(err, rc, array, i, seg->at, "%s",
                            "a polygon coordinate is too large to rasterise");
        return rc;
    }
    vn_arena_init(&tmp, ar->mem);
    parts = vn_arena_array(&tmp, seg->len, sizeof(vn_rle));
    rc = parts == NULL ? vn_mem_failure(ar->mem) : VERNIER_OK;
    for (p = 0; rc == VERNIER_OK && p < seg->len; p++) {
        const vn_part *pt = &s->parts[seg->off + p];
        rc = vn_rle_from_poly(&tmp, s->coords + pt->off, pt->len / 2, (uint32_t)h, (uint32_t)w,
                              &parts[p]);
    }
    if (rc == VERNIER_OK)
        rc = vn_rle_merge(ar, parts, seg->len, 0, out);
    vn_arena_release(&tmp);
    if (rc == VERNIER_E_LIMIT)
        return fail_seg(err, rc, array, i, seg->at, "%s",
                        "a polygon coordinate is too large to rasterise");
    return rc;
}

static int seg_mask(const vn_segs *s, size_t i, int64_t h, int64_t w, vn_arena *ar, vn_rle *out,
                    const char *array, vernier_error *err)
{
    vernier_error rle_err;
    const vn_seg *seg;
    int rc;
    if (i >= s->n || s->seg[i].kind == VN_SEG_NONE)
        return fail_seg(err, VERNIER_E_SCHEMA, array, i, i < s->n ? s->seg[i].at : 0, "%s",
                        "missing: segm evaluation needs a mask (pycocotools raises KeyError)");
    seg = &s->seg[i];
    vn_error_init(&rle_err);
    switch (seg->kind) {
    case VN_SEG_POLY:
        return poly_mask(s, seg, h, w, ar, out, array, i, err);
    case VN_SEG_COUNTS:
        rc = vn_rle_from_counts(ar, s->counts + seg->off, seg->len, seg->h, seg->w, out, &rle_err);
        break;
    case VN_SEG_STRING:
        rc = vn_rle_from_string(ar, s->chars + seg->off, seg->len, seg->h, seg->w, out, &rle_err);
        break;
    default:
        return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at, "%s",
                        "expected a list of polygons (lists of numbers) or an RLE object "
                        "{\"size\": [h, w], \"counts\": ...}");
    }
    if (rc == VERNIER_E_RLE || rc == VERNIER_E_LIMIT) {
        char detail[200];
        snprintf(detail, sizeof(detail), "%.190s", rle_err.message);
        return fail_seg(err, rc, array, i, seg->at, "invalid RLE: %s", detail);
    }
    return rc;
}

int vn_seg_check_polygons(const vn_segs *s, size_t i, const char *array, vernier_error *err)
{
    const vn_seg *seg;
    uint32_t p;
    if (i >= s->n || s->seg[i].kind != VN_SEG_POLY)
        return VERNIER_OK;
    seg = &s->seg[i];
    for (p = 0; p < seg->len; p++) {
        uint32_t n = s->parts[seg->off + p].len;
        if (n % 2 != 0)
            return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at, "%s",
                            "a polygon has an odd number of coordinates (corrected mode refuses "
                            "it; pycocotools drops the last value)");
        if (n < 6)
            return fail_seg(err, VERNIER_E_SCHEMA, array, i, seg->at, "%s",
                            "a polygon has fewer than 3 points (corrected mode refuses it)");
    }
    return VERNIER_OK;
}

int vn_dt_mask(const vernier_results *res, uint32_t r, int64_t img_h, int64_t img_w, vn_arena *ar,
               vn_rle *out, vernier_error *err)
{
    if (res->kind == VERNIER_RESULTS_BBOX &&
        (r >= res->segs.n || res->segs.seg[r].kind == VN_SEG_NONE)) {
        /* loadRes: [[x1, y1, x1, y2, x2, y2, x2, y1]] from the box */
        const double *bb = res->bbox + 4 * (size_t)r;
        double x1 = bb[0], y1 = bb[1], x2 = bb[0] + bb[2], y2 = bb[1] + bb[3];
        double xy[8];
        int rc;
        xy[0] = x1; xy[1] = y1; xy[2] = x1; xy[3] = y2;
        xy[4] = x2; xy[5] = y2; xy[6] = x2; xy[7] = y1;
        if (img_h < 0 || img_w < 0)
            return fail_seg(err, VERNIER_E_SCHEMA, "", r, res->offset[r], "%s",
                            "its image has no height/width, which the box's mask needs");
        if ((uint64_t)img_h * (uint64_t)img_w > UINT32_MAX)
            return fail_seg(err, VERNIER_E_LIMIT, "", r, res->offset[r], "%s",
                            "its image has more than 2^32-1 pixels");
        rc = vn_rle_from_poly(ar, xy, 4, (uint32_t)img_h, (uint32_t)img_w, out);
        if (rc == VERNIER_E_LIMIT)
            return fail_seg(err, rc, "", r, res->offset[r], "%s",
                            "a box coordinate is too large to rasterise");
        return rc;
    }
    return seg_mask(&res->segs, r, img_h, img_w, ar, out, "", err);
}

/* ---- the cache --------------------------------------------------------- */

static int ensure_arrays(vn_mask_cache *c, vn_rle **rle, uint8_t **done)
{
    if (*rle != NULL)
        return VERNIER_OK;
    *rle = vn_arena_array(&c->arena, c->n, sizeof(vn_rle));
    *done = vn_arena_zarray(&c->arena, c->n, 1);
    if (*rle == NULL || *done == NULL)
        return vn_mem_failure(&c->mem);
    return VERNIER_OK;
}

/* Masks of anns[0..n) into the cache (lock held). */
static int fill_masks(const vernier_dataset *ds, vn_mask_cache *c, const uint32_t *anns,
                      const int64_t *img_hw, size_t n, vernier_error *err)
{
    size_t i;
    VN_TRY(ensure_arrays(c, &c->mask, &c->done));
    for (i = 0; i < n; i++) {
        uint32_t a = anns[i];
        int rc;
        if (c->done[a])
            continue;
        rc = seg_mask(&ds->segs, a, img_hw[2 * i], img_hw[2 * i + 1], &c->arena, &c->mask[a],
                      "annotations", err);
        if (rc != VERNIER_OK) {
            if (rc != VERNIER_E_NOMEM && rc != VERNIER_E_BUDGET)
                vn_error_set_field(err, VERNIER_ERROR_HAS_ANNOTATION_ID, ds->ann_id[a]);
            return rc;
        }
        c->done[a] = 1;
        c->count++;
    }
    return VERNIER_OK;
}

int vn_gt_masks(const vernier_dataset *ds, const uint32_t *anns, const int64_t *img_hw, size_t n,
                const vn_rle **out, vernier_error *err)
{
    vn_mask_cache *c = ds->cache;
    size_t i;
    int rc;
    pthread_mutex_lock(&c->lock);
    rc = fill_masks(ds, c, anns, img_hw, n, err);
    if (rc == VERNIER_OK)
        for (i = 0; i < n; i++)
            out[i] = &c->mask[anns[i]];
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int vn_gt_bands(const vernier_dataset *ds, double ratio, const uint32_t *anns,
                const int64_t *img_hw, size_t n, const vn_rle **out, vernier_error *err)
{
    vn_mask_cache *c = ds->cache;
    band_set *b;
    size_t i;
    int rc;
    pthread_mutex_lock(&c->lock);
    rc = fill_masks(ds, c, anns, img_hw, n, err);
    for (b = c->bands; rc == VERNIER_OK && b != NULL; b = b->next)
        if (b->ratio == ratio)
            break;
    if (rc == VERNIER_OK && b == NULL) {
        b = vn_arena_zalloc(&c->arena, sizeof(*b));
        if (b == NULL) {
            rc = vn_mem_failure(&c->mem);
        } else {
            b->ratio = ratio;
            rc = ensure_arrays(c, &b->band, &b->done);
            if (rc == VERNIER_OK) {
                b->next = c->bands;
                c->bands = b;
            }
        }
    }
    for (i = 0; rc == VERNIER_OK && i < n; i++) {
        uint32_t a = anns[i];
        const vn_rle *m = &c->mask[a];
        if (!b->done[a]) {
            rc = vn_boundary_band(&c->arena, m, vn_boundary_dilation(ratio, m->h, m->w),
                                  &b->band[a]);
            if (rc != VERNIER_OK)
                break;
            b->done[a] = 1;
            b->count++;
        }
        out[i] = &b->band[a];
    }
    if (rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET)
        vn_fail(err, rc, "%s while deriving boundary bands", vernier_status_string(rc));
    pthread_mutex_unlock(&c->lock);
    return rc;
}
