/* eval_internal.h — evaluation state shared by eval.c, match.c and accum.c
 * (private).
 *
 * Data flows one way: the parsed dataset and results are grouped into
 * cells (one per image x category, or per image when categories are
 * pooled), each cell's detections are ranked by score, the IoU kernel and
 * greedy matching turn every (cell, area range, IoU threshold) into one
 * outcome code per detection, accumulation turns the codes into the
 * precision/recall/scores arrays, and summarize reduces those to stats. */
#ifndef VN_EVAL_INTERNAL_H
#define VN_EVAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "parse/coco.h"
#include "mask/rle.h"
#include "vernier.h"
#include "common/vn_alloc.h"

#define VN_T_DEFAULT 10  /* IoU thresholds 0.50:0.05:0.95 */
#define VN_R_DEFAULT 101 /* recall thresholds 0:0.01:1 */
#define VN_MAX_R 1001    /* recall thresholds a custom grid may have */
#define VN_MAX_A 16      /* area ranges a custom grid may have */
#define VN_LABEL_MAX 32  /* bytes of an area-range label, NUL included */
#define VN_MAX_STATS 12
#define VN_MAX_KEYPOINTS 1024 /* keypoints per object (sigmas per category) */

/* A detection's outcomes at one area range, for every IoU threshold t, as
 * pycocotools' accumulate classifies them: bit t set = true positive at t,
 * bit 32 + t set = ignored at t (neither TP nor FP: it matched an ignored
 * GT, or it is unmatched and outside the area range); neither = false
 * positive.  Hence at most 32 IoU thresholds. */
typedef uint64_t vn_outcome;
#define VN_MAX_T 32
#define VN_TP_BIT(t) ((vn_outcome)1 << (t))
#define VN_IGN_BIT(t) ((vn_outcome)1 << (32 + (t)))

/* The evaluation plan: everything the options resolve to. */
typedef struct vn_plan {
    int iou_type;      /* vernier_iou_type */
    double dilation_ratio;
    int parity_mode;
    int use_cats;
    size_t T, R, A, M;
    int custom_grid;   /* thresholds or area ranges other than the defaults */
    double iou_thrs[VN_MAX_T];
    double rec_thrs[VN_MAX_R];
    double area_rng[VN_MAX_A][2];
    char area_lbl[VN_MAX_A][VN_LABEL_MAX];
    int64_t max_dets[VERNIER_MAX_MAX_DETS]; /* ascending */
    int64_t max_det;                        /* the largest: cells keep this many */
    size_t n_threads;  /* matching threads: 1 sequential, 0 auto (online CPUs) */
} vn_plan;

/* Cells in CSR form.  Cell c holds ground truths gt_ann[gt_start[c] ..
 * gt_start[c+1]) (dataset annotation indices, in pycocotools' order) and
 * detections dt_res[dt_start[c] .. dt_start[c+1]) (result indices, sorted
 * by descending score, stably, and cut to plan.max_det).  With categories
 * per cell, c = k * n_images + i, so one category's cells are contiguous
 * and in ascending image order. */
typedef struct vn_cells {
    size_t n_images, n_cats, n_cells;
    int64_t *image_ids; /* sorted unique GT image ids */
    int64_t *cat_ids;   /* sorted unique GT category ids */
    uint32_t *gt_start, *gt_ann;
    uint32_t *dt_start, *dt_res;
    uint8_t *nonempty;  /* cell had any GT or any detection (before the cut) */
    size_t n_gt, n_dt;
    /* the fields matching reads, gathered into slot order so that the hot
     * loops walk memory sequentially: GT slot i is gt_ann[i], detection
     * slot s is dt_res[s] */
    double *gt_bbox;    /* 4 per GT slot */
    double *gt_area;
    uint8_t *gt_crowd;  /* iscrowd != 0 */
    uint8_t *gt_real;   /* id != 0 (pycocotools reads id 0 as "no match") */
    double *dt_bbox;    /* 4 per detection slot */
    double *dt_area;
    double *dt_score;
    uint32_t *dt_img;   /* sorted image index per detection slot */
    int64_t *img_hw;    /* height, width per sorted image (-1 if absent) */
    /* mask kernels only: per GT slot, its mask (from the dataset's cache),
     * the mask's box (rleToBbox, for the prefilter) and, for boundary, its
     * band */
    const vn_rle **gt_mask;
    double *gt_mbox;
    const vn_rle **gt_band;
    /* all kernels: per GT slot, pycocotools' gt['ignore'] before the area
     * range: iscrowd (strict), or num_keypoints == 0 for keypoints */
    uint8_t *gt_ignore;
    /* keypoints only: per category index, (2 sigma)^2 per keypoint */
    const double **kp_vars;
    size_t *kp_count;
} vn_cells;

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
    /* per-image records (pycocotools' evalImgs), kept on request: one row
     * of VN_REC_COLS per present record, then its detections and ground
     * truths in the concatenated dt/gt tables (see vernier.h) */
    int has_records;
    size_t n_images;   /* I of the evalImgs index (k * A + a) * I + i */
    size_t n_rec, n_rec_dt, n_rec_gt;
    int64_t *rec;
    int64_t *rec_dt_id;
    double *rec_dt_score;
    int32_t *rec_dt_match; /* T per detection row */
    uint8_t *rec_dt_ignore;/* T per detection row */
    int64_t *rec_gt_id;
    uint8_t *rec_gt_ignore;
    int32_t *rec_gt_match; /* T per ground-truth row */
};
#define VN_REC_COLS 7

/* eval.c */
/* Allocates from `ar`; the cells live as long as the arena. */
int vn_cells_build(vn_cells *cells, vn_arena *ar, const vernier_dataset *gt,
                   const vernier_results *res, const vn_plan *plan,
                   const vernier_eval_options *opts, vernier_error *err);

/* match.c: computes the outcomes of every detection of every cell.
 * out has A * n_dt entries, zeroed by the caller: detection slot s (its
 * position in dt_res) at area range a is out[a * n_dt + s].  npig has
 * n_cells * A counts of non-ignored GTs.  match_out, when not NULL, has
 * A * T * n_dt entries set to -1 by the caller; the match of slot s at area
 * range a and threshold t, as the GT's position within its cell (before the
 * ignore sort), is written to match_out[(a * T + t) * n_dt + s]. */
int vn_match_all(const vn_cells *cells, const vn_plan *plan, const vernier_dataset *gt,
                 const vernier_results *res, vn_arena *scratch, vn_outcome *out, uint32_t *npig,
                 int32_t *match_out, vernier_error *err);

/* eval.c: quirk J6 in corrected mode, one shape of segmentation (polygon
 * or RLE) per box-kind result list; VERNIER_E_SCHEMA names the first
 * result of the other shape. */
int vn_check_one_shape(const vernier_results *res, vernier_error *err);

/* eval.c: quirks J2 and K1 in corrected mode, for the results the cells
 * hold (those that get evaluated), in list order: a box-kind result without
 * a segmentation, or with a degenerate polygon, is refused; the error names
 * the first. */
int vn_check_dt_masks(const vn_cells *cells, const vernier_results *res, vn_arena *scratch,
                      vernier_error *err);

/* accum.c */
int vn_accumulate(vernier_eval *ev, const vn_cells *cells, const vn_outcome *out,
                  const uint32_t *npig, vn_arena *scratch);
int vn_summarize(vernier_eval *ev, vn_arena *scratch);
double vn_pairwise_sum(const double *a, size_t n);

/* ---- incremental sessions (session.c) ------------------------------------ */

struct vn_hashmap;

/* Cells of one result batch against `base` (the cells of the whole ground
 * truth with no detections, from vn_cells_build): the batch's images only,
 * in ascending id order, with the base's GT slots copied and the
 * detections grouped, ranked and cut exactly as vn_cells_build does.
 * img_map / cat_map map the base's image and category ids to their base
 * indices.  *img_global (nb entries, from `ar`) gives each local image's
 * base index.  A result on an image the ground truth lacks fails with
 * VERNIER_E_UNKNOWN_IMAGE, located as vn_cells_build locates it.  The cost
 * is linear in the batch (its results, images x categories and GT), not in
 * the dataset. */
int vn_cells_build_subset(vn_cells *cells, vn_arena *ar, const vn_cells *base,
                          const struct vn_hashmap *img_map, const struct vn_hashmap *cat_map,
                          const vernier_results *res, const vn_plan *plan, uint32_t **img_global,
                          vernier_error *err);

/* eval.c: resolves options into a plan (what vernier_evaluate does first). */
int vn_plan_from_options(vn_plan *plan, const vernier_eval_options *opts, vernier_error *err);

/* eval.c: COCO's 17 person sigmas as pycocotools computes them (the
 * literals divided by 10.0). */
void vn_coco_sigmas(double out[17]);

#endif
