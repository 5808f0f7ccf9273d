/* json.h — a pull reader over a JSON byte buffer (private).
 *
 * The reader walks RFC 8259 JSON in place: nothing is allocated and no
 * tree is built.  The caller asks what comes next (vn_json_peek), then
 * consumes it (object/array iteration, read a number/string/boolean/null)
 * or skips it (vn_json_skip, which still validates it completely).
 *
 * It accepts exactly what Python's json module accepts from UTF-8 text,
 * minus these refusals (all VERNIER_E_JSON unless noted):
 *   - a UTF-8 byte-order mark (Python refuses it too when reading text);
 *   - invalid UTF-8: overlong forms, UTF-8-encoded surrogates, > U+10FFFF;
 *   - the literals NaN, Infinity and -Infinity;
 *   - nesting deeper than VN_JSON_MAX_DEPTH (VERNIER_E_LIMIT).
 * Lone or mismatched \u surrogate escapes are accepted, as Python does.
 * Numbers are converted by vn_parse_number; a literal that overflows gives
 * +-inf here (refusing it is the caller's business).
 *
 * Errors are reported once, into the vernier_error given at init: offset,
 * line and column of the first bad byte and the JSON path of the value
 * being read (e.g. "annotations[12].bbox[2]"), built only on failure from
 * a small stack of open containers.  For text Python also refuses, the
 * offset is the position Python's JSONDecodeError reports (in bytes).
 * After a failure the reader must not be used further.
 *
 * Usage:
 *     vn_json js;
 *     if ((rc = vn_json_init(&js, data, size, err)) != VERNIER_OK) ...
 *     if ((rc = vn_json_object_begin(&js)) != VERNIER_OK) ...
 *     while ((rc = vn_json_object_next(&js, &key)) == 1) {
 *         ... read or skip the value of `key` ...
 *     }
 *     if (rc < 0) ... error ...
 *     rc = vn_json_finish(&js);   (only whitespace may follow)
 */
#ifndef VN_JSON_H
#define VN_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/vn_error.h"
#include "common/vn_limits.h"
#include "parse/numparse.h"
#include "vernier.h"

/* What the next value is (vn_json_peek's non-negative results). */
typedef enum vn_json_type {
    VN_JSON_OBJECT = 1,
    VN_JSON_ARRAY = 2,
    VN_JSON_STRING = 3,
    VN_JSON_NUMBER = 4,
    VN_JSON_TRUE = 5,
    VN_JSON_FALSE = 6,
    VN_JSON_NULL = 7
} vn_json_type;

/* A string as it appears in the input: the bytes between the quotes.  When
 * `escaped` is 0 they are the string's value (already validated UTF-8);
 * otherwise decode them with vn_json_unescape. */
typedef struct vn_json_str {
    const char *ptr;
    size_t len;
    int escaped;
} vn_json_str;

/* One open container, for error paths.  Objects remember their current key
 * (raw bytes, NULL before the first) and count keys in `index`; arrays keep
 * the index of the current element.  Both start at index -1. */
typedef struct vn_json_frame {
    const char *key;
    uint32_t key_len;
    uint32_t is_array;
    int64_t index;
} vn_json_frame;

typedef struct vn_json {
    const char *begin; /* input start (offsets are relative to it) */
    const char *p;     /* next unread byte */
    const char *end;   /* one past the last byte */
    const char *last;  /* start of the scalar most recently read */
    vernier_error *err;
    int depth;         /* number of open containers */
    vn_json_frame stack[VN_JSON_MAX_DEPTH];
} vn_json;

/* A saved position (see vn_json_mark_here). */
typedef struct vn_json_mark {
    const char *p;
    int depth;
    vn_json_frame top;
} vn_json_mark;

/* Starts reading `size` bytes at `data`; errors go to `err` (may be NULL).
 * Fails (VERNIER_E_JSON) on a UTF-8 byte-order mark. */
int vn_json_init(vn_json *js, const char *data, size_t size, vernier_error *err);

/* Skips whitespace and classifies the next value: returns a vn_json_type
 * (> 0), or a negative status when no value can start there (end of input,
 * a stray byte, NaN/Infinity).  Does not consume the value. */
int vn_json_peek(vn_json *js);

/* Name of a vn_json_type for messages: "object", "array", "string",
 * "number", "boolean", "null". */
const char *vn_json_type_name(int type);

/* Objects.  object_begin consumes '{'.  object_next returns 1 with *key set
 * and the reader positioned at the key's value (which the caller must then
 * read or skip), 0 after consuming the closing '}', or a negative status. */
int vn_json_object_begin(vn_json *js);
static inline int vn_json_object_next(vn_json *js, vn_json_str *key);

/* Arrays.  array_begin consumes '['.  array_next returns 1 when another
 * element follows (the caller reads or skips it), 0 after consuming ']',
 * or a negative status. */
int vn_json_array_begin(vn_json *js);
static inline int vn_json_array_next(vn_json *js);

/* Scalars.  Each fails with VERNIER_E_JSON if the next value is malformed
 * and with VERNIER_E_SCHEMA ("expected a number, got string") if it is of
 * another type (after validating it).  read_number's `expected` words the
 * type error (NULL: "a number"); the value may be +-inf when the literal
 * overflows (check num->d). */
static inline int vn_json_read_number(vn_json *js, vn_number *num, const char *expected);
int vn_json_read_string(vn_json *js, vn_json_str *s);
int vn_json_read_bool(vn_json *js, int *value);

/* Consumes the next value whatever it is, validating it fully. */
int vn_json_skip(vn_json *js);

/* For a caller that found the next value (of vn_json_type `type`, as
 * peeked) to be of the wrong kind: validates it with vn_json_skip (a JSON
 * error there wins), then fails with VERNIER_E_SCHEMA "expected
 * <expected>, got <type name>" located at the value. */
int vn_json_type_error(vn_json *js, int type, const char *expected);

/* Checks that only whitespace remains (else "trailing data"). */
int vn_json_finish(vn_json *js);

/* 1 if the next value is an empty array "[ ]" (nothing consumed). */
int vn_json_next_is_empty_array(vn_json *js);

/* Decodes the escapes of a string returned by the reader into `out`, which
 * must hold at least s->len bytes (decoding never lengthens).  Returns the
 * decoded length.  \u surrogate pairs become one 4-byte UTF-8 sequence; a
 * lone surrogate becomes its 3-byte (WTF-8) form. */
size_t vn_json_unescape(const vn_json_str *s, char *out);

/* Key comparison that honours escapes ("b\u0062ox" equals "bbox"). */
int vn_json_str_equals(const vn_json_str *s, const char *lit, size_t lit_len);

/* Byte offset of the next unread byte. */
static inline size_t vn_json_offset(const vn_json *js)
{
    return (size_t)(js->p - js->begin);
}

/* Byte offset where the scalar most recently read by vn_json_read_number,
 * _read_string or _read_bool started (for errors about its value). */
static inline size_t vn_json_last_offset(const vn_json *js)
{
    return (size_t)(js->last - js->begin);
}

/* Index of the current element of the array open at nesting `level`
 * (0 = outermost), or -1. */
static inline int64_t vn_json_index_at(const vn_json *js, int level)
{
    if (level < 0 || level >= js->depth || !js->stack[level].is_array)
        return -1;
    return js->stack[level].index;
}

/* Saves the position (between values) so that vn_json_rewind can return
 * to it, as long as the containers open at the mark are still open. */
void vn_json_mark_here(const vn_json *js, vn_json_mark *mark);
void vn_json_rewind(vn_json *js, const vn_json_mark *mark);

/* Writes the current JSON path into buf (NUL-terminated, truncated to cap). */
void vn_json_path(const vn_json *js, char *buf, size_t cap);

/* Fails with `code`: fills the error (cleared first) with the location of
 * byte `offset`, the current path and the message "path: <fmt> (line L,
 * column C)".  Returns `code`. */
int vn_json_fail(vn_json *js, int code, size_t offset, const char *fmt, ...) VN_PRINTF(4, 5);

/* ---- inline fast paths ----------------------------------------------------
 *
 * The three calls made per key and per number take the compact form
 * Python's json.dumps writes (", " and ": " separators, plain ASCII keys)
 * inline, touching nothing until they succeed; anything else goes to the
 * general versions in json.c, which start over from the same position. */

/* Word-at-a-time string scanning needs little-endian byte order (the first
 * byte of the input is the low byte of the word) and count-trailing-zeros. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#  define VN_JSON_SWAR 1

/* High bit set in each byte of x that is a quote, a backslash, a control
 * byte or >= 0x80: the bytes a string scan must stop at.  The classic
 * "has zero byte" expressions are exact for the lowest flagged byte
 * (borrows only travel upwards), which is all callers use. */
static inline uint64_t vn_json_string_stops(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull;
    uint64_t q = x ^ (ones * '"');
    uint64_t b = x ^ (ones * '\\');
    uint64_t m = x;                  /* >= 0x80 */
    m |= (x - ones * 0x20) & ~x;     /* < 0x20 */
    m |= (q - ones) & ~q;            /* == '"' */
    m |= (b - ones) & ~b;            /* == '\\' */
    return m & 0x8080808080808080ull;
}
#endif

int vn_json_object_next_general(vn_json *js, vn_json_str *key);
int vn_json_array_next_general(vn_json *js);
int vn_json_read_number_general(vn_json *js, vn_number *num, const char *expected);

static inline int vn_json_object_next(vn_json *js, vn_json_str *key)
{
    vn_json_frame *f = &js->stack[js->depth - 1];
    const char *p = js->p, *end = js->end, *k;
    if (f->index >= 0) {
        if (p >= end || *p != ',')
            goto general;
        p++;
    }
    if (p < end && *p == ' ')
        p++;
    if (p >= end || *p != '"')
        goto general;
    k = ++p;
#ifdef VN_JSON_SWAR
    /* Keys of up to 15 bytes in two word tests. */
    if (end - p >= 16) {
        uint64_t x, m;
        memcpy(&x, p, 8);
        m = vn_json_string_stops(x);
        if (m == 0) {
            memcpy(&x, p + 8, 8);
            m = vn_json_string_stops(x);
            if (m == 0)
                goto general;
            p += 8;
        }
        p += __builtin_ctzll(m) >> 3;
    }
#endif
    /* Printable ASCII other than '"' and '\\'. */
    while (p < end && (unsigned char)(*p - 0x20) < 0x60 && *p != '"' && *p != '\\')
        p++;
    if (p >= end || *p != '"' || p - k > 64)
        goto general;
    key->ptr = k;
    key->len = (size_t)(p - k);
    key->escaped = 0;
    p++;
    if (p >= end || *p != ':')
        goto general;
    p++;
    if (p < end && *p == ' ')
        p++;
    f->key = k;
    f->key_len = (uint32_t)key->len;
    f->index++;
    js->p = p;
    return 1;
general:
    return vn_json_object_next_general(js, key);
}

static inline int vn_json_array_next(vn_json *js)
{
    vn_json_frame *f = &js->stack[js->depth - 1];
    if (f->index >= 0 && js->p < js->end && *js->p == ',') {
        f->index++;
        js->p++;
        return 1;
    }
    return vn_json_array_next_general(js);
}

static inline int vn_json_read_number(vn_json *js, vn_number *num, const char *expected)
{
    const char *p = js->p, *next;
    if (p < js->end && *p == ' ')
        p++;
    if (p < js->end && ((unsigned char)(*p - '0') < 10u || *p == '-') &&
        vn_parse_number(p, js->end, &next, num) == VN_NUM_OK) {
        js->last = p;
        js->p = next;
        return VERNIER_OK;
    }
    return vn_json_read_number_general(js, num, expected);
}

#endif
