/* test_session.c — the incremental session (session.c): for many splits
 * of a synthetic dataset's detections into batches, in several orders, in
 * strict and corrected mode, with and without categories and with custom
 * caps, the finalized evaluation equals vernier_eval_run on all the
 * detections bit for bit.  Also: repeated and unknown images, the budget
 * (refusal before commit, state unchanged), finalize twice, the image
 * table, and allocation failure without leaks. */
#include <stdint.h>
#include <stdlib.h>

#include "batch_fixture.h"
#include "harness.h"
#include "vernier.h"

/* The images submitted: all but the last (its GT still counts). */
#define SUBMITTED (FX_IMAGES - 1)

static vernier_eval *one_shot(const vernier_dataset *gt, const fixture *f,
                              const vernier_eval_options *opts)
{
    int idx[FX_IMAGES], i;
    vernier_results *all;
    vernier_eval *ev = NULL;
    for (i = 0; i < SUBMITTED; i++)
        idx[i] = i;
    all = fixture_results(f, idx, SUBMITTED);
    CHECK_INT(vernier_eval_run(&ev, gt, all, opts, NULL, NULL), VERNIER_OK);
    vernier_results_free(all);
    return ev;
}

/* Splits a permutation of the submitted images into batches of sizes from
 * `sizes` (cycled) and adds them to a new session; returns its evaluation. */
static vernier_eval *batched(const vernier_dataset *gt, const fixture *f,
                             const vernier_eval_options *opts, const int *perm, const int *sizes,
                             int n_sizes)
{
    vernier_session *s = NULL;
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int at = 0, b = 0;
    CHECK_INT(vernier_session_new(&s, gt, opts, NULL, 0, &err), VERNIER_OK);
    if (s == NULL)
        return NULL;
    while (at < SUBMITTED) {
        int n = sizes[b++ % n_sizes];
        vernier_results *res;
        if (n > SUBMITTED - at)
            n = SUBMITTED - at;
        res = fixture_results(f, perm + at, n);
        CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
        vernier_results_free(res);
        at += n;
    }
    CHECK_INT(vernier_session_images_seen(s), fixture_with_results(f, perm, SUBMITTED));
    CHECK_INT(vernier_session_finalize(&ev, s, &err), VERNIER_OK);
    vernier_session_free(s);
    return ev;
}

static void check_config(const vernier_dataset *gt, const fixture *f,
                         const vernier_eval_options *opts)
{
    static const int SIZES[][3] = {{1, 1, 1}, {2, 3, 1}, {5, 5, 5}, {SUBMITTED, 1, 1}, {4, 1, 2}};
    vernier_eval *ref = one_shot(gt, f, opts);
    int perm[FX_IMAGES], i, o, z;
    uint32_t s = 12345;
    for (o = 0; o < 4; o++) {
        /* identity, reversed, then two shuffles */
        for (i = 0; i < SUBMITTED; i++)
            perm[i] = o == 1 ? SUBMITTED - 1 - i : i;
        if (o >= 2)
            for (i = SUBMITTED - 1; i > 0; i--) {
                int j = (int)(fx_rand(&s) % (uint32_t)(i + 1)), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
        for (z = 0; z < 5; z++) {
            vernier_eval *ev = batched(gt, f, opts, perm, SIZES[z], 3);
            check_same_eval(ref, ev);
            vernier_eval_free(ev);
        }
    }
    vernier_eval_free(ref);
}

static void test_equality(void)
{
    uint32_t seed;
    for (seed = 1; seed <= 3; seed++) {
        fixture f;
        vernier_dataset *gt;
        vernier_eval_options o;
        fixture_make(&f, seed);
        gt = load_gt(&f);
        vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
        check_config(gt, &f, &o);
        o.parity_mode = VERNIER_PARITY_CORRECTED;
        check_config(gt, &f, &o);
        o.use_cats = 0;
        check_config(gt, &f, &o);
        o.parity_mode = VERNIER_PARITY_STRICT;
        check_config(gt, &f, &o);
        o.use_cats = 1;
        o.n_max_dets = 2; /* caps that cut: 1 and 2 */
        o.max_dets[0] = 2;
        o.max_dets[1] = 1;
        check_config(gt, &f, &o);
        o.n_max_dets = 1; /* a cap of 0: cells with detections but none kept */
        o.max_dets[0] = 0;
        check_config(gt, &f, &o);
        vernier_dataset_free(gt);
        fixture_free(&f);
    }
}

static void test_repeated_and_unknown_images(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_session *s = NULL;
    vernier_results *res;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_memory_usage m0 = VERNIER_MEMORY_USAGE_INIT, m1 = VERNIER_MEMORY_USAGE_INIT;
    int one[2] = {2, 3}, again[2] = {4, 3};
    char want[64];
    fixture_make(&f, 7);
    gt = load_gt(&f);
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, &err), VERNIER_OK);
    res = fixture_results(&f, one, 2);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
    vernier_results_free(res);
    vernier_session_memory(s, &m0);
    res = fixture_results(&f, again, 2);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_E_DUPLICATE_IMAGE);
    CHECK_INT(err.code, VERNIER_E_DUPLICATE_IMAGE);
    snprintf(want, sizeof(want), "image id %lld", (long long)f.image_id[3]);
    CHECK(strstr(err.message, want) != NULL);
    CHECK(err.index >= 0);
    vernier_results_free(res);
    vernier_session_memory(s, &m1);
    CHECK(memcmp(&m0, &m1, sizeof(m0)) == 0);
    CHECK_INT(vernier_session_images_seen(s), 2);
    {
        static const char BAD[] =
            "[{\"image_id\": 7, \"category_id\": 1, \"bbox\": [1, 1, 2, 2], \"score\": 0.5}, "
            "{\"image_id\": 8, \"category_id\": 1, \"bbox\": [1, 1, 2, 2], \"score\": 0.5}]";
        CHECK_INT(vernier_results_load_json(&res, BAD, sizeof(BAD) - 1, NULL, NULL), VERNIER_OK);
        CHECK_INT(vernier_session_add(s, res, &err), VERNIER_E_UNKNOWN_IMAGE);
        CHECK_STR(err.path, "[1].image_id");
        CHECK_INT(err.index, 1);
        vernier_results_free(res);
    }
    CHECK_INT(vernier_session_images_seen(s), 2);
    vernier_session_free(s);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

/* Sessions (and so workers and partials) take no image / category subsets. */
static void test_subsets_refused(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_session *s = NULL;
    vernier_eval_options o;
    vernier_error err = VERNIER_ERROR_INIT;
    int64_t ids[1];
    void *blob = NULL;
    size_t size = 0;
    const void *blobs[1];
    vernier_eval *ev = NULL;
    vernier_results *res;
    int which[2] = {0, 1};
    fixture_make(&f, 3);
    gt = load_gt(&f);
    ids[0] = f.image_id[0];
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_image_ids = 1;
    o.image_ids = ids;
    CHECK_INT(vernier_session_new(&s, gt, &o, NULL, 0, &err), VERNIER_E_UNSUPPORTED);
    CHECK(s == NULL);
    CHECK(strstr(err.message, "subsets") != NULL);
    vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
    o.n_category_ids = 1;
    o.category_ids = ids;
    CHECK_INT(vernier_session_new(&s, gt, &o, NULL, 0, &err), VERNIER_E_UNSUPPORTED);
    CHECK(s == NULL);
    /* merging a valid partial refuses them too */
    res = fixture_results(&f, which, 2);
    CHECK_INT(vernier_partial_evaluate(&blob, &size, gt, res, NULL, 0, NULL, &err), VERNIER_OK);
    blobs[0] = blob;
    CHECK_INT(vernier_partial_merge(&ev, gt, &o, blobs, &size, 1, 0, NULL, &err),
              VERNIER_E_UNSUPPORTED);
    CHECK(ev == NULL);
    CHECK(strstr(err.message, "subsets") != NULL);
    CHECK_INT(vernier_partial_merge(&ev, gt, NULL, blobs, &size, 1, 0, NULL, &err), VERNIER_OK);
    vernier_eval_free(ev);
    vernier_partial_blob_free(blob, size, NULL);
    vernier_results_free(res);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_budget(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_session *s = NULL;
    vernier_eval *ev = NULL, *ref = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_memory_usage m = VERNIER_MEMORY_USAGE_INIT, m2 = VERNIER_MEMORY_USAGE_INIT;
    size_t index_bytes;
    int i, accepted[FX_IMAGES], n_acc = 0, refused = 0;
    fixture_make(&f, 3);
    gt = load_gt(&f);
    /* the index alone */
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, &err), VERNIER_OK);
    vernier_session_memory(s, &m);
    index_bytes = m.used;
    CHECK_INT(m.used, m.index);
    CHECK_INT(m.records + m.scores + m.outcomes, 0);
    vernier_session_free(s);
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, index_bytes - 1, &err), VERNIER_E_BUDGET);
    CHECK(s == NULL);
    /* room for the first growth (16 records, 16 slots) but not the second */
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, index_bytes + 16 * 8 + 16 * 40 + 100, &err),
              VERNIER_OK);
    for (i = 0; i < SUBMITTED; i++) {
        vernier_results *res = fixture_results(&f, &i, 1);
        int rc;
        vernier_session_memory(s, &m);
        rc = vernier_session_add(s, res, &err);
        vernier_session_memory(s, &m2);
        if (rc == VERNIER_OK) {
            accepted[n_acc++] = i;
            CHECK(m2.used <= m2.budget);
        } else {
            CHECK_INT(rc, VERNIER_E_BUDGET);
            CHECK(strstr(err.message, "budget") != NULL);
            CHECK_INT(m2.used, m.used); /* nothing committed */
            CHECK(m2.requested > 0 && m2.used + m2.requested > m2.budget);
            refused++;
        }
        CHECK_INT(m2.used, m2.index + m2.records + m2.scores + m2.outcomes);
        vernier_results_free(res);
    }
    CHECK(refused > 0 && n_acc > 0);
    CHECK_INT(vernier_session_images_seen(s), fixture_with_results(&f, accepted, n_acc));
    CHECK_INT(vernier_session_finalize(&ev, s, &err), VERNIER_OK);
    {
        vernier_results *acc = fixture_results(&f, accepted, n_acc);
        CHECK_INT(vernier_eval_run(&ref, gt, acc, NULL, NULL, NULL), VERNIER_OK);
        vernier_results_free(acc);
    }
    check_same_eval(ref, ev);
    vernier_eval_free(ev);
    vernier_eval_free(ref);
    vernier_session_free(s);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_finalize_twice_and_table(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_session *s = NULL;
    vernier_eval *ev = NULL, *ev2 = NULL;
    vernier_results *res;
    vernier_error err = VERNIER_ERROR_INIT;
    int idx[3] = {0, 1, 2};
    size_t n, i, total_dt = 0;
    int64_t ids[FX_IMAGES];
    uint32_t ngt[FX_IMAGES], ndt[FX_IMAGES], ntp[FX_IMAGES];
    uint8_t seen[FX_IMAGES];
    fixture_make(&f, 5);
    gt = load_gt(&f);
    CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, &err), VERNIER_OK);
    res = fixture_results(&f, idx, 3);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_OK);
    CHECK_INT(vernier_session_detections_seen(s), vernier_results_num_detections(res));
    CHECK_INT(vernier_session_finalize(&ev, s, &err), VERNIER_OK);
    CHECK_INT(vernier_session_finalize(&ev2, s, &err), VERNIER_E_STATE);
    CHECK(ev2 == NULL);
    CHECK_INT(vernier_session_add(s, res, &err), VERNIER_E_STATE);
    n = vernier_session_num_images(s);
    CHECK_INT(n, FX_IMAGES);
    CHECK_INT(vernier_session_image_table(s, ids, ngt, ndt, ntp, seen, n + 1),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_session_image_table(s, ids, ngt, ndt, ntp, seen, n), VERNIER_OK);
    for (i = 0; i < n; i++) {
        CHECK_INT(ids[i], f.image_id[i]);
        CHECK_INT(seen[i], i < 3 && f.dt[i][0] != 0);
        CHECK(ntp[i] <= ndt[i]);
        if (i >= 3)
            CHECK_INT(ndt[i], 0);
        total_dt += ndt[i];
    }
    CHECK(total_dt <= vernier_results_num_detections(res));
    vernier_results_free(res);
    vernier_eval_free(ev);
    vernier_session_free(s);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_allocation_failures(void)
{
    fixture f;
    vernier_dataset *gt;
    long at;
    int idx[4] = {0, 1, 2, 3};
    int done = 0;
    fixture_make(&f, 2);
    gt = load_gt(&f);
    for (at = 1; !done && at < 10000; at++) {
        fail_alloc fl;
        vernier_allocator alc = fail_alloc_allocator(&fl);
        vernier_session *s = NULL;
        vernier_eval *ev = NULL;
        vernier_results *res = fixture_results(&f, idx, 4);
        int rc;
        fail_alloc_init(&fl, at, FAIL_ONLY);
        rc = vernier_session_new(&s, gt, NULL, &alc, 0, NULL);
        if (rc == VERNIER_OK) {
            rc = vernier_session_add(s, res, NULL);
            if (rc == VERNIER_OK)
                rc = vernier_session_finalize(&ev, s, NULL);
            done = rc == VERNIER_OK;
            CHECK(rc == VERNIER_OK || rc == VERNIER_E_NOMEM);
        } else {
            CHECK_INT(rc, VERNIER_E_NOMEM);
        }
        vernier_eval_free(ev);
        vernier_session_free(s);
        vernier_results_free(res);
        CHECK_INT(fl.blocks, 0);
    }
    CHECK(done);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

int main(void)
{
    RUN(test_equality);
    RUN(test_repeated_and_unknown_images);
    RUN(test_subsets_refused);
    RUN(test_budget);
    RUN(test_finalize_twice_and_table);
    RUN(test_allocation_failures);
    return harness_report("test_session");
}
