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

void vn_error_clear(vernier_error *err)
{
    if (err == NULL)
        return;
    err->code = VERNIER_OK;
    err->offset = -1;
    err->line = -1;
    err->column = -1;
    err->index = -1;
    err->path[0] = '\0';
    err->message[0] = '\0';
    err->fields = 0;
    err->image_id = 0;
    err->category_id = 0;
    err->annotation_id = 0;
    err->result_index = 0;
    err->partial_index = 0;
    err->rank_id = 0;
    err->other_partial_index = 0;
    err->other_rank_id = 0;
}

void vn_error_set_field(vernier_error *err, unsigned field, int64_t value)
{
    if (err == NULL)
        return;
    switch (field) {
    case VERNIER_ERROR_HAS_IMAGE_ID: err->image_id = value; break;
    case VERNIER_ERROR_HAS_CATEGORY_ID: err->category_id = value; break;
    case VERNIER_ERROR_HAS_ANNOTATION_ID: err->annotation_id = value; break;
    case VERNIER_ERROR_HAS_RESULT_INDEX: err->result_index = value; break;
    case VERNIER_ERROR_HAS_PARTIAL_INDEX: err->partial_index = value; break;
    case VERNIER_ERROR_HAS_RANK_ID: err->rank_id = (uint32_t)value; break;
    case VERNIER_ERROR_HAS_OTHER_PARTIAL_INDEX: err->other_partial_index = value; break;
    case VERNIER_ERROR_HAS_OTHER_RANK_ID: err->other_rank_id = (uint32_t)value; break;
    default: return;
    }
    err->fields |= field;
}

int vn_fail(vernier_error *err, int code, const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
    if (err->message[0] == '\0')
        snprintf(err->message, sizeof(err->message), "%s", vernier_status_string(code));
    return code;
}

void vn_error_locate(vernier_error *err, const char *data, size_t size, size_t offset)
{
    size_t i;
    int64_t line = 1, col = 1;
    if (err == NULL)
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
    if (err == NULL)
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
