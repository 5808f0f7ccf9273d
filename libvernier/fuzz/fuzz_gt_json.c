/* fuzz_gt_json.c — the ground-truth reader (vernier_dataset_load_json) and
 * every kernel on what it loads.
 *
 * Input: GT JSON, optionally followed by a NUL byte and a result list (JSON
 * cannot hold a raw NUL, so the split is unambiguous).  Without a result
 * list a fixed one is used: one detection on image 1, category 1, with a
 * box, a polygon and 17 keypoints, so each kernel reads the ground truth. */
#include <string.h>

#include "fuzz.h"
#include "fuzz_eval.h"
#include "vernier.h"

static const char default_dt[] =
    "[{\"image_id\":1,\"category_id\":1,\"score\":0.9,\"bbox\":[2,3,20,15],"
    "\"segmentation\":[[2,3,22,3,22,18,2,18]],"
    "\"keypoints\":[5,5,2,6,6,2,7,7,2,8,8,2,9,9,2,10,10,2,11,11,2,12,12,2,13,13,2,"
    "14,14,2,15,15,2,16,16,2,17,17,2,18,18,2,19,19,2,20,20,2,21,21,2]},"
    "{\"image_id\":1,\"category_id\":2,\"score\":0.4,\"bbox\":[0,0,5,5]}]";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t gt_len = nul ? (size_t)(nul - data) : size;
    const char *dt = nul ? (const char *)nul + 1 : default_dt;
    size_t dt_len = nul ? size - gt_len - 1 : sizeof(default_dt) - 1;
    vernier_dataset *gt = NULL;
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    uint8_t digest[VERNIER_DIGEST_SIZE];
    int rc;

    err = (vernier_error)VERNIER_ERROR_INIT;
    rc = vernier_dataset_load_json(&gt, (const char *)data, gt_len, NULL, &err);
    if (rc != VERNIER_OK) {
        FUZZ_ASSERT(gt == NULL);
        FUZZ_ASSERT(rc == VERNIER_E_JSON || rc == VERNIER_E_SCHEMA || rc == VERNIER_E_LIMIT ||
                    rc == VERNIER_E_NOMEM || rc == VERNIER_E_RLE);
        fuzz_check_error(rc, &err);
        return 0;
    }
    FUZZ_ASSERT(vernier_dataset_digest(gt, digest) == VERNIER_OK);
    (void)vernier_dataset_num_images(gt);
    (void)vernier_dataset_sizeof(gt);
    rc = vernier_results_load_json(&res, dt, dt_len, NULL, &err);
    if (rc == VERNIER_OK) {
        fuzz_evaluate_all(gt, res, (unsigned)(size % 8));
        vernier_results_free(res);
    }
    vernier_dataset_free(gt);
    return 0;
}
