/* test_mask_api.c — the public mask API (vernier.h section 13): encode,
 * decode, strings, area, box, merge, IoU, polygon and box masks, the
 * counts-buffer rule and the argument errors.
 *
 * The expected values are worked out by hand on tiny masks and agree with
 * pycocotools 2.0.11 (maskUtils.encode of the 3x2 mask below is
 * {'size': [3, 2], 'counts': b'122O'}, area 3, toBbox [0, 1, 2, 2]; its
 * union with the mask of counts [0, 3, 3] is b'032N'; iou 0.5, crowd 2/3;
 * frPyObjects of box [0, 0, 2, 2] on 3x3 is b'02103', of the square
 * polygon (.5, .5)-(2.5, 2.5) on 3x3 b'4210').  Every function that
 * allocates is also run with each of its allocations failing in turn: it
 * must report VERNIER_E_NOMEM and leave nothing allocated. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "support.h"
#include "vernier.h"

/* column-major 3x2: column 0 = 0 1 1, column 1 = 0 0 1 */
static const uint8_t MASK32[6] = {0, 1, 1, 0, 0, 1};
static const uint32_t COUNTS32[4] = {1, 2, 2, 1};

static void test_encode(void)
{
    uint32_t c[8];
    size_t n = 99;
    uint8_t odd[3] = {0, 2, 1}, ones[4] = {1, 1, 1, 1};
    CHECK_INT(vernier_mask_encode(c, 8, &n, MASK32, 3, 2), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK(memcmp(c, COUNTS32, sizeof(COUNTS32)) == 0);
    /* a short buffer: the first cap counts, and the number needed */
    memset(c, 0xff, sizeof(c));
    CHECK_INT(vernier_mask_encode(c, 2, &n, MASK32, 3, 2), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK_INT(c[0], 1);
    CHECK_INT(c[1], 2);
    CHECK_INT(c[2], 0xffffffffu);
    CHECK_INT(vernier_mask_encode(NULL, 0, &n, MASK32, 3, 2), VERNIER_OK);
    CHECK_INT(n, 4);
    /* runs end at every change of byte value, as rleEncode compares bytes */
    CHECK_INT(vernier_mask_encode(c, 8, &n, odd, 1, 3), VERNIER_OK);
    CHECK_INT(n, 3);
    CHECK_INT(c[0], 1);
    CHECK_INT(c[1], 1);
    CHECK_INT(c[2], 1);
    /* a full mask starts with an empty background run */
    CHECK_INT(vernier_mask_encode(c, 8, &n, ones, 2, 2), VERNIER_OK);
    CHECK_INT(n, 2);
    CHECK_INT(c[0], 0);
    CHECK_INT(c[1], 4);
    /* an empty image: one zero count */
    CHECK_INT(vernier_mask_encode(c, 8, &n, NULL, 0, 5), VERNIER_OK);
    CHECK_INT(n, 1);
    CHECK_INT(c[0], 0);
    CHECK_INT(vernier_mask_encode(c, 8, NULL, MASK32, 3, 2), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_mask_encode(c, 8, &n, NULL, 3, 2), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_mask_encode(c, 8, &n, MASK32, 65536, 65536), VERNIER_E_LIMIT);
}

static void test_decode(void)
{
    uint8_t m[6];
    uint32_t bad[2] = {1, 2};
    vernier_error err = VERNIER_ERROR_INIT;
    memset(m, 7, sizeof(m));
    CHECK_INT(vernier_mask_decode(m, COUNTS32, 4, 3, 2, &err), VERNIER_OK);
    CHECK(memcmp(m, MASK32, 6) == 0);
    CHECK_INT(vernier_mask_decode(m, bad, 2, 3, 2, &err), VERNIER_E_RLE);
    CHECK_INT(err.code, VERNIER_E_RLE);
    CHECK(strstr(err.message, "sum to 3") != NULL);
    CHECK_INT(vernier_mask_decode(NULL, COUNTS32, 4, 3, 2, NULL), VERNIER_E_INVALID_ARG);
}

static void test_strings(void)
{
    char buf[32];
    uint32_t c[8];
    size_t len = 0, n = 0;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_mask_to_string(buf, sizeof(buf) - 1, &len, COUNTS32, 4), VERNIER_OK);
    CHECK_INT(len, 4);
    CHECK_STR(buf, "122O");
    CHECK_INT(vernier_mask_to_string(NULL, 0, &len, COUNTS32, 4), VERNIER_OK);
    CHECK_INT(len, 4);
    CHECK_INT(vernier_mask_to_string(buf, 4, NULL, COUNTS32, 4), VERNIER_E_INVALID_ARG);

    CHECK_INT(vernier_mask_from_string(c, 8, &n, "122O", 4, 3, 2, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK(memcmp(c, COUNTS32, sizeof(COUNTS32)) == 0);
    CHECK_INT(vernier_mask_from_string(c, 1, &n, "122O", 4, 3, 2, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK_INT(c[0], 1);
    /* the counts must describe an h x w mask */
    CHECK_INT(vernier_mask_from_string(c, 8, &n, "122O", 4, 3, 3, NULL, &err), VERNIER_E_RLE);
    CHECK_INT(err.code, VERNIER_E_RLE);
    CHECK_INT(vernier_mask_from_string(c, 8, &n, "1\x01", 2, 3, 2, NULL, &err), VERNIER_E_RLE);
    CHECK_INT(vernier_mask_from_string(c, 8, NULL, "122O", 4, 3, 2, NULL, &err),
              VERNIER_E_INVALID_ARG);
}

static void test_area_bbox(void)
{
    double bb[4];
    uint32_t empty[1] = {6};
    CHECK_INT(vernier_mask_area(COUNTS32, 4), 3);
    CHECK_INT(vernier_mask_area(NULL, 4), 0);
    CHECK_INT(vernier_mask_to_bbox(bb, COUNTS32, 4, 3, 2), VERNIER_OK);
    CHECK_DBL(bb[0], 0.0);
    CHECK_DBL(bb[1], 1.0);
    CHECK_DBL(bb[2], 2.0);
    CHECK_DBL(bb[3], 2.0);
    CHECK_INT(vernier_mask_to_bbox(bb, empty, 1, 3, 2), VERNIER_OK);
    CHECK_DBL(bb[0] + bb[1] + bb[2] + bb[3], 0.0);
    CHECK_INT(vernier_mask_to_bbox(NULL, COUNTS32, 4, 3, 2), VERNIER_E_INVALID_ARG);
}

static void test_merge(void)
{
    static const uint32_t b[3] = {0, 3, 3};
    const uint32_t *masks[2] = {COUNTS32, b};
    const size_t ns[2] = {4, 3};
    uint32_t c[8], bad[2] = {1, 1};
    const uint32_t *badm[2] = {COUNTS32, bad};
    const size_t badn[2] = {4, 2};
    size_t n = 0;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_mask_merge(c, 8, &n, masks, ns, 2, 3, 2, 0, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK_INT(c[0], 0);
    CHECK_INT(c[1], 3);
    CHECK_INT(c[2], 2);
    CHECK_INT(c[3], 1);
    /* intersection: pixels 1 and 2 */
    CHECK_INT(vernier_mask_merge(c, 8, &n, masks, ns, 2, 3, 2, 1, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 3);
    CHECK_INT(c[0], 1);
    CHECK_INT(c[1], 2);
    CHECK_INT(c[2], 3);
    CHECK_INT(vernier_mask_merge(c, 8, &n, masks, ns, 0, 3, 2, 0, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 0);
    CHECK_INT(vernier_mask_merge(c, 8, &n, badm, badn, 2, 3, 2, 0, NULL, &err), VERNIER_E_RLE);
    CHECK_INT(err.code, VERNIER_E_RLE);
    CHECK_INT(vernier_mask_merge(c, 8, &n, NULL, ns, 2, 3, 2, 0, NULL, &err),
              VERNIER_E_INVALID_ARG);
}

static void test_iou(void)
{
    static const uint32_t b[3] = {0, 3, 3}, other[2] = {0, 6};
    const uint32_t *dt[1] = {COUNTS32}, *gt[3] = {b, b, other};
    const size_t ndt[1] = {4}, ngt[3] = {3, 3, 2};
    const uint32_t dhw[2] = {3, 2}, ghw[6] = {3, 2, 3, 2, 2, 3};
    const uint8_t crowd[3] = {0, 1, 0};
    const double boxes[8] = {0, 0, 2, 2, 1, 1, 2, 2};
    double out[3];
    CHECK_INT(vernier_mask_iou(out, dt, ndt, dhw, 1, gt, ngt, ghw, 3, crowd, NULL, NULL),
              VERNIER_OK);
    CHECK_DBL(out[0], 0.5);
    CHECK_DBL(out[1], 2.0 / 3.0);
    CHECK_DBL(out[2], -1.0); /* 3x2 against 2x3, boxes overlapping */
    CHECK_INT(vernier_mask_iou(NULL, dt, ndt, dhw, 1, gt, ngt, ghw, 3, crowd, NULL, NULL),
              VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_mask_box_iou(out, boxes, 1, boxes + 4, 1, crowd), VERNIER_OK);
    CHECK_DBL(out[0], 1.0 / 7.0);
    CHECK_INT(vernier_mask_box_iou(out, boxes, 1, boxes + 4, 1, crowd + 1), VERNIER_OK);
    CHECK_DBL(out[0], 1.0 / 4.0);
    CHECK_INT(vernier_mask_box_iou(out, boxes, 1, NULL, 1, crowd), VERNIER_E_INVALID_ARG);
}

static void test_shapes(void)
{
    const double bb[4] = {0, 0, 2, 2};
    const double sq[8] = {.5, .5, 2.5, .5, 2.5, 2.5, .5, 2.5};
    double bad[6] = {0, 0, 1, 1, 2, 0};
    uint32_t c[16];
    size_t n = 0;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_mask_from_bbox(c, 16, &n, bb, 3, 3, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 5);
    CHECK_INT(c[0], 0);
    CHECK_INT(c[1], 2);
    CHECK_INT(c[2], 1);
    CHECK_INT(c[3], 2);
    CHECK_INT(c[4], 4);
    CHECK_INT(vernier_mask_from_polygon(c, 16, &n, sq, 4, 3, 3, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 4);
    CHECK_INT(c[0], 4);
    CHECK_INT(c[1], 2);
    CHECK_INT(c[2], 1);
    CHECK_INT(c[3], 2);
    CHECK_INT(vernier_mask_from_polygon(c, 2, &n, sq, 4, 3, 3, NULL, &err), VERNIER_OK);
    CHECK_INT(n, 4);
    bad[2] = nan("");
    CHECK_INT(vernier_mask_from_polygon(c, 16, &n, bad, 3, 3, 3, NULL, &err), VERNIER_E_LIMIT);
    CHECK_INT(err.code, VERNIER_E_LIMIT);
    CHECK(err.message[0] != '\0');
    CHECK_INT(vernier_mask_from_bbox(c, 16, &n, NULL, 3, 3, NULL, &err), VERNIER_E_INVALID_ARG);
    CHECK_INT(vernier_mask_from_polygon(c, 16, NULL, sq, 4, 3, 3, NULL, &err),
              VERNIER_E_INVALID_ARG);
}

/* Runs call(alc) with its 1st, 2nd, ... allocation failing until it
 * succeeds: every failure is VERNIER_E_NOMEM, nothing is left allocated. */
#define OOM_SWEEP(call)                                                                          \
    do {                                                                                         \
        fail_alloc fa;                                                                           \
        vernier_allocator alc;                                                                   \
        long k;                                                                                  \
        int rc = VERNIER_E_NOMEM;                                                                \
        for (k = 1; k < 64 && rc != VERNIER_OK; k++) {                                           \
            fail_alloc_init(&fa, k, FAIL_ONLY);                                                  \
            alc = fail_alloc_allocator(&fa);                                                     \
            rc = (call);                                                                         \
            if (rc != VERNIER_OK)                                                                \
                CHECK_INT(rc, VERNIER_E_NOMEM);                                                  \
            CHECK(fail_alloc_clean(&fa));                                                        \
        }                                                                                        \
        CHECK_INT(rc, VERNIER_OK);                                                               \
        CHECK(k > 2); /* at least one allocation failed first */                                \
    } while (0)

/* The string forms give what the counts forms give (the strings of the
 * header comment: b'122O' is COUNTS32, b'032N' the union). */
static void test_string_forms(void)
{
    const char *dt[1] = {"122O"}, *gt[3] = {"033", "033", "06"};
    const char *bad[1] = {"12!"};
    const size_t dl[1] = {4}, gl[3] = {3, 3, 2}, badl[1] = {3};
    const uint32_t dhw[2] = {3, 2}, ghw[6] = {3, 2, 3, 2, 2, 3};
    const uint8_t crowd[3] = {0, 1, 0};
    char buf[16];
    uint8_t m[6];
    uint64_t area = 0;
    double box[4], out[3];
    size_t len = 0;
    vernier_error err = VERNIER_ERROR_INIT;
    CHECK_INT(vernier_mask_encode_string(buf, sizeof buf - 1, &len, MASK32, 3, 2, NULL, NULL),
              VERNIER_OK);
    CHECK_INT(len, 4);
    CHECK(strcmp(buf, "122O") == 0);
    /* a short buffer: truncated, NUL-terminated, and the length needed */
    CHECK_INT(vernier_mask_encode_string(buf, 2, &len, MASK32, 3, 2, NULL, NULL), VERNIER_OK);
    CHECK_INT(len, 4);
    CHECK(strcmp(buf, "12") == 0);
    CHECK_INT(vernier_mask_encode_string(NULL, 0, &len, MASK32, 3, 2, NULL, NULL), VERNIER_OK);
    CHECK_INT(len, 4);
    CHECK_INT(vernier_mask_encode_string(buf, 8, &len, MASK32, 65536, 65536, NULL, &err),
              VERNIER_E_LIMIT);
    CHECK_INT(vernier_mask_encode_string(buf, 8, NULL, MASK32, 3, 2, NULL, NULL),
              VERNIER_E_INVALID_ARG);

    CHECK_INT(vernier_mask_string_decode(m, "122O", 4, 3, 2, NULL, NULL), VERNIER_OK);
    CHECK(memcmp(m, MASK32, 6) == 0);
    CHECK_INT(vernier_mask_string_area(&area, "122O", 4, 3, 2, NULL, NULL), VERNIER_OK);
    CHECK_INT(area, 3);
    CHECK_INT(vernier_mask_string_to_bbox(box, "122O", 4, 3, 2, NULL, NULL), VERNIER_OK);
    CHECK_DBL(box[0], 0.0);
    CHECK_DBL(box[1], 1.0);
    CHECK_DBL(box[2], 2.0);
    CHECK_DBL(box[3], 2.0);
    /* a string that does not describe a 3x2 mask is an RLE error */
    CHECK_INT(vernier_mask_string_area(&area, "122O", 4, 3, 3, NULL, &err), VERNIER_E_RLE);
    CHECK_INT(vernier_mask_string_decode(m, "1!", 2, 3, 2, NULL, &err), VERNIER_E_RLE);
    CHECK_INT(vernier_mask_string_to_bbox(NULL, "122O", 4, 3, 2, NULL, NULL),
              VERNIER_E_INVALID_ARG);

    CHECK_INT(vernier_mask_string_iou(out, dt, dl, dhw, 1, gt, gl, ghw, 3, crowd, NULL, NULL),
              VERNIER_OK);
    CHECK_DBL(out[0], 0.5);
    CHECK_DBL(out[1], 2.0 / 3.0);
    CHECK_DBL(out[2], -1.0);
    /* a malformed string is named: which side, which index */
    CHECK_INT(vernier_mask_string_iou(out, dt, dl, dhw, 1, bad, badl, ghw, 1, crowd, NULL, &err),
              VERNIER_E_RLE);
    CHECK(strncmp(err.message, "gt 0: ", 6) == 0);
    CHECK_INT(vernier_mask_string_iou(out, dt, dl, dhw, 1, gt, NULL, ghw, 1, crowd, NULL, NULL),
              VERNIER_E_INVALID_ARG);
}

static void test_out_of_memory(void)
{
    static const uint32_t b[3] = {0, 3, 3};
    const uint32_t *masks[2] = {COUNTS32, b};
    const size_t ns[2] = {4, 3};
    const uint32_t hw[4] = {3, 2, 3, 2};
    const uint8_t crowd[2] = {0, 1};
    double big[2 * 600], out[4];
    uint32_t c[4096];
    size_t n, i;
    vernier_error err = VERNIER_ERROR_INIT;
    for (i = 0; i < 600; i++) { /* a 600-vertex zigzag over a 64x64 image */
        big[2 * i] = (double)(i % 60) + 0.3;
        big[2 * i + 1] = (i % 2) ? 2.0 : 61.0;
    }
    OOM_SWEEP(vernier_mask_from_string(c, 8, &n, "122O", 4, 3, 2, &alc, &err));
    OOM_SWEEP(vernier_mask_merge(c, 8, &n, masks, ns, 2, 3, 2, 0, &alc, &err));
    OOM_SWEEP(vernier_mask_iou(out, masks, ns, hw, 2, masks, ns, hw, 2, crowd, &alc, &err));
    OOM_SWEEP(vernier_mask_from_polygon(c, 4096, &n, big, 600, 64, 64, &alc, &err));
    OOM_SWEEP(vernier_mask_from_bbox(c, 4096, &n, big, 64, 64, &alc, &err));
    {
        const char *s2[2] = {"122O", "033"};
        const size_t l2[2] = {4, 3};
        uint8_t m[6];
        uint64_t a;
        char buf[16];
        OOM_SWEEP(vernier_mask_encode_string(buf, 15, &n, MASK32, 3, 2, &alc, &err));
        OOM_SWEEP(vernier_mask_string_decode(m, "122O", 4, 3, 2, &alc, &err));
        OOM_SWEEP(vernier_mask_string_area(&a, "122O", 4, 3, 2, &alc, &err));
        OOM_SWEEP(vernier_mask_string_to_bbox(out, "122O", 4, 3, 2, &alc, &err));
        OOM_SWEEP(vernier_mask_string_iou(out, s2, l2, hw, 2, s2, l2, hw, 2, crowd, &alc, &err));
    }
}

int main(void)
{
    RUN(test_encode);
    RUN(test_decode);
    RUN(test_strings);
    RUN(test_area_bbox);
    RUN(test_merge);
    RUN(test_iou);
    RUN(test_string_forms);
    RUN(test_shapes);
    RUN(test_out_of_memory);
    return harness_report("test_mask_api");
}
