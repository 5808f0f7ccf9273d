/* test_json.c — the pull reader (json.h): tokens, skipping, unescaping,
 * and every error class with its exact location and path. */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "parse/json.h"

static vn_json js; /* ~16 KiB: kept off the stack */

static int init(const char *s, vernier_error *err)
{
    vn_error_clear(err);
    return vn_json_init(&js, s, strlen(s), err);
}

/* Skips the whole document (value + end of input). */
static int skip_doc(const char *s, size_t len, vernier_error *err)
{
    int rc;
    vn_error_clear(err);
    rc = vn_json_init(&js, s, len, err);
    if (rc == VERNIER_OK)
        rc = vn_json_skip(&js);
    if (rc == VERNIER_OK)
        rc = vn_json_finish(&js);
    return rc;
}

static void test_pull_reading(void)
{
    static const char doc[] =
        " { \"a\" : [1, -2.5e1, true, false, null, \"s\"], \"b\\u0062\": {}, \"c\": [] } ";
    vernier_error err = VERNIER_ERROR_INIT;
    vn_json_str key, s;
    vn_number num;
    int b;
    CHECK_INT(init(doc, &err), VERNIER_OK);
    CHECK_INT(vn_json_peek(&js), VN_JSON_OBJECT);
    CHECK_INT(vn_json_object_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK(vn_json_str_equals(&key, "a", 1));
    CHECK_INT(key.escaped, 0);
    CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_index_at(&js, 1), 0);
    CHECK_INT(vn_json_read_number(&js, &num, NULL), VERNIER_OK);
    CHECK_INT(num.is_int, 1);
    CHECK_INT(num.i, 1);
    CHECK_INT(vn_json_last_offset(&js), 10);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_read_number(&js, &num, NULL), VERNIER_OK);
    CHECK_DBL(num.d, -25.0);
    CHECK_INT(num.is_integral_literal, 0);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_read_bool(&js, &b), VERNIER_OK);
    CHECK_INT(b, 1);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_read_bool(&js, &b), VERNIER_OK);
    CHECK_INT(b, 0);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_peek(&js), VN_JSON_NULL);
    CHECK_INT(vn_json_skip(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_index_at(&js, 1), 5);
    CHECK_INT(vn_json_read_string(&js, &s), VERNIER_OK);
    CHECK_INT(s.len, 1);
    CHECK(s.ptr[0] == 's');
    CHECK_INT(vn_json_array_next(&js), 0);
    CHECK_INT(js.depth, 1);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK_INT(key.escaped, 1);
    CHECK(vn_json_str_equals(&key, "bb", 2));
    CHECK(!vn_json_str_equals(&key, "b", 1));
    CHECK(!vn_json_str_equals(&key, "bbb", 3));
    CHECK(!vn_json_next_is_empty_array(&js));
    CHECK_INT(vn_json_skip(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK(vn_json_next_is_empty_array(&js));
    CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 0);
    CHECK_INT(vn_json_object_next(&js, &key), 0);
    CHECK_INT(js.depth, 0);
    CHECK_INT(vn_json_finish(&js), VERNIER_OK);
    CHECK_INT(err.code, VERNIER_OK); /* untouched */
}

static void test_mark_rewind(void)
{
    static const char doc[] = "[{\"k\": [1, 2]}, 3]";
    vernier_error err = VERNIER_ERROR_INIT;
    vn_json_mark mark;
    vn_json_str key;
    vn_number num;
    CHECK_INT(init(doc, &err), VERNIER_OK);
    CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 1);
    vn_json_mark_here(&js, &mark);
    CHECK_INT(vn_json_object_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK_INT(vn_json_skip(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 0);
    vn_json_rewind(&js, &mark);
    CHECK_INT(vn_json_skip(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_index_at(&js, 0), 1);
    CHECK_INT(vn_json_read_number(&js, &num, NULL), VERNIER_OK);
    CHECK_INT(num.i, 3);
    CHECK_INT(vn_json_array_next(&js), 0);
    CHECK_INT(vn_json_finish(&js), VERNIER_OK);
}

static void test_unescape(void)
{
    /* \u00e9 -> C3 A9; a surrogate pair -> one 4-byte sequence; a lone
     * surrogate (accepted, as Python does) -> its 3-byte form; reversed
     * pair -> two lone surrogates. */
    static const char doc[] =
        "[\"x\\\"\\\\\\/\\b\\f\\n\\r\\ty\", \"\\u00e9\\u20AC\", \"\\ud83d\\ude00\", \"\\ud800a\","
        " \"\\udc00\\ud800\", \"plain\"]";
    static const char *const want[] = {
        "x\"\\/\b\f\n\r\ty", "\xC3\xA9\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\xA0\x80" "a",
        "\xED\xB0\x80\xED\xA0\x80", "plain",
    };
    vernier_error err = VERNIER_ERROR_INIT;
    vn_json_str s;
    char buf[64];
    size_t i = 0, n;
    CHECK_INT(init(doc, &err), VERNIER_OK);
    CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
    while (vn_json_array_next(&js) == 1) {
        CHECK_INT(vn_json_read_string(&js, &s), VERNIER_OK);
        CHECK(s.len <= sizeof(buf));
        n = vn_json_unescape(&s, buf);
        CHECK(n <= s.len);
        CHECK_INT(n, strlen(want[i]));
        CHECK(memcmp(buf, want[i], n) == 0);
        CHECK(vn_json_str_equals(&s, want[i], strlen(want[i])));
        i++;
    }
    CHECK_INT(i, 6);
}

/* Valid documents the skipper must accept (Python's json accepts each). */
static void test_skip_valid(void)
{
    static const char *const docs[] = {
        "0", "-0", "-0.0e-0", "1E+2", "123456789012345678901234567890", "1e400", "\"\"", "[]",
        "{}", " [ ] ", "\t\r\n{\"a\"\t:\r\n[ { } , [ ] , \"\" , 0 , true , false , null ] }\n",
        "[1,2,3,[4,[5,[6]]],{\"x\":{\"y\":{}}}]", "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF\"",
        "\"\\ud800\"", "\"\\uDFFF\\uD800\"", "[0.5,-1.25e-3,7]", "{\"\":\"\"}",
        "\"a long ascii string that is more than sixteen bytes long to use the word loop\"",
        "        [                                     1                       ]          ",
    };
    size_t i;
    vernier_error err = VERNIER_ERROR_INIT;
    for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        int rc = skip_doc(docs[i], strlen(docs[i]), &err);
        if (rc != VERNIER_OK)
            fprintf(stderr, "doc %zu: %s\n", i, err.message);
        CHECK_INT(rc, VERNIER_OK);
    }
}

struct bad_doc {
    const char *doc;
    int code;
    int64_t offset; /* == Python's JSONDecodeError.pos where Python refuses too */
    const char *path;
    const char *message;
};

/* Error class, offset, path and message.  Offsets equal Python 3.11's
 * JSONDecodeError.pos for the same text (also checked by a differential
 * run over 120,000 mutated documents: same accept/reject decision and same
 * offset, NaN/Infinity apart). */
static void test_skip_errors(void)
{
    static const struct bad_doc bad[] = {
        {"", VERNIER_E_JSON, 0, "", "expected a value, found end of input (line 1, column 1)"},
        {"   ", VERNIER_E_JSON, 3, "", "expected a value, found end of input (line 1, column 4)"},
        {"[01]", VERNIER_E_JSON, 2, "[0]", "[0]: expected ',' or ']', found '1' (line 1, column 3)"},
        {"[1,]", VERNIER_E_JSON, 3, "[1]", "[1]: expected a value, found ']' (line 1, column 4)"},
        {"{\"a\":1,}", VERNIER_E_JSON, 7, "",
         "expected a string key, found '}' (line 1, column 8)"},
        {"[1 2]", VERNIER_E_JSON, 3, "[0]", "[0]: expected ',' or ']', found '2' (line 1, column 4)"},
        {"\"\\x\"", VERNIER_E_JSON, 1, "", "invalid escape (line 1, column 2)"},
        {"\"ab\\u12x4\"", VERNIER_E_JSON, 4, "", "invalid \\uXXXX escape (line 1, column 5)"},
        {"\"\\u0041", VERNIER_E_JSON, 2, "", "invalid \\uXXXX escape (line 1, column 3)"},
        {"[\"\\ud800", VERNIER_E_JSON, 3, "[0]", "[0]: invalid \\uXXXX escape (line 1, column 4)"},
        {"\"\\", VERNIER_E_JSON, 0, "", "unterminated string (line 1, column 1)"},
        {"[1]x", VERNIER_E_JSON, 3, "", "trailing data after the top-level value (line 1, column 4)"},
        {"{\"a\" 1}", VERNIER_E_JSON, 5, "a", "a: expected ':', found '1' (line 1, column 6)"},
        {"[tru]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found 't' (line 1, column 2)"},
        {"[-]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found '-' (line 1, column 2)"},
        {"[1.]", VERNIER_E_JSON, 2, "[0]", "[0]: expected ',' or ']', found '.' (line 1, column 3)"},
        {"[1e]", VERNIER_E_JSON, 2, "[0]", "[0]: expected ',' or ']', found 'e' (line 1, column 3)"},
        {"[1e+]", VERNIER_E_JSON, 2, "[0]", "[0]: expected ',' or ']', found 'e' (line 1, column 3)"},
        {"[1.5.3]", VERNIER_E_JSON, 4, "[0]", "[0]: expected ',' or ']', found '.' (line 1, column 5)"},
        {"[-x]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found '-' (line 1, column 2)"},
        {"[--1]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found '-' (line 1, column 2)"},
        {"[+1]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found '+' (line 1, column 2)"},
        {"[.5]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found '.' (line 1, column 2)"},
        {"\"a\tb\"", VERNIER_E_JSON, 2, "",
         "invalid control character 0x09 in string (line 1, column 3)"},
        {"[\"abc", VERNIER_E_JSON, 1, "[0]", "[0]: unterminated string (line 1, column 2)"},
        {"[1, \"ab\\", VERNIER_E_JSON, 4, "[1]", "[1]: unterminated string (line 1, column 5)"},
        {"{\"a\":1", VERNIER_E_JSON, 6, "a",
         "a: expected ',' or '}', found end of input (line 1, column 7)"},
        {"[", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found end of input (line 1, column 2)"},
        {"{", VERNIER_E_JSON, 1, "", "expected a string key, found end of input (line 1, column 2)"},
        {"{\"a\"", VERNIER_E_JSON, 4, "a", "a: expected ':', found end of input (line 1, column 5)"},
        {"{1:2}", VERNIER_E_JSON, 1, "", "expected a string key, found '1' (line 1, column 2)"},
        {"[1}", VERNIER_E_JSON, 2, "[0]", "[0]: expected ',' or ']', found '}' (line 1, column 3)"},
        {"{\"a\":1]", VERNIER_E_JSON, 6, "a", "a: expected ',' or '}', found ']' (line 1, column 7)"},
        {"[nul]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found 'n' (line 1, column 2)"},
        {"[True]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found 'T' (line 1, column 2)"},
        {"'a'", VERNIER_E_JSON, 0, "", "expected a value, found ''' (line 1, column 1)"},
        /* Literals Python accepts and we refuse by design. */
        {"[NaN]", VERNIER_E_JSON, 1, "[0]",
         "[0]: non-finite number literal NaN is not allowed (line 1, column 2)"},
        {"{\"x\": Infinity}", VERNIER_E_JSON, 6, "x",
         "x: non-finite number literal Infinity is not allowed (line 1, column 7)"},
        {"[1, -Infinity]", VERNIER_E_JSON, 4, "[1]",
         "[1]: non-finite number literal -Infinity is not allowed (line 1, column 5)"},
        {"\xEF\xBB\xBF{}", VERNIER_E_JSON, 0, "",
         "a UTF-8 byte-order mark is not allowed (line 1, column 1)"},
        /* Path through nested containers, and line/column across lines. */
        {"{\"a\": [1, {\"b\": [1, 2, x]}]}", VERNIER_E_JSON, 23, "a[1].b[2]",
         "a[1].b[2]: expected a value, found 'x' (line 1, column 24)"},
        {"{\n  \"a\": [1,\n   2,,3]\n}", VERNIER_E_JSON, 18, "a[2]",
         "a[2]: expected a value, found ',' (line 3, column 6)"},
        /* Bytes outside strings. */
        {"[\xC3\xA9]", VERNIER_E_JSON, 1, "[0]", "[0]: expected a value, found byte 0xC3 (line 1, column 2)"},
    };
    size_t i;
    vernier_error err = VERNIER_ERROR_INIT;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = skip_doc(bad[i].doc, strlen(bad[i].doc), &err);
        if (rc != bad[i].code || err.offset != bad[i].offset || strcmp(err.message, bad[i].message))
            fprintf(stderr, "bad doc %zu: %s\n", i, bad[i].doc);
        CHECK_INT(rc, bad[i].code);
        CHECK_INT(err.code, bad[i].code);
        CHECK_INT(err.offset, bad[i].offset);
        CHECK_STR(err.path, bad[i].path);
        CHECK_STR(err.message, bad[i].message);
        CHECK_INT(err.index, -1);
    }
}

/* Invalid UTF-8 inside strings: each is refused at its lead byte. */
static void test_utf8(void)
{
    static const char *const bad[] = {
        "\"\x80\"",             /* lone continuation byte */
        "\"\xC0\x80\"",         /* overlong NUL */
        "\"\xC1\xBF\"",         /* overlong */
        "\"\xE0\x80\x80\"",     /* overlong 3-byte */
        "\"\xE0\x9F\xBF\"",     /* overlong 3-byte (U+07FF) */
        "\"\xED\xA0\x80\"",     /* UTF-8-encoded surrogate U+D800 */
        "\"\xED\xBF\xBF\"",     /* U+DFFF */
        "\"\xF0\x80\x80\x80\"", /* overlong 4-byte */
        "\"\xF0\x8F\xBF\xBF\"", /* overlong 4-byte (U+FFFF) */
        "\"\xF4\x90\x80\x80\"", /* U+110000 */
        "\"\xF5\x80\x80\x80\"", /* never valid */
        "\"\xFF\"",
        "\"\xE2\x82\"",         /* truncated before the quote */
        "\"\xE2\x82",           /* truncated at the end of input */
        "\"\xC3\x28\"",         /* bad continuation */
        "\"\xF0\x9F\x98\x28\"", /* bad last continuation */
    };
    size_t i;
    vernier_error err = VERNIER_ERROR_INIT;
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        CHECK_INT(skip_doc(bad[i], strlen(bad[i]), &err), VERNIER_E_JSON);
        CHECK_INT(err.offset, 1);
        CHECK_STR(err.message, "invalid UTF-8 in string (line 1, column 2)");
    }
    /* The same checks on the word-at-a-time path (the bad byte deep in a
     * long string) and in keys. */
    CHECK_INT(skip_doc("\"0123456789abcdefghij\xED\xA0\x80\"", 24, &err), VERNIER_E_JSON);
    CHECK_INT(err.offset, 21);
    CHECK_INT(skip_doc("{\"k\xC0\x80\": 1}", 10, &err), VERNIER_E_JSON);
    CHECK_INT(err.offset, 3);
    /* NUL inside a string is a control character. */
    CHECK_INT(skip_doc("[\"ab\0\"]", 7, &err), VERNIER_E_JSON);
    CHECK_INT(err.offset, 4);
    CHECK_STR(err.message, "[0]: invalid control character 0x00 in string (line 1, column 5)");
}

static void test_depth_limit(void)
{
    char *doc = malloc(2 * (VN_JSON_MAX_DEPTH + 1) + 1);
    vernier_error err = VERNIER_ERROR_INIT;
    size_t i;
    /* Exactly the limit: accepted. */
    for (i = 0; i < VN_JSON_MAX_DEPTH; i++) {
        doc[i] = '[';
        doc[VN_JSON_MAX_DEPTH + i] = ']';
    }
    CHECK_INT(skip_doc(doc, 2 * VN_JSON_MAX_DEPTH, &err), VERNIER_OK);
    /* One more: refused at the bracket that goes too deep. */
    for (i = 0; i <= VN_JSON_MAX_DEPTH; i++) {
        doc[i] = '[';
        doc[VN_JSON_MAX_DEPTH + 1 + i] = ']';
    }
    CHECK_INT(skip_doc(doc, 2 * (VN_JSON_MAX_DEPTH + 1), &err), VERNIER_E_LIMIT);
    CHECK_INT(err.code, VERNIER_E_LIMIT);
    CHECK_INT(err.offset, VN_JSON_MAX_DEPTH);
    CHECK(strstr(err.message, "nesting deeper than 512 levels") != NULL);
    /* Objects count too, and the pull API enforces the same limit. */
    for (i = 0; i <= VN_JSON_MAX_DEPTH; i++)
        doc[i] = '[';
    vn_error_clear(&err);
    CHECK_INT(vn_json_init(&js, doc, VN_JSON_MAX_DEPTH + 1, &err), VERNIER_OK);
    for (i = 0; i < VN_JSON_MAX_DEPTH; i++) {
        CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
        CHECK_INT(vn_json_array_next(&js), 1);
    }
    CHECK_INT(vn_json_array_begin(&js), VERNIER_E_LIMIT);
    free(doc);
}

/* Type errors from the pull API: SCHEMA after validating the value; a
 * malformed value gives JSON instead. */
static void test_type_errors(void)
{
    vernier_error err = VERNIER_ERROR_INIT;
    vn_number num;
    vn_json_str key, s;
    int b;
    CHECK_INT(init("{\"k\": \"str\"}", &err), VERNIER_OK);
    CHECK_INT(vn_json_object_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK_INT(vn_json_read_number(&js, &num, "an integer id"), VERNIER_E_SCHEMA);
    CHECK_INT(err.offset, 6);
    CHECK_STR(err.path, "k");
    CHECK_STR(err.message, "k: expected an integer id, got string (line 1, column 7)");

    CHECK_INT(init("{\"k\": [1, 2}", &err), VERNIER_OK);
    CHECK_INT(vn_json_object_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_object_next(&js, &key), 1);
    CHECK_INT(vn_json_read_string(&js, &s), VERNIER_E_JSON);
    CHECK_INT(err.offset, 11);

    CHECK_INT(init("[null]", &err), VERNIER_OK);
    CHECK_INT(vn_json_array_begin(&js), VERNIER_OK);
    CHECK_INT(vn_json_array_next(&js), 1);
    CHECK_INT(vn_json_read_bool(&js, &b), VERNIER_E_SCHEMA);
    CHECK_STR(err.message, "[0]: expected a boolean, got null (line 1, column 2)");

    CHECK_INT(init("{}", &err), VERNIER_OK);
    CHECK_INT(vn_json_array_begin(&js), VERNIER_E_SCHEMA);
    CHECK_STR(err.message, "expected an array, got object (line 1, column 1)");
    CHECK_INT(init("[]", &err), VERNIER_OK);
    CHECK_INT(vn_json_object_begin(&js), VERNIER_E_SCHEMA);
    CHECK_STR(err.message, "expected an object, got array (line 1, column 1)");
    CHECK_STR(vn_json_type_name(VN_JSON_FALSE), "boolean");
}

/* Every prefix of a document: the skipper must fail cleanly (never crash,
 * never read past the end: run under ASan), and every error must be
 * located within the input. */
static void test_truncation(void)
{
    static const char doc[] =
        "{\"images\": [{\"id\": 1, \"file_name\": \"a\\u00e9\\\"b.jpg\", \"w\": 1.5e3}],"
        " \"x\": [true, false, null, -0.25, [], {}], \"s\": \"\xE2\x82\xAC\"}";
    size_t len = strlen(doc), cut;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(skip_doc(doc, len, &err), VERNIER_OK);
    for (cut = 0; cut < len; cut++) {
        /* A private copy of exactly `cut` bytes so ASan sees any overread. */
        char *copy = malloc(cut + 1);
        int rc;
        memcpy(copy, doc, cut);
        rc = skip_doc(copy, cut, &err);
        CHECK_INT(rc, VERNIER_E_JSON);
        CHECK(err.offset >= 0 && (size_t)err.offset <= cut);
        CHECK(err.line == 1 && err.column == err.offset + 1);
        CHECK(err.message[0] != '\0');
        free(copy);
    }
}

int main(void)
{
    RUN(test_pull_reading);
    RUN(test_mark_rewind);
    RUN(test_unescape);
    RUN(test_skip_valid);
    RUN(test_skip_errors);
    RUN(test_utf8);
    RUN(test_depth_limit);
    RUN(test_type_errors);
    RUN(test_truncation);
    return harness_report("test_json");
}
