/* vn_error.h — filling the caller-owned vernier_error (private). */
#ifndef VN_ERROR_H
#define VN_ERROR_H

#include <stddef.h>
#include <stdint.h>

#include "vernier.h"

#if defined(__GNUC__)
#  define VN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define VN_PRINTF(f, a)
#endif

/* Resets every field of err to "not applicable".  NULL is a no-op. */
void vn_error_clear(vernier_error *err);

/* Records `code` and a formatted message in err (which may be NULL) and
 * returns `code`, so callers can write `return vn_fail(err, CODE, ...)`.
 * Location fields are left as they are (set them with vn_error_locate). */
int vn_fail(vernier_error *err, int code, const char *fmt, ...) VN_PRINTF(3, 4);

/* Sets offset and computes line/column by scanning data[0..offset).  NULL
 * err is a no-op; an offset past `size` is clamped. */
void vn_error_locate(vernier_error *err, const char *data, size_t size, size_t offset);

/* Copies a JSON path into err->path (truncated with "..." if too long). */
void vn_error_set_path(vernier_error *err, const char *path);

/* Sets one entity field of err (a vernier_error_field bit; a rank or
 * index is passed as an int64) and marks it present.  NULL err is a
 * no-op. */
void vn_error_set_field(vernier_error *err, unsigned field, int64_t value);

/* Propagation helper: evaluate an int status expression, return it if it
 * is not VERNIER_OK. */
#define VN_TRY(expr)                                                                             \
    do {                                                                                         \
        int vn_try_rc_ = (expr);                                                                 \
        if (vn_try_rc_ != VERNIER_OK)                                                            \
            return vn_try_rc_;                                                                   \
    } while (0)

#endif
