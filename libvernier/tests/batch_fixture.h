/* batch_fixture.h — a small synthetic COCO dataset for the session and
 * worker tests, generated in the test (deterministic LCG): non-contiguous
 * image ids, a category with no annotations, crowd ground truth, results
 * on a category the ground truth lacks, score ties (scores from a coarse
 * grid), images without results and an image whose results are never
 * submitted.  Results are kept per image so that tests can batch them in
 * any split and order. */
#ifndef VN_TEST_BATCH_FIXTURE_H
#define VN_TEST_BATCH_FIXTURE_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "support.h"
#include "vernier.h"

#define FX_IMAGES 14

typedef struct strbuf {
    char *p;
    size_t n, cap;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    int k;
    for (;;) {
        va_start(ap, fmt);
        k = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (k >= 0 && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        b->cap = b->cap * 2 + 256 + (size_t)k;
        b->p = realloc(b->p, b->cap);
    }
}

typedef struct fixture {
    char *gt;                  /* GT JSON */
    size_t gt_len;
    char *dt[FX_IMAGES];       /* per image: its result objects, comma-joined
                                  ("" if none) */
    int64_t image_id[FX_IMAGES];
} fixture;

static uint32_t fx_rand(uint32_t *s)
{
    *s = *s * 1664525u + 1013904223u;
    return *s >> 8;
}

static double fx_unit(uint32_t *s) { return (double)(fx_rand(s) % 10000) / 10000.0; }

static void fixture_make(fixture *f, uint32_t seed)
{
    static const int64_t cats[3] = {1, 3, 5};
    strbuf g = {0};
    int i, j, ann = 1, first = 1;
    uint32_t s = seed;
    memset(f, 0, sizeof(*f));
    sb_printf(&g, "{\"images\": [");
    for (i = 0; i < FX_IMAGES; i++) {
        f->image_id[i] = 3 * i + 7;
        sb_printf(&g, "%s{\"id\": %lld, \"width\": 200, \"height\": 150}", i ? ", " : "",
                  (long long)f->image_id[i]);
    }
    sb_printf(&g, "], \"categories\": [{\"id\": 1}, {\"id\": 3}, {\"id\": 5}, {\"id\": 9}], "
                  "\"annotations\": [");
    for (i = 0; i < FX_IMAGES; i++) {
        strbuf d = {0};
        int n_gt = (int)(fx_rand(&s) % 6), n_dt = (int)(fx_rand(&s) % 9);
        double gx[6], gy[6], gw[6], gh[6];
        int64_t gc[6];
        d.p = calloc(1, 1);
        d.cap = 1;
        for (j = 0; j < n_gt; j++) {
            gx[j] = 5 + 150 * fx_unit(&s);
            gy[j] = 5 + 100 * fx_unit(&s);
            gw[j] = 4 + 80 * fx_unit(&s);
            gh[j] = 4 + 60 * fx_unit(&s);
            gc[j] = cats[fx_rand(&s) % 3];
            sb_printf(&g,
                      "%s{\"id\": %d, \"image_id\": %lld, \"category_id\": %lld, \"bbox\": "
                      "[%.17g, %.17g, %.17g, %.17g], \"area\": %.17g, \"iscrowd\": %d}",
                      first ? "" : ", ", ann++, (long long)f->image_id[i], (long long)gc[j],
                      gx[j], gy[j], gw[j], gh[j], gw[j] * gh[j] * 0.9,
                      fx_rand(&s) % 10 == 0);
            first = 0;
        }
        for (j = 0; j < n_dt; j++) {
            double x, y, w, h;
            int64_t c;
            if (n_gt > 0 && fx_rand(&s) % 3 != 0) {
                int t = (int)(fx_rand(&s) % (uint32_t)n_gt);
                x = gx[t] + 6 * (fx_unit(&s) - 0.5);
                y = gy[t] + 6 * (fx_unit(&s) - 0.5);
                w = gw[t] * (0.8 + 0.4 * fx_unit(&s));
                h = gh[t] * (0.8 + 0.4 * fx_unit(&s));
                c = fx_rand(&s) % 5 == 0 ? 7 : gc[t];
            } else {
                x = 180 * fx_unit(&s);
                y = 130 * fx_unit(&s);
                w = 2 + 50 * fx_unit(&s);
                h = 2 + 50 * fx_unit(&s);
                c = cats[fx_rand(&s) % 3];
            }
            sb_printf(&d,
                      "%s{\"image_id\": %lld, \"category_id\": %lld, \"bbox\": [%.17g, %.17g, "
                      "%.17g, %.17g], \"score\": %.17g}",
                      j ? ", " : "", (long long)f->image_id[i], (long long)c, x, y, w, h,
                      (double)(1 + fx_rand(&s) % 9) / 10.0);
        }
        f->dt[i] = d.p;
    }
    sb_printf(&g, "]}");
    f->gt = g.p;
    f->gt_len = g.n;
}

static void fixture_free(fixture *f)
{
    int i;
    free(f->gt);
    for (i = 0; i < FX_IMAGES; i++)
        free(f->dt[i]);
}

/* The results of images idx[0..n) (indices into the fixture), as one
 * loadRes list. */
static vernier_results *fixture_results(const fixture *f, const int *idx, int n)
{
    strbuf b = {0};
    vernier_results *res = NULL;
    int i, any = 0;
    vernier_error err = VERNIER_ERROR_INIT;
    sb_printf(&b, "[");
    for (i = 0; i < n; i++) {
        if (f->dt[idx[i]][0] == 0)
            continue;
        sb_printf(&b, "%s%s", any ? ", " : "", f->dt[idx[i]]);
        any = 1;
    }
    sb_printf(&b, "]");
    if (vernier_results_load_json(&res, b.p, b.n, NULL, &err) != VERNIER_OK)
        fprintf(stderr, "fixture results: %s\n", err.message);
    free(b.p);
    return res;
}

/* The fixture's ground truth, which must load. */
static inline vernier_dataset *load_gt(const fixture *f) { return must_load_gt(f->gt, f->gt_len); }

/* How many of images idx[0..n) have results (an image is "seen" when a
 * batch names it). */
static int fixture_with_results(const fixture *f, const int *idx, int n)
{
    int i, k = 0;
    for (i = 0; i < n; i++)
        k += f->dt[idx[i]][0] != 0;
    return k;
}

/* Bit-for-bit equality of two evaluations' arrays and stats. */
static void check_same_eval(const vernier_eval *a, const vernier_eval *b)
{
    size_t da[5], db[5], n, i;
    double sa[16], sb[16];
    double *x, *y;
    int (*copy[3])(const vernier_eval *, double *, size_t) = {
        vernier_eval_copy_precision, vernier_eval_copy_recall, vernier_eval_copy_scores};
    CHECK(a != NULL && b != NULL);
    if (a == NULL || b == NULL)
        return;
    vernier_eval_dims(a, &da[0], &da[1], &da[2], &da[3], &da[4]);
    vernier_eval_dims(b, &db[0], &db[1], &db[2], &db[3], &db[4]);
    CHECK(memcmp(da, db, sizeof(da)) == 0);
    for (i = 0; i < 3; i++) {
        n = da[0] * (i == 1 ? 1 : da[1]) * da[2] * da[3] * da[4];
        x = malloc((n + 1) * sizeof(double));
        y = malloc((n + 1) * sizeof(double));
        CHECK_INT(copy[i](a, x, n), VERNIER_OK);
        CHECK_INT(copy[i](b, y, n), VERNIER_OK);
        CHECK(memcmp(x, y, n * sizeof(double)) == 0);
        free(x);
        free(y);
    }
    CHECK_INT(vernier_eval_num_stats(a), vernier_eval_num_stats(b));
    n = vernier_eval_num_stats(a);
    CHECK(n <= 16);
    if (n <= 16 && vernier_eval_copy_stats(a, sa, n) == VERNIER_OK &&
        vernier_eval_copy_stats(b, sb, n) == VERNIER_OK)
        CHECK(memcmp(sa, sb, n * sizeof(double)) == 0);
}

#endif
