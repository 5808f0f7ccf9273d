/* json.c — the pull reader of json.h.
 *
 * Speed comes from three things: byte classes in 256-entry tables (one load
 * per byte instead of a chain of comparisons), strings scanned 8 bytes at a
 * time while they are plain ASCII, and vn_json_skip validating skipped
 * values with a syntax-only number scanner (no conversion) in one
 * iterative loop.  Error reporting is kept off the fast paths: the path is
 * a stack of pointers into the input, turned into text only on failure.
 *
 * Error offsets follow Python's json module where it is cheap to do so
 * (e.g. an unterminated string is reported at its opening quote, "[1.]" at
 * the '.'), so that line/column agree with a JSONDecodeError. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "parse/json.h"

/* ---- byte classes ------------------------------------------------------ */

/* JSON whitespace: space, tab, line feed, carriage return. */
static const uint8_t ws_class[256] = {
    ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1,
};

/* Bytes a string scan must stop at. */
enum { S_PLAIN = 0, S_CTRL = 1, S_QUOTE = 2, S_BACKSLASH = 3, S_HIGH = 4 };

#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
static const uint8_t str_class[256] = {
    R16(S_CTRL), R16(S_CTRL),                                 /* 0x00-0x1F */
    0, 0, S_QUOTE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,     /* 0x20-0x2F */
    R16(0),                                                   /* 0x30-0x3F */
    R16(0),                                                   /* 0x40-0x4F */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, S_BACKSLASH, 0, 0, 0, /* 0x50-0x5F */
    R16(0), R16(0),                                           /* 0x60-0x7F */
    R16(S_HIGH), R16(S_HIGH), R16(S_HIGH), R16(S_HIGH),       /* 0x80-0xFF */
    R16(S_HIGH), R16(S_HIGH), R16(S_HIGH), R16(S_HIGH),
};
#undef R16

/* What a value starting with a given byte is (0: nothing valid). */
static const uint8_t value_class[256] = {
    ['{'] = VN_JSON_OBJECT, ['['] = VN_JSON_ARRAY, ['"'] = VN_JSON_STRING,
    ['-'] = VN_JSON_NUMBER, ['0'] = VN_JSON_NUMBER, ['1'] = VN_JSON_NUMBER,
    ['2'] = VN_JSON_NUMBER, ['3'] = VN_JSON_NUMBER, ['4'] = VN_JSON_NUMBER,
    ['5'] = VN_JSON_NUMBER, ['6'] = VN_JSON_NUMBER, ['7'] = VN_JSON_NUMBER,
    ['8'] = VN_JSON_NUMBER, ['9'] = VN_JSON_NUMBER, ['t'] = VN_JSON_TRUE,
    ['f'] = VN_JSON_FALSE, ['n'] = VN_JSON_NULL,
};

static inline int is_digit(char c)
{
    return (unsigned char)(c - '0') < 10u;
}

/* Word-at-a-time helpers (VN_JSON_SWAR and vn_json_string_stops come from
 * json.h). */
#ifdef VN_JSON_SWAR
#  define ONES 0x0101010101010101ull
#endif

/* End of the run of ASCII digits at p.  A plain loop: number fields are
 * short (1-4 digits), and a predicted branch per digit beats a word-at-a-
 * time test whose result the next load has to wait for (measured). */
static inline const char *digit_run(const char *p, const char *end)
{
    while (p < end && is_digit(*p))
        p++;
    return p;
}

/* Indentation and other runs of whitespace, out of the hot path. */
static const char *skip_ws_run(const char *p, const char *end)
{
    for (;;) {
#ifdef VN_JSON_SWAR
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            if (x != ONES * ' ')
                break;
            p += 8;
        }
#endif
        if (p >= end || !ws_class[(unsigned char)*p])
            return p;
        p++;
    }
}

/* Most whitespace in real files is none or a single space (", " and ": "
 * of Python's json.dumps): those cost two table lookups. */
static inline const char *skip_ws(const char *p, const char *end)
{
    if (p < end && ws_class[(unsigned char)*p]) {
        p++;
        if (p < end && ws_class[(unsigned char)*p])
            p = skip_ws_run(p + 1, end);
    }
    return p;
}

/* ---- errors ------------------------------------------------------------ */

void vn_json_path(const vn_json *js, char *buf, size_t cap)
{
    size_t n = 0;
    int i;
    if (cap == 0)
        return;
    buf[0] = '\0';
    for (i = 0; i < js->depth && n + 1 < cap; i++) {
        const vn_json_frame *f = &js->stack[i];
        int w;
        if (f->is_array) {
            if (f->index < 0)
                continue;
            w = snprintf(buf + n, cap - n, "[%lld]", (long long)f->index);
        } else {
            if (f->key == NULL)
                continue;
            /* Keys are printed raw (escapes as written); one longer than
             * 64 bytes is cut to 61 and marked with "...". */
            int cut = f->key_len > 64;
            int klen = cut ? 61 : (int)f->key_len;
            w = snprintf(buf + n, cap - n, "%s%.*s%s", n == 0 ? "" : ".", klen, f->key,
                         cut ? "..." : "");
        }
        if (w < 0)
            break;
        n += (size_t)w;
    }
    if (n >= cap)
        buf[cap - 1] = '\0';
}

int vn_json_fail(vn_json *js, int code, size_t offset, const char *fmt, ...)
{
    vernier_error *err = js->err;
    /* longer than err->path, so that vn_error_set_path sees a path that
     * does not fit and marks the cut with "..." */
    char path[4 * sizeof(err->path)];
    char msg[sizeof(err->message)];
    va_list ap;
    if (!vn_error_usable(err))
        return code;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    vn_json_path(js, path, sizeof(path));
    vn_error_clear(err);
    vn_error_locate(err, js->begin, (size_t)(js->end - js->begin), offset);
    vn_error_set_path(err, path);
    /* the message names the path as err->path holds it (cut to fit) */
    memcpy(path, err->path, sizeof(err->path));
    if (path[0] != '\0') {
        vn_fail(err, code, "%s: %s (line %lld, column %lld)", path, msg, (long long)err->line,
                (long long)err->column);
        vn_error_set_reason(err, strlen(path) + 2, strlen(msg));
    } else {
        vn_fail(err, code, "%s (line %lld, column %lld)", msg, (long long)err->line,
                (long long)err->column);
        vn_error_set_reason(err, 0, strlen(msg));
    }
    return code;
}

static int syntax_at(vn_json *js, const char *p, const char *what)
{
    return vn_json_fail(js, VERNIER_E_JSON, (size_t)(p - js->begin), "%s", what);
}

/* "expected X" with a description of what was found at p. */
static int expected_at(vn_json *js, const char *p, const char *what)
{
    size_t off = (size_t)(p - js->begin);
    unsigned char c;
    if (p >= js->end)
        return vn_json_fail(js, VERNIER_E_JSON, off, "expected %s, found end of input", what);
    c = (unsigned char)*p;
    if (c >= 0x20 && c < 0x7f)
        return vn_json_fail(js, VERNIER_E_JSON, off, "expected %s, found '%c'", what, (char)c);
    return vn_json_fail(js, VERNIER_E_JSON, off, "expected %s, found byte 0x%02X", what, c);
}

static int literal_is(const char *p, const char *end, const char *lit, size_t n)
{
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* No value can start at p: name NaN/Infinity explicitly, else generic. */
static int bad_value(vn_json *js, const char *p)
{
    const char *end = js->end;
    if (literal_is(p, end, "NaN", 3))
        return syntax_at(js, p, "non-finite number literal NaN is not allowed");
    if (literal_is(p, end, "Infinity", 8))
        return syntax_at(js, p, "non-finite number literal Infinity is not allowed");
    if (literal_is(p, end, "-Infinity", 9))
        return syntax_at(js, p, "non-finite number literal -Infinity is not allowed");
    return expected_at(js, p, "a value");
}

const char *vn_json_type_name(int type)
{
    switch (type) {
    case VN_JSON_OBJECT: return "object";
    case VN_JSON_ARRAY: return "array";
    case VN_JSON_STRING: return "string";
    case VN_JSON_NUMBER: return "number";
    case VN_JSON_TRUE:
    case VN_JSON_FALSE: return "boolean";
    case VN_JSON_NULL: return "null";
    default: return "nothing";
    }
}

/* ---- scanners (syntax only) ------------------------------------------- */

/* p at a '\\' inside a string.  Returns the byte after the escape. */
static const char *scan_escape(vn_json *js, const char *p)
{
    const char *end = js->end;
    int i;
    if (end - p < 2) {
        return NULL; /* caller reports the unterminated string */
    }
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return p + 2;
    case 'u':
        /* Like Python, four hex digits and one more byte must follow, else
         * "invalid \uXXXX escape" at the 'u' (not "unterminated"). */
        if (end - p < 7) {
            syntax_at(js, p + 1, "invalid \\uXXXX escape");
            return p;
        }
        for (i = 2; i < 6; i++) {
            unsigned char c = (unsigned char)p[i];
            if (!(is_digit((char)c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))) {
                syntax_at(js, p + 1, "invalid \\uXXXX escape");
                return p; /* error already reported: signalled by p itself */
            }
        }
        return p + 6;
    default:
        syntax_at(js, p, "invalid escape");
        return p;
    }
}

/* p at a byte >= 0x80 inside a string: one well-formed UTF-8 sequence
 * (no overlongs, no surrogates, nothing above U+10FFFF).  Returns the byte
 * after it, or NULL after reporting. */
static const char *scan_utf8(vn_json *js, const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t avail = (size_t)(js->end - p), n, i;
    unsigned char c = u[0], lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2;
        if (c == 0xE0)
            lo = 0xA0; /* overlong below U+0800 */
        else if (c == 0xED)
            hi = 0x9F; /* U+D800..U+DFFF */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3;
        if (c == 0xF0)
            lo = 0x90; /* overlong below U+10000 */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        syntax_at(js, p, "invalid UTF-8 in string");
        return NULL;
    }
    if (avail <= n || u[1] < lo || u[1] > hi) {
        syntax_at(js, p, "invalid UTF-8 in string");
        return NULL;
    }
    for (i = 2; i <= n; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            syntax_at(js, p, "invalid UTF-8 in string");
            return NULL;
        }
    }
    return p + n + 1;
}

/* `open` at a string's opening quote.  Returns its closing quote (sets
 * *escaped when it has backslash escapes), or NULL after reporting. */
static const char *scan_string(vn_json *js, const char *open, int *escaped)
{
    const char *p = open + 1, *end = js->end;
    int esc = 0;
    for (;;) {
#ifdef VN_JSON_SWAR
        while (end - p >= 8) {
            uint64_t x, m;
            memcpy(&x, p, 8);
            m = vn_json_string_stops(x);
            if (m != 0) {
                p += __builtin_ctzll(m) >> 3;
                break;
            }
            p += 8;
        }
#endif
        if (p >= end)
            break;
        switch (str_class[(unsigned char)*p]) {
        case S_PLAIN:
            p++;
            break;
        case S_QUOTE:
            *escaped = esc;
            return p;
        case S_BACKSLASH: {
            const char *q = scan_escape(js, p);
            if (q == NULL)
                goto unterminated;
            if (q == p)
                return NULL;
            esc = 1;
            p = q;
            break;
        }
        case S_CTRL:
            vn_json_fail(js, VERNIER_E_JSON, (size_t)(p - js->begin),
                         "invalid control character 0x%02X in string", (unsigned)(unsigned char)*p);
            return NULL;
        default: /* S_HIGH */
            p = scan_utf8(js, p);
            if (p == NULL)
                return NULL;
            break;
        }
    }
unterminated:
    syntax_at(js, open, "unterminated string");
    return NULL;
}

/* The longest prefix at p matching Python's number pattern
 * -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?  (optional parts only when
 * complete).  Returns p itself when nothing matches. */
static inline const char *scan_number(const char *p, const char *end)
{
    const char *s = p, *q;
    if (p < end && *p == '-')
        p++;
    if (p >= end)
        return s;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        p = digit_run(p + 1, end);
    else
        return s;
    if (end - p >= 2 && p[0] == '.' && is_digit(p[1]))
        p = digit_run(p + 2, end);
    if (p < end && (*p == 'e' || *p == 'E')) {
        q = p + 1;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q < end && is_digit(*q))
            p = digit_run(q + 1, end);
    }
    return p;
}

/* ---- containers -------------------------------------------------------- */

static int push(vn_json *js, const char *at, int is_array)
{
    vn_json_frame *f;
    if (js->depth >= VN_JSON_MAX_DEPTH)
        return vn_json_fail(js, VERNIER_E_LIMIT, (size_t)(at - js->begin),
                            "nesting deeper than %d levels", VN_JSON_MAX_DEPTH);
    f = &js->stack[js->depth++];
    f->key = NULL;
    f->key_len = 0;
    f->is_array = (uint32_t)is_array;
    f->index = -1;
    return VERNIER_OK;
}

/* p at the place a key must start ('"').  Reads `"key" :` and returns the
 * first byte of the value (after whitespace), or NULL after reporting.
 * The frame's key is recorded for error paths. */
static const char *read_key(vn_json *js, const char *p, vn_json_frame *f, vn_json_str *key)
{
    const char *q;
    int esc = 0;
    f->key = NULL;
    if (p >= js->end || *p != '"') {
        expected_at(js, p, "a string key");
        return NULL;
    }
    q = scan_string(js, p, &esc);
    if (q == NULL)
        return NULL;
    f->key = p + 1;
    f->key_len = (size_t)(q - p - 1) > UINT32_MAX ? UINT32_MAX : (uint32_t)(q - p - 1);
    f->index++;
    if (key != NULL) {
        key->ptr = p + 1;
        key->len = (size_t)(q - p - 1);
        key->escaped = esc;
    }
    p = skip_ws(q + 1, js->end);
    if (p >= js->end || *p != ':') {
        expected_at(js, p, "':'");
        return NULL;
    }
    return skip_ws(p + 1, js->end);
}

int vn_json_init(vn_json *js, const char *data, size_t size, vernier_error *err)
{
    js->begin = data;
    js->p = data;
    js->end = data + size;
    js->last = data;
    js->err = err;
    js->depth = 0;
    if (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        return syntax_at(js, data, "a UTF-8 byte-order mark is not allowed");
    return VERNIER_OK;
}

int vn_json_peek(vn_json *js)
{
    const char *p = skip_ws(js->p, js->end);
    int t;
    js->p = p;
    if (p >= js->end)
        return expected_at(js, p, "a value");
    t = value_class[(unsigned char)*p];
    if (t == 0 || (*p == '-' && (js->end - p < 2 || !is_digit(p[1]))))
        return bad_value(js, p);
    return t;
}

int vn_json_object_begin(vn_json *js)
{
    int t = vn_json_peek(js);
    if (t < 0)
        return t;
    if (t != VN_JSON_OBJECT)
        return vn_json_type_error(js, t, "an object");
    VN_TRY(push(js, js->p, 0));
    js->p++;
    return VERNIER_OK;
}

int vn_json_object_next_general(vn_json *js, vn_json_str *key)
{
    vn_json_frame *f = &js->stack[js->depth - 1];
    const char *p = skip_ws(js->p, js->end);
    if (p < js->end && *p == '}') {
        /* "{}" or the end after a member ("{"a":1,}" falls to read_key). */
        js->p = p + 1;
        js->depth--;
        return 0;
    }
    if (f->index >= 0) {
        if (p >= js->end || *p != ',')
            return expected_at(js, p, "',' or '}'");
        p = skip_ws(p + 1, js->end);
    }
    p = read_key(js, p, f, key);
    if (p == NULL)
        return VERNIER_E_JSON;
    js->p = p;
    return 1;
}

int vn_json_array_begin(vn_json *js)
{
    int t = vn_json_peek(js);
    if (t < 0)
        return t;
    if (t != VN_JSON_ARRAY)
        return vn_json_type_error(js, t, "an array");
    VN_TRY(push(js, js->p, 1));
    js->p++;
    return VERNIER_OK;
}

int vn_json_array_next_general(vn_json *js)
{
    vn_json_frame *f = &js->stack[js->depth - 1];
    const char *p = skip_ws(js->p, js->end);
    if (p < js->end && *p == ']') {
        js->p = p + 1;
        js->depth--;
        return 0;
    }
    if (f->index >= 0) {
        if (p >= js->end || *p != ',')
            return expected_at(js, p, "',' or ']'");
        p++;
    }
    f->index++;
    js->p = p;
    return 1;
}

int vn_json_next_is_empty_array(vn_json *js)
{
    const char *p = skip_ws(js->p, js->end);
    if (p >= js->end || *p != '[')
        return 0;
    p = skip_ws(p + 1, js->end);
    return p < js->end && *p == ']';
}

/* ---- scalars ----------------------------------------------------------- */

int vn_json_read_number_general(vn_json *js, vn_number *num, const char *expected)
{
    const char *p = skip_ws(js->p, js->end), *next = p;
    int t;
    js->p = p;
    js->last = p;
    /* Fast path: the value starts like a number. */
    if (p >= js->end || value_class[(unsigned char)*p] != VN_JSON_NUMBER) {
        t = vn_json_peek(js);
        if (t < 0)
            return t;
        return vn_json_type_error(js, t, expected != NULL ? expected : "a number");
    }
    if (vn_parse_number(p, js->end, &next, num) != VN_NUM_OK) {
        /* Report where Python would: the end of the longest valid prefix. */
        const char *q = scan_number(p, js->end);
        if (q == p)
            return bad_value(js, q);
        return expected_at(js, q, "a delimiter after the number");
    }
    js->p = next;
    return VERNIER_OK;
}

int vn_json_read_string(vn_json *js, vn_json_str *s)
{
    const char *q;
    int esc = 0;
    int t = vn_json_peek(js);
    if (t < 0)
        return t;
    if (t != VN_JSON_STRING)
        return vn_json_type_error(js, t, "a string");
    q = scan_string(js, js->p, &esc);
    if (q == NULL)
        return VERNIER_E_JSON;
    js->last = js->p;
    s->ptr = js->p + 1;
    s->len = (size_t)(q - js->p - 1);
    s->escaped = esc;
    js->p = q + 1;
    return VERNIER_OK;
}

/* p at 't', 'f' or 'n': the whole literal or an error. */
static const char *scan_literal(vn_json *js, const char *p)
{
    const char *end = js->end;
    if (*p == 't' && literal_is(p, end, "true", 4))
        return p + 4;
    if (*p == 'f' && literal_is(p, end, "false", 5))
        return p + 5;
    if (*p == 'n' && literal_is(p, end, "null", 4))
        return p + 4;
    expected_at(js, p, "a value");
    return NULL;
}

int vn_json_read_bool(vn_json *js, int *value)
{
    const char *q;
    int t = vn_json_peek(js);
    if (t < 0)
        return t;
    if (t != VN_JSON_TRUE && t != VN_JSON_FALSE)
        return vn_json_type_error(js, t, "a boolean");
    q = scan_literal(js, js->p);
    if (q == NULL)
        return VERNIER_E_JSON;
    *value = t == VN_JSON_TRUE;
    js->last = js->p;
    js->p = q;
    return VERNIER_OK;
}

int vn_json_type_error(vn_json *js, int type, const char *expected)
{
    size_t at = vn_json_offset(js);
    VN_TRY(vn_json_skip(js));
    return vn_json_fail(js, VERNIER_E_SCHEMA, at, "expected %s, got %s", expected,
                        vn_json_type_name(type));
}

/* ---- skipping ---------------------------------------------------------- */

/* Consumes one value and everything nested in it.  Iterative, as a small
 * state machine (`value`: a value starts at p; `after`: one just ended).
 * The frame stack doubles as the bracket-matching stack, and frames carry
 * the current key/index so an error deep inside still gets its full path.
 * Elements of numeric arrays (polygons, keypoints) take a tight loop. */
int vn_json_skip(vn_json *js)
{
    const int base = js->depth;
    const char *p = js->p, *end = js->end, *q;
    vn_json_frame *f;
    int esc;

value:
    p = skip_ws(p, end);
    if (p >= end)
        return expected_at(js, p, "a value");
    switch (value_class[(unsigned char)*p]) {
    case VN_JSON_OBJECT:
        VN_TRY(push(js, p, 0));
        p = skip_ws(p + 1, end);
        if (p < end && *p == '}') {
            p++;
            js->depth--;
            goto after;
        }
        p = read_key(js, p, &js->stack[js->depth - 1], NULL);
        if (p == NULL)
            return VERNIER_E_JSON;
        goto value;
    case VN_JSON_ARRAY:
        VN_TRY(push(js, p, 1));
        p = skip_ws(p + 1, end);
        if (p < end && *p == ']') {
            p++;
            js->depth--;
            goto after;
        }
        js->stack[js->depth - 1].index = 0;
        goto value;
    case VN_JSON_STRING:
        q = scan_string(js, p, &esc);
        if (q == NULL)
            return VERNIER_E_JSON;
        p = q + 1;
        goto after;
    case VN_JSON_NUMBER:
        q = scan_number(p, end);
        if (q == p)
            return bad_value(js, p);
        p = q;
        goto after;
    case VN_JSON_TRUE:
    case VN_JSON_FALSE:
    case VN_JSON_NULL:
        p = scan_literal(js, p);
        if (p == NULL)
            return VERNIER_E_JSON;
        goto after;
    default:
        return bad_value(js, p);
    }

after:
    if (js->depth == base) {
        js->p = p;
        return VERNIER_OK;
    }
    f = &js->stack[js->depth - 1];
    p = skip_ws(p, end);
    if (p < end && *p == ',') {
        if (!f->is_array) {
            p = read_key(js, skip_ws(p + 1, end), f, NULL);
            if (p == NULL)
                return VERNIER_E_JSON;
            goto value;
        }
        for (;;) {
            f->index++;
            p = skip_ws(p + 1, end);
            if (p >= end || value_class[(unsigned char)*p] != VN_JSON_NUMBER)
                goto value;
            q = scan_number(p, end);
            if (q == p)
                return bad_value(js, p);
            p = skip_ws(q, end);
            if (p >= end || *p != ',')
                break;
        }
    }
    if (p < end && *p == (f->is_array ? ']' : '}')) {
        p++;
        js->depth--;
        goto after;
    }
    return expected_at(js, p, f->is_array ? "',' or ']'" : "',' or '}'");
}

int vn_json_finish(vn_json *js)
{
    const char *p = skip_ws(js->p, js->end);
    js->p = p;
    if (p < js->end)
        return syntax_at(js, p, "trailing data after the top-level value");
    return VERNIER_OK;
}

/* ---- marks ------------------------------------------------------------- */

void vn_json_mark_here(const vn_json *js, vn_json_mark *mark)
{
    mark->p = js->p;
    mark->depth = js->depth;
    if (js->depth > 0)
        mark->top = js->stack[js->depth - 1];
}

void vn_json_rewind(vn_json *js, const vn_json_mark *mark)
{
    js->p = mark->p;
    js->depth = mark->depth;
    if (mark->depth > 0)
        js->stack[mark->depth - 1] = mark->top;
}

/* ---- unescaping -------------------------------------------------------- */

static unsigned hex4(const char *p)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned c = (unsigned char)p[i];
        v = v * 16 + (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Decodes the escape at *pp (a validated string: p[0] == '\\') into out
 * (up to 4 bytes), advancing *pp.  Returns the number of bytes written. */
static size_t decode_escape(const char **pp, const char *end, char *out)
{
    const char *p = *pp;
    unsigned cp;
    char c = p[1];
    *pp = p + 2;
    switch (c) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': break;
    default: out[0] = c; return 1; /* '"', '\\', '/' */
    }
    cp = hex4(p + 2);
    *pp = p + 6;
    if (cp >= 0xD800 && cp <= 0xDBFF && end - (p + 6) >= 6 && p[6] == '\\' && p[7] == 'u') {
        unsigned lo = hex4(p + 8);
        if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            *pp = p + 12;
        }
    }
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) { /* includes lone surrogates (WTF-8) */
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t vn_json_unescape(const vn_json_str *s, char *out)
{
    const char *p = s->ptr, *end = s->ptr + s->len;
    size_t n = 0;
    if (!s->escaped) {
        if (s->len != 0)
            memcpy(out, p, s->len);
        return s->len;
    }
    while (p < end) {
        const char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t run = bs == NULL ? (size_t)(end - p) : (size_t)(bs - p);
        memcpy(out + n, p, run);
        n += run;
        p += run;
        if (p < end)
            n += decode_escape(&p, end, out + n);
    }
    return n;
}

int vn_json_str_equals(const vn_json_str *s, const char *lit, size_t lit_len)
{
    const char *p = s->ptr, *end = s->ptr + s->len;
    size_t i = 0;
    if (!s->escaped)
        return s->len == lit_len && memcmp(s->ptr, lit, lit_len) == 0;
    while (p < end) {
        char buf[4];
        size_t k, n;
        if (*p != '\\') {
            if (i >= lit_len || lit[i] != *p)
                return 0;
            i++;
            p++;
            continue;
        }
        n = decode_escape(&p, end, buf);
        for (k = 0; k < n; k++, i++)
            if (i >= lit_len || lit[i] != buf[k])
                return 0;
    }
    return i == lit_len;
}
