/* mask_driver.c — the mask kernels of rle.h on stdin/stdout, for
 * python/tests/test_mask_differential.py (which compares them with
 * pycocotools).
 *
 * Protocol: one command per input line, tokens separated by spaces or tabs;
 * exactly one output line per input line, in order.  Numbers: H, W, counts
 * and flags are decimal integers; coordinates are anything strtod reads
 * (Python's repr() round-trips exactly, and nan/inf are accepted).  A
 * compressed counts string is one token; "-" stands for the empty string.
 * A failing call prints "ERR <code>" (the vernier status, e.g. ERR -9).
 *
 *   poly H W v1 v2 ... vn          vn_rle_from_poly of the n values (x0 y0 x1
 *                                  y1 ...; an odd last value is dropped, as
 *                                  pycocotools' int(len(p)/2) does)
 *                                  -> counts string
 *   polyx H W X                    the same, the values given in one token X:
 *                                  16 hex digits per double, its IEEE bits
 *                                  most significant first (numpy:
 *                                  a.astype(">f8").tobytes().hex()); "-" for
 *                                  no values.  Fast to write and to parse.
 *   polys H W P n1 v.. n2 v.. ...  P parts, part i given as its count of
 *                                  values then the values; each part
 *                                  rasterised, then all merged (union): the
 *                                  mask of merge(frPyObjects(parts, H, W))
 *                                  -> counts string
 *   polysx H W P X1 .. XP          the same with each part as a polyx token
 *   frbbox H W x y w h             vn_rle_from_bbox -> counts string
 *   counts H W n c1 .. cn          vn_rle_from_counts, then the string
 *   rt H W s                       vn_rle_from_string then vn_rle_to_string
 *   merge I P h1 w1 s1 .. hP wP sP vn_rle_merge (I = 1: intersection)
 *                                  -> "h w string"
 *   iou C h1 w1 dt h2 w2 gt        vn_rle_iou(dt, gt, crowd = C)
 *                                  -> the double's bits, 16 hex digits
 *   iu H W a b                     vn_rle_inter_union -> "inter union"
 *   tobbox H W s                   vn_rle_to_bbox -> 4 x 16 hex digits
 *   area H W s                     vn_rle_area, as pycocotools' uint32
 *
 * Input lines may be of any length.  Output is fully buffered. */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask/polygon.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"
#include "common/vn_error.h"

static char *cur; /* parse position in the current line */
static int bad;   /* a malformed line */

static void skip_space(void)
{
    while (*cur == ' ' || *cur == '\t')
        cur++;
}

static uint64_t next_u64(void)
{
    char *end;
    unsigned long long v;
    skip_space();
    errno = 0;
    v = strtoull(cur, &end, 10);
    if (end == cur || errno != 0 || *cur == '-')
        bad = 1;
    cur = end;
    return (uint64_t)v;
}

static uint32_t next_u32(void)
{
    uint64_t v = next_u64();
    if (v > UINT32_MAX)
        bad = 1;
    return (uint32_t)v;
}

static double next_double(void)
{
    char *end;
    double v;
    skip_space();
    v = strtod(cur, &end);
    if (end == cur)
        bad = 1;
    cur = end;
    return v;
}

/* The next token, NUL-terminated in place ("-" gives ""). */
static const char *next_token(size_t *len)
{
    char *t;
    skip_space();
    t = cur;
    while (*cur != '\0' && *cur != ' ' && *cur != '\t')
        cur++;
    if (cur == t)
        bad = 1;
    if (*cur != '\0')
        *cur++ = '\0';
    *len = strlen(t);
    if (strcmp(t, "-") == 0) {
        *len = 0;
        return "";
    }
    return t;
}

/* Growable scratch arrays (test code: plain malloc). */
static double *vals;
static size_t vals_cap;
static char *sbuf;
static size_t sbuf_cap;

static void need_vals(size_t n)
{
    if (n > vals_cap) {
        vals_cap = n * 2 + 64;
        vals = realloc(vals, vals_cap * sizeof(double));
        if (vals == NULL) {
            fprintf(stderr, "mask_driver: out of memory\n");
            exit(2);
        }
    }
}

static void put_rle_string(const vn_rle *r)
{
    size_t n = vn_rle_to_string(r, NULL, 0);
    if (n + 1 > sbuf_cap) {
        sbuf_cap = n * 2 + 64;
        sbuf = realloc(sbuf, sbuf_cap);
        if (sbuf == NULL) {
            fprintf(stderr, "mask_driver: out of memory\n");
            exit(2);
        }
    }
    vn_rle_to_string(r, sbuf, n);
    fwrite(sbuf, 1, n, stdout);
}

static void put_hex(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof(b));
    printf("%016" PRIx64, b);
}

static int read_rle(vn_arena *ar, uint32_t h, uint32_t w, vn_rle *r)
{
    size_t len;
    const char *s = next_token(&len);
    if (bad)
        return VERNIER_E_INVALID_ARG;
    return vn_rle_from_string(ar, s, len, h, w, r, NULL);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A polyx token into vals; returns the number of values. */
static size_t read_hex_values(void)
{
    size_t len, n, i, j;
    const char *t = next_token(&len);
    if (bad || len % 16 != 0) {
        bad = 1;
        return 0;
    }
    n = len / 16;
    need_vals(n + 1);
    for (i = 0; i < n; i++) {
        uint64_t b = 0;
        for (j = 0; j < 16; j++) {
            int d = hex_digit(t[16 * i + j]);
            if (d < 0) {
                bad = 1;
                return 0;
            }
            b = b << 4 | (uint64_t)d;
        }
        memcpy(&vals[i], &b, sizeof(double));
    }
    return n;
}

static int read_values(size_t n)
{
    size_t i;
    need_vals(n);
    for (i = 0; i < n && !bad; i++)
        vals[i] = next_double();
    return bad ? VERNIER_E_INVALID_ARG : VERNIER_OK;
}

/* One command; prints its result (without the newline) or returns an error
 * status. */
static int command(vn_arena *ar, const char *cmd)
{
    vn_rle r, r2;
    if (strcmp(cmd, "poly") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        size_t n = 0;
        need_vals(16);
        for (;;) {
            skip_space();
            if (*cur == '\0' || bad)
                break;
            need_vals(n + 1);
            vals[n++] = next_double();
        }
        if (bad)
            return VERNIER_E_INVALID_ARG;
        VN_TRY(vn_rle_from_poly(ar, vals, n / 2, h, w, &r));
        put_rle_string(&r);
    } else if (strcmp(cmd, "polyx") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        size_t n = read_hex_values();
        if (bad)
            return VERNIER_E_INVALID_ARG;
        VN_TRY(vn_rle_from_poly(ar, vals, n / 2, h, w, &r));
        put_rle_string(&r);
    } else if (strcmp(cmd, "polys") == 0 || strcmp(cmd, "polysx") == 0) {
        int hex = cmd[5] == 'x';
        uint32_t h = next_u32(), w = next_u32();
        size_t p, np = (size_t)next_u64();
        vn_rle *parts;
        if (bad || np == 0)
            return VERNIER_E_INVALID_ARG;
        parts = vn_arena_array(ar, np, sizeof(vn_rle));
        if (parts == NULL)
            return VERNIER_E_NOMEM;
        for (p = 0; p < np; p++) {
            size_t n;
            if (hex) {
                n = read_hex_values();
                if (bad)
                    return VERNIER_E_INVALID_ARG;
            } else {
                n = (size_t)next_u64();
                VN_TRY(read_values(n));
            }
            VN_TRY(vn_rle_from_poly(ar, vals, n / 2, h, w, &parts[p]));
        }
        VN_TRY(vn_rle_merge(ar, parts, np, 0, &r));
        put_rle_string(&r);
    } else if (strcmp(cmd, "frbbox") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        VN_TRY(read_values(4));
        VN_TRY(vn_rle_from_bbox(ar, vals, h, w, &r));
        put_rle_string(&r);
    } else if (strcmp(cmd, "counts") == 0) {
        uint32_t h = next_u32(), w = next_u32(), *c;
        size_t i, n = (size_t)next_u64();
        if (bad)
            return VERNIER_E_INVALID_ARG;
        c = vn_arena_array(ar, n, sizeof(uint32_t));
        if (c == NULL)
            return VERNIER_E_NOMEM;
        for (i = 0; i < n; i++)
            c[i] = next_u32();
        if (bad)
            return VERNIER_E_INVALID_ARG;
        VN_TRY(vn_rle_from_counts(ar, c, n, h, w, &r, NULL));
        put_rle_string(&r);
    } else if (strcmp(cmd, "rt") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        VN_TRY(read_rle(ar, h, w, &r));
        put_rle_string(&r);
    } else if (strcmp(cmd, "merge") == 0) {
        int inter = (int)next_u32();
        size_t p, np = (size_t)next_u64();
        vn_rle *parts;
        if (bad)
            return VERNIER_E_INVALID_ARG;
        parts = vn_arena_array(ar, np, sizeof(vn_rle));
        if (parts == NULL && np > 0)
            return VERNIER_E_NOMEM;
        for (p = 0; p < np; p++) {
            uint32_t h = next_u32(), w = next_u32();
            VN_TRY(read_rle(ar, h, w, &parts[p]));
        }
        VN_TRY(vn_rle_merge(ar, parts, np, inter, &r));
        printf("%" PRIu32 " %" PRIu32 " ", r.h, r.w);
        put_rle_string(&r);
    } else if (strcmp(cmd, "iou") == 0) {
        int crowd = (int)next_u32();
        uint32_t h1 = next_u32(), w1 = next_u32();
        VN_TRY(read_rle(ar, h1, w1, &r));
        {
            uint32_t h2 = next_u32(), w2 = next_u32();
            VN_TRY(read_rle(ar, h2, w2, &r2));
        }
        put_hex(vn_rle_iou(&r, &r2, crowd));
    } else if (strcmp(cmd, "iu") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        uint64_t in, un;
        VN_TRY(read_rle(ar, h, w, &r));
        VN_TRY(read_rle(ar, h, w, &r2));
        vn_rle_inter_union(&r, &r2, &in, &un);
        printf("%" PRIu64 " %" PRIu64, in, un);
    } else if (strcmp(cmd, "tobbox") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        double bb[4];
        VN_TRY(read_rle(ar, h, w, &r));
        vn_rle_to_bbox(r.cnts, r.m, h, w, bb);
        put_hex(bb[0]);
        putchar(' ');
        put_hex(bb[1]);
        putchar(' ');
        put_hex(bb[2]);
        putchar(' ');
        put_hex(bb[3]);
    } else if (strcmp(cmd, "area") == 0) {
        uint32_t h = next_u32(), w = next_u32();
        VN_TRY(read_rle(ar, h, w, &r));
        printf("%" PRIu32, (uint32_t)vn_rle_area(r.cnts, r.m));
    } else {
        return VERNIER_E_INVALID_ARG;
    }
    return bad ? VERNIER_E_INVALID_ARG : VERNIER_OK;
}

int main(void)
{
    char *line = NULL;
    size_t line_cap = 0, lines = 0;
    ssize_t len;
    vn_mem mem;
    vn_arena ar;

    static char outbuf[1 << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
    vn_mem_init(&mem, NULL);
    vn_arena_init(&ar, &mem);
    while ((len = getline(&line, &line_cap, stdin)) >= 0) {
        size_t n;
        const char *cmd;
        int rc;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        cur = line;
        bad = 0;
        cmd = next_token(&n);
        rc = bad ? VERNIER_E_INVALID_ARG : command(&ar, cmd);
        if (rc != VERNIER_OK)
            printf("ERR %d", rc);
        putchar('\n');
        /* the arena only grows: release it now and then */
        if (++lines % 4096 == 0 || mem.used > ((size_t)64 << 20))
            vn_arena_release(&ar);
    }
    vn_arena_release(&ar);
    free(line);
    free(vals);
    free(sbuf);
    return fflush(stdout) == 0 ? 0 : 1;
}
