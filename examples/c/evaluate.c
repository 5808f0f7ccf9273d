/*
 * evaluate.c — embed libvernier in a C program.
 *
 * Loads COCO ground truth and a loadRes-shaped result list from files,
 * evaluates them (strict parity mode: pycocotools' numbers) and prints the
 * summary statistics, one "name value" pair per line with all 17
 * significant digits, so that another program can compare them exactly.
 *
 * Build against an installed libvernier (docs/how-to/embed-in-c.md):
 *
 *     cc -std=c11 evaluate.c $(pkg-config --cflags --libs vernier) -o evaluate
 *     ./evaluate instances_val.json detections.json [bbox|segm|boundary|keypoints]
 *
 * Exit status: 0 on success, 1 if a file cannot be read or evaluated,
 * 2 on a bad command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vernier.h>

/* The whole file in a buffer from malloc; NULL (message printed) on failure. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 1 << 16, got;
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    for (;;) {
        char *bigger = realloc(buf, cap);
        if (bigger == NULL) {
            fprintf(stderr, "%s: out of memory\n", path);
            break;
        }
        buf = bigger;
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap) {
            if (ferror(f)) {
                perror(path);
                break;
            }
            fclose(f);
            *len = n;
            return buf;
        }
        cap *= 2;
    }
    fclose(f);
    free(buf);
    return NULL;
}

/* The library's message already names the JSON path and, for parse
 * errors, the line and column; err->offset/line/column/path hold them as
 * numbers for programs that want to point at the input themselves. */
static void print_error(const char *what, int rc, const vernier_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", what, vernier_status_string(rc), err->message);
}

int main(int argc, char **argv)
{
    static const char *const kinds[] = {"bbox", "segm", "boundary", "keypoints"};
    static const char *const names12[] = {"AP",  "AP50", "AP75",  "APs", "APm", "APl",
                                          "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"};
    static const char *const names10[] = {"AP", "AP50", "AP75", "APm", "APl",
                                          "AR", "AR50", "AR75", "ARm", "ARl"};
    vernier_dataset *gt = NULL;
    vernier_results *dt = NULL;
    vernier_eval *ev = NULL;
    vernier_eval_options opts;
    vernier_error err = VERNIER_ERROR_INIT;
    double stats[12];
    char *gt_json = NULL, *dt_json = NULL;
    size_t gt_len = 0, dt_len = 0, n, i;
    int iou = VERNIER_IOU_BBOX, rc, status = 1;

    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s GT.json DT.json [bbox|segm|boundary|keypoints]\n", argv[0]);
        return 2;
    }
    if (argc == 4) {
        for (iou = 0; iou < 4 && strcmp(argv[3], kinds[iou]) != 0; iou++)
            ;
        if (iou == 4) {
            fprintf(stderr, "unknown iou type '%s'\n", argv[3]);
            return 2;
        }
    }
    /* The header and the library linked at run time should agree. */
    if (vernier_version_number() != VERNIER_VERSION_NUMBER)
        fprintf(stderr, "warning: built with vernier %s, running with %s\n",
                VERNIER_VERSION_STRING, vernier_version_string());

    /* 1. Parse both files.  The library copies what it needs: the buffers
     *    can be freed as soon as the load returns. */
    gt_json = read_file(argv[1], &gt_len);
    if (gt_json == NULL)
        goto done;
    rc = vernier_dataset_load_json(&gt, gt_json, gt_len, NULL, &err);
    free(gt_json);
    if (rc != VERNIER_OK) {
        print_error(argv[1], rc, &err);
        goto done;
    }
    dt_json = read_file(argv[2], &dt_len);
    if (dt_json == NULL)
        goto done;
    rc = vernier_results_load_json(&dt, dt_json, dt_len, NULL, &err);
    free(dt_json);
    if (rc != VERNIER_OK) {
        print_error(argv[2], rc, &err);
        goto done;
    }

    /* 2. Evaluate: defaults (strict parity, COCO grid) except the IoU type. */
    vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
    opts.iou_type = iou;
    rc = vernier_eval_run(&ev, gt, dt, &opts, NULL, &err);
    if (rc != VERNIER_OK) {
        print_error("evaluate", rc, &err);
        goto done;
    }

    /* 3. The statistics (pycocotools' COCOeval.stats). */
    n = vernier_eval_num_stats(ev);
    if (n > 12 || vernier_eval_copy_stats(ev, stats, n) != VERNIER_OK) {
        fprintf(stderr, "unexpected number of statistics: %zu\n", n);
        goto done;
    }
    for (i = 0; i < n; i++)
        printf("%-6s %.17g\n", n == 10 ? names10[i] : names12[i], stats[i]);
    status = 0;

done:
    vernier_eval_free(ev);
    vernier_results_free(dt);
    vernier_dataset_free(gt);
    return status;
}
