/* test_polygon.c — polygon and box masks (rle.h: vn_rle_from_poly,
 * vn_rle_from_bbox), against pycocotools' strings and against two other
 * implementations:
 *   - the library's code with every steep edge walked point by point
 *     (polygon.c compiled a second time here with POLY_FORCE_WALK, under
 *     other names), which checks the fast crossing search;
 *   - ref_poly below, a direct transcription of rleFrPoly's steps (every
 *     upsampled point, qsort), written independently of polygon.c.
 * python/tests/test_mask_differential.py compares the library with
 * pycocotools itself on hundreds of thousands of polygons. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"
#include "support.h"
#include "mask/polygon.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"
#include "common/vn_error.h"

/* The second copy of polygon.c. */
int vn_rle_from_poly_walk(vn_arena *ar, const double *xy, size_t k, uint32_t h, uint32_t w,
                          vn_rle *out);
int vn_rle_from_bbox_walk(vn_arena *ar, const double bb[4], uint32_t h, uint32_t w,
                          vn_rle *out);
#define POLY_FORCE_WALK 1
#define vn_rle_from_poly vn_rle_from_poly_walk
#define vn_rle_from_bbox vn_rle_from_bbox_walk
#include "../src/mask/polygon.c"
#undef vn_rle_from_poly
#undef vn_rle_from_bbox

struct poly_case {
    const char *name;
    uint32_t h, w;
    const double *xy;
    size_t n; /* values; k = n / 2 */
    const char *counts;
};

struct box_case {
    uint32_t h, w;
    double bb[4];
    const char *counts;
};

/* ---- generated: begin ---- */
/* Generated with pycocotools 2.0.11 (numpy 2.4.6): each expected string is
 * pycocotools._mask.frPoly([np.array(xy, dtype=np.double)], h, w)[0]['counts'],
 * the call frPyObjects makes for each polygon of a list (k = int(len(xy)/2)). */
static const double poly_triangle[] = {1.2, 1.5, 8.4, 2.1, 4.9, 8.8};
static const double poly_square_int[] = {1.0, 1.0, 5.0, 1.0, 5.0, 4.0, 1.0, 4.0};
static const double poly_square_reversed[] = {1.0, 4.0, 5.0, 4.0, 5.0, 1.0, 1.0, 1.0};
static const double poly_dup_consecutive[] = {1.0, 1.0, 1.0, 1.0, 7.0, 2.0, 7.0, 2.0, 7.0, 2.0, 3.0, 8.0};
static const double poly_dup_closed[] = {1.0, 1.0, 7.0, 2.0, 3.0, 8.0, 1.0, 1.0};
static const double poly_dup_negative_steep[] = {-2.3, 0.5, -2.3, 0.5, 3.1, 7.9, -0.7, 8.2};
static const double poly_collinear[] = {0.5, 0.5, 5.5, 5.5, 10.5, 10.5};
static const double poly_collinear_h[] = {0.5, 3.0, 9.5, 3.0, 4.0, 3.0};
static const double poly_one_point[] = {2.0, 2.0};
static const double poly_two_points[] = {0.5, 0.5, 4.5, 3.5};
static const double poly_no_points[] = {0};
static const double poly_odd_length[] = {1.0, 1.0, 6.0, 1.0, 6.0, 6.0, 9.0};
static const double poly_left[] = {-9.0, 1.0, -2.0, 1.0, -2.0, 8.0};
static const double poly_right[] = {11.0, 1.0, 19.0, 1.0, 19.0, 8.0};
static const double poly_top[] = {1.0, -9.0, 8.0, -9.0, 8.0, -2.0};
static const double poly_bottom[] = {1.0, 11.0, 8.0, 11.0, 8.0, 19.0};
static const double poly_straddle_all[] = {-3.0, -3.0, 13.0, -2.0, 12.0, 14.0, -4.0, 11.0};
static const double poly_bowtie[] = {1.0, 1.0, 10.0, 8.0, 10.0, 1.0, 1.0, 8.0};
static const double poly_star_self[] = {10.0, 1.0, 14.0, 18.0, 1.0, 7.0, 19.0, 7.0, 5.0, 18.0};
static const double poly_half_pixels[] = {0.5, 0.5, 6.5, 0.5, 6.5, 5.5, 0.5, 5.5};
static const double poly_fifth_pixels[] = {0.1, 0.3, 5.9, 0.7, 4.3, 6.1, 0.5, 4.9};
static const double poly_sliver[] = {2.0, 3.0, 17.0, 15.0, 17.0001, 15.0002};
static const double poly_thin_vertical[] = {4.4, 1.0, 4.6, 1.0, 4.6, 18.0};
static const double poly_px1x1[] = {0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0};
static const double poly_px1x1_small[] = {0.3, 0.3, 0.7, 0.3, 0.5, 0.8};
static const double poly_row[] = {2.0, -1.0, 25.0, 0.2, 14.0, 2.0};
static const double poly_column[] = {-1.0, 2.0, 0.4, 27.0, 2.0, 14.0};
static const double poly_huge[] = {-1000000.0, -1000000.0, 1000000.0, -500000.0, 300000.0, 1000000.0};
static const double poly_huge_bound[] = {-13421772.7, 10.0, 13421772.7, 10.5, 20.0, 30.0};
static const double poly_negative_all[] = {-5.0, -5.0, -1.0, -5.0, -1.0, -1.0};
static const double poly_full_cover[] = {-1.0, -1.0, 6.0, -1.0, 6.0, 8.0, -1.0, 8.0};
static const double poly_edge_hug[] = {0.0, 0.0, 5.0, 0.0, 5.0, 7.0, 0.0, 7.0};
static const double poly_zero_h[] = {0.0, 0.0, 3.0, 0.0, 3.0, 3.0};
static const double poly_zero_w_neg[] = {-3.0, 0.0, -1.0, 0.0, -1.0, 3.0};
static const double poly_zero_hw[] = {0.0, 0.0, 3.0, 0.0, 3.0, 3.0};
static const double poly_concave[] = {1.0, 1.0, 14.0, 1.0, 14.0, 14.0, 8.0, 4.0, 1.0, 14.0};
static const double poly_big_image[] = {100.25, 50.75, 600.5, 80.0, 550.0, 400.125, 120.0, 470.0, 20.0, 250.0};
static const struct poly_case poly_cases[] = {
    {"triangle", 10, 10, poly_triangle, 6, "f0282N2N00N2Nd0"},
    {"square_int", 6, 7, poly_square_int, 8, "73300000;"},
    {"square_reversed", 6, 7, poly_square_reversed, 8, "73300000;"},
    {"dup_consecutive", 9, 9, poly_dup_consecutive, 12, ":273M10N1N2Oa0"},
    {"dup_closed", 9, 9, poly_dup_closed, 8, ":273M10N1N2Oa0"},
    {"dup_negative_steep", 9, 9, poly_dup_negative_steep, 8, "447N1O_1"},
    {"collinear", 12, 12, poly_collinear, 6, "`4"},
    {"collinear_h", 12, 12, poly_collinear_h, 6, "`4"},
    {"one_point", 5, 5, poly_one_point, 2, "i0"},
    {"two_points", 5, 5, poly_two_points, 4, "i0"},
    {"no_points", 5, 5, poly_no_points, 0, "i0"},
    {"odd_length", 8, 8, poly_odd_length, 7, "a0171O1O1>"},
    {"left", 10, 10, poly_left, 6, "T3"},
    {"right", 10, 10, poly_right, 6, "T3"},
    {"top", 10, 10, poly_top, 6, "T3"},
    {"bottom", 10, 10, poly_bottom, 6, "T3"},
    {"straddle_all", 10, 10, poly_straddle_all, 8, "0T3"},
    {"bowtie", 10, 12, poly_bowtie, 8, ";74N2N2N;0E2N2N2b0"},
    {"star_self", 20, 20, poly_star_self, 10, "_11c01O1O1DN43HO9NI27ML12280GM;2I7OJKM52700O1OR1"},
    {"half_pixels", 8, 8, poly_half_pixels, 8, "9530000000007"},
    {"fifth_pixels", 8, 8, poly_fifth_pixels, 8, "044100O0000Lc0"},
    {"sliver", 20, 20, poly_sliver, 6, "`<"},
    {"thin_vertical", 20, 20, poly_thin_vertical, 6, "a28g9"},
    {"px1x1", 1, 1, poly_px1x1, 8, "01"},
    {"px1x1_small", 1, 1, poly_px1x1_small, 6, "1"},
    {"row", 1, 30, poly_row, 6, "8?7"},
    {"column", 30, 1, poly_column, 6, "7c04"},
    {"huge", 50, 60, poly_huge, 6, "0hm2"},
    {"huge_bound", 40, 40, poly_huge_bound, 6, ":d0d000000000000000000000000000000000000000000000000000000000000000000000000000000F"},
    {"negative_all", 10, 10, poly_negative_all, 6, "T3"},
    {"full_cover", 7, 5, poly_full_cover, 8, "0S1"},
    {"edge_hug", 7, 5, poly_edge_hug, 8, "0S1"},
    {"zero_h", 0, 5, poly_zero_h, 6, "0"},
    {"zero_w_neg", 5, 0, poly_zero_w_neg, 6, "0"},
    {"zero_hw", 0, 0, poly_zero_hw, 6, "0"},
    {"concave", 16, 16, poly_concave, 10, "a0<4O1N2O1N2O1O1001O2N2N1O2m0"},
    {"big_image", 480, 640, poly_big_image, 10, "ic92k>5L4K6K4K5L4K5L5J5L4K5L4K6K4K5L4K5L5J5L4K5L4L5J5L4K5L4K6K4K5L4K5L5J5L4K5L4K6K4K5L4K5L5J5L4K5L4K6K4K5L4L4K6K4K5L4K5L5J5L4K5L4K6K4K5L4K5L5J5L4K5L4K6K4K5L4K5L5J5M3N2N2N3M2N2N2N2N3M2N2N2O1N3M2N2N2N2N3M2N1O0000O10000000001N10000000000O10000000000O10000000001O0O10000000000O10000000000O1000001O000O10000000000O10000000000O10001O0000000O10000000000O10000000000O2O000000000O10000000000O10000000001N1000000000000O10000000000O1000001O000O10000000000O10000000000O10001O00000O1000000000000O10000000000O101O0000000O10000000000O10000000000O2O000000000O10000000000O10000000001O0O10000000000O10000000000O1000001O000O10000000000O10000000000O10001O0000000O10000000000O10000000000O2O000000000O10000000000O10000000001N1000000000000O10000000000O1000001O000O10000000000O10000000000O1000001O000O1000000000000O10000000000O101O0000000O10000000000O10000000000O2O000000000O10000000000O10000000001O0O10000000000O10000000000O1000001O000O10000000000O10000000000O10001O0000000O10000000000O10000000000O2O000000000O10000000000O10000000000O2O00000000000O10000000000O100000001O0O10000000000O100M3J6I7J6J6I7J6J7H7J6J6I7J6J6I7J6J6I7J6J6I7J6J6I7J7I6I7J6J6I7J6J6I7J6J6I7J6J6I7J6J6I8I6J6J6I7J6J6I7J6JfVb0"},
};
static const struct box_case box_cases[] = {
    {10, 10, {1.0, 2.0, 5.0, 3.0}, "<370000000V1"},
    {10, 10, {1.3, 2.7, 0.0, 3.0}, "T3"},
    {10, 10, {-2.0, -2.0, 5.5, 5.5}, "04600000l1"},
    {10, 10, {8.5, 8.5, 5.0, 5.0}, "S31"},
    {480, 640, {10.4, 20.6, 300.2, 200.9}, "ef4Y6g800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000[Vj4"},
    {5, 5, {0.0, 0.0, 5.0, 5.0}, "0i0"},
    {5, 5, {2.0, 2.0, -1.0, -1.0}, "61b0"},
};
/* ---- generated: end ---- */

static char strbuf[1 << 16];

static const char *rle_str(const vn_rle *r)
{
    size_t n = vn_rle_to_string(r, strbuf, sizeof(strbuf) - 1);
    CHECK(n < sizeof(strbuf));
    return strbuf;
}

static uint64_t rle_sum(const vn_rle *r)
{
    uint64_t s = 0;
    size_t i;
    for (i = 0; i < r->m; i++)
        s += r->cnts[i];
    return s;
}

static void test_cases_from_pycocotools(void)
{
    size_t i, j;
    vn_mem m;
    vn_arena ar;
    vn_mem_init(&m, NULL);
    vn_arena_init(&ar, &m);
    for (i = 0; i < sizeof(poly_cases) / sizeof(poly_cases[0]); i++) {
        const struct poly_case *c = &poly_cases[i];
        size_t k = c->n / 2;
        double rev[64];
        vn_rle r;
        int rc = vn_rle_from_poly(&ar, c->xy, k, c->h, c->w, &r);
        if (rc != VERNIER_OK)
            fprintf(stderr, "case %s: status %d\n", c->name, rc);
        CHECK_INT(rc, VERNIER_OK);
        if (rc != VERNIER_OK)
            continue;
        CHECK_STR(rle_str(&r), c->counts);
        CHECK_INT(r.h, c->h);
        CHECK_INT(r.w, c->w);
        CHECK_INT(rle_sum(&r), (uint64_t)c->h * c->w);
        CHECK_INT(vn_rle_from_poly_walk(&ar, c->xy, k, c->h, c->w, &r), VERNIER_OK);
        CHECK_STR(rle_str(&r), c->counts);
        /* reversed vertex order: the same mask (orientation is irrelevant) */
        if (k <= 32) {
            for (j = 0; j < k; j++) {
                rev[2 * j] = c->xy[2 * (k - 1 - j)];
                rev[2 * j + 1] = c->xy[2 * (k - 1 - j) + 1];
            }
            CHECK_INT(vn_rle_from_poly(&ar, rev, k, c->h, c->w, &r), VERNIER_OK);
            CHECK_STR(rle_str(&r), c->counts);
        }
    }
    for (i = 0; i < sizeof(box_cases) / sizeof(box_cases[0]); i++) {
        const struct box_case *c = &box_cases[i];
        vn_rle r;
        CHECK_INT(vn_rle_from_bbox(&ar, c->bb, c->h, c->w, &r), VERNIER_OK);
        CHECK_STR(rle_str(&r), c->counts);
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
}

/* Out-of-bound and non-finite coordinates, and sizes without a sound
 * result. */
static void test_limits(void)
{
    vn_mem m;
    vn_arena ar;
    vn_rle r;
    double xy[6] = {0, 0, 3, 0, 3, 3};
    size_t i;
    /* the bound is |(int)(5x + .5)| <= 2^26: 5 * 13421772.7 + .5 is 2^26 */
    static const double ok[] = {13421772.7, -13421772.9, 1e6, -1e7};
    static const double bad[] = {13421772.9, -13421773.1, 1e10, -1e300, HUGE_VAL, -HUGE_VAL};
    vn_mem_init(&m, NULL);
    vn_arena_init(&ar, &m);
    for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        xy[4] = ok[i];
        CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 10, 10, &r), VERNIER_OK);
        xy[4] = 3;
        xy[1] = ok[i];
        CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 10, 10, &r), VERNIER_OK);
        xy[1] = 0;
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        xy[4] = bad[i];
        CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 10, 10, &r), VERNIER_E_LIMIT);
        CHECK_INT(r.m, 0);
        CHECK(r.cnts == NULL);
        xy[4] = 3;
        xy[5] = bad[i];
        CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 10, 10, &r), VERNIER_E_LIMIT);
        xy[5] = 3;
    }
    xy[0] = NAN; /* pycocotools: (int)NaN = INT_MIN, then a walk of 2^31 points */
    CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 10, 10, &r), VERNIER_E_LIMIT);
    xy[0] = 0;
    /* the odd value after k vertices is never read, even a NaN */
    {
        double odd[7] = {1, 1, 6, 1, 6, 6, NAN};
        CHECK_INT(vn_rle_from_poly(&ar, odd, 3, 8, 8, &r), VERNIER_OK);
        CHECK_STR(rle_str(&r), "a0171O1O1>"); /* the "odd_length" case */
    }
    /* 2^32 pixels or more: pycocotools' uint keys wrap */
    CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 65536, 65536, &r), VERNIER_E_LIMIT);
    CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 65535, 65537, &r), VERNIER_OK);
    CHECK_INT(rle_sum(&r), (uint64_t)65535 * 65537);
    /* w = 0 with a point at x >= 0: pycocotools compares with w - 1 in
     * unsigned long (no bound) and returns counts that do not sum to h*w
     * (frPoly([[0,0,3,0,3,3]], 5, 0) gives "051O1"); vernier refuses */
    CHECK_INT(vn_rle_from_poly(&ar, xy, 3, 5, 0, &r), VERNIER_E_LIMIT);
    /* k = 0 (pycocotools reads one uninitialised value, then returns the
     * empty mask) */
    CHECK_INT(vn_rle_from_poly(&ar, NULL, 0, 4, 5, &r), VERNIER_OK);
    CHECK_INT(r.m, 1);
    CHECK_INT(r.cnts[0], 20);
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
}

/* ---- the reference: rleFrPoly step by step ---------------------------- */

static int32_t ref_cvt(double d) /* x86-64's (int)d */
{
    if (d > -2147483649.0 && d < 2147483648.0)
        return (int32_t)d;
    return INT32_MIN;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x > y ? 1 : x < y ? -1 : 0;
}

struct u32vec {
    uint32_t *a;
    size_t n, cap;
};

static void push(struct u32vec *v, uint32_t x)
{
    if (v->n == v->cap) {
        v->cap = v->cap * 2 + 16;
        v->a = realloc(v->a, v->cap * sizeof(uint32_t));
        if (v->a == NULL)
            abort();
    }
    v->a[v->n++] = x;
}

/* Counts of rleFrPoly(xy, k, h, w) into *out (malloc'd), as pycocotools
 * computes them; the points are streamed instead of stored. */
static size_t ref_poly(const double *xy, size_t k, uint32_t h, uint32_t w, uint32_t **out)
{
    struct u32vec a = {NULL, 0, 0};
    size_t j, i, m;
    int have_prev = 0;
    int32_t pu = 0, pv = 0;
    double wmax = (double)((uint64_t)w - 1); /* siz arithmetic: w = 0 wraps */
    uint32_t p;
    for (j = 0; j < k; j++) {
        size_t n = (j + 1) % k;
        int32_t xs = ref_cvt(5.0 * xy[2 * j] + .5), ys = ref_cvt(5.0 * xy[2 * j + 1] + .5);
        int32_t xe = ref_cvt(5.0 * xy[2 * n] + .5), ye = ref_cvt(5.0 * xy[2 * n + 1] + .5);
        int32_t dx = abs(xe - xs), dy = abs(ys - ye), t, d;
        int flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
        double s;
        if (flip) {
            t = xs, xs = xe, xe = t;
            t = ys, ys = ye, ye = t;
        }
        if (dx >= dy)
            s = dx == 0 ? NAN : (double)(ye - ys) / dx;
        else
            s = (double)(xe - xs) / dy;
        for (d = 0; d <= (dx >= dy ? dx : dy); d++) {
            int32_t u, v;
            if (dx >= dy) {
                t = flip ? dx - d : d;
                u = t + xs;
                v = ref_cvt(ys + s * t + .5);
            } else {
                t = flip ? dy - d : d;
                v = t + ys;
                u = ref_cvt(xs + s * t + .5);
            }
            if (have_prev && u != pu) {
                double xd = (double)(u < pu ? u : u - 1), yd;
                xd = (xd + .5) / 5.0 - .5;
                if (!(floor(xd) != xd || xd < 0 || xd > wmax)) {
                    yd = (double)(v < pv ? v : pv);
                    yd = (yd + .5) / 5.0 - .5;
                    if (yd < 0)
                        yd = 0;
                    else if (yd > h)
                        yd = h;
                    yd = ceil(yd);
                    push(&a, (uint32_t)(int32_t)xd * h + (uint32_t)ref_cvt(yd));
                }
            }
            have_prev = 1;
            pu = u;
            pv = v;
        }
    }
    push(&a, (uint32_t)((uint64_t)h * w));
    qsort(a.a, a.n, sizeof(uint32_t), cmp_u32);
    p = 0;
    for (j = 0; j < a.n; j++) {
        uint32_t t = a.a[j];
        a.a[j] -= p;
        p = t;
    }
    m = 1;
    i = 1;
    while (i < a.n) {
        if (a.a[i] > 0) {
            a.a[m++] = a.a[i++];
        } else {
            i++;
            if (i < a.n)
                a.a[m - 1] += a.a[i++];
        }
    }
    *out = a.a;
    return m;
}

/* ---- random polygons --------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static double unif(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(rnd() >> 11) / 9007199254740992.0);
}

static uint32_t rint_(uint32_t lo, uint32_t hi) /* [lo, hi] */
{
    return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
}

/* One random polygon of family f into xy; returns k. */
static size_t random_poly(int f, double *xy, size_t max_k, uint32_t h, uint32_t w)
{
    size_t k = rint_(1, (uint32_t)max_k), j;
    double span = 1.0;
    switch (f) {
    case 0: /* around the image */
        for (j = 0; j < 2 * k; j += 2) {
            xy[j] = unif(-0.2 * w - 2, 1.2 * w + 2);
            xy[j + 1] = unif(-0.2 * h - 2, 1.2 * h + 2);
        }
        break;
    case 1: /* on the 0.1 grid, with repeated vertices */
        for (j = 0; j < 2 * k; j += 2) {
            if (j > 0 && rnd() % 4 == 0) {
                xy[j] = xy[j - 2];
                xy[j + 1] = xy[j - 1];
                continue;
            }
            xy[j] = (double)(int64_t)unif(-20, 10.0 * w + 20) / 10.0;
            xy[j + 1] = (double)(int64_t)unif(-20, 10.0 * h + 20) / 10.0;
        }
        break;
    case 2: /* negative and large */
        span = pow(10.0, unif(0, 3.5));
        for (j = 0; j < 2 * k; j++)
            xy[j] = unif(-span, span / 4);
        break;
    default: { /* long steep or shallow edges through the image */
        double cx = unif(0, w), cy = unif(0, h);
        for (j = 0; j < 2 * k; j += 2) {
            double a = unif(0, 6.283185307179586), r = unif(0, 1.5 * (h + w));
            xy[j] = cx + r * cos(a);
            xy[j + 1] = cy + r * sin(a);
        }
    } break;
    }
    return k;
}

static void check_against_reference(const double *xy, size_t k, uint32_t h, uint32_t w,
                                    vn_arena *ar, int *reported)
{
    vn_rle r, rw;
    uint32_t *ref;
    size_t mref = ref_poly(xy, k, h, w, &ref), j;
    int rc = vn_rle_from_poly(ar, xy, k, h, w, &r);
    int rcw = vn_rle_from_poly_walk(ar, xy, k, h, w, &rw);
    int same = rc == VERNIER_OK && rcw == VERNIER_OK && r.m == mref && rw.m == mref;
    for (j = 0; same && j < mref; j++)
        same = r.cnts[j] == ref[j] && rw.cnts[j] == ref[j];
    CHECK(same);
    if (!same && (*reported)++ < 5) {
        fprintf(stderr, "reference mismatch (h %u, w %u, k %zu, rc %d/%d, m %zu/%zu/%zu):",
                (unsigned)h, (unsigned)w, k, rc, rcw, r.m, rw.m, mref);
        for (j = 0; j < 2 * k; j++)
            fprintf(stderr, " %.17g", xy[j]);
        fprintf(stderr, "\n");
    }
    free(ref);
}

static void test_random_against_reference(void)
{
    static double xy[2 * 64];
    vn_mem m;
    vn_arena ar;
    int reported = 0;
    size_t i;
    vn_mem_init(&m, NULL);
    vn_arena_init(&ar, &m);
    for (i = 0; i < 40000; i++) {
        uint32_t h = rint_(1, i % 10 == 0 ? 1000 : 60), w = rint_(1, i % 10 == 0 ? 1000 : 60);
        int f = (int)(i % 4);
        size_t k = random_poly(f, xy, i % 7 == 0 && f < 2 ? 64 : 8, h, w);
        check_against_reference(xy, k, h, w, &ar, &reported);
        if (i % 1000 == 999)
            vn_arena_release(&ar);
    }
    /* near-diagonal steep edges reaching the coordinate bound (where
     * rounding is coarsest), both slopes, ~2^26 and ~2^24 points long */
    {
        static const double big[][6] = {
            {0.5, 0.0, 13421771.3, 13421772.7, 13421772.7, 13421772.7},
            {13421772.7, 13421772.7, 10066329.1, 10066330.3, 13421000.0, 13421772.0},
        };
        for (i = 0; i < sizeof(big) / sizeof(big[0]); i++)
            check_against_reference(big[i], 3, 500, 800, &ar, &reported);
    }
    vn_arena_release(&ar);
    CHECK_INT(m.used, 0);
}

/* ---- allocation failures ------------------------------------------------ */

/* A polygon whose keys need more than one arena block and the heap buffer
 * of the radix sort: every allocation is failed in turn. */
static void test_nomem(void)
{
    fail_alloc fa;
    vernier_allocator a = fail_alloc_allocator(&fa);
    static double zig[2 * 600];
    size_t j, n;
    int ok = 0;
    for (j = 0; j < 600; j++) {
        zig[2 * j] = j % 2 ? 999.5 : 0.2;
        zig[2 * j + 1] = (double)j * 1.6;
    }
    for (n = 0; n < 20 && !ok; n++) {
        vn_mem m;
        vn_arena ar;
        vn_rle r;
        int rc;
        vn_mem_init(&m, &a);
        vn_arena_init(&ar, &m);
        fail_alloc_init(&fa, (long)n + 1, FAIL_FROM); /* n allocations succeed */
        rc = vn_rle_from_poly(&ar, zig, 600, 1000, 1000, &r);
        if (rc == VERNIER_OK) {
            uint32_t *ref;
            size_t mref = ref_poly(zig, 600, 1000, 1000, &ref);
            CHECK_INT(r.m, mref);
            CHECK(r.m == mref && memcmp(r.cnts, ref, mref * sizeof(uint32_t)) == 0);
            free(ref);
            ok = 1;
        } else {
            CHECK_INT(rc, VERNIER_E_NOMEM);
        }
        vn_arena_release(&ar);
        CHECK_INT(m.used, 0);
    }
    CHECK(ok);
    CHECK(n >= 3); /* the keys, their block, the sort buffer */
}

int main(void)
{
    RUN(test_cases_from_pycocotools);
    RUN(test_limits);
    RUN(test_random_against_reference);
    RUN(test_nomem);
    return harness_report("test_polygon");
}
