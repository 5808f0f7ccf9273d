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
#include <string.h>

#include "common/vn_error.h"
#include "common/vn_limits.h"
#include "mask/rle.h"


/* Pass 1 of decoding: checks the size and the alphabet and counts the
 * counts (characters without the continuation bit), so the array is
 * allocated once and exactly.  *total gets h*w. */
static int decode_scan(const char *s, size_t len, uint64_t h, uint64_t w, uint64_t *total,
                       size_t *n_counts, vernier_error *err)
{
    size_t i, n = 0, k = 0;

    if (w != 0 && h > UINT64_MAX / w)
        return vn_fail(err, VERNIER_E_RLE, "mask size %llu x %llu is too large",
                       (unsigned long long)h, (unsigned long long)w);
    *total = h * w;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 48 || c > 111)
            return vn_fail(err, VERNIER_E_RLE,
                           "invalid character 0x%02X at position %zu of the RLE counts string",
                           (unsigned)c, i);
        if (((c - 48) & 0x20) == 0) {
            n++;
            k = 0;
        } else if (++k >= VN_RLE_MAX_CHARS) {
            return vn_fail(err, VERNIER_E_RLE,
                           "RLE count %zu is longer than %d characters", n, VN_RLE_MAX_CHARS);
        }
    }
    if (len > 0 && (((unsigned char)s[len - 1] - 48) & 0x20) != 0)
        return vn_fail(err, VERNIER_E_RLE, "RLE counts string ends in the middle of a count");
    if (n == 0 && *total != 0)
        return vn_fail(err, VERNIER_E_RLE, "counts sum to 0, expected h*w = %llu",
                       (unsigned long long)*total);
    *n_counts = n;
    return VERNIER_OK;
}

/* Pass 2: decodes the n counts of a string that passed decode_scan into
 * cnts and checks each count's range and their sum. */
static int decode_fill(const char *s, size_t n, uint64_t total, uint32_t *cnts,
                       vernier_error *err)
{
    size_t i, p = 0;
    uint64_t sum = 0;
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
        if (v < 0 || v > (int64_t)UINT32_MAX)
            return vn_fail(err, VERNIER_E_RLE, "RLE count %zu decodes to %lld, outside 0..%lu", i,
                           (long long)v, (unsigned long)UINT32_MAX);
        cnts[i] = (uint32_t)v;
        sum += (uint64_t)v; /* n <= len < 2^61 counts of < 2^32: no overflow */
    }
    if (sum != total)
        return vn_fail(err, VERNIER_E_RLE, "counts sum to %llu, expected h*w = %llu",
                       (unsigned long long)sum, (unsigned long long)total);
    return VERNIER_OK;
}

int vn_rle_decode_string(vn_mem *m, const char *s, size_t len, uint64_t h, uint64_t w,
                         uint32_t **counts, size_t *n_counts, vernier_error *err)
{
    size_t n = 0;
    uint64_t total;
    uint32_t *cnts;
    int rc;

    *counts = NULL;
    *n_counts = 0;
    VN_TRY(decode_scan(s, len, h, w, &total, &n, err));
    if (n == 0)
        return VERNIER_OK;
    cnts = vn_malloc(m, vn_mul_size(n, sizeof(uint32_t)));
    if (cnts == NULL)
        return vn_fail(err, vn_mem_failure(m), "out of memory decoding an RLE counts string");
    rc = decode_fill(s, n, total, cnts, err);
    if (rc != VERNIER_OK) {
        vn_free(m, cnts, n * sizeof(uint32_t));
        return rc;
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

/* ---- masks as values ---------------------------------------------------- */

static void rle_empty(vn_rle *out, uint32_t h, uint32_t w)
{
    out->h = h;
    out->w = w;
    out->m = 0;
    out->cnts = NULL;
}

int vn_rle_from_string(vn_arena *ar, const char *s, size_t len, uint32_t h, uint32_t w,
                       vn_rle *out, vernier_error *err)
{
    size_t n = 0;
    uint64_t total;
    uint32_t *cnts;

    rle_empty(out, h, w);
    VN_TRY(decode_scan(s, len, h, w, &total, &n, err));
    if (n == 0)
        return VERNIER_OK;
    cnts = vn_arena_array(ar, n, sizeof(uint32_t));
    if (cnts == NULL)
        return vn_fail(err, vn_mem_failure(ar->mem),
                       "out of memory decoding an RLE counts string");
    VN_TRY(decode_fill(s, n, total, cnts, err));
    out->m = n;
    out->cnts = cnts;
    return VERNIER_OK;
}

int vn_rle_from_counts(vn_arena *ar, const uint32_t *counts, size_t n, uint32_t h, uint32_t w,
                       vn_rle *out, vernier_error *err)
{
    uint64_t total = (uint64_t)h * w, sum = 0;
    uint32_t *cnts;
    size_t i;

    rle_empty(out, h, w);
    for (i = 0; i < n; i++)
        sum += counts[i]; /* at most 2^32 * n: no overflow for any real n */
    if (sum != total)
        return vn_fail(err, VERNIER_E_RLE, "counts sum to %llu, expected h*w = %llu",
                       (unsigned long long)sum, (unsigned long long)total);
    if (n == 0)
        return VERNIER_OK;
    cnts = vn_arena_array(ar, n, sizeof(uint32_t));
    if (cnts == NULL)
        return vn_fail(err, vn_mem_failure(ar->mem), "out of memory copying RLE counts");
    memcpy(cnts, counts, n * sizeof(uint32_t));
    out->m = n;
    out->cnts = cnts;
    return VERNIER_OK;
}

/* rleToString: x = cnts[i] (minus cnts[i-2] from i = 3) in a 64-bit long,
 * emitted 5 bits at a time with x >>= 5 (arithmetic), until the rest is 0
 * (or -1 when the last group's 0x10, the sign, is set).  The shift is done
 * on the unsigned representation with explicit sign fill. */
size_t vn_rle_to_string(const vn_rle *r, char *buf, size_t cap)
{
    size_t i, p = 0;
    for (i = 0; i < r->m; i++) {
        int64_t x = (int64_t)r->cnts[i];
        uint64_t ux;
        int more;
        if (i > 2)
            x -= (int64_t)r->cnts[i - 2];
        ux = (uint64_t)x;
        do {
            unsigned c = (unsigned)(ux & 0x1f);
            ux = (ux >> 5) | ((ux >> 63) ? ~(UINT64_MAX >> 5) : 0);
            more = (c & 0x10) ? ux != UINT64_MAX : ux != 0;
            if (more)
                c |= 0x20;
            if (p < cap)
                buf[p] = (char)(c + 48);
            p++;
        } while (more);
    }
    if (buf != NULL)
        buf[p < cap ? p : cap] = '\0';
    return p;
}

/* One step of rleMerge's loop: merges A (am counts) and B (bm counts) of
 * the same size into out (room for am + bm counts), exactly as
 * pycocotools does, in its 32-bit unsigned arithmetic.  Returns the number
 * of counts, or 0 when the inputs' lengths disagree (pycocotools would loop
 * forever).  A missing first count (m == 0, only at h*w == 0, where
 * pycocotools reads past its NULL array) is taken as 0. */
static size_t merge2(const uint32_t *A, size_t am, const uint32_t *B, size_t bm, int intersect,
                     uint32_t *out)
{
    uint32_t c, ca = am ? A[0] : 0, cb = bm ? B[0] : 0, cc = 0, ct = 1;
    size_t a = 1, b = 1, m = 0;
    int v = 0, va = 0, vb = 0, vp;
    while (ct > 0) {
        int moved = 0;
        c = ca < cb ? ca : cb;
        cc += c;
        ct = 0;
        ca -= c;
        if (!ca && a < am) {
            ca = A[a++];
            va = !va;
            moved = 1;
        }
        ct += ca;
        cb -= c;
        if (!cb && b < bm) {
            cb = B[b++];
            vb = !vb;
            moved = 1;
        }
        ct += cb;
        vp = v;
        v = intersect ? (va && vb) : (va || vb);
        if (v != vp || ct == 0)
            out[m++] = cc, cc = 0;
        if (!moved && ct != 0)
            return 0; /* one list ended before the other */
    }
    return m;
}

static uint64_t counts_sum(const uint32_t *c, size_t m)
{
    uint64_t s = 0;
    size_t i;
    for (i = 0; i < m; i++)
        s += c[i];
    return s;
}

#define MERGE_STACK 2048

/* rleMerge folds the masks in order: M = merge(merge(R0, R1), R2)...  The
 * result of one step has at most (counts of A) + (counts of B) - 1 counts,
 * so two buffers of the total size hold every step; the steps alternate
 * between them so that the last one lands in the result.  The other one is
 * scratch: on the stack when small, else in a temporary arena. */
static int merge_n(vn_arena *ar, vn_arena *tmp, const vn_rle *rles, size_t n, int intersect,
                   vn_rle *out)
{
    uint32_t stack[MERGE_STACK], *buf[2], *cur;
    size_t i, total = 0, cm;
    uint64_t hw;
    int slot;

    if (n == 0) {
        rle_empty(out, 0, 0);
        return VERNIER_OK;
    }
    rle_empty(out, rles[0].h, rles[0].w);
    hw = (uint64_t)rles[0].h * rles[0].w;
    for (i = 0; i < n; i++) {
        if (rles[i].h != rles[0].h || rles[i].w != rles[0].w)
            return VERNIER_E_RLE; /* pycocotools: an empty 0x0 mask */
        if (rles[i].m > SIZE_MAX / sizeof(uint32_t) - total)
            return VERNIER_E_NOMEM;
        total += rles[i].m;
    }
    if (total < 1)
        total = 1;
    buf[0] = vn_arena_array(ar, total, sizeof(uint32_t));
    if (buf[0] == NULL)
        return vn_mem_failure(ar->mem);
    if (n == 1) {
        if (rles[0].m > 0)
            memcpy(buf[0], rles[0].cnts, rles[0].m * sizeof(uint32_t));
        out->m = rles[0].m;
        out->cnts = rles[0].m > 0 ? buf[0] : NULL;
        return VERNIER_OK;
    }
    buf[1] = NULL;
    if (n > 2) {
        buf[1] = total <= MERGE_STACK ? stack : vn_arena_array(tmp, total, sizeof(uint32_t));
        if (buf[1] == NULL)
            return vn_mem_failure(ar->mem);
    }
    /* step i (1..n-1) writes buf[(n - 1 - i) % 2]: the last into buf[0] */
    cur = rles[0].cnts;
    cm = rles[0].m;
    for (i = 1; i < n; i++) {
        slot = (int)((n - 1 - i) % 2);
        cm = merge2(cur, cm, rles[i].cnts, rles[i].m, intersect, buf[slot]);
        /* pycocotools' result is wrong here (interior zero-length runs end
         * its loop early; ct wraps at 2^32): refuse rather than continue */
        if (cm == 0 || counts_sum(buf[slot], cm) != hw)
            return VERNIER_E_RLE;
        cur = buf[slot];
    }
    out->m = cm;
    out->cnts = buf[0];
    return VERNIER_OK;
}

int vn_rle_merge(vn_arena *ar, const vn_rle *rles, size_t n, int intersect, vn_rle *out)
{
    vn_arena tmp;
    int rc;
    vn_arena_init(&tmp, ar->mem);
    rc = merge_n(ar, &tmp, rles, n, intersect, out);
    vn_arena_release(&tmp);
    if (rc != VERNIER_OK) {
        out->m = 0;
        out->cnts = NULL;
    }
    return rc;
}

/* The run walk shared by the two functions below, exact in 64 bits. */
void vn_rle_inter_union(const vn_rle *a, const vn_rle *b, uint64_t *inter, uint64_t *uni)
{
    const uint32_t *A = a->cnts, *B = b->cnts;
    size_t am = a->m, bm = b->m, i = 0, j = 0;
    uint64_t ca = am ? A[0] : 0, cb = bm ? B[0] : 0, in = 0, un = 0;
    int va = 0, vb = 0;
    /* Standard two-list walk; runs of length 0 are skipped as they come. */
    for (;;) {
        uint64_t c;
        while (ca == 0 && i + 1 < am) {
            ca = A[++i];
            va = !va;
        }
        while (cb == 0 && j + 1 < bm) {
            cb = B[++j];
            vb = !vb;
        }
        if (ca == 0 || cb == 0)
            break;
        c = ca < cb ? ca : cb;
        if (va | vb) {
            un += c;
            if (va & vb)
                in += c;
        }
        ca -= c;
        cb -= c;
    }
    *inter = in;
    *uni = un;
}

/* rleIou's exact part, with its loop as written: 32-bit unsigned i, u and
 * ct (which ends the loop when both current runs are exhausted, so a
 * zero-length run can end it early), u = 1 when i == 0, u = area(dt) in
 * 32 bits for a crowd GT. */
double vn_rle_iou(const vn_rle *dt, const vn_rle *gt, int gt_crowd)
{
    const uint32_t *A = dt->cnts, *B = gt->cnts;
    size_t ka = dt->m, kb = gt->m, a = 1, b = 1;
    uint32_t c, ca, cb, ct = 1, i = 0, u = 0;
    int va = 0, vb = 0;
    if (dt->h != gt->h || dt->w != gt->w)
        return -1.0;
    ca = ka ? A[0] : 0;
    cb = kb ? B[0] : 0;
    while (ct > 0) {
        int moved = 0;
        c = ca < cb ? ca : cb;
        if (va || vb) {
            u += c;
            if (va && vb)
                i += c;
        }
        ct = 0;
        ca -= c;
        if (!ca && a < ka) {
            ca = A[a++];
            va = !va;
            moved = 1;
        }
        ct += ca;
        cb -= c;
        if (!cb && b < kb) {
            cb = B[b++];
            vb = !vb;
            moved = 1;
        }
        ct += cb;
        if (!moved && ct != 0)
            break; /* lengths disagree: pycocotools would loop forever */
    }
    if (i == 0)
        u = 1;
    else if (gt_crowd)
        u = (uint32_t)vn_rle_area(dt->cnts, dt->m);
    return (double)i / (double)u;
}
