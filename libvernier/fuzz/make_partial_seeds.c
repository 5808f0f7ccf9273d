/* make_partial_seeds.c — writes the seed corpus of the partial fuzz
 * targets: partials of fuzz_gt.h's ground truth for a few result lists,
 * kernels, parity modes and pooled categories, one file each, into the
 * directory given.  Not part of any test; rerun it when the partial format
 * changes (see README.md). */
#include <string.h>

#include "fuzz_gt.h"
#include "vernier.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const dts[] = {
    "[{\"image_id\":1,\"category_id\":1,\"score\":0.9,\"bbox\":[2,3,20,15],"
    "\"segmentation\":[[2,3,22,3,22,18,2,18]],\"keypoints\":" KP17 "},"
    "{\"image_id\":1,\"category_id\":2,\"score\":0.5,\"bbox\":[10,5,20,15],"
    "\"segmentation\":[[10,5,30,5,30,20,10,20]],\"keypoints\":" KP17 "},"
    "{\"image_id\":2,\"category_id\":1,\"score\":0.25,\"bbox\":[0,0,30,30],"
    "\"segmentation\":[[0,0,30,0,30,30]],\"keypoints\":" KP17 "},"
    "{\"image_id\":2,\"category_id\":2,\"score\":0.125,\"bbox\":[1,2,8,9],"
    "\"segmentation\":[[1,2,9,2,9,11]],\"keypoints\":" KP17 "},"
    "{\"image_id\":3,\"category_id\":2,\"score\":0.3,\"bbox\":[0,0,4,4],"
    "\"segmentation\":{\"size\":[4,4],\"counts\":[0,16]},\"keypoints\":" KP17 "}]",
    "[{\"image_id\":1,\"category_id\":1,\"score\":0.123456789,\"bbox\":[2,3,20,15]},"
    "{\"image_id\":1,\"category_id\":1,\"score\":0.987654321,\"bbox\":[3,3,20,15]},"
    "{\"image_id\":2,\"category_id\":2,\"score\":0.333333333,\"bbox\":[1,2,8,9]}]",
    "[]",
};

int main(int argc, char **argv)
{
    vernier_dataset *gt = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    size_t d;
    int n = 0;
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    if (vernier_dataset_load_json(&gt, fuzz_gt_json, sizeof(fuzz_gt_json) - 1, NULL, &err)) {
        fprintf(stderr, "GT: %s\n", err.message);
        return 1;
    }
    for (d = 0; d < sizeof(dts) / sizeof(dts[0]); d++) {
        int kind, mode, pooled;
        vernier_results *res = NULL;
        if (vernier_results_load_json(&res, dts[d], strlen(dts[d]), NULL, &err)) {
            fprintf(stderr, "DT %zu: %s\n", d, err.message);
            return 1;
        }
        for (kind = 0; kind <= 3; kind++)
            for (mode = 0; mode <= 1; mode++)
                for (pooled = 0; pooled <= 1; pooled++) {
                    vernier_eval_options opts;
                    void *blob = NULL;
                    size_t size = 0;
                    char path[4096];
                    FILE *f;
                    if ((mode || pooled) && d > 0)
                        continue;
                    vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
                    opts.iou_type = kind;
                    opts.parity_mode = mode;
                    opts.use_cats = !pooled;
                    if (vernier_partial_evaluate(&blob, &size, gt, res, &opts, (uint32_t)d,
                                                 NULL, &err)) {
                        fprintf(stderr, "partial %zu/%d: %s\n", d, kind, err.message);
                        continue;
                    }
                    snprintf(path, sizeof(path), "%s/seed_dt%zu_iou%d_mode%d_pooled%d.bin",
                             argv[1], d, kind, mode, pooled);
                    f = fopen(path, "wb");
                    if (!f || fwrite(blob, 1, size, f) != size || fclose(f)) {
                        perror(path);
                        return 1;
                    }
                    vernier_partial_blob_free(blob, size, NULL);
                    n++;
                }
        vernier_results_free(res);
    }
    vernier_dataset_free(gt);
    printf("wrote %d seeds\n", n);
    return 0;
}
