/* support.h — shared test doubles and fixtures for libvernier's C unit
 * tests (header-only, everything static inline so that a test uses only
 * what it needs; test code, so it calls libc's allocator directly).
 *
 * The failing allocator, fail_alloc:
 *
 *     fail_alloc fa;
 *     vernier_allocator alc;
 *     fail_alloc_init(&fa, 3, FAIL_ONLY);   // the 3rd call fails, no other
 *     alc = fail_alloc_allocator(&fa);
 *     ... run with &alc ...
 *     CHECK(fail_alloc_clean(&fa));          // nothing left allocated
 *
 * Every malloc and every realloc call counts as one allocation (1-based);
 * fail_at 0 never fails, FAIL_ONLY fails just the fail_at-th call,
 * FAIL_FROM it and every later one (fail_at 1 with FAIL_FROM is an
 * allocator that always fails).  It records the calls, the failures, and
 * the blocks and bytes outstanding.  A mutex guards the counters, so one
 * fail_alloc can serve several threads; an optional hook runs (outside the
 * mutex) before every call that would create a new block — malloc, or
 * realloc of NULL — whether or not it fails.  (The mutex has default
 * attributes and holds no resources: a fail_alloc needs no destroy.)
 *
 * The fixtures load a ground-truth or results document from a string,
 * optionally written with ' for " (JSON-ish, easier to write in C), and
 * report failure through the harness. */
#ifndef VN_TEST_SUPPORT_H
#define VN_TEST_SUPPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vernier.h"

/* ---- the failing allocator ------------------------------------------------ */

enum { FAIL_ONLY = 0, FAIL_FROM = 1 };

typedef struct fail_alloc {
    pthread_mutex_t lock;
    long fail_at;    /* the call that fails (1-based); 0: none */
    int mode;        /* FAIL_ONLY or FAIL_FROM */
    long calls;      /* malloc + realloc calls so far */
    long failed;     /* calls that returned NULL on purpose */
    long blocks;     /* live blocks */
    long long bytes; /* live bytes */
    void (*hook)(void *hook_ctx); /* before a new block, or NULL */
    void *hook_ctx;
} fail_alloc;

static inline void fail_alloc_init(fail_alloc *fa, long fail_at, int mode)
{
    memset(fa, 0, sizeof(*fa));
    pthread_mutex_init(&fa->lock, NULL);
    fa->fail_at = fail_at;
    fa->mode = mode;
}

/* Counts and failure point back to a fresh start (the hook is kept). */
static inline void fail_alloc_reset(fail_alloc *fa, long fail_at, int mode)
{
    pthread_mutex_lock(&fa->lock);
    fa->fail_at = fail_at;
    fa->mode = mode;
    fa->calls = fa->failed = fa->blocks = 0;
    fa->bytes = 0;
    pthread_mutex_unlock(&fa->lock);
}

/* Counts one call; 1 if it must fail.  Called with the lock held. */
static inline int fail_alloc_next_fails(fail_alloc *fa)
{
    int fail;
    fa->calls++;
    fail = fa->fail_at != 0 &&
           (fa->mode == FAIL_FROM ? fa->calls >= fa->fail_at : fa->calls == fa->fail_at);
    if (fail)
        fa->failed++;
    return fail;
}

static inline void *fail_alloc_malloc(void *ctx, size_t size)
{
    fail_alloc *fa = ctx;
    void *p = NULL;
    if (fa->hook != NULL)
        fa->hook(fa->hook_ctx);
    pthread_mutex_lock(&fa->lock);
    if (!fail_alloc_next_fails(fa)) {
        p = malloc(size);
        if (p != NULL) {
            fa->blocks++;
            fa->bytes += (long long)size;
        }
    }
    pthread_mutex_unlock(&fa->lock);
    return p;
}

static inline void *fail_alloc_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    fail_alloc *fa = ctx;
    void *p = NULL;
    if (ptr == NULL && fa->hook != NULL)
        fa->hook(fa->hook_ctx);
    pthread_mutex_lock(&fa->lock);
    if (!fail_alloc_next_fails(fa)) {
        p = realloc(ptr, new_size);
        if (p != NULL) {
            if (ptr == NULL)
                fa->blocks++;
            fa->bytes += (long long)new_size - (long long)old_size;
        }
    }
    pthread_mutex_unlock(&fa->lock);
    return p;
}

static inline void fail_alloc_free(void *ctx, void *ptr, size_t size)
{
    fail_alloc *fa = ctx;
    if (ptr == NULL)
        return;
    pthread_mutex_lock(&fa->lock);
    fa->blocks--;
    fa->bytes -= (long long)size;
    pthread_mutex_unlock(&fa->lock);
    free(ptr);
}

static inline vernier_allocator fail_alloc_allocator(fail_alloc *fa)
{
    vernier_allocator a;
    a.malloc = fail_alloc_malloc;
    a.realloc = fail_alloc_realloc;
    a.free = fail_alloc_free;
    a.ctx = fa;
    return a;
}

/* Nothing outstanding: no block and no byte. */
static inline int fail_alloc_clean(fail_alloc *fa)
{
    int clean;
    pthread_mutex_lock(&fa->lock);
    clean = fa->blocks == 0 && fa->bytes == 0;
    pthread_mutex_unlock(&fa->lock);
    return clean;
}

/* ---- documents from strings ----------------------------------------------- */

/* An exact-size heap copy of q with every ' turned into " (so that
 * AddressSanitizer catches any read past the end); *len gets its length.
 * Free it with free(). */
static inline char *doc_of(const char *q, size_t *len)
{
    size_t i, n = strlen(q);
    char *d = malloc(n + 1);
    if (d == NULL) {
        fprintf(stderr, "doc_of: out of memory\n");
        abort();
    }
    for (i = 0; i < n; i++)
        d[i] = q[i] == '\'' ? '"' : q[i];
    d[n] = '\0';
    *len = n;
    return d;
}

/* vernier_dataset_load_json / vernier_results_load_json of the document q
 * written with single quotes; returns the status. */
static inline int load_gt_q(const char *q, vernier_dataset **ds, vernier_error *err)
{
    size_t n;
    char *d = doc_of(q, &n);
    int rc = vernier_dataset_load_json(ds, d, n, NULL, err);
    free(d);
    return rc;
}

static inline int load_res_q(const char *q, vernier_results **res, vernier_error *err)
{
    size_t n;
    char *d = doc_of(q, &n);
    int rc = vernier_results_load_json(res, d, n, NULL, err);
    free(d);
    return rc;
}

/* A document that must load (n bytes of JSON, real double quotes): a
 * failure is a failed check with the library's message, and NULL. */
static inline vernier_dataset *must_load_gt(const char *json, size_t n)
{
    vernier_dataset *ds = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc = vernier_dataset_load_json(&ds, json, n, NULL, &err);
    CHECK_INT(rc, VERNIER_OK);
    if (rc != VERNIER_OK)
        fprintf(stderr, "  ground truth: %s\n", err.message);
    return ds;
}

static inline vernier_results *must_load_res(const char *json, size_t n)
{
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc = vernier_results_load_json(&res, json, n, NULL, &err);
    CHECK_INT(rc, VERNIER_OK);
    if (rc != VERNIER_OK)
        fprintf(stderr, "  results: %s\n", err.message);
    return res;
}

/* The same from a single-quoted string. */
static inline vernier_dataset *must_load_gt_q(const char *q)
{
    size_t n;
    char *d = doc_of(q, &n);
    vernier_dataset *ds = must_load_gt(d, n);
    free(d);
    return ds;
}

static inline vernier_results *must_load_res_q(const char *q)
{
    size_t n;
    char *d = doc_of(q, &n);
    vernier_results *res = must_load_res(d, n);
    free(d);
    return res;
}

#endif
