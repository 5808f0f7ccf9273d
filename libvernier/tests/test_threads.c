/* test_threads.c — results do not depend on the thread count: for several
 * synthetic datasets (four categories, one without ground truth), in strict
 * and corrected mode, with and without categories, vernier_eval_run with
 * num_threads 2, 3, 4, 8 and 0 (auto) equals the single-threaded run bit
 * for bit (precision, recall, scores, stats); so does a session finalized
 * with two threads.  Matching and accumulation both run on the threads;
 * `make ctest-tsan` runs this under ThreadSanitizer. */
#include <stdint.h>
#include <stdlib.h>

#include "batch_fixture.h"
#include "harness.h"
#include "vernier.h"

static vernier_eval *run(const vernier_dataset *gt, const vernier_results *res,
                         const vernier_eval_options *base, unsigned threads)
{
    vernier_eval_options o = *base;
    vernier_eval *ev = NULL;
    o.num_threads = threads;
    CHECK_INT(vernier_eval_run(&ev, gt, res, &o, NULL, NULL), VERNIER_OK);
    return ev;
}

static vernier_eval *session_run(const vernier_dataset *gt, const fixture *f,
                                 const vernier_eval_options *base, unsigned threads)
{
    vernier_eval_options o = *base;
    vernier_session *s = NULL;
    vernier_eval *ev = NULL;
    int idx[1], every[FX_IMAGES], i;
    o.num_threads = threads;
    CHECK_INT(vernier_session_new(&s, gt, &o, NULL, 0, NULL), VERNIER_OK);
    if (s == NULL)
        return NULL;
    for (i = 0; i < FX_IMAGES; i++) {
        vernier_results *res;
        idx[0] = i;
        res = fixture_results(f, idx, 1);
        CHECK_INT(vernier_session_add(s, res, NULL), VERNIER_OK);
        vernier_results_free(res);
    }
    for (i = 0; i < FX_IMAGES; i++)
        every[i] = i;
    CHECK_INT(vernier_session_images_seen(s), fixture_with_results(f, every, FX_IMAGES));
    CHECK_INT(vernier_session_finalize(&ev, s, NULL), VERNIER_OK);
    vernier_session_free(s);
    return ev;
}

static void check_threads(const vernier_dataset *gt, const fixture *f,
                          const vernier_eval_options *o)
{
    static const unsigned COUNTS[] = {2, 3, 4, 8, 0};
    int idx[FX_IMAGES], i;
    size_t c;
    vernier_results *all;
    vernier_eval *ref, *ev;
    for (i = 0; i < FX_IMAGES; i++)
        idx[i] = i;
    all = fixture_results(f, idx, FX_IMAGES);
    ref = run(gt, all, o, 1);
    for (c = 0; c < sizeof COUNTS / sizeof COUNTS[0]; c++) {
        ev = run(gt, all, o, COUNTS[c]);
        check_same_eval(ref, ev);
        vernier_eval_free(ev);
    }
    ev = session_run(gt, f, o, 2);
    check_same_eval(ref, ev);
    vernier_eval_free(ev);
    vernier_eval_free(ref);
    vernier_results_free(all);
}

static void test_thread_counts(void)
{
    uint32_t seed;
    for (seed = 1; seed <= 4; seed++) {
        fixture f;
        vernier_dataset *gt;
        vernier_eval_options o;
        fixture_make(&f, seed);
        gt = load_gt(&f);
        vernier_eval_options_init(&o, VERNIER_EVAL_OPTIONS_VERSION);
        check_threads(gt, &f, &o);
        o.parity_mode = VERNIER_PARITY_CORRECTED;
        check_threads(gt, &f, &o);
        o.use_cats = 0;
        check_threads(gt, &f, &o);
        vernier_dataset_free(gt);
        fixture_free(&f);
    }
}

int main(void)
{
    RUN(test_thread_counts);
    return harness_report("test_threads");
}
