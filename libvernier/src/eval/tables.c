/* tables.c — the tables of a finished evaluation: per class (the summary
 * statistics restricted to one category, with its ground-truth and
 * detection counts) and per image (counts and TP / FP / FN from the kept
 * records).  The per-class figures are filled in by summary.c and accum.c
 * for every evaluation, one-shot, incremental or merged; the per-image
 * table reads the per-image records (keep_records). */
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
    size_t T, I, r, i, t, d0 = 0, g0 = 0;
    int strict;
    if (ev == NULL)
        return VERNIER_E_INVALID_ARG;
    if (!ev->has_records)
        return VERNIER_E_STATE;
    T = ev->plan.T;
    I = ev->n_images;
    strict = ev->plan.parity_mode == VERNIER_PARITY_STRICT;
    if (n != I)
        return VERNIER_E_INVALID_ARG;
    for (i = 0; i < I; i++) {
        if (image_ids != NULL)
            image_ids[i] = ev->image_ids[i];
        if (n_gt != NULL)
            n_gt[i] = 0;
        if (n_dt != NULL)
            n_dt[i] = 0;
        for (t = 0; t < T; t++) {
            if (tp != NULL)
                tp[i * T + t] = 0;
            if (fp != NULL)
                fp[i * T + t] = 0;
            if (fn != NULL)
                fn[i * T + t] = 0;
        }
    }
    /* the records of the first area range; their detections are already
     * cut to the largest cap */
    for (r = 0; r < ev->n_rec; r++) {
        const int64_t *row = ev->rec + r * VN_REC_COLS;
        size_t D = (size_t)row[5], G = (size_t)row[6], d, g, real = 0;
        if (row[3] == 0) {
            i = (size_t)row[0] % I;
            for (g = 0; g < G; g++)
                real += !ev->rec_gt_ignore[g0 + g];
            if (n_gt != NULL)
                n_gt[i] += (uint32_t)real;
            if (n_dt != NULL)
                n_dt[i] += (uint32_t)D;
            for (t = 0; t < T; t++) {
                uint32_t n_tp = 0, n_fp = 0;
                for (d = 0; d < D; d++) {
                    size_t at = (d0 + d) * T + t;
                    int32_t m = ev->rec_dt_match[at];
                    if (ev->rec_dt_ignore[at])
                        continue;
                    /* accumulate's view: in strict mode a match to a GT
                     * of id 0 reads as no match (quirk: id 0 sentinel) */
                    if (m >= 0 && (!strict || ev->rec_gt_id[g0 + (size_t)m] != 0))
                        n_tp++;
                    else
                        n_fp++;
                }
                if (tp != NULL)
                    tp[i * T + t] += n_tp;
                if (fp != NULL)
                    fp[i * T + t] += n_fp;
                if (fn != NULL)
                    fn[i * T + t] += (uint32_t)real - n_tp;
            }
        }
        d0 += D;
        g0 += G;
    }
    return VERNIER_OK;
}
