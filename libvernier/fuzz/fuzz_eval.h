/* fuzz_eval.h — evaluate a loaded (gt, results) pair with every kernel and
 * check what must hold of any evaluation that succeeds (private to the
 * fuzz targets). */
#ifndef VN_FUZZ_EVAL_H
#define VN_FUZZ_EVAL_H

#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "vernier.h"

/* Statuses an evaluation may fail with on any input; anything else (or a
 * message left empty) is a bug. */
static inline int fuzz_status_ok(int rc)
{
    return rc == VERNIER_E_SCHEMA || rc == VERNIER_E_UNKNOWN_IMAGE || rc == VERNIER_E_RLE ||
           rc == VERNIER_E_LIMIT || rc == VERNIER_E_UNSUPPORTED || rc == VERNIER_E_INVALID_ARG ||
           rc == VERNIER_E_NOMEM || rc == VERNIER_E_JSON;
}

static inline void fuzz_check_error(int rc, const vernier_error *err)
{
    FUZZ_ASSERT(fuzz_status_ok(rc));
    FUZZ_ASSERT(err->code == rc);
    FUZZ_ASSERT(err->message[0] != '\0');
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
    FUZZ_ASSERT(memchr(err->path, '\0', sizeof(err->path)) != NULL);
}

/* A statistic is -1 (undefined) or a probability. */
static inline void fuzz_check_eval(const vernier_eval *ev)
{
    double stats[16], line_buf[1];
    char line[128];
    size_t n = vernier_eval_num_stats(ev), i, t, r, k, a, m, total;
    (void)line_buf;
    FUZZ_ASSERT(n <= 16);
    FUZZ_ASSERT(vernier_eval_copy_stats(ev, stats, n) == VERNIER_OK);
    for (i = 0; i < n; i++) {
        FUZZ_ASSERT(stats[i] == -1.0 || (stats[i] >= 0.0 && stats[i] <= 1.0));
        FUZZ_ASSERT(vernier_eval_summary_line(ev, i, line, sizeof(line)) > 0);
    }
    vernier_eval_dims(ev, &t, &r, &k, &a, &m);
    total = t * r * k * a * m;
    if (total > 0 && total < ((size_t)1 << 22)) {
        double *p = malloc(total * sizeof(double));
        if (p) {
            FUZZ_ASSERT(vernier_eval_copy_precision(ev, p, total) == VERNIER_OK);
            for (i = 0; i < total; i++)
                FUZZ_ASSERT(p[i] == -1.0 || (p[i] >= 0.0 && p[i] <= 1.0));
            FUZZ_ASSERT(vernier_eval_copy_recall(ev, p, t * k * a * m) == VERNIER_OK);
            for (i = 0; i < t * k * a * m; i++)
                FUZZ_ASSERT(p[i] == -1.0 || (p[i] >= 0.0 && p[i] <= 1.0));
            free(p);
        }
    }
}

/* Evaluates with each of the four kernels; `flags` picks the parity mode
 * (bit 0), pooled categories (bit 1) and records (bit 2). */
static inline void fuzz_evaluate_all(const vernier_dataset *gt, const vernier_results *res,
                              unsigned flags)
{
    int kind;
    for (kind = VERNIER_IOU_BBOX; kind <= VERNIER_IOU_KEYPOINTS; kind++) {
        vernier_eval_options opts;
        vernier_eval *ev = NULL;
        vernier_error err = VERNIER_ERROR_INIT;
        int rc;
        FUZZ_ASSERT(vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION) == VERNIER_OK);
        opts.iou_type = kind;
        opts.parity_mode = (flags & 1) ? VERNIER_PARITY_CORRECTED : VERNIER_PARITY_STRICT;
        opts.use_cats = (flags & 2) ? 0 : 1;
        opts.keep_records = (flags & 4) ? 1 : 0;
        err = (vernier_error)VERNIER_ERROR_INIT;
        rc = vernier_eval_run(&ev, gt, res, &opts, NULL, &err);
        if (rc == VERNIER_OK) {
            FUZZ_ASSERT(ev != NULL);
            fuzz_check_eval(ev);
            vernier_eval_free(ev);
        } else {
            FUZZ_ASSERT(ev == NULL);
            fuzz_check_error(rc, &err);
        }
    }
}

#endif
