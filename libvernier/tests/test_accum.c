/* test_accum.c — pycocotools' accumulate() (eval/accum.c) on a tiny
 * example worked by hand from its definition (COCOeval.accumulate,
 * pycocotools 2.0.11), per category k, area range a, cap m, threshold t:
 *
 *   E = the category's evaluated images; each image's detections in score
 *       order cut to maxDet; dtScores = their scores concatenated;
 *   inds = np.argsort(-dtScores, kind='mergesort')   (stable)
 *   tps = dtm & ~dtIg, fps = ~dtm & ~dtIg  (ignored detections stay in the
 *       list as neither: they still take a position)
 *   tp_sum = cumsum(tps), fp_sum = cumsum(fps)
 *   rc = tp / npig, pr = tp / (fp + tp + np.spacing(1))
 *   recall[t,k,a,m] = rc[-1] (0 when there is no detection)
 *   pr made monotone from the right: pr[i-1] = max(pr[i-1], pr[i])
 *   inds = np.searchsorted(rc, recThrs, side='left')
 *   q[ri] = pr[pi], ss[ri] = dtScoresSorted[pi]; the first pi past the end
 *       raises IndexError, caught: that and every later q, ss stays 0
 *   npig == 0 (no non-ignored GT): the slice keeps its -1; a category with
 *       no evaluated image at all keeps -1 too.
 *
 * Grid: IoU thresholds {0.5, 0.75}, recall thresholds {0, 0.25, 0.5, 0.75,
 * 1}, one area range, caps {1, 10}.  Three categories, two images. */
#include <stdint.h>

#include "harness.h"
#include "support.h"
#include "common/vn_alloc.h"
#include "eval/accum.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "eval/result.h"
#include "vernier.h"

#define EPS 2.220446049250313e-16 /* np.spacing(1) = 2^-52 */
#define NK 3
#define NA 1
#define NM 2
#define NT 2
#define NR 5

static double prec[NK * NA * NM * NT * NR], rec[NK * NA * NM * NT], scr[NK * NA * NM * NT * NR];

/* [k][a][m][t][r], as eval/result.h stores the curves */
static double P(size_t k, size_t m, size_t t, size_t r)
{
    return prec[(((k * NA) * NM + m) * NT + t) * NR + r];
}
static double S(size_t k, size_t m, size_t t, size_t r)
{
    return scr[(((k * NA) * NM + m) * NT + t) * NR + r];
}
static double RC(size_t k, size_t m, size_t t) { return rec[((k * NA) * NM + m) * NT + t]; }

static void test_worked_example(void)
{
    static const double iou[NT] = {0.5, 0.75};
    static const double rthr[NR] = {0, 0.25, 0.5, 0.75, 1};
    static const double one_range[2] = {0, 1e10};
    static const char *const lbl[1] = {"all"};
    vernier_eval_options o;
    vernier_eval ev;
    vernier_error err = VERNIER_ERROR_INIT;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    fail_alloc fa;
    vernier_allocator alc = fail_alloc_allocator(&fa);
    size_t i, k, mm, t;
    /* Cells c = k * 2 + image.  Category 0: image 0 has detections of
     * score .9 (TP at both thresholds), .7 (TP at 0.5 only), .5 (TP at 0.5
     * only) and 2 non-ignored GTs; image 1 has .8 (FP) and .6 (ignored at
     * both) and 1 non-ignored GT.  Category 1: one detection (.95) and no
     * GT that counts.  Category 2: nothing in either image. */
    static uint32_t dt_start[7] = {0, 3, 5, 6, 6, 6, 6};
    static uint8_t nonempty[6] = {1, 1, 1, 0, 0, 0};
    static double dt_score[6] = {0.9, 0.7, 0.5, 0.8, 0.6, 0.95};
    static uint32_t npig[6 * NA] = {2, 1, 0, 0, 0, 0};
    static int64_t image_ids[2] = {7, 9};
    vn_outcome out[6 * NA];
    out[0] = VN_TP_BIT(0) | VN_TP_BIT(1);
    out[1] = VN_TP_BIT(0);
    out[2] = VN_TP_BIT(0);
    out[3] = 0;
    out[4] = VN_IGN_BIT(0) | VN_IGN_BIT(1);
    out[5] = 0;

    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_iou_thresholds = NT;
    o.iou_thresholds = iou;
    o.n_recall_thresholds = NR;
    o.recall_thresholds = rthr;
    o.n_area_ranges = 1;
    o.area_ranges = one_range;
    o.area_labels = lbl;
    o.n_max_dets = NM;
    o.max_dets[0] = 1;
    o.max_dets[1] = 10;
    memset(&ev, 0, sizeof(ev));
    CHECK_INT(vn_plan_from_options(&ev.plan, &o, &err), VERNIER_OK);
    ev.K = NK;
    ev.precision = prec;
    ev.recall = rec;
    ev.scores = scr;
    for (i = 0; i < NK * NA * NM * NT * NR; i++)
        prec[i] = scr[i] = 12345.0; /* every entry must be written */
    for (i = 0; i < NK * NA * NM * NT; i++)
        rec[i] = 12345.0;
    memset(&c, 0, sizeof(c));
    c.n_images = 2;
    c.image_ids = image_ids;
    c.n_cats = NK;
    c.n_cells = 6;
    c.n_dt = 6;
    c.dt_start = dt_start;
    c.nonempty = nonempty;
    c.dt_score = dt_score;

    fail_alloc_init(&fa, 0, FAIL_ONLY);
    CHECK_INT(vn_mem_init(&m, &alc), VERNIER_OK);
    vn_arena_init(&ar, &m);
    vn_arena_init(&ev.arena, &m);
    CHECK_INT(vn_accumulate(&ev, &c, out, npig, &ar), VERNIER_OK);
    vn_arena_release(&ar);
    /* the per-class counts: category 0 has 2 + 1 non-ignored GTs and 5
     * detections, category 1 none and 1, category 2 none and none */
    CHECK_INT(ev.class_n_gt[0], 3);
    CHECK_INT(ev.class_n_dt[0], 5);
    CHECK_INT(ev.class_n_gt[1], 0);
    CHECK_INT(ev.class_n_dt[1], 1);
    CHECK_INT(ev.class_n_gt[2], 0);
    CHECK_INT(ev.class_n_dt[2], 0);
    /* the per-image table: image 0 has cells 0 (three detections, 2 GTs)
     * and 2 (the .95, a false positive); image 1 cell 1 (.8 a false
     * positive, .6 ignored; 1 GT) */
    CHECK_INT(ev.has_image_counts, 1);
    CHECK_INT(ev.n_images, 2);
    CHECK_INT(ev.image_ids[0], 7);
    CHECK_INT(ev.image_ids[1], 9);
    CHECK_INT(ev.img_n_gt[0], 2);
    CHECK_INT(ev.img_n_gt[1], 1);
    CHECK_INT(ev.img_n_dt[0], 4);
    CHECK_INT(ev.img_n_dt[1], 2);
    CHECK_INT(ev.img_tp[0 * NT + 0], 3);
    CHECK_INT(ev.img_tp[0 * NT + 1], 1);
    CHECK_INT(ev.img_fp[0 * NT + 0], 1);
    CHECK_INT(ev.img_fp[0 * NT + 1], 3);
    CHECK_INT(ev.img_tp[1 * NT + 0], 0);
    CHECK_INT(ev.img_tp[1 * NT + 1], 0);
    CHECK_INT(ev.img_fp[1 * NT + 0], 1);
    CHECK_INT(ev.img_fp[1 * NT + 1], 1);
    vn_arena_release(&ev.arena);
    CHECK(fail_alloc_clean(&fa));

    /* Category 0, cap 10 (no image has more than 3: the whole list).
     * Sorted by score: .9 (TP, TP), .8 (FP, FP), .7 (TP, FP), .6 (ign,
     * ign), .5 (TP, FP); npig = 2 + 1 = 3.
     *
     * t = 0.5: tps 1 0 1 0 1, fps 0 1 0 0 0
     *   tp 1 1 2 2 3, fp 0 1 1 1 1
     *   rc 1/3 1/3 2/3 2/3 1
     *   pr 1/(1+e) 1/(2+e) 2/(3+e) 2/(3+e) 3/(4+e)
     *   envelope: 1/(1+e), then 3/(4+e) (= .75 - tiny) from position 1 on
     *     (3/(4+e) > 2/(3+e) and > 1/(2+e))
     *   searchsorted(rc, [0, .25, .5, .75, 1]) = 0 0 2 4 4
     *   q = 1/(1+e) 1/(1+e) 3/(4+e) 3/(4+e) 3/(4+e)
     *   ss = .9 .9 .7 .5 .5;  recall = 3/3 = 1 */
    {
        const double p0 = 1.0 / ((0.0 + 1.0) + EPS), p4 = 3.0 / ((1.0 + 3.0) + EPS);
        CHECK_DBL(P(0, 1, 0, 0), p0);
        CHECK_DBL(P(0, 1, 0, 1), p0);
        CHECK_DBL(P(0, 1, 0, 2), p4);
        CHECK_DBL(P(0, 1, 0, 3), p4);
        CHECK_DBL(P(0, 1, 0, 4), p4);
        CHECK_DBL(S(0, 1, 0, 0), 0.9);
        CHECK_DBL(S(0, 1, 0, 1), 0.9);
        CHECK_DBL(S(0, 1, 0, 2), 0.7);
        CHECK_DBL(S(0, 1, 0, 3), 0.5);
        CHECK_DBL(S(0, 1, 0, 4), 0.5);
        CHECK_DBL(RC(0, 1, 0), 1.0);
        /* p0 is not 1: the eps shows */
        CHECK(p0 < 1.0);
    }
    /* t = 0.75: tps 1 0 0 0 0, fps 0 1 1 0 1
     *   tp 1 1 1 1 1, fp 0 1 2 2 3;  rc 1/3 everywhere
     *   pr 1/(1+e) 1/(2+e) 1/(3+e) 1/(3+e) 1/(4+e): envelope = pr itself
     *   searchsorted = 0 0 5 5 5: q = 1/(1+e) 1/(1+e) 0 0 0,
     *   ss = .9 .9 0 0 0;  recall = 1/3 */
    {
        const double p0 = 1.0 / ((0.0 + 1.0) + EPS);
        CHECK_DBL(P(0, 1, 1, 0), p0);
        CHECK_DBL(P(0, 1, 1, 1), p0);
        for (i = 2; i < NR; i++) {
            CHECK_DBL(P(0, 1, 1, i), 0.0);
            CHECK_DBL(S(0, 1, 1, i), 0.0);
        }
        CHECK_DBL(S(0, 1, 1, 0), 0.9);
        CHECK_DBL(S(0, 1, 1, 1), 0.9);
        CHECK_DBL(RC(0, 1, 1), 1.0 / 3.0);
    }
    /* Category 0, cap 1: each image keeps its best: .9 (image 0) and .8
     * (image 1).  Both thresholds: tps 1 0, fps 0 1; tp 1 1, fp 0 1;
     * rc 1/3 1/3; pr 1/(1+e) 1/(2+e), envelope the same;
     * searchsorted = 0 0 2 2 2: q = 1/(1+e) 1/(1+e) 0 0 0, ss = .9 .9 0 0 0;
     * recall 1/3 */
    for (t = 0; t < NT; t++) {
        const double p0 = 1.0 / ((0.0 + 1.0) + EPS);
        CHECK_DBL(P(0, 0, t, 0), p0);
        CHECK_DBL(P(0, 0, t, 1), p0);
        CHECK_DBL(S(0, 0, t, 1), 0.9);
        for (i = 2; i < NR; i++) {
            CHECK_DBL(P(0, 0, t, i), 0.0);
            CHECK_DBL(S(0, 0, t, i), 0.0);
        }
        CHECK_DBL(RC(0, 0, t), 1.0 / 3.0);
    }
    /* Category 1: npig = 0, so -1 although it has a detection; category
     * 2: no evaluated image, -1 */
    for (k = 1; k < NK; k++)
        for (mm = 0; mm < NM; mm++)
            for (t = 0; t < NT; t++) {
                CHECK_DBL(RC(k, mm, t), -1.0);
                for (i = 0; i < NR; i++) {
                    CHECK_DBL(P(k, mm, t, i), -1.0);
                    CHECK_DBL(S(k, mm, t, i), -1.0);
                }
            }
}

/* GTs but no detection: recall 0, precision and scores 0 (q and ss start
 * at zeros and nothing is written). */
static void test_no_detections(void)
{
    static const double iou[1] = {0.5};
    static const double rthr[2] = {0, 1};
    vernier_eval_options o;
    vernier_eval ev;
    vernier_error err = VERNIER_ERROR_INIT;
    vn_cells c;
    vn_mem m;
    vn_arena ar;
    double p[3 * 2], s[3 * 2], r[3];
    static uint32_t dt_start[2] = {0, 0};
    static uint8_t nonempty[1] = {1};
    static uint32_t npig[1] = {4};
    static int64_t one_id = 3;
    vn_outcome none[1] = {0};
    size_t i;
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_iou_thresholds = 1;
    o.iou_thresholds = iou;
    o.n_recall_thresholds = 2;
    o.recall_thresholds = rthr;
    {
        static const double rng[2] = {0, 1e10};
        static const char *const lbl[1] = {"all"};
        o.n_area_ranges = 1;
        o.area_ranges = rng;
        o.area_labels = lbl;
    }
    memset(&ev, 0, sizeof(ev));
    CHECK_INT(vn_plan_from_options(&ev.plan, &o, &err), VERNIER_OK);
    CHECK_INT(ev.plan.M, 3);
    ev.K = 1;
    ev.precision = p;
    ev.recall = r;
    ev.scores = s;
    for (i = 0; i < 6; i++)
        p[i] = s[i] = 7.0;
    for (i = 0; i < 3; i++)
        r[i] = 7.0;
    memset(&c, 0, sizeof(c));
    c.n_images = 1;
    c.image_ids = &one_id;
    c.n_cats = 1;
    c.n_cells = 1;
    c.dt_start = dt_start;
    c.nonempty = nonempty;
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    vn_arena_init(&ev.arena, &m);
    CHECK_INT(vn_accumulate(&ev, &c, none, npig, &ar), VERNIER_OK);
    vn_arena_release(&ar);
    CHECK_INT(ev.class_n_gt[0], 4);
    CHECK_INT(ev.class_n_dt[0], 0);
    vn_arena_release(&ev.arena);
    for (i = 0; i < 6; i++) {
        CHECK_DBL(p[i], 0.0);
        CHECK_DBL(s[i], 0.0);
    }
    for (i = 0; i < 3; i++)
        CHECK_DBL(r[i], 0.0);
}

int main(void)
{
    RUN(test_worked_example);
    RUN(test_no_detections);
    return harness_report("test_accum");
}
