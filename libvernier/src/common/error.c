/* error.c — status strings and the caller-owned error struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/vn_error.h"

const char *vernier_status_string(int code)
{
    switch (code) {
    case VERNIER_OK: return "success";
    case VERNIER_E_INVALID_ARG: return "invalid argument";
    case VERNIER_E_NOMEM: return "out of memory";
    case VERNIER_E_BUDGET: return "memory budget exceeded";
    case VERNIER_E_JSON: return "malformed JSON";
    case VERNIER_E_SCHEMA: return "invalid COCO data";
    case VERNIER_E_UNKNOWN_IMAGE: return "result on an image absent from the ground truth";
    case VERNIER_E_RLE: return "malformed run-length encoding";
    case VERNIER_E_STATE: return "call made in the wrong state";
    case VERNIER_E_LIMIT: return "size limit exceeded";
    case VERNIER_E_UNSUPPORTED: return "input cannot be evaluated as given";
    case VERNIER_E_DUPLICATE_IMAGE: return "image already covered by an earlier batch";
    case VERNIER_E_QUEUE_FULL: return "worker queue full";
    case VERNIER_E_PARTIAL_CORRUPT: return "corrupt or truncated partial";
    case VERNIER_E_PARTIAL_VERSION: return "unsupported partial format version";
    case VERNIER_E_PARTIAL_MISMATCH: return "partial made with another configuration";
    case VERNIER_E_PARTIAL_DATASET: return "partial made against other ground truth";
    default: return "unknown status code";
    }
}

int vn_error_usable(const vernier_error *err)
{
    return err != NULL && err->size >= VERNIER_ERROR_MIN_SIZE;
}

/* 1 when the member at [off, off + n) lies within err->size. */
static int fits(const vernier_error *err, size_t off, size_t n)
{
    return off + n <= err->size;
}

#define FITS(err, member)                                                                        \
    fits((err), offsetof(vernier_error, member), sizeof(((vernier_error *)0)->member))

void vn_error_init(vernier_error *err)
{
    err->size = sizeof(*err);
    vn_error_clear(err);
}

void vn_error_clear(vernier_error *err)
{
    vernier_error blank;
    if (!vn_error_usable(err))
        return;
    memset(&blank, 0, sizeof(blank));
    blank.size = err->size;
    blank.code = VERNIER_OK;
    blank.offset = -1;
    blank.line = -1;
    blank.column = -1;
    blank.index = -1;
    vn_error_copy(err, &blank);
}

void vn_error_copy(vernier_error *err, const vernier_error *from)
{
    size_t keep, n;
    if (!vn_error_usable(err) || err == from)
        return;
    keep = err->size;
    n = keep < sizeof(*from) ? keep : sizeof(*from);
    memcpy(err, from, n);
    err->size = keep;
}

void vn_error_set_element(vernier_error *err, int64_t index, int64_t offset)
{
    if (!vn_error_usable(err))
        return;
    err->index = index;
    err->offset = offset;
}

int vn_fail(vernier_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (!vn_error_usable(err))
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (err->message[0] == '\0')
        snprintf(err->message, sizeof(err->message), "%s", vernier_status_string(code));
    vn_error_set_reason(err, 0, strlen(err->message));
    return code;
}

void vn_error_set_reason(vernier_error *err, size_t offset, size_t length)
{
    size_t n;
    if (!vn_error_usable(err) || !FITS(err, reason_length))
        return;
    n = strlen(err->message);
    if (offset > n)
        offset = n;
    if (length > n - offset)
        length = n - offset;
    err->reason_offset = (uint32_t)offset;
    err->reason_length = (uint32_t)length;
}

void vn_error_locate(vernier_error *err, const char *data, size_t size, size_t offset)
{
    size_t i;
    int64_t line = 1, col = 1;
    if (!vn_error_usable(err))
        return;
    if (offset > size)
        offset = size;
    for (i = 0; i < offset; i++) {
        if (data[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    err->offset = (int64_t)offset;
    err->line = line;
    err->column = col;
}

void vn_error_set_path(vernier_error *err, const char *path)
{
    size_t n, cap;
    if (!vn_error_usable(err))
        return;
    cap = sizeof(err->path);
    n = strlen(path);
    if (n < cap) {
        memcpy(err->path, path, n + 1);
    } else {
        memcpy(err->path, path, cap - 4);
        memcpy(err->path + cap - 4, "...", 4);
    }
}

void vn_error_set_field(vernier_error *err, unsigned field, int64_t value)
{
    if (!vn_error_usable(err) || !FITS(err, fields))
        return;
    switch (field) {
    case VERNIER_ERROR_HAS_IMAGE_ID:
        if (!FITS(err, image_id))
            return;
        err->image_id = value;
        break;
    case VERNIER_ERROR_HAS_CATEGORY_ID:
        if (!FITS(err, category_id))
            return;
        err->category_id = value;
        break;
    case VERNIER_ERROR_HAS_ANNOTATION_ID:
        if (!FITS(err, annotation_id))
            return;
        err->annotation_id = value;
        break;
    case VERNIER_ERROR_HAS_RESULT_INDEX:
        if (!FITS(err, result_index))
            return;
        err->result_index = value;
        break;
    case VERNIER_ERROR_HAS_PARTIAL_INDEX:
        if (!FITS(err, partial_index))
            return;
        err->partial_index = value;
        break;
    case VERNIER_ERROR_HAS_RANK_ID:
        if (!FITS(err, rank_id))
            return;
        err->rank_id = (uint32_t)value;
        break;
    case VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX:
        if (!FITS(err, other_partial_index))
            return;
        err->other_partial_index = value;
        break;
    case VERNIER_ERROR_HAS_BATCH_INDEX:
        if (!FITS(err, batch_index))
            return;
        err->batch_index = value;
        break;
    case VERNIER_ERROR_HAS_OTHER_RANK_ID:
        if (!FITS(err, other_rank_id))
            return;
        err->other_rank_id = (uint32_t)value;
        break;
    default: return;
    }
    err->fields |= field;
}
