/* test_numparse.c — unit tests of vn_parse_number (numparse.h).
 *
 * Expected doubles are hex float literals, each checked against Python's
 * float() of the same text.  Every literal is parsed from an exactly sized
 * heap copy with no terminator, so a read at or past `end` shows up under
 * AddressSanitizer. */
#include <float.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "parse/numparse.h"

typedef struct {
    int rc;
    ptrdiff_t used; /* *next - p */
    vn_number num;
} parsed;

static parsed parse_n(const char *s, size_t n)
{
    parsed r;
    char *copy = malloc(n ? n : 1);
    if (!copy) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memcpy(copy, s, n);
    const char *next = NULL;
    memset(&r.num, 0xA5, sizeof r.num);
    r.rc = vn_parse_number(copy, copy + n, &next, &r.num);
    r.used = next ? next - copy : -1;
    free(copy);
    return r;
}

static parsed parse(const char *s)
{
    return parse_n(s, strlen(s));
}

/* The whole literal must parse to `want`. */
#define CHECK_NUM(lit, want)                                                                     \
    do {                                                                                         \
        const char *lit_ = (lit);                                                                \
        parsed r_ = parse(lit_);                                                                 \
        CHECK_INT(r_.rc, VN_NUM_OK);                                                             \
        CHECK_INT(r_.used, (long long)strlen(lit_));                                             \
        CHECK_DBL(r_.num.d, (want));                                                             \
    } while (0)

#define CHECK_SYNTAX(lit, at)                                                                    \
    do {                                                                                         \
        parsed r_ = parse(lit);                                                                  \
        CHECK_INT(r_.rc, VN_NUM_SYNTAX);                                                         \
        CHECK_INT(r_.used, (at));                                                                \
    } while (0)

static void test_typical(void)
{
    CHECK_NUM("123.45", 0x1.edccccccccccdp+6);
    CHECK_NUM("0.8734", 0x1.bf2e48e8a71dep-1);
    CHECK_NUM("17", 0x1.1p+4);
    CHECK_NUM("0.12345678901234568", 0x1.f9add3746f65fp-4);
    CHECK_NUM("1e-05", 0x1.4f8b588e368f1p-17);
    CHECK_NUM("306.41999999999996", 0x1.326b851eb851ep+8);
    CHECK_NUM("0.00012345678901234567", 0x1.02e85be180b74p-13); /* 21 digits, 17 significant */
    CHECK_NUM("-123.45", -0x1.edccccccccccdp+6);
    CHECK_NUM("0.1", 0x1.999999999999ap-4);
    CHECK_NUM("1E5", 100000.0);
    CHECK_NUM("1e+5", 100000.0);
    CHECK_NUM("1e05", 100000.0);
    CHECK_NUM("1.0e-0000000000000000000000000000005", 1e-5);
    CHECK_NUM("1.50", 1.5);
    CHECK_NUM("0", 0.0);
    CHECK_NUM("0.0", 0.0);
    CHECK_NUM("0e0", 0.0);
    CHECK_NUM("0.000e-5", 0.0);
    CHECK_NUM("1e20", 0x1.5af1d78b58c4p+66);
    CHECK_NUM("1e64", 0x1.84f03e93ff9f5p+212);
    CHECK_NUM("1e308", 0x1.1ccf385ebc8a0p+1023);
}

static void test_hard_cases(void)
{
    CHECK_NUM("9007199254740993", 0x1p+53);                 /* 2^53 + 1: tie, to even */
    CHECK_NUM("9007199254740995", 0x1.0000000000002p+53);   /* 2^53 + 3: tie, to even */
    CHECK_NUM("2.2250738585072011e-308", 0x0.fffffffffffffp-1022);
    CHECK_NUM("2.2250738585072012e-308", 0x1p-1022);
    CHECK_NUM("2.225073858507201136057409796709131975934819546349e-308",
              0x0.fffffffffffffp-1022);
    CHECK_NUM("4.9406564584124654e-324", 0x0.0000000000001p-1022);
    CHECK_NUM("5e-324", 0x0.0000000000001p-1022);
    CHECK_NUM("3e-324", 0x0.0000000000001p-1022);
    CHECK_NUM("1.5e-323", 0x0.0000000000003p-1022);
    CHECK_NUM("1e-320", 0x0.00000000007e8p-1022);
    CHECK_NUM("2.4703282292062327e-324", 0.0);
    CHECK_NUM("2.4703282292062328e-324", 0x0.0000000000001p-1022);
    CHECK_NUM("-2.4703282292062327e-324", -0.0);
    CHECK_NUM("1e-400", 0.0);
    CHECK_NUM("-1e-400", -0.0);
    CHECK_NUM("1.7976931348623157e308", 0x1.fffffffffffffp+1023);
    CHECK_NUM("1.7976931348623158e308", 0x1.fffffffffffffp+1023);
    CHECK_NUM("1.7976931348623159e308", HUGE_VAL);
    CHECK_NUM("-1.7976931348623159e308", -HUGE_VAL);
    CHECK_NUM("1e309", HUGE_VAL);
    CHECK_NUM("1e23", 0x1.52d02c7e14af6p+76);
    CHECK_NUM("8.98846567431158e307", 0x1p+1023);
    CHECK_NUM("7.2057594037927933e16", 0x1p+56);
    /* exact ties with a fraction (q in [-4, -1]): the truncated 5^q puts the
     * product just below the midpoint, so only the exact path can decide */
    CHECK_NUM("9007199254740993.0", 0x1p+53);
    CHECK_NUM("9007199254740995.0", 0x1.0000000000002p+53);
    CHECK_NUM("6770633637570037.5", 0x1.80ddafcdf25f6p+52);
    CHECK_NUM("2008125060409522375e-3", 0x1.c8984338fa2cap+50);
    CHECK_NUM("36091592261022444.0", 0x1.007239503165ep+55);
    CHECK_NUM("480558856.38258755e+7", 0x1.112a8474894d4p+52);
    /* 1 + 2^-53, the midpoint between 1 and the next double, written out */
    CHECK_NUM("1.00000000000000011102230246251565404236316680908203125", 1.0);
    CHECK_NUM("1.00000000000000011102230246251565404236316680908203124", 1.0);
    CHECK_NUM("1.00000000000000011102230246251565404236316680908203126", 0x1.0000000000001p+0);
    /* exponent extremes */
    CHECK_NUM("1e999999999999999999999999", HUGE_VAL);
    CHECK_NUM("1e-999999999999999999999999", 0.0);
    CHECK_NUM("0e999999999999999999999999", 0.0);
    CHECK_NUM("-0e999999999999999999999999", -0.0);
}

/* ---- very long literals, built exactly in decimal ---------------------- */

#define DEC_MAX 1200
typedef struct {
    int n;                 /* digits in use */
    unsigned char d[DEC_MAX]; /* little-endian decimal digits */
} dec;

static void dec_set(dec *x, unsigned v)
{
    x->n = 0;
    do {
        x->d[x->n++] = (unsigned char)(v % 10);
        v /= 10;
    } while (v);
}

static void dec_muladd(dec *x, unsigned m, unsigned a)
{
    unsigned carry = a;
    for (int i = 0; i < x->n; i++) {
        unsigned t = x->d[i] * m + carry;
        x->d[i] = (unsigned char)(t % 10);
        carry = t / 10;
    }
    while (carry) {
        if (x->n == DEC_MAX)
            abort();
        x->d[x->n++] = (unsigned char)(carry % 10);
        carry /= 10;
    }
}

static void dec_pow(dec *x, unsigned base, int e) /* x *= base^e */
{
    for (int i = 0; i < e; i++)
        dec_muladd(x, base, 0);
}

/* x += delta (delta = +1 or -1, x > 0) */
static void dec_add1(dec *x, int delta)
{
    int i = 0;
    if (delta > 0) {
        while (i < x->n && x->d[i] == 9)
            x->d[i++] = 0;
        if (i == x->n)
            x->d[x->n++] = 0;
        x->d[i]++;
    } else {
        while (x->d[i] == 0)
            x->d[i++] = 9;
        x->d[i]--;
        while (x->n > 1 && x->d[x->n - 1] == 0)
            x->n--;
    }
}

/* Writes "<digits><zeros 0s><tail>e<exp>" into buf. */
static size_t dec_literal(char *buf, size_t cap, const dec *x, int zeros, const char *tail, long exp)
{
    size_t k = 0;
    for (int i = x->n - 1; i >= 0; i--)
        buf[k++] = (char)('0' + x->d[i]);
    for (int i = 0; i < zeros; i++)
        buf[k++] = '0';
    for (const char *t = tail; *t; t++)
        buf[k++] = *t;
    int w = snprintf(buf + k, cap - k, "e%ld", exp);
    return k + (size_t)w;
}

/* The literal m * 10^e (m = x, x + 1 or x - 1), padded with `zeros` zeros
 * and an optional final 1 (which lifts it just above x * 10^e). */
static void check_long(const dec *x, int delta, int zeros, int sticky, long e, double want,
                       int line)
{
    static char buf[DEC_MAX + 2048];
    dec y = *x;
    if (delta)
        dec_add1(&y, delta);
    long exp = e - zeros - (sticky ? 1 : 0);
    size_t n = dec_literal(buf, sizeof buf, &y, zeros, sticky ? "1" : "", exp);
    parsed r = parse_n(buf, n);
    harness_checks++;
    if (r.rc != VN_NUM_OK || r.used != (ptrdiff_t)n || memcmp(&r.num.d, &want, sizeof want)) {
        harness_failures++;
        fprintf(stderr, "%s:%d: long literal (%zu chars, delta %d, zeros %d, sticky %d): got %a, want %a\n",
                __FILE__, line, n, delta, zeros, sticky, r.num.d, want);
    }
}

/* The midpoint x * 10^e between `lo` and `hi`, `lo` being the even one when
 * lo_even: at it, 1 below, 1 above, padded with 900 zeros (still a tie) and
 * padded with 900 zeros and a final 1 (just above). */
static void check_midpoint(const dec *x, long e, double lo, double hi, int lo_even, int line)
{
    double tie = lo_even ? lo : hi;
    check_long(x, 0, 0, 0, e, tie, line);
    check_long(x, 0, 900, 0, e, tie, line);
    check_long(x, 0, 900, 1, e, hi, line);
    check_long(x, 0, 10, 1, e, hi, line);
    check_long(x, -1, 0, 0, e, lo, line);
    check_long(x, -1, 850, 0, e, lo, line);
    check_long(x, 1, 0, 0, e, hi, line);
}

static void test_long_literals(void)
{
    dec x;
    /* 2^-1075 = 5^1075 * 10^-1075: halfway between 0 and the least subnormal */
    dec_set(&x, 1);
    dec_pow(&x, 5, 1075);
    check_midpoint(&x, -1075, 0.0, 0x0.0000000000001p-1022, 1, __LINE__);
    /* 3 * 2^-1075: between 1 and 2 subnormal units; 2 is even */
    dec_set(&x, 3);
    dec_pow(&x, 5, 1075);
    check_midpoint(&x, -1075, 0x0.0000000000001p-1022, 0x0.0000000000002p-1022, 0, __LINE__);
    /* (2^53 - 1) * 2^-1075: between the largest subnormal and the least
     * normal (767 significant digits, the most a midpoint has) */
    dec_set(&x, 1);
    dec_pow(&x, 2, 53);
    dec_add1(&x, -1);
    dec_pow(&x, 5, 1075);
    check_midpoint(&x, -1075, 0x0.fffffffffffffp-1022, 0x1p-1022, 0, __LINE__);
    /* 2^1024 - 2^970 = (2^54 - 1) * 2^970: between DBL_MAX and "2^1024" */
    dec_set(&x, 1);
    dec_pow(&x, 2, 54);
    dec_add1(&x, -1);
    dec_pow(&x, 2, 970);
    check_midpoint(&x, 0, 0x1.fffffffffffffp+1023, HUGE_VAL, 0, __LINE__);
    /* 2^53 + 1 written with an 800+ digit tail */
    dec_set(&x, 1);
    dec_pow(&x, 2, 53);
    dec_add1(&x, 1);
    check_midpoint(&x, 0, 0x1p+53, 0x1.0000000000001p+53, 1, __LINE__);
    /* 1 + 2^-53 = (2^53 + 1) * 5^53 * 10^-53 */
    dec_set(&x, 1);
    dec_pow(&x, 2, 53);
    dec_add1(&x, 1);
    dec_pow(&x, 5, 53);
    check_midpoint(&x, -53, 1.0, 0x1.0000000000001p+0, 1, __LINE__);
    /* 0.1 = 0x1.999999999999ap-4 and the double above it: their midpoint is
     * (2 * 0x1999999999999a + 1) * 2^-57 */
    dec_set(&x, 1);
    {
        uint64_t m = 2 * UINT64_C(0x1999999999999a) + 1;
        dec_set(&x, (unsigned)(m >> 32));
        dec_muladd(&x, 65536, 0);
        dec_muladd(&x, 65536, (unsigned)(m & 0xFFFFFFFFu));
    }
    dec_pow(&x, 5, 57);
    check_midpoint(&x, -57, 0x1.999999999999ap-4, 0x1.999999999999bp-4, 1, __LINE__);

    /* 0.000...0001 with 400 zeros, scaled back; and a long run of digits */
    static char buf[4096];
    int n = snprintf(buf, sizeof buf, "0.");
    for (int i = 0; i < 400; i++)
        buf[n++] = '0';
    n += snprintf(buf + n, sizeof buf - (size_t)n, "1e401");
    parsed r = parse_n(buf, (size_t)n);
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_DBL(r.num.d, 1.0);
    n = 0;
    buf[n++] = '1';
    for (int i = 0; i < 3000; i++)
        buf[n++] = (char)('0' + (i * 7) % 10);
    n += snprintf(buf + n, sizeof buf - (size_t)n, "e-3000");
    r = parse_n(buf, (size_t)n);
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_DBL(r.num.d, 0x1.12fdcebd7c03cp+0); /* Python: 1.0741852963074185 */
    /* 1 followed by 64 zeros: w wraps to 0 mod 2^64 during the first scan */
    n = 0;
    buf[n++] = '1';
    for (int i = 0; i < 64; i++)
        buf[n++] = '0';
    r = parse_n(buf, (size_t)n);
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_DBL(r.num.d, 1e64);
    CHECK_INT(r.num.is_int, 0);
    CHECK_INT(r.num.is_integral_literal, 1);
}

static void test_integers(void)
{
    parsed r = parse("9223372036854775807");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.num.is_int, 1);
    CHECK_INT(r.num.is_integral_literal, 1);
    CHECK(r.num.i == INT64_MAX);
    CHECK_DBL(r.num.d, 0x1p+63);

    r = parse("9223372036854775808");
    CHECK_INT(r.num.is_int, 0);
    CHECK_INT(r.num.is_integral_literal, 1);
    CHECK_DBL(r.num.d, 0x1p+63);

    r = parse("-9223372036854775808");
    CHECK_INT(r.num.is_int, 1);
    CHECK(r.num.i == INT64_MIN);
    CHECK_DBL(r.num.d, -0x1p+63);

    r = parse("-9223372036854775809");
    CHECK_INT(r.num.is_int, 0);
    CHECK_INT(r.num.is_integral_literal, 1);
    CHECK_DBL(r.num.d, -0x1p+63);

    r = parse("18446744073709551616");
    CHECK_INT(r.num.is_int, 0);
    CHECK_DBL(r.num.d, 0x1p+64);

    r = parse("9007199254740993");
    CHECK_INT(r.num.is_int, 1);
    CHECK(r.num.i == INT64_C(9007199254740993));
    CHECK_DBL(r.num.d, 0x1p+53);

    r = parse("-0");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.num.is_int, 1);
    CHECK_INT(r.num.is_integral_literal, 1);
    CHECK(r.num.i == 0);
    CHECK_DBL(r.num.d, -0.0);

    r = parse("0");
    CHECK_INT(r.num.is_int, 1);
    CHECK_DBL(r.num.d, 0.0);

    r = parse("-17");
    CHECK_INT(r.num.is_int, 1);
    CHECK_INT(r.num.i, -17);
    CHECK_DBL(r.num.d, -17.0);

    r = parse("1234567890123456789");
    CHECK_INT(r.num.is_int, 1);
    CHECK(r.num.i == INT64_C(1234567890123456789));

    r = parse("1.0");
    CHECK_INT(r.num.is_int, 0);
    CHECK_INT(r.num.is_integral_literal, 0);
    CHECK_DBL(r.num.d, 1.0);

    r = parse("1e2");
    CHECK_INT(r.num.is_int, 0);
    CHECK_INT(r.num.is_integral_literal, 0);
    CHECK_DBL(r.num.d, 100.0);

    r = parse("-0.0");
    CHECK_INT(r.num.is_int, 0);
    CHECK_DBL(r.num.d, -0.0);
}

static void test_syntax(void)
{
    CHECK_SYNTAX("-", 1);
    CHECK_SYNTAX("--1", 1);
    CHECK_SYNTAX("- 1", 1);
    CHECK_SYNTAX("01", 1);
    CHECK_SYNTAX("-01", 2);
    CHECK_SYNTAX("00", 1);
    CHECK_SYNTAX("1.", 2);
    CHECK_SYNTAX("-1.", 3);
    CHECK_SYNTAX(".5", 0);
    CHECK_SYNTAX("-.5", 1);
    CHECK_SYNTAX("1e", 2);
    CHECK_SYNTAX("1e+", 3);
    CHECK_SYNTAX("1E-", 3);
    CHECK_SYNTAX("1e+-5", 3);
    CHECK_SYNTAX("+1", 0);
    CHECK_SYNTAX("1.e5", 2);
    CHECK_SYNTAX("Infinity", 0);
    CHECK_SYNTAX("-Infinity", 1);
    CHECK_SYNTAX("NaN", 0);
    CHECK_SYNTAX("e5", 0);
    CHECK_SYNTAX(" 1", 0);
    CHECK_SYNTAX("0.0e", 4);

    /* a number followed by a byte that cannot continue it: OK, and *next
     * points at that byte for the caller to judge */
    parsed r = parse("0x10");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.used, 1);
    CHECK_DBL(r.num.d, 0.0);
    r = parse("1.5.3");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.used, 3);
    r = parse("12,");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.used, 2);
    CHECK_INT(r.num.i, 12);
    r = parse("1e5e3");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.used, 3);
    r = parse("-7]");
    CHECK_INT(r.rc, VN_NUM_OK);
    CHECK_INT(r.used, 2);
    CHECK_DBL(r.num.d, -7.0);

    /* empty input */
    const char *e = "x";
    const char *next = NULL;
    vn_number num;
    CHECK_INT(vn_parse_number(e, e, &next, &num), VN_NUM_SYNTAX);
    CHECK(next == e);
}

static void test_end_bound(void)
{
    /* `end` cuts the text: nothing past it may count */
    const char *s = "123456";
    const char *next;
    vn_number num;
    CHECK_INT(vn_parse_number(s, s + 3, &next, &num), VN_NUM_OK);
    CHECK(next == s + 3);
    CHECK_INT(num.i, 123);
    s = "1.5";
    CHECK_INT(vn_parse_number(s, s + 2, &next, &num), VN_NUM_SYNTAX);
    CHECK(next == s + 2);
    s = "1e5";
    CHECK_INT(vn_parse_number(s, s + 2, &next, &num), VN_NUM_SYNTAX);
    CHECK(next == s + 2);
    s = "-5";
    CHECK_INT(vn_parse_number(s, s + 1, &next, &num), VN_NUM_SYNTAX);
    CHECK(next == s + 1);
    s = "0.000000000000000000000000001";
    CHECK_INT(vn_parse_number(s, s + 20, &next, &num), VN_NUM_OK);
    CHECK_DBL(num.d, 0.0);
}

/* Round trip: "%.17g" of any double reads back as the same double
 * (glibc printf is exact); also "%.16e" and the shortest-ish "%.15g" for
 * doubles that have such a representation.  Bit patterns from a fixed
 * xorshift generator cover every binade, subnormals and both signs. */
static uint64_t rng_state = UINT64_C(0x9E3779B97F4A7C15);
static uint64_t next_rand(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}

static void test_round_trip(void)
{
    char buf[64];
    int bad = 0;
    for (int i = 0; i < 300000 && bad < 10; i++) {
        uint64_t bits = next_rand();
        if (i % 3 == 1) /* moderate magnitudes, like real data */
            bits = (bits & UINT64_C(0x800FFFFFFFFFFFFF)) | ((UINT64_C(0x3F0) + (bits >> 56) % 40) << 52);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        int n = snprintf(buf, sizeof buf, i % 2 ? "%.17g" : "%.16e", d);
        parsed r = parse_n(buf, (size_t)n);
        harness_checks++;
        if (r.rc != VN_NUM_OK || r.used != n || memcmp(&r.num.d, &d, sizeof d) != 0) {
            harness_failures++;
            bad++;
            fprintf(stderr, "%s:%d: round trip of %s: got %a, want %a\n", __FILE__, __LINE__, buf,
                    r.num.d, d);
        }
    }
}

int main(void)
{
    RUN(test_typical);
    RUN(test_hard_cases);
    RUN(test_long_literals);
    RUN(test_integers);
    RUN(test_syntax);
    RUN(test_end_bound);
    RUN(test_round_trip);
    return harness_report("test_numparse");
}
