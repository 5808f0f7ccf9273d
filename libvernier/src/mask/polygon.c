/* polygon.c — polygon and box masks, as pycocotools 2.0.11's rleFrPoly and
 * rleFrBbox compute them (common/maskApi.c).
 *
 * pycocotools' algorithm, for k vertices on an h x w image:
 *   1. Upsample by 5: X = (int)(5*x + .5), Y likewise (truncating casts), and
 *      close the ring with vertex 0.
 *   2. Walk every edge through integer points.  An edge is "shallow" when
 *      dx >= dy (one point per X, Y = (int)(ys + s*t + .5)) and "steep"
 *      otherwise (one point per Y, X = (int)(xs + s*t + .5)).  Its start is
 *      normalised first (the left end of a shallow edge, the bottom end of a
 *      steep one: the "flip"), so the points only depend on the unordered
 *      edge; the walk then visits them from the original start.  All edges'
 *      points are concatenated into one sequence (u_j, v_j).
 *   3. Each consecutive pair with u_{j-1} != u_j is a boundary candidate at
 *      upsampled column xd = (u_j < u_{j-1} ? u_j : u_j - 1) and row
 *      yd = min(v_{j-1}, v_j).  Mapped back by (xd+.5)/5 - .5, the column is
 *      kept only when it is an exact integer in [0, w-1], that is when
 *      xd = 5c + 2 with 0 <= c <= w-1 ("relevant" columns below); the row
 *      (yd+.5)/5 - .5 is clamped to [0, h] and rounded up.
 *   4. Keys c*h + y (uint32), plus h*w, are sorted and differenced into
 *      counts; a zero difference is dropped and the difference after it is
 *      added to the previous count.
 *
 * Step 2 walks ~5 points per pixel of perimeter and keeps 1 in 5 at most.
 * This file produces the same multiset of keys without the walk:
 *   - inside a shallow edge u steps by exactly 1, so the candidate of
 *     relevant column xd is the pair (xd, xd+1): two evaluations of v;
 *   - inside a steep edge u is monotone in t (every operation of
 *     xs + s*t + .5 and the truncation are monotone), so the pair crossing
 *     relevant column xd is found by an estimate of t plus a few exact
 *     evaluations.  Its row is ys + t (v rises by 1 per point).  Rounding
 *     can in principle make u jump by 2 (|s| within ~2^-23 of 1 on edges
 *     longer than ~2^22 upsampled pixels); a crossing that is not a unit
 *     step is detected and that edge is then walked point by point;
 *   - the pairs joining consecutive edges are evaluated as pycocotools does.
 * The walk within an edge visits the same pairs in either direction, and
 * the candidate of a unit step is symmetric (the lower column, the lower
 * row), which is why the polygon's orientation does not matter.
 *
 * Zero-length edges (repeated vertices): pycocotools computes the slope
 * 0/0 = NaN and the single point's v = (int)NaN, which is INT_MIN on x86-64
 * (cvttsd2si; undefined behaviour in C).  That v is never used in a kept
 * candidate: the point's u is the vertex's X exactly, and a neighbouring
 * point of the same vertex can only differ when X < 0 (a steep edge
 * truncates X + .5 towards zero to X + 1), so the pair's column is X < 0
 * and is dropped (checked: leaving those joining pairs out changes no
 * result of the tests).  The point is still modelled with v = INT_MIN, as a
 * constant: no NaN is converted.  The other conversions are of values
 * proven in range (below), so they are defined and equal to cvttsd2si's;
 * rows, computed in integers, reproduce (int) of a row >= 2^31 (INT_MIN)
 * explicitly.
 *
 * Coordinates: vernier requires |(int)(5*x + .5)| <= 2^26 (|x| up to about
 * 13.4 million pixels) and fails with VERNIER_E_LIMIT otherwise, NaN and
 * infinities included.  Within that bound every integer computation below
 * stays far inside int32/int64, and the doubles are exact enough for the
 * reasoning above.  pycocotools itself converts out-of-range and NaN values
 * to INT_MIN: a polygon made only of such values yields an empty mask, and a
 * mix of them with ordinary values makes it walk ~2^31 points (8 GiB of
 * int arrays; it segfaults when malloc fails). */
#include <stdint.h>
#include <string.h>

#include "common/vn_error.h"
#include "common/vn_limits.h"
#include "mask/polygon.h"
#include "mask/rle.h"

#define POLY_SCALE 5.0
/* Tests compile a second copy of this file with POLY_FORCE_WALK 1, which
 * walks every steep edge point by point, to check the fast path. */
#ifndef POLY_FORCE_WALK
#define POLY_FORCE_WALK 0
#endif
/* Scratch arrays up to this many entries live on the stack (four of them:
 * 32 KiB), larger ones in a temporary arena released before returning; the
 * caller's arena only receives the result, exactly sized. */
#define SORT_STACK 2048

/* Whether an input value is within the bound on its upsampled coordinate. */
static int in_bound(double x)
{
    double d = POLY_SCALE * x + .5;
    return d > -(double)VN_POLY_COORD_MAX - 1.0 && d < (double)VN_POLY_COORD_MAX + 1.0;
}

/* The upsampled coordinate (int)(5*x + .5) of a value that is in_bound. */
static int32_t grid(double x)
{
    return (int32_t)(POLY_SCALE * x + .5);
}

enum { EDGE_ZERO, EDGE_SHALLOW, EDGE_STEEP };

typedef struct {
    int32_t u, v;
} poly_pt;

typedef struct {
    int kind;
    int flip;      /* walked from t = n down to 0 */
    int32_t xs, ys; /* normalised start */
    int32_t n;     /* dx (shallow) or dy (steep): points t = 0..n */
    double s;      /* slope */
} poly_edge;

/* The candidates: key[i] = col[i] * h + y, and the range of columns. */
typedef struct {
    uint32_t *key, *col;
    size_t n;
    uint32_t h;
    uint32_t col_min, col_max;
    int64_t xd_max; /* the largest relevant upsampled column: 5(w-1)+2 */
} poly_keys;

static void edge_init(poly_edge *e, int32_t x0, int32_t y0, int32_t x1, int32_t y1)
{
    int32_t dx = x1 > x0 ? x1 - x0 : x0 - x1, dy = y1 > y0 ? y1 - y0 : y0 - y1;
    if (dx >= dy) {
        e->flip = x0 > x1;
        e->kind = dx == 0 ? EDGE_ZERO : EDGE_SHALLOW;
        e->n = dx;
    } else {
        e->flip = y0 > y1;
        e->kind = EDGE_STEEP;
        e->n = dy;
    }
    e->xs = e->flip ? x1 : x0;
    e->ys = e->flip ? y1 : y0;
    if (e->kind == EDGE_SHALLOW)
        e->s = (double)((e->flip ? y0 : y1) - e->ys) / (double)dx;
    else if (e->kind == EDGE_STEEP)
        e->s = (double)((e->flip ? x0 : x1) - e->xs) / (double)dy;
    else
        e->s = 0.0; /* pycocotools: NaN, only used for the point's v */
}

/* Edge j of the ring: vertex j to vertex j + 1 (vertex k is vertex 0). */
static void edge_of(poly_edge *e, const double *xy, size_t k, size_t j)
{
    size_t n = (j + 1) % k;
    edge_init(e, grid(xy[2 * j]), grid(xy[2 * j + 1]), grid(xy[2 * n]), grid(xy[2 * n + 1]));
}

/* The steep edge's u at t, and the shallow edge's v: xs + s*t + .5 with
 * |xs| <= 2^26, |s| <= 1 and 0 <= t <= 2^27 lies within +-2^28, so the
 * conversion is defined (and the same as cvttsd2si's). */
static int32_t steep_u(const poly_edge *e, int32_t t)
{
    return (int32_t)((double)e->xs + e->s * (double)t + .5);
}

static int32_t shallow_v(const poly_edge *e, int32_t t)
{
    return (int32_t)((double)e->ys + e->s * (double)t + .5);
}

static poly_pt edge_at(const poly_edge *e, int32_t t)
{
    poly_pt p;
    switch (e->kind) {
    case EDGE_SHALLOW:
        p.u = e->xs + t;
        p.v = shallow_v(e, t);
        break;
    case EDGE_STEEP:
        p.u = steep_u(e, t);
        p.v = e->ys + t;
        break;
    default:
        p.u = e->xs;
        p.v = INT32_MIN; /* (int)(ys + NaN*0 + .5) on x86-64 */
        break;
    }
    return p;
}

static poly_pt edge_first(const poly_edge *e)
{
    return edge_at(e, e->flip ? e->n : 0);
}

static poly_pt edge_last(const poly_edge *e)
{
    return edge_at(e, e->flip ? 0 : e->n);
}

/* Number of relevant columns xd = 5c + 2 (0 <= c, xd <= xd_max) in
 * [lo, hi]. */
static size_t n_relevant(const poly_keys *k, int64_t lo, int64_t hi)
{
    int64_t first;
    if (lo < 2)
        lo = 2;
    if (hi > k->xd_max)
        hi = k->xd_max;
    if (lo > hi)
        return 0;
    first = (lo - 2 + 4) / 5 * 5 + 2;
    if (first > hi)
        return 0;
    return (size_t)((hi - first) / 5 + 1);
}

/* The first relevant column >= lo (may exceed any bound). */
static int64_t first_relevant(int64_t lo)
{
    if (lo < 2)
        lo = 2;
    return (lo - 2 + 4) / 5 * 5 + 2;
}

/* The range of columns a steep edge's pairs can produce: [lo, hi]. */
static void steep_range(const poly_edge *e, int64_t *lo, int64_t *hi)
{
    int32_t u0 = steep_u(e, 0), u1 = steep_u(e, e->n);
    *lo = u0 < u1 ? u0 : u1;
    *hi = (int64_t)(u0 < u1 ? u1 : u0) - 1;
}

/* Upper bound on the candidates an edge produces. */
static size_t edge_bound(const poly_keys *k, const poly_edge *e)
{
    int64_t lo, hi;
    if (e->kind == EDGE_SHALLOW)
        return n_relevant(k, e->xs, (int64_t)e->xs + e->n - 1);
    if (e->kind == EDGE_STEEP) {
        steep_range(e, &lo, &hi);
        return n_relevant(k, lo, hi);
    }
    return 0;
}

/* Appends the candidate of image column col (upsampled column 5 col + 2)
 * whose lower point has v = vmin.  pycocotools' row is
 * ceil(clamp((vmin + .5)/5 - .5, 0, h)) in doubles; for an integer vmin
 * below 2^26 in magnitude that is exactly clamp(ceil((vmin - 2)/5), 0, h)
 * (the quotient is exact when 5 divides vmin - 2, and otherwise at least
 * 0.2 from an integer, far beyond the rounding error).  (int) of a row
 * of 2^31 or more gives INT_MIN (only when h >= 2^31). */
static void emit(poly_keys *k, uint32_t col, int32_t vmin)
{
    int64_t q = (int64_t)vmin - 2, y;
    uint32_t yy;
    y = q >= 0 ? (q + 4) / 5 : -(-q / 5);
    if (y < 0)
        y = 0;
    else if (y > (int64_t)k->h)
        y = k->h;
    yy = y > INT32_MAX ? UINT32_C(0x80000000) : (uint32_t)y;
    if (col < k->col_min)
        k->col_min = col;
    if (col > k->col_max)
        k->col_max = col;
    /* x*(int)h + y in int, then (uint): the same value modulo 2^32 */
    k->key[k->n] = col * k->h + yy;
    k->col[k->n++] = col;
}

/* The image column of a relevant upsampled column. */
static uint32_t col_of(int64_t xd)
{
    return (uint32_t)((xd - 2) / 5);
}

static int is_relevant(const poly_keys *k, int64_t xd)
{
    return xd >= 2 && (xd - 2) % 5 == 0 && xd <= k->xd_max;
}

/* A pair of consecutive points p, q of pycocotools' sequence. */
static void pair(poly_keys *k, poly_pt p, poly_pt q)
{
    int64_t xd;
    if (q.u == p.u)
        return;
    xd = q.u < p.u ? (int64_t)q.u : (int64_t)q.u - 1;
    if (is_relevant(k, xd))
        emit(k, col_of(xd), p.v < q.v ? p.v : q.v);
}

/* The pairs inside an edge, visited point by point in pycocotools' order. */
static void walk_edge(poly_keys *k, const poly_edge *e)
{
    int32_t d;
    poly_pt p = edge_first(e);
    for (d = 1; d <= e->n; d++) {
        poly_pt q = edge_at(e, e->flip ? e->n - d : d);
        pair(k, p, q);
        p = q;
    }
}

static void shallow_edge(poly_keys *k, const poly_edge *e)
{
    int64_t xd, hi = (int64_t)e->xs + e->n - 1;
    uint32_t col;
    if (hi > k->xd_max)
        hi = k->xd_max;
    xd = first_relevant(e->xs);
    for (col = col_of(xd); xd <= hi; xd += 5, col++) {
        int32_t t = (int32_t)(xd - e->xs);
        int32_t v0 = shallow_v(e, t), v1 = shallow_v(e, t + 1);
        emit(k, col, v0 < v1 ? v0 : v1);
    }
}

/* Steep edge: for each relevant column, the last t on the xd side of the
 * crossing xd | xd+1; a crossing that is not a unit step (u jumping over a
 * column) sends the whole edge to walk_edge. */
static void steep_edge(poly_keys *k, const poly_edge *e)
{
    int64_t lo, hi, xd;
    size_t start = k->n;
    int up = e->s > 0;
    if (POLY_FORCE_WALK) {
        walk_edge(k, e);
        return;
    }
    if (e->s == 0)
        return; /* vertical: u is constant */
    steep_range(e, &lo, &hi);
    if (hi > k->xd_max)
        hi = k->xd_max;
    for (xd = first_relevant(lo); xd <= hi; xd += 5) {
        /* s > 0: t* = max{t : u(t) <= xd}; s < 0: t* = max{t : u(t) >= xd+1} */
        int32_t lo_side = up ? (int32_t)xd : (int32_t)xd + 1;
        int32_t hi_side = up ? (int32_t)xd + 1 : (int32_t)xd;
        double te = ((double)xd + .5 - (double)e->xs) / e->s;
        int32_t t, ut, ut1;
        if (!(te > 0))
            t = 0;
        else if (te >= (double)e->n)
            t = e->n;
        else
            t = (int32_t)te;
        /* on the xd side: u <= xd going up, u >= xd + 1 going down */
#define ON_SIDE(u) (up ? (u) <= (int32_t)xd : (u) >= (int32_t)xd + 1)
        ut = steep_u(e, t);
        while (t > 0 && !ON_SIDE(ut))
            ut = steep_u(e, --t);
        while (t < e->n && ON_SIDE(ut1 = steep_u(e, t + 1))) {
            t++;
            ut = ut1;
        }
#undef ON_SIDE
        if (t >= e->n || ut != lo_side || steep_u(e, t + 1) != hi_side) {
            k->n = start;
            walk_edge(k, e);
            return;
        }
        emit(k, col_of(xd), e->ys + t);
    }
}

/* Sorting the keys (pycocotools: qsort; equal keys are interchangeable).
 *
 * A key is col * h + y with y <= h and no wrap-around (h*w < 2^32), so key
 * order is (column, row) order.  Every column between a ring's leftmost
 * and rightmost kept columns is crossed by at least two edges, so the
 * columns span at most about half as many buckets as there are keys: a
 * counting sort on the column, then an insertion sort for the few keys of
 * each column, costs O(n).  A radix sort covers the unexpected case of a
 * sparse column range. */
static void radix_sort(uint32_t *a, uint32_t *tmp, size_t n, uint32_t max)
{
    uint32_t *src = a, *dst = tmp, *sw;
    unsigned shift;
    size_t i;
    for (shift = 0; shift < 32 && (max >> shift) != 0; shift += 8) {
        size_t cnt[256], sum = 0;
        memset(cnt, 0, sizeof(cnt));
        for (i = 0; i < n; i++)
            cnt[(src[i] >> shift) & 0xff]++;
        if (cnt[(src[0] >> shift) & 0xff] == n)
            continue; /* one digit value: the pass would copy */
        for (i = 0; i < 256; i++) {
            size_t c = cnt[i];
            cnt[i] = sum;
            sum += c;
        }
        for (i = 0; i < n; i++)
            dst[cnt[(src[i] >> shift) & 0xff]++] = src[i];
        sw = src;
        src = dst;
        dst = sw;
    }
    if (src != a)
        memcpy(a, src, n * sizeof(uint32_t));
}

/* key[0..n) by column into out, then rows within columns. */
static void column_sort(const poly_keys *k, uint32_t *cnt, uint32_t *out)
{
    size_t i, nb = (size_t)(k->col_max - k->col_min) + 1, sum = 0;
    for (i = 0; i < nb; i++)
        cnt[i] = 0;
    for (i = 0; i < k->n; i++)
        cnt[k->col[i] - k->col_min]++;
    for (i = 0; i < nb; i++) {
        uint32_t c = cnt[i];
        cnt[i] = (uint32_t)sum;
        sum += c;
    }
    for (i = 0; i < k->n; i++)
        out[cnt[k->col[i] - k->col_min]++] = k->key[i];
    for (i = 1; i < k->n; i++) {
        uint32_t x = out[i];
        size_t j = i;
        for (; j > 0 && out[j - 1] > x; j--)
            out[j] = out[j - 1];
        out[j] = x;
    }
}

/* Scratch memory: the stack when small, else the arena. */
static uint32_t *scratch(vn_arena *ar, uint32_t *stack, size_t stack_n, size_t n)
{
    return n <= stack_n ? stack : vn_arena_array(ar, n, sizeof(uint32_t));
}

static int rasterise(vn_arena *ar, vn_arena *tmp_ar, const double *xy, size_t k, uint32_t h,
                     uint32_t w, vn_rle *out)
{
    uint32_t key_stack[SORT_STACK], col_stack[SORT_STACK], tmp_stack[SORT_STACK],
        cnt_stack[SORT_STACK];
    poly_keys keys;
    poly_edge e;
    poly_pt last;
    size_t j, cap, n, m;
    uint64_t hw = (uint64_t)h * w, sum;
    uint32_t *a, *src, prev;
    int pending;

    out->h = h;
    out->w = w;
    out->m = 0;
    out->cnts = NULL;
    if (hw > UINT32_MAX)
        return VERNIER_E_LIMIT; /* pycocotools' uint keys would wrap */
    for (j = 0; j < 2 * k; j++)
        if (!in_bound(xy[j]))
            return VERNIER_E_LIMIT;

    keys.h = h;
    /* xd <= w - 1 with w - 1 computed in unsigned long: no bound at w = 0 */
    keys.xd_max = w == 0 ? INT64_MAX : 5 * ((int64_t)w - 1) + 2;
    keys.n = 0;
    keys.col_min = UINT32_MAX;
    keys.col_max = 0;

    /* Pass 1: an upper bound on the candidates (edges + joins + h*w). */
    cap = k + 1;
    for (j = 0; j < k; j++) {
        size_t b;
        edge_of(&e, xy, k, j);
        b = edge_bound(&keys, &e);
        if (cap > SIZE_MAX / sizeof(uint32_t) - b)
            return VERNIER_E_NOMEM;
        cap += b;
    }
    a = scratch(tmp_ar, key_stack, SORT_STACK, cap);
    keys.col = scratch(tmp_ar, col_stack, SORT_STACK, cap);
    if (a == NULL || keys.col == NULL)
        return vn_mem_failure(ar->mem);
    keys.key = a;

    /* Pass 2: the candidates, edge by edge, with the pair joining each edge
     * to the next one. */
    last.u = last.v = 0;
    for (j = 0; j < k; j++) {
        edge_of(&e, xy, k, j);
        if (j > 0)
            pair(&keys, last, edge_first(&e));
        if (e.kind == EDGE_SHALLOW)
            shallow_edge(&keys, &e);
        else if (e.kind == EDGE_STEEP)
            steep_edge(&keys, &e);
        last = edge_last(&e);
    }
    n = keys.n;

    /* Sort (h*w, the largest key, goes last without sorting). */
    src = a;
    if (n > 1) {
        size_t nb = (size_t)(keys.col_max - keys.col_min) + 1;
        uint32_t *tmp = scratch(tmp_ar, tmp_stack, SORT_STACK, n);
        if (tmp == NULL)
            return vn_mem_failure(ar->mem);
        if (nb <= 2 * n + 64) {
            uint32_t *cnt = scratch(tmp_ar, cnt_stack, SORT_STACK, nb);
            if (cnt == NULL)
                return vn_mem_failure(ar->mem);
            column_sort(&keys, cnt, tmp);
            src = tmp;
        } else {
            radix_sort(a, tmp, n, (uint32_t)hw);
        }
    }
    /* Differences to the previous key, with pycocotools' folding: a zero
     * difference is dropped and the next one added to the last count.
     * Written into a (m <= j: safe when src is a). */
    prev = 0;
    m = 0;
    sum = 0;
    pending = 0;
    for (j = 0; j <= n; j++) {
        uint32_t t = j < n ? src[j] : (uint32_t)hw, d = t - prev;
        prev = t;
        sum += d;
        if (j == 0)
            a[m++] = d;
        else if (pending) {
            a[m - 1] += d;
            pending = 0;
        } else if (d > 0)
            a[m++] = d;
        else
            pending = 1;
    }
    if (sum != hw)
        return VERNIER_E_LIMIT; /* only at w == 0, where pycocotools'
                                   counts do not sum to h*w */
    /* the result, exactly sized, in the caller's arena */
    out->cnts = vn_arena_array(ar, m, sizeof(uint32_t));
    if (out->cnts == NULL)
        return vn_mem_failure(ar->mem);
    memcpy(out->cnts, a, m * sizeof(uint32_t));
    out->m = m;
    return VERNIER_OK;
}

int vn_rle_from_poly(vn_arena *ar, const double *xy, size_t k, uint32_t h, uint32_t w,
                     vn_rle *out)
{
    vn_arena tmp;
    int rc;
    vn_arena_init(&tmp, ar->mem);
    rc = rasterise(ar, &tmp, xy, k, h, w, out);
    vn_arena_release(&tmp);
    if (rc != VERNIER_OK) {
        out->m = 0;
        out->cnts = NULL;
    }
    return rc;
}

int vn_rle_from_bbox(vn_arena *ar, const double bb[4], uint32_t h, uint32_t w, vn_rle *out)
{
    double xs = bb[0], xe = xs + bb[2], ys = bb[1], ye = ys + bb[3];
    double xy[8];
    xy[0] = xs;
    xy[1] = ys;
    xy[2] = xs;
    xy[3] = ye;
    xy[4] = xe;
    xy[5] = ye;
    xy[6] = xe;
    xy[7] = ys;
    return vn_rle_from_poly(ar, xy, 4, h, w, out);
}
