/* dataset.c — the ground-truth dataset handle: the parser's column store
 * plus the derived-mask cache attached to it.
 *
 * parse/coco.c fills the columns and knows nothing of masks; this file
 * completes the public lifecycle around it, so that the cache (eval/masks.c)
 * is created right after parsing and freed before the columns. */
#include "common/vn_error.h"
#include "eval/masks.h"
#include "parse/coco.h"

int vernier_dataset_load_json(vernier_dataset **out, const char *data, size_t size,
                              const vernier_allocator *alc, vernier_error *err)
{
    vernier_dataset *ds;
    int rc = vn_dataset_parse(out, data, size, alc, err);
    if (rc != VERNIER_OK)
        return rc;
    ds = *out;
    if ((rc = vn_mask_cache_init(ds)) != VERNIER_OK) {
        vn_error_clear(err);
        vn_fail(err, rc, "out of memory while loading JSON");
        vn_dataset_release(ds);
        *out = NULL;
        return rc;
    }
    *out = ds;
    return VERNIER_OK;
}

void vernier_dataset_free(vernier_dataset *ds)
{
    if (ds == NULL)
        return;
    vn_mask_cache_free(ds, &ds->mem);
    vn_dataset_release(ds);
}

size_t vernier_dataset_sizeof(const vernier_dataset *ds)
{
    return ds == NULL ? 0 : ds->mem.used + vn_mask_cache_bytes(ds);
}

size_t vernier_dataset_cache_len(const vernier_dataset *ds, int kind)
{
    if (ds == NULL || (kind != VERNIER_CACHE_MASKS && kind != VERNIER_CACHE_BANDS))
        return 0;
    return vn_mask_cache_len(ds, kind);
}

int vernier_dataset_clear_cache(vernier_dataset *ds)
{
    if (ds == NULL)
        return VERNIER_E_INVALID_ARG;
    return vn_mask_cache_clear(ds);
}
