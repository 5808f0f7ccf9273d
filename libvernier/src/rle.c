/* rle.c — COCO compressed RLE strings, mask area and mask box.
 *
 * The string codec (pycocotools' rleFrString/rleToString): each count is
 * written as a signed integer, 5 bits per character (least significant
 * group first), character = 48 + group, 0x20 set on every character but
 * the last of a count, and 0x10 of the last character holding the sign.
 * From index 3 on, the value stored is the difference to the count two
 * places back (same run parity, so usually small).
 *
 * pycocotools decodes with shifts on a 32-bit int, which goes wrong for
 * counts needing 7 characters (|delta| >= 2^29, masks of >= 2^29 pixels).
 * Here the arithmetic is done exactly in 64 bits, with sign extension by
 * defined operations, and every count is validated instead of wrapped. */
#include <stdio.h>

#include "rle.h"
#include "vn_error.h"

/* A count longer than this many characters carries more than 60 bits:
 * no valid count needs it (valid deltas fit in 34 bits, 7 characters). */
#define RLE_MAX_CHARS 12

int vn_rle_decode_string(vn_mem *m, const char *s, size_t len, uint64_t h, uint64_t w,
                         uint32_t **counts, size_t *n_counts, vernier_error *err)
{
    size_t i, n = 0, k = 0, p = 0;
    uint64_t total, sum = 0;
    uint32_t *cnts;

    *counts = NULL;
    *n_counts = 0;

    if (w != 0 && h > UINT64_MAX / w)
        return vn_fail(err, VERNIER_E_RLE, "mask size %llu x %llu is too large",
                       (unsigned long long)h, (unsigned long long)w);
    total = h * w;

    /* Pass 1: validate the alphabet and count the counts (characters
     * without the continuation bit), so the array is allocated once and
     * exactly. */
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 48 || c > 111)
            return vn_fail(err, VERNIER_E_RLE,
                           "invalid character 0x%02X at position %zu of the RLE counts string",
                           (unsigned)c, i);
        if (((c - 48) & 0x20) == 0) {
            n++;
            k = 0;
        } else if (++k >= RLE_MAX_CHARS) {
            return vn_fail(err, VERNIER_E_RLE,
                           "RLE count %zu is longer than %d characters", n, RLE_MAX_CHARS);
        }
    }
    if (len > 0 && (((unsigned char)s[len - 1] - 48) & 0x20) != 0)
        return vn_fail(err, VERNIER_E_RLE, "RLE counts string ends in the middle of a count");
    if (n == 0) {
        if (total != 0)
            return vn_fail(err, VERNIER_E_RLE, "counts sum to 0, expected h*w = %llu",
                           (unsigned long long)total);
        return VERNIER_OK;
    }

    cnts = vn_malloc(m, vn_mul_size(n, sizeof(uint32_t)));
    if (cnts == NULL)
        return vn_fail(err, vn_mem_failure(m), "out of memory decoding an RLE counts string");

    /* Pass 2: decode. */
    for (i = 0; i < n; i++) {
        uint64_t x = 0;
        int64_t v;
        unsigned shift = 0;
        unsigned c;
        do {
            c = (unsigned char)s[p++] - 48u;
            x |= (uint64_t)(c & 0x1f) << shift;
            shift += 5;
        } while (c & 0x20);
        /* Sign-extend from `shift` bits when the last group's 0x10 is set:
         * x - 2^shift, computed on the magnitude to stay defined. */
        if (c & 0x10)
            v = -(int64_t)((UINT64_C(1) << shift) - x);
        else
            v = (int64_t)x;
        if (i > 2)
            v += (int64_t)cnts[i - 2];
        if (v < 0 || v > (int64_t)UINT32_MAX) {
            vn_free(m, cnts, n * sizeof(uint32_t));
            return vn_fail(err, VERNIER_E_RLE, "RLE count %zu decodes to %lld, outside 0..%lu", i,
                           (long long)v, (unsigned long)UINT32_MAX);
        }
        cnts[i] = (uint32_t)v;
        sum += (uint64_t)v; /* n <= len < 2^61 counts of < 2^32: no overflow */
    }
    if (sum != total) {
        vn_free(m, cnts, n * sizeof(uint32_t));
        return vn_fail(err, VERNIER_E_RLE, "counts sum to %llu, expected h*w = %llu",
                       (unsigned long long)sum, (unsigned long long)total);
    }
    *counts = cnts;
    *n_counts = n;
    return VERNIER_OK;
}

uint64_t vn_rle_area(const uint32_t *counts, size_t n)
{
    uint64_t a = 0;
    size_t j;
    for (j = 1; j < n; j += 2)
        a += counts[j];
    return a;
}

/* pycocotools 2.0.11 rleToBbox, in its unsigned 32-bit arithmetic: the run
 * count is rounded down to even (so a lone background run gives a zero
 * box); for each non-empty foreground run, columns widen [xs, xe], and rows
 * widen [ys, ye] unless the run spans columns, which forces the full
 * height.  With runs but no foreground the box stays at its start values
 * xs = w, ys = h, xe = ye = 0 and the widths wrap around (kept: parity). */
void vn_rle_to_bbox(const uint32_t *counts, size_t n, uint32_t h, uint32_t w, double out[4])
{
    size_t m = n - n % 2, j;
    uint32_t xs = w, ys = h, xe = 0, ye = 0, cc = 0;
    if (m == 0) {
        out[0] = out[1] = out[2] = out[3] = 0.0;
        return;
    }
    for (j = 0; j < m; j++) {
        uint32_t start = cc, y_start, x_start, y_end, x_end;
        cc += counts[j];
        if (j % 2 == 0 || counts[j] == 0 || h == 0)
            continue;
        y_start = start % h;
        x_start = (start - y_start) / h;
        y_end = (cc - 1) % h;
        x_end = (cc - 1 - y_end) / h;
        if (x_start < xs)
            xs = x_start;
        if (x_end > xe)
            xe = x_end;
        if (x_start < x_end) {
            ys = 0;
            ye = h - 1;
        } else {
            if (y_start < ys)
                ys = y_start;
            if (y_end > ye)
                ye = y_end;
        }
    }
    out[0] = (double)xs;
    out[1] = (double)ys;
    out[2] = (double)(uint32_t)(xe - xs + 1);
    out[3] = (double)(uint32_t)(ye - ys + 1);
}
