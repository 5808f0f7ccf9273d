/* accum.c — pycocotools' accumulate(): outcome codes to precision, recall and scores.
 *
 * accumulate, per (category, area range, max-detection cap, IoU threshold):
 * the category's detections from every image, each image's cut to the cap,
 * are ordered by descending score (stable: image order, then rank within
 * the image); cumulative TP/FP counts give recall tp/npig and precision
 * tp/(tp+fp+eps); precision is made monotone from the right; each recall
 * threshold samples the first position whose recall reaches it.
 *
 * Instead of materialising the recall and precision arrays this does two
 * passes over the codes: forward, to find the position where each recall
 * threshold is first reached; backward, keeping the running maximum of
 * precision (which is exactly the right-to-left envelope) and reading it
 * at those positions.  The counts are exact integers, so precision
 * recomputed on the way back is the same double. */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "common/sort.h"
#include "common/sums.h"
#include "common/threads.h"
#include "common/vn_error.h"
#include "eval/accum.h"

#define EPS 2.220446049250313e-16 /* numpy.spacing(1) */
#define NONE UINT32_MAX

/* Curves are stored contiguously, [k][a][m][t][r] (see eval/result.h);
 * vernier_eval_copy_* transposes to pycocotools' layout on request. */
static size_t curve_index(const vernier_eval *ev, size_t k, size_t a, size_t m, size_t t)
{
    const vn_plan *p = &ev->plan;
    return ((k * p->A + a) * p->M + m) * p->T + t;
}

/* Marks curves that pycocotools never fills (they keep its -1). */
static void fill_undefined(vernier_eval *ev, size_t first_curve, size_t n_curves)
{
    size_t i, R = ev->plan.R;
    for (i = 0; i < n_curves * R; i++) {
        ev->precision[first_curve * R + i] = -1.0;
        ev->scores[first_curve * R + i] = -1.0;
    }
    for (i = 0; i < n_curves; i++)
        ev->recall[first_curve + i] = -1.0;
}

static inline unsigned lowest_bit(uint32_t v)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctz(v);
#else
    unsigned n = 0;
    while (!(v & 1u)) {
        v >>= 1;
        n++;
    }
    return n;
#endif
}

/* Scratch for the curves of one (category, area range, cap). */
typedef struct curve_buf {
    size_t cap_tp;    /* room per threshold: TPs never exceed npig */
    uint32_t *tp_pos; /* T x cap_tp: list position of each true positive */
    uint32_t *tp_fp;  /* T x cap_tp: false positives before it */
    uint32_t ntp[VERNIER_MAX_IOU_THRESHOLDS];
    uint32_t ign[VERNIER_MAX_IOU_THRESHOLDS];
    uint32_t *reach;  /* R: list position where each recall threshold is
                         first reached, or NONE */
} curve_buf;

/* Walks the list once for every threshold at the same time: for each true
 * positive, its position and the false positives before it (positions
 * before it, minus true positives and ignored detections before it). */
static void collect(const vn_plan *p, const vn_outcome *out, const uint32_t *idx, size_t n,
                    curve_buf *b)
{
    const uint32_t all = p->T >= 32 ? UINT32_MAX : (((uint32_t)1 << p->T) - 1);
    uint32_t ign_all = 0;
    size_t j;
    memset(b->ntp, 0, sizeof(b->ntp));
    memset(b->ign, 0, sizeof(b->ign));
    for (j = 0; j < n; j++) {
        vn_outcome e = out[idx != NULL ? idx[j] : j];
        uint32_t ig, tp;
        if (e == 0)
            continue; /* a false positive at every threshold */
        ig = (uint32_t)(e >> 32);
        tp = (uint32_t)e;
        if (ig == all) {
            ign_all++;
            continue;
        }
        while (ig != 0) {
            b->ign[lowest_bit(ig)]++;
            ig &= ig - 1;
        }
        while (tp != 0) {
            unsigned t = lowest_bit(tp);
            uint32_t k = b->ntp[t]++;
            b->tp_pos[t * b->cap_tp + k] = (uint32_t)j;
            b->tp_fp[t * b->cap_tp + k] = (uint32_t)j - k - ign_all - b->ign[t];
            tp &= tp - 1;
        }
    }
}

/* One (k, a, m, t) curve from the true positives `collect` found.
 *
 * Precision at a recall threshold is the maximum of tp/(tp+fp+eps) over the
 * positions from where the threshold is reached to the end.  Only true
 * positives raise precision (a false positive lowers it, an ignored
 * detection repeats it), so that maximum is taken over the threshold's own
 * position and the true positives after it: nothing else can exceed them. */
static void curve(vernier_eval *ev, size_t k, size_t a, size_t m, size_t t, const double *score,
                  const uint32_t *idx, size_t n, uint32_t npig, curve_buf *b)
{
    const vn_plan *p = &ev->plan;
    const double dn = (double)npig;
    const uint32_t *tp_pos = b->tp_pos + t * b->cap_tp, *tp_fp = b->tp_fp + t * b->cap_tp;
    size_t j, r = 0, R = p->R, cidx = curve_index(ev, k, a, m, t);
    double *prec = ev->precision + cidx * R, *sc = ev->scores + cidx * R;
    uint32_t ntp = b->ntp[t];
    double run = 0.0;
    long rr;

    /* searchsorted(rc, recThrs, side="left"): recall tp/npig only moves at
     * true positives; before the first one it is 0 from position 0 on */
    if (n > 0 && (ntp == 0 || tp_pos[0] != 0))
        while (r < R && 0.0 / dn >= p->rec_thrs[r])
            b->reach[r++] = 0;
    for (j = 0; j < ntp && r < R; j++)
        while (r < R && (double)(j + 1) / dn >= p->rec_thrs[r])
            b->reach[r++] = tp_pos[j];
    for (; r < R; r++)
        b->reach[r] = NONE;
    ev->recall[cidx] = n > 0 ? (double)ntp / dn : 0.0;

    /* pycocotools' q and ss start at 0: unreached thresholds stay 0 */
    for (r = 0; r < R; r++) {
        prec[r] = 0.0;
        sc[r] = 0.0;
    }
    rr = (long)R - 1;
    while (rr >= 0 && b->reach[rr] == NONE)
        rr--;
    /* backward: running maximum of precision over the true positives */
    for (j = ntp; j-- > 0 && rr >= 0;) {
        double tp = (double)(j + 1), fp = (double)tp_fp[j];
        double pr = tp / (fp + tp + EPS);
        if (pr > run)
            run = pr;
        while (rr >= 0 && b->reach[rr] == tp_pos[j]) {
            uint32_t pos = b->reach[rr];
            prec[rr] = run;
            sc[rr] = score[idx != NULL ? idx[pos] : pos];
            rr--;
        }
    }
    /* what is left was reached at position 0 without a true positive there:
     * its own precision is 0, so the maximum is `run` */
    for (; rr >= 0; rr--) {
        uint32_t pos = b->reach[rr];
        prec[rr] = run;
        sc[rr] = score[idx != NULL ? idx[pos] : pos];
    }
}

/* What every category's accumulation reads. */
typedef struct acc_ctx {
    vernier_eval *ev;
    const vn_cells *cells;
    const vn_outcome *out;
    const uint32_t *npig;
    size_t per_k;  /* cells per category */
    size_t max_nd; /* most detections of one category */
    size_t cap_tp; /* room per threshold for true positives */
} acc_ctx;

/* One thread's scratch, sized for the largest category. */
typedef struct acc_buf {
    uint32_t *perm, *tmp, *rank, *lists, *list_n;
    double *key, *sscore;
    vn_outcome *sout;
    curve_buf b;
} acc_buf;

static int acc_buf_init(acc_buf *w, vn_arena *ar, const acc_ctx *x)
{
    const vn_plan *p = &x->ev->plan;
    size_t n = x->max_nd;
    w->b.cap_tp = x->cap_tp;
    w->perm = vn_arena_array(ar, n, sizeof(uint32_t));
    w->tmp = vn_arena_array(ar, n, sizeof(uint32_t));
    w->rank = vn_arena_array(ar, n, sizeof(uint32_t));
    w->lists = vn_arena_array(ar, n, p->M * sizeof(uint32_t));
    w->list_n = vn_arena_array(ar, p->M, sizeof(uint32_t));
    w->key = vn_arena_array(ar, n, sizeof(double));
    w->sscore = vn_arena_array(ar, n, sizeof(double));
    w->sout = vn_arena_array(ar, n, sizeof(vn_outcome));
    w->b.tp_pos = vn_arena_array(ar, x->cap_tp, p->T * sizeof(uint32_t));
    w->b.tp_fp = vn_arena_array(ar, x->cap_tp, p->T * sizeof(uint32_t));
    w->b.reach = vn_arena_array(ar, p->R, sizeof(uint32_t));
    if (w->perm == NULL || w->tmp == NULL || w->rank == NULL || w->lists == NULL ||
        w->list_n == NULL || w->key == NULL || w->sscore == NULL || w->sout == NULL ||
        w->b.tp_pos == NULL || w->b.tp_fp == NULL || w->b.reach == NULL)
        return vn_mem_failure(ar->mem);
    return VERNIER_OK;
}

/* Every curve of category k.  Writes only category k's slice of the
 * precision, recall and scores arrays, so categories may run on several
 * threads at once. */
static void accumulate_one(const acc_ctx *x, acc_buf *w, size_t k)
{
    vernier_eval *ev = x->ev;
    const vn_plan *p = &ev->plan;
    const vn_cells *cells = x->cells;
    size_t i, a, m, t, c, T = p->T, A = p->A, max_nd = x->max_nd;
    size_t c0 = k * x->per_k, c1 = c0 + x->per_k;
    size_t s0 = cells->dt_start[c0], nd = cells->dt_start[c1] - s0;
    uint32_t max_rank = 0, *perm = w->perm, *rank = w->rank;
    int present = 0;
    for (c = c0; c < c1; c++)
        present |= cells->nonempty[c];
    if (!present) {
        /* no evalImgs entry: the cells stay -1 */
        fill_undefined(ev, curve_index(ev, k, 0, 0, 0), A * p->M * T);
        return;
    }
    for (c = c0; c < c1; c++) {
        uint32_t b0 = cells->dt_start[c], b1 = cells->dt_start[c + 1];
        for (i = b0; i < b1; i++)
            rank[i - s0] = (uint32_t)(i - b0);
        if (b1 - b0 > max_rank)
            max_rank = b1 - b0;
    }
    for (i = 0; i < nd; i++) {
        perm[i] = (uint32_t)i;
        w->key[i] = cells->dt_score[s0 + i];
    }
    vn_sort_desc_by_key(perm, w->tmp, nd, w->key);
    for (i = 0; i < nd; i++)
        w->sscore[i] = w->key[perm[i]];
    /* each cap's list: the sorted positions whose rank in their image
     * is below the cap (a cap no image reaches uses the whole list) */
    for (m = 0; m < p->M; m++) {
        uint32_t cap = (uint32_t)p->max_dets[m], n = 0, *lst = w->lists + m * max_nd;
        if (cap >= max_rank) {
            w->list_n[m] = NONE;
            continue;
        }
        for (i = 0; i < nd; i++)
            if (rank[perm[i]] < cap)
                lst[n++] = (uint32_t)i;
        w->list_n[m] = n;
    }
    for (a = 0; a < A; a++) {
        uint64_t np = 0;
        for (c = c0; c < c1; c++)
            np += x->npig[c * A + a];
        if (np == 0) {
            /* no non-ignored GT: the cells stay -1 */
            fill_undefined(ev, curve_index(ev, k, a, 0, 0), p->M * T);
            continue;
        }
        {
            const vn_outcome *src = x->out + a * cells->n_dt + s0;
            for (i = 0; i < nd; i++)
                w->sout[i] = src[perm[i]];
        }
        for (m = 0; m < p->M; m++) {
            int whole = w->list_n[m] == NONE;
            const uint32_t *idx = whole ? NULL : w->lists + m * max_nd;
            size_t n = whole ? nd : w->list_n[m];
            collect(p, w->sout, idx, n, &w->b);
            for (t = 0; t < T; t++)
                curve(ev, k, a, m, t, w->sscore, idx, n, (uint32_t)np, &w->b);
        }
    }
}

/* Categories on several threads: each takes the next category from an
 * atomic counter, with scratch of its own (its own allocator accounting,
 * as the matching threads).  A thread that cannot get its scratch takes no
 * category; the others do them all, and the caller's thread always has its
 * scratch, so the result never depends on how many threads started. */
typedef struct acc_pool {
    const acc_ctx *x;
    vn_mem *parent;
    acc_buf *self; /* the calling thread's scratch */
    atomic_size_t next;
} acc_pool;

static void acc_pool_drain(acc_pool *pool, acc_buf *w)
{
    size_t k;
    while ((k = atomic_fetch_add(&pool->next, 1)) < pool->x->ev->K)
        accumulate_one(pool->x, w, k);
}

static void acc_pool_self(void *arg)
{
    acc_pool *pool = arg;
    acc_pool_drain(pool, pool->self);
}

static void *acc_pool_run(void *arg)
{
    acc_pool *pool = arg;
    vn_mem mem = *pool->parent;
    vn_arena ar;
    acc_buf w;
    mem.used = mem.peak = 0;
    mem.budget = 0;
    mem.last_failure = VERNIER_OK;
    vn_arena_init(&ar, &mem);
    if (acc_buf_init(&w, &ar, pool->x) == VERNIER_OK)
        acc_pool_drain(pool, &w);
    vn_arena_release(&ar);
    return NULL;
}

/* The per-image table of the first area range: per image, over every
 * category, the non-ignored GTs, the detections kept, and per threshold
 * the true positives and false positives as accumulate() reads the
 * outcomes (ignored detections are neither).  Every path (one-shot,
 * session, merge) gets here with the same cells and outcomes. */
static int image_counts(vernier_eval *ev, const vn_cells *cells, const vn_outcome *out,
                        const uint32_t *npig)
{
    size_t I = cells->n_images, T = ev->plan.T, A = ev->plan.A, c, s, t;
    ev->image_ids = vn_arena_array(&ev->arena, I + 1, sizeof(int64_t));
    ev->img_n_gt = vn_arena_zarray(&ev->arena, I + 1, sizeof(uint32_t));
    ev->img_n_dt = vn_arena_zarray(&ev->arena, I + 1, sizeof(uint32_t));
    ev->img_tp = vn_arena_zarray(&ev->arena, I + 1, T * sizeof(uint32_t));
    ev->img_fp = vn_arena_zarray(&ev->arena, I + 1, T * sizeof(uint32_t));
    if (ev->image_ids == NULL || ev->img_n_gt == NULL || ev->img_n_dt == NULL ||
        ev->img_tp == NULL || ev->img_fp == NULL)
        return vn_mem_failure(&ev->mem);
    ev->n_images = I;
    if (I != 0)
        memcpy(ev->image_ids, cells->image_ids, I * sizeof(int64_t));
    for (c = 0; c < cells->n_cells && I != 0; c++) {
        size_t i = c % I;
        ev->img_n_gt[i] += npig[c * A];
        ev->img_n_dt[i] += cells->dt_start[c + 1] - cells->dt_start[c];
        for (s = cells->dt_start[c]; s < cells->dt_start[c + 1]; s++) {
            vn_outcome o = out[s]; /* area range 0 */
            for (t = 0; t < T; t++) {
                if (o & VN_IGN_BIT(t))
                    continue;
                if (o & VN_TP_BIT(t))
                    ev->img_tp[i * T + t]++;
                else
                    ev->img_fp[i * T + t]++;
            }
        }
    }
    ev->has_image_counts = 1;
    return VERNIER_OK;
}

int vn_accumulate(vernier_eval *ev, const vn_cells *cells, const vn_outcome *out,
                  const uint32_t *npig, vn_arena *scratch)
{
    const vn_plan *p = &ev->plan;
    size_t k, a, c, A = p->A, n_threads = p->n_threads;
    uint64_t max_np = 0;
    acc_ctx x;
    acc_buf w;

    x.ev = ev;
    x.cells = cells;
    x.out = out;
    x.npig = npig;
    x.per_k = p->use_cats ? cells->n_images : cells->n_cells;
    x.max_nd = 0;
    for (k = 0; k < ev->K; k++) {
        size_t nd = cells->dt_start[(k + 1) * x.per_k] - cells->dt_start[k * x.per_k];
        if (nd > x.max_nd)
            x.max_nd = nd;
        for (a = 0; a < A; a++) {
            uint64_t np = 0;
            for (c = k * x.per_k; c < (k + 1) * x.per_k; c++)
                np += npig[c * A + a];
            if (np > max_np)
                max_np = np;
        }
    }
    x.cap_tp = max_np < (uint64_t)x.max_nd ? (size_t)max_np : x.max_nd;
    /* the per-class counts (vernier_eval_copy_class_counts) */
    ev->class_n_gt = vn_arena_array(&ev->arena, ev->K, A * sizeof(uint64_t));
    ev->class_n_dt = vn_arena_array(&ev->arena, ev->K, sizeof(uint64_t));
    if ((ev->class_n_gt == NULL || ev->class_n_dt == NULL) && ev->K != 0)
        return vn_mem_failure(&ev->mem);
    for (k = 0; k < ev->K; k++) {
        ev->class_n_dt[k] = cells->dt_start[(k + 1) * x.per_k] - cells->dt_start[k * x.per_k];
        for (a = 0; a < A; a++) {
            uint64_t np = 0;
            for (c = k * x.per_k; c < (k + 1) * x.per_k; c++)
                np += npig[c * A + a];
            ev->class_n_gt[k * A + a] = np;
        }
    }
    VN_TRY(image_counts(ev, cells, out, npig));
    VN_TRY(acc_buf_init(&w, scratch, &x));
    if (n_threads > ev->K)
        n_threads = ev->K;
    if (n_threads > 1) {
        acc_pool pool;
        pool.x = &x;
        pool.parent = scratch->mem;
        pool.self = &w;
        atomic_init(&pool.next, 0);
        vn_threads_run(n_threads, acc_pool_run, &pool, acc_pool_self, &pool);
        return VERNIER_OK;
    }
    for (k = 0; k < ev->K; k++)
        accumulate_one(&x, &w, k);
    return VERNIER_OK;
}
