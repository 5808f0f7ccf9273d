/* fuzz_partial.h — read -> write -> read -> write of a partial blob, shared
 * by the two partial fuzz targets (private). */
#ifndef VN_FUZZ_PARTIAL_H
#define VN_FUZZ_PARTIAL_H

#include <string.h>

#include "fuzz.h"
#include "vernier.h"

static inline int fuzz_partial_status_ok(int rc)
{
    return rc == VERNIER_E_PARTIAL_CORRUPT || rc == VERNIER_E_PARTIAL_VERSION ||
           rc == VERNIER_E_NOMEM;
}

/* Reads `data`; when it reads, writes it, reads and writes that again and
 * checks the two writes are identical.  Returns the handle of the first
 * read (caller frees) in *out when out is not NULL. */
static inline void fuzz_partial_cycle(const uint8_t *data, size_t size, vernier_partial **out)
{
    vernier_partial *p = NULL, *p2 = NULL;
    vernier_partial_info info = VERNIER_PARTIAL_INFO_INIT, info2 = VERNIER_PARTIAL_INFO_INIT;
    vernier_error err = VERNIER_ERROR_INIT;
    void *w1 = NULL, *w2 = NULL;
    size_t n1 = 0, n2 = 0;
    int rc;

    if (out)
        *out = NULL;
    err = (vernier_error)VERNIER_ERROR_INIT;
    rc = vernier_partial_read(&p, data, size, NULL, &err);
    if (rc != VERNIER_OK) {
        FUZZ_ASSERT(p == NULL);
        FUZZ_ASSERT(fuzz_partial_status_ok(rc));
        FUZZ_ASSERT(err.code == rc && err.message[0] != '\0');
        return;
    }
    vernier_partial_get_info(p, &info);
    FUZZ_ASSERT(info.blob_size == size);
    FUZZ_ASSERT(vernier_partial_write(&w1, &n1, p, NULL, &err) == VERNIER_OK);
    FUZZ_ASSERT(vernier_partial_read(&p2, w1, n1, NULL, &err) == VERNIER_OK);
    vernier_partial_get_info(p2, &info2);
    FUZZ_ASSERT(info2.n_images == info.n_images && info2.n_records == info.n_records &&
                info2.n_detections == info.n_detections && info2.iou_type == info.iou_type &&
                info2.rank_id == info.rank_id);
    FUZZ_ASSERT(memcmp(info2.dataset_digest, info.dataset_digest, VERNIER_DIGEST_SIZE) == 0);
    FUZZ_ASSERT(memcmp(info2.params_digest, info.params_digest, VERNIER_DIGEST_SIZE) == 0);
    FUZZ_ASSERT(vernier_partial_write(&w2, &n2, p2, NULL, &err) == VERNIER_OK);
    FUZZ_ASSERT(n2 == n1 && memcmp(w1, w2, n1) == 0);
    vernier_partial_blob_free(w1, n1, NULL);
    vernier_partial_blob_free(w2, n2, NULL);
    vernier_partial_free(p2);
    if (out)
        *out = p;
    else
        vernier_partial_free(p);
}

#endif
