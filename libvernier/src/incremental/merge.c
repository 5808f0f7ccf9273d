/* merge.c — sessions to partials and partials to one evaluation: writing
 * a session's committed state as a blob, and the N-way merge.
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
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/sha256.h"
#include "common/vn_error.h"
#include "eval/accum.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "eval/result.h"
#include "eval/summary.h"
#include "incremental/codec.h"
#include "incremental/params.h"
#include "incremental/session.h"
#include "incremental/wire.h"
#include "parse/coco.h"

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
    vn_digest_dataset(s->gt, c->dataset_digest);
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
        rc = vn_fail(err, rc, "%s while writing a partial", vernier_status_string(rc));
    else
        rc = vn_partial_encode(&c, &scratch, alc, out, out_size, err);
    vn_arena_release(&scratch);
    return rc;
}

int vernier_partial_evaluate(void **out, size_t *out_size, const vernier_dataset *gt,
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

/* Marks the rank a partial's error names (returns rc). */
static int with_rank(vernier_error *err, int rc, uint32_t rank_id)
{
    vn_error_set_field(err, VERNIER_ERROR_HAS_RANK_ID, (int64_t)rank_id);
    return rc;
}

/* Marks the image a partial's error names (returns rc). */
static int with_image(vernier_error *err, int rc, int64_t image_id)
{
    vn_error_set_field(err, VERNIER_ERROR_HAS_IMAGE_ID, image_id);
    return rc;
}

/* The configuration checks of one blob against the merge's parameters. */
static int check_config(const frame *f, size_t index, const pview *mine, const uint8_t *params,
                        const uint8_t *digest, vernier_error *err)
{
    static const char *const IOU[] = {"bbox", "segm", "boundary", "keypoints"};
    static const char *const MODE[] = {"strict", "corrected"};
    size_t k;
    if (f->pv.iou_type != mine->iou_type)
        return with_rank(err,
                         vn_partial_fail(err, VERNIER_E_PARTIAL_MISMATCH, index, "iou_type",
                                         "rank %u evaluated with the %s kernel, this merge uses %s",
                                         (unsigned)f->rank_id, IOU[f->pv.iou_type],
                                         IOU[mine->iou_type]),
                         f->rank_id);
    if (f->pv.parity_mode != mine->parity_mode)
        return with_rank(err,
                         vn_partial_fail(err, VERNIER_E_PARTIAL_MISMATCH, index, "parity_mode",
                                         "rank %u evaluated in %s mode, this merge uses %s mode",
                                         (unsigned)f->rank_id, MODE[f->pv.parity_mode],
                                         MODE[mine->parity_mode]),
                         f->rank_id);
    if (memcmp(f->data + OFF_PARAMS_DIGEST, digest, VN_SHA256_LEN) == 0)
        return VERNIER_OK;
    for (k = 0; k < PF_COUNT; k++)
        if (f->pv.len[k] != mine->len[k] ||
            memcmp(f->params + f->pv.off[k], params + mine->off[k], mine->len[k]) != 0)
            return with_rank(err,
                             vn_partial_fail(err, VERNIER_E_PARTIAL_MISMATCH, index, PF_NAME[k],
                                             "rank %u evaluated with other %s than this merge",
                                             (unsigned)f->rank_id, PF_NAME[k]),
                             f->rank_id);
    return with_rank(err,
                     vn_partial_fail(err, VERNIER_E_PARTIAL_MISMATCH, index, "params",
                                     "rank %u evaluated with other parameters",
                                     (unsigned)f->rank_id),
                     f->rank_id);
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
            return with_image(err,
                              vn_partial_fail(err, VERNIER_E_PARTIAL_CORRUPT, index, "images",
                                              "image id %lld is not in the ground truth",
                                              (long long)images[i]),
                              images[i]);
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
                    return with_image(
                        err,
                        vn_partial_fail(err, VERNIER_E_PARTIAL_CORRUPT, index, "records",
                                        "image id %lld: more true positives than ground truths",
                                        (long long)images[pr->image]),
                        images[pr->image]);
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
        VN_TRY(vn_partial_frame_check(&fr[i], blobs[i], sizes[i], i, err));
        total_images += fr[i].n_images;
        total_recs += fr[i].n_recs;
        total_dets += fr[i].n_dets;
    }
    /* 2. configuration */
    VN_TRY(vn_plan_from_options(&plan, opts, err));
    if (vn_options_have_subsets(opts))
        return vn_fail(err, VERNIER_E_UNSUPPORTED,
                       "image_ids / category_ids subsets are not supported by partials");
    VN_TRY(vn_params_encode(scratch, &plan, opts, &params, &params_len, err));
    vn_sha256(params, params_len, digest);
    if (!vn_params_parse(params, params_len, &mine))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "options that cannot be encoded");
    for (i = 0; i < n; i++)
        VN_TRY(check_config(&fr[i], i, &mine, params, digest, err));
    /* 3. ground truth */
    if (gt == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "gt must not be NULL");
    if (n > 0) {
        vn_digest_dataset(gt, ds_digest);
        for (i = 0; i < n; i++)
            if (memcmp(fr[i].data + OFF_DATASET, ds_digest, VN_SHA256_LEN) != 0) {
                char a[2 * VN_SHA256_LEN + 1], b[2 * VN_SHA256_LEN + 1];
                hex(fr[i].data + OFF_DATASET, a, 8);
                hex(ds_digest, b, 8);
                return with_rank(err,
                                 vn_partial_fail(err, VERNIER_E_PARTIAL_DATASET, i, "dataset",
                                                 "rank %u evaluated against other ground truth "
                                                 "(digest %s..., this merge's %s...)",
                                                 (unsigned)fr[i].rank_id, a, b),
                                 fr[i].rank_id);
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
            rc = vn_partial_decode_images(&fr[i], ids, i, err);
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
                vn_partial_fail(err, VERNIER_E_DUPLICATE_IMAGE, y, "images",
                                "image id %lld is covered by both partials[%u] (rank %u) and "
                                "partials[%u] (rank %u): each image must be evaluated by one rank",
                                (long long)own[i].id, (unsigned)x, (unsigned)fr[x].rank_id,
                                (unsigned)y, (unsigned)fr[y].rank_id);
                vn_error_set_field(err, VERNIER_ERROR_HAS_IMAGE_ID, own[i].id);
                vn_error_set_field(err, VERNIER_ERROR_HAS_RANK_ID, (int64_t)fr[y].rank_id);
                vn_error_set_field(err, VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX, (int64_t)x);
                vn_error_set_field(err, VERNIER_ERROR_HAS_OTHER_RANK_ID, (int64_t)fr[x].rank_id);
                return VERNIER_E_DUPLICATE_IMAGE;
            }
    }
    /* 5. the merging session, and the budget for the records */
    VN_TRY(vernier_session_new(&s, gt, opts, alc, budget, err));
    A = s->plan.A;
    for (i = 0; i < n; i++)
        if (fr[i].n_gt_images != s->base.n_images || fr[i].n_gt_cats != s->base.n_cats ||
            fr[i].pv.A != A || fr[i].pv.T != s->plan.T) {
            rc = vn_partial_fail(err, VERNIER_E_PARTIAL_CORRUPT, i, "structure",
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
            rc = vn_partial_decode_all(f, images, recs, scores, outc, i, err);
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

int vernier_partial_merge(vernier_eval **out, const vernier_dataset *gt,
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
    vn_error_init(&local);
    vn_arena_init(&scratch, &sm);
    rc = merge(out, gt, opts, blobs, sizes, n, memory_budget_bytes, alc, &scratch, &local);
    vn_arena_release(&scratch);
    if (rc != VERNIER_OK) {
        if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && local.message[0] == 0)
            vn_fail(&local, rc, "%s while merging partials", vernier_status_string(rc));
        vn_error_copy(err, &local);
    }
    return rc;
}
