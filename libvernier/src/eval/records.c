/* records.c — the per-image records of an evaluation (pycocotools'
 * evalImgs), built from the matching's outcomes. */
#include <string.h>

#include "common/sort.h"
#include "common/vn_error.h"
#include "eval/records.h"

/* The per-image records: for every category k, area range a and image i
 * whose cell is not empty (pycocotools' evalImgs entry is not None), the
 * detections in ranked order with their matches, the matches' IoUs (-1
 * for none) and ignore flags per threshold, and the ground truths in
 * pycocotools' order (non-ignored first, stably) with their crowd flags,
 * matches and IoUs.  Two passes: count, then fill. */
int vn_records_build(vernier_eval *ev, const vn_cells *cells, const vernier_dataset *gt,
                     const vn_outcome *out, const int32_t *match, const double *iou,
                     vn_arena *scratch)
{
    const vn_plan *p = &ev->plan;
    size_t I = cells->n_images, K = ev->K, A = p->A, T = p->T, n_dt = cells->n_dt;
    size_t k, a, i, t, n_rec = 0, n_d = 0, n_g = 0, maxG = 0, c;
    size_t r = 0, dr = 0, gr = 0;
    uint32_t *pos, *inv;
    for (c = 0; c < cells->n_cells; c++) {
        size_t G = cells->gt_start[c + 1] - cells->gt_start[c];
        if (!cells->nonempty[c])
            continue;
        n_rec += A;
        n_d += A * (cells->dt_start[c + 1] - cells->dt_start[c]);
        n_g += A * G;
        if (G > maxG)
            maxG = G;
    }
    ev->rec = vn_arena_array(&ev->arena, n_rec, VN_REC_COLS * sizeof(int64_t));
    ev->rec_dt_id = vn_arena_array(&ev->arena, n_d, sizeof(int64_t));
    ev->rec_dt_score = vn_arena_array(&ev->arena, n_d, sizeof(double));
    ev->rec_dt_match = vn_arena_array(&ev->arena, n_d, T * sizeof(int32_t));
    ev->rec_dt_iou = vn_arena_array(&ev->arena, n_d, T * sizeof(double));
    ev->rec_dt_ignore = vn_arena_array(&ev->arena, n_d, T);
    ev->rec_gt_id = vn_arena_array(&ev->arena, n_g, sizeof(int64_t));
    ev->rec_gt_ignore = vn_arena_array(&ev->arena, n_g, 1);
    ev->rec_gt_crowd = vn_arena_array(&ev->arena, n_g, 1);
    ev->rec_gt_match = vn_arena_array(&ev->arena, n_g, T * sizeof(int32_t));
    ev->rec_gt_iou = vn_arena_array(&ev->arena, n_g, T * sizeof(double));
    pos = vn_arena_array(scratch, maxG + 1, sizeof(uint32_t));
    inv = vn_arena_array(scratch, maxG + 1, sizeof(uint32_t));
    if (ev->rec == NULL || ev->rec_dt_id == NULL || ev->rec_dt_score == NULL ||
        ev->rec_dt_match == NULL || ev->rec_dt_ignore == NULL || ev->rec_gt_id == NULL ||
        ev->rec_gt_ignore == NULL || ev->rec_gt_match == NULL || ev->rec_dt_iou == NULL ||
        ev->rec_gt_crowd == NULL || ev->rec_gt_iou == NULL || pos == NULL || inv == NULL)
        return vn_mem_failure(&ev->mem);
    for (k = 0; k < K; k++) {
        for (a = 0; a < A; a++) {
            double lo = p->area_rng[a][0], hi = p->area_rng[a][1];
            for (i = 0; i < I; i++) {
                size_t g0, G, d0, D, g, d, n_real = 0, next_real = 0, next_ig;
                int64_t *row;
                c = p->use_cats ? k * I + i : i;
                if (!cells->nonempty[c])
                    continue;
                g0 = cells->gt_start[c];
                G = cells->gt_start[c + 1] - g0;
                d0 = cells->dt_start[c];
                D = cells->dt_start[c + 1] - d0;
                row = ev->rec + r * VN_REC_COLS;
                row[0] = (int64_t)((k * A + a) * I + i);
                row[1] = cells->image_ids[i];
                row[2] = p->use_cats ? cells->cat_ids[k] : -1;
                row[3] = (int64_t)a;
                row[4] = p->max_det;
                row[5] = (int64_t)D;
                row[6] = (int64_t)G;
                /* the ignore sort, as match_cell does it */
                for (g = 0; g < G; g++) {
                    double ar = cells->gt_area[g0 + g];
                    uint8_t ig = (uint8_t)(cells->gt_ignore[g0 + g] || ar < lo || ar > hi);
                    ev->rec_gt_ignore[gr + g] = ig; /* provisional, rewritten below */
                    n_real += !ig;
                }
                next_ig = n_real;
                for (g = 0; g < G; g++) {
                    pos[g] = (uint32_t)(ev->rec_gt_ignore[gr + g] ? next_ig++ : next_real++);
                    inv[pos[g]] = (uint32_t)g;
                }
                for (g = 0; g < G; g++) {
                    size_t at = gr + g, src = g0 + inv[g];
                    double ar = cells->gt_area[src];
                    ev->rec_gt_ignore[at] = (uint8_t)(cells->gt_ignore[src] || ar < lo || ar > hi);
                    ev->rec_gt_id[at] = gt->ann_id[cells->gt_ann[src]];
                    ev->rec_gt_crowd[at] = cells->gt_crowd[src];
                    for (t = 0; t < T; t++) {
                        ev->rec_gt_match[at * T + t] = -1;
                        ev->rec_gt_iou[at * T + t] = -1;
                    }
                }
                for (d = 0; d < D; d++) {
                    size_t at = dr + d, s = d0 + d;
                    vn_outcome o = out[a * n_dt + s];
                    ev->rec_dt_id[at] = (int64_t)cells->dt_res[s] + 1;
                    ev->rec_dt_score[at] = cells->dt_score[s];
                    for (t = 0; t < T; t++) {
                        size_t mi = (a * T + t) * n_dt + s;
                        int32_t m = match != NULL ? match[mi] : -1;
                        int32_t mp = m < 0 ? -1 : (int32_t)pos[m];
                        double mu = mp >= 0 && iou != NULL ? iou[mi] : -1;
                        ev->rec_dt_match[at * T + t] = mp;
                        ev->rec_dt_iou[at * T + t] = mu;
                        ev->rec_dt_ignore[at * T + t] = (uint8_t)((o & VN_IGN_BIT(t)) != 0);
                        /* a crowd matched again keeps the last detection,
                         * as pycocotools' gtm[t, m] = d['id'] does */
                        if (mp >= 0) {
                            ev->rec_gt_match[(gr + (size_t)mp) * T + t] = (int32_t)d;
                            ev->rec_gt_iou[(gr + (size_t)mp) * T + t] = mu;
                        }
                    }
                }
                r++;
                dr += D;
                gr += G;
            }
        }
    }
    ev->n_rec = r;
    ev->n_rec_dt = dr;
    ev->n_rec_gt = gr;
    ev->has_records = 1;
    return VERNIER_OK;
}
