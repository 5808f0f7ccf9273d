/* harness.h — a tiny test harness for libvernier's C unit tests.
 *
 * Each test file is one executable: write `static void test_x(void)` functions
 * using the CHECK macros, call them from main() with RUN(test_x), and end
 * main with `return harness_report("file");`.  Failures print file:line with
 * the expected and actual values and the executable exits non-zero. */
#ifndef VN_TEST_HARNESS_H
#define VN_TEST_HARNESS_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int harness_checks = 0;
static int harness_failures = 0;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        harness_checks++;                                                                        \
        if (!(cond)) {                                                                           \
            harness_failures++;                                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);             \
        }                                                                                        \
    } while (0)

#define CHECK_INT(got, want)                                                                     \
    do {                                                                                         \
        long long harness_g_ = (long long)(got), harness_w_ = (long long)(want);                 \
        harness_checks++;                                                                        \
        if (harness_g_ != harness_w_) {                                                          \
            harness_failures++;                                                                  \
            fprintf(stderr, "%s:%d: %s: got %lld, want %lld\n", __FILE__, __LINE__, #got,        \
                    harness_g_, harness_w_);                                                     \
        }                                                                                        \
    } while (0)

/* Bit-exact double comparison (parity is exact: no tolerance). */
#define CHECK_DBL(got, want)                                                                     \
    do {                                                                                         \
        double harness_g_ = (got), harness_w_ = (want);                                          \
        harness_checks++;                                                                        \
        if (memcmp(&harness_g_, &harness_w_, sizeof(double)) != 0) {                             \
            harness_failures++;                                                                  \
            fprintf(stderr, "%s:%d: %s: got %.17g (%a), want %.17g (%a)\n", __FILE__, __LINE__,  \
                    #got, harness_g_, harness_g_, harness_w_, harness_w_);                        \
        }                                                                                        \
    } while (0)

#define CHECK_STR(got, want)                                                                     \
    do {                                                                                         \
        const char *harness_g_ = (got), *harness_w_ = (want);                                    \
        harness_checks++;                                                                        \
        if (strcmp(harness_g_, harness_w_) != 0) {                                               \
            harness_failures++;                                                                  \
            fprintf(stderr, "%s:%d: %s: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, #got,    \
                    harness_g_, harness_w_);                                                     \
        }                                                                                        \
    } while (0)

#define RUN(fn)                                                                                  \
    do {                                                                                         \
        fn();                                                                                    \
    } while (0)

static int harness_report(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, harness_checks, harness_failures);
    return harness_failures == 0 ? 0 : 1;
}

#endif
