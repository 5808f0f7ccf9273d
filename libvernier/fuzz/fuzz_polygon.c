/* fuzz_polygon.c — polygon rasterisation (polygon.c: rleFrPoly, rleFrBbox).
 *
 * Input: h (u16 LE), w (u16 LE), a mode byte, then vertices: bit 0 of the
 * mode set = raw f64 LE values (NaN, infinities, huge values included),
 * clear = i16 LE values in quarter pixels.  Bit 1: also rasterise the first
 * four values as a box.  Invariants: a mask's counts sum to h*w; and, for
 * coordinates of moderate size, the fast crossing search agrees with
 * polygon.c compiled a second time with every steep edge walked point by
 * point (as test_polygon.c does). */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "mask/polygon.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"

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

#define MAX_VALUES 512

static int same(const vn_rle *a, const vn_rle *b)
{
    return a->h == b->h && a->w == b->w && a->m == b->m &&
           (a->m == 0 || memcmp(a->cnts, b->cnts, a->m * sizeof(uint32_t)) == 0);
}

static void check_sum(const vn_rle *r, uint32_t h, uint32_t w)
{
    uint64_t s = 0;
    size_t i;
    FUZZ_ASSERT(r->h == h && r->w == w);
    for (i = 0; i < r->m; i++)
        s += r->cnts[i];
    FUZZ_ASSERT(s == (uint64_t)h * w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    double xy[MAX_VALUES];
    size_t n = 0, i;
    uint32_t h, w;
    unsigned mode;
    int moderate = 1, rc, rc2;
    vn_mem mem;
    vn_arena ar;
    vn_rle a, b;

    if (size < 5)
        return 0;
    h = (uint32_t)data[0] | (uint32_t)data[1] << 8;
    w = (uint32_t)data[2] | (uint32_t)data[3] << 8;
    mode = data[4];
    data += 5;
    size -= 5;
    if (mode & 1) {
        for (; size >= 8 && n < MAX_VALUES; data += 8, size -= 8) {
            uint64_t u = 0;
            for (i = 0; i < 8; i++)
                u |= (uint64_t)data[i] << (8 * i);
            memcpy(&xy[n++], &u, sizeof(double));
        }
    } else {
        for (; size >= 2 && n < MAX_VALUES; data += 2, size -= 2)
            xy[n++] = (double)(int16_t)(uint16_t)(data[0] | data[1] << 8) / 4.0;
    }
    for (i = 0; i < n; i++)
        if (!(fabs(xy[i]) <= 4096.0))
            moderate = 0;
    if ((uint64_t)h * w > ((uint64_t)1 << 24))
        moderate = 0;

    FUZZ_ASSERT(vn_mem_init(&mem, NULL) == VERNIER_OK);
    vn_arena_init(&ar, &mem);
    rc = vn_rle_from_poly(&ar, xy, n / 2, h, w, &a);
    FUZZ_ASSERT(rc == VERNIER_OK || rc == VERNIER_E_LIMIT || rc == VERNIER_E_NOMEM);
    if (rc == VERNIER_OK)
        check_sum(&a, h, w);
    if (moderate) {
        rc2 = vn_rle_from_poly_walk(&ar, xy, n / 2, h, w, &b);
        FUZZ_ASSERT(rc2 == rc);
        if (rc == VERNIER_OK)
            FUZZ_ASSERT(same(&a, &b));
    }
    if ((mode & 2) && n >= 4) {
        rc = vn_rle_from_bbox(&ar, xy, h, w, &a);
        FUZZ_ASSERT(rc == VERNIER_OK || rc == VERNIER_E_LIMIT || rc == VERNIER_E_NOMEM);
        if (rc == VERNIER_OK)
            check_sum(&a, h, w);
        if (moderate) {
            rc2 = vn_rle_from_bbox_walk(&ar, xy, h, w, &b);
            FUZZ_ASSERT(rc2 == rc);
            if (rc == VERNIER_OK)
                FUZZ_ASSERT(same(&a, &b));
        }
    }
    vn_arena_release(&ar);
    FUZZ_ASSERT(mem.used == 0);
    return 0;
}
