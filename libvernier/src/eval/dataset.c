/* dataset.c — the ground-truth dataset handle: the parser's column store
 * plus the derived-mask cache attached to it.
 *
 * parse/coco.c fills the columns and knows nothing of masks; this file
 * completes the public lifecycle around it, so that the cache (eval/masks.c)
 * is created right after parsing and freed before the columns. */
#include "common/vn_error.h"
#include "eval/masks.h"
#include "parse/coco.h"
#include "parse/columns.h"

/* Attaches the cache to a dataset just filled (by either loader). */
static int attach_cache(vernier_dataset **out, int rc, const char *what, vernier_error *err)
{
    vernier_dataset *ds;
    if (rc != VERNIER_OK)
        return rc;
    ds = *out;
    if ((rc = vn_mask_cache_init(ds)) != VERNIER_OK) {
        vn_error_clear(err);
        vn_fail(err, rc, "out of memory %s", what);
        vn_dataset_release(ds);
        *out = NULL;
        return rc;
    }
    return VERNIER_OK;
}

int vernier_dataset_load_json(vernier_dataset **out, const char *data, size_t size,
                              const vernier_allocator *alc, vernier_error *err)
{
    return attach_cache(out, vn_dataset_parse(out, data, size, alc, err), "while loading JSON",
                        err);
}

int vernier_dataset_from_columns(vernier_dataset **out, const vernier_dataset_columns *cols,
                                 const vernier_allocator *alc, vernier_error *err)
{
    return attach_cache(out, vn_dataset_from_columns(out, cols, alc, err),
                        "while building from columns", err);
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
