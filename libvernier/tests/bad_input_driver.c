/* bad_input_driver.c — one bad-input case through the C API.
 *
 *   bad_input_driver GT DT IOU_TYPE PARITY_MODE [GOOD_DT]
 *
 * Loads GT (vernier_dataset_load_json), then DT (vernier_results_load_json),
 * then evaluates (vernier_eval_run) with IOU_TYPE (bbox, segm, boundary,
 * keypoints) and PARITY_MODE (strict, corrected).  On the first failure it
 * prints, one per line:
 *   stage gt|dt|eval
 *   status <vernier_status>
 *   path <vernier_error.path>
 *   index <vernier_error.index>
 *   message <vernier_error.message>
 * On success it prints "stage ok".  Then, when the ground truth loaded and
 * GOOD_DT is given, it evaluates GOOD_DT against the same dataset handle and
 * against a freshly loaded copy and prints "reuse ok" when the statistics
 * agree bit for bit ("reuse MISMATCH" or "reuse FAILED <status>" else): a
 * failed evaluation must leave the dataset as it was.
 * Exit status: 1 when the case failed (as bad inputs must), 0 when it
 * succeeded, 3 on a usage or I/O problem or a failed reuse check.
 * Used by python/tests/test_bad_inputs.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vernier.h"

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    char *buf;
    if (!f)
        return NULL;
    buf = malloc(cap);
    while (buf) {
        size_t got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static int parse_iou(const char *s)
{
    static const char *const names[] = {"bbox", "segm", "boundary", "keypoints"};
    int i;
    for (i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static void report(const char *stage, int rc, const vernier_error *err)
{
    printf("stage %s\nstatus %d\npath %s\nindex %lld\nmessage %s\n", stage, rc, err->path,
           (long long)err->index, err->message);
}

/* Evaluates `dt_path` against gt; fills stats (16) and *n; returns status. */
static int eval_file(const vernier_dataset *gt, const char *dt_path,
                     const vernier_eval_options *opts, double *stats, size_t *n)
{
    size_t len = 0;
    char *dt = read_file(dt_path, &len);
    vernier_results *res = NULL;
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc;
    if (!dt)
        return VERNIER_E_INVALID_ARG;
    rc = vernier_results_load_json(&res, dt, len, NULL, &err);
    free(dt);
    if (rc == VERNIER_OK)
        rc = vernier_eval_run(&ev, gt, res, opts, NULL, &err);
    if (rc == VERNIER_OK) {
        *n = vernier_eval_num_stats(ev);
        rc = *n <= 16 ? vernier_eval_copy_stats(ev, stats, *n) : VERNIER_E_LIMIT;
    }
    vernier_eval_free(ev);
    vernier_results_free(res);
    return rc;
}

int main(int argc, char **argv)
{
    vernier_eval_options opts;
    vernier_dataset *gt = NULL;
    vernier_results *res = NULL;
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    char *gt_buf, *dt_buf;
    size_t gt_len = 0, dt_len = 0;
    int rc, failed = 0, iou;

    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: %s GT DT IOU_TYPE PARITY_MODE [GOOD_DT]\n", argv[0]);
        return 3;
    }
    iou = parse_iou(argv[3]);
    if (iou < 0 || (strcmp(argv[4], "strict") != 0 && strcmp(argv[4], "corrected") != 0)) {
        fprintf(stderr, "bad_input_driver: bad iou type or parity mode\n");
        return 3;
    }
    vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
    opts.iou_type = iou;
    opts.parity_mode = strcmp(argv[4], "strict") == 0 ? VERNIER_PARITY_STRICT
                                                      : VERNIER_PARITY_CORRECTED;
    gt_buf = read_file(argv[1], &gt_len);
    dt_buf = read_file(argv[2], &dt_len);
    if (!gt_buf || !dt_buf) {
        fprintf(stderr, "bad_input_driver: cannot read the inputs\n");
        return 3;
    }
    rc = vernier_dataset_load_json(&gt, gt_buf, gt_len, NULL, &err);
    if (rc != VERNIER_OK) {
        report("gt", rc, &err);
        failed = 1;
    }
    if (!failed) {
        rc = vernier_results_load_json(&res, dt_buf, dt_len, NULL, &err);
        if (rc != VERNIER_OK) {
            report("dt", rc, &err);
            failed = 1;
        }
    }
    if (!failed) {
        rc = vernier_eval_run(&ev, gt, res, &opts, NULL, &err);
        if (rc != VERNIER_OK) {
            report("eval", rc, &err);
            failed = 1;
        } else {
            printf("stage ok\n");
        }
    }
    vernier_eval_free(ev);
    vernier_results_free(res);

    if (gt && argc == 6) {
        double a[16], b[16];
        size_t na = 0, nb = 0;
        vernier_dataset *fresh = NULL;
        int ra = eval_file(gt, argv[5], &opts, a, &na), rb;
        if (vernier_dataset_load_json(&fresh, gt_buf, gt_len, NULL, &err) != VERNIER_OK) {
            printf("reuse FAILED reload\n");
            failed = 3;
        } else {
            rb = eval_file(fresh, argv[5], &opts, b, &nb);
            if (ra != VERNIER_OK || rb != VERNIER_OK) {
                printf("reuse FAILED %d %d\n", ra, rb);
                failed = 3;
            } else if (na != nb || memcmp(a, b, na * sizeof(double)) != 0) {
                printf("reuse MISMATCH\n");
                failed = 3;
            } else {
                printf("reuse ok\n");
            }
        }
        vernier_dataset_free(fresh);
    }
    vernier_dataset_free(gt);
    free(gt_buf);
    free(dt_buf);
    return failed;
}
