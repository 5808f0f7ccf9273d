/* tables.c — the tables of a finished evaluation: per class (the summary
 * statistics restricted to one category, with its ground-truth and
 * detection counts), per image (counts and TP / FP / FN), per detection
 * and per ground truth.  The per-class and per-image figures are filled
 * in by summary.c and accum.c for every evaluation, one-shot, incremental
 * or merged; the detection and ground-truth tables read the per-image
 * records (keep_records), those of the first area range. */
#include <string.h>

#include "eval/result.h"

int vernier_eval_copy_class_stats(const vernier_eval *ev, double *out, size_t n)
{
    if (ev == NULL || n != ev->K * ev->n_stats || (out == NULL && n != 0))
        return VERNIER_E_INVALID_ARG;
    if (n != 0)
        memcpy(out, ev->class_stats, n * sizeof(double));
    return VERNIER_OK;
}

int vernier_eval_copy_class_counts(const vernier_eval *ev, uint64_t *n_gt, uint64_t *n_dt,
                                   size_t k)
{
    size_t A;
    if (ev == NULL || k != ev->K)
        return VERNIER_E_INVALID_ARG;
    A = ev->plan.A;
    if (n_gt != NULL && k != 0)
        memcpy(n_gt, ev->class_n_gt, k * A * sizeof(uint64_t));
    if (n_dt != NULL && k != 0)
        memcpy(n_dt, ev->class_n_dt, k * sizeof(uint64_t));
    return VERNIER_OK;
}

int vernier_eval_image_table(const vernier_eval *ev, int64_t *image_ids, uint32_t *n_gt,
                             uint32_t *n_dt, uint32_t *tp, uint32_t *fp, uint32_t *fn,
                             size_t n)
{
    size_t T, I, i, t;
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    if (!ev->has_image_counts)
        return VERNIER_E_STATE;
    T = ev->plan.T;
    I = ev->n_images;
    if (n != I)
        return VERNIER_E_INVALID_ARG;
    /* accum.c's counts (the outcomes of the first area range, so in
     * strict mode a match to a GT of id 0 reads as no match, as in
     * accumulate()) */
    for (i = 0; i < I; i++) {
        if (image_ids != NULL)
            image_ids[i] = ev->image_ids[i];
        if (n_gt != NULL)
            n_gt[i] = ev->img_n_gt[i];
        if (n_dt != NULL)
            n_dt[i] = ev->img_n_dt[i];
        for (t = 0; t < T; t++) {
            if (tp != NULL)
                tp[i * T + t] = ev->img_tp[i * T + t];
            if (fp != NULL)
                fp[i * T + t] = ev->img_fp[i * T + t];
            if (fn != NULL)
                fn[i * T + t] = ev->img_n_gt[i] - ev->img_tp[i * T + t];
        }
    }
    return VERNIER_OK;
}

int vernier_eval_table_sizes(const vernier_eval *ev, size_t *n_images, size_t *n_dt_rows,
                             size_t *n_gt_rows)
{
    size_t r, nd = 0, ng = 0;
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    /* the image count needs no records, the row counts do */
    if ((n_images != NULL && !ev->has_image_counts) ||
        ((n_dt_rows != NULL || n_gt_rows != NULL) && !ev->has_records))
        return VERNIER_E_STATE;
    for (r = 0; r < ev->n_rec; r++) {
        const int64_t *row = ev->rec + r * VN_REC_COLS;
        if (row[3] == 0) {
            nd += (size_t)row[5];
            ng += (size_t)row[6];
        }
    }
    if (n_images != NULL)
        *n_images = ev->n_images;
    if (n_dt_rows != NULL)
        *n_dt_rows = nd;
    if (n_gt_rows != NULL)
        *n_gt_rows = ng;
    return VERNIER_OK;
}

/* The record rows' detections (dt = 1) or ground truths of the first area
 * range: checks `n` against their number. */
static int first_area_rows(const vernier_eval *ev, int dt, size_t n)
{
    size_t nd, ng;
    int rc = vernier_eval_table_sizes(ev, NULL, &nd, &ng);
    if (rc != VERNIER_OK)
        return rc;
    return n == (dt ? nd : ng) ? VERNIER_OK : VERNIER_E_INVALID_ARG;
}

int vernier_eval_detection_table(const vernier_eval *ev, int64_t *dt_id, int64_t *image_id,
                                 int64_t *category_id, double *score, int64_t *gt_id,
                                 uint8_t *matched, uint8_t *ignored, double *iou, size_t n)
{
    size_t r, T, d0 = 0, g0 = 0, at = 0;
    int rc = first_area_rows(ev, 1, n);
    if (rc != VERNIER_OK)
        return rc;
    T = ev->plan.T;
    for (r = 0; r < ev->n_rec; r++) {
        const int64_t *row = ev->rec + r * VN_REC_COLS;
        size_t D = (size_t)row[5], G = (size_t)row[6], d, t;
        if (row[3] == 0) {
            for (d = 0; d < D; d++, at++) {
                size_t src = d0 + d;
                if (dt_id != NULL)
                    dt_id[at] = ev->rec_dt_id[src];
                if (image_id != NULL)
                    image_id[at] = row[1];
                if (category_id != NULL)
                    category_id[at] = row[2];
                if (score != NULL)
                    score[at] = ev->rec_dt_score[src];
                for (t = 0; t < T; t++) {
                    int32_t m = ev->rec_dt_match[src * T + t];
                    if (gt_id != NULL)
                        gt_id[at * T + t] = m >= 0 ? ev->rec_gt_id[g0 + (size_t)m] : 0;
                    if (matched != NULL)
                        matched[at * T + t] = (uint8_t)(m >= 0);
                    if (ignored != NULL)
                        ignored[at * T + t] = ev->rec_dt_ignore[src * T + t];
                    if (iou != NULL)
                        iou[at * T + t] = ev->rec_dt_iou[src * T + t];
                }
            }
        }
        d0 += D;
        g0 += G;
    }
    return VERNIER_OK;
}

int vernier_eval_gt_table(const vernier_eval *ev, int64_t *gt_id, int64_t *image_id,
                          int64_t *category_id, uint8_t *ignored, uint8_t *crowd,
                          int64_t *dt_id, uint8_t *matched, double *iou, size_t n)
{
    size_t r, T, d0 = 0, g0 = 0, at = 0;
    int rc = first_area_rows(ev, 0, n);
    if (rc != VERNIER_OK)
        return rc;
    T = ev->plan.T;
    for (r = 0; r < ev->n_rec; r++) {
        const int64_t *row = ev->rec + r * VN_REC_COLS;
        size_t D = (size_t)row[5], G = (size_t)row[6], g, t;
        if (row[3] == 0) {
            for (g = 0; g < G; g++, at++) {
                size_t src = g0 + g;
                if (gt_id != NULL)
                    gt_id[at] = ev->rec_gt_id[src];
                if (image_id != NULL)
                    image_id[at] = row[1];
                if (category_id != NULL)
                    category_id[at] = row[2];
                if (ignored != NULL)
                    ignored[at] = ev->rec_gt_ignore[src];
                if (crowd != NULL)
                    crowd[at] = ev->rec_gt_crowd[src];
                for (t = 0; t < T; t++) {
                    int32_t m = ev->rec_gt_match[src * T + t];
                    if (dt_id != NULL)
                        dt_id[at * T + t] = m >= 0 ? ev->rec_dt_id[d0 + (size_t)m] : 0;
                    if (matched != NULL)
                        matched[at * T + t] = (uint8_t)(m >= 0);
                    if (iou != NULL)
                        iou[at * T + t] = ev->rec_gt_iou[src * T + t];
                }
            }
        }
        d0 += D;
        g0 += G;
    }
    return VERNIER_OK;
}
