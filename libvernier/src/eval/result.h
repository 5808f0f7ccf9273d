/* result.h — a finished evaluation, struct vernier_eval (private): the
 * plan, the accumulated arrays, the statistics and the per-image records.
 * Filled by accum.c, summary.c and records.c; read by the driver's
 * getters. */
#ifndef VN_RESULT_H
#define VN_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"
#include "common/vn_limits.h"
#include "eval/plan.h"
#include "vernier.h"

struct vernier_eval {
    vn_mem mem;
    vn_arena arena;    /* owns every array below */
    vn_plan plan;
    size_t K;
    int64_t *cat_ids;  /* K ids; {-1} when pooled */
    /* stored curve by curve: [k][a][m][t][r] for precision and scores,
     * [k][a][m][t] for recall, so accumulation writes sequentially;
     * vernier_eval_copy_* give pycocotools' T x R x K x A x M layout */
    double *precision;
    double *recall;
    double *scores;
    size_t n_stats;
    double stats[VN_MAX_STATS];
    /* the per-class table: stats restricted to one category, K x n_stats
     * (summary.c), and per category the non-ignored ground truths per area
     * range (K x A) and the detections kept (K) (accum.c) */
    double *class_stats;
    uint64_t *class_n_gt;
    uint64_t *class_n_dt;
    /* the per-image table (vernier_eval_image_table), first area range,
     * from the outcomes (accum.c, every evaluation): per image of the
     * evaluation's image axis its non-ignored GTs, its detections, and T
     * true and false positives */
    int has_image_counts;
    uint32_t *img_n_gt, *img_n_dt, *img_tp, *img_fp;
    /* per-image records (pycocotools' evalImgs), kept on request: one row
     * of VN_REC_COLS per present record, then its detections and ground
     * truths in the concatenated dt/gt tables (see vernier.h) */
    int has_records;
    size_t n_images;   /* I of the evalImgs index (k * A + a) * I + i */
    int64_t *image_ids;/* the I image ids, ascending */
    size_t n_rec, n_rec_dt, n_rec_gt;
    int64_t *rec;
    int64_t *rec_dt_id;
    double *rec_dt_score;
    int32_t *rec_dt_match; /* T per detection row */
    double *rec_dt_iou;    /* T per detection row: the match's IoU, -1 none */
    uint8_t *rec_dt_ignore;/* T per detection row */
    int64_t *rec_gt_id;
    uint8_t *rec_gt_ignore;
    uint8_t *rec_gt_crowd; /* the annotation's iscrowd */
    int32_t *rec_gt_match; /* T per ground-truth row */
    double *rec_gt_iou;    /* T per ground-truth row: its match's IoU, -1 none */
};
#define VN_REC_COLS 7

#endif
