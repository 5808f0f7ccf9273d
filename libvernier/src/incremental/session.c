/* session.c — incremental evaluation: result batches in, one evaluation out.
 *
 * pycocotools matches every (image, category) cell on its own; only
 * accumulate() looks across images.  So a batch can be matched as soon as
 * it arrives, and what accumulate needs of it kept: for each cell that got
 * detections, the kept detections' scores and outcome codes (one per area
 * range) in rank order.  Finalize lays those records out in the canonical
 * cell order -- the layout vernier_eval_run builds -- next to the per-cell
 * counts of non-ignored ground truth, which depend on the ground truth
 * alone and are computed once at creation, and runs the same accumulate
 * and summarize.  Equality with the one-shot evaluation follows because
 * every input of accumulate is the same array, slot for slot.
 *
 * A batch is matched on cells built for its own images only
 * (vn_cells_build_subset), so its cost does not grow with the dataset. */
#include <stdio.h>
#include <string.h>

#include "common/hashmap.h"
#include "common/sha256.h"
#include "common/vn_error.h"
#include "eval/accum.h"
#include "eval/cells.h"
#include "eval/checks.h"
#include "eval/masks.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "eval/result.h"
#include "eval/summary.h"
#include "incremental/params.h"
#include "incremental/session.h"

#define NONE UINT32_MAX

size_t vn_results_bytes(const vernier_results *res)
{
    return res->mem.used + sizeof(*res);
}

static int build_index(vernier_session *s, const vernier_eval_options *opts, vernier_error *err)
{
    vernier_results empty;
    vn_arena scratch;
    vn_outcome *none;
    size_t i;
    int rc;
    memset(&empty, 0, sizeof(empty));
    empty.kind = VERNIER_RESULTS_EMPTY;
    VN_TRY(vn_cells_build(&s->base, &s->index, s->gt, &empty, &s->plan, opts, err));
    if (s->base.n_cells >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "images x categories exceeds 2^32-2 cells");
    VN_TRY(vn_hashmap_init(&s->img_map, &s->index, s->base.n_images));
    VN_TRY(vn_hashmap_init(&s->cat_map, &s->index, s->base.n_cats));
    for (i = 0; i < s->base.n_images; i++)
        vn_hashmap_put(&s->img_map, s->base.image_ids[i], (uint32_t)i);
    for (i = 0; i < s->base.n_cats; i++)
        vn_hashmap_put(&s->cat_map, s->base.cat_ids[i], (uint32_t)i);
    s->npig = vn_arena_array(&s->index, s->base.n_cells, s->plan.A * sizeof(uint32_t));
    s->seen = vn_arena_zarray(&s->index, s->base.n_images, 1);
    if (s->npig == NULL || s->seen == NULL)
        return vn_mem_failure(&s->mem);
    /* matching the GT against no detections gives its npig */
    vn_arena_init(&scratch, &s->scratch_mem);
    none = vn_arena_zarray(&scratch, 1, sizeof(vn_outcome));
    rc = none == NULL ? vn_mem_failure(&s->scratch_mem)
                      : vn_match_all(&s->base, &s->plan, s->gt, &empty, &scratch, none, s->npig,
                                     NULL, NULL, err);
    vn_arena_release(&scratch);
    return rc;
}

int vernier_session_new(vernier_session **out, const vernier_dataset *gt,
                        const vernier_eval_options *opts, const vernier_allocator *alc,
                        size_t memory_budget_bytes, vernier_error *err)
{
    vernier_eval_options defaults;
    vernier_session *s;
    vn_mem mem;
    vn_plan plan;
    int rc;
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    *out = NULL;
    if (gt == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "gt must not be NULL");
    if (opts == NULL) {
        vernier_eval_options_init(&defaults, VERNIER_EVAL_OPTIONS_VERSION);
        opts = &defaults;
    }
    VN_TRY(vn_plan_from_options(&plan, opts, err));
    if (vn_options_have_subsets(opts))
        return vn_fail(err, VERNIER_E_UNSUPPORTED,
                       "image_ids / category_ids subsets are not supported by sessions, workers "
                       "and partials: evaluate with vernier_eval_run");
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    s = vn_malloc(&mem, sizeof(*s));
    if (s == NULL)
        return vn_fail(err, VERNIER_E_NOMEM, "%s", vernier_status_string(VERNIER_E_NOMEM));
    memset(s, 0, sizeof(*s));
    s->mem = mem;
    vn_mem_init(&s->scratch_mem, alc);
    vn_arena_init(&s->index, &s->mem);
    s->gt = gt;
    s->plan = plan;
    s->budget = memory_budget_bytes;
    if (plan.iou_type == VERNIER_IOU_SEGM || plan.iou_type == VERNIER_IOU_BOUNDARY) {
        /* the index points into the dataset's cache: hold it */
        vn_mask_cache_acquire(gt);
        s->holds_cache = 1;
    }
    rc = build_index(s, opts, err);
    if (rc == VERNIER_OK)
        rc = vn_params_encode(&s->index, &plan, opts, &s->params, &s->params_len, err);
    if (rc == VERNIER_OK)
        vn_sha256(s->params, s->params_len, s->params_digest);
    if (rc == VERNIER_OK && s->budget != 0 && s->mem.used > s->budget)
        rc = vn_fail(err, VERNIER_E_BUDGET,
                     "the ground-truth index alone takes %zu bytes, over the %zu-byte budget",
                     s->mem.used, s->budget);
    if (rc != VERNIER_OK) {
        if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && vn_error_usable(err) &&
            err->message[0] == 0)
            vn_fail(err, rc, "%s while indexing the ground truth", vernier_status_string(rc));
        vernier_session_free(s);
        return rc;
    }
    s->scratch_peak = s->scratch_mem.peak;
    *out = s;
    return VERNIER_OK;
}

void vernier_session_free(vernier_session *s)
{
    vn_mem mem;
    size_t A;
    if (s == NULL)
        return;
    A = s->plan.A;
    vn_free(&s->mem, s->recs, s->cap_recs * sizeof(cell_rec));
    vn_free(&s->mem, s->scores, s->cap_scores * sizeof(double));
    vn_free(&s->mem, s->outc, s->cap_outc * A * sizeof(vn_outcome));
    vn_arena_release(&s->index);
    if (s->holds_cache)
        vn_mask_cache_release(s->gt);
    mem = s->mem;
    vn_free(&mem, s, sizeof(*s));
}

/* The capacity vn_grow would give an array of capacity `cap` to hold `need`. */
static size_t grown_cap(size_t cap, size_t need)
{
    size_t c;
    if (need <= cap)
        return cap;
    c = cap < 16 ? 16 : cap;
    while (c < need && c <= SIZE_MAX / 2)
        c *= 2;
    return c;
}

static int fail_duplicate(vernier_error *err, const vernier_results *res, int64_t image_id)
{
    size_t i;
    char path[48];
    for (i = 0; i < res->n && res->image_id[i] != image_id; i++)
        ;
    snprintf(path, sizeof(path), "[%zu].image_id", i);
    vn_fail(err, VERNIER_E_DUPLICATE_IMAGE,
            "%s: image id %lld was already covered by an earlier batch (each image's detections "
            "must arrive in one batch)",
            path, (long long)image_id);
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)i, i < res->n ? (int64_t)res->offset[i] : -1);
    vn_error_set_field(err, VERNIER_ERROR_HAS_IMAGE_ID, image_id);
    if (i < res->n)
        vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i);
    return VERNIER_E_DUPLICATE_IMAGE;
}

int vn_session_check_images(const vernier_session *s, const vernier_results *res,
                            vernier_error *err)
{
    size_t i;
    for (i = 0; i < res->n; i++)
        if (vn_hashmap_get(&s->img_map, res->image_id[i]) == VN_HASHMAP_EMPTY)
            return vn_fail_unknown_image(err, res, i);
    return VERNIER_OK;
}

static int cancelled(const atomic_int *cancel, vernier_error *err)
{
    if (cancel != NULL && atomic_load(cancel) != 0)
        return vn_fail(err, VERNIER_E_STATE, "cancelled: the worker is shutting down");
    return VERNIER_OK;
}

/* Matches the batch's cells.  With categories per cell, one category's
 * cells at a time (the cancellation checkpoints): a view whose cell
 * arrays start at the category's first cell; slots stay absolute. */
static int match_batch(vernier_session *s, vn_cells *c, const vernier_results *res,
                       vn_arena *scratch, vn_outcome *out, uint32_t *npig,
                       const atomic_int *cancel, vernier_error *err)
{
    const vn_plan *plan = &s->plan;
    size_t k, nb = c->n_images;
    if (!plan->use_cats || c->n_cats <= 1)
        return vn_match_all(c, plan, s->gt, res, scratch, out, npig, NULL, NULL, err);
    for (k = 0; k < c->n_cats; k++) {
        vn_cells view = *c;
        vn_arena_mark mark;
        int rc;
        VN_TRY(cancelled(cancel, err));
        view.n_cells = nb;
        view.gt_start = c->gt_start + k * nb;
        view.dt_start = c->dt_start + k * nb;
        view.nonempty = c->nonempty + k * nb;
        if (c->kp_vars != NULL) {
            view.kp_vars = c->kp_vars + k;
            view.kp_count = c->kp_count + k;
        }
        vn_arena_mark_here(scratch, &mark);
        rc = vn_match_all(&view, plan, s->gt, res, scratch, out, npig + k * nb * plan->A, NULL,
                          NULL, err);
        vn_arena_rewind(scratch, &mark);
        if (rc != VERNIER_OK)
            return rc;
    }
    return VERNIER_OK;
}

/* Does cell cl of the batch need a record?  It does when it kept
 * detections, or had some (cut to a cap of 0) and no GT to make it
 * non-empty anyway. */
static int needs_record(const vn_cells *c, size_t cl)
{
    return c->dt_start[cl + 1] > c->dt_start[cl] ||
           (c->nonempty[cl] && c->gt_start[cl + 1] == c->gt_start[cl]);
}

static int commit(vernier_session *s, const vn_cells *c, const uint32_t *glob,
                  const vn_outcome *out, const vernier_results *res, vernier_error *err)
{
    const size_t A = s->plan.A, nb = c->n_images, N = s->base.n_images;
    size_t cl, i, a, n_new = 0, need_recs, need_slots, cap_recs, delta;
    for (cl = 0; cl < c->n_cells; cl++)
        n_new += (size_t)needs_record(c, cl);
    need_recs = s->n_recs + n_new;
    need_slots = s->n_slots + c->n_dt;
    cap_recs = grown_cap(s->cap_recs, need_recs);
    delta = (cap_recs - s->cap_recs) * sizeof(cell_rec) +
            (grown_cap(s->cap_scores, need_slots) - s->cap_scores) * sizeof(double) +
            (grown_cap(s->cap_outc, need_slots) - s->cap_outc) * A * sizeof(vn_outcome);
    if (s->budget != 0 && (delta > s->budget || s->mem.used > s->budget - delta)) {
        s->requested = delta;
        return vn_fail(err, VERNIER_E_BUDGET,
                       "memory budget: committing this batch needs %zu more bytes; %zu of the "
                       "%zu-byte budget are used (nothing was committed)",
                       delta, s->mem.used, s->budget);
    }
    /* each array keeps its own capacity, so a failure part-way leaves
     * every one consistent (and nothing committed) */
    if (vn_grow(&s->mem, (void **)&s->recs, &s->cap_recs, sizeof(cell_rec), need_recs) !=
            VERNIER_OK ||
        vn_grow(&s->mem, (void **)&s->scores, &s->cap_scores, sizeof(double), need_slots) !=
            VERNIER_OK ||
        vn_grow(&s->mem, (void **)&s->outc, &s->cap_outc, A * sizeof(vn_outcome), need_slots) !=
            VERNIER_OK)
        return vn_fail(err, VERNIER_E_NOMEM, "out of memory committing a batch");
    for (cl = 0; cl < c->n_cells; cl++) {
        size_t d0 = c->dt_start[cl], n = c->dt_start[cl + 1] - d0;
        size_t g = s->plan.use_cats ? (cl / nb) * N + glob[cl % nb] : glob[cl];
        if (!needs_record(c, cl))
            continue;
        s->recs[s->n_recs].cell = (uint32_t)g;
        s->recs[s->n_recs].n = (uint32_t)n;
        s->n_recs++;
        if (n != 0)
            memcpy(s->scores + s->n_slots, c->dt_score + d0, n * sizeof(double));
        for (i = 0; i < n; i++)
            for (a = 0; a < A; a++)
                s->outc[(s->n_slots + i) * A + a] = out[a * c->n_dt + d0 + i];
        s->n_slots += n;
    }
    for (i = 0; i < nb; i++)
        s->seen[glob[i]] = 1;
    s->images_seen += nb;
    s->detections_seen += res->n;
    s->requested = 0;
    return VERNIER_OK;
}

int vn_session_add(vernier_session *s, const vernier_results *res, const atomic_int *cancel,
                   vernier_error *err)
{
    vn_arena scratch;
    vn_cells c;
    uint32_t *glob = NULL, *npig;
    vn_outcome *out;
    size_t i;
    int rc;
    if (s == NULL || res == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "session and res must not be NULL");
    if (s->finalized)
        return vn_fail(err, VERNIER_E_STATE, "the session was finalized");
    if (vn_checks_masks(&s->plan))
        VN_TRY(vn_check_one_shape(res, err));
    vn_arena_init(&scratch, &s->scratch_mem);
    rc = vn_cells_build_subset(&c, &scratch, &s->base, &s->img_map, &s->cat_map, res, &s->plan,
                               &glob, err);
    if (rc != VERNIER_OK)
        goto done;
    for (i = 0; i < c.n_images; i++) {
        if (s->seen[glob[i]]) {
            rc = fail_duplicate(err, res, c.image_ids[i]);
            goto done;
        }
    }
    if (vn_checks_masks(&s->plan)) {
        rc = vn_check_dt_masks(&c, res, &scratch, err);
        if (rc != VERNIER_OK)
            goto done;
    }
    out = vn_arena_zarray(&scratch, c.n_dt, s->plan.A * sizeof(vn_outcome));
    npig = vn_arena_array(&scratch, c.n_cells, s->plan.A * sizeof(uint32_t));
    if (out == NULL || npig == NULL) {
        rc = vn_mem_failure(&s->scratch_mem);
        goto done;
    }
    rc = match_batch(s, &c, res, &scratch, out, npig, cancel, err);
    if (rc == VERNIER_OK)
        rc = cancelled(cancel, err);
    if (rc == VERNIER_OK)
        rc = commit(s, &c, glob, out, res, err);
done:
    if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && vn_error_usable(err) &&
        err->message[0] == 0)
        vn_fail(err, rc, "%s while matching a batch", vernier_status_string(rc));
    vn_arena_release(&scratch);
    if (s->scratch_mem.peak > s->scratch_peak)
        s->scratch_peak = s->scratch_mem.peak;
    return rc;
}

int vernier_session_add(vernier_session *s, const vernier_results *res, vernier_error *err)
{
    vernier_error local;
    int rc;
    vn_error_init(&local);
    rc = vn_session_add(s, res, NULL, &local);
    if (rc != VERNIER_OK)
        vn_error_copy(err, &local);
    return rc;
}

/* The committed records in canonical cell order, as vn_cells and the
 * [a][slot] outcome layout vn_accumulate reads. */
static int lay_out(const vernier_session *s, vn_arena *ar, vn_cells *view, vn_outcome **out_out)
{
    const vn_cells *b = &s->base;
    const size_t A = s->plan.A, N = b->n_cells, total = s->n_slots;
    size_t r, c, a, j, pos, off;
    uint32_t *rec_of = vn_arena_array(ar, N, sizeof(uint32_t));
    size_t *first = vn_arena_array(ar, s->n_recs, sizeof(size_t));
    vn_outcome *out = vn_arena_array(ar, total, A * sizeof(vn_outcome));
    memset(view, 0, sizeof(*view));
    view->n_images = b->n_images;
    view->n_cats = b->n_cats;
    view->n_cells = N;
    view->image_ids = b->image_ids;
    view->cat_ids = b->cat_ids;
    view->gt_start = b->gt_start;
    view->gt_ann = b->gt_ann;
    view->n_gt = b->n_gt;
    view->n_dt = total;
    view->dt_start = vn_arena_array(ar, N + 1, sizeof(uint32_t));
    view->dt_score = vn_arena_array(ar, total, sizeof(double));
    view->nonempty = vn_arena_array(ar, N, 1);
    if (rec_of == NULL || first == NULL || out == NULL || view->dt_start == NULL ||
        view->dt_score == NULL || view->nonempty == NULL)
        return vn_mem_failure(ar->mem);
    for (c = 0; c < N; c++)
        rec_of[c] = NONE;
    memcpy(view->nonempty, b->nonempty, N);
    for (r = 0, off = 0; r < s->n_recs; r++) {
        first[r] = off;
        off += s->recs[r].n;
        rec_of[s->recs[r].cell] = (uint32_t)r;
        view->nonempty[s->recs[r].cell] = 1;
    }
    for (c = 0, pos = 0; c < N; c++) {
        view->dt_start[c] = (uint32_t)pos;
        r = rec_of[c];
        if (r == NONE)
            continue;
        if (s->recs[r].n != 0)
            memcpy(view->dt_score + pos, s->scores + first[r], s->recs[r].n * sizeof(double));
        for (j = 0; j < s->recs[r].n; j++)
            for (a = 0; a < A; a++)
                out[a * total + pos + j] = s->outc[(first[r] + j) * A + a];
        pos += s->recs[r].n;
    }
    view->dt_start[N] = (uint32_t)pos;
    *out_out = out;
    return VERNIER_OK;
}

static int finalize_into(vernier_eval *ev, vernier_session *s, vernier_error *err)
{
    const vn_plan *plan = &ev->plan;
    vn_arena scratch;
    vn_cells view;
    vn_outcome *out = NULL;
    size_t k;
    int rc;
    (void)err;
    vn_arena_init(&scratch, &s->scratch_mem);
    rc = lay_out(s, &scratch, &view, &out);
    if (rc != VERNIER_OK)
        goto done;
    ev->K = plan->use_cats ? view.n_cats : 1;
    ev->cat_ids = vn_arena_array(&ev->arena, ev->K, sizeof(int64_t));
    ev->precision =
        vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    ev->recall = vn_arena_array(&ev->arena, plan->T * ev->K * plan->A, plan->M * sizeof(double));
    ev->scores =
        vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    if (ev->cat_ids == NULL || ev->precision == NULL || ev->recall == NULL || ev->scores == NULL) {
        rc = vn_mem_failure(&ev->mem);
        goto done;
    }
    if (plan->use_cats) {
        for (k = 0; k < ev->K; k++)
            ev->cat_ids[k] = view.cat_ids[k];
    } else {
        ev->cat_ids[0] = -1;
    }
    rc = vn_accumulate(ev, &view, out, s->npig, &scratch);
    if (rc == VERNIER_OK)
        rc = vn_summarize(ev, &scratch);
done:
    vn_arena_release(&scratch);
    if (s->scratch_mem.peak > s->scratch_peak)
        s->scratch_peak = s->scratch_mem.peak;
    return rc;
}

int vernier_session_finalize(vernier_eval **out, vernier_session *s, vernier_error *err)
{
    vernier_eval *ev;
    vn_mem mem;
    int rc;
    if (out == NULL || s == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out and session must not be NULL");
    *out = NULL;
    if (s->finalized)
        return vn_fail(err, VERNIER_E_STATE, "the session was already finalized");
    /* the evaluation is the caller's: its own vn_mem, outside the budget */
    vn_mem_init(&mem, &s->mem.alc);
    ev = vn_malloc(&mem, sizeof(*ev));
    if (ev == NULL)
        return vn_fail(err, VERNIER_E_NOMEM, "%s", vernier_status_string(VERNIER_E_NOMEM));
    memset(ev, 0, sizeof(*ev));
    ev->mem = mem;
    ev->plan = s->plan;
    vn_arena_init(&ev->arena, &ev->mem);
    rc = finalize_into(ev, s, err);
    if (rc != VERNIER_OK) {
        vernier_eval_free(ev);
        return vn_fail(err, rc, "%s while finalizing", vernier_status_string(rc));
    }
    s->finalized = 1;
    *out = ev;
    return VERNIER_OK;
}

size_t vernier_session_images_seen(const vernier_session *s)
{
    return s == NULL ? 0 : s->images_seen;
}

size_t vernier_session_detections_seen(const vernier_session *s)
{
    return s == NULL ? 0 : s->detections_seen;
}

size_t vernier_session_num_images(const vernier_session *s)
{
    return s == NULL ? 0 : s->base.n_images;
}

int vernier_session_memory(const vernier_session *s, vernier_memory_usage *out)
{
    vernier_memory_usage m;
    size_t A;
    if (s == NULL || out == NULL || out->size < sizeof(out->size))
        return VERNIER_E_INVALID_ARG;
    A = s->plan.A;
    memset(&m, 0, sizeof(m));
    m.size = sizeof(m);
    m.used = s->mem.used;
    m.budget = s->budget;
    m.records = s->cap_recs * sizeof(cell_rec);
    m.scores = s->cap_scores * sizeof(double);
    m.outcomes = s->cap_outc * A * sizeof(vn_outcome);
    m.index = s->mem.used - m.records - m.scores - m.outcomes;
    m.scratch_peak = s->scratch_peak;
    m.requested = s->requested;
    vn_fill_sized(out, &m, sizeof(m));
    return VERNIER_OK;
}

int vernier_session_image_table(const vernier_session *s, int64_t *image_ids, uint32_t *n_gt,
                                uint32_t *n_dt, uint32_t *n_tp, uint8_t *seen, size_t n)
{
    const vn_cells *b;
    size_t A, N, i, c, r, j, off;
    if (s == NULL)
        return VERNIER_E_INVALID_ARG;
    b = &s->base;
    A = s->plan.A;
    N = b->n_images;
    if (n != N)
        return VERNIER_E_INVALID_ARG;
    for (i = 0; i < N; i++) {
        if (image_ids != NULL)
            image_ids[i] = b->image_ids[i];
        if (n_gt != NULL)
            n_gt[i] = 0;
        if (n_dt != NULL)
            n_dt[i] = 0;
        if (n_tp != NULL)
            n_tp[i] = 0;
        if (seen != NULL)
            seen[i] = s->seen[i];
    }
    if (n_gt != NULL)
        for (c = 0; c < b->n_cells; c++)
            n_gt[c % N] += b->gt_start[c + 1] - b->gt_start[c];
    for (r = 0, off = 0; r < s->n_recs; r++) {
        size_t im = s->recs[r].cell % N, nr = s->recs[r].n;
        if (n_dt != NULL)
            n_dt[im] += (uint32_t)nr;
        if (n_tp != NULL)
            for (j = 0; j < nr; j++)
                n_tp[im] += (s->outc[(off + j) * A] & VN_TP_BIT(0)) != 0;
        off += nr;
    }
    return VERNIER_OK;
}
