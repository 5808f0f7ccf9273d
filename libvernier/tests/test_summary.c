/* test_summary.c — pycocotools' summarize() (eval/summary.c) on
 * hand-filled precision and recall arrays.
 *
 * summarize()'s _summarize(ap, iouThr, areaRng, maxDets), pycocotools
 * 2.0.11: aind = the area range with that label, mind = the cap equal to
 * maxDets, t = the thresholds equal to iouThr (all when None);
 *   s = precision[t, :, :, aind, mind] (or recall[t, :, aind, mind]);
 *   mean_s = -1 if len(s[s > -1]) == 0 else np.mean(s[s > -1])
 * The 12 detection stats: AP (all, 100), AP .5, AP .75, AP small / medium
 * / large (100), AR all at 1, 10, 100, AR small / medium / large (100).
 * The printed line:
 *   ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}'
 * with 'Average Precision' / 'Average Recall', '(AP)' / '(AR)' and the IoU
 * as '{:0.2f}:{:0.2f}' of the first and last threshold, or '{:0.2f}'.
 *
 * The values are multiples of 1/64, so every sum is exact and each mean
 * below is the exact quotient written next to it. */
#include <stdint.h>

#include "harness.h"
#include "support.h"
#include "common/vn_alloc.h"
#include "eval/plan.h"
#include "eval/result.h"
#include "eval/summary.h"
#include "vernier.h"

/* Grid: IoU {0.5, 0.75}, recall {0, 0.5, 1}, the four default areas, caps
 * {1, 10, 100}, two categories. */
#define NK 2
#define NA 4
#define NM 3
#define NT 2
#define NR 3

static double prec[NK * NA * NM * NT * NR], rec[NK * NA * NM * NT], scr[NK * NA * NM * NT * NR];

/* precision(k, a, m, t) = base + a/16 + m/64 with base .5 (k 0, t .5),
 * .25 (k 0, t .75), .75 (k 1, t .5); -1 for k 1 at .75 and for "large"
 * (a 3).  recall likewise with bases .75, .5, .25. */
static double value(const double base[NK][NT], size_t k, size_t a, size_t m, size_t t)
{
    if (a == 3 || base[k][t] < 0)
        return -1.0;
    return base[k][t] + (double)a / 16.0 + (double)m / 64.0;
}

static void fill(vernier_eval *ev, const double *iou, const double *rthr)
{
    static const double pbase[NK][NT] = {{0.5, 0.25}, {0.75, -1}};
    static const double rbase[NK][NT] = {{0.75, 0.5}, {0.25, -1}};
    vernier_eval_options o;
    vernier_error err = VERNIER_ERROR_INIT;
    size_t k, a, m, t, r;
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_iou_thresholds = NT;
    o.iou_thresholds = iou;
    o.n_recall_thresholds = NR;
    o.recall_thresholds = rthr;
    memset(ev, 0, sizeof(*ev));
    CHECK_INT(vn_plan_from_options(&ev->plan, &o, &err), VERNIER_OK);
    CHECK_INT(ev->plan.A, NA);
    CHECK_INT(ev->plan.M, NM);
    ev->K = NK;
    ev->precision = prec;
    ev->recall = rec;
    ev->scores = scr;
    for (k = 0; k < NK; k++)
        for (a = 0; a < NA; a++)
            for (m = 0; m < NM; m++)
                for (t = 0; t < NT; t++) {
                    size_t curve = ((k * NA + a) * NM + m) * NT + t;
                    rec[curve] = value(rbase, k, a, m, t);
                    for (r = 0; r < NR; r++) {
                        prec[curve * NR + r] = value(pbase, k, a, m, t);
                        scr[curve * NR + r] = 0.5;
                    }
                }
}

static void summarize(vernier_eval *ev)
{
    vn_mem m;
    vn_arena ar;
    fail_alloc fa;
    vernier_allocator alc = fail_alloc_allocator(&fa);
    fail_alloc_init(&fa, 0, FAIL_ONLY);
    CHECK_INT(vn_mem_init(&m, &alc), VERNIER_OK);
    vn_arena_init(&ar, &m);
    vn_arena_init(&ev->arena, &m);
    CHECK_INT(vn_summarize(ev, &ar), VERNIER_OK);
    vn_arena_release(&ar);
    vn_arena_release(&ev->arena);
    ev->class_stats = NULL;
    CHECK(fail_alloc_clean(&fa));
}

static void test_twelve_stats(void)
{
    static const double iou[NT] = {0.5, 0.75};
    static const double rthr[NR] = {0, 0.5, 1};
    vernier_eval ev;
    fill(&ev, iou, rthr);
    summarize(&ev);
    CHECK_INT(ev.n_stats, 12);
    /* AP, all, cap 100 (m 2, + 2/64), both thresholds, every r and k:
     * k0 t.5 .53125, k0 t.75 .28125, k1 t.5 .78125 (k1 t.75 is -1), three
     * recall thresholds each: 3 * 1.59375 / 9 = .53125 */
    CHECK_DBL(ev.stats[0], 0.53125);
    /* AP .5: (.53125 + .78125) * 3 / 6 = .65625 */
    CHECK_DBL(ev.stats[1], 0.65625);
    /* AP .75: k0 only, .28125 */
    CHECK_DBL(ev.stats[2], 0.28125);
    /* small (+ 1/16): 3 * (.59375 + .34375 + .84375) / 9 = .59375 */
    CHECK_DBL(ev.stats[3], 0.59375);
    /* medium (+ 2/16): 3 * (.65625 + .40625 + .90625) / 9 = .65625 */
    CHECK_DBL(ev.stats[4], 0.65625);
    /* large: every entry -1, nothing left: -1 */
    CHECK_DBL(ev.stats[5], -1.0);
    /* AR all at cap 1 (m 0): (.75 + .5 + .25) / 3 = .5 */
    CHECK_DBL(ev.stats[6], 0.5);
    /* cap 10 (+ 1/64 each): 1.546875 / 3 = .515625 */
    CHECK_DBL(ev.stats[7], 0.515625);
    /* cap 100 (+ 2/64 each): 1.59375 / 3 = .53125 */
    CHECK_DBL(ev.stats[8], 0.53125);
    /* small, 100: 1.78125 / 3 = .59375; medium: 1.96875 / 3 = .65625 */
    CHECK_DBL(ev.stats[9], 0.59375);
    CHECK_DBL(ev.stats[10], 0.65625);
    CHECK_DBL(ev.stats[11], -1.0);
}

static void test_lines(void)
{
    static const double iou[NT] = {0.5, 0.75};
    static const double rthr[NR] = {0, 0.5, 1};
    static const char *const want[12] = {
        " Average Precision  (AP) @[ IoU=0.50:0.75 | area=   all | maxDets=100 ] = 0.531",
        " Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = 0.656",
        " Average Precision  (AP) @[ IoU=0.75      | area=   all | maxDets=100 ] = 0.281",
        " Average Precision  (AP) @[ IoU=0.50:0.75 | area= small | maxDets=100 ] = 0.594",
        " Average Precision  (AP) @[ IoU=0.50:0.75 | area=medium | maxDets=100 ] = 0.656",
        " Average Precision  (AP) @[ IoU=0.50:0.75 | area= large | maxDets=100 ] = -1.000",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area=   all | maxDets=  1 ] = 0.500",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area=   all | maxDets= 10 ] = 0.516",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area=   all | maxDets=100 ] = 0.531",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area= small | maxDets=100 ] = 0.594",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area=medium | maxDets=100 ] = 0.656",
        " Average Recall     (AR) @[ IoU=0.50:0.75 | area= large | maxDets=100 ] = -1.000",
    };
    vernier_eval ev;
    char buf[160];
    size_t i;
    fill(&ev, iou, rthr);
    summarize(&ev);
    for (i = 0; i < 12; i++) {
        int n = vernier_eval_summary_line(&ev, i, buf, sizeof(buf));
        CHECK_INT(n, (long long)strlen(want[i]));
        CHECK_STR(buf, want[i]);
    }
    CHECK_INT(vernier_eval_summary_line(&ev, 12, buf, sizeof(buf)), VERNIER_E_INVALID_ARG);
    /* a buffer one byte too short is refused */
    CHECK_INT(vernier_eval_summary_line(&ev, 0, buf, strlen(want[0])), VERNIER_E_INVALID_ARG);
}

/* Thresholds, labels and caps are looked up by value: a grid without 0.75
 * has no AP .75 (-1); with fewer than three caps summarize() would raise,
 * and there are no stats. */
static void test_missing_slots(void)
{
    static const double iou[NT] = {0.5, 0.7};
    static const double rthr[NR] = {0, 0.5, 1};
    vernier_eval ev;
    fill(&ev, iou, rthr);
    summarize(&ev);
    CHECK_INT(ev.n_stats, 12);
    CHECK_DBL(ev.stats[1], 0.65625);
    CHECK_DBL(ev.stats[2], -1.0);
    /* every other stat averages over both thresholds as before */
    CHECK_DBL(ev.stats[0], 0.53125);
    CHECK_DBL(ev.stats[8], 0.53125);

    fill(&ev, iou, rthr);
    ev.plan.M = 2; /* caps {1, 10} */
    ev.plan.max_det = 10;
    summarize(&ev);
    CHECK_INT(ev.n_stats, 0);
}

int main(void)
{
    RUN(test_twelve_stats);
    RUN(test_lines);
    RUN(test_missing_slots);
    return harness_report("test_summary");
}
