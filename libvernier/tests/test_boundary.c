/* test_boundary.c — Boundary IoU bands and dilation (boundary.h).
 *
 * The band is checked against a brute force written here from the
 * reference's own definition (boundary-iou-api mask_to_boundary): decode to
 * pixels, pad with one zero pixel on every side, erode d times with a 3x3
 * square where the square may leave the padded image (OpenCV's erode border
 * is the maximum value, so only the zero padding makes outside count as
 * background), crop, subtract, encode as pycocotools' rleEncode does.  It
 * shares no code with boundary.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "mask/boundary.h"
#include "harness.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"

/* ---- brute force ------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n) /* uniform-ish in [0, n) */
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return n == 0 ? 0 : (uint32_t)(rng_state % n);
}

/* pixels (column-major, h*w bytes of 0/1) -> counts as rleEncode makes them */
static size_t dense_encode(const unsigned char *px, uint32_t h, uint32_t w, uint32_t *cnts)
{
    size_t a = (size_t)h * w, j, k = 0;
    unsigned char p = 0;
    uint32_t c = 0;
    for (j = 0; j < a; j++) {
        if (px[j] != p) {
            cnts[k++] = c;
            c = 0;
            p = px[j];
        }
        c++;
    }
    cnts[k++] = c;
    return k;
}

static void dense_decode(const uint32_t *cnts, size_t m, unsigned char *px)
{
    size_t i, p = 0;
    for (i = 0; i < m; i++) {
        uint32_t k;
        for (k = 0; k < cnts[i]; k++)
            px[p++] = (unsigned char)(i & 1);
    }
}

/* mask_to_boundary with an explicit depth d, on column-major pixels */
static void dense_band(const unsigned char *px, uint32_t h, uint32_t w, uint32_t d,
                       unsigned char *band)
{
    uint32_t H = h + 2, W = w + 2, it, x, y;
    unsigned char *a = calloc((size_t)H * W, 1), *b = calloc((size_t)H * W, 1);
    if (a == NULL || b == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    for (x = 0; x < w; x++)
        for (y = 0; y < h; y++)
            a[(size_t)(x + 1) * H + y + 1] = px[(size_t)x * h + y];
    for (it = 0; it < d; it++) {
        for (x = 0; x < W; x++)
            for (y = 0; y < H; y++) {
                unsigned char v = 1;
                int dx, dy;
                for (dx = -1; dx <= 1; dx++)
                    for (dy = -1; dy <= 1; dy++) {
                        long xx = (long)x + dx, yy = (long)y + dy;
                        if (xx < 0 || yy < 0 || xx >= (long)W || yy >= (long)H)
                            continue; /* beyond the padding: OpenCV's max border */
                        if (a[(size_t)xx * H + (size_t)yy] == 0)
                            v = 0;
                    }
                b[(size_t)x * H + y] = v;
            }
        memcpy(a, b, (size_t)H * W);
    }
    for (x = 0; x < w; x++)
        for (y = 0; y < h; y++)
            band[(size_t)x * h + y] =
                (unsigned char)(px[(size_t)x * h + y] - a[(size_t)(x + 1) * H + y + 1]);
    free(a);
    free(b);
}

/* ---- helpers ------------------------------------------------------------ */

static vn_mem g_mem;
static vn_arena g_ar;

/* Runs vn_boundary_band on counts cnts[0..m) and compares with the brute
 * force of the same mask.  Returns 1 when they agree. */
static int band_matches(const uint32_t *cnts, size_t m, uint32_t h, uint32_t w, uint32_t d)
{
    size_t a = (size_t)h * w, i, wm;
    unsigned char *px = calloc(a + 1, 1), *bd = calloc(a + 1, 1);
    uint32_t *want = calloc(a + 2, sizeof(uint32_t));
    vn_rle in = {h, w, m, (uint32_t *)(uintptr_t)cnts}, out;
    int ok, rc;
    if (px == NULL || bd == NULL || want == NULL) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    dense_decode(cnts, m, px);
    dense_band(px, h, w, d, bd);
    wm = dense_encode(bd, h, w, want);
    rc = vn_boundary_band(&g_ar, &in, d, &out);
    ok = rc == VERNIER_OK && out.h == h && out.w == w && out.m == wm;
    for (i = 0; ok && i < wm; i++)
        ok = out.cnts[i] == want[i];
    if (!ok) {
        fprintf(stderr, "band mismatch h=%u w=%u d=%u rc=%d\n  in:  ", h, w, d, rc);
        for (i = 0; i < m; i++)
            fprintf(stderr, "%u ", cnts[i]);
        fprintf(stderr, "\n  want: ");
        for (i = 0; i < wm; i++)
            fprintf(stderr, "%u ", want[i]);
        fprintf(stderr, "\n  got:  ");
        for (i = 0; rc == VERNIER_OK && i < out.m; i++)
            fprintf(stderr, "%u ", out.cnts[i]);
        fprintf(stderr, "\n");
    }
    free(px);
    free(bd);
    free(want);
    vn_arena_release(&g_ar);
    return ok;
}

/* The band of a mask given as pixels (column-major). */
static int band_matches_px(const unsigned char *px, uint32_t h, uint32_t w, uint32_t d)
{
    uint32_t *c = calloc((size_t)h * w + 2, sizeof(uint32_t));
    size_t m;
    int ok;
    if (c == NULL)
        exit(2);
    m = dense_encode(px, h, w, c);
    ok = band_matches(c, m, h, w, d);
    free(c);
    return ok;
}

/* ---- dilation ------------------------------------------------------------ */

static void test_dilation(void)
{
    /* 0.02 * sqrt(480^2 + 640^2) = 0.02 * 800 = 16 (COCO's common size) */
    CHECK_INT(vn_boundary_dilation(0.02, 480, 640), 16);
    CHECK_INT(vn_boundary_dilation(0.02, 640, 480), 16);
    /* exact ties: Python's round goes to even */
    CHECK_INT(vn_boundary_dilation(0.02, 45, 60), 2);   /* 0.02 * 75 = 1.5 -> 2 */
    CHECK_INT(vn_boundary_dilation(0.02, 21, 72), 2);   /* 0.02 * 75 = 1.5 -> 2 */
    CHECK_INT(vn_boundary_dilation(0.02, 75, 100), 2);  /* 0.02 * 125 = 2.5 -> 2 */
    CHECK_INT(vn_boundary_dilation(0.02, 105, 140), 4); /* 0.02 * 175 = 3.5 -> 4 */
    CHECK_INT(vn_boundary_dilation(0.02, 77, 264), 6);  /* 0.02 * 275 = 5.5 -> 6 */
    CHECK_INT(vn_boundary_dilation(0.02, 135, 180), 4); /* 0.02 * 225 = 4.5 -> 4 */
    CHECK_INT(vn_boundary_dilation(0.5, 3, 4), 2);      /* 2.5 -> 2 */
    CHECK_INT(vn_boundary_dilation(1.5, 3, 4), 8);      /* 7.5 -> 8 */
    CHECK_INT(vn_boundary_dilation(0.1, 3, 4), 1);      /* 0.5 -> 0 -> at least 1 */
    CHECK_INT(vn_boundary_dilation(0.3, 3, 4), 2);      /* 0.3 * 5 rounds to 1.5 -> 2 */
    /* not ties: the nearest integer */
    CHECK_INT(vn_boundary_dilation(0.02, 427, 640), 15); /* 15.3868... */
    CHECK_INT(vn_boundary_dilation(0.02, 500, 375), 12); /* 12.5 exactly? 625*0.02 */
    CHECK_INT(vn_boundary_dilation(0.02, 612, 612), 17); /* 17.3111... */
    /* small and degenerate */
    CHECK_INT(vn_boundary_dilation(0.02, 1, 1), 1);
    CHECK_INT(vn_boundary_dilation(0.02, 0, 0), 1);
    CHECK_INT(vn_boundary_dilation(0.0, 480, 640), 1);
    CHECK_INT(vn_boundary_dilation(-1.0, 480, 640), 1);
    CHECK_INT(vn_boundary_dilation(NAN, 480, 640), 1);
    CHECK_INT(vn_boundary_dilation(INFINITY, 480, 640), UINT32_MAX);
    CHECK_INT(vn_boundary_dilation(1e300, 480, 640), UINT32_MAX);
    /* large sizes: the exact integer sum, past 2^53 and past 2^64 */
    CHECK_INT(vn_boundary_dilation(1.0, 1, 4294967295u), 4294967295u);
    CHECK_INT(vn_boundary_dilation(0.5, 4294967295u, 4294967295u), 3037000499u);
    CHECK_INT(vn_boundary_dilation(0.25, 100000000u, 0), 25000000);
}

/* ratio * diag landing exactly on x.5 for every x up to 200 (ratio 0.5,
 * diagonal 2x+1 from a 3-4-5 triangle scaled): half to even throughout. */
static void test_dilation_ties(void)
{
    uint32_t k;
    for (k = 1; k <= 200; k++) {
        /* h = 3k, w = 4k: diag = 5k exactly; ratio 0.1 * 5k = k / 2 */
        double x = 0.5 * sqrt((double)(25u * k * k));
        uint32_t want = (uint32_t)x; /* x = 2.5k: floor */
        double frac = x - floor(x);
        if (frac == 0.5 && (want & 1u))
            want++;
        else if (frac > 0.5)
            want++;
        if (want < 1)
            want = 1;
        CHECK_INT(vn_boundary_dilation(0.5, 3 * k, 4 * k), want);
    }
}

/* ---- bands: hand-derived ------------------------------------------------- */

static void check_band(uint32_t h, uint32_t w, uint32_t d, const uint32_t *in, size_t m,
                       const uint32_t *want, size_t wm)
{
    vn_rle r = {h, w, m, (uint32_t *)(uintptr_t)in}, out;
    size_t i;
    int rc = vn_boundary_band(&g_ar, &r, d, &out);
    CHECK_INT(rc, VERNIER_OK);
    if (rc != VERNIER_OK)
        return;
    CHECK_INT(out.h, h);
    CHECK_INT(out.w, w);
    CHECK_INT(out.m, wm);
    for (i = 0; i < wm && i < out.m; i++)
        CHECK_INT(out.cnts[i], want[i]);
    vn_arena_release(&g_ar);
}

static void test_band_by_hand(void)
{
    /* 5x5 full mask, d=1: the ring of 16 pixels, centre 3x3 eroded */
    {
        const uint32_t in[] = {0, 25};
        const uint32_t want[] = {0, 6, 3, 2, 3, 2, 3, 6};
        check_band(5, 5, 1, in, 2, want, 8);
    }
    /* 5x5 full mask, d=2: only the centre pixel is eroded */
    {
        const uint32_t in[] = {0, 25};
        const uint32_t want[] = {0, 12, 1, 12};
        check_band(5, 5, 2, in, 2, want, 4);
    }
    /* d=3 on 5x5: nothing survives the erosion, the band is the mask */
    {
        const uint32_t in[] = {0, 25};
        const uint32_t want[] = {0, 25};
        check_band(5, 5, 3, in, 2, want, 2);
    }
    /* empty masks, canonical or not: the band is [h*w] */
    {
        const uint32_t in1[] = {20};
        const uint32_t in2[] = {20, 0};
        const uint32_t in3[] = {5, 0, 15, 0};
        const uint32_t want[] = {20};
        check_band(4, 5, 1, in1, 1, want, 1);
        check_band(4, 5, 1, in2, 2, want, 1);
        check_band(4, 5, 1, in3, 4, want, 1);
    }
    /* d = 0 (never produced by the dilation, but defined): empty band */
    {
        const uint32_t in[] = {3, 7, 10};
        const uint32_t want[] = {20};
        check_band(4, 5, 0, in, 3, want, 1);
    }
    /* zero-length background runs inside a column merge: 0,2,0,3 = 5 pixels
     * of column 0 of a 5x3 image ... the band of a full column with d=1 is
     * itself (no pixel has both horizontal neighbours) */
    {
        const uint32_t in[] = {0, 2, 0, 3, 10};
        const uint32_t want[] = {0, 5, 10};
        check_band(5, 3, 1, in, 5, want, 3);
    }
    /* 1 x N: every pixel is on the top and bottom edges */
    {
        const uint32_t in[] = {2, 5, 3};
        const uint32_t want[] = {2, 5, 3};
        check_band(1, 10, 4, in, 3, want, 3);
    }
    /* 0 x N and N x 0 */
    {
        const uint32_t in[] = {0};
        const uint32_t want[] = {0};
        check_band(0, 7, 1, in, 1, want, 1);
        check_band(7, 0, 1, in, 1, want, 1);
        check_band(0, 0, 1, in, 0, want, 1);
    }
    /* 7x7 with a 5x5 square at rows/cols 1..5, d=1: ring of 16, and the
     * 3x3 inside stays eroded (the square is surrounded by background) */
    {
        const uint32_t in[] = {8, 5, 2, 5, 2, 5, 2, 5, 2, 5, 8};
        const uint32_t want[] = {8, 5, 2, 1, 3, 1, 2, 1, 3, 1, 2, 1, 3, 1, 2, 5, 8};
        check_band(7, 7, 1, in, 11, want, 17);
    }
    /* foreground run crossing a column boundary stays one run */
    {
        const uint32_t in[] = {3, 4, 3}; /* 5x2: rows 3,4 of col 0 and 0,1 of col 1 */
        const uint32_t want[] = {3, 4, 3};
        check_band(5, 2, 1, in, 3, want, 3);
    }
}

static void test_band_errors(void)
{
    const uint32_t bad_sum[] = {3, 4};
    const uint32_t over[] = {UINT32_MAX, UINT32_MAX, 5};
    vn_rle r = {3, 3, 2, (uint32_t *)(uintptr_t)bad_sum}, out;
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, &out), VERNIER_E_RLE);
    r.h = 1;
    r.w = 2; /* sum 7 > 2 */
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, &out), VERNIER_E_RLE);
    r.cnts = (uint32_t *)(uintptr_t)over;
    r.m = 3;
    r.h = 65536;
    r.w = 65536; /* h*w = 2^32: more pixels than a 32-bit count can hold */
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, &out), VERNIER_E_RLE);
    r.h = 65535;
    r.w = 65535; /* sum overflows h*w */
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, &out), VERNIER_E_RLE);
    r.m = 2;
    r.cnts = NULL;
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, &out), VERNIER_E_INVALID_ARG);
    CHECK_INT(vn_boundary_band(NULL, &r, 1, &out), VERNIER_E_INVALID_ARG);
    CHECK_INT(vn_boundary_band(&g_ar, NULL, 1, &out), VERNIER_E_INVALID_ARG);
    CHECK_INT(vn_boundary_band(&g_ar, &r, 1, NULL), VERNIER_E_INVALID_ARG);
    vn_arena_release(&g_ar);
    CHECK_INT(g_mem.used, 0);
}

/* Scratch memory is released before returning; only the result stays in
 * the caller's arena.  A budget too small for any arena block fails cleanly. */
static void test_band_memory(void)
{
    vn_mem m;
    vn_arena ar;
    vn_rle r, out;
    uint32_t in[] = {0, 2500};
    size_t held;
    int rc;
    CHECK_INT(vn_mem_init(&m, NULL), VERNIER_OK);
    vn_arena_init(&ar, &m);
    CHECK(vn_arena_alloc(&ar, 64) != NULL); /* the arena's first block */
    held = m.used;
    r.h = 50;
    r.w = 50;
    r.m = 2;
    r.cnts = in;
    rc = vn_boundary_band(&ar, &r, 3, &out);
    CHECK_INT(rc, VERNIER_OK);
    CHECK_INT(m.used, held); /* the result fit in the block; scratch is gone */
    CHECK_INT(out.m, 90); /* 0, then 45 foreground and 44 background runs */
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);

    m.budget = 4096;
    rc = vn_boundary_band(&ar, &r, 3, &out);
    CHECK_INT(rc, VERNIER_E_BUDGET);
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
}

/* ---- bands: brute force on random masks --------------------------------- */

/* Random pixels with a random density. */
static void gen_noise(unsigned char *px, uint32_t h, uint32_t w)
{
    uint32_t dens = rnd(101), i;
    for (i = 0; i < h * w; i++)
        px[i] = rnd(100) < dens;
}

/* A union of random rectangles (blobs with straight edges, often touching
 * the image's edges). */
static void gen_rects(unsigned char *px, uint32_t h, uint32_t w)
{
    uint32_t n = 1 + rnd(4), k, x, y;
    memset(px, 0, (size_t)h * w);
    for (k = 0; k < n; k++) {
        uint32_t x0 = rnd(w), y0 = rnd(h);
        uint32_t x1 = x0 + 1 + rnd(w - x0), y1 = y0 + 1 + rnd(h - y0);
        for (x = x0; x < x1; x++)
            for (y = y0; y < y1; y++)
                px[(size_t)x * h + y] = 1;
    }
    if (rnd(4) == 0) /* punch holes */
        for (k = 0; k < 1 + rnd(3); k++)
            px[rnd(h * w)] = 0;
}

/* A filled disc/ellipse, possibly clipped by the image. */
static void gen_disc(unsigned char *px, uint32_t h, uint32_t w)
{
    double cx = (double)rnd(w * 4) / 4.0 - 1.0, cy = (double)rnd(h * 4) / 4.0 - 1.0;
    double rx = 0.5 + (double)rnd(w * 4) / 4.0, ry = 0.5 + (double)rnd(h * 4) / 4.0;
    uint32_t x, y;
    for (x = 0; x < w; x++)
        for (y = 0; y < h; y++) {
            double dx = ((double)x - cx) / rx, dy = ((double)y - cy) / ry;
            px[(size_t)x * h + y] = dx * dx + dy * dy <= 1.0;
        }
}

/* Columns that are either full or "combs" (runs of random length separated
 * by 1-pixel gaps): neighbouring columns intersect into many intervals, so
 * the interval lists of the erosion fragment. */
static void gen_comb(unsigned char *px, uint32_t h, uint32_t w)
{
    uint32_t x, y, tooth = 1 + rnd(6);
    for (x = 0; x < w; x++) {
        uint32_t kind = rnd(3), run = 0, len = 1 + rnd(tooth);
        for (y = 0; y < h; y++) {
            unsigned char v = 1;
            if (kind == 1) { /* comb: len foreground, 1 background */
                if (run == len) {
                    v = 0;
                    run = 0;
                    len = 1 + rnd(2 * tooth);
                } else {
                    run++;
                }
            } else if (kind == 2) {
                v = rnd(8) != 0;
            }
            px[(size_t)x * h + y] = v;
        }
    }
}

static void test_band_random(void)
{
    unsigned char px[24 * 24];
    int iter, fails = 0, cases = 0;
    for (iter = 0; iter < 6000; iter++) {
        uint32_t h = 1 + rnd(iter < 3000 ? 8 : 20), w = 1 + rnd(iter < 3000 ? 8 : 20);
        uint32_t d = rnd(8), kind = rnd(4);
        if (kind == 0)
            gen_noise(px, h, w);
        else if (kind == 1)
            gen_rects(px, h, w);
        else if (kind == 2)
            gen_disc(px, h, w);
        else
            gen_comb(px, h, w);
        cases++;
        if (!band_matches_px(px, h, w, d))
            fails++;
    }
    CHECK_INT(fails, 0);
    CHECK(cases == 6000);
}

/* Non-canonical encodings of the same mask: every run split in two by a
 * zero-length run of the other colour, and a trailing zero. */
static void test_band_noncanonical(void)
{
    unsigned char px[16 * 16];
    uint32_t c[16 * 16 + 2], nc[4 * (16 * 16 + 2) + 2];
    int iter, fails = 0;
    for (iter = 0; iter < 1500; iter++) {
        uint32_t h = 1 + rnd(16), w = 1 + rnd(16), d = rnd(6);
        size_t m, i, k = 0;
        gen_rects(px, h, w);
        m = dense_encode(px, h, w, c);
        for (i = 0; i < m; i++) {
            if (c[i] >= 2 && rnd(2)) {
                uint32_t cut = 1 + rnd(c[i] - 1);
                nc[k++] = cut;
                nc[k++] = 0;
                nc[k++] = c[i] - cut;
            } else {
                nc[k++] = c[i];
            }
        }
        if (k % 2 == 0 && rnd(2)) { /* ends with foreground: add background 0 */
            nc[k++] = 0;
        }
        if (!band_matches(nc, k, h, w, d))
            fails++;
    }
    CHECK_INT(fails, 0);
}

/* Every mask of a 3x3, 2x4, 4x2, 1x5 and 5x1 image, every depth 0..3. */
static void test_band_exhaustive(void)
{
    static const uint32_t sizes[][2] = {{3, 3}, {2, 4}, {4, 2}, {1, 5}, {5, 1}, {3, 4}, {4, 3}};
    size_t s;
    int fails = 0, cases = 0;
    for (s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        uint32_t h = sizes[s][0], w = sizes[s][1], n = h * w, bits, d, i;
        unsigned char px[16];
        for (bits = 0; bits < (1u << n); bits++) {
            for (i = 0; i < n; i++)
                px[i] = (unsigned char)((bits >> i) & 1u);
            for (d = 0; d <= 3; d++) {
                cases++;
                if (!band_matches_px(px, h, w, d))
                    fails++;
            }
        }
    }
    CHECK_INT(fails, 0);
    CHECK(cases > 20000);
}

/* Larger masks and depths, fewer of them (the brute force is slow). */
static void test_band_larger(void)
{
    static unsigned char px[64 * 96];
    int iter, fails = 0;
    for (iter = 0; iter < 300; iter++) {
        uint32_t h = 1 + rnd(64), w = 1 + rnd(96), d = 1 + rnd(20), kind = rnd(4);
        if (kind == 0)
            gen_noise(px, h, w);
        else if (kind == 1)
            gen_rects(px, h, w);
        else if (kind == 2)
            gen_disc(px, h, w);
        else
            gen_comb(px, h, w);
        if (kind == 3)
            d = 1 + rnd(3);
        if (!band_matches_px(px, h, w, d))
            fails++;
    }
    CHECK_INT(fails, 0);
}

/* A huge depth never overflows: the band is the mask. */
static void test_band_huge_depth(void)
{
    const uint32_t in[] = {0, 25};
    const uint32_t want[] = {0, 25};
    check_band(5, 5, UINT32_MAX, in, 2, want, 2);
    check_band(5, 5, UINT32_MAX / 2, in, 2, want, 2);
}

int main(void)
{
    if (vn_mem_init(&g_mem, NULL) != VERNIER_OK)
        return 2;
    vn_arena_init(&g_ar, &g_mem);
    RUN(test_dilation);
    RUN(test_dilation_ties);
    RUN(test_band_by_hand);
    RUN(test_band_errors);
    RUN(test_band_memory);
    RUN(test_band_random);
    RUN(test_band_noncanonical);
    RUN(test_band_exhaustive);
    RUN(test_band_larger);
    RUN(test_band_huge_depth);
    vn_arena_release(&g_ar);
    CHECK_INT(g_mem.used, 0);
    return harness_report("test_boundary");
}
