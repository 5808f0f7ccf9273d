/* vn_error.h — filling the caller-owned vernier_error (private). */
#ifndef VN_ERROR_H
#define VN_ERROR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "vernier.h"

#if defined(__GNUC__)
#  define VN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define VN_PRINTF(f, a)
#endif

/* 1 when the library may write err: not NULL and err->size at least
 * VERNIER_ERROR_MIN_SIZE (the public rule: a smaller struct counts as
 * NULL).  Every helper below checks it, and writes no field that does not
 * lie wholly within err->size bytes. */
int vn_error_usable(const vernier_error *err);

/* A library-owned error (a local, a queued copy): size = sizeof, every
 * field "not applicable". */
void vn_error_init(vernier_error *err);

/* Resets every field of err (within its size) to "not applicable".  An
 * unusable err is left alone. */
void vn_error_clear(vernier_error *err);

/* Copies the library-owned `from` into the caller's err, at most
 * err->size bytes, keeping err->size. */
void vn_error_copy(vernier_error *err, const vernier_error *from);

/* Sets the index and offset fields (the element an error is about). */
void vn_error_set_element(vernier_error *err, int64_t index, int64_t offset);

/* Records `code` and a formatted message in err (which may be NULL) and
 * returns `code`, so callers can write `return vn_fail(err, CODE, ...)`.
 * Location fields are left as they are (set them with vn_error_locate). */
int vn_fail(vernier_error *err, int code, const char *fmt, ...) VN_PRINTF(3, 4);

/* Marks message[offset, offset + length) as the reason alone (the text
 * without the prefixes and the location suffix the message puts around
 * it), clipped to the message.  vn_fail sets the whole message; callers
 * that wrap the reason set it again. */
void vn_error_set_reason(vernier_error *err, size_t offset, size_t length);

/* Sets offset and computes line/column by scanning data[0..offset).  An
 * unusable err is a no-op; an offset past `size` is clamped. */
void vn_error_locate(vernier_error *err, const char *data, size_t size, size_t offset);

/* Copies a JSON path into err->path (truncated with "..." if too long). */
void vn_error_set_path(vernier_error *err, const char *path);

/* Sets one entity field of err (a vernier_error_field bit; a rank or
 * index is passed as an int64) and marks it present.  NULL err is a
 * no-op. */
void vn_error_set_field(vernier_error *err, unsigned field, int64_t value);

/* Copies the library-filled `full` (`full_size` bytes, starting with its
 * size_t size field) into the caller's `out`, at most out's own size
 * field's worth of bytes, keeping out's size.  The caller has checked
 * that out's size covers at least the size field. */
static inline void vn_fill_sized(void *out, const void *full, size_t full_size)
{
    size_t keep, n;
    memcpy(&keep, out, sizeof(keep));
    n = keep < full_size ? keep : full_size;
    memcpy(out, full, n);
    memcpy(out, &keep, sizeof(keep));
}

/* Propagation helper: evaluate an int status expression, return it if it
 * is not VERNIER_OK. */
#define VN_TRY(expr)                                                                             \
    do {                                                                                         \
        int vn_try_rc_ = (expr);                                                                 \
        if (vn_try_rc_ != VERNIER_OK)                                                            \
            return vn_try_rc_;                                                                   \
    } while (0)

#endif
