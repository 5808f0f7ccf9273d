/* fuzz_partial_roundtrip.c — partial blobs past the checksum: the structure
 * checks of vernier_partial_read, read -> write -> read -> write, and the
 * merge's decoding against ground truth (vernier_partial_merge).
 *
 * Before reading, the target repairs what a mutation almost always breaks
 * and a forger can always fix: the declared total size, the parameters
 * digest (when the declared parameters section lies inside the blob), the
 * dataset digest (set to fuzz_gt.h's) and the trailing SHA-256.  Seeds are
 * partials of fuzz_gt.h (make_partial_seeds.c). */
#include <string.h>

#include "fuzz.h"
#include "fuzz_eval.h"
#include "fuzz_gt.h"
#include "fuzz_partial.h"
#include "common/sha256.h"
#include "vernier.h"

#define HEADER 168

static vernier_dataset *gt;
static uint8_t gt_digest[VERNIER_DIGEST_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    vernier_error err = VERNIER_ERROR_INIT;
    (void)argc;
    (void)argv;
    if (vernier_dataset_load_json(&gt, fuzz_gt_json, sizeof(fuzz_gt_json) - 1, NULL, &err) !=
            VERNIER_OK ||
        vernier_dataset_digest(gt, gt_digest) != VERNIER_OK) {
        fprintf(stderr, "fuzz_partial_roundtrip: fixed GT refused\n");
        abort();
    }
    return 0;
}

static uint64_t rd64(const uint8_t *p)
{
    uint64_t v = 0;
    int i;
    for (i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void wr64(uint8_t *p, uint64_t v)
{
    int i;
    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *b;
    vernier_partial *p = NULL;
    if (size < HEADER + 32)
        return 0;
    b = malloc(size);
    if (!b)
        return 0;
    memcpy(b, data, size);
    wr64(b + 16, size);
    memcpy(b + 32, gt_digest, VERNIER_DIGEST_SIZE);
    {
        uint64_t lp = rd64(b + 144);
        if (lp <= size - HEADER - 32)
            vn_sha256(b + HEADER, (size_t)lp, b + 64);
    }
    vn_sha256(b, size - 32, b + size - 32);

    fuzz_partial_cycle(b, size, &p);
    if (p) {
        vernier_partial_info info = VERNIER_PARTIAL_INFO_INIT;
        vernier_eval_options opts;
        vernier_eval *ev = NULL;
        vernier_error err = VERNIER_ERROR_INIT;
        const void *blobs[1];
        size_t sizes[1];
        int rc;
        vernier_partial_get_info(p, &info);
        vernier_eval_options_init(&opts, VERNIER_EVAL_OPTIONS_VERSION);
        opts.iou_type = info.iou_type;
        opts.parity_mode = info.parity_mode;
        opts.use_cats = info.use_cats;
        blobs[0] = b;
        sizes[0] = size;
        err = (vernier_error)VERNIER_ERROR_INIT;
        rc = vernier_partial_merge(&ev, gt, &opts, blobs, sizes, 1, 0, NULL, &err);
        if (rc == VERNIER_OK) {
            fuzz_check_eval(ev);
            vernier_eval_free(ev);
        } else {
            FUZZ_ASSERT(ev == NULL);
            FUZZ_ASSERT(rc == VERNIER_E_PARTIAL_CORRUPT || rc == VERNIER_E_PARTIAL_MISMATCH ||
                        rc == VERNIER_E_PARTIAL_VERSION || rc == VERNIER_E_NOMEM ||
                        rc == VERNIER_E_INVALID_ARG || rc == VERNIER_E_LIMIT);
            FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        }
        vernier_partial_free(p);
    }
    free(b);
    return 0;
}
