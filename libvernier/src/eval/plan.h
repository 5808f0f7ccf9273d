/* plan.h — the evaluation plan: what vernier_eval_options resolve to
 * (private). */
#ifndef VN_PLAN_H
#define VN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_limits.h"
#include "vernier.h"

#define VN_T_DEFAULT 10  /* IoU thresholds 0.50:0.05:0.95 */
#define VN_R_DEFAULT 101 /* recall thresholds 0:0.01:1 */

/* The evaluation plan: everything the options resolve to. */
typedef struct vn_plan {
    int iou_type;      /* vernier_iou_type */
    double dilation_ratio;
    int parity_mode;
    int use_cats;
    size_t T, R, A, M;
    int custom_grid;   /* thresholds or area ranges other than the defaults */
    double iou_thrs[VERNIER_MAX_IOU_THRESHOLDS];
    double rec_thrs[VERNIER_MAX_RECALL_THRESHOLDS];
    double area_rng[VERNIER_MAX_AREA_RANGES][2];
    char area_lbl[VERNIER_MAX_AREA_RANGES][VN_LABEL_SIZE];
    int64_t max_dets[VERNIER_MAX_MAX_DETS]; /* ascending */
    int64_t max_det;                        /* the largest: cells keep this many */
    size_t n_threads;  /* threads for matching and accumulation (>= 1; the
                          option's 0, auto, resolved to the online CPUs) */
} vn_plan;

/* Resolves options into a plan (what vernier_eval_run does first). */
int vn_plan_from_options(vn_plan *plan, const vernier_eval_options *opts, vernier_error *err);

/* 1 when the options restrict the images or categories evaluated
 * (image_ids / category_ids), 0 otherwise. */
int vn_options_have_subsets(const vernier_eval_options *opts);

/* COCO's person sigmas as pycocotools computes them (the literals divided
 * by 10.0). */
void vn_coco_sigmas(double out[VN_COCO_KEYPOINTS]);

/* A sigma list must have 1 to VN_MAX_KEYPOINTS values, each finite and
 * > 0; VERNIER_E_INVALID_ARG otherwise. */
int vn_check_sigmas(const double *s, size_t n, vernier_error *err);

#endif
