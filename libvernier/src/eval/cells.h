/* cells.h — ground truth and detections grouped by image x category, the
 * way pycocotools' _prepare groups them (private). */
#ifndef VN_CELLS_H
#define VN_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "common/hashmap.h"
#include "eval/plan.h"
#include "mask/rle.h"
#include "parse/coco.h"
#include "vernier.h"

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

/* Groups the whole ground truth and result list into cells, allocating
 * from `ar` (the cells live as long as the arena). */
int vn_cells_build(vn_cells *cells, vn_arena *ar, const vernier_dataset *gt,
                   const vernier_results *res, const vn_plan *plan,
                   const vernier_eval_options *opts, vernier_error *err);

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
                          const vn_hashmap *img_map, const vn_hashmap *cat_map,
                          const vernier_results *res, const vn_plan *plan, uint32_t **img_global,
                          vernier_error *err);

/* loadRes' refusal of result i, whose image the ground truth lacks:
 * VERNIER_E_UNKNOWN_IMAGE, located at [i].image_id.  Returns the code. */
int vn_fail_unknown_image(vernier_error *err, const vernier_results *res, size_t i);

#endif
