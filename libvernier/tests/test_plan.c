/* test_plan.c — options to the evaluation plan (eval/plan.c): the
 * defaults pycocotools' Params gives (setDetParams, setKpParams), custom
 * grids, the maxDets ladder sorted ascending, and every invalid option
 * refused with VERNIER_E_INVALID_ARG and a message.
 *
 * Expected values come from pycocotools 2.0.11's Params:
 *   iouThrs = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1)
 *   recThrs = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1)
 *   maxDets = [1, 10, 100]                      (keypoints: [20])
 *   areaRng = [[0, 1e5**2], [0, 32**2], [32**2, 96**2], [96**2, 1e5**2]]
 *   areaRngLbl = ['all', 'small', 'medium', 'large']
 *             (keypoints: all, medium, large without the small range)
 * and numpy's linspace: step = (stop - start) / (num - 1), value i =
 * start + i * step, the last value set to stop exactly. */
#include <math.h>
#include <stdint.h>
#include <unistd.h>

#include "harness.h"
#include "eval/plan.h"
#include "vernier.h"

static void defaults(vernier_eval_options *o)
{
    CHECK_INT(vernier_eval_options_init(o, VERNIER_EVAL_OPTIONS_VERSION), VERNIER_OK);
}

static void test_options_init(void)
{
    vernier_eval_options o;
    defaults(&o);
    CHECK_INT(o.version, VERNIER_EVAL_OPTIONS_VERSION);
    CHECK_INT(o.iou_type, VERNIER_IOU_BBOX);
    CHECK_INT(o.parity_mode, VERNIER_PARITY_STRICT);
    CHECK_INT(o.use_cats, 1);
    CHECK_INT(o.n_max_dets, 0);
    CHECK_DBL(o.dilation_ratio, 0.02);
    CHECK_INT(o.num_threads, 1);
    CHECK(o.iou_thresholds == NULL && o.recall_thresholds == NULL && o.area_ranges == NULL);
    CHECK_INT(vernier_eval_options_init(NULL, VERNIER_EVAL_OPTIONS_VERSION),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION + 1),
              VERNIER_E_INVALID_ARG);
}

static void test_detection_defaults(void)
{
    vernier_eval_options o;
    vn_plan p;
    vernier_error err = VERNIER_ERROR_INIT;
    size_t i;
    double step;
    defaults(&o);
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.iou_type, VERNIER_IOU_BBOX);
    CHECK_INT(p.parity_mode, VERNIER_PARITY_STRICT);
    CHECK_INT(p.use_cats, 1);
    CHECK_INT(p.custom_grid, 0);
    CHECK_INT(p.n_threads, 1);
    /* IoU thresholds: 10 values, linspace(.5, .95, 10) */
    CHECK_INT(p.T, 10);
    step = (0.95 - 0.5) / 9.0;
    for (i = 0; i < 9; i++)
        CHECK_DBL(p.iou_thrs[i], 0.5 + (double)i * step);
    CHECK_DBL(p.iou_thrs[0], 0.5);
    CHECK_DBL(p.iou_thrs[9], 0.95);
    /* summarize() selects iouThr=.5 and .75 by equality: both must be on
     * the grid exactly (numpy's linspace(.5, .95, 10)[5] == .75 is True) */
    CHECK_DBL(p.iou_thrs[5], 0.75);
    /* recall thresholds: 101 values, linspace(0, 1, 101) */
    CHECK_INT(p.R, 101);
    step = 1.0 / 100.0;
    for (i = 0; i < 100; i++)
        CHECK_DBL(p.rec_thrs[i], (double)i * step);
    CHECK_DBL(p.rec_thrs[100], 1.0);
    /* area ranges */
    CHECK_INT(p.A, 4);
    CHECK_STR(p.area_lbl[0], "all");
    CHECK_STR(p.area_lbl[1], "small");
    CHECK_STR(p.area_lbl[2], "medium");
    CHECK_STR(p.area_lbl[3], "large");
    CHECK_DBL(p.area_rng[0][0], 0.0);
    CHECK_DBL(p.area_rng[0][1], 1e5 * 1e5);
    CHECK_DBL(p.area_rng[1][0], 0.0);
    CHECK_DBL(p.area_rng[1][1], 32.0 * 32.0);
    CHECK_DBL(p.area_rng[2][0], 32.0 * 32.0);
    CHECK_DBL(p.area_rng[2][1], 96.0 * 96.0);
    CHECK_DBL(p.area_rng[3][0], 96.0 * 96.0);
    CHECK_DBL(p.area_rng[3][1], 1e5 * 1e5);
    /* maxDets */
    CHECK_INT(p.M, 3);
    CHECK_INT(p.max_dets[0], 1);
    CHECK_INT(p.max_dets[1], 10);
    CHECK_INT(p.max_dets[2], 100);
    CHECK_INT(p.max_det, 100);
    /* segm and boundary share the detection ladder */
    o.iou_type = VERNIER_IOU_SEGM;
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.A, 4);
    CHECK_INT(p.M, 3);
    o.iou_type = VERNIER_IOU_BOUNDARY;
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_DBL(p.dilation_ratio, 0.02);
    CHECK_INT(p.A, 4);
}

static void test_keypoint_defaults(void)
{
    vernier_eval_options o;
    vn_plan p;
    vernier_error err = VERNIER_ERROR_INIT;
    defaults(&o);
    o.iou_type = VERNIER_IOU_KEYPOINTS;
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.T, 10);
    CHECK_INT(p.R, 101);
    CHECK_INT(p.A, 3);
    CHECK_STR(p.area_lbl[0], "all");
    CHECK_STR(p.area_lbl[1], "medium");
    CHECK_STR(p.area_lbl[2], "large");
    CHECK_DBL(p.area_rng[0][1], 1e10);
    CHECK_DBL(p.area_rng[1][0], 1024.0);
    CHECK_DBL(p.area_rng[1][1], 9216.0);
    CHECK_DBL(p.area_rng[2][0], 9216.0);
    CHECK_INT(p.M, 1);
    CHECK_INT(p.max_dets[0], 20);
    CHECK_INT(p.max_det, 20);
    CHECK_INT(p.custom_grid, 0);
}

static void test_custom_grid(void)
{
    static const double iou[2] = {0.3, 0.6};
    static const double rec[3] = {0.0, 0.5, 1.0};
    static const double rng[4] = {0.0, 50.0, 50.0, 1e9};
    static const char *const lbl[2] = {"tiny", "rest"};
    vernier_eval_options o;
    vn_plan p;
    vernier_error err = VERNIER_ERROR_INIT;
    defaults(&o);
    o.n_iou_thresholds = 2;
    o.iou_thresholds = iou;
    o.n_recall_thresholds = 3;
    o.recall_thresholds = rec;
    o.n_area_ranges = 2;
    o.area_ranges = rng;
    o.area_labels = lbl;
    o.n_max_dets = 3;
    o.max_dets[0] = 50; /* sorted ascending, as pycocotools does */
    o.max_dets[1] = 5;
    o.max_dets[2] = 20;
    o.use_cats = 0;
    o.num_threads = 0;
    o.parity_mode = VERNIER_PARITY_CORRECTED;
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.custom_grid, 1);
    CHECK_INT(p.T, 2);
    CHECK_DBL(p.iou_thrs[0], 0.3);
    CHECK_DBL(p.iou_thrs[1], 0.6);
    CHECK_INT(p.R, 3);
    CHECK_DBL(p.rec_thrs[1], 0.5);
    CHECK_DBL(p.rec_thrs[2], 1.0);
    CHECK_INT(p.A, 2);
    CHECK_STR(p.area_lbl[0], "tiny");
    CHECK_STR(p.area_lbl[1], "rest");
    CHECK_DBL(p.area_rng[0][1], 50.0);
    CHECK_DBL(p.area_rng[1][0], 50.0);
    CHECK_DBL(p.area_rng[1][1], 1e9);
    CHECK_INT(p.M, 3);
    CHECK_INT(p.max_dets[0], 5);
    CHECK_INT(p.max_dets[1], 20);
    CHECK_INT(p.max_dets[2], 50);
    CHECK_INT(p.max_det, 50);
    CHECK_INT(p.use_cats, 0);
    /* num_threads 0 (auto) is resolved to the online CPUs, capped */
    {
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        size_t want = online < 1 ? 1 : (size_t)online;
        CHECK_INT(p.n_threads, want > VERNIER_MAX_THREADS ? VERNIER_MAX_THREADS : want);
    }
    CHECK_INT(p.parity_mode, VERNIER_PARITY_CORRECTED);

    /* each part of the grid alone marks it custom; the rest stays default */
    defaults(&o);
    o.n_recall_thresholds = 3;
    o.recall_thresholds = rec;
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.custom_grid, 1);
    CHECK_INT(p.T, 10);
    CHECK_INT(p.A, 4);
    CHECK_INT(p.R, 3);
    /* a custom maxDets ladder alone is not a custom grid */
    defaults(&o);
    o.n_max_dets = 1;
    o.max_dets[0] = 0; /* a cap of 0 is allowed */
    CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
    CHECK_INT(p.custom_grid, 0);
    CHECK_INT(p.M, 1);
    CHECK_INT(p.max_det, 0);
    /* the bounds themselves are accepted: thresholds 0 and 1, a single
     * value, an empty area range [x, x], dilation 1 */
    {
        static const double one[1] = {1.0};
        static const double zero_one[2] = {0.0, 1.0};
        static const double point[2] = {7.0, 7.0};
        static const char *const l1[1] = {"p"};
        defaults(&o);
        o.n_iou_thresholds = 2;
        o.iou_thresholds = zero_one;
        o.n_recall_thresholds = 1;
        o.recall_thresholds = one;
        o.n_area_ranges = 1;
        o.area_ranges = point;
        o.area_labels = l1;
        o.iou_type = VERNIER_IOU_BOUNDARY;
        o.dilation_ratio = 1.0;
        CHECK_INT(vn_plan_from_options(&p, &o, &err), VERNIER_OK);
        CHECK_INT(p.T, 2);
        CHECK_INT(p.R, 1);
        CHECK_INT(p.A, 1);
    }
}

/* One invalid option set: refused with INVALID_ARG, err filled. */
static void refused(const vernier_eval_options *o, int line)
{
    vn_plan p;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc;
    err = (vernier_error)VERNIER_ERROR_INIT;
    rc = vn_plan_from_options(&p, o, &err);
    if (rc != VERNIER_E_INVALID_ARG)
        fprintf(stderr, "refused() from line %d:\n", line);
    CHECK_INT(rc, VERNIER_E_INVALID_ARG);
    CHECK_INT(err.code, VERNIER_E_INVALID_ARG);
    CHECK(err.message[0] != '\0');
}
#define REFUSED(o) refused(&(o), __LINE__)

static void test_invalid(void)
{
    static const double desc[2] = {0.6, 0.3};
    static const double dup[2] = {0.5, 0.5};
    static const double big[1] = {1.5};
    static const double neg[1] = {-0.1};
    double nan1[1];
    static double many[VERNIER_MAX_IOU_THRESHOLDS + 1];
    static double many_r[VERNIER_MAX_RECALL_THRESHOLDS + 1];
    static const char *const lbl2[2] = {"a", "b"};
    static const char *const same[2] = {"a", "a"};
    static const char *const empty[1] = {""};
    static const char *const nolabel[1] = {NULL};
    static const char *const long_lbl[1] = {"abcdefghijklmnopqrstuvwxyz012345"}; /* 32 bytes */
    static const double ok2[4] = {0, 10, 10, 20};
    static const double lo_gt_hi[2] = {10, 5};
    static const double neg_lo[2] = {-1, 5};
    double nan_hi[2], inf_hi[2];
    static double ranges[2 * (VERNIER_MAX_AREA_RANGES + 1)];
    static const char *labels[VERNIER_MAX_AREA_RANGES + 1];
    static char label_buf[VERNIER_MAX_AREA_RANGES + 1][4];
    vernier_eval_options o;
    size_t i;
    nan1[0] = nan("");
    nan_hi[0] = 0;
    nan_hi[1] = nan("");
    inf_hi[0] = 0;
    inf_hi[1] = INFINITY;
    for (i = 0; i < VERNIER_MAX_IOU_THRESHOLDS + 1; i++)
        many[i] = (double)i / 64.0;
    for (i = 0; i < VERNIER_MAX_RECALL_THRESHOLDS + 1; i++)
        many_r[i] = (double)i / 2048.0;
    for (i = 0; i < VERNIER_MAX_AREA_RANGES + 1; i++) {
        ranges[2 * i] = 0;
        ranges[2 * i + 1] = (double)i;
        snprintf(label_buf[i], sizeof(label_buf[i]), "r%zu", i);
        labels[i] = label_buf[i];
    }

    defaults(&o);
    o.version = VERNIER_EVAL_OPTIONS_VERSION + 1;
    REFUSED(o);
    defaults(&o);
    o.iou_type = 99;
    REFUSED(o);
    o.iou_type = -1;
    REFUSED(o);
    /* dilation: (0, 1], boundary only */
    defaults(&o);
    o.iou_type = VERNIER_IOU_BOUNDARY;
    o.dilation_ratio = 0.0;
    REFUSED(o);
    o.dilation_ratio = 1.0 + 1e-9;
    REFUSED(o);
    o.dilation_ratio = nan("");
    REFUSED(o);
    defaults(&o);
    o.parity_mode = 7;
    REFUSED(o);
    defaults(&o);
    o.use_cats = 2;
    REFUSED(o);
    defaults(&o);
    o.num_threads = VERNIER_MAX_THREADS + 1;
    REFUSED(o);
    /* IoU thresholds: 1..32 values in [0, 1], ascending, distinct */
    defaults(&o);
    o.n_iou_thresholds = 2;
    o.iou_thresholds = desc;
    REFUSED(o);
    o.iou_thresholds = dup;
    REFUSED(o);
    o.n_iou_thresholds = 1;
    o.iou_thresholds = big;
    REFUSED(o);
    o.iou_thresholds = neg;
    REFUSED(o);
    o.iou_thresholds = nan1;
    REFUSED(o);
    o.n_iou_thresholds = 0; /* a list with no values */
    o.iou_thresholds = desc;
    REFUSED(o);
    o.n_iou_thresholds = VERNIER_MAX_IOU_THRESHOLDS + 1;
    o.iou_thresholds = many;
    REFUSED(o);
    o.n_iou_thresholds = VERNIER_MAX_IOU_THRESHOLDS; /* the limit itself is fine */
    {
        vn_plan p;
        CHECK_INT(vn_plan_from_options(&p, &o, NULL), VERNIER_OK);
        CHECK_INT(p.T, VERNIER_MAX_IOU_THRESHOLDS);
    }
    /* recall thresholds: the same rules, up to 1001 */
    defaults(&o);
    o.n_recall_thresholds = 2;
    o.recall_thresholds = dup;
    REFUSED(o);
    o.n_recall_thresholds = VERNIER_MAX_RECALL_THRESHOLDS + 1;
    o.recall_thresholds = many_r;
    REFUSED(o);
    /* a count with a NULL list is refused, for either ladder */
    defaults(&o);
    o.n_recall_thresholds = 3;
    o.recall_thresholds = NULL;
    REFUSED(o);
    defaults(&o);
    o.n_iou_thresholds = 3;
    o.iou_thresholds = NULL;
    REFUSED(o);
    /* area ranges */
    defaults(&o);
    o.n_area_ranges = 2;
    o.area_ranges = ok2;
    o.area_labels = same;
    REFUSED(o); /* a label used twice */
    o.area_labels = NULL;
    REFUSED(o);
    o.area_labels = lbl2;
    o.area_ranges = NULL;
    REFUSED(o);
    o.n_area_ranges = 1;
    o.area_ranges = ok2;
    o.area_labels = empty;
    REFUSED(o);
    o.area_labels = nolabel;
    REFUSED(o);
    o.area_labels = long_lbl;
    REFUSED(o);
    o.area_labels = lbl2;
    o.area_ranges = lo_gt_hi;
    REFUSED(o);
    o.area_ranges = neg_lo;
    REFUSED(o);
    o.area_ranges = nan_hi;
    REFUSED(o);
    o.area_ranges = inf_hi;
    REFUSED(o);
    o.n_area_ranges = 0; /* ranges given, count 0 */
    o.area_ranges = ok2;
    REFUSED(o);
    o.n_area_ranges = VERNIER_MAX_AREA_RANGES + 1;
    o.area_ranges = ranges;
    o.area_labels = labels;
    REFUSED(o);
    /* maxDets: at most 16, each in [0, 2^32 - 1], distinct */
    defaults(&o);
    o.n_max_dets = VERNIER_MAX_MAX_DETS + 1;
    REFUSED(o);
    o.n_max_dets = 2;
    o.max_dets[0] = 10;
    o.max_dets[1] = -1;
    REFUSED(o);
    o.max_dets[1] = (int64_t)UINT32_MAX + 1;
    REFUSED(o);
    o.max_dets[1] = 10;
    REFUSED(o);
    o.max_dets[1] = (int64_t)UINT32_MAX; /* the largest cap is accepted */
    {
        vn_plan p;
        CHECK_INT(vn_plan_from_options(&p, &o, NULL), VERNIER_OK);
        CHECK_INT(p.max_det, (int64_t)UINT32_MAX);
    }
}

/* pycocotools writes the person sigmas as np.array([.26, .25, ...]) / 10.0:
 * each is the double nearest the literal, divided by 10 (a second rounding). */
static void test_sigmas(void)
{
    static const double lit[VN_COCO_KEYPOINTS] = {.26, .25, .25, .35, .35, .79, .79, .72, .72,
                                                  .62, .62, 1.07, 1.07, .87, .87, .89, .89};
    double s[VN_COCO_KEYPOINTS], bad[2] = {0.5, 0.0};
    size_t j;
    vernier_error err = VERNIER_ERROR_INIT;
    vn_coco_sigmas(s);
    for (j = 0; j < VN_COCO_KEYPOINTS; j++)
        CHECK_DBL(s[j], lit[j] / 10.0);
    /* the double rounding is visible: .26 / 10.0 is not the literal .026 */
    CHECK(s[0] != 0.026);
    CHECK_INT(vn_check_sigmas(s, VN_COCO_KEYPOINTS, &err), VERNIER_OK);
    CHECK_INT(vn_check_sigmas(s, 0, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(err.code, VERNIER_E_INVALID_ARG);
    CHECK_INT(vn_check_sigmas(bad, 2, &err), VERNIER_E_INVALID_ARG);
    bad[1] = -1.0;
    CHECK_INT(vn_check_sigmas(bad, 2, &err), VERNIER_E_INVALID_ARG);
    bad[1] = INFINITY;
    CHECK_INT(vn_check_sigmas(bad, 2, &err), VERNIER_E_INVALID_ARG);
    bad[1] = nan("");
    CHECK_INT(vn_check_sigmas(bad, 2, &err), VERNIER_E_INVALID_ARG);
    bad[1] = 1e-300;
    CHECK_INT(vn_check_sigmas(bad, 2, &err), VERNIER_OK);
}

int main(void)
{
    RUN(test_options_init);
    RUN(test_detection_defaults);
    RUN(test_keypoint_defaults);
    RUN(test_custom_grid);
    RUN(test_invalid);
    RUN(test_sigmas);
    return harness_report("test_plan");
}
