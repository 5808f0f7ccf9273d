/* summary.c — pycocotools' summarize(): the 12 detection statistics and
 * the lines it prints. */
#include <stdio.h>
#include <string.h>

#include "eval_internal.h"
#include "vn_error.h"

/* One statistic: AP or AR, at one IoU threshold or averaged over all, in
 * one area range, at one max-detection cap.  cap_pos >= 0 reads the cap at
 * that position of the (sorted) ladder; cap_pos < 0 means the literal 100
 * (stats[0] in pycocotools, quirk L9). */
typedef struct stat_def {
    int ap;
    double iou; /* 0: average over all thresholds */
    int area;   /* index into all, small, medium, large */
    int cap_pos;
} stat_def;

static const stat_def DETECTION[VN_MAX_STATS] = {
    {1, 0.0, 0, -1}, {1, 0.5, 0, 2}, {1, 0.75, 0, 2}, {1, 0.0, 1, 2}, {1, 0.0, 2, 2}, {1, 0.0, 3, 2},
    {0, 0.0, 0, 0},  {0, 0.0, 0, 1}, {0, 0.0, 0, 2},  {0, 0.0, 1, 2}, {0, 0.0, 2, 2}, {0, 0.0, 3, 2},
};

static const char *const AREA_LABEL[VN_A_DEFAULT] = {"all", "small", "medium", "large"};

static int64_t stat_cap(const vernier_eval *ev, const stat_def *sd)
{
    return sd->cap_pos < 0 ? 100 : ev->plan.max_dets[sd->cap_pos];
}

/* mean of the entries > -1 of precision[t, :, :, a, m] (or recall[t, :, a,
 * m]) over the selected t, taken in C order as numpy does; -1 if none. */
static double stat_value(const vernier_eval *ev, const stat_def *sd, double *buf)
{
    const vn_plan *p = &ev->plan;
    int64_t cap = stat_cap(ev, sd);
    size_t t, r, k, m, n = 0, M = p->M;
    for (m = 0; m < M; m++)
        if (p->max_dets[m] == cap)
            break;
    if (m == M)
        return -1.0; /* the cap is not on the ladder: an empty slice */
    for (t = 0; t < p->T; t++) {
        if (sd->iou != 0.0 && p->iou_thrs[t] != sd->iou)
            continue;
        if (sd->ap) {
            for (r = 0; r < p->R; r++)
                for (k = 0; k < ev->K; k++) {
                    double v = ev->precision[(((k * p->A + (size_t)sd->area) * M + m) * p->T + t) * p->R + r];
                    if (v > -1)
                        buf[n++] = v;
                }
        } else {
            for (k = 0; k < ev->K; k++) {
                double v = ev->recall[((k * p->A + (size_t)sd->area) * M + m) * p->T + t];
                if (v > -1)
                    buf[n++] = v;
            }
        }
    }
    if (n == 0)
        return -1.0;
    return vn_pairwise_sum(buf, n) / (double)n;
}

int vn_summarize(vernier_eval *ev, vn_arena *scratch)
{
    const vn_plan *p = &ev->plan;
    size_t i;
    double *buf;
    ev->n_stats = 0;
    /* pycocotools reads maxDets[0..2] by position: fewer than three caps
     * leaves the detection summary undefined (it raises IndexError). */
    if (p->M < 3)
        return VERNIER_OK;
    buf = vn_arena_array(scratch, p->T * p->R * (ev->K + 1), sizeof(double));
    if (buf == NULL)
        return vn_mem_failure(scratch->mem);
    for (i = 0; i < VN_MAX_STATS; i++)
        ev->stats[i] = stat_value(ev, &DETECTION[i], buf);
    ev->n_stats = VN_MAX_STATS;
    return VERNIER_OK;
}

int vernier_eval_summary_line(const vernier_eval *ev, size_t i, char *buf, size_t cap)
{
    const stat_def *sd;
    char iou[16];
    int n;
    if (ev == NULL || buf == NULL || i >= ev->n_stats)
        return VERNIER_E_INVALID_ARG;
    sd = &DETECTION[i];
    if (sd->iou == 0.0)
        snprintf(iou, sizeof(iou), "%0.2f:%0.2f", ev->plan.iou_thrs[0],
                 ev->plan.iou_thrs[ev->plan.T - 1]);
    else
        snprintf(iou, sizeof(iou), "%0.2f", sd->iou);
    n = snprintf(buf, cap, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3lld ] = %0.3f",
                 sd->ap ? "Average Precision" : "Average Recall", sd->ap ? "(AP)" : "(AR)", iou,
                 AREA_LABEL[sd->area], (long long)stat_cap(ev, sd), ev->stats[i]);
    if (n < 0 || (size_t)n >= cap)
        return VERNIER_E_INVALID_ARG;
    return n;
}
