/* summary.c — pycocotools' summarize(): the 12 detection statistics and
 * the lines it prints. */
#include <stdio.h>
#include <string.h>

#include "common/sums.h"
#include "common/vn_error.h"
#include "eval/summary.h"

/* One statistic: AP or AR, at one IoU threshold or averaged over all, in
 * one area range (by label), at one max-detection cap.  cap_pos >= 0 reads
 * the cap at that position of the (sorted) ladder; cap_pos < 0 means the
 * literal -cap_pos (stats[0] reads 100 for detection, quirk L9; keypoints
 * read 20 everywhere). */
typedef struct stat_def {
    int ap;
    double iou; /* 0: average over all thresholds */
    const char *area;
    int cap_pos;
} stat_def;

static const stat_def DETECTION[12] = {
    {1, 0.0, "all", -100},  {1, 0.5, "all", 2},     {1, 0.75, "all", 2},
    {1, 0.0, "small", 2},   {1, 0.0, "medium", 2},  {1, 0.0, "large", 2},
    {0, 0.0, "all", 0},     {0, 0.0, "all", 1},     {0, 0.0, "all", 2},
    {0, 0.0, "small", 2},   {0, 0.0, "medium", 2},  {0, 0.0, "large", 2},
};

static const stat_def KEYPOINTS[10] = {
    {1, 0.0, "all", -20},    {1, 0.5, "all", -20},    {1, 0.75, "all", -20},
    {1, 0.0, "medium", -20}, {1, 0.0, "large", -20},  {0, 0.0, "all", -20},
    {0, 0.5, "all", -20},    {0, 0.75, "all", -20},   {0, 0.0, "medium", -20},
    {0, 0.0, "large", -20},
};

static const stat_def *stat_table(const vernier_eval *ev)
{
    return ev->plan.iou_type == VERNIER_IOU_KEYPOINTS ? KEYPOINTS : DETECTION;
}

static int64_t stat_cap(const vernier_eval *ev, const stat_def *sd)
{
    if (sd->cap_pos >= 0)
        return ev->plan.max_dets[sd->cap_pos];
    /* corrected (quirk L9): the largest cap instead of the literal */
    if (ev->plan.parity_mode == VERNIER_PARITY_CORRECTED)
        return ev->plan.max_det;
    return -(int64_t)sd->cap_pos;
}

/* mean of the entries > -1 of precision[t, :, k0:k1, a, m] (or recall[t,
 * k0:k1, a, m]) over the selected t, taken in C order as numpy does; -1 if
 * none.  The summary reads every category (k0 = 0, k1 = K), the per-class
 * table one (pycocotools' np.mean over precision[:, :, k, a, m] > -1).
 * Thresholds, labels and caps are looked up by value, as summarize() does:
 * one that is not on the grid gives an empty slice. */
static double stat_value(const vernier_eval *ev, const stat_def *sd, size_t k0, size_t k1,
                         double *buf)
{
    const vn_plan *p = &ev->plan;
    int64_t cap = stat_cap(ev, sd);
    size_t t, r, k, m, a, n = 0, M = p->M;
    for (m = 0; m < M; m++)
        if (p->max_dets[m] == cap)
            break;
    for (a = 0; a < p->A; a++)
        if (strcmp(p->area_lbl[a], sd->area) == 0)
            break;
    if (m == M || a == p->A)
        return -1.0;
    for (t = 0; t < p->T; t++) {
        if (sd->iou != 0.0 && p->iou_thrs[t] != sd->iou)
            continue;
        if (sd->ap) {
            for (r = 0; r < p->R; r++)
                for (k = k0; k < k1; k++) {
                    double v = ev->precision[(((k * p->A + a) * M + m) * p->T + t) * p->R + r];
                    if (v > -1)
                        buf[n++] = v;
                }
        } else {
            for (k = k0; k < k1; k++) {
                double v = ev->recall[((k * p->A + a) * M + m) * p->T + t];
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
    const stat_def *table = stat_table(ev);
    size_t i, k, n = p->iou_type == VERNIER_IOU_KEYPOINTS ? 10 : 12;
    double *buf;
    ev->n_stats = 0;
    /* pycocotools reads maxDets[0..2] by position for detection: fewer than
     * three caps leaves that summary undefined (it raises IndexError) */
    if (p->iou_type != VERNIER_IOU_KEYPOINTS && p->M < 3)
        return VERNIER_OK;
    buf = vn_arena_array(scratch, p->T * p->R * (ev->K + 1), sizeof(double));
    if (buf == NULL)
        return vn_mem_failure(scratch->mem);
    ev->class_stats = vn_arena_array(&ev->arena, ev->K, n * sizeof(double));
    if (ev->class_stats == NULL && ev->K != 0)
        return vn_mem_failure(&ev->mem);
    for (i = 0; i < n; i++) {
        ev->stats[i] = stat_value(ev, &table[i], 0, ev->K, buf);
        for (k = 0; k < ev->K; k++)
            ev->class_stats[k * n + i] = stat_value(ev, &table[i], k, k + 1, buf);
    }
    ev->n_stats = n;
    return VERNIER_OK;
}

/* The facts of statistic i (i < ev->n_stats): what the summary line
 * prints and vernier_eval_stat_info reports. */
static void stat_facts(const vernier_eval *ev, size_t i, vernier_stat_info *info)
{
    const stat_def *table = stat_table(ev), *sd = &table[i];
    size_t j, same = 0, len;
    const char *area = "";
    memset(info, 0, sizeof(*info));
    info->size = sizeof(*info);
    info->metric = sd->ap ? VERNIER_STAT_AP : VERNIER_STAT_AR;
    info->all_ious = sd->iou == 0.0;
    info->iou_lo = info->all_ious ? ev->plan.iou_thrs[0] : sd->iou;
    info->iou_hi = info->all_ious ? ev->plan.iou_thrs[ev->plan.T - 1] : sd->iou;
    info->area_label = sd->area;
    info->max_dets = stat_cap(ev, sd);
    info->value = ev->stats[i];
    /* the name: metric, IoU x 100, area initial, cap when needed */
    for (j = 0; j < ev->n_stats; j++)
        same += table[j].ap == sd->ap && table[j].iou == sd->iou &&
                strcmp(table[j].area, sd->area) == 0;
    if (strcmp(sd->area, "small") == 0)
        area = "s";
    else if (strcmp(sd->area, "medium") == 0)
        area = "m";
    else if (strcmp(sd->area, "large") == 0)
        area = "l";
    len = (size_t)snprintf(info->name, sizeof(info->name), "%s", sd->ap ? "AP" : "AR");
    if (sd->iou != 0.0)
        len += (size_t)snprintf(info->name + len, sizeof(info->name) - len, "%g", sd->iou * 100);
    len += (size_t)snprintf(info->name + len, sizeof(info->name) - len, "%s", area);
    if (same > 1)
        snprintf(info->name + len, sizeof(info->name) - len, "%lld", (long long)info->max_dets);
}

int vernier_eval_summary_line(const vernier_eval *ev, size_t i, char *buf, size_t cap)
{
    vernier_stat_info f;
    char iou[40];
    int n, ap;
    if (ev == NULL || buf == NULL || i >= ev->n_stats)
        return VERNIER_E_INVALID_ARG;
    stat_facts(ev, i, &f);
    ap = f.metric == VERNIER_STAT_AP;
    if (f.all_ious)
        snprintf(iou, sizeof(iou), "%0.2f:%0.2f", f.iou_lo, f.iou_hi);
    else
        snprintf(iou, sizeof(iou), "%0.2f", f.iou_lo);
    n = snprintf(buf, cap, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3lld ] = %0.3f",
                 ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iou,
                 f.area_label, (long long)f.max_dets, f.value);
    if (n < 0 || (size_t)n >= cap)
        return VERNIER_E_INVALID_ARG;
    return n;
}

int vernier_eval_stat_info(const vernier_eval *ev, size_t i, vernier_stat_info *out)
{
    vernier_stat_info info;
    size_t n;
    if (ev == NULL || out == NULL || i >= ev->n_stats || out->size < sizeof(out->size))
        return VERNIER_E_INVALID_ARG;
    stat_facts(ev, i, &info);
    info.size = out->size;
    n = out->size < sizeof(info) ? out->size : sizeof(info);
    memcpy(out, &info, n);
    return VERNIER_OK;
}

const char *vernier_eval_area_label(const vernier_eval *ev, size_t i)
{
    if (ev == NULL || i >= ev->plan.A)
        return NULL;
    return ev->plan.area_lbl[i];
}

const double *vernier_eval_area_ranges(const vernier_eval *ev)
{
    return ev == NULL ? NULL : &ev->plan.area_rng[0][0];
}
