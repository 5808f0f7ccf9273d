/* columns.h — building the column store from caller arrays (private).
 *
 * The dataset half of section 14 of vernier.h; eval/dataset.c completes
 * it with the derivation cache, as it completes the JSON loader.  The
 * results half (vernier_results_from_columns) is public as it is. */
#ifndef VN_COLUMNS_H
#define VN_COLUMNS_H

#include "vernier.h"

/* Fills a new dataset from `cols` (*out, NULL on failure; errors as
 * vernier_dataset_from_columns documents).  The cache slot is left NULL. */
int vn_dataset_from_columns(vernier_dataset **out, const vernier_dataset_columns *cols,
                            const vernier_allocator *alc, vernier_error *err);

#endif
