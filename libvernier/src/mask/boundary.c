/* boundary.c — Boundary IoU's boundary bands, computed on runs.
 *
 * The reference (boundary-iou-api's mask_to_boundary) decodes the mask,
 * pads it with one zero pixel on every side, erodes it d times with a 3x3
 * square and subtracts.  That is: band = M \ E with E = M eroded by the
 * (2d+1) x (2d+1) square, pixels outside the image counting as background.
 * Here the same set is computed from the RLE without ever materialising the
 * image, in time proportional to the number of runs and columns of the
 * mask's bounding box (outside the box everything is background, exactly as
 * outside the image, so nothing there can be foreground in E or in the band).
 *
 * The square erosion is separable: E = H(V(M)), where V erodes each column
 * by the vertical segment of 2d+1 pixels and H erodes each row by the
 * horizontal segment of 2d+1 pixels.
 *
 * 1. Columns.  The column-major runs are cut at column boundaries into
 *    per-column foreground intervals [a, b) of rows, merging intervals that
 *    touch (a zero-length background run in the input).  Every column's
 *    intervals are then maximal and separated by background.
 *
 * 2. V.  A pixel (x, y) survives the vertical erosion iff rows y-d..y+d of
 *    column x are all foreground and inside the image, i.e. iff it lies in
 *    an interval [a, b) of column x with a <= y - d and y + d < b: each
 *    interval shrinks to [a+d, b-d) and vanishes when b - a <= 2d.  An
 *    interval touching the top or bottom edge shrinks the same way (the
 *    rows beyond the edge are background).
 *
 * 3. H.  E(xc, y) = 1 iff V(x, y) = 1 for all x in xc-d..xc+d, with columns
 *    outside the image (or the box) counting as empty: E(xc) is the
 *    intersection of the interval lists of V over a sliding window of
 *    k = 2d+1 columns.  It is computed as van Herk / Gil-Werman compute a
 *    sliding minimum: cut the box's columns into blocks of k; within each
 *    block keep suffix intersections S(x) = V(x) n ... n V(block end) and
 *    prefix intersections P(x) = V(block start) n ... n V(x).  A window
 *    xc-d..xc+d spans at most two adjacent blocks, so
 *    E(xc) = S(xc-d) n P(xc+d): three list intersections per column, however
 *    large d is.  Intersecting sorted interval lists is a linear merge.
 *    Only columns with xc-d and xc+d inside the box can have E non-empty.
 *
 * 4. Band.  band(xc) = M(xc) \ E(xc), emitted column by column (E(xc) is a
 *    subset of M(xc)) into column-major runs, merging runs that continue
 *    across a column boundary.  The counts are encoded as pycocotools'
 *    rleEncode would encode the decoded band: background first (possibly
 *    0), alternating, no trailing zero; an empty band is the single count
 *    h*w.
 *
 * Cost: O(box width + runs) list operations for ordinary shapes (each
 * intersection costs the sizes of its operands, which stay near the number
 * of intervals per column; an adversarial mask can make them grow with d).
 * Scratch comes from a temporary arena on the caller's vn_mem, released
 * before returning; only the result's counts are allocated from the
 * caller's arena, exactly sized. */
#include <math.h>
#include <string.h>

#include "mask/boundary.h"

uint32_t vn_boundary_dilation(double ratio, uint32_t h, uint32_t w)
{
    uint64_t hh = (uint64_t)h * h, ww = (uint64_t)w * w, s = hh + ww;
    double sum, x, f, frac;
    uint32_t r;

    /* float(h*h + w*w): exact below 2^53; beyond, rounded to nearest as
     * numpy converts an int64/uint64.  A sum past 2^64 (only for sizes no
     * RLE can have) is halved with the dropped bit kept as a sticky bit,
     * which rounds identically. */
    if (s < hh)
        sum = (double)((UINT64_C(1) << 63) | (s >> 1) | (s & 1)) * 2.0;
    else
        sum = (double)s;
    x = ratio * sqrt(sum);

    /* int(round(x)) with round half to even, then max(., 1).  Any x below 1
     * rounds to 0 or 1, both giving 1; NaN (Python raises) also gives 1.
     * Values beyond the 32-bit range saturate: eroding by more than the
     * image leaves nothing, whatever the depth. */
    if (!(x >= 1.0))
        return 1;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    f = floor(x);
    frac = x - f; /* exact: x and floor(x) are within one binade here */
    r = (uint32_t)f;
    if (frac > 0.5 || (frac == 0.5 && (r & 1u) != 0))
        r++;
    return r;
}

/* One foreground interval [a, b) of rows of a column. */
typedef struct {
    uint32_t a, b;
} bd_iv;

/* A growable interval list in the temporary arena. */
typedef struct {
    bd_iv *v;
    size_t n, cap;
} bd_vec;

/* Makes room for `more` further intervals (old storage stays in the
 * temporary arena until it is released). */
static int bd_reserve(vn_arena *tmp, bd_vec *v, size_t more)
{
    size_t need = v->n + more, ncap;
    bd_iv *nv;
    if (need <= v->cap && v->v != NULL)
        return VERNIER_OK; /* (a first call always allocates: no NULL + 0) */
    ncap = v->cap * 2 > need ? v->cap * 2 : need;
    if (ncap < 16)
        ncap = 16;
    nv = vn_arena_array(tmp, ncap, sizeof(bd_iv));
    if (nv == NULL)
        return vn_mem_failure(tmp->mem);
    if (v->n != 0)
        memcpy(nv, v->v, v->n * sizeof(bd_iv));
    v->v = nv;
    v->cap = ncap;
    return VERNIER_OK;
}

/* Appends a n b (sorted disjoint lists) to out.  The caller reserves
 * na + nb - 1 >= |a n b| places (it must: a or b may live in out's storage,
 * which a reservation could move); VERNIER_E_STATE if it did not. */
static int bd_intersect(const bd_iv *a, size_t na, const bd_iv *b, size_t nb, bd_vec *out)
{
    size_t i = 0, j = 0;
    if (na != 0 && nb != 0 && out->cap - out->n < na + nb - 1)
        return VERNIER_E_STATE; /* a bug, never a property of the input */
    while (i < na && j < nb) {
        uint32_t lo = a[i].a > b[j].a ? a[i].a : b[j].a;
        uint32_t hi = a[i].b < b[j].b ? a[i].b : b[j].b;
        if (lo < hi) {
            out->v[out->n].a = lo;
            out->v[out->n].b = hi;
            out->n++;
        }
        if (a[i].b < b[j].b)
            i++;
        else
            j++;
    }
    return VERNIER_OK;
}

/* Column-major run writer. */
typedef struct {
    vn_arena *tmp;
    uint32_t *c;
    size_t n, cap;
    uint64_t end; /* position after the last foreground pixel written */
    int have_fg;
    int failed;
} bd_writer;

static void bd_push(bd_writer *wr, uint32_t v)
{
    if (wr->n == wr->cap) {
        size_t ncap = wr->cap * 2 + 16;
        uint32_t *nc = vn_arena_array(wr->tmp, ncap, sizeof(uint32_t));
        if (nc == NULL) {
            wr->failed = 1;
            return;
        }
        if (wr->n != 0)
            memcpy(nc, wr->c, wr->n * sizeof(uint32_t));
        wr->c = nc;
        wr->cap = ncap;
    }
    wr->c[wr->n++] = v;
}

/* Appends foreground pixels [p0, p1) (column-major positions, p0 >= the
 * end of the previous call, p1 > p0, both <= h*w <= UINT32_MAX). */
static void bd_fg(bd_writer *wr, uint64_t p0, uint64_t p1)
{
    if (wr->failed)
        return;
    if (wr->have_fg && p0 == wr->end) {
        wr->c[wr->n - 1] += (uint32_t)(p1 - p0);
    } else {
        bd_push(wr, (uint32_t)(p0 - (wr->have_fg ? wr->end : 0)));
        bd_push(wr, (uint32_t)(p1 - p0));
        wr->have_fg = 1;
    }
    wr->end = p1;
}

/* Emits band(xc) = M(xc) minus E(xc) = e[0..ne) (each interval of E(xc)
 * lies inside one interval of M(xc)). */
static void bd_emit_column(bd_writer *wr, uint64_t col_base, const bd_iv *m, size_t nm,
                           const bd_iv *e, size_t ne)
{
    size_t i, k = 0;
    for (i = 0; i < nm; i++) {
        uint32_t y = m[i].a, b = m[i].b;
        while (k < ne && e[k].a < b) {
            if (e[k].a > y)
                bd_fg(wr, col_base + y, col_base + e[k].a);
            y = e[k].b;
            k++;
        }
        if (y < b)
            bd_fg(wr, col_base + y, col_base + b);
    }
}

/* Cuts the runs into per-column intervals: iv[0..*n_iv) in column order,
 * cs[x] = index of the first interval of column x for x in x0..x1+1, where
 * x0/x1 are the first/last columns with foreground (*n_iv == 0: none).
 * iv needs room for (foreground runs) + w - 1 intervals (a run is cut once
 * per column boundary it crosses, and each boundary is crossed by at most
 * one run), cs for w + 1 entries.  The counts sum to h*w <= UINT32_MAX,
 * so positions fit in 32 bits. */
static void bd_columns(const vn_rle *mk, bd_iv *iv, uint32_t *cs, size_t *n_iv, uint32_t *x0,
                       uint32_t *x1)
{
    uint32_t h = mk->h, pos = 0, prev_end = 0, nc = 0, x = 0;
    size_t i, n = 0;
    for (i = 0; i < mk->m; i++) {
        uint32_t c = mk->cnts[i];
        if ((i & 1) != 0 && c != 0) {
            uint32_t p = pos, e = pos + c;
            /* pos + c <= h*w: no wrap */
            while (p != e) {
                uint32_t y, len;
                x = p / h;
                y = p - x * h;
                len = e - p < h - y ? e - p : h - y;
                if (n != 0 && p == prev_end && y != 0) {
                    iv[n - 1].b = y + len; /* touches the previous interval */
                } else {
                    if (n == 0) {
                        *x0 = x;
                        nc = x;
                    }
                    while (nc <= x)
                        cs[nc++] = (uint32_t)n;
                    iv[n].a = y;
                    iv[n].b = y + len;
                    n++;
                }
                p += len;
                prev_end = p;
            }
        }
        pos += c;
    }
    if (n != 0) {
        *x1 = x;
        cs[x + 1] = (uint32_t)n;
    }
    *n_iv = n;
}

static int bd_finish(vn_arena *ar, const vn_rle *mask, bd_writer *wr, vn_rle *out)
{
    uint64_t total = (uint64_t)mask->h * mask->w;
    uint32_t *cnts;
    if (!wr->have_fg) {
        wr->n = 0;
        bd_push(wr, (uint32_t)total);
    } else if (wr->end < total) {
        bd_push(wr, (uint32_t)(total - wr->end));
    }
    if (wr->failed)
        return vn_mem_failure(wr->tmp->mem);
    cnts = vn_arena_array(ar, wr->n, sizeof(uint32_t));
    if (cnts == NULL)
        return vn_mem_failure(ar->mem);
    memcpy(cnts, wr->c, wr->n * sizeof(uint32_t));
    out->h = mask->h;
    out->w = mask->w;
    out->m = wr->n;
    out->cnts = cnts;
    return VERNIER_OK;
}

/* When E is empty: the band is M itself, re-encoded canonically. */
static int bd_band_is_mask(vn_arena *ar, const vn_rle *mask, bd_writer *wr, const bd_iv *iv,
                           const uint32_t *cs, uint32_t x0, uint32_t bw, vn_rle *out)
{
    uint32_t c;
    for (c = 0; c < bw; c++)
        bd_emit_column(wr, ((uint64_t)x0 + c) * mask->h, iv + cs[c], cs[c + 1] - cs[c], NULL, 0);
    return bd_finish(ar, mask, wr, out);
}

static int bd_band(vn_arena *ar, vn_arena *tmp, const vn_rle *mask, uint32_t d, vn_rle *out)
{
    uint64_t h = mask->h, total = h * mask->w, pos = 0, dd = d, k;
    size_t i, n_iv = 0, n_v = 0;
    uint32_t x0 = 0, x1 = 0, bw, c, bs;
    bd_iv *iv, *vi;
    uint32_t *cs, *vcs, *sst, *sn;
    bd_vec sv = {NULL, 0, 0}, pv[2] = {{NULL, 0, 0}, {NULL, 0, 0}}, ev = {NULL, 0, 0};
    int cur = 0;
    bd_writer wr;

    if (total > UINT32_MAX)
        return VERNIER_E_RLE;
    for (i = 0; i < mask->m; i++) {
        pos += mask->cnts[i];
        if (pos > total)
            return VERNIER_E_RLE;
    }
    if (pos != total)
        return VERNIER_E_RLE;

    memset(&wr, 0, sizeof wr);
    wr.tmp = tmp;

    /* 1. M: per-column intervals of the box's columns x0..x1 (from here
     * on, c indexes the box's columns: iv[cs[c] .. cs[c+1]) is column x0+c). */
    iv = vn_arena_array(tmp, mask->m / 2 + mask->w, sizeof(bd_iv));
    cs = vn_arena_array(tmp, (size_t)mask->w + 1, sizeof(uint32_t));
    if (iv == NULL || cs == NULL)
        return vn_mem_failure(tmp->mem);
    bd_columns(mask, iv, cs, &n_iv, &x0, &x1);
    if (n_iv == 0)
        return bd_finish(ar, mask, &wr, out); /* empty mask: empty band */
    cs += x0;
    bw = x1 - x0 + 1;
    wr.cap = 4 * n_iv + 4;
    wr.c = vn_arena_array(tmp, wr.cap, sizeof(uint32_t));
    if (wr.c == NULL)
        return vn_mem_failure(tmp->mem);

    /* E needs 2d+1 columns of the box; without them the band is M. */
    if ((uint64_t)bw <= 2 * dd)
        return bd_band_is_mask(ar, mask, &wr, iv, cs, x0, bw, out);

    /* 2. V: each interval shrunk by d at both ends (c indexes box columns). */
    vi = vn_arena_array(tmp, n_iv, sizeof(bd_iv));
    vcs = vn_arena_array(tmp, (size_t)bw + 1, sizeof(uint32_t));
    if (vi == NULL || vcs == NULL)
        return vn_mem_failure(tmp->mem);
    for (c = 0; c < bw; c++) {
        vcs[c] = (uint32_t)n_v;
        for (i = cs[c]; i < cs[c + 1]; i++)
            if ((uint64_t)(iv[i].b - iv[i].a) > 2 * dd) {
                vi[n_v].a = iv[i].a + d;
                vi[n_v].b = iv[i].b - d;
                n_v++;
            }
    }
    vcs[bw] = (uint32_t)n_v;
    if (n_v == 0)
        return bd_band_is_mask(ar, mask, &wr, iv, cs, x0, bw, out);

    /* 3a. Suffix intersections S(c) within blocks of k = 2d+1 columns,
     * stored for every column: S(c) = sv.v[sst[c] .. sst[c] + sn[c]). */
    k = 2 * dd + 1;
    sst = vn_arena_array(tmp, bw, sizeof(uint32_t));
    sn = vn_arena_array(tmp, bw, sizeof(uint32_t));
    if (sst == NULL || sn == NULL)
        return vn_mem_failure(tmp->mem);
    for (bs = 0;;) {
        uint32_t last = (uint64_t)bs + k - 1 < bw ? (uint32_t)(bs + k - 1) : bw - 1;
        for (c = last;; c--) {
            const bd_iv *v = vi + vcs[c];
            size_t nv = vcs[c + 1] - vcs[c];
            size_t prev_n = c == last ? 0 : sn[c + 1];
            int rc = bd_reserve(tmp, &sv, nv + prev_n);
            if (rc != VERNIER_OK)
                return rc;
            sst[c] = (uint32_t)sv.n;
            if (c == last) {
                if (nv != 0)
                    memcpy(sv.v + sv.n, v, nv * sizeof(bd_iv));
                sv.n += nv;
                sn[c] = (uint32_t)nv;
            } else {
                /* reserve may move sv.v: take S(c+1)'s address after it */
                rc = bd_intersect(v, nv, sv.v + sst[c + 1], prev_n, &sv);
                if (rc != VERNIER_OK)
                    return rc;
                sn[c] = (uint32_t)(sv.n - sst[c]);
            }
            if (c == bs)
                break;
        }
        if (last == bw - 1)
            break;
        bs = last + 1;
    }

    /* 3b + 4. Sweep c' = column of the window's right end: P(c') is the
     * prefix intersection of its block; the window centred on c = c' - d
     * gives E(c) = S(c - d) n P(c'), and band(c) = M(c) \ E(c). */
    for (c = 0; c < bw; c++) {
        const bd_iv *v = vi + vcs[c];
        size_t nv = vcs[c + 1] - vcs[c];
        bd_vec *p = &pv[cur ^ 1], *q = &pv[cur];
        int rc;
        p->n = 0;
        if ((uint64_t)c % k == 0) {
            rc = bd_reserve(tmp, p, nv);
            if (rc != VERNIER_OK)
                return rc;
            if (nv != 0)
                memcpy(p->v, v, nv * sizeof(bd_iv));
            p->n = nv;
        } else {
            rc = bd_reserve(tmp, p, nv + q->n);
            if (rc != VERNIER_OK)
                return rc;
            rc = bd_intersect(v, nv, q->v, q->n, p);
            if (rc != VERNIER_OK)
                return rc;
        }
        cur ^= 1;
        if ((uint64_t)c >= dd) {
            uint32_t xc = c - d;
            ev.n = 0;
            if ((uint64_t)xc >= dd) {
                uint32_t l = xc - d;
                rc = bd_reserve(tmp, &ev, sn[l] + p->n);
                if (rc != VERNIER_OK)
                    return rc;
                rc = bd_intersect(sv.v + sst[l], sn[l], p->v, p->n, &ev);
                if (rc != VERNIER_OK)
                    return rc;
            }
            bd_emit_column(&wr, ((uint64_t)x0 + xc) * h, iv + cs[xc], cs[xc + 1] - cs[xc], ev.v,
                           ev.n);
        }
    }

    /* The last d columns of the box: their windows leave the box, E is
     * empty and the band is M. */
    for (c = bw - d; d > 0 && c < bw; c++)
        bd_emit_column(&wr, ((uint64_t)x0 + c) * h, iv + cs[c], cs[c + 1] - cs[c], NULL, 0);
    return bd_finish(ar, mask, &wr, out);
}

int vn_boundary_band(vn_arena *ar, const vn_rle *mask, uint32_t d, vn_rle *out)
{
    vn_arena tmp;
    int rc;
    if (ar == NULL || mask == NULL || out == NULL || (mask->m != 0 && mask->cnts == NULL))
        return VERNIER_E_INVALID_ARG;
    vn_arena_init(&tmp, ar->mem);
    rc = bd_band(ar, &tmp, mask, d, out);
    vn_arena_release(&tmp);
    return rc;
}
