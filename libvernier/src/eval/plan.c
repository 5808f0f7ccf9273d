/* plan.c — options to the evaluation plan: IoU and recall thresholds, area
 * ranges, maxDets, threads; COCO's default keypoint sigmas. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/vn_error.h"
#include "eval/plan.h"

int vernier_eval_options_init(vernier_eval_options *opts, unsigned version)
{
    if (opts == NULL || version != VERNIER_EVAL_OPTIONS_VERSION)
        return VERNIER_E_INVALID_ARG;
    memset(opts, 0, sizeof(*opts));
    opts->version = version;
    opts->iou_type = VERNIER_IOU_BBOX;
    opts->parity_mode = VERNIER_PARITY_STRICT;
    opts->use_cats = 1;
    opts->n_max_dets = 0; /* the kernel's own ladder */
    opts->dilation_ratio = 0.02;
    opts->num_threads = 1;
    return VERNIER_OK;
}

/* numpy.linspace(0.5, 0.95, 10) and numpy.linspace(0, 1, 101): start +
 * i * step with step = (stop - start) / (num - 1), the last value forced to
 * stop.  Computed, not typed in, so the doubles are numpy's exactly. */
static void linspace(double *out, double start, double stop, size_t num)
{
    size_t i;
    double step = (stop - start) / (double)(num - 1);
    for (i = 0; i < num; i++)
        out[i] = start + (double)i * step;
    out[num - 1] = stop;
}

static int check_ladder(const double *v, size_t n, size_t max, const char *what,
                        vernier_error *err)
{
    size_t i;
    if (n < 1 || n > max)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "%s must have 1 to %zu values, got %zu", what,
                       max, n);
    if (v == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "%s is NULL but its count is %zu", what, n);
    for (i = 0; i < n; i++) {
        if (!(v[i] >= 0.0 && v[i] <= 1.0))
            return vn_fail(err, VERNIER_E_INVALID_ARG, "%s[%zu] = %g is not in [0, 1]", what, i,
                           v[i]);
        if (i > 0 && !(v[i] > v[i - 1]))
            return vn_fail(err, VERNIER_E_INVALID_ARG,
                           "%s must be ascending and distinct (index %zu)", what, i);
    }
    return VERNIER_OK;
}

static void set_area(vn_plan *plan, size_t a, const char *label, double lo, double hi)
{
    snprintf(plan->area_lbl[a], VN_LABEL_SIZE, "%s", label);
    plan->area_rng[a][0] = lo;
    plan->area_rng[a][1] = hi;
}

int vn_plan_from_options(vn_plan *plan, const vernier_eval_options *opts, vernier_error *err)
{
    size_t i, j;
    int kp;
    memset(plan, 0, sizeof(*plan));
    if (opts->version != VERNIER_EVAL_OPTIONS_VERSION)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unknown vernier_eval_options version %u",
                       opts->version);
    if (opts->iou_type < VERNIER_IOU_BBOX || opts->iou_type > VERNIER_IOU_KEYPOINTS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unsupported iou_type %d", opts->iou_type);
    kp = opts->iou_type == VERNIER_IOU_KEYPOINTS;
    if (opts->iou_type == VERNIER_IOU_BOUNDARY &&
        !(opts->dilation_ratio > 0 && opts->dilation_ratio <= 1))
        return vn_fail(err, VERNIER_E_INVALID_ARG,
                       "dilation_ratio must be in (0, 1], got %g", opts->dilation_ratio);
    plan->iou_type = opts->iou_type;
    plan->dilation_ratio = opts->dilation_ratio;
    if (opts->parity_mode != VERNIER_PARITY_STRICT && opts->parity_mode != VERNIER_PARITY_CORRECTED)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unknown parity_mode %d", opts->parity_mode);
    if (opts->use_cats != 0 && opts->use_cats != 1)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "use_cats must be 0 or 1, got %d",
                       opts->use_cats);
    if (opts->n_max_dets > VERNIER_MAX_MAX_DETS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets must have 1 to %d entries, got %zu",
                       VERNIER_MAX_MAX_DETS, opts->n_max_dets);
    plan->parity_mode = opts->parity_mode;
    plan->use_cats = opts->use_cats;
    if (opts->num_threads > VERNIER_MAX_THREADS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "num_threads must be 0 (auto) to %d, got %u",
                       VERNIER_MAX_THREADS, opts->num_threads);
    plan->n_threads = opts->num_threads;
    if (plan->n_threads == 0) {
        /* auto: the online CPUs */
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        plan->n_threads = online < 1 ? 1 : (size_t)online;
        if (plan->n_threads > VERNIER_MAX_THREADS)
            plan->n_threads = VERNIER_MAX_THREADS;
    }

    /* thresholds: numpy.linspace(.5, .95, 10) and linspace(0, 1, 101) */
    if (opts->iou_thresholds != NULL || opts->n_iou_thresholds != 0) {
        VN_TRY(check_ladder(opts->iou_thresholds, opts->n_iou_thresholds,
                            VERNIER_MAX_IOU_THRESHOLDS, "iou_thresholds", err));
        plan->T = opts->n_iou_thresholds;
        memcpy(plan->iou_thrs, opts->iou_thresholds, plan->T * sizeof(double));
        plan->custom_grid = 1;
    } else {
        plan->T = VN_T_DEFAULT;
        linspace(plan->iou_thrs, 0.5, 0.95, VN_T_DEFAULT);
    }
    if (opts->recall_thresholds != NULL || opts->n_recall_thresholds != 0) {
        VN_TRY(check_ladder(opts->recall_thresholds, opts->n_recall_thresholds,
                            VERNIER_MAX_RECALL_THRESHOLDS, "recall_thresholds", err));
        plan->R = opts->n_recall_thresholds;
        memcpy(plan->rec_thrs, opts->recall_thresholds, plan->R * sizeof(double));
        plan->custom_grid = 1;
    } else {
        plan->R = VN_R_DEFAULT;
        linspace(plan->rec_thrs, 0.0, 1.0, VN_R_DEFAULT);
    }
    if (opts->area_ranges != NULL || opts->n_area_ranges != 0) {
        if (opts->n_area_ranges < 1 || opts->n_area_ranges > VERNIER_MAX_AREA_RANGES ||
            opts->area_ranges == NULL || opts->area_labels == NULL)
            return vn_fail(err, VERNIER_E_INVALID_ARG,
                           "area_ranges must have 1 to %d labelled ranges",
                           VERNIER_MAX_AREA_RANGES);
        plan->A = opts->n_area_ranges;
        for (i = 0; i < plan->A; i++) {
            double lo = opts->area_ranges[2 * i], hi = opts->area_ranges[2 * i + 1];
            const char *lbl = opts->area_labels[i];
            if (lbl == NULL || strlen(lbl) == 0 || strlen(lbl) > VERNIER_MAX_AREA_LABEL)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "area_labels[%zu] must have 1 to %d bytes", i,
                               VERNIER_MAX_AREA_LABEL);
            if (!(lo >= 0 && lo <= hi) || hi != hi || lo > 1e300 || hi > 1e300)
                return vn_fail(err, VERNIER_E_INVALID_ARG,
                               "area range %zu (%s) must have 0 <= lo <= hi, finite", i, lbl);
            for (j = 0; j < i; j++)
                if (strcmp(plan->area_lbl[j], lbl) == 0)
                    return vn_fail(err, VERNIER_E_INVALID_ARG,
                                   "area label \"%s\" is used twice", lbl);
            set_area(plan, i, lbl, lo, hi);
        }
        plan->custom_grid = 1;
    } else if (kp) {
        /* setKpParams: all, medium, large */
        plan->A = 3;
        set_area(plan, 0, "all", 0.0, 1e10);
        set_area(plan, 1, "medium", 1024.0, 9216.0);
        set_area(plan, 2, "large", 9216.0, 1e10);
    } else {
        /* all, small, medium, large: [0, 1e5**2], [0, 32**2], [32**2,
         * 96**2], [96**2, 1e5**2] */
        plan->A = 4;
        set_area(plan, 0, "all", 0.0, 1e10);
        set_area(plan, 1, "small", 0.0, 1024.0);
        set_area(plan, 2, "medium", 1024.0, 9216.0);
        set_area(plan, 3, "large", 9216.0, 1e10);
    }

    /* pycocotools sorts maxDets ascending before evaluating (quirk A2) */
    if (opts->n_max_dets == 0) {
        plan->M = kp ? 1 : 3;
        plan->max_dets[0] = kp ? 20 : 1;
        plan->max_dets[1] = 10;
        plan->max_dets[2] = 100;
    } else {
        plan->M = opts->n_max_dets;
        for (i = 0; i < plan->M; i++) {
            int64_t v = opts->max_dets[i];
            if (v < 0 || v > (int64_t)UINT32_MAX)
                return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets[%zu] = %lld is out of range",
                               i, (long long)v);
            for (j = i; j > 0 && plan->max_dets[j - 1] > v; j--)
                plan->max_dets[j] = plan->max_dets[j - 1];
            plan->max_dets[j] = v;
        }
    }
    for (i = 1; i < plan->M; i++)
        if (plan->max_dets[i] == plan->max_dets[i - 1])
            return vn_fail(err, VERNIER_E_INVALID_ARG, "max_dets has the value %lld twice",
                           (long long)plan->max_dets[i]);
    plan->max_det = plan->max_dets[plan->M - 1];
    if (opts->n_image_ids != 0 && opts->image_ids == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "image_ids is NULL but its count is %zu",
                       opts->n_image_ids);
    if (opts->n_category_ids != 0 && opts->category_ids == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "category_ids is NULL but its count is %zu",
                       opts->n_category_ids);
    if (opts->n_image_ids >= UINT32_MAX || opts->n_category_ids >= UINT32_MAX)
        return vn_fail(err, VERNIER_E_LIMIT, "more than 2^32-1 image or category ids");
    return VERNIER_OK;
}

int vn_options_have_subsets(const vernier_eval_options *opts)
{
    return opts->image_ids != NULL || opts->n_image_ids != 0 || opts->category_ids != NULL ||
           opts->n_category_ids != 0;
}

/* COCO's person sigmas as pycocotools writes them: decimal literals divided
 * by 10.0 at run time (a second rounding that matters, quirk F9). */
static const double COCO_SIGMAS_X10[VN_COCO_KEYPOINTS] = {.26, .25, .25, .35, .35, .79, .79, .72, .72,
                                           .62, .62, 1.07, 1.07, .87, .87, .89, .89};


void vn_coco_sigmas(double out[VN_COCO_KEYPOINTS])
{
    size_t j;
    for (j = 0; j < VN_COCO_KEYPOINTS; j++)
        out[j] = COCO_SIGMAS_X10[j] / 10.0;
}

int vn_check_sigmas(const double *s, size_t n, vernier_error *err)
{
    size_t j;
    if (n < 1 || n > VN_MAX_KEYPOINTS)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "a sigma list must have 1 to %d values, got %zu",
                       VN_MAX_KEYPOINTS, n);
    for (j = 0; j < n; j++)
        if (!(s[j] > 0) || s[j] > 1e300)
            return vn_fail(err, VERNIER_E_INVALID_ARG, "sigma %zu = %g must be finite and > 0", j,
                           s[j]);
    return VERNIER_OK;
}
