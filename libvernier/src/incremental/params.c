/* params.c — canonical parameters (the partial format's parameters
 * section, encoded and parsed) and the ground-truth dataset digest. */
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "common/vn_error.h"
#include "eval/plan.h"
#include "incremental/params.h"
#include "incremental/wire.h"

const char *const PF_NAME[PF_COUNT] = {
    "iou_type", "parity_mode", "use_cats", "dilation_ratio", "iou_thresholds",
    "recall_thresholds", "area_ranges", "max_dets", "sigmas"};

typedef struct sigma_set {
    int64_t id;
    size_t n;
    const double *v;
} sigma_set;

static int cmp_sigma_set(const void *a, const void *b)
{
    const sigma_set *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int sigmas_ok(const double *v, size_t n)
{
    size_t j;
    if (n < 1 || n > VN_MAX_KEYPOINTS || v == NULL)
        return 0;
    for (j = 0; j < n; j++)
        if (!(v[j] > 0) || v[j] > 1e300)
            return 0;
    return 1;
}

static int same_doubles(const double *a, size_t na, const double *b, size_t nb)
{
    size_t j;
    if (na != nb)
        return 0;
    for (j = 0; j < na; j++)
        if (f64_bits(a[j]) != f64_bits(b[j]))
            return 0;
    return 1;
}

static void params_write(wcur *w, const vn_plan *plan, const double *dflt, size_t n_dflt,
                         const sigma_set *sets, size_t n_sets)
{
    size_t i, j;
    w_u8(w, (uint8_t)plan->iou_type);
    w_u8(w, (uint8_t)plan->parity_mode);
    w_u8(w, (uint8_t)plan->use_cats);
    w_u8(w, 0);
    w_f64(w, plan->iou_type == VERNIER_IOU_BOUNDARY ? plan->dilation_ratio : 0.0);
    w_u32(w, (uint32_t)plan->T);
    for (i = 0; i < plan->T; i++)
        w_f64(w, plan->iou_thrs[i]);
    w_u32(w, (uint32_t)plan->R);
    for (i = 0; i < plan->R; i++)
        w_f64(w, plan->rec_thrs[i]);
    w_u32(w, (uint32_t)plan->A);
    for (i = 0; i < plan->A; i++) {
        size_t len = strlen(plan->area_lbl[i]);
        w_f64(w, plan->area_rng[i][0]);
        w_f64(w, plan->area_rng[i][1]);
        w_u8(w, (uint8_t)len);
        w_bytes(w, plan->area_lbl[i], len);
    }
    w_u32(w, (uint32_t)plan->M);
    for (i = 0; i < plan->M; i++)
        w_u64(w, (uint64_t)plan->max_dets[i]);
    w_u32(w, (uint32_t)n_dflt);
    for (j = 0; j < n_dflt; j++)
        w_f64(w, dflt[j]);
    w_u32(w, (uint32_t)n_sets);
    for (i = 0; i < n_sets; i++) {
        w_u64(w, (uint64_t)sets[i].id);
        w_u32(w, (uint32_t)sets[i].n);
        for (j = 0; j < sets[i].n; j++)
            w_f64(w, sets[i].v[j]);
    }
}

int vn_params_encode(vn_arena *ar, const vn_plan *plan, const vernier_eval_options *opts,
                     uint8_t **out, size_t *out_len, vernier_error *err)
{
    double coco[VN_COCO_KEYPOINTS];
    const double *dflt = NULL;
    size_t n_dflt = 0, n_sets = 0, i, off;
    sigma_set *sets = NULL;
    wcur w = {NULL, 0};
    if (plan->iou_type == VERNIER_IOU_KEYPOINTS) {
        if (opts->sigmas != NULL) {
            if (!sigmas_ok(opts->sigmas, opts->n_sigmas))
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "sigmas must be 1 to %d finite values > 0", VN_MAX_KEYPOINTS);
            dflt = opts->sigmas;
            n_dflt = opts->n_sigmas;
        } else {
            vn_coco_sigmas(coco);
            dflt = coco;
            n_dflt = VN_COCO_KEYPOINTS;
        }
        if (opts->n_category_sigmas > 0) {
            if (opts->category_sigma_ids == NULL || opts->category_sigma_counts == NULL ||
                opts->category_sigma_values == NULL)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "per-category sigmas need ids, counts and values");
            sets = vn_arena_array(ar, opts->n_category_sigmas, sizeof(sigma_set));
            if (sets == NULL)
                return vn_mem_failure(ar->mem);
            /* the override a category ends up with: the last one given;
             * one equal to the default list resolves to the default */
            for (i = 0, off = 0; i < opts->n_category_sigmas; i++) {
                size_t n = opts->category_sigma_counts[i], j;
                const double *v = opts->category_sigma_values + off;
                if (!sigmas_ok(v, n))
                    return vn_fail(err, VERNIER_E_INVALID_ARG,
                                   "sigmas of category %lld must be 1 to %d finite values > 0",
                                   (long long)opts->category_sigma_ids[i], VN_MAX_KEYPOINTS);
                off += n;
                for (j = 0; j < n_sets && sets[j].id != opts->category_sigma_ids[i]; j++)
                    ;
                sets[j].id = opts->category_sigma_ids[i];
                sets[j].n = n;
                sets[j].v = v;
                if (j == n_sets)
                    n_sets++;
            }
            for (i = 0, off = 0; i < n_sets; i++)
                if (!same_doubles(sets[i].v, sets[i].n, dflt, n_dflt))
                    sets[off++] = sets[i];
            n_sets = off;
            qsort(sets, n_sets, sizeof(sigma_set), cmp_sigma_set);
        }
    }
    params_write(&w, plan, dflt, n_dflt, sets, n_sets);
    *out = vn_arena_alloc(ar, w.n);
    if (*out == NULL)
        return vn_mem_failure(ar->mem);
    *out_len = w.n;
    w.p = *out;
    w.n = 0;
    params_write(&w, plan, dflt, n_dflt, sets, n_sets);
    return VERNIER_OK;
}

int vn_params_parse(const uint8_t *p, size_t n, pview *v)
{
    cursor c = {p, p + n};
    const uint8_t *b;
    size_t i, start;
    uint32_t k;
    memset(v, 0, sizeof(*v));
#define FIELD_START(f) (start = (size_t)(c.p - p), v->off[f] = start)
#define FIELD_END(f) (v->len[f] = (size_t)(c.p - p) - v->off[f])
    if (!take(&c, 4, &b))
        return 0;
    v->iou_type = b[0];
    v->parity_mode = b[1];
    v->use_cats = b[2];
    v->off[PF_IOU] = 0, v->len[PF_IOU] = 1;
    v->off[PF_PARITY] = 1, v->len[PF_PARITY] = 1;
    v->off[PF_USE_CATS] = 2, v->len[PF_USE_CATS] = 1;
    if (v->iou_type > VERNIER_IOU_KEYPOINTS || v->parity_mode > VERNIER_PARITY_CORRECTED ||
        v->use_cats > 1 || b[3] != 0)
        return 0;
    FIELD_START(PF_DILATION);
    if (!take(&c, 8, &b))
        return 0;
    FIELD_END(PF_DILATION);
    /* IoU thresholds */
    FIELD_START(PF_IOU_THRS);
    if (!take(&c, 4, &b) || (k = get_u32(b)) < 1 || k > VERNIER_MAX_IOU_THRESHOLDS || !take(&c, (size_t)k * 8, &b))
        return 0;
    v->T = k;
    FIELD_END(PF_IOU_THRS);
    FIELD_START(PF_REC_THRS);
    if (!take(&c, 4, &b) || (k = get_u32(b)) < 1 || k > VERNIER_MAX_RECALL_THRESHOLDS || !take(&c, (size_t)k * 8, &b))
        return 0;
    FIELD_END(PF_REC_THRS);
    FIELD_START(PF_AREAS);
    if (!take(&c, 4, &b) || (k = get_u32(b)) < 1 || k > VERNIER_MAX_AREA_RANGES)
        return 0;
    v->A = k;
    for (i = 0; i < v->A; i++) {
        size_t len;
        if (!take(&c, 17, &b))
            return 0;
        len = b[16];
        if (len < 1 || len > VERNIER_MAX_AREA_LABEL || !take(&c, len, &b))
            return 0;
    }
    FIELD_END(PF_AREAS);
    FIELD_START(PF_MAX_DETS);
    if (!take(&c, 4, &b) || (k = get_u32(b)) < 1 || k > VERNIER_MAX_MAX_DETS ||
        !take(&c, (size_t)k * 8, &b))
        return 0;
    v->M = k;
    for (i = 0; i < v->M; i++) {
        uint64_t m = get_u64(b + 8 * i);
        if (m > UINT32_MAX || (i > 0 && m <= (uint64_t)v->max_det))
            return 0;
        v->max_det = (int64_t)m;
    }
    FIELD_END(PF_MAX_DETS);
    FIELD_START(PF_SIGMAS);
    if (!take(&c, 4, &b) || (k = get_u32(b)) > VN_MAX_KEYPOINTS || !take(&c, (size_t)k * 8, &b))
        return 0;
    if (!take(&c, 4, &b))
        return 0;
    k = get_u32(b);
    for (i = 0; i < k; i++) {
        uint32_t ns;
        if (!take(&c, 12, &b) || (ns = get_u32(b + 8)) < 1 || ns > VN_MAX_KEYPOINTS ||
            !take(&c, (size_t)ns * 8, &b))
            return 0;
    }
    FIELD_END(PF_SIGMAS);
    (void)start;
#undef FIELD_START
#undef FIELD_END
    return c.p == c.end;
}

/* ---- dataset digest ------------------------------------------------------ */

/* Streams little-endian fields into SHA-256 through a staging buffer. */
typedef struct hstream {
    vn_sha256_ctx sha;
    uint8_t buf[4096];
    size_t n;
} hstream;

static void h_flush(hstream *h)
{
    vn_sha256_update(&h->sha, h->buf, h->n);
    h->n = 0;
}

static void h_bytes(hstream *h, const void *src, size_t n)
{
    const uint8_t *s = src;
    while (n > 0) {
        size_t k = sizeof(h->buf) - h->n < n ? sizeof(h->buf) - h->n : n;
        memcpy(h->buf + h->n, s, k);
        h->n += k;
        s += k;
        n -= k;
        if (h->n == sizeof(h->buf))
            h_flush(h);
    }
}

static void h_u64(hstream *h, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    h_bytes(h, b, 8);
}

/* Doubles by value: -0.0 and 0.0 are one value (the sum with +0.0). */
static void h_f64(hstream *h, double v) { h_u64(h, f64_bits(v + 0.0)); }

void vn_digest_dataset(const vernier_dataset *ds, uint8_t out[VN_SHA256_LEN])
{
    static const char TAG[16] = "vernier-gt-v1";
    hstream h;
    size_t i, j, q;
    vn_sha256_init(&h.sha);
    h.n = 0;
    h_bytes(&h, TAG, sizeof(TAG));
    h_u64(&h, ds->n_images);
    for (i = 0; i < ds->n_images; i++) {
        h_u64(&h, (uint64_t)ds->image_id[i]);
        h_u64(&h, (uint64_t)ds->image_width[i]);
        h_u64(&h, (uint64_t)ds->image_height[i]);
    }
    h_u64(&h, ds->n_categories);
    for (i = 0; i < ds->n_categories; i++) {
        h_u64(&h, (uint64_t)ds->category_id[i]);
        h_u64(&h, (uint64_t)ds->category_n_kp[i]);
    }
    h_u64(&h, ds->n_anns);
    for (i = 0; i < ds->n_anns; i++) {
        const vn_seg *sg = ds->segs.seg != NULL && i < ds->segs.n ? &ds->segs.seg[i] : NULL;
        h_u64(&h, (uint64_t)ds->ann_id[i]);
        h_u64(&h, (uint64_t)ds->ann_image_id[i]);
        h_u64(&h, (uint64_t)ds->ann_category_id[i]);
        for (j = 0; j < 4; j++)
            h_f64(&h, ds->ann_bbox[4 * i + j]);
        h_f64(&h, ds->ann_area[i]);
        h_u64(&h, ds->ann_iscrowd[i]);
        h_u64(&h, ds->ann_ignore[i]);
        h_u64(&h, (uint64_t)ds->ann_num_keypoints[i]);
        h_u64(&h, ds->ann_flags[i]);
        if (sg == NULL) {
            h_u64(&h, VN_SEG_NONE);
        } else {
            h_u64(&h, sg->kind);
            h_u64(&h, sg->h);
            h_u64(&h, sg->w);
            h_u64(&h, sg->len);
            if (sg->kind == VN_SEG_POLY) {
                for (j = 0; j < sg->len; j++) {
                    const vn_part *pt = &ds->segs.parts[sg->off + j];
                    h_u64(&h, pt->len);
                    for (q = 0; q < pt->len; q++)
                        h_f64(&h, ds->segs.coords[pt->off + q]);
                }
            } else if (sg->kind == VN_SEG_COUNTS) {
                for (j = 0; j < sg->len; j++)
                    h_u64(&h, ds->segs.counts[sg->off + j]);
            } else if (sg->kind == VN_SEG_STRING) {
                h_bytes(&h, ds->segs.chars + sg->off, sg->len);
            }
        }
        if (ds->kps.item != NULL && i < ds->kps.n) {
            const vn_part *kp = &ds->kps.item[i];
            h_u64(&h, kp->len);
            for (q = 0; q < kp->len; q++)
                h_f64(&h, ds->kps.vals[kp->off + q]);
        } else {
            h_u64(&h, 0);
        }
    }
    h_flush(&h);
    vn_sha256_final(&h.sha, out);
}

int vernier_dataset_digest(const vernier_dataset *ds, uint8_t out[VERNIER_DIGEST_SIZE])
{
    if (ds == NULL || out == NULL)
        return VERNIER_E_INVALID_ARG;
    vn_digest_dataset(ds, out);
    return VERNIER_OK;
}

