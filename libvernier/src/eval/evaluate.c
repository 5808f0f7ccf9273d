/* evaluate.c — the evaluation driver: vernier_eval_run's pipeline (plan,
 * cells, corrected-mode checks, matching, records, accumulation, summary)
 * and the accessors of a finished evaluation. */
#include <stdio.h>
#include <string.h>

#include "common/vn_error.h"
#include "eval/accum.h"
#include "eval/cells.h"
#include "eval/checks.h"
#include "eval/masks.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "eval/records.h"
#include "eval/result.h"
#include "eval/summary.h"

static int evaluate(vernier_eval *ev, const vernier_dataset *gt, const vernier_results *res,
                    const vernier_eval_options *opts, vernier_error *err)
{
    const vn_plan *plan = &ev->plan;
    vn_arena scratch;
    vn_cells cells;
    vn_outcome *outcomes;
    uint32_t *npig;
    int32_t *match_out = NULL;
    double *iou_out = NULL;
    size_t k;
    int rc;

    if (vn_checks_masks(plan))
        VN_TRY(vn_check_one_shape(res, err));
    vn_arena_init(&scratch, &ev->mem);
    vn_mask_cache_acquire(gt);
    rc = vn_cells_build(&cells, &scratch, gt, res, plan, opts, err);
    if (rc != VERNIER_OK)
        goto done;
    if (vn_checks_masks(plan)) {
        /* J2 and K1 refusals name the first such result in list order */
        rc = vn_check_dt_masks(&cells, res, &scratch, err);
        if (rc != VERNIER_OK)
            goto done;
    }

    ev->K = plan->use_cats ? cells.n_cats : 1;
    ev->cat_ids = vn_arena_array(&ev->arena, ev->K, sizeof(int64_t));
    ev->precision = vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    ev->recall = vn_arena_array(&ev->arena, plan->T * ev->K * plan->A, plan->M * sizeof(double));
    ev->scores = vn_arena_array(&ev->arena, plan->T * plan->R * ev->K * plan->A, plan->M * sizeof(double));
    outcomes = vn_arena_zarray(&scratch, cells.n_dt, plan->A * sizeof(vn_outcome));
    npig = vn_arena_array(&scratch, cells.n_cells, plan->A * sizeof(uint32_t));
    if (ev->cat_ids == NULL || ev->precision == NULL || ev->recall == NULL || ev->scores == NULL ||
        outcomes == NULL || npig == NULL) {
        rc = vn_mem_failure(&ev->mem);
        goto done;
    }
    if (plan->use_cats) {
        for (k = 0; k < ev->K; k++)
            ev->cat_ids[k] = cells.cat_ids[k];
    } else {
        ev->cat_ids[0] = -1;
    }

    if (opts->keep_records) {
        size_t n_match = vn_mul_size(vn_mul_size(cells.n_dt, plan->A), plan->T);
        match_out = n_match == SIZE_MAX ? NULL
                                         : vn_arena_array(&scratch, n_match, sizeof(int32_t));
        iou_out = n_match == SIZE_MAX ? NULL : vn_arena_array(&scratch, n_match, sizeof(double));
        if ((match_out == NULL || iou_out == NULL) && n_match != 0) {
            rc = vn_mem_failure(&ev->mem);
            goto done;
        }
        for (k = 0; k < n_match; k++) {
            match_out[k] = -1;
            iou_out[k] = -1;
        }
    }
    rc = vn_match_all(&cells, plan, gt, res, &scratch, outcomes, npig, match_out, iou_out, err);
    if (rc != VERNIER_OK)
        goto done;
    if (opts->keep_records) {
        rc = vn_records_build(ev, &cells, gt, outcomes, match_out, iou_out, &scratch);
        if (rc != VERNIER_OK)
            goto done;
    }
    rc = vn_accumulate(ev, &cells, outcomes, npig, &scratch);
    if (rc != VERNIER_OK)
        goto done;
    rc = vn_summarize(ev, &scratch);
done:
    if ((rc == VERNIER_E_NOMEM || rc == VERNIER_E_BUDGET) && vn_error_usable(err) &&
        err->message[0] == 0)
        vn_fail(err, rc, "%s while evaluating", vernier_status_string(rc));
    vn_arena_release(&scratch);
    vn_mask_cache_release(gt);
    return rc;
}

static int evaluate_checked(vernier_eval **out, const vernier_dataset *gt,
                            const vernier_results *res, const vernier_eval_options *opts,
                            const vernier_allocator *alc, vernier_error *err)
{
    vernier_eval_options defaults;
    vernier_eval *ev;
    vn_mem mem;
    vn_plan plan;
    int rc;

    if (gt == NULL || res == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "gt and res must not be NULL");
    if (opts == NULL) {
        vernier_eval_options_init(&defaults, VERNIER_EVAL_OPTIONS_VERSION);
        opts = &defaults;
    }
    VN_TRY(vn_plan_from_options(&plan, opts, err));
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    ev = vn_malloc(&mem, sizeof(*ev));
    if (ev == NULL)
        return vn_fail(err, vn_mem_failure(&mem), "%s",
                       vernier_status_string(vn_mem_failure(&mem)));
    memset(ev, 0, sizeof(*ev));
    ev->mem = mem;
    ev->plan = plan;
    vn_arena_init(&ev->arena, &ev->mem);
    rc = evaluate(ev, gt, res, opts, err);
    if (rc != VERNIER_OK) {
        vernier_eval_free(ev);
        return rc;
    }
    *out = ev;
    return VERNIER_OK;
}

int vernier_eval_run(vernier_eval **out, const vernier_dataset *gt, const vernier_results *res,
                     const vernier_eval_options *opts, const vernier_allocator *alc,
                     vernier_error *err)
{
    vernier_error local;
    int rc;
    if (out == NULL) {
        vn_error_clear(err);
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    }
    *out = NULL;
    /* err is written only on failure: work on a cleared copy */
    vn_error_init(&local);
    rc = evaluate_checked(out, gt, res, opts, alc, &local);
    if (rc != VERNIER_OK)
        vn_error_copy(err, &local);
    return rc;
}

void vernier_eval_free(vernier_eval *ev)
{
    vn_mem mem;
    if (ev == NULL)
        return;
    vn_arena_release(&ev->arena);
    mem = ev->mem;
    vn_free(&mem, ev, sizeof(*ev));
}

int vernier_eval_dims(const vernier_eval *ev, size_t *t, size_t *r, size_t *k, size_t *a,
                      size_t *m)
{
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    if (t != NULL)
        *t = ev->plan.T;
    if (r != NULL)
        *r = ev->plan.R;
    if (k != NULL)
        *k = ev->K;
    if (a != NULL)
        *a = ev->plan.A;
    if (m != NULL)
        *m = ev->plan.M;
    return VERNIER_OK;
}

/* [k][a][m][t][r] -> [t][r][k][a][m] (R = 1 for recall).  Written in
 * destination order; consecutive r read neighbouring doubles of the same
 * K*A*M curves, which stay in cache. */
static int copy_transposed(const vernier_eval *ev, const double *src, size_t R, double *out,
                           size_t n)
{
    const vn_plan *p = &ev->plan;
    size_t t, r, c, T = p->T, KAM = ev->K * p->A * p->M;
    if (out == NULL && n != 0)
        return VERNIER_E_INVALID_ARG;
    if (n != T * R * KAM)
        return VERNIER_E_INVALID_ARG;
    for (t = 0; t < T; t++)
        for (r = 0; r < R; r++)
            for (c = 0; c < KAM; c++)
                *out++ = src[(c * T + t) * R + r];
    return VERNIER_OK;
}

int vernier_eval_copy_precision(const vernier_eval *ev, double *out, size_t n)
{
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    return copy_transposed(ev, ev->precision, ev->plan.R, out, n);
}

int vernier_eval_copy_recall(const vernier_eval *ev, double *out, size_t n)
{
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    return copy_transposed(ev, ev->recall, 1, out, n);
}

int vernier_eval_copy_scores(const vernier_eval *ev, double *out, size_t n)
{
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    return copy_transposed(ev, ev->scores, ev->plan.R, out, n);
}

const double *vernier_eval_iou_thresholds(const vernier_eval *ev)
{
    return ev == NULL ? NULL : ev->plan.iou_thrs;
}

const double *vernier_eval_recall_thresholds(const vernier_eval *ev)
{
    return ev == NULL ? NULL : ev->plan.rec_thrs;
}

const int64_t *vernier_eval_category_ids(const vernier_eval *ev)
{
    return ev == NULL ? NULL : ev->cat_ids;
}

const int64_t *vernier_eval_max_dets(const vernier_eval *ev)
{
    return ev == NULL ? NULL : ev->plan.max_dets;
}

size_t vernier_eval_num_stats(const vernier_eval *ev)
{
    return ev == NULL ? 0 : ev->n_stats;
}

int vernier_eval_copy_stats(const vernier_eval *ev, double *out, size_t n)
{
    size_t i;
    if (ev == NULL || n != ev->n_stats || (out == NULL && n != 0))
        return VERNIER_E_INVALID_ARG;
    for (i = 0; i < n; i++)
        out[i] = ev->stats[i];
    return VERNIER_OK;
}

int vernier_eval_records_dims(const vernier_eval *ev, size_t *n_records, size_t *n_dt_rows,
                              size_t *n_gt_rows, size_t *n_eval_imgs)
{
    if (ev == NULL || !ev->has_records)
        return ev == NULL ? VERNIER_E_INVALID_ARG : VERNIER_E_STATE;
    if (n_records != NULL)
        *n_records = ev->n_rec;
    if (n_dt_rows != NULL)
        *n_dt_rows = ev->n_rec_dt;
    if (n_gt_rows != NULL)
        *n_gt_rows = ev->n_rec_gt;
    if (n_eval_imgs != NULL)
        *n_eval_imgs = ev->K * ev->plan.A * ev->n_images;
    return VERNIER_OK;
}

int vernier_eval_copy_records(const vernier_eval *ev, int64_t *records, int64_t *dt_id,
                              double *dt_score, int32_t *dt_match, uint8_t *dt_ignore,
                              int64_t *gt_id, uint8_t *gt_ignore, int32_t *gt_match)
{
    size_t T;
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    if (!ev->has_records)
        return VERNIER_E_STATE;
    T = ev->plan.T;
#define VN_COPY_OUT(dst, src, bytes)                \
    do {                                            \
        if ((dst) != NULL && (bytes) != 0)          \
            memcpy((dst), (src), (bytes));          \
    } while (0)
    VN_COPY_OUT(records, ev->rec, ev->n_rec * VN_REC_COLS * sizeof(int64_t));
    VN_COPY_OUT(dt_id, ev->rec_dt_id, ev->n_rec_dt * sizeof(int64_t));
    VN_COPY_OUT(dt_score, ev->rec_dt_score, ev->n_rec_dt * sizeof(double));
    VN_COPY_OUT(dt_match, ev->rec_dt_match, ev->n_rec_dt * T * sizeof(int32_t));
    VN_COPY_OUT(dt_ignore, ev->rec_dt_ignore, ev->n_rec_dt * T);
    VN_COPY_OUT(gt_id, ev->rec_gt_id, ev->n_rec_gt * sizeof(int64_t));
    VN_COPY_OUT(gt_ignore, ev->rec_gt_ignore, ev->n_rec_gt);
    VN_COPY_OUT(gt_match, ev->rec_gt_match, ev->n_rec_gt * T * sizeof(int32_t));
#undef VN_COPY_OUT
    return VERNIER_OK;
}

