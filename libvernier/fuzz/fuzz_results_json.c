/* fuzz_results_json.c — the result reader (vernier_results_load_json)
 * against a fixed small ground truth, then every kernel.
 *
 * The ground truth is fuzz_gt.h's. */
#include <string.h>

#include "fuzz.h"
#include "fuzz_eval.h"
#include "fuzz_gt.h"
#include "vernier.h"

static vernier_dataset *gt;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    vernier_error err = VERNIER_ERROR_INIT;
    (void)argc;
    (void)argv;
    if (vernier_dataset_load_json(&gt, fuzz_gt_json, sizeof(fuzz_gt_json) - 1, NULL, &err) !=
        VERNIER_OK) {
        fprintf(stderr, "fuzz_results_json: fixed GT refused: %s\n", err.message);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vernier_results *res = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc;
    err = (vernier_error)VERNIER_ERROR_INIT;
    rc = vernier_results_load_json(&res, (const char *)data, size, NULL, &err);
    if (rc != VERNIER_OK) {
        FUZZ_ASSERT(res == NULL);
        FUZZ_ASSERT(rc == VERNIER_E_JSON || rc == VERNIER_E_SCHEMA || rc == VERNIER_E_LIMIT ||
                    rc == VERNIER_E_NOMEM || rc == VERNIER_E_RLE || rc == VERNIER_E_UNSUPPORTED);
        fuzz_check_error(rc, &err);
        return 0;
    }
    FUZZ_ASSERT(vernier_results_get_kind(res) >= VERNIER_RESULTS_EMPTY &&
                vernier_results_get_kind(res) <= VERNIER_RESULTS_KEYPOINTS);
    fuzz_evaluate_all(gt, res, (unsigned)(size % 8));
    vernier_results_free(res);
    return 0;
}
