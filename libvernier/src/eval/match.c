/* match.c — the IoU and OKS kernels and pycocotools' greedy matching
 * (COCOeval.computeIoU + evaluateImg), one cell at a time.
 *
 * For each detection only the ground truths it could ever match are kept:
 * those whose IoU is not below the lowest threshold.  pycocotools scans
 * every ground truth, but one whose IoU is below the running best can
 * neither become the match nor change which one does (its "break" test only
 * fires before ignored ground truths, which are skipped or break the scan
 * themselves), so the scan over candidates gives the same match. */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/sums.h"
#include "common/threads.h"
#include "common/vn_error.h"
#include "eval/masks.h"
#include "eval/match.h"
#include "mask/boundary.h"
#include "mask/rle.h"

/* pycocotools' bbIou for one pair, operation for operation (maskApi.c):
 * fmin/fmax as in C, the union as (da + ga) - i, crowd GTs divide by the
 * detection's area.  Built with -ffp-contract=off so nothing is fused. */
static inline double bbox_iou(const double *d, const double *g, int crowd)
{
    double ga = g[2] * g[3], da = d[2] * d[3], w, h, i, u;
    w = fmin(d[2] + d[0], g[2] + g[0]) - fmax(d[0], g[0]);
    if (w <= 0)
        return 0.0;
    h = fmin(d[3] + d[1], g[3] + g[1]) - fmax(d[1], g[1]);
    if (h <= 0)
        return 0.0;
    i = w * h;
    u = crowd ? da : da + ga - i;
    return i / u;
}

typedef struct cand {
    uint32_t g;  /* GT position within the cell */
    uint32_t pos; /* the GT's position after the ignore sort (per area) */
    double iou;
} cand;

/* Scratch buffers sized for the largest cell. */
typedef struct match_buf {
    cand *cands;          /* candidates of all detections of the cell */
    uint32_t *cand_start; /* D + 1 */
    cand *sorted;         /* every detection's candidates, in scan order
                             for the current area range (cap_cands) */
    uint8_t *gt_ig;       /* G */
    uint32_t *gt_pos;     /* G */
    uint8_t *gt_matched;  /* T x G */
    uint8_t *dt_out;      /* D: detection area outside the current range */
    uint32_t *live;       /* D: detections with at least one candidate */
    size_t cap_cands;
} match_buf;

static int reserve_cands(match_buf *b, vn_arena *ar, size_t need)
{
    size_t ncap = b->cap_cands ? b->cap_cands : 1024;
    cand *nc, *ns;
    while (ncap < need)
        ncap *= 2;
    nc = vn_arena_array(ar, ncap, sizeof(cand));
    ns = vn_arena_array(ar, ncap, sizeof(cand));
    if (nc == NULL || ns == NULL)
        return vn_mem_failure(ar->mem);
    b->cands = nc;
    b->sorted = ns;
    b->cap_cands = ncap;
    return VERNIER_OK;
}

static int push_cand(match_buf *b, vn_arena *ar, size_t n, uint32_t g, double iou)
{
    if (n == b->cap_cands) {
        size_t ncap = b->cap_cands ? 2 * b->cap_cands : 1024;
        cand *nc = vn_arena_array(ar, ncap, sizeof(cand));
        cand *ns = vn_arena_array(ar, ncap, sizeof(cand));
        if (nc == NULL || ns == NULL)
            return vn_mem_failure(ar->mem);
        if (n != 0)
            memcpy(nc, b->cands, n * sizeof(cand));
        b->cands = nc;
        b->sorted = ns;
        b->cap_cands = ncap;
    }
    b->cands[n].g = g;
    b->cands[n].iou = iou;
    return VERNIER_OK;
}

static int fail_dt(vernier_error *err, uint32_t r, uint64_t at, const char *msg)
{
    char path[48];
    snprintf(path, sizeof(path), "[%u].segmentation", r);
    vn_fail(err, VERNIER_E_SCHEMA, "%s: %s", path, msg);
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)r, (int64_t)at);
    vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)r);
    return VERNIER_E_SCHEMA;
}

/* Mask kernels (segm, boundary): pycocotools' rleIou first computes box
 * IoU on the masks' boxes (rleToBbox) and only walks the runs of pairs
 * whose boxes overlap.  Boundary IoU is min(mask IoU, band IoU) against a
 * non-crowd GT and mask IoU against a crowd; the bands of a detection are
 * only derived when its mask IoU could make it a candidate. */
static int cell_candidates_mask(match_buf *b, vn_arena *ar, const vn_cells *cells,
                                const vn_plan *plan, const vernier_results *res, size_t g0,
                                size_t G, size_t d0, size_t D, double lowest, vernier_error *err)
{
    size_t d, g, n = 0;
    for (d = 0; d < D; d++) {
        size_t slot = d0 + d, im = cells->dt_img[slot];
        vn_rle dm, band;
        double db[4];
        int have_band = 0;
        VN_TRY(vn_dt_mask(res, cells->dt_res[slot], cells->img_hw[2 * im],
                          cells->img_hw[2 * im + 1], ar, &dm, err));
        vn_rle_to_bbox(dm.cnts, dm.m, dm.h, dm.w, db);
        b->cand_start[d] = (uint32_t)n;
        for (g = 0; g < G; g++) {
            int crowd = cells->gt_crowd[g0 + g];
            double iou;
            if (!(bbox_iou(db, cells->gt_mbox + 4 * (g0 + g), crowd) > 0)) {
                /* the prefilter leaves the box IoU, 0: a candidate only
                 * when the lowest threshold is 0 itself */
                if (lowest > 0)
                    continue;
                VN_TRY(push_cand(b, ar, n, (uint32_t)g, 0.0));
                n++;
                continue;
            }
            iou = vn_rle_iou(&dm, cells->gt_mask[g0 + g], crowd);
            if (iou == -1.0 && plan->parity_mode == VERNIER_PARITY_CORRECTED) {
                /* quirk I2: strict scores such a pair -1, never matched */
                const vn_rle *gm = cells->gt_mask[g0 + g];
                char msg[160];
                snprintf(msg, sizeof(msg),
                         "mask is %ux%u but ground truth annotations[%u] is %ux%u", dm.h, dm.w,
                         cells->gt_ann[g0 + g], gm->h, gm->w);
                return fail_dt(err, cells->dt_res[slot], res->offset[cells->dt_res[slot]], msg);
            }
            if (iou < lowest)
                continue;
            if (plan->iou_type == VERNIER_IOU_BOUNDARY && !crowd) {
                double biou;
                if (!have_band) {
                    VN_TRY(vn_boundary_band(ar, &dm,
                                            vn_boundary_dilation(plan->dilation_ratio, dm.h, dm.w),
                                            &band));
                    have_band = 1;
                }
                biou = vn_rle_iou(&band, cells->gt_band[g0 + g], 0);
                if (biou < iou)
                    iou = biou;
                if (iou < lowest)
                    continue;
            }
            VN_TRY(push_cand(b, ar, n, (uint32_t)g, iou));
            n++;
        }
    }
    b->cand_start[D] = (uint32_t)n;
    return VERNIER_OK;
}

#define OKS_EPS 2.220446049250313e-16 /* numpy.spacing(1) */

/* pycocotools' computeOks for one pair, operation for operation:
 * e = (dx^2 + dy^2) / vars / (area + eps) / 2 left to right; with visible
 * GT keypoints only those terms count, otherwise the distance is taken to
 * the GT box grown to [x - w, x + 2w] x [y - h, y + 2h]; OKS = numpy's
 * pairwise sum of exp(-e) over the terms, divided by their count. */
static double oks(const double *g, const double *d, size_t k, const double *vars,
                  const double *gbox, double garea, double *e)
{
    size_t j, n = 0, k1 = 0;
    double area = garea + OKS_EPS;
    for (j = 0; j < k; j++)
        k1 += g[3 * j + 2] > 0;
    if (k1 > 0) {
        for (j = 0; j < k; j++) {
            double dx, dy;
            if (!(g[3 * j + 2] > 0))
                continue;
            dx = d[3 * j] - g[3 * j];
            dy = d[3 * j + 1] - g[3 * j + 1];
            e[n++] = -((dx * dx + dy * dy) / vars[j] / area / 2);
        }
    } else {
        double x0 = gbox[0] - gbox[2], x1 = gbox[0] + gbox[2] * 2;
        double y0 = gbox[1] - gbox[3], y1 = gbox[1] + gbox[3] * 2;
        for (j = 0; j < k; j++) {
            double xd = d[3 * j], yd = d[3 * j + 1], a, c, dx, dy;
            a = x0 - xd;
            c = xd - x1;
            dx = (a > 0 ? a : 0.0) + (c > 0 ? c : 0.0);
            a = y0 - yd;
            c = yd - y1;
            dy = (a > 0 ? a : 0.0) + (c > 0 ? c : 0.0);
            e[n++] = -((dx * dx + dy * dy) / vars[j] / area / 2);
        }
    }
    for (j = 0; j < n; j++)
        e[j] = exp(e[j]);
    return vn_pairwise_sum(e, n) / (double)n;
}

static int fail_kp(vernier_error *err, const char *array, size_t i, uint64_t at, size_t have,
                   size_t want)
{
    char path[64];
    snprintf(path, sizeof(path), "%s[%zu].keypoints", array, i);
    if (have == 0)
        vn_fail(err, VERNIER_E_SCHEMA, "%s: missing, but keypoint evaluation needs it", path);
    else
        vn_fail(err, VERNIER_E_SCHEMA,
                "%s: has %zu values, but its category has %zu sigmas (expected %zu values)", path,
                have, want / 3, want);
    vn_error_set_path(err, path);
    vn_error_set_element(err, (int64_t)i, (int64_t)at);
    return VERNIER_E_SCHEMA;
}

/* Keypoints: computeOks has no useCats fork, so with pooled categories it
 * finds no pairs at all (quirk F6): every detection is unmatched. */
static int cell_candidates_oks(match_buf *b, vn_arena *ar, const vn_cells *cells,
                               const vn_plan *plan, const vernier_dataset *gt,
                               const vernier_results *res, size_t cell, size_t g0, size_t G,
                               size_t d0, size_t D, double lowest, vernier_error *err)
{
    size_t d, g, n = 0, k, kc;
    const double *vars;
    double e[VN_MAX_KEYPOINTS];
    if (!plan->use_cats) {
        for (d = 0; d <= D; d++)
            b->cand_start[d] = 0;
        return VERNIER_OK;
    }
    kc = cell / cells->n_images;
    k = cells->kp_count[kc];
    vars = cells->kp_vars[kc];
    for (g = 0; g < G; g++) {
        uint32_t a = cells->gt_ann[g0 + g];
        if (gt->kps.item[a].len != 3 * k) {
            fail_kp(err, "annotations", a, gt->ann_offset[a], gt->kps.item[a].len, 3 * k);
            vn_error_set_field(err, VERNIER_ERROR_HAS_ANNOTATION_ID, gt->ann_id[a]);
            return VERNIER_E_SCHEMA;
        }
    }
    for (d = 0; d < D; d++) {
        uint32_t r = cells->dt_res[d0 + d];
        const double *dk;
        if (res->kps.item[r].len != 3 * k) {
            fail_kp(err, "", r, res->offset[r], res->kps.item[r].len, 3 * k);
            vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)r);
            return VERNIER_E_SCHEMA;
        }
        dk = res->kps.vals + res->kps.item[r].off;
        b->cand_start[d] = (uint32_t)n;
        for (g = 0; g < G; g++) {
            uint32_t a = cells->gt_ann[g0 + g];
            double v = oks(gt->kps.vals + gt->kps.item[a].off, dk, k, vars,
                           cells->gt_bbox + 4 * (g0 + g), cells->gt_area[g0 + g], e);
            if (v < lowest)
                continue;
            VN_TRY(push_cand(b, ar, n, (uint32_t)g, v));
            n++;
        }
    }
    b->cand_start[D] = (uint32_t)n;
    return VERNIER_OK;
}

static int cell_candidates(match_buf *b, vn_arena *ar, const double *gbox, const uint8_t *gcrowd,
                           size_t G, const double *dbox, size_t D, double lowest)
{
    size_t d, g, n = 0;
    for (d = 0; d < D; d++) {
        const double *db = dbox + 4 * d;
        b->cand_start[d] = (uint32_t)n;
        for (g = 0; g < G; g++) {
            double iou = bbox_iou(db, gbox + 4 * g, gcrowd[g]);
            /* "not below": a NaN IoU (infinite boxes) matches in pycocotools */
            if (iou < lowest)
                continue;
            VN_TRY(push_cand(b, ar, n, (uint32_t)g, iou));
            n++;
        }
    }
    b->cand_start[D] = (uint32_t)n;
    return VERNIER_OK;
}

/* Cell slots: G ground truths from GT slot g0, D detections from detection
 * slot d0 of `cells`. */
static void match_cell(match_buf *b, const vn_cells *cells, const vn_plan *plan, size_t g0,
                       size_t G, size_t d0, size_t D, vn_outcome *outcomes, size_t n_dt,
                       uint32_t *npig, int32_t *match_out, double *iou_out)
{
    size_t a, t, d, g, T = plan->T, A = plan->A, n_live;
    vn_outcome all_ign = 0;
    for (t = 0; t < T; t++)
        all_ign |= VN_IGN_BIT(t);
    const uint8_t *gt_crowd = cells->gt_crowd + g0, *gt_real = cells->gt_real + g0;
    const uint8_t *gt_ignore = cells->gt_ignore + g0;
    const double *gt_area = cells->gt_area + g0, *dt_area = cells->dt_area + d0;
    for (a = 0; a < A; a++) {
        double lo = plan->area_rng[a][0], hi = plan->area_rng[a][1];
        uint32_t n_real = 0, next_real = 0, next_ig;
        /* _ignore = ignore or area outside [lo, hi]; in strict mode
         * "ignore" is iscrowd (quirk D1) */
        for (g = 0; g < G; g++) {
            double ar = gt_area[g];
            b->gt_ig[g] = (uint8_t)(gt_ignore[g] || ar < lo || ar > hi);
            n_real += !b->gt_ig[g];
        }
        npig[a] = n_real;
        /* stable sort by _ignore: positions of non-ignored first */
        next_ig = n_real;
        for (g = 0; g < G; g++)
            b->gt_pos[g] = b->gt_ig[g] ? next_ig++ : next_real++;
        if (D == 0)
            continue;
        /* each detection's candidates in scan order (ignore-sorted GT) */
        for (d = 0; d < D; d++) {
            size_t c0 = b->cand_start[d], nc = b->cand_start[d + 1] - c0, i, j;
            cand *dst;
            if (nc == 0)
                continue; /* (and b->sorted may still be NULL) */
            dst = b->sorted + c0;
            for (i = 0; i < nc; i++) {
                cand c = b->cands[c0 + i];
                c.pos = b->gt_pos[c.g];
                for (j = i; j > 0 && dst[j - 1].pos > c.pos; j--)
                    dst[j] = dst[j - 1];
                dst[j] = c;
            }
        }
        /* detections with no candidate are false positives at every
         * threshold, or ignored when outside the area range; the others go
         * through the matching loop */
        n_live = 0;
        for (d = 0; d < D; d++) {
            double dar = dt_area[d];
            b->dt_out[d] = (uint8_t)(dar < lo || dar > hi);
            if (b->cand_start[d + 1] > b->cand_start[d])
                b->live[n_live++] = (uint32_t)d;
            else if (b->dt_out[d])
                outcomes[a * n_dt + d] |= all_ign;
        }
        if (n_live == 0)
            continue;
        memset(b->gt_matched, 0, T * G);
        for (t = 0; t < T; t++) {
            double thr = plan->iou_thrs[t] < 1 - 1e-10 ? plan->iou_thrs[t] : 1 - 1e-10;
            uint8_t *matched = b->gt_matched + t * G;
            vn_outcome *out = outcomes + a * n_dt, tp_bit = VN_TP_BIT(t), ign_bit = VN_IGN_BIT(t);
            size_t l;
            for (l = 0; l < n_live; l++) {
                d = b->live[l];
                const cand *cs = b->sorted + b->cand_start[d];
                size_t nc = b->cand_start[d + 1] - b->cand_start[d], i;
                double best = thr;
                long m = -1;
                int real, ignored;
                for (i = 0; i < nc; i++) {
                    uint32_t cg = cs[i].g;
                    if (matched[cg] && !gt_crowd[cg])
                        continue;
                    if (m > -1 && !b->gt_ig[m] && b->gt_ig[cg])
                        break;
                    if (cs[i].iou < best)
                        continue;
                    best = cs[i].iou;
                    m = (long)cg;
                }
                if (m < 0) {
                    if (b->dt_out[d])
                        out[d] |= ign_bit;
                    continue;
                }
                if (match_out != NULL)
                    match_out[(a * T + t) * n_dt + d] = (int32_t)m;
                if (iou_out != NULL)
                    iou_out[(a * T + t) * n_dt + d] = best; /* the match's */
                /* accumulate's view: TP = matched id != 0 and not ignored;
                 * an id-0 GT reads as "unmatched" (quirk: id 0 sentinel) */
                matched[m] = 1;
                real = gt_real[m];
                ignored = b->gt_ig[m] || (!real && b->dt_out[d]);
                out[d] |= ignored ? ign_bit : real ? tp_bit : 0;
            }
        }
    }
}

static int init_buf(match_buf *b, vn_arena *ar, size_t maxG, size_t maxD, size_t T)
{
    memset(b, 0, sizeof(*b));
    b->cand_start = vn_arena_array(ar, maxD + 1, sizeof(uint32_t));
    b->gt_ig = vn_arena_array(ar, maxG + 1, 1);
    b->dt_out = vn_arena_array(ar, maxD + 1, 1);
    b->live = vn_arena_array(ar, maxD + 1, sizeof(uint32_t));
    b->gt_pos = vn_arena_array(ar, maxG + 1, sizeof(uint32_t));
    b->gt_matched = vn_arena_array(ar, T, maxG + 1);
    if (b->cand_start == NULL || b->gt_ig == NULL || b->dt_out == NULL || b->live == NULL ||
        b->gt_pos == NULL || b->gt_matched == NULL)
        return vn_mem_failure(ar->mem);
    return VERNIER_OK;
}

/* Everything one cell's matching reads and writes; cells write disjoint
 * slices of out, npig, match_out and iou_out, so cells can be matched in any order
 * and on any thread. */
typedef struct match_ctx {
    const vn_cells *cells;
    const vn_plan *plan;
    const vernier_dataset *gt;
    const vernier_results *res;
    vn_outcome *out;
    uint32_t *npig;
    int32_t *match_out;
    double *iou_out;
    double lowest;
} match_ctx;

static int match_one(const match_ctx *m, match_buf *b, vn_arena *scratch, size_t c,
                     vernier_error *err)
{
    const vn_cells *cells = m->cells;
    const vn_plan *plan = m->plan;
    size_t g0 = cells->gt_start[c], d0 = cells->dt_start[c];
    size_t G = cells->gt_start[c + 1] - g0;
    size_t D = cells->dt_start[c + 1] - d0;
    if (G == 0 && D == 0) {
        memset(m->npig + c * plan->A, 0, plan->A * sizeof(uint32_t));
        return VERNIER_OK;
    }
    if (plan->iou_type == VERNIER_IOU_BBOX) {
        VN_TRY(cell_candidates(b, scratch, cells->gt_bbox + 4 * g0, cells->gt_crowd + g0, G,
                               cells->dt_bbox + 4 * d0, D, m->lowest));
    } else if (plan->iou_type == VERNIER_IOU_KEYPOINTS) {
        VN_TRY(cell_candidates_oks(b, scratch, cells, plan, m->gt, m->res, c, g0, G, d0, D,
                                   m->lowest, err));
    } else {
        /* masks live until the cell is matched; the candidate arrays
         * grown meanwhile must survive the rewind, so grow them first */
        vn_arena_mark mark;
        int rc;
        if (b->cap_cands < D * G)
            VN_TRY(reserve_cands(b, scratch, D * G));
        vn_arena_mark_here(scratch, &mark);
        rc = cell_candidates_mask(b, scratch, cells, plan, m->res, g0, G, d0, D, m->lowest, err);
        vn_arena_rewind(scratch, &mark);
        if (rc != VERNIER_OK)
            return rc;
    }
    match_cell(b, cells, plan, g0, G, d0, D, m->out + d0, cells->n_dt, m->npig + c * plan->A,
               m->match_out != NULL ? m->match_out + d0 : NULL,
               m->iou_out != NULL ? m->iou_out + d0 : NULL);
    return VERNIER_OK;
}

/* ---- matching on several threads ------------------------------------------
 * Cells are handed out in chunks of consecutive cells, in ascending order,
 * from an atomic counter.  Each thread has its own allocator accounting, its
 * own arena and its own buffers.  When a cell fails, the error kept is the
 * one of the lowest failing cell, which is the error a sequential run
 * reports; chunks that start beyond it are not started. */
typedef struct match_pool {
    const match_ctx *m;
    vn_mem *parent;
    size_t maxG, maxD, chunk, n_cells;
    atomic_size_t next;      /* next chunk */
    atomic_size_t fail_cell; /* lowest failing cell so far, SIZE_MAX: none */
    pthread_mutex_t lock;    /* guards rc, err */
    int rc;
    size_t rc_cell;
    vernier_error err;
} match_pool;

static void pool_fail(match_pool *p, size_t c, int rc, const vernier_error *e)
{
    size_t cur;
    pthread_mutex_lock(&p->lock);
    if (p->rc == VERNIER_OK || c < p->rc_cell) {
        p->rc = rc;
        p->rc_cell = c;
        p->err = *e;
    }
    pthread_mutex_unlock(&p->lock);
    cur = atomic_load(&p->fail_cell);
    while (c < cur && !atomic_compare_exchange_weak(&p->fail_cell, &cur, c))
        ;
}

static void *pool_run(void *arg)
{
    match_pool *p = arg;
    vn_mem mem = *p->parent;
    vn_arena ar;
    match_buf b;
    vernier_error e;
    int rc;
    mem.used = mem.peak = 0;
    mem.budget = 0;
    mem.last_failure = VERNIER_OK;
    vn_error_init(&e);
    vn_arena_init(&ar, &mem);
    rc = init_buf(&b, &ar, p->maxG, p->maxD, p->m->plan->T);
    if (rc != VERNIER_OK) {
        vn_fail(&e, rc, "%s while matching", vernier_status_string(rc));
        pool_fail(p, 0, rc, &e);
    }
    while (rc == VERNIER_OK) {
        size_t k = atomic_fetch_add(&p->next, 1), c, c0 = k * p->chunk, c1;
        if (c0 >= p->n_cells || c0 > atomic_load(&p->fail_cell))
            break;
        c1 = c0 + p->chunk < p->n_cells ? c0 + p->chunk : p->n_cells;
        for (c = c0; c < c1; c++) {
            rc = match_one(p->m, &b, &ar, c, &e);
            if (rc != VERNIER_OK) {
                if (e.message[0] == 0)
                    vn_fail(&e, rc, "%s while matching", vernier_status_string(rc));
                pool_fail(p, c, rc, &e);
                break;
            }
        }
    }
    vn_arena_release(&ar);
    return NULL;
}

static void pool_run_self(void *arg)
{
    pool_run(arg);
}

static int match_threads(const match_ctx *m, vn_arena *scratch, size_t maxG, size_t maxD,
                         size_t n_threads, vernier_error *err)
{
    match_pool p;
    size_t n = m->cells->n_cells;
    memset(&p, 0, sizeof(p));
    p.m = m;
    p.parent = scratch->mem;
    p.maxG = maxG;
    p.maxD = maxD;
    p.n_cells = n;
    /* small chunks balance uneven cells; 64 per thread keeps the counter
     * cold */
    p.chunk = n / (n_threads * 64) + 1;
    atomic_init(&p.next, 0);
    atomic_init(&p.fail_cell, SIZE_MAX);
    p.rc = VERNIER_OK;
    if (pthread_mutex_init(&p.lock, NULL) != 0)
        return vn_fail(err, VERNIER_E_NOMEM, "cannot create a mutex for matching");
    /* the calling thread is one of the n */
    vn_threads_run(n_threads, pool_run, &p, pool_run_self, &p);
    pthread_mutex_destroy(&p.lock);
    if (p.rc != VERNIER_OK) {
        vn_error_copy(err, &p.err);
        return p.rc;
    }
    return VERNIER_OK;
}

int vn_match_all(const vn_cells *cells, const vn_plan *plan, const vernier_dataset *gt,
                 const vernier_results *res, vn_arena *scratch, vn_outcome *out, uint32_t *npig,
                 int32_t *match_out, double *iou_out, vernier_error *err)
{
    size_t c, maxG = 0, maxD = 0, n_threads = plan->n_threads;
    match_ctx m;
    match_buf b;
    m.cells = cells;
    m.plan = plan;
    m.gt = gt;
    m.res = res;
    m.out = out;
    m.npig = npig;
    m.match_out = match_out;
    m.iou_out = iou_out;
    /* thresholds are ascending; each is capped at 1 - 1e-10 (quirk B1) */
    m.lowest = plan->iou_thrs[0] < 1 - 1e-10 ? plan->iou_thrs[0] : 1 - 1e-10;
    for (c = 0; c < cells->n_cells; c++) {
        size_t G = cells->gt_start[c + 1] - cells->gt_start[c];
        size_t D = cells->dt_start[c + 1] - cells->dt_start[c];
        if (G > maxG)
            maxG = G;
        if (D > maxD)
            maxD = D;
    }
    if (n_threads > cells->n_cells)
        n_threads = cells->n_cells;
    if (n_threads > 1)
        return match_threads(&m, scratch, maxG, maxD, n_threads, err);
    VN_TRY(init_buf(&b, scratch, maxG, maxD, plan->T));
    for (c = 0; c < cells->n_cells; c++)
        VN_TRY(match_one(&m, &b, scratch, c, err));
    return VERNIER_OK;
}
