/* test_match.c — the bbox IoU kernel and pycocotools' greedy matching
 * (eval/match.c) on hand-built cells.
 *
 * The definitions the expected values are worked from (pycocotools 2.0.11):
 *   maskApi.c bbIou: inter = (min(x2) - max(x1)) * (min(y2) - max(y1)) when
 *     both are > 0; union = area(d) + area(g) - inter, or area(d) when the
 *     GT is a crowd; IoU = inter / union.
 *   COCOeval.evaluateImg, per area range and IoU threshold t:
 *     GTs sorted stably by _ignore (ignore or area outside [lo, hi]), the
 *     non-ignored first; detections in score order (the cells' slot order);
 *     each detection takes, among GTs not yet matched (crowds may be matched
 *     again), the one with the largest IoU >= min(t, 1 - 1e-10), scanning
 *     in the sorted GT order and stopping at the first ignored GT once a
 *     non-ignored one is held; it is ignored if its GT is, and an unmatched
 *     detection is ignored when its area is outside [lo, hi].
 *   accumulate: TP = matched GT id != 0 and not ignored; FP = neither
 *     matched to a real id nor ignored.
 * Outcomes: bit t = TP at threshold t, bit 32 + t = ignored at t.
 *
 * Every box below has height 10 at y = 0 unless said otherwise, so an IoU
 * is a ratio of small integers and exactly the double the division of those
 * integers gives; 0.5, 0.6 and 0.75 below are such exact quotients. */
#include <stdint.h>

#include "harness.h"
#include "support.h"
#include "common/vn_alloc.h"
#include "eval/cells.h"
#include "eval/match.h"
#include "eval/plan.h"
#include "vernier.h"

#define MAXN 8
#define MAXA 2
#define MAXT 4

typedef struct cell_case {
    size_t G, D;
    double gbox[4 * MAXN], garea[MAXN];
    uint8_t gcrowd[MAXN], gignore[MAXN], greal[MAXN];
    double dbox[4 * MAXN], darea[MAXN];
    /* results */
    vn_outcome out[MAXA * MAXN];
    uint32_t npig[MAXA];
    int32_t match[MAXA * MAXT * MAXN];
} cell_case;

static void add_gt(cell_case *k, double x, double y, double w, double h, double area, int crowd,
                   int ignore, int real)
{
    size_t g = k->G++;
    k->gbox[4 * g] = x;
    k->gbox[4 * g + 1] = y;
    k->gbox[4 * g + 2] = w;
    k->gbox[4 * g + 3] = h;
    k->garea[g] = area;
    k->gcrowd[g] = (uint8_t)crowd;
    k->gignore[g] = (uint8_t)(ignore || crowd); /* strict: ignore = iscrowd */
    k->greal[g] = (uint8_t)real;
}

static void add_dt(cell_case *k, double x, double y, double w, double h)
{
    size_t d = k->D++;
    k->dbox[4 * d] = x;
    k->dbox[4 * d + 1] = y;
    k->dbox[4 * d + 2] = w;
    k->dbox[4 * d + 3] = h;
    k->darea[d] = w * h;
}

/* A plan with the given IoU thresholds and area ranges ("all" = [0, 1e10]
 * when areas is NULL). */
static void make_plan(vn_plan *p, const double *thr, size_t T, const double *areas,
                      const char *const *labels, size_t A)
{
    static const double all[2] = {0, 1e10};
    static const char *const all_lbl[1] = {"all"};
    vernier_eval_options o;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_iou_thresholds = T;
    o.iou_thresholds = thr;
    o.n_area_ranges = areas != NULL ? A : 1;
    o.area_ranges = areas != NULL ? areas : all;
    o.area_labels = areas != NULL ? labels : all_lbl;
    CHECK_INT(vn_plan_from_options(p, &o, &err), VERNIER_OK);
}

/* One cell with the case's GTs and detections, matched with `plan`; the
 * matching's memory is checked to come back in full. */
static void run(cell_case *k, const vn_plan *plan)
{
    vn_cells c;
    uint32_t gt_start[2], dt_start[2];
    vn_mem m;
    vn_arena ar;
    fail_alloc fa;
    vernier_allocator alc = fail_alloc_allocator(&fa);
    vernier_error err = VERNIER_ERROR_INIT;
    size_t i;
    fail_alloc_init(&fa, 0, FAIL_ONLY);
    memset(&c, 0, sizeof(c));
    gt_start[0] = dt_start[0] = 0;
    gt_start[1] = (uint32_t)k->G;
    dt_start[1] = (uint32_t)k->D;
    c.n_images = c.n_cats = c.n_cells = 1;
    c.gt_start = gt_start;
    c.dt_start = dt_start;
    c.n_gt = k->G;
    c.n_dt = k->D;
    c.gt_bbox = k->gbox;
    c.gt_area = k->garea;
    c.gt_crowd = k->gcrowd;
    c.gt_real = k->greal;
    c.gt_ignore = k->gignore;
    c.dt_bbox = k->dbox;
    c.dt_area = k->darea;
    memset(k->out, 0, sizeof(k->out));
    for (i = 0; i < MAXA * MAXT * MAXN; i++)
        k->match[i] = -1;
    CHECK_INT(vn_mem_init(&m, &alc), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK_INT(vn_match_all(&c, plan, NULL, NULL, &ar, k->out, k->npig, k->match, NULL, &err),
              VERNIER_OK);
    vn_arena_release(&ar);
    CHECK(fail_alloc_clean(&fa));
}

#define TP(t) VN_TP_BIT(t)
#define IG(t) VN_IGN_BIT(t)
/* detection d's match at area a, threshold t (T thresholds, D detections) */
#define MATCH(k, a, t, T, d) ((k).match[((a) * (T) + (t)) * (k).D + (d)])

/* IoU exactly at a threshold matches (pycocotools skips only IoU < t). */
static void test_threshold_boundaries(void)
{
    static const double thr[4] = {0.5, 0.55, 0.75, 0.76};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 4, NULL, NULL, 1);
    /* one GT 10 x 10 (area 100); each detection alone against it */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    /* [0, 0, 10, 5]: inter 50, union 100 + 50 - 50 = 100: IoU 0.5 */
    add_dt(&k, 0, 0, 10, 5);
    run(&k, &p);
    CHECK_INT(k.npig[0], 1);
    CHECK(k.out[0] == TP(0)); /* TP at 0.5 only */
    CHECK_INT(MATCH(k, 0, 0, 4, 0), 0);
    CHECK_INT(MATCH(k, 0, 1, 4, 0), -1);

    /* [0, 0, 10, 7.5]: inter 75, union 100: IoU 0.75 */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 0, 0, 10, 7.5);
    run(&k, &p);
    CHECK(k.out[0] == (TP(0) | TP(1) | TP(2))); /* up to 0.75, not 0.76 */

    /* the same box from the other side, [0, 2.5, 10, 7.5]: 0.75 again */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 0, 2.5, 10, 7.5);
    run(&k, &p);
    CHECK(k.out[0] == (TP(0) | TP(1) | TP(2)));

    /* touching boxes (inter width 0) and a box one unit off do not
     * overlap: FP everywhere */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 10, 0, 10, 10);
    add_dt(&k, 0, 11, 10, 10);
    run(&k, &p);
    CHECK(k.out[0] == 0);
    CHECK(k.out[1] == 0);
}

/* Threshold 1.0 is read as 1 - 1e-10, so an identical box still matches. */
static void test_threshold_one(void)
{
    static const double thr[2] = {0.5, 1.0};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 2, NULL, NULL, 1);
    memset(&k, 0, sizeof(k));
    add_gt(&k, 3, 4, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 3, 4, 10, 10); /* IoU 100 / 100 = 1 */
    run(&k, &p);
    CHECK(k.out[0] == (TP(0) | TP(1)));
}

/* Crowd GTs: the union is the detection's area, the match is ignored, and
 * a crowd can be matched by several detections. */
static void test_crowd(void)
{
    static const double thr[1] = {0.5};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 1, NULL, NULL, 1);
    /* non-crowd: [5, 0, 10, 10] vs [0, 0, 10, 10]: inter 50, union 150,
     * IoU 1/3 < 0.5: FP */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 5, 0, 10, 10);
    run(&k, &p);
    CHECK(k.out[0] == 0);
    CHECK_INT(k.npig[0], 1);
    /* the same as a crowd: union = area(d) = 100, IoU 0.5: matched, and
     * ignored; a second detection inside the crowd ([2, 2, 2, 2]: inter 4,
     * union 4, IoU 1) matches the same crowd again */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 1, 0, 1);
    add_dt(&k, 5, 0, 10, 10);
    add_dt(&k, 2, 2, 2, 2);
    run(&k, &p);
    CHECK_INT(k.npig[0], 0);
    CHECK(k.out[0] == IG(0));
    CHECK(k.out[1] == IG(0));
    CHECK_INT(MATCH(k, 0, 0, 1, 0), 0);
    CHECK_INT(MATCH(k, 0, 0, 1, 1), 0);
    /* a detection prefers a free non-crowd GT over a crowd: the crowd is
     * ignored, so it sorts after the real GT and the scan stops there */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 1, 0, 1); /* g0 crowd, IoU 1 */
    add_gt(&k, 0, 0, 6, 10, 60, 0, 0, 1);   /* g1, IoU 60 / 100 = 0.6 */
    add_dt(&k, 0, 0, 10, 10);
    run(&k, &p);
    CHECK_INT(k.npig[0], 1);
    CHECK(k.out[0] == TP(0));
    CHECK_INT(MATCH(k, 0, 0, 1, 0), 1);
}

/* Greedy in score order: an earlier detection keeps its GT even when a
 * later one overlaps it more; each takes its best free GT. */
static void test_greedy(void)
{
    static const double thr[2] = {0.5, 0.9};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 2, NULL, NULL, 1);
    /* g0 [0, 0, 10, 10]; d0 [0, 0, 6, 10] (IoU 0.6) first, d1 [0, 0, 9,
     * 10] (IoU 0.9) second: d0 takes g0 at 0.5, d1 is FP there; at 0.9 d0
     * cannot match and d1 takes g0 */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_dt(&k, 0, 0, 6, 10);
    add_dt(&k, 0, 0, 9, 10);
    run(&k, &p);
    CHECK(k.out[0] == TP(0));
    CHECK(k.out[1] == TP(1));
    CHECK_INT(MATCH(k, 0, 0, 2, 0), 0);
    CHECK_INT(MATCH(k, 0, 0, 2, 1), -1);
    CHECK_INT(MATCH(k, 0, 1, 2, 0), -1);
    CHECK_INT(MATCH(k, 0, 1, 2, 1), 0);
    /* best IoU, not first GT: g0 [0, 0, 10, 10], g1 [0, 0, 8, 10];
     * d0 = [0, 0, 8, 10] has IoU 0.8 with g0 and 1 with g1: takes g1;
     * d1, the same box, finds g1 taken and takes g0 at 0.5 (0.8), not at
     * 0.9 */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_gt(&k, 0, 0, 8, 10, 80, 0, 0, 1);
    add_dt(&k, 0, 0, 8, 10);
    add_dt(&k, 0, 0, 8, 10);
    run(&k, &p);
    CHECK_INT(k.npig[0], 2);
    CHECK(k.out[0] == (TP(0) | TP(1)));
    CHECK(k.out[1] == TP(0));
    CHECK_INT(MATCH(k, 0, 0, 2, 0), 1);
    CHECK_INT(MATCH(k, 0, 1, 2, 0), 1);
    CHECK_INT(MATCH(k, 0, 0, 2, 1), 0);
    CHECK_INT(MATCH(k, 0, 1, 2, 1), -1);
    /* equal IoUs: the later GT in scan order wins (">=" keeps replacing):
     * g0 [0, 0, 10, 10] and g1 [10, 0, 10, 10], d0 [5, 0, 10, 10] overlaps
     * each by 50: IoU 50 / 150 = 1/3 with each -- use threshold 0.3 */
    {
        static const double low[1] = {0.3};
        vn_plan q;
        make_plan(&q, low, 1, NULL, NULL, 1);
        memset(&k, 0, sizeof(k));
        add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
        add_gt(&k, 10, 0, 10, 10, 100, 0, 0, 1);
        add_dt(&k, 5, 0, 10, 10);
        run(&k, &q);
        CHECK(k.out[0] == TP(0));
        CHECK_INT(MATCH(k, 0, 0, 1, 0), 1);
    }
}

/* The ignore flag (crowd, or corrected mode's ignore, or keypoints'
 * num_keypoints == 0): ignored GTs do not count and are matched last. */
static void test_ignore_flag(void)
{
    static const double thr[2] = {0.5, 0.9};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 2, NULL, NULL, 1);
    /* g0 ignored [0, 0, 10, 10], g1 [0, 0, 6, 10]; d0 [0, 0, 10, 10] has
     * IoU 1 with g0 and 0.6 with g1.  At 0.5 the scan (g1 first) holds g1
     * and stops at the ignored g0: TP on g1.  At 0.9 g1 is too low and d0
     * matches the ignored g0: ignored. */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 1, 1);
    add_gt(&k, 0, 0, 6, 10, 60, 0, 0, 1);
    add_dt(&k, 0, 0, 10, 10);
    run(&k, &p);
    CHECK_INT(k.npig[0], 1);
    CHECK(k.out[0] == (TP(0) | IG(1)));
    CHECK_INT(MATCH(k, 0, 0, 2, 0), 1);
    CHECK_INT(MATCH(k, 0, 1, 2, 0), 0);
    /* a second identical detection: at 0.5 g1 is taken and nothing stops
     * the scan before the ignored g0, which it matches (ignored); at 0.9
     * g0 is taken by d0 (an ignored non-crowd GT is matched only once):
     * FP there */
    add_dt(&k, 0, 0, 10, 10);
    run(&k, &p);
    CHECK(k.out[0] == (TP(0) | IG(1)));
    CHECK(k.out[1] == IG(0));
    CHECK_INT(MATCH(k, 0, 0, 2, 1), 0);
    CHECK_INT(MATCH(k, 0, 1, 2, 1), -1);
    /* GT id 0 (strict): the match reads as "unmatched" in accumulate, so
     * the detection is a FP, and the GT is still used up */
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 0);
    add_dt(&k, 0, 0, 10, 10);
    add_dt(&k, 0, 0, 10, 10);
    run(&k, &p);
    CHECK_INT(k.npig[0], 1);
    CHECK(k.out[0] == 0);
    CHECK(k.out[1] == 0);
    CHECK_INT(MATCH(k, 0, 0, 2, 0), 0);
    CHECK_INT(MATCH(k, 0, 0, 2, 1), -1);
}

/* Area ranges: a GT outside the range is ignored (by its "area" field,
 * not its box); an unmatched detection outside it is ignored; a matched
 * detection follows its GT whatever its own area.  Bounds are inclusive. */
static void test_area_ranges(void)
{
    static const double thr[1] = {0.5};
    static const double rng[4] = {0, 1e10, 0, 50};
    static const char *const lbl[2] = {"all", "small"};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 1, rng, lbl, 2);
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);  /* g0: area 100, out of small */
    add_gt(&k, 100, 0, 10, 10, 40, 0, 0, 1); /* g1: area 40 (box 100), in */
    add_gt(&k, 200, 0, 10, 10, 50, 0, 0, 1); /* g2: area 50 = hi, in */
    add_dt(&k, 0, 0, 10, 10);   /* d0 -> g0 */
    add_dt(&k, 100, 0, 10, 10); /* d1 -> g1, its own area 100 */
    add_dt(&k, 30, 0, 5, 5);    /* d2 unmatched, area 25 */
    add_dt(&k, 60, 0, 10, 10);  /* d3 unmatched, area 100 */
    add_dt(&k, 80, 0, 5, 10);   /* d4 unmatched, area 50 = hi */
    run(&k, &p);
    /* all: three real GTs, every match a TP, the rest FP */
    CHECK_INT(k.npig[0], 3);
    CHECK(k.out[0 * 5 + 0] == TP(0));
    CHECK(k.out[0 * 5 + 1] == TP(0));
    CHECK(k.out[0 * 5 + 2] == 0);
    CHECK(k.out[0 * 5 + 3] == 0);
    CHECK(k.out[0 * 5 + 4] == 0);
    /* small: g1 and g2 count; d0 matched the ignored g0: ignored; d1 a TP
     * although its area is 100; d2 and d4 inside: FP; d3 outside: ignored */
    CHECK_INT(k.npig[1], 2);
    CHECK(k.out[1 * 5 + 0] == IG(0));
    CHECK(k.out[1 * 5 + 1] == TP(0));
    CHECK(k.out[1 * 5 + 2] == 0);
    CHECK(k.out[1 * 5 + 3] == IG(0));
    CHECK(k.out[1 * 5 + 4] == 0);
    CHECK_INT(MATCH(k, 1, 0, 1, 0), 0);
    CHECK_INT(MATCH(k, 1, 0, 1, 1), 1);
    CHECK_INT(MATCH(k, 1, 0, 1, 3), -1);
}

/* Cells without detections still count their GTs; empty cells count 0. */
static void test_no_detections(void)
{
    static const double thr[1] = {0.5};
    vn_plan p;
    cell_case k;
    make_plan(&p, thr, 1, NULL, NULL, 1);
    memset(&k, 0, sizeof(k));
    add_gt(&k, 0, 0, 10, 10, 100, 0, 0, 1);
    add_gt(&k, 0, 0, 10, 10, 100, 1, 0, 1);
    run(&k, &p);
    CHECK_INT(k.npig[0], 1);
    memset(&k, 0, sizeof(k));
    k.npig[0] = 99;
    run(&k, &p);
    CHECK_INT(k.npig[0], 0);
}

int main(void)
{
    RUN(test_threshold_boundaries);
    RUN(test_threshold_one);
    RUN(test_crowd);
    RUN(test_greedy);
    RUN(test_ignore_flag);
    RUN(test_area_ranges);
    RUN(test_no_detections);
    return harness_report("test_match");
}
