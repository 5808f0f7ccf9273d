/* test_oom.c — every allocation failure is a clean, typed error.
 *
 * A counting allocator fails its Nth allocation (malloc or growing
 * realloc) for N = 1, 2, ... through a whole run: load the ground truth,
 * load the results, evaluate (twice on the same dataset, so the mask
 * derivation cache is filled and then reused), read the stats, free
 * everything.  Each run must either succeed with the reference numbers or
 * fail with VERNIER_E_NOMEM and a message; either way every byte is
 * returned, and the dataset a failed evaluation used still evaluates to
 * the reference numbers afterwards (no half-updated cache).  The loop ends
 * at the first N the run never reaches. */
#include <stdlib.h>

#include "harness.h"
#include "support.h"
#include "vernier.h"

static const char GT[] =
    "{\"images\":[{\"id\":1,\"width\":64,\"height\":48},{\"id\":2,\"width\":40,\"height\":40},"
    "{\"id\":3,\"width\":30,\"height\":20}],"
    "\"categories\":[{\"id\":1},{\"id\":5}],"
    "\"annotations\":["
    "{\"id\":1,\"image_id\":1,\"category_id\":1,\"bbox\":[2,3,20,15],\"area\":250,\"iscrowd\":0,"
    "\"segmentation\":[[2,3,22,3,22,18,2,18]]},"
    "{\"id\":2,\"image_id\":1,\"category_id\":5,\"bbox\":[30,10,12,30],\"area\":300,\"iscrowd\":0,"
    "\"segmentation\":[[30,10,42,10,36,40],[31,12,33,12,32,14]]},"
    "{\"id\":3,\"image_id\":2,\"category_id\":1,\"bbox\":[0,0,40,40],\"area\":900,\"iscrowd\":1,"
    "\"segmentation\":{\"size\":[40,40],\"counts\":[100,300,1200]}},"
    "{\"id\":4,\"image_id\":2,\"category_id\":1,\"bbox\":[5,5,10,10],\"area\":80,\"iscrowd\":0,"
    "\"segmentation\":[[5,5,15,5,15,15,5,15]]},"
    "{\"id\":5,\"image_id\":3,\"category_id\":5,\"bbox\":[1,1,8,8],\"area\":50,\"iscrowd\":0,"
    "\"segmentation\":[[1,1,9,1,9,9]]}]}";

static const char DT[] =
    "[{\"image_id\":1,\"category_id\":1,\"bbox\":[3,3,19,15],\"score\":0.9,"
    "\"segmentation\":[[3,3,22,3,22,18,3,18]]},"
    "{\"image_id\":1,\"category_id\":1,\"bbox\":[1,2,10,10],\"score\":0.4,"
    "\"segmentation\":[[1,2,11,2,11,12]]},"
    "{\"image_id\":1,\"category_id\":5,\"bbox\":[30,12,12,26],\"score\":0.8,"
    "\"segmentation\":[[30,12,42,12,36,38]]},"
    "{\"image_id\":2,\"category_id\":1,\"bbox\":[4,4,12,12],\"score\":0.7,"
    "\"segmentation\":{\"size\":[40,40],\"counts\":\"T5<l0000000000000000000000lm0\"}},"
    "{\"image_id\":2,\"category_id\":1,\"bbox\":[20,20,10,10],\"score\":0.6,"
    "\"segmentation\":[[20,20,30,20,30,30,20,30]]},"
    "{\"image_id\":3,\"category_id\":5,\"bbox\":[1,1,7,7],\"score\":0.5,"
    "\"segmentation\":[[1,1,8,1,8,8,1,8]]}]";

#define N_STATS 12

/* One whole run; returns the first failing status (or OK) and writes the
 * stats of the first evaluation when it got that far. */
static int run(int iou_type, const vernier_allocator *alc, double *stats, double *stats2)
{
    vernier_dataset *ds = NULL;
    vernier_results *res = NULL;
    vernier_eval *ev = NULL, *ev2 = NULL;
    vernier_eval_options opts;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc;

    vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
    opts.iou_type = iou_type;
    opts.keep_records = 1;
    rc = vernier_dataset_load_json(&ds, GT, sizeof(GT) - 1, alc, &err);
    if (rc != VERNIER_OK)
        goto done;
    rc = vernier_results_load_json(&res, DT, sizeof(DT) - 1, alc, &err);
    if (rc != VERNIER_OK)
        goto done;
    rc = vernier_eval_run(&ev, ds, res, &opts, alc, &err);
    if (rc != VERNIER_OK) {
        /* the dataset a failed evaluation used is intact: evaluating it
         * again with plain malloc gives the reference numbers */
        vernier_eval *again = NULL;
        vernier_error e2 = VERNIER_ERROR_INIT;
        int rc2 = vernier_eval_run(&again, ds, res, &opts, NULL, &e2);
        if (rc2 != VERNIER_OK)
            fprintf(stderr, "retry failed: %s\n", e2.message);
        CHECK_INT(rc2, VERNIER_OK);
        if (rc2 == VERNIER_OK)
            vernier_eval_copy_stats(again, stats2, N_STATS);
        vernier_eval_free(again);
        goto done;
    }
    vernier_eval_copy_stats(ev, stats, N_STATS);
    rc = vernier_eval_run(&ev2, ds, res, &opts, alc, &err);
    if (rc != VERNIER_OK)
        goto done;
    vernier_eval_copy_stats(ev2, stats2, N_STATS);
done:
    if (rc != VERNIER_OK) {
        CHECK(rc == VERNIER_E_NOMEM);
        CHECK(err.message[0] != 0);
    }
    vernier_eval_free(ev2);
    vernier_eval_free(ev);
    vernier_results_free(res);
    vernier_dataset_free(ds);
    return rc;
}

static void loop(int iou_type)
{
    double ref[N_STATS], ref2[N_STATS];
    fail_alloc c;
    vernier_allocator alc = fail_alloc_allocator(&c);
    long n, total;
    int i, rc;

    fail_alloc_init(&c, 0, FAIL_ONLY);

    CHECK_INT(run(iou_type, &alc, ref, ref2), VERNIER_OK);
    CHECK_INT(c.blocks, 0);
    CHECK_INT(c.bytes, 0);
    for (i = 0; i < N_STATS; i++)
        CHECK_DBL(ref2[i], ref[i]);
    total = c.calls;
    CHECK(total > 10);
    for (n = 1; n <= total; n++) {
        double st[N_STATS], st2[N_STATS];
        fail_alloc_reset(&c, n, FAIL_ONLY);
        for (i = 0; i < N_STATS; i++)
            st[i] = st2[i] = -2;
        rc = run(iou_type, &alc, st, st2);
        CHECK_INT(c.blocks, 0);
        CHECK_INT(c.bytes, 0);
        if (c.failed == 0) {
            /* this N is past the run's last allocation */
            CHECK_INT(rc, VERNIER_OK);
            continue;
        }
        CHECK_INT(rc, VERNIER_E_NOMEM);
        /* whenever an evaluation was reached, the numbers of the one that
         * completed (or of the retry) are the reference's */
        if (st2[0] != -2)
            for (i = 0; i < N_STATS; i++)
                CHECK_DBL(st2[i], ref[i]);
        if (st[0] != -2)
            for (i = 0; i < N_STATS; i++)
                CHECK_DBL(st[i], ref[i]);
    }
    printf("  iou_type %d: %ld allocation sites failed in turn\n", iou_type, total);
}

static void test_bbox(void) { loop(VERNIER_IOU_BBOX); }
static void test_segm(void) { loop(VERNIER_IOU_SEGM); }
static void test_boundary(void) { loop(VERNIER_IOU_BOUNDARY); }

int main(void)
{
    RUN(test_bbox);
    RUN(test_segm);
    RUN(test_boundary);
    return harness_report("test_oom");
}
