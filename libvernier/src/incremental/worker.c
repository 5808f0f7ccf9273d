/* worker.c — one background thread feeding a session from a bounded queue.
 *
 * The classic bounded buffer: one mutex guards the whole state; the worker
 * sleeps on `not_empty` (a batch arrived, or shutdown); submitters and the
 * owner sleep on `changed` (room appeared, the worker went idle or
 * finished).  Both condition variables use CLOCK_MONOTONIC, so timeouts do
 * not jump with the wall clock.  The session itself is touched by the
 * worker thread only while it runs, and by the owner only after joining
 * it (the join orders the two); the owner-visible counters are copies made
 * under the mutex.  Rationale: adr/0014-worker-thread-discipline.md. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/vn_alloc.h"
#include "common/vn_error.h"
#include "common/vn_limits.h"
#include "incremental/session.h"


typedef struct queued {
    vernier_results *res;
    size_t seq;   /* 1-based number of the accepted submission */
    size_t bytes; /* vn_results_bytes(res), for the `queued` figure */
} queued;

typedef struct pending {
    int rc;
    vernier_error err;
    vernier_memory_usage mem; /* the figures when it happened */
} pending;

struct vernier_worker {
    vn_mem mem;                /* the handle, queue and error ring (not budgeted) */
    vernier_session *session;  /* worker thread while it runs; owner after join */
    pthread_t thread;
    pthread_mutex_t lock;      /* guards every field below except `cancel`
                                  and the owner-only flags */
    pthread_cond_t not_empty;  /* a batch was queued, or `closing` was set */
    pthread_cond_t changed;    /* a slot freed, the worker went idle, or an
                                  error was queued */
    queued *queue;             /* ring of `cap` entries */
    size_t cap, head, len;
    size_t queued_bytes;
    pending *errs;             /* ring of cap + 1 unreported errors: at most
                                  the queued batches and the one in flight */
    size_t errs_head, errs_len;
    size_t accepted;           /* submissions accepted so far */
    int busy;                  /* the worker is matching a batch */
    int closing;               /* no more submissions; the worker exits once
                                  the queue is empty */
    atomic_int cancel;         /* the batch in flight stops at its next
                                  checkpoint (set by free only) */
    size_t images_seen, detections_seen;
    size_t *claimed;           /* per GT image (session order): the number of
                                  the accepted batch that named it, 0: none */
    size_t n_claimed;
    vernier_memory_usage usage; /* the session's figures after the last batch */
    vernier_memory_usage reported; /* of the error last returned */
    /* owner only */
    int started, joined, finalized;
    double grace;
};

int vernier_worker_options_init(vernier_worker_options *wopts, unsigned version)
{
    if (wopts == NULL || version != VERNIER_WORKER_OPTIONS_VERSION)
        return VERNIER_E_INVALID_ARG;
    memset(wopts, 0, sizeof(*wopts));
    wopts->version = version;
    wopts->queue_capacity = 4;
    wopts->memory_budget_bytes = 0;
    wopts->shutdown_grace_seconds = 0.0;
    return VERNIER_OK;
}

/* The absolute CLOCK_MONOTONIC time `seconds` from now. */
static struct timespec deadline_in(double seconds)
{
    struct timespec ts;
    double whole, frac;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (seconds > 1e9)
        seconds = 1e9; /* ~31 years: keeps tv_sec in range */
    frac = modf(seconds, &whole);
    ts.tv_sec += (time_t)whole;
    ts.tv_nsec += (long)(frac * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec += 1;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Records a failed batch (called with the lock held). */
static void push_error(vernier_worker *w, size_t seq, int rc, const vernier_error *e,
                       const vernier_memory_usage *mem)
{
    pending *p;
    char prefix[32];
    size_t np, room = sizeof(p->err.message);
    if (w->errs_len == w->cap + 1)
        return; /* cannot happen: see the ring's comment */
    p = &w->errs[(w->errs_head + w->errs_len) % (w->cap + 1)];
    w->errs_len++;
    p->rc = rc;
    p->err = *e;
    p->err.code = rc;
    /* "batch N: " + the message, truncated to fit */
    snprintf(prefix, sizeof(prefix), "batch %zu: ", seq);
    np = strlen(prefix);
    memmove(p->err.message + np, e->message, room - np - 1);
    memcpy(p->err.message, prefix, np);
    p->err.message[room - 1] = '\0';
    vn_error_set_reason(&p->err, np + e->reason_offset, e->reason_length);
    vn_error_set_field(&p->err, VERNIER_ERROR_HAS_BATCH_INDEX, (int64_t)seq);
    p->mem = *mem;
}

/* Returns the oldest unreported error into err (lock held). */
static int pop_error(vernier_worker *w, vernier_error *err)
{
    pending *p = &w->errs[w->errs_head];
    w->errs_head = (w->errs_head + 1) % (w->cap + 1);
    w->errs_len--;
    w->reported = p->mem;
    vn_error_copy(err, &p->err);
    return p->rc;
}

static void *run(void *arg)
{
    vernier_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        queued q;
        vernier_error e;
        vernier_memory_usage usage = VERNIER_MEMORY_USAGE_INIT;
        size_t images, dets;
        int rc;
        while (w->len == 0 && !w->closing)
            pthread_cond_wait(&w->not_empty, &w->lock);
        if (w->len == 0)
            break; /* closing, and nothing left */
        q = w->queue[w->head];
        w->head = (w->head + 1) % w->cap;
        w->len--;
        w->queued_bytes -= q.bytes;
        w->busy = 1;
        pthread_cond_broadcast(&w->changed); /* room */
        pthread_mutex_unlock(&w->lock);

        vn_error_init(&e);
        rc = vn_session_add(w->session, q.res, &w->cancel, &e);
        vernier_results_free(q.res);
        vernier_session_memory(w->session, &usage);
        images = vernier_session_images_seen(w->session);
        dets = vernier_session_detections_seen(w->session);

        pthread_mutex_lock(&w->lock);
        w->busy = 0;
        w->images_seen = images;
        w->detections_seen = dets;
        w->usage = usage;
        if (rc != VERNIER_OK) {
            /* nothing of the batch was committed: its images are free again,
             * so the caller may send them once more */
            size_t k;
            for (k = 0; k < w->n_claimed; k++)
                if (w->claimed[k] == q.seq)
                    w->claimed[k] = 0;
            if (!atomic_load(&w->cancel))
                push_error(w, q.seq, rc, &e, &usage);
        }
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int init_sync(vernier_worker *w)
{
    pthread_condattr_t attr;
    int ok;
    if (pthread_condattr_init(&attr) != 0)
        return 0;
    ok = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) == 0;
    if (ok && pthread_mutex_init(&w->lock, NULL) != 0)
        ok = 0;
    if (ok && pthread_cond_init(&w->not_empty, &attr) != 0) {
        pthread_mutex_destroy(&w->lock);
        ok = 0;
    }
    if (ok && pthread_cond_init(&w->changed, &attr) != 0) {
        pthread_cond_destroy(&w->not_empty);
        pthread_mutex_destroy(&w->lock);
        ok = 0;
    }
    pthread_condattr_destroy(&attr);
    return ok;
}

int vernier_worker_new(vernier_worker **out, const vernier_dataset *gt,
                       const vernier_eval_options *opts, const vernier_worker_options *wopts,
                       const vernier_allocator *alc, vernier_error *err)
{
    vernier_worker_options dflt;
    vernier_worker *w;
    vn_mem mem;
    int rc;
    if (out == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out must not be NULL");
    *out = NULL;
    if (wopts == NULL) {
        vernier_worker_options_init(&dflt, VERNIER_WORKER_OPTIONS_VERSION);
        wopts = &dflt;
    }
    if (wopts->version != VERNIER_WORKER_OPTIONS_VERSION)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "unknown vernier_worker_options version %u",
                       wopts->version);
    if (wopts->queue_capacity < 1 || wopts->queue_capacity > VN_MAX_QUEUE_CAPACITY)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "queue_capacity must be 1 to %zu, got %zu",
                       VN_MAX_QUEUE_CAPACITY, wopts->queue_capacity);
    if (!(wopts->shutdown_grace_seconds >= 0))
        return vn_fail(err, VERNIER_E_INVALID_ARG, "shutdown_grace_seconds must be >= 0");
    if (vn_mem_init(&mem, alc) != VERNIER_OK)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "allocator has a NULL function");
    w = vn_calloc(&mem, 1, sizeof(*w));
    if (w == NULL)
        return vn_fail(err, VERNIER_E_NOMEM, "%s", vernier_status_string(VERNIER_E_NOMEM));
    w->mem = mem;
    w->cap = wopts->queue_capacity;
    w->grace = wopts->shutdown_grace_seconds;
    atomic_init(&w->cancel, 0);
    w->queue = vn_calloc(&w->mem, w->cap, sizeof(queued));
    w->errs = vn_calloc(&w->mem, w->cap + 1, sizeof(pending));
    if (w->queue == NULL || w->errs == NULL) {
        vernier_worker_free(w);
        return vn_fail(err, VERNIER_E_NOMEM, "%s", vernier_status_string(VERNIER_E_NOMEM));
    }
    rc = vernier_session_new(&w->session, gt, opts, alc, wopts->memory_budget_bytes, err);
    if (rc != VERNIER_OK) {
        vernier_worker_free(w);
        return rc;
    }
    w->usage.size = sizeof(w->usage);
    vernier_session_memory(w->session, &w->usage);
    w->n_claimed = w->session->base.n_images;
    w->claimed = vn_calloc(&w->mem, w->n_claimed + 1, sizeof(size_t));
    if (w->claimed == NULL) {
        vernier_worker_free(w);
        return vn_fail(err, VERNIER_E_NOMEM, "%s", vernier_status_string(VERNIER_E_NOMEM));
    }
    if (!init_sync(w)) {
        vernier_worker_free(w);
        return vn_fail(err, VERNIER_E_NOMEM, "cannot create the worker's mutex");
    }
    w->started = 1; /* the sync objects exist from here on */
    if (pthread_create(&w->thread, NULL, run, w) != 0) {
        w->joined = 1;
        vernier_worker_free(w);
        return vn_fail(err, VERNIER_E_NOMEM, "cannot start the worker thread");
    }
    *out = w;
    return VERNIER_OK;
}

/* Each image's detections must arrive in one batch.  Checked on the
 * caller's thread, under the lock, when the batch is about to be accepted:
 * an image an earlier accepted batch named is refused here (the session
 * would refuse it on the worker too, but only later); otherwise the batch's
 * images are claimed with its number `seq`.  The GT index is immutable, so
 * reading it here while the worker matches is safe. */
static int claim_images(vernier_worker *w, const vernier_results *res, size_t seq,
                        vernier_error *err)
{
    size_t i;
    for (i = 0; i < res->n; i++) {
        uint32_t k = vn_hashmap_get(&w->session->img_map, res->image_id[i]);
        if (k == VN_HASHMAP_EMPTY || k >= w->n_claimed)
            continue; /* unknown images were refused before */
        if (w->claimed[k] != 0 && w->claimed[k] != seq) {
            char path[48];
            snprintf(path, sizeof(path), "[%zu].image_id", i);
            vn_fail(err, VERNIER_E_DUPLICATE_IMAGE,
                    "%s: image id %lld was already covered by batch %zu (each image's "
                    "detections must arrive in one batch); this batch was not enqueued",
                    path, (long long)res->image_id[i], w->claimed[k]);
            vn_error_set_path(err, path);
            vn_error_set_element(err, (int64_t)i, (int64_t)res->offset[i]);
            vn_error_set_field(err, VERNIER_ERROR_HAS_IMAGE_ID, res->image_id[i]);
            vn_error_set_field(err, VERNIER_ERROR_HAS_RESULT_INDEX, (int64_t)i);
            return VERNIER_E_DUPLICATE_IMAGE;
        }
    }
    for (i = 0; i < res->n; i++) {
        uint32_t k = vn_hashmap_get(&w->session->img_map, res->image_id[i]);
        if (k != VN_HASHMAP_EMPTY && k < w->n_claimed)
            w->claimed[k] = seq;
    }
    return VERNIER_OK;
}

int vernier_worker_submit(vernier_worker *w, vernier_results *res, double timeout_seconds,
                          vernier_error *err)
{
    struct timespec deadline;
    int timed_out = 0, rc = VERNIER_OK;
    if (w == NULL || res == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "worker and res must not be NULL");
    if (timeout_seconds != timeout_seconds)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "timeout must not be NaN");
    /* validated here, on the caller's thread: the GT index is immutable */
    if ((rc = vn_session_check_images(w->session, res, err)) != VERNIER_OK)
        return rc;
    if (timeout_seconds > 0)
        deadline = deadline_in(timeout_seconds);
    pthread_mutex_lock(&w->lock);
    for (;;) {
        if (w->errs_len > 0) {
            vn_error_clear(err);
            rc = pop_error(w, err);
            break;
        }
        if (w->closing) {
            rc = vn_fail(err, VERNIER_E_STATE, "the worker was finalized or is shutting down");
            break;
        }
        if (w->len < w->cap) {
            queued *q = &w->queue[(w->head + w->len) % w->cap];
            if ((rc = claim_images(w, res, w->accepted + 1, err)) != VERNIER_OK)
                break;
            q->res = res;
            q->seq = ++w->accepted;
            q->bytes = vn_results_bytes(res);
            w->len++;
            w->queued_bytes += q->bytes;
            pthread_cond_signal(&w->not_empty);
            break;
        }
        if (timeout_seconds == 0 || timed_out) {
            if (timeout_seconds == 0)
                rc = vn_fail(err, VERNIER_E_QUEUE_FULL,
                             "the worker queue is full (capacity %zu); the batch was not "
                             "enqueued",
                             w->cap);
            else
                rc = vn_fail(err, VERNIER_E_QUEUE_FULL,
                             "the worker queue (capacity %zu) stayed full for %g s; the batch "
                             "was not enqueued",
                             w->cap, timeout_seconds);
            break;
        }
        if (timeout_seconds < 0)
            pthread_cond_wait(&w->changed, &w->lock);
        else if (pthread_cond_timedwait(&w->changed, &w->lock, &deadline) == ETIMEDOUT)
            timed_out = 1; /* one more look, then give up */
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

int vernier_worker_try_submit(vernier_worker *w, vernier_results *res, vernier_error *err)
{
    return vernier_worker_submit(w, res, 0.0, err);
}

/* Tells the worker to stop taking batches once the queue is empty, and
 * joins it (owner only). */
static void stop_and_join(vernier_worker *w)
{
    if (w->joined)
        return;
    pthread_mutex_lock(&w->lock);
    w->closing = 1;
    pthread_cond_broadcast(&w->not_empty);
    pthread_cond_broadcast(&w->changed); /* submitters see `closing` */
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    w->joined = 1;
}

int vernier_worker_finalize(vernier_eval **out, vernier_worker *w, vernier_error *err)
{
    int rc = VERNIER_OK;
    if (out == NULL || w == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out and worker must not be NULL");
    *out = NULL;
    if (w->finalized)
        return vn_fail(err, VERNIER_E_STATE, "the worker was already finalized");
    stop_and_join(w);
    pthread_mutex_lock(&w->lock);
    if (w->errs_len > 0) {
        vn_error_clear(err);
        rc = pop_error(w, err);
    }
    pthread_mutex_unlock(&w->lock);
    if (rc != VERNIER_OK)
        return rc;
    rc = vernier_session_finalize(out, w->session, err);
    if (rc == VERNIER_OK)
        w->finalized = 1;
    return rc;
}

int vernier_worker_finalize_to_partial(void **out, size_t *out_size, vernier_worker *w,
                                       uint32_t rank_id, const vernier_allocator *alc,
                                       vernier_error *err)
{
    int rc = VERNIER_OK;
    if (out == NULL || out_size == NULL || w == NULL)
        return vn_fail(err, VERNIER_E_INVALID_ARG, "out, out_size and worker must not be NULL");
    *out = NULL;
    *out_size = 0;
    if (w->finalized)
        return vn_fail(err, VERNIER_E_STATE, "the worker was already finalized");
    stop_and_join(w);
    pthread_mutex_lock(&w->lock);
    if (w->errs_len > 0) {
        vn_error_clear(err);
        rc = pop_error(w, err);
    }
    pthread_mutex_unlock(&w->lock);
    if (rc != VERNIER_OK)
        return rc;
    rc = vernier_session_to_partial(out, out_size, w->session, rank_id, alc, err);
    if (rc == VERNIER_OK) {
        w->session->finalized = 1; /* nothing more may be added or finalized */
        w->finalized = 1;
    }
    return rc;
}

void vernier_worker_free(vernier_worker *w)
{
    vn_mem mem;
    if (w == NULL)
        return;
    if (w->started && !w->joined) {
        pthread_mutex_lock(&w->lock);
        w->closing = 1;
        /* abandoned: queued batches are dropped unmatched */
        while (w->len > 0) {
            vernier_results_free(w->queue[w->head].res);
            w->head = (w->head + 1) % w->cap;
            w->len--;
        }
        w->queued_bytes = 0;
        pthread_cond_broadcast(&w->not_empty);
        pthread_cond_broadcast(&w->changed);
        if (w->busy && w->grace > 0) {
            struct timespec deadline = deadline_in(w->grace);
            while (w->busy &&
                   pthread_cond_timedwait(&w->changed, &w->lock, &deadline) != ETIMEDOUT)
                ;
        }
        atomic_store(&w->cancel, 1);
        pthread_mutex_unlock(&w->lock);
        pthread_join(w->thread, NULL);
        w->joined = 1;
    }
    if (w->started) {
        pthread_cond_destroy(&w->changed);
        pthread_cond_destroy(&w->not_empty);
        pthread_mutex_destroy(&w->lock);
    }
    vernier_session_free(w->session);
    if (w->queue != NULL)
        vn_free(&w->mem, w->queue, w->cap * sizeof(queued));
    if (w->errs != NULL)
        vn_free(&w->mem, w->errs, (w->cap + 1) * sizeof(pending));
    if (w->claimed != NULL)
        vn_free(&w->mem, w->claimed, (w->n_claimed + 1) * sizeof(size_t));
    mem = w->mem;
    vn_free(&mem, w, sizeof(*w));
}

/* One counter, read under the lock (the worker thread writes them). */
static size_t locked_read(vernier_worker *w, const size_t *field)
{
    size_t v;
    pthread_mutex_lock(&w->lock);
    v = *field;
    pthread_mutex_unlock(&w->lock);
    return v;
}

size_t vernier_worker_images_seen(vernier_worker *w)
{
    return w == NULL ? 0 : locked_read(w, &w->images_seen);
}

size_t vernier_worker_detections_seen(vernier_worker *w)
{
    return w == NULL ? 0 : locked_read(w, &w->detections_seen);
}

size_t vernier_worker_queue_depth(vernier_worker *w)
{
    return w == NULL ? 0 : locked_read(w, &w->len);
}

size_t vernier_worker_memory_used(vernier_worker *w)
{
    return w == NULL ? 0 : locked_read(w, &w->usage.used);
}

size_t vernier_worker_queue_capacity(const vernier_worker *w)
{
    return w == NULL ? 0 : w->cap; /* fixed at creation */
}

int vernier_worker_memory(vernier_worker *w, vernier_memory_usage *out)
{
    vernier_memory_usage m;
    if (w == NULL || out == NULL || out->size < sizeof(out->size))
        return VERNIER_E_INVALID_ARG;
    pthread_mutex_lock(&w->lock);
    m = w->usage;
    m.queued = w->queued_bytes;
    m.requested = 0;
    pthread_mutex_unlock(&w->lock);
    m.size = sizeof(m);
    vn_fill_sized(out, &m, sizeof(m));
    return VERNIER_OK;
}

int vernier_worker_error_memory(vernier_worker *w, vernier_memory_usage *out)
{
    vernier_memory_usage m;
    if (w == NULL || out == NULL || out->size < sizeof(out->size))
        return VERNIER_E_INVALID_ARG;
    pthread_mutex_lock(&w->lock);
    m = w->reported;
    pthread_mutex_unlock(&w->lock);
    m.size = sizeof(m);
    vn_fill_sized(out, &m, sizeof(m));
    return VERNIER_OK;
}

const vernier_session *vernier_worker_session(const vernier_worker *w)
{
    return w != NULL && w->finalized ? w->session : NULL;
}
