/* test_match_null_offset.c — regression test for a bug found by
 * fuzz_gt_json / fuzz_results_json (issue 9).
 *
 * match.c computed `b->sorted + c0` while b->sorted was NULL (no IoU
 * candidates allocated because no detection had a ground-truth candidate)
 * and c0 == 0: adding 0 to a null pointer is undefined behaviour (C11
 * 6.5.6p8).  gcc's UBSan does not check it; clang's does
 * (-fsanitize=pointer-overflow, part of -fsanitize=undefined):
 *
 *   make lib BUILD=build-repro CC=clang OPTFLAGS="-O1 -g" \
 *       MOREFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=all"
 *   clang -std=c11 -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -Ilibvernier/include libvernier/tests/test_match_null_offset.c \
 *       build-repro/libvernier.a -lm -lpthread -o build-repro/t && build-repro/t
 *
 * Under gcc (make ctest) it checks that the evaluation succeeds. */
#include <stdio.h>
#include <string.h>

#include "vernier.h"

int main(void)
{
    /* One image, one category, no ground truth: the detection has no
     * candidate, so the candidate arrays are never allocated. */
    static const char gt_json[] =
        "{\"images\":[{\"id\":1,\"width\":10,\"height\":10}],\"categories\":[{\"id\":1}],"
        "\"annotations\":[]}";
    static const char dt_json[] =
        "[{\"image_id\":1,\"category_id\":1,\"bbox\":[1,1,2,2],\"score\":0.5}]";
    vernier_dataset *gt = NULL;
    vernier_results *res = NULL;
    vernier_eval *ev = NULL;
    vernier_error err = VERNIER_ERROR_INIT;
    int rc;
    if (vernier_dataset_load_json(&gt, gt_json, strlen(gt_json), NULL, &err) != VERNIER_OK ||
        vernier_results_load_json(&res, dt_json, strlen(dt_json), NULL, &err) != VERNIER_OK) {
        fprintf(stderr, "load failed: %s\n", err.message);
        return 1;
    }
    rc = vernier_eval_run(&ev, gt, res, NULL, NULL, &err);
    vernier_eval_free(ev);
    vernier_results_free(res);
    vernier_dataset_free(gt);
    if (rc != VERNIER_OK) {
        fprintf(stderr, "evaluate failed: %s\n", err.message);
        return 1;
    }
    printf("ok\n");
    return 0;
}
