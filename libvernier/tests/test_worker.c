/* test_worker.c — the background worker (worker.c): batched submission
 * equals one-shot evaluation; a full queue refuses at once or after the
 * timeout and nothing is lost on retry; worker errors and budget refusals
 * surface on the next submit (and on finalize), never lost; finalize
 * twice; an abandoned worker shuts down without hanging or leaking.
 *
 * The worker is made slow deterministically with a gated allocator (the
 * shared counting allocator of support.h with a hook): while the gate is
 * closed, any allocation of a new block blocks, and only the worker thread
 * allocates between creation and finalize (matching a batch allocates its
 * scratch).  Also run under ThreadSanitizer (make ctest-tsan). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "batch_fixture.h"
#include "harness.h"
#include "support.h"
#include "vernier.h"

typedef struct gate {
    pthread_mutex_t lock;
    pthread_cond_t open_cv;
    int closed;
    int waiting; /* allocations blocked right now */
} gate;

/* The hook of the shared counting allocator: blocks while the gate is
 * closed, before any new block is allocated. */
static void gate_pass(void *ctx)
{
    gate *g = ctx;
    pthread_mutex_lock(&g->lock);
    while (g->closed) {
        g->waiting++;
        pthread_cond_wait(&g->open_cv, &g->lock);
        g->waiting--;
    }
    pthread_mutex_unlock(&g->lock);
}

static void gate_set(gate *g, int closed)
{
    pthread_mutex_lock(&g->lock);
    g->closed = closed;
    pthread_cond_broadcast(&g->open_cv);
    pthread_mutex_unlock(&g->lock);
}

static int gate_waiting(gate *g)
{
    int w;
    pthread_mutex_lock(&g->lock);
    w = g->waiting;
    pthread_mutex_unlock(&g->lock);
    return w;
}

static void nap(void)
{
    struct timespec ts = {0, 1000000};
    nanosleep(&ts, NULL);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static vernier_eval *reference(const vernier_dataset *gt, const fixture *f, const int *idx, int n)
{
    vernier_results *res = fixture_results(f, idx, n);
    vernier_eval *ev = NULL;
    CHECK_INT(vernier_eval_run(&ev, gt, res, NULL, NULL, NULL), VERNIER_OK);
    vernier_results_free(res);
    return ev;
}

/* Batch b of the test's split: image b (one image per batch). */
static vernier_results *batch(const fixture *f, int b) { return fixture_results(f, &b, 1); }

static void test_equality_and_counters(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_worker *w = NULL;
    vernier_eval *ev = NULL, *ref;
    vernier_error err = VERNIER_ERROR_INIT;
    int order[FX_IMAGES], i, n = FX_IMAGES - 1;
    size_t dets = 0;
    fixture_make(&f, 11);
    gt = load_gt(&f);
    CHECK_INT(vernier_worker_new(&w, gt, NULL, NULL, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_queue_capacity(w), 4);
    for (i = 0; i < n; i++)
        order[i] = (i * 5) % n; /* a permutation: 5 and 13 are coprime */
    for (i = 0; i < n; i++) {
        vernier_results *res = batch(&f, order[i]);
        dets += vernier_results_num_detections(res);
        CHECK_INT(vernier_worker_submit(w, res, -1.0, &err), VERNIER_OK);
    }
    CHECK_INT(vernier_worker_finalize(&ev, w, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_images_seen(w), fixture_with_results(&f, order, n));
    CHECK_INT(vernier_worker_detections_seen(w), dets);
    CHECK_INT(vernier_worker_queue_depth(w), 0);
    CHECK(vernier_worker_memory_used(w) > 0);
    CHECK(vernier_worker_session(w) != NULL);
    ref = reference(gt, &f, order, n);
    check_same_eval(ref, ev);
    vernier_eval_free(ref);
    vernier_eval_free(ev);
    /* finalize twice; submit after finalize */
    ev = NULL;
    CHECK_INT(vernier_worker_finalize(&ev, w, &err), VERNIER_E_STATE);
    CHECK(ev == NULL);
    {
        vernier_results *res = batch(&f, 0);
        CHECK_INT(vernier_worker_try_submit(w, res, &err), VERNIER_E_STATE);
        vernier_results_free(res);
    }
    vernier_worker_free(w);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_queue_full_and_timeout(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_worker *w = NULL;
    vernier_worker_options wo;
    vernier_eval *ev = NULL, *ref;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_results *b0, *b1, *b2;
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    fail_alloc fa;
    vernier_allocator alc = fail_alloc_allocator(&fa);
    int all[3] = {0, 1, 2};
    double t0;
    fail_alloc_init(&fa, 0, FAIL_ONLY);
    fa.hook = gate_pass;
    fa.hook_ctx = &g;
    fixture_make(&f, 4);
    gt = load_gt(&f);
    vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
    wo.queue_capacity = 1;
    CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, &alc, &err), VERNIER_OK);
    gate_set(&g, 1);
    b0 = batch(&f, 0);
    b1 = batch(&f, 1);
    b2 = batch(&f, 2);
    CHECK_INT(vernier_worker_try_submit(w, b0, &err), VERNIER_OK);
    /* the worker takes b0 and blocks matching it */
    while (gate_waiting(&g) == 0)
        nap();
    CHECK_INT(vernier_worker_queue_depth(w), 0);
    CHECK_INT(vernier_worker_try_submit(w, b1, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_queue_depth(w), 1);
    CHECK_INT(vernier_worker_try_submit(w, b2, &err), VERNIER_E_QUEUE_FULL);
    CHECK(strstr(err.message, "capacity 1") != NULL);
    t0 = now();
    CHECK_INT(vernier_worker_submit(w, b2, 0.05, &err), VERNIER_E_QUEUE_FULL);
    CHECK(now() - t0 >= 0.05);
    CHECK(strstr(err.message, "stayed full") != NULL);
    {
        vernier_memory_usage m = VERNIER_MEMORY_USAGE_INIT;
        vernier_worker_memory(w, &m);
        CHECK(m.queued > 0);
    }
    /* the caller still owns b2: open the gate and retry, blocking */
    gate_set(&g, 0);
    CHECK_INT(vernier_worker_submit(w, b2, -1.0, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_finalize(&ev, w, &err), VERNIER_OK);
    ref = reference(gt, &f, all, 3);
    check_same_eval(ref, ev);
    vernier_eval_free(ref);
    vernier_eval_free(ev);
    vernier_worker_free(w);
    CHECK(fail_alloc_clean(&fa)); /* the worker returned all it allocated */
    vernier_dataset_free(gt);
    fixture_free(&f);
}

/* Capacity 1: after a bad batch B, submitting G (waits for B to be taken)
 * and then H (waits for G to be taken, i.e. for B to be finished) returns
 * B's error at the latest on H, without enqueuing the batch it returns on. */
static void test_errors_surface(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_worker *w = NULL;
    vernier_worker_options wo;
    vernier_eval *ev = NULL, *ref;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_results *bad, *g1, *h, *dup;
    int good[3] = {0, 1, 2};
    static const char BAD[] =
        "[{\"image_id\": 99999, \"category_id\": 1, \"bbox\": [1, 1, 2, 2], \"score\": 0.5}]";
    fixture_make(&f, 9);
    gt = load_gt(&f);
    vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
    wo.queue_capacity = 1;
    CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, &err), VERNIER_OK);
    CHECK_INT(vernier_results_load_json(&bad, BAD, sizeof(BAD) - 1, NULL, NULL), VERNIER_OK);
    /* an unknown image is refused on the calling thread */
    CHECK_INT(vernier_worker_submit(w, bad, -1.0, &err), VERNIER_E_UNKNOWN_IMAGE);
    CHECK_STR(err.path, "[0].image_id");
    vernier_results_free(bad);
    /* a repeated image is refused by the submit that names it again, on
     * the calling thread; the refused batch stays the caller's */
    CHECK(f.dt[0][0] != 0 && f.dt[1][0] != 0 && f.dt[2][0] != 0);
    bad = batch(&f, 1);
    h = batch(&f, 2);
    CHECK_INT(vernier_worker_submit(w, batch(&f, 1), -1.0, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_submit(w, bad, -1.0, &err), VERNIER_E_DUPLICATE_IMAGE);
    {
        char want[32];
        snprintf(want, sizeof(want), "image id %lld", (long long)f.image_id[1]);
        CHECK(strstr(err.message, want) != NULL);
        CHECK(strstr(err.message, "batch 1") != NULL);
        CHECK(err.index >= 0);
    }
    vernier_results_free(bad);
    g1 = batch(&f, 0);
    CHECK_INT(vernier_worker_submit(w, g1, -1.0, &err), VERNIER_OK);
    CHECK_INT(vernier_worker_submit(w, h, -1.0, &err), VERNIER_OK);
    /* and again once the first batch of that image has been matched */
    dup = batch(&f, 2);
    CHECK_INT(vernier_worker_submit(w, dup, -1.0, &err), VERNIER_E_DUPLICATE_IMAGE);
    vernier_results_free(dup);
    CHECK_INT(vernier_worker_finalize(&ev, w, &err), VERNIER_OK);
    ref = reference(gt, &f, good, 3);
    check_same_eval(ref, ev);
    vernier_eval_free(ref);
    vernier_eval_free(ev);
    vernier_worker_free(w);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_budget_surfaces(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_worker *w = NULL;
    vernier_worker_options wo;
    vernier_eval *ev = NULL, *ref;
    vernier_error err = VERNIER_ERROR_INIT;
    vernier_memory_usage m = VERNIER_MEMORY_USAGE_INIT;
    int i, accepted[FX_IMAGES], n_acc = 0, refusals = 0;
    size_t index_bytes;
    fixture_make(&f, 3);
    gt = load_gt(&f);
    {
        vernier_session *s = NULL;
        CHECK_INT(vernier_session_new(&s, gt, NULL, NULL, 0, NULL), VERNIER_OK);
        vernier_session_memory(s, &m);
        index_bytes = m.used;
        vernier_session_free(s);
    }
    vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
    wo.queue_capacity = 1;
    wo.memory_budget_bytes = index_bytes + 16 * 8 + 16 * 40 + 100;
    CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, &err), VERNIER_OK);
    /* one image per batch; with capacity 1, a refusal of batch k surfaces
     * at the latest on the submit of batch k + 2 */
    for (i = 0; i < FX_IMAGES - 1; i++) {
        vernier_results *res = batch(&f, i);
        int rc;
        while ((rc = vernier_worker_submit(w, res, -1.0, &err)) == VERNIER_E_BUDGET) {
            refusals++;
            CHECK(strstr(err.message, "budget") != NULL);
            vernier_worker_error_memory(w, &m);
            CHECK(m.budget == wo.memory_budget_bytes);
            CHECK(m.used <= m.budget && m.used + m.requested > m.budget);
            CHECK(m.requested > 0);
        }
        CHECK_INT(rc, VERNIER_OK);
        accepted[n_acc++] = i;
    }
    CHECK(vernier_worker_memory_used(w) <= wo.memory_budget_bytes);
    while (vernier_worker_finalize(&ev, w, &err) == VERNIER_E_BUDGET)
        refusals++;
    CHECK(ev != NULL);
    CHECK(refusals > 0);
    {
        /* which batches were committed: those the session saw */
        const vernier_session *s = vernier_worker_session(w);
        int64_t ids[FX_IMAGES];
        uint8_t seen[FX_IMAGES];
        int kept[FX_IMAGES], n_kept = 0;
        CHECK_INT(vernier_session_image_table(s, ids, NULL, NULL, NULL, seen, FX_IMAGES),
                  VERNIER_OK);
        for (i = 0; i < n_acc; i++)
            if (seen[accepted[i]])
                kept[n_kept++] = accepted[i];
        CHECK(n_kept < fixture_with_results(&f, accepted, n_acc));
        ref = reference(gt, &f, kept, n_kept);
        check_same_eval(ref, ev);
        vernier_eval_free(ref);
    }
    vernier_eval_free(ev);
    vernier_worker_free(w);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

static void test_abandoned(void)
{
    fixture f;
    vernier_dataset *gt;
    int round, i;
    fixture_make(&f, 6);
    gt = load_gt(&f);
    for (round = 0; round < 20; round++) {
        vernier_worker *w = NULL;
        vernier_worker_options wo;
        vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
        wo.queue_capacity = 3;
        wo.shutdown_grace_seconds = round % 2 ? 0.5 : 0.0;
        CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, NULL), VERNIER_OK);
        for (i = 0; i < round % 6; i++) {
            vernier_results *res = batch(&f, i);
            if (vernier_worker_try_submit(w, res, NULL) != VERNIER_OK)
                vernier_results_free(res);
        }
        vernier_worker_free(w); /* no finalize */
    }
    {
        vernier_worker *w = NULL;
        vernier_worker_options wo;
        vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
        wo.queue_capacity = 0;
        CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, NULL), VERNIER_E_INVALID_ARG);
        wo.queue_capacity = 2;
        wo.shutdown_grace_seconds = -1;
        CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, NULL), VERNIER_E_INVALID_ARG);
        CHECK(w == NULL);
    }
    vernier_worker_free(NULL);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

/* Several threads submit at once (submit is the synchronised entry). */
typedef struct shared {
    vernier_worker *w;
    const fixture *f;
    int first, step;
} shared;

static void *submitter(void *arg)
{
    shared *s = arg;
    int i;
    for (i = s->first; i < FX_IMAGES - 1; i += s->step) {
        vernier_results *res = batch(s->f, i);
        if (vernier_worker_submit(s->w, res, -1.0, NULL) != VERNIER_OK)
            vernier_results_free(res);
        (void)vernier_worker_queue_depth(s->w);
        (void)vernier_worker_memory_used(s->w);
    }
    return NULL;
}

static void test_concurrent_submitters(void)
{
    fixture f;
    vernier_dataset *gt;
    vernier_worker *w = NULL;
    vernier_worker_options wo;
    vernier_eval *ev = NULL, *ref;
    pthread_t th[3];
    shared sh[3];
    int i, all[FX_IMAGES];
    fixture_make(&f, 8);
    gt = load_gt(&f);
    vernier_worker_options_init(&wo, VERNIER_WORKER_OPTIONS_VERSION);
    wo.queue_capacity = 2;
    CHECK_INT(vernier_worker_new(&w, gt, NULL, &wo, NULL, NULL), VERNIER_OK);
    for (i = 0; i < 3; i++) {
        sh[i].w = w;
        sh[i].f = &f;
        sh[i].first = i;
        sh[i].step = 3;
        pthread_create(&th[i], NULL, submitter, &sh[i]);
    }
    for (i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    CHECK_INT(vernier_worker_finalize(&ev, w, NULL), VERNIER_OK);
    for (i = 0; i < FX_IMAGES - 1; i++)
        all[i] = i;
    ref = reference(gt, &f, all, FX_IMAGES - 1);
    check_same_eval(ref, ev);
    vernier_eval_free(ref);
    vernier_eval_free(ev);
    vernier_worker_free(w);
    vernier_dataset_free(gt);
    fixture_free(&f);
}

int main(void)
{
    RUN(test_equality_and_counters);
    RUN(test_queue_full_and_timeout);
    RUN(test_errors_surface);
    RUN(test_budget_surfaces);
    RUN(test_abandoned);
    RUN(test_concurrent_submitters);
    return harness_report("test_worker");
}
