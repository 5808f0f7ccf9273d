/* partial.c — the partial format (docs/reference/partial-format.md):
 * writing a session's committed state as a blob, reading blobs back, and
 * the N-way merge.
 *
 * A session keeps, per (image, category) cell that got detections, the
 * kept detections' scores and outcome codes; that is all accumulate needs
 * of an image besides the ground truth.  A partial is exactly that state
 * for the images one rank covered, re-ordered canonically (by image id,
 * then category) and compressed: the A outcome codes of a detection are
 * replaced by an index into a dictionary of the distinct A-tuples (a few
 * hundred at most in practice, so one byte), and the scores are stored as
 * float64, float32 (when every score is a float32 value, as a float32
 * network output is) or through a dictionary of distinct values --
 * whichever is smallest.  Merging rebuilds a session from the ground truth
 * and the blobs' records and finalizes it, so the merged evaluation runs
 * the same accumulate on the same arrays as a one-shot evaluation.
 *
 * Blobs are untrusted: every read is bounds-checked against the blob,
 * every count is checked against the bytes that must hold it before
 * anything is allocated for it, and the outcome codes are checked to be
 * ones matching can produce (accumulate relies on at most npig true
 * positives per cell).  Writing is a pure function of the decoded content,
 * so read -> write -> read -> write is byte-identical. */
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/coco.h"
#include "eval/accum.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "eval/result.h"
#include "eval/summary.h"
#include "common/hashmap.h"
#include "incremental/session.h"
#include "common/sha256.h"
#include "common/vn_error.h"

typedef char vn_double_is_64_bits[sizeof(double) == 8 ? 1 : -1];
typedef char vn_float_is_32_bits[sizeof(float) == 4 ? 1 : -1];

#define NONE32 UINT32_MAX
#define HEADER_SIZE 168
#define TRAILER_SIZE VN_SHA256_LEN
static const uint8_t MAGIC[8] = {0x89, 'V', 'N', 'P', 0x0D, 0x0A, 0x1A, 0x0A};

/* header field offsets (all little-endian) */
enum {
    OFF_VERSION = 8,       /* u32 */
    OFF_HEADER_SIZE = 12,  /* u32 */
    OFF_TOTAL = 16,        /* u64 */
    OFF_RANK = 24,         /* u32 */
    OFF_IOU = 28,          /* u8 */
    OFF_PARITY = 29,       /* u8 */
    OFF_USE_CATS = 30,     /* u8 */
    OFF_SCORE_ENC = 31,    /* u8 */
    OFF_DATASET = 32,      /* 32 bytes */
    OFF_PARAMS_DIGEST = 64,/* 32 bytes */
    OFF_N_GT_IMAGES = 96,  /* u32 */
    OFF_N_GT_CATS = 100,   /* u32 */
    OFF_N_IMAGES = 104,    /* u64 */
    OFF_N_RECORDS = 112,   /* u64 */
    OFF_N_DETS = 120,      /* u64 */
    OFF_N_ODICT = 128,     /* u64 */
    OFF_N_SDICT = 136,     /* u64 */
    OFF_LEN_PARAMS = 144,  /* u64 */
    OFF_LEN_IMAGES = 152,  /* u64 */
    OFF_LEN_RECORDS = 160  /* u64 */
};

enum { SCORES_F64 = 0, SCORES_F32 = 1, SCORES_DICT = 2 };

/* ---- little-endian bytes ------------------------------------------------- */

static void put_u32(uint8_t *p, uint32_t v)
{
    size_t i;
    for (i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    size_t i;
    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static uint64_t f64_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
}

static double bits_f64(uint64_t u)
{
    double v;
    memcpy(&v, &u, 8);
    return v;
}

/* Bytes of an index into a dictionary of n entries (1 to 4). */
static size_t index_width(uint64_t n)
{
    return n <= 0x100u ? 1 : n <= 0x10000u ? 2 : n <= 0x1000000u ? 3 : 4;
}

static void put_index(uint8_t *p, size_t w, uint32_t v)
{
    size_t i;
    for (i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_index(const uint8_t *p, size_t w)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < w; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A bounds-checked read position. */
typedef struct cursor {
    const uint8_t *p, *end;
} cursor;

/* LEB128, at most 10 bytes; 0 on truncation or overflow. */
static int get_varint(cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (shift == 63 && b > 1)
            return 0;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
        shift += 7;
        if (shift > 63)
            return 0;
    }
    return 0;
}

static int take(cursor *c, size_t n, const uint8_t **out)
{
    if ((size_t)(c->end - c->p) < n)
        return 0;
    *out = c->p;
    c->p += n;
    return 1;
}

/* Image ids map to unsigned keys in the same order (sign bit flipped). */
static uint64_t id_key(int64_t id) { return (uint64_t)id ^ ((uint64_t)1 << 63); }
static int64_t key_id(uint64_t k)
{
    uint64_t u = k ^ ((uint64_t)1 << 63);
    int64_t v;
    memcpy(&v, &u, 8); /* two's complement reinterpretation, no UB */
    return v;
}

/* ---- parameters section --------------------------------------------------- */

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

/* A byte writer over a buffer sized beforehand (NULL base: just count). */
typedef struct wcur {
    uint8_t *p;
    size_t n;
} wcur;

static void w_bytes(wcur *w, const void *src, size_t n)
{
    if (w->p != NULL && n > 0)
        memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void w_u8(wcur *w, uint8_t v) { w_bytes(w, &v, 1); }

static void w_u32(wcur *w, uint32_t v)
{
    uint8_t b[4];
    put_u32(b, v);
    w_bytes(w, b, 4);
}

static void w_u64(wcur *w, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    w_bytes(w, b, 8);
}

static void w_f64(wcur *w, double v) { w_u64(w, f64_bits(v)); }

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
    double coco[17];
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
            n_dflt = 17;
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

/* A parameters section, parsed (bounds and ranges checked).  Each field's
 * byte range is kept so two sections can be compared field by field. */
enum { PF_IOU, PF_PARITY, PF_USE_CATS, PF_DILATION, PF_IOU_THRS, PF_REC_THRS, PF_AREAS,
       PF_MAX_DETS, PF_SIGMAS, PF_COUNT };
static const char *const PF_NAME[PF_COUNT] = {
    "iou_type", "parity_mode", "use_cats", "dilation_ratio", "iou_thresholds",
    "recall_thresholds", "area_ranges", "max_dets", "sigmas"};

typedef struct pview {
    int iou_type, parity_mode, use_cats;
    size_t T, A, M;
    int64_t max_det;
    size_t off[PF_COUNT], len[PF_COUNT];
} pview;

static int params_parse(const uint8_t *p, size_t n, pview *v)
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

static void digest_dataset(const vernier_dataset *ds, uint8_t out[VN_SHA256_LEN])
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
    digest_dataset(ds, out);
    return VERNIER_OK;
}

/* ---- content: what a partial holds, decoded ------------------------------- */

typedef struct prec {
    uint32_t image; /* position in the content's image list */
    uint32_t cat;   /* category index (0 when categories are pooled) */
    uint32_t n;     /* kept detections */
} prec;

typedef struct content {
    uint32_t rank_id;
    int iou_type, parity_mode, use_cats;
    uint32_t n_gt_images, n_gt_cats;
    uint8_t dataset_digest[VN_SHA256_LEN], params_digest[VN_SHA256_LEN];
    const uint8_t *params;
    size_t params_len;
    size_t A, T;
    size_t n_images;
    const int64_t *images; /* ascending */
    size_t n_recs;
    const prec *recs;      /* ascending (image, cat) */
    size_t n_dets;
    const double *scores;  /* record after record */
    const vn_outcome *outc;/* A per detection */
} content;

struct vernier_partial {
    vn_mem mem;
    vn_arena arena; /* owns everything the content points to */
    content c;
    size_t size;
};

/* ---- writing ------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9u;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x;
}

/* Dictionary coding of n items of `width` u64 words (items[i * width ..]):
 * idx[i] gets each item's entry, entries are numbered in order of first
 * occurrence; first[e] is the first item of entry e.  Returns the number of
 * entries, or SIZE_MAX when out of memory. */
static size_t dict_code(vn_arena *ar, const uint64_t *items, size_t width, size_t n,
                        uint32_t *idx, uint32_t **first_out)
{
    size_t cap = 16, i, n_dict = 0;
    uint32_t *slot, *first;
    while (cap < 2 * n)
        cap *= 2;
    slot = vn_arena_array(ar, cap, sizeof(uint32_t));
    first = vn_arena_array(ar, n + 1, sizeof(uint32_t));
    if (slot == NULL || first == NULL)
        return SIZE_MAX;
    memset(slot, 0xFF, cap * sizeof(uint32_t));
    for (i = 0; i < n; i++) {
        const uint64_t *it = items + i * width;
        uint64_t hsh = 0;
        size_t k, pos;
        for (k = 0; k < width; k++)
            hsh = mix64(hsh ^ it[k]) + k;
        for (pos = (size_t)hsh & (cap - 1);; pos = (pos + 1) & (cap - 1)) {
            uint32_t e = slot[pos];
            if (e == NONE32) {
                slot[pos] = (uint32_t)n_dict;
                first[n_dict] = (uint32_t)i;
                idx[i] = (uint32_t)n_dict++;
                break;
            }
            if (memcmp(items + (size_t)first[e] * width, it, width * 8) == 0) {
                idx[i] = e;
                break;
            }
        }
    }
    *first_out = first;
    return n_dict;
}

static int float_exact(double v)
{
    float f;
    if (!(v >= -FLT_MAX && v <= FLT_MAX))
        return 0; /* NaN, infinities, out of range: converting would be UB */
    f = (float)v;
    return f64_bits((double)f) == f64_bits(v);
}

static size_t add_size(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

static int encode(const content *c, vn_arena *scratch, const vernier_allocator *alc,
                  void **out, size_t *out_size, vernier_error *err)
{
    const size_t A = c->A, n = c->n_dets;
    size_t i, j, r, len_images = 0, len_records = 0, n_odict, n_sdict = 0, wo, ws = 0;
    size_t len_scores, total, odict_bytes, sdict_bytes = 0, all_f32 = 1;
    uint32_t *oidx, *sidx = NULL, *ofirst, *sfirst = NULL;
    int enc;
    uint8_t *blob, *p;
    vn_mem om;

    if (n >= UINT32_MAX || c->n_images >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "a partial holds at most 2^32-2 detections");
    /* images: first id (offset key) then gaps - 1 */
    for (i = 0; i < c->n_images; i++)
        len_images += varint_len(i == 0 ? id_key(c->images[0])
                                        : id_key(c->images[i]) - id_key(c->images[i - 1]) - 1);
    /* records, image by image */
    for (i = 0, r = 0; i < c->n_images; i++) {
        size_t r0 = r;
        while (r < c->n_recs && c->recs[r].image == i)
            r++;
        len_records += varint_len(r - r0);
        for (j = r0; j < r; j++) {
            uint32_t gap = j == r0 ? c->recs[j].cat : c->recs[j].cat - c->recs[j - 1].cat - 1;
            len_records += varint_len(gap) + varint_len(c->recs[j].n);
        }
    }
    /* outcome tuples and scores, dictionary-coded */
    oidx = vn_arena_array(scratch, n + 1, sizeof(uint32_t));
    if (oidx == NULL)
        return vn_mem_failure(scratch->mem);
    n_odict = dict_code(scratch, c->outc, A, n, oidx, &ofirst);
    if (n_odict == SIZE_MAX)
        return vn_mem_failure(scratch->mem);
    wo = index_width(n_odict);
    for (i = 0; i < n && all_f32; i++)
        all_f32 = float_exact(c->scores[i]);
    sidx = vn_arena_array(scratch, n + 1, sizeof(uint32_t));
    if (sidx == NULL)
        return vn_mem_failure(scratch->mem);
    {
        /* dict_code reads u64 words: the scores' bit patterns */
        uint64_t *bits = vn_arena_array(scratch, n + 1, sizeof(uint64_t));
        if (bits == NULL)
            return vn_mem_failure(scratch->mem);
        for (i = 0; i < n; i++)
            bits[i] = f64_bits(c->scores[i]);
        n_sdict = dict_code(scratch, bits, 1, n, sidx, &sfirst);
        if (n_sdict == SIZE_MAX)
            return vn_mem_failure(scratch->mem);
    }
    ws = index_width(n_sdict);
    {
        /* the smallest encoding; ties: float32, dictionary, float64 */
        size_t s32 = all_f32 ? 4 * n : SIZE_MAX, sd = 8 * n_sdict + ws * n, s64 = 8 * n;
        if (s32 <= sd && s32 <= s64)
            enc = SCORES_F32, len_scores = s32;
        else if (sd <= s64)
            enc = SCORES_DICT, len_scores = ws * n, sdict_bytes = 8 * n_sdict;
        else
            enc = SCORES_F64, len_scores = s64;
        if (enc != SCORES_DICT)
            n_sdict = 0;
    }
    odict_bytes = n_odict * A * 8;
    total = HEADER_SIZE;
    total = add_size(total, c->params_len);
    total = add_size(total, len_images);
    total = add_size(total, len_records);
    total = add_size(total, odict_bytes);
    total = add_size(total, sdict_bytes);
    total = add_size(total, len_scores);
    total = add_size(total, vn_mul_size(n, wo));
    total = add_size(total, TRAILER_SIZE);
    if (total == SIZE_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "the partial would not fit in memory");

    if (vn_mem_init(&om, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    blob = vn_malloc(&om, total);
    if (blob == NULL)
        return vn_fail(err, vn_mem_failure(&om), "out of memory allocating a %zu-byte partial",
                       total);
    memset(blob, 0, HEADER_SIZE);
    memcpy(blob, MAGIC, 8);
    put_u32(blob + OFF_VERSION, VERNIER_PARTIAL_FORMAT_VERSION);
    put_u32(blob + OFF_HEADER_SIZE, HEADER_SIZE);
    put_u64(blob + OFF_TOTAL, total);
    put_u32(blob + OFF_RANK, c->rank_id);
    blob[OFF_IOU] = (uint8_t)c->iou_type;
    blob[OFF_PARITY] = (uint8_t)c->parity_mode;
    blob[OFF_USE_CATS] = (uint8_t)c->use_cats;
    blob[OFF_SCORE_ENC] = (uint8_t)enc;
    memcpy(blob + OFF_DATASET, c->dataset_digest, VN_SHA256_LEN);
    memcpy(blob + OFF_PARAMS_DIGEST, c->params_digest, VN_SHA256_LEN);
    put_u32(blob + OFF_N_GT_IMAGES, c->n_gt_images);
    put_u32(blob + OFF_N_GT_CATS, c->n_gt_cats);
    put_u64(blob + OFF_N_IMAGES, c->n_images);
    put_u64(blob + OFF_N_RECORDS, c->n_recs);
    put_u64(blob + OFF_N_DETS, n);
    put_u64(blob + OFF_N_ODICT, n_odict);
    put_u64(blob + OFF_N_SDICT, n_sdict);
    put_u64(blob + OFF_LEN_PARAMS, c->params_len);
    put_u64(blob + OFF_LEN_IMAGES, len_images);
    put_u64(blob + OFF_LEN_RECORDS, len_records);
    p = blob + HEADER_SIZE;
    if (c->params_len > 0)
        memcpy(p, c->params, c->params_len);
    p += c->params_len;
    for (i = 0; i < c->n_images; i++)
        p = put_varint(p, i == 0 ? id_key(c->images[0])
                                 : id_key(c->images[i]) - id_key(c->images[i - 1]) - 1);
    for (i = 0, r = 0; i < c->n_images; i++) {
        size_t r0 = r;
        while (r < c->n_recs && c->recs[r].image == i)
            r++;
        p = put_varint(p, r - r0);
        for (j = r0; j < r; j++) {
            uint32_t gap = j == r0 ? c->recs[j].cat : c->recs[j].cat - c->recs[j - 1].cat - 1;
            p = put_varint(p, gap);
            p = put_varint(p, c->recs[j].n);
        }
    }
    for (i = 0; i < n_odict; i++)
        for (j = 0; j < A; j++, p += 8)
            put_u64(p, c->outc[(size_t)ofirst[i] * A + j]);
    if (enc == SCORES_DICT)
        for (i = 0; i < n_sdict; i++, p += 8)
            put_u64(p, f64_bits(c->scores[sfirst[i]]));
    for (i = 0; i < n; i++) {
        if (enc == SCORES_F64) {
            put_u64(p, f64_bits(c->scores[i]));
            p += 8;
        } else if (enc == SCORES_F32) {
            float f = (float)c->scores[i];
            uint32_t u;
            memcpy(&u, &f, 4);
            put_u32(p, u);
            p += 4;
        } else {
            put_index(p, ws, sidx[i]);
            p += ws;
        }
    }
    for (i = 0; i < n; i++, p += wo)
        put_index(p, wo, oidx[i]);
    vn_sha256(blob, total - TRAILER_SIZE, p);
    *out = blob;
    *out_size = total;
    return VERNIER_OK;
}

void vernier_buffer_free(void *buf, size_t size, const vernier_allocator *alc)
{
    vn_mem m;
    if (buf == NULL || vn_mem_init(&m, alc) != VERNIER_OK)
        return;
    m.used = size; /* the block is being given back, not tracked here */
    vn_free(&m, buf, size);
}

/* ---- reading ------------------------------------------------------------- */

/* A blob whose framing, checksum and structure were checked: the header
 * figures and where each section starts. */
typedef struct frame {
    const uint8_t *data;
    size_t size;
    uint32_t rank_id;
    int enc;
    uint32_t n_gt_images, n_gt_cats;
    size_t n_images, n_recs, n_dets, n_odict, n_sdict;
    size_t wo, ws;
    const uint8_t *params, *images, *records, *odict, *sdict, *scores, *oindex;
    size_t len_params, len_images, len_records;
    pview pv;
} frame;

/* Fails with `code`, naming blob `index` and the check in err->path. */
static int bad(vernier_error *err, int code, size_t index, const char *what, const char *fmt,
               ...) VN_PRINTF(5, 6);

static int bad(vernier_error *err, int code, size_t index, const char *what, const char *fmt,
               ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vn_fail(err, code, "partials[%zu]: %s", index, msg);
    if (err != NULL) {
        vn_error_set_path(err, what);
        err->index = (int64_t)index;
    }
    return code;
}

#define CORRUPT(what, ...) bad(err, VERNIER_E_PARTIAL_CORRUPT, index, what, __VA_ARGS__)

/* Length, magic, version, declared size, checksum, then the header's
 * counts against the section sizes and the parameters section. */
static int frame_check(frame *f, const void *data, size_t size, size_t index, vernier_error *err)
{
    const uint8_t *d = data;
    uint8_t sum[VN_SHA256_LEN];
    uint64_t total, n_dets, n_odict, n_sdict, rest;
    uint32_t version;
    size_t per_det;
    memset(f, 0, sizeof(*f));
    if (data == NULL && size > 0)
        return bad(err, VERNIER_E_INVALID_ARG, index, "data", "NULL data with size %zu", size);
    if (size < 12)
        return CORRUPT("length", "%zu bytes is too short for a partial (a header is %d)", size,
                       HEADER_SIZE);
    if (memcmp(d, MAGIC, 8) != 0)
        return CORRUPT("magic", "not a vernier partial (wrong magic number)");
    version = get_u32(d + OFF_VERSION);
    if (version != VERNIER_PARTIAL_FORMAT_VERSION)
        return bad(err, VERNIER_E_PARTIAL_VERSION, index, "version",
                   "format version %u; this library reads version %d", (unsigned)version,
                   VERNIER_PARTIAL_FORMAT_VERSION);
    if (size < HEADER_SIZE + TRAILER_SIZE)
        return CORRUPT("length", "truncated: %zu bytes, shorter than a header and checksum",
                       size);
    total = get_u64(d + OFF_TOTAL);
    if (total != size)
        return CORRUPT("length", "the header says %llu bytes but %zu were given%s",
                       (unsigned long long)total, size, total > size ? " (truncated)" : "");
    if (get_u32(d + OFF_HEADER_SIZE) != HEADER_SIZE)
        return CORRUPT("structure", "header size %u, expected %d",
                       (unsigned)get_u32(d + OFF_HEADER_SIZE), HEADER_SIZE);
    vn_sha256(d, size - TRAILER_SIZE, sum);
    if (memcmp(sum, d + size - TRAILER_SIZE, VN_SHA256_LEN) != 0)
        return CORRUPT("checksum", "checksum mismatch: the blob was altered or damaged");

    /* from here on the bytes are the writer's: what fails is a writer bug
     * or a forgery, still refused without reading out of bounds */
    f->data = d;
    f->size = size;
    f->rank_id = get_u32(d + OFF_RANK);
    f->enc = d[OFF_SCORE_ENC];
    f->n_gt_images = get_u32(d + OFF_N_GT_IMAGES);
    f->n_gt_cats = get_u32(d + OFF_N_GT_CATS);
    rest = size - HEADER_SIZE - TRAILER_SIZE;
    {
        uint64_t lp = get_u64(d + OFF_LEN_PARAMS), li = get_u64(d + OFF_LEN_IMAGES),
                 lr = get_u64(d + OFF_LEN_RECORDS);
        uint64_t ni = get_u64(d + OFF_N_IMAGES), nr = get_u64(d + OFF_N_RECORDS);
        if (lp > rest || li > rest - lp || lr > rest - lp - li)
            return CORRUPT("structure", "section lengths exceed the blob");
        /* each image takes at least one byte, each record two */
        if (ni > li || nr > lr / 2 || (ni == 0 && (li != 0 || lr != 0)) ||
            (ni > 0 && lr < ni))
            return CORRUPT("structure", "image or record counts do not fit their sections");
        f->len_params = (size_t)lp, f->len_images = (size_t)li, f->len_records = (size_t)lr;
        f->n_images = (size_t)ni, f->n_recs = (size_t)nr;
        rest -= lp + li + lr;
    }
    f->params = d + HEADER_SIZE;
    f->images = f->params + f->len_params;
    f->records = f->images + f->len_images;
    if (!params_parse(f->params, f->len_params, &f->pv))
        return CORRUPT("structure", "malformed parameters section");
    if (f->pv.iou_type != d[OFF_IOU] || f->pv.parity_mode != d[OFF_PARITY] ||
        f->pv.use_cats != d[OFF_USE_CATS])
        return CORRUPT("structure", "header and parameters section disagree");
    vn_sha256(f->params, f->len_params, sum);
    if (memcmp(sum, d + OFF_PARAMS_DIGEST, VN_SHA256_LEN) != 0)
        return CORRUPT("structure", "the parameters digest does not match the parameters");
    if (f->pv.use_cats && f->n_gt_cats == 0 && f->n_recs > 0)
        return CORRUPT("structure", "records but no categories");
    /* the fixed-size sections: exact sizes from the counts */
    n_dets = get_u64(d + OFF_N_DETS);
    n_odict = get_u64(d + OFF_N_ODICT);
    n_sdict = get_u64(d + OFF_N_SDICT);
    if (n_dets >= UINT32_MAX || n_odict > n_dets || n_sdict > n_dets ||
        (n_dets > 0 && n_odict == 0) || f->enc > SCORES_DICT ||
        (f->enc == SCORES_DICT) != (n_sdict > 0) || (f->enc == SCORES_DICT && n_dets == 0))
        return CORRUPT("structure", "inconsistent detection or dictionary counts");
    f->wo = index_width(n_odict);
    f->ws = f->enc == SCORES_DICT ? index_width(n_sdict) : 0;
    per_det = f->wo + (f->enc == SCORES_F64 ? 8 : f->enc == SCORES_F32 ? 4 : f->ws);
    /* every count is below 2^32 and A <= 16: no u64 product overflows */
    if (n_odict * f->pv.A * 8 + n_sdict * 8 + n_dets * per_det != rest)
        return CORRUPT("structure", "section sizes do not add up to the blob size");
    /* each fits in the blob, hence in size_t */
    f->n_dets = (size_t)n_dets, f->n_odict = (size_t)n_odict, f->n_sdict = (size_t)n_sdict;
    f->odict = f->records + f->len_records;
    f->sdict = f->odict + f->n_odict * f->pv.A * 8;
    f->scores = f->sdict + f->n_sdict * 8;
    f->oindex = f->scores + f->n_dets * (per_det - f->wo);
    return VERNIER_OK;
}

/* Decodes the image ids into ids[n_images] (ascending, checked). */
static int decode_images(const frame *f, int64_t *ids, size_t index, vernier_error *err)
{
    cursor c = {f->images, f->images + f->len_images};
    uint64_t key = 0, v;
    size_t i;
    for (i = 0; i < f->n_images; i++) {
        if (!get_varint(&c, &v))
            return CORRUPT("structure", "malformed image list");
        if (i == 0) {
            key = v;
        } else {
            if (v >= UINT64_MAX - key)
                return CORRUPT("structure", "image ids out of range");
            key += v + 1;
        }
        ids[i] = key_id(key);
    }
    if (c.p != c.end)
        return CORRUPT("structure", "trailing bytes in the image list");
    return VERNIER_OK;
}

/* Decodes everything: images, records, scores and outcomes (arrays sized
 * from the frame's counts). */
static int decode_all(const frame *f, int64_t *images, prec *recs, double *scores,
                      vn_outcome *outc, size_t index, vernier_error *err)
{
    const size_t A = f->pv.A, T = f->pv.T;
    const uint64_t tp_mask = T >= 32 ? 0xFFFFFFFFu : (((uint64_t)1 << T) - 1);
    const uint64_t valid = tp_mask | tp_mask << 32;
    const size_t K = f->pv.use_cats ? f->n_gt_cats : 1;
    cursor c;
    size_t i, j, r = 0, slots = 0;
    const uint8_t *p;
    VN_TRY(decode_images(f, images, index, err));
    if (f->n_images > f->n_gt_images)
        return CORRUPT("structure", "more images covered than the ground truth has");
    /* the outcome dictionary: codes matching can produce */
    for (i = 0; i < f->n_odict * A; i++) {
        uint64_t e = get_u64(f->odict + 8 * i);
        if ((e & ~valid) != 0 || (e & (e >> 32) & tp_mask) != 0)
            return CORRUPT("structure", "an outcome code no matching produces");
    }
    for (i = 0, p = f->oindex; i < f->n_dets; i++, p += f->wo) {
        uint32_t e = get_index(p, f->wo);
        if (e >= f->n_odict)
            return CORRUPT("structure", "outcome index out of range");
        for (j = 0; j < A; j++)
            outc[i * A + j] = get_u64(f->odict + ((size_t)e * A + j) * 8);
    }
    for (i = 0, p = f->scores; i < f->n_dets; i++) {
        if (f->enc == SCORES_F64) {
            scores[i] = bits_f64(get_u64(p));
            p += 8;
        } else if (f->enc == SCORES_F32) {
            uint32_t u = get_u32(p);
            float x;
            memcpy(&x, &u, 4);
            scores[i] = (double)x;
            p += 4;
        } else {
            uint32_t e = get_index(p, f->ws);
            if (e >= f->n_sdict)
                return CORRUPT("structure", "score index out of range");
            scores[i] = bits_f64(get_u64(f->sdict + (size_t)e * 8));
            p += f->ws;
        }
    }
    c.p = f->records;
    c.end = f->records + f->len_records;
    for (i = 0; i < f->n_images; i++) {
        uint64_t nr, gap, n;
        uint64_t cat = 0;
        if (!get_varint(&c, &nr) || nr > K || nr > f->n_recs - r)
            return CORRUPT("structure", "malformed record list");
        for (j = 0; j < nr; j++, r++) {
            if (!get_varint(&c, &gap) || !get_varint(&c, &n))
                return CORRUPT("structure", "malformed record list");
            if (j == 0)
                cat = gap;
            else if (gap >= K || (cat += gap + 1) >= K)
                return CORRUPT("structure", "record category out of range");
            if (cat >= K || n > (uint64_t)f->pv.max_det || n > f->n_dets - slots)
                return CORRUPT("structure", "record out of range");
            recs[r].image = (uint32_t)i;
            recs[r].cat = (uint32_t)cat;
            recs[r].n = (uint32_t)n;
            slots += (size_t)n;
        }
    }
    if (c.p != c.end || r != f->n_recs || slots != f->n_dets)
        return CORRUPT("structure", "the records do not account for every detection");
    return VERNIER_OK;
}

#undef CORRUPT

int vernier_partial_read(vernier_partial **out, const void *data, size_t size,
                         const vernier_allocator *alc, vernier_error *err)
{
    vernier_error local;
    vernier_partial *pp;
    frame f;
    vn_mem mem;
    content *c;
    int64_t *images;
    prec *recs;
    double *scores;
    vn_outcome *outc;
    uint8_t *params;
    int rc;
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    *out = NULL;
    vn_error_clear(&local);
    rc = frame_check(&f, data, size, 0, &local);
    if (rc != VERNIER_OK) {
        if (err != NULL)
            *err = local;
        return rc;
    }
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    pp = vn_calloc(&mem, 1, sizeof(*pp));
    if (pp == NULL)
        return vn_fail(err, vn_mem_failure(&mem), "out of memory reading a partial");
    pp->mem = mem;
    vn_arena_init(&pp->arena, &pp->mem);
    images = vn_arena_array(&pp->arena, f.n_images + 1, sizeof(int64_t));
    recs = vn_arena_array(&pp->arena, f.n_recs + 1, sizeof(prec));
    scores = vn_arena_array(&pp->arena, f.n_dets + 1, sizeof(double));
    outc = vn_arena_array(&pp->arena, f.n_dets + 1, f.pv.A * sizeof(vn_outcome));
    params = vn_arena_alloc(&pp->arena, f.len_params);
    if (images == NULL || recs == NULL || scores == NULL || outc == NULL || params == NULL) {
        rc = vn_fail(&local, vn_mem_failure(&pp->mem), "out of memory reading a partial");
    } else {
        rc = decode_all(&f, images, recs, scores, outc, 0, &local);
    }
    if (rc != VERNIER_OK) {
        vernier_partial_free(pp);
        if (err != NULL)
            *err = local;
        return rc;
    }
    memcpy(params, f.params, f.len_params);
    c = &pp->c;
    c->rank_id = f.rank_id;
    c->iou_type = f.pv.iou_type;
    c->parity_mode = f.pv.parity_mode;
    c->use_cats = f.pv.use_cats;
    c->n_gt_images = f.n_gt_images;
    c->n_gt_cats = f.n_gt_cats;
    memcpy(c->dataset_digest, f.data + OFF_DATASET, VN_SHA256_LEN);
    memcpy(c->params_digest, f.data + OFF_PARAMS_DIGEST, VN_SHA256_LEN);
    c->params = params;
    c->params_len = f.len_params;
    c->A = f.pv.A;
    c->T = f.pv.T;
    c->n_images = f.n_images;
    c->images = images;
    c->n_recs = f.n_recs;
    c->recs = recs;
    c->n_dets = f.n_dets;
    c->scores = scores;
    c->outc = outc;
    pp->size = size;
    *out = pp;
    return VERNIER_OK;
}

int vernier_partial_write(void **out, size_t *out_size, const vernier_partial *p,
                          const vernier_allocator *alc, vernier_error *err)
{
    vn_mem sm;
    vn_arena scratch;
    int rc;
    if (out == NULL || out_size == NULL || p == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out, out_size and p must not be NULL");
    *out = NULL;
    *out_size = 0;
    if (vn_mem_init(&sm, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    vn_arena_init(&scratch, &sm);
    rc = encode(&p->c, &scratch, alc, out, out_size, err);
    vn_arena_release(&scratch);
    return rc;
}

void vernier_partial_get_info(const vernier_partial *p, vernier_partial_info *out)
{
    memset(out, 0, sizeof(*out));
    out->format_version = VERNIER_PARTIAL_FORMAT_VERSION;
    out->rank_id = p->c.rank_id;
    out->iou_type = p->c.iou_type;
    out->parity_mode = p->c.parity_mode;
    out->use_cats = p->c.use_cats;
    out->n_images = p->c.n_images;
    out->n_records = p->c.n_recs;
    out->n_detections = p->c.n_dets;
    out->size = p->size;
    memcpy(out->dataset_digest, p->c.dataset_digest, VN_SHA256_LEN);
    memcpy(out->params_digest, p->c.params_digest, VN_SHA256_LEN);
}

void vernier_partial_free(vernier_partial *p)
{
    vn_mem mem;
    if (p == NULL)
        return;
    vn_arena_release(&p->arena);
    mem = p->mem;
    vn_free(&mem, p, sizeof(*p));
}

/* ---- session -> partial --------------------------------------------------- */

/* The session's committed state as content, in canonical order (images
 * ascending, then category index), from `ar`. */
static int session_content(const vernier_session *s, vn_arena *ar, uint32_t rank_id, content *c)
{
    const vn_cells *b = &s->base;
    const size_t N = b->n_images, A = s->plan.A, n = s->n_slots;
    const size_t K = s->plan.use_cats ? b->n_cats : 1;
    size_t i, r, q, off;
    uint32_t *ord = vn_arena_array(ar, N + 1, sizeof(uint32_t));
    size_t *first = vn_arena_array(ar, s->n_recs + 1, sizeof(size_t));
    uint32_t *by_k = vn_arena_array(ar, s->n_recs + 1, sizeof(uint32_t));
    uint32_t *by_ik = vn_arena_array(ar, s->n_recs + 1, sizeof(uint32_t));
    size_t *cnt = vn_arena_zarray(ar, (N > K ? N : K) + 1, sizeof(size_t));
    int64_t *images;
    prec *recs = vn_arena_array(ar, s->n_recs + 1, sizeof(prec));
    double *scores = vn_arena_array(ar, n + 1, sizeof(double));
    vn_outcome *outc = vn_arena_array(ar, n + 1, A * sizeof(vn_outcome));
    size_t n_images = 0;
    if (ord == NULL || first == NULL || by_k == NULL || by_ik == NULL || cnt == NULL ||
        recs == NULL || scores == NULL || outc == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0; i < N; i++)
        n_images += s->seen[i] != 0;
    images = vn_arena_array(ar, n_images + 1, sizeof(int64_t));
    if (images == NULL)
        return vn_mem_failure(ar->mem);
    for (i = 0, q = 0; i < N; i++) {
        ord[i] = NONE32;
        if (s->seen[i]) {
            ord[i] = (uint32_t)q;
            images[q++] = b->image_ids[i];
        }
    }
    for (r = 0, off = 0; r < s->n_recs; r++) {
        first[r] = off;
        off += s->recs[r].n;
    }
    /* two stable counting sorts: by category, then by image */
#define REC_I(r) (s->plan.use_cats ? s->recs[r].cell % N : s->recs[r].cell)
#define REC_K(r) (s->plan.use_cats ? s->recs[r].cell / N : 0)
    for (r = 0; r < s->n_recs; r++)
        cnt[REC_K(r)]++;
    for (i = 0, off = 0; i < K; i++) {
        size_t k = cnt[i];
        cnt[i] = off;
        off += k;
    }
    for (r = 0; r < s->n_recs; r++)
        by_k[cnt[REC_K(r)]++] = (uint32_t)r;
    memset(cnt, 0, ((N > K ? N : K) + 1) * sizeof(size_t));
    for (r = 0; r < s->n_recs; r++)
        cnt[REC_I(r)]++;
    for (i = 0, off = 0; i < N; i++) {
        size_t k = cnt[i];
        cnt[i] = off;
        off += k;
    }
    for (q = 0; q < s->n_recs; q++)
        by_ik[cnt[REC_I(by_k[q])]++] = by_k[q];
    for (q = 0, off = 0; q < s->n_recs; q++) {
        size_t rr = by_ik[q], nr = s->recs[rr].n;
        recs[q].image = ord[REC_I(rr)];
        recs[q].cat = (uint32_t)REC_K(rr);
        recs[q].n = (uint32_t)nr;
        if (nr > 0) {
            memcpy(scores + off, s->scores + first[rr], nr * sizeof(double));
            memcpy(outc + off * A, s->outc + first[rr] * A, nr * A * sizeof(vn_outcome));
        }
        off += nr;
    }
#undef REC_I
#undef REC_K
    memset(c, 0, sizeof(*c));
    c->rank_id = rank_id;
    c->iou_type = s->plan.iou_type;
    c->parity_mode = s->plan.parity_mode;
    c->use_cats = s->plan.use_cats;
    c->n_gt_images = (uint32_t)N;
    c->n_gt_cats = (uint32_t)b->n_cats;
    digest_dataset(s->gt, c->dataset_digest);
    memcpy(c->params_digest, s->params_digest, VN_SHA256_LEN);
    c->params = s->params;
    c->params_len = s->params_len;
    c->A = A;
    c->T = s->plan.T;
    c->n_images = n_images;
    c->images = images;
    c->n_recs = s->n_recs;
    c->recs = recs;
    c->n_dets = n;
    c->scores = scores;
    c->outc = outc;
    return VERNIER_OK;
}

int vernier_session_to_partial(void **out, size_t *out_size, const vernier_session *s,
                               uint32_t rank_id, const vernier_allocator *alc,
                               vernier_error *err)
{
    vn_mem sm;
    vn_arena scratch;
    content c;
    int rc;
    if (out == NULL || out_size == NULL || s == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out, out_size and session must not be NULL");
    *out = NULL;
    *out_size = 0;
    if (vn_mem_init(&sm, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    if (s->base.n_images >= UINT32_MAX || s->base.n_cats >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "more than 2^32-2 images or categories");
    vn_arena_init(&scratch, &sm);
    rc = session_content(s, &scratch, rank_id, &c);
    if (rc != VERNIER_OK)
        rc = vn_fail(err, rc, "%s while writing a partial", vernier_strerror(rc));
    else
        rc = encode(&c, &scratch, alc, out, out_size, err);
    vn_arena_release(&scratch);
    return rc;
}

int vernier_evaluate_to_partial(void **out, size_t *out_size, const vernier_dataset *gt,
                                const vernier_results *res, const vernier_eval_options *opts,
                                uint32_t rank_id, const vernier_allocator *alc,
                                vernier_error *err)
{
    vernier_session *s = NULL;
    int rc;
    if (out == NULL || out_size == NULL || res == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out, out_size and res must not be NULL");
    *out = NULL;
    *out_size = 0;
    VN_TRY(vernier_session_new(&s, gt, opts, alc, 0, err));
    rc = vernier_session_add(s, res, err);
    if (rc == VERNIER_OK)
        rc = vernier_session_to_partial(out, out_size, s, rank_id, alc, err);
    vernier_session_free(s);
    return rc;
}

/* ---- merging ------------------------------------------------------------- */

typedef struct owner {
    int64_t id;
    uint32_t blob;
} owner;

static int cmp_owner(const void *a, const void *b)
{
    const owner *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->blob < y->blob ? -1 : x->blob > y->blob;
}

static void hex(const uint8_t *d, char *out, size_t n)
{
    static const char X[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = X[d[i] >> 4];
        out[2 * i + 1] = X[d[i] & 15];
    }
    out[2 * n] = 0;
}

/* The configuration checks of one blob against the merge's parameters. */
static int check_config(const frame *f, size_t index, const pview *mine, const uint8_t *params,
                        const uint8_t *digest, vernier_error *err)
{
    static const char *const IOU[] = {"bbox", "segm", "boundary", "keypoints"};
    static const char *const MODE[] = {"strict", "corrected"};
    size_t k;
    if (f->pv.iou_type != mine->iou_type)
        return bad(err, VERNIER_E_PARTIAL_MISMATCH, index, "iou_type",
                   "rank %u evaluated with the %s kernel, this merge uses %s",
                   (unsigned)f->rank_id, IOU[f->pv.iou_type], IOU[mine->iou_type]);
    if (f->pv.parity_mode != mine->parity_mode)
        return bad(err, VERNIER_E_PARTIAL_MISMATCH, index, "parity_mode",
                   "rank %u evaluated in %s mode, this merge uses %s mode",
                   (unsigned)f->rank_id, MODE[f->pv.parity_mode], MODE[mine->parity_mode]);
    if (memcmp(f->data + OFF_PARAMS_DIGEST, digest, VN_SHA256_LEN) == 0)
        return VERNIER_OK;
    for (k = 0; k < PF_COUNT; k++)
        if (f->pv.len[k] != mine->len[k] ||
            memcmp(f->params + f->pv.off[k], params + mine->off[k], mine->len[k]) != 0)
            return bad(err, VERNIER_E_PARTIAL_MISMATCH, index, PF_NAME[k],
                       "rank %u evaluated with other %s than this merge", (unsigned)f->rank_id,
                       PF_NAME[k]);
    return bad(err, VERNIER_E_PARTIAL_MISMATCH, index, "params",
               "rank %u evaluated with other parameters", (unsigned)f->rank_id);
}

/* Adds one decoded blob's records to the session (arrays reserved). */
static int absorb(vernier_session *s, const frame *f, size_t index, const int64_t *images,
                  const prec *recs, const double *scores, const vn_outcome *outc,
                  uint32_t *glob, vernier_error *err)
{
    const size_t A = s->plan.A, T = s->plan.T, N = s->base.n_images;
    size_t i, r, j, a, t, slot = 0;
    for (i = 0; i < f->n_images; i++) {
        uint32_t g = vn_hashmap_get(&s->img_map, images[i]);
        if (g == VN_HASHMAP_EMPTY)
            return bad(err, VERNIER_E_PARTIAL_CORRUPT, index, "images",
                       "image id %lld is not in the ground truth", (long long)images[i]);
        glob[i] = g;
    }
    for (r = 0; r < f->n_recs; r++) {
        const prec *pr = &recs[r];
        size_t cell = s->plan.use_cats ? (size_t)pr->cat * N + glob[pr->image] : glob[pr->image];
        const vn_outcome *o = outc + slot * A;
        /* at most npig true positives per cell, area range and threshold
         * (accumulate sizes its buffers on it) */
        for (a = 0; a < A; a++) {
            uint32_t np = s->npig[cell * A + a];
            for (t = 0; t < T; t++) {
                uint32_t k = 0;
                for (j = 0; j < pr->n; j++)
                    k += (uint32_t)((o[j * A + a] >> t) & 1u);
                if (k > np)
                    return bad(err, VERNIER_E_PARTIAL_CORRUPT, index, "records",
                               "image id %lld: more true positives than ground truths",
                               (long long)images[pr->image]);
            }
        }
        s->recs[s->n_recs].cell = (uint32_t)cell;
        s->recs[s->n_recs].n = pr->n;
        s->n_recs++;
        if (pr->n > 0) {
            memcpy(s->scores + s->n_slots, scores + slot, pr->n * sizeof(double));
            memcpy(s->outc + s->n_slots * A, o, pr->n * A * sizeof(vn_outcome));
        }
        s->n_slots += pr->n;
        slot += pr->n;
    }
    for (i = 0; i < f->n_images; i++)
        s->seen[glob[i]] = 1;
    s->images_seen += f->n_images;
    s->detections_seen += f->n_dets;
    return VERNIER_OK;
}

static int merge(vernier_eval **out, const vernier_dataset *gt, const vernier_eval_options *opts,
                 const void *const *blobs, const size_t *sizes, size_t n, size_t budget,
                 const vernier_allocator *alc, vn_arena *scratch, vernier_error *err)
{
    vernier_eval_options defaults;
    vn_plan plan;
    pview mine;
    uint8_t *params, digest[VN_SHA256_LEN], ds_digest[VN_SHA256_LEN];
    size_t params_len, i, total_images = 0, total_recs = 0, total_dets = 0, need, A;
    frame *fr;
    owner *own;
    vernier_session *s = NULL;
    uint32_t *glob;
    int rc;

    if (opts == NULL) {
        vernier_eval_options_init(&defaults, VERNIER_EVAL_OPTIONS_VERSION);
        opts = &defaults;
    }
    /* 1. framing of every blob */
    fr = vn_arena_array(scratch, n + 1, sizeof(frame));
    if (fr == NULL)
        return vn_mem_failure(scratch->mem);
    for (i = 0; i < n; i++) {
        VN_TRY(frame_check(&fr[i], blobs[i], sizes[i], i, err));
        total_images += fr[i].n_images;
        total_recs += fr[i].n_recs;
        total_dets += fr[i].n_dets;
    }
    /* 2. configuration */
    VN_TRY(vn_plan_from_options(&plan, opts, err));
    VN_TRY(vn_params_encode(scratch, &plan, opts, &params, &params_len, err));
    vn_sha256(params, params_len, digest);
    if (!params_parse(params, params_len, &mine))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "options that cannot be encoded");
    for (i = 0; i < n; i++)
        VN_TRY(check_config(&fr[i], i, &mine, params, digest, err));
    /* 3. ground truth */
    if (gt == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "gt must not be NULL");
    if (n > 0) {
        digest_dataset(gt, ds_digest);
        for (i = 0; i < n; i++)
            if (memcmp(fr[i].data + OFF_DATASET, ds_digest, VN_SHA256_LEN) != 0) {
                char a[2 * VN_SHA256_LEN + 1], b[2 * VN_SHA256_LEN + 1];
                hex(fr[i].data + OFF_DATASET, a, 8);
                hex(ds_digest, b, 8);
                return bad(err, VERNIER_E_PARTIAL_DATASET, i, "dataset",
                           "rank %u evaluated against other ground truth (digest %s..., this "
                           "merge's %s...)",
                           (unsigned)fr[i].rank_id, a, b);
            }
    }
    /* 4. disjoint image sets */
    own = vn_arena_array(scratch, total_images + 1, sizeof(owner));
    if (own == NULL)
        return vn_mem_failure(scratch->mem);
    {
        size_t at = 0;
        for (i = 0; i < n; i++) {
            vn_arena_mark mark;
            int64_t *ids;
            size_t j;
            vn_arena_mark_here(scratch, &mark);
            ids = vn_arena_array(scratch, fr[i].n_images + 1, sizeof(int64_t));
            if (ids == NULL)
                return vn_mem_failure(scratch->mem);
            rc = decode_images(&fr[i], ids, i, err);
            for (j = 0; rc == VERNIER_OK && j < fr[i].n_images; j++) {
                own[at].id = ids[j];
                own[at++].blob = (uint32_t)i;
            }
            vn_arena_rewind(scratch, &mark);
            if (rc != VERNIER_OK)
                return rc;
        }
        qsort(own, total_images, sizeof(owner), cmp_owner);
        for (i = 1; i < total_images; i++)
            if (own[i].id == own[i - 1].id) {
                uint32_t x = own[i - 1].blob, y = own[i].blob;
                return bad(err, VERNIER_E_DUPLICATE_IMAGE, y, "images",
                           "image id %lld is covered by both partials[%u] (rank %u) and "
                           "partials[%u] (rank %u): each image must be evaluated by one rank",
                           (long long)own[i].id, (unsigned)x, (unsigned)fr[x].rank_id,
                           (unsigned)y, (unsigned)fr[y].rank_id);
            }
    }
    /* 5. the merging session, and the budget for the records */
    VN_TRY(vernier_session_new(&s, gt, opts, alc, budget, err));
    A = s->plan.A;
    for (i = 0; i < n; i++)
        if (fr[i].n_gt_images != s->base.n_images || fr[i].n_gt_cats != s->base.n_cats ||
            fr[i].pv.A != A || fr[i].pv.T != s->plan.T) {
            rc = bad(err, VERNIER_E_PARTIAL_CORRUPT, i, "structure",
                     "the header's ground-truth counts contradict its digest");
            goto done;
        }
    if (total_dets >= UINT32_MAX || total_recs >= UINT32_MAX) {
        rc = vn_fail(err, VERNIER_E_LIMIT, "the merged partials hold more than 2^32-2 records");
        goto done;
    }
    need = total_recs * sizeof(cell_rec) + total_dets * sizeof(double) +
           total_dets * A * sizeof(vn_outcome);
    if (budget != 0 && (need > budget || s->mem.used > budget - need)) {
        s->requested = need;
        rc = vn_fail(err, VERNIER_E_BUDGET,
                     "memory budget: merging needs %zu bytes of records; the ground-truth index "
                     "holds %zu of the %zu-byte budget (nothing was merged)",
                     need, s->mem.used, budget);
        goto done;
    }
    if (total_recs > 0) {
        s->recs = vn_malloc(&s->mem, total_recs * sizeof(cell_rec));
        if (s->recs == NULL) {
            rc = vn_fail(err, VERNIER_E_NOMEM, "out of memory merging partials");
            goto done;
        }
        s->cap_recs = total_recs;
    }
    if (total_dets > 0) {
        s->scores = vn_malloc(&s->mem, total_dets * sizeof(double));
        if (s->scores != NULL)
            s->cap_scores = total_dets;
        s->outc = vn_malloc(&s->mem, total_dets * A * sizeof(vn_outcome));
        if (s->outc != NULL)
            s->cap_outc = total_dets;
        if (s->scores == NULL || s->outc == NULL) {
            rc = vn_fail(err, VERNIER_E_NOMEM, "out of memory merging partials");
            goto done;
        }
    }
    glob = NULL;
    for (i = 0; i < n; i++) {
        const frame *f = &fr[i];
        vn_arena_mark mark;
        int64_t *images;
        prec *recs;
        double *scores;
        vn_outcome *outc;
        vn_arena_mark_here(scratch, &mark);
        images = vn_arena_array(scratch, f->n_images + 1, sizeof(int64_t));
        glob = vn_arena_array(scratch, f->n_images + 1, sizeof(uint32_t));
        recs = vn_arena_array(scratch, f->n_recs + 1, sizeof(prec));
        scores = vn_arena_array(scratch, f->n_dets + 1, sizeof(double));
        outc = vn_arena_array(scratch, f->n_dets + 1, A * sizeof(vn_outcome));
        if (images == NULL || glob == NULL || recs == NULL || scores == NULL || outc == NULL)
            rc = vn_fail(err, vn_mem_failure(scratch->mem), "out of memory merging partials");
        else
            rc = decode_all(f, images, recs, scores, outc, i, err);
        if (rc == VERNIER_OK)
            rc = absorb(s, f, i, images, recs, scores, outc, glob, err);
        vn_arena_rewind(scratch, &mark);
        if (rc != VERNIER_OK)
            goto done;
    }
    rc = vernier_session_finalize(out, s, err);
done:
    vernier_session_free(s);
    return rc;
}

int vernier_merge_partials(vernier_eval **out, const vernier_dataset *gt,
                           const vernier_eval_options *opts, const void *const *blobs,
                           const size_t *sizes, size_t n, size_t memory_budget_bytes,
                           const vernier_allocator *alc, vernier_error *err)
{
    vernier_error local;
    vn_mem sm;
    vn_arena scratch;
    int rc;
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    *out = NULL;
    if (n > 0 && (blobs == NULL || sizes == NULL))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "blobs and sizes must not be NULL");
    if (n >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "too many partials");
    if (vn_mem_init(&sm, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    vn_error_clear(&local);
    vn_arena_init(&scratch, &sm);
    rc = merge(out, gt, opts, blobs, sizes, n, memory_budget_bytes, alc, &scratch, &local);
    vn_arena_release(&scratch);
    if (rc != VERNIER_OK) {
        if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && local.message[0] == 0)
            vn_fail(&local, rc, "%s while merging partials", vernier_strerror(rc));
        if (err != NULL)
            *err = local;
    }
    return rc;
}
