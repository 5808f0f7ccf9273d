/* fuzz_rle.c — compressed RLE strings (rle.c), and what is computed from a
 * decoded mask: area, box, re-encoding, merge, IoU, boundary band.
 *
 * Input: h (u32 LE), w (u32 LE), d (u8: the band width), then the counts
 * string.  Invariants: a decoded string's counts sum to h*w; encoding them
 * and decoding again gives the same counts; union and intersection of a
 * mask with itself keep its area; a band is the mask's size and inside it. */
#include <string.h>

#include "mask/boundary.h"
#include "fuzz.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"
#include "common/vn_error.h"

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t sum_counts(const vn_rle *r)
{
    uint64_t s = 0;
    size_t i;
    for (i = 0; i < r->m; i++)
        s += r->cnts[i];
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vn_mem mem;
    vn_arena ar;
    vn_rle r, r2, u, in, band;
    vernier_error err = VERNIER_ERROR_INIT;
    uint32_t h, w, d, *cnts = NULL;
    size_t n = 0, len;
    const char *s;
    int rc;

    if (size < 9)
        return 0;
    h = rd32(data);
    w = rd32(data + 4);
    d = data[8];
    s = (const char *)data + 9;
    len = size - 9;
    FUZZ_ASSERT(vn_mem_init(&mem, NULL) == VERNIER_OK);

    /* The counts-array decoder. */
    rc = vn_rle_decode_string(&mem, s, len, h, w, &cnts, &n, &err);
    if (rc == VERNIER_OK) {
        double bb[4];
        uint64_t tot = 0;
        size_t i;
        for (i = 0; i < n; i++)
            tot += cnts[i];
        FUZZ_ASSERT(tot == (uint64_t)h * w);
        (void)vn_rle_area(cnts, n);
        vn_rle_to_bbox(cnts, n, h, w, bb);
        vn_free(&mem, cnts, n * sizeof(uint32_t));
    } else {
        FUZZ_ASSERT(rc == VERNIER_E_RLE || rc == VERNIER_E_NOMEM || rc == VERNIER_E_LIMIT);
        FUZZ_ASSERT(err.message[0] != '\0');
    }

    /* The mask-value decoder, and what the evaluation computes from it. */
    vn_arena_init(&ar, &mem);
    rc = vn_rle_from_string(&ar, s, len, h, w, &r, &err);
    if (rc == VERNIER_OK) {
        size_t need = vn_rle_to_string(&r, NULL, 0);
        uint64_t area = vn_rle_area(r.cnts, r.m), inter, uni;
        char *enc;
        FUZZ_ASSERT(r.h == h && r.w == w);
        FUZZ_ASSERT(sum_counts(&r) == (uint64_t)h * w);
        enc = vn_arena_alloc(&ar, need + 1);
        FUZZ_ASSERT(enc != NULL);
        FUZZ_ASSERT(vn_rle_to_string(&r, enc, need) == need);
        FUZZ_ASSERT(enc[need] == '\0');
        FUZZ_ASSERT(vn_rle_from_string(&ar, enc, need, h, w, &r2, &err) == VERNIER_OK);
        FUZZ_ASSERT(r2.m == r.m);
        FUZZ_ASSERT(r.m == 0 || memcmp(r2.cnts, r.cnts, r.m * sizeof(uint32_t)) == 0);

        vn_rle_inter_union(&r, &r, &inter, &uni);
        FUZZ_ASSERT(inter == area && uni == area);
        (void)vn_rle_iou(&r, &r, 0);
        (void)vn_rle_iou(&r, &r, 1);
        {
            vn_rle two[2];
            two[0] = r;
            two[1] = r;
            rc = vn_rle_merge(&ar, two, 2, 0, &u);
            FUZZ_ASSERT(rc == VERNIER_OK || rc == VERNIER_E_RLE || rc == VERNIER_E_NOMEM);
            if (rc == VERNIER_OK && sum_counts(&u) == (uint64_t)h * w)
                FUZZ_ASSERT(vn_rle_area(u.cnts, u.m) == area);
            rc = vn_rle_merge(&ar, two, 2, 1, &in);
            FUZZ_ASSERT(rc == VERNIER_OK || rc == VERNIER_E_RLE || rc == VERNIER_E_NOMEM);
            if (rc == VERNIER_OK && sum_counts(&in) == (uint64_t)h * w)
                FUZZ_ASSERT(vn_rle_area(in.cnts, in.m) == area);
        }
        /* The public string forms agree with the internal decoder; an
         * image-sized mask decoded and encoded again gives the canonical
         * string. */
        {
            uint64_t a2 = 0;
            double b1[4], b2[4];
            FUZZ_ASSERT(vernier_mask_string_area(&a2, s, len, h, w, NULL, NULL) == VERNIER_OK);
            FUZZ_ASSERT(a2 == area);
            FUZZ_ASSERT(vernier_mask_string_to_bbox(b2, s, len, h, w, NULL, NULL) == VERNIER_OK);
            vn_rle_to_bbox(r.cnts, r.m, h, w, b1);
            FUZZ_ASSERT(memcmp(b1, b2, sizeof b1) == 0);
        }
        if ((uint64_t)h * w <= ((uint64_t)1 << 20)) {
            /* decode -> encode -> decode gives the same pixels */
            size_t hw = (size_t)((uint64_t)h * w), elen = 0, elen2 = 0;
            uint8_t *pix = vn_arena_alloc(&ar, hw ? hw : 1);
            uint8_t *pix2 = vn_arena_alloc(&ar, hw ? hw : 1);
            char *again;
            FUZZ_ASSERT(pix != NULL && pix2 != NULL);
            FUZZ_ASSERT(vernier_mask_string_decode(pix, s, len, h, w, NULL, NULL) == VERNIER_OK);
            FUZZ_ASSERT(vernier_mask_encode_string(NULL, 0, &elen, pix, h, w, NULL, NULL) ==
                        VERNIER_OK);
            again = vn_arena_alloc(&ar, elen + 1);
            FUZZ_ASSERT(again != NULL);
            FUZZ_ASSERT(vernier_mask_encode_string(again, elen, &elen2, pix, h, w, NULL, NULL) ==
                        VERNIER_OK);
            FUZZ_ASSERT(elen2 == elen && again[elen] == '\0');
            FUZZ_ASSERT(vernier_mask_string_decode(pix2, again, elen, h, w, NULL, NULL) ==
                        VERNIER_OK);
            FUZZ_ASSERT(hw == 0 || memcmp(pix, pix2, hw) == 0);
        }
        /* Bands need per-column scratch: only on image-sized masks. */
        if ((uint64_t)h * w <= ((uint64_t)1 << 22) && w <= 8192 && h <= 8192) {
            rc = vn_boundary_band(&ar, &r, d ? d : 1, &band);
            FUZZ_ASSERT(rc == VERNIER_OK || rc == VERNIER_E_NOMEM || rc == VERNIER_E_LIMIT);
            if (rc == VERNIER_OK) {
                FUZZ_ASSERT(band.h == h && band.w == w);
                FUZZ_ASSERT(sum_counts(&band) == (uint64_t)h * w);
                vn_rle_inter_union(&band, &r, &inter, &uni);
                FUZZ_ASSERT(inter == vn_rle_area(band.cnts, band.m));
            }
        }
    } else {
        uint64_t a2;
        FUZZ_ASSERT(rc == VERNIER_E_RLE || rc == VERNIER_E_NOMEM || rc == VERNIER_E_LIMIT);
        if (rc == VERNIER_E_RLE)
            FUZZ_ASSERT(vernier_mask_string_area(&a2, s, len, h, w, NULL, NULL) == VERNIER_E_RLE);
    }
    vn_arena_release(&ar);
    FUZZ_ASSERT(mem.used == 0);
    return 0;
}
