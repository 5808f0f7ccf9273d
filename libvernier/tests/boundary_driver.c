/* boundary_driver.c — runs the Boundary IoU band and dilation over stdin.
 *
 * Each input line is one request; each gets one output line:
 *   band <h> <w> <d> <counts>   ->  the compressed counts string of
 *       vn_boundary_band(mask, d), where <counts> is a pycocotools
 *       compressed counts string of the h x w mask
 *   dil <ratio> <h> <w>         ->  vn_boundary_dilation(ratio, h, w)
 *   anything else, or a failure ->  ERR <detail>
 * Used by python/tests/test_boundary_differential.py. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mask/boundary.h"
#include "mask/rle.h"
#include "common/vn_alloc.h"

/* pycocotools' rleToString, appended to a growable buffer. */
static int encode_counts(const uint32_t *cnts, size_t m, char **buf, size_t *cap)
{
    size_t i, n = 0;
    for (i = 0; i < m; i++) {
        int64_t x = cnts[i];
        int more = 1;
        if (i > 2)
            x -= (int64_t)cnts[i - 2];
        while (more) {
            int64_t c = x & 0x1f; /* two's complement low bits of x */
            x = (x - c) / 32;      /* exact: an arithmetic shift by 5 */
            more = (c & 0x10) ? x != -1 : x != 0;
            if (more)
                c |= 0x20;
            if (n + 2 > *cap) {
                size_t nc = *cap * 2 + 64;
                char *nb = realloc(*buf, nc);
                if (nb == NULL)
                    return -1;
                *buf = nb;
                *cap = nc;
            }
            (*buf)[n++] = (char)(c + 48);
        }
    }
    (*buf)[n] = '\0';
    return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long long v;
    if (*s < '0' || *s > '9')
        return -1;
    v = strtoull(s, &end, 10);
    if (*end != '\0' || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    if (buf == NULL)
        return NULL;
    for (;;) {
        size_t got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2 + 1);
            if (nb == NULL) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Splits line into at most n space-separated fields; returns the count. */
static int split(char *line, char **f, int n)
{
    int k = 0;
    char *p = line;
    while (*p != '\0' && k < n) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            break;
        f[k++] = p;
        while (*p != '\0' && *p != ' ')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
    return k;
}

int main(void)
{
    vn_mem mem;
    vn_arena ar;
    char *input, *line, *obuf;
    size_t in_len, ocap;

    if (vn_mem_init(&mem, NULL) != VERNIER_OK)
        return 2;
    vn_arena_init(&ar, &mem);
    obuf = malloc(64);
    if (obuf == NULL)
        return 2;
    ocap = 64;

    input = read_all(stdin, &in_len);
    if (input == NULL)
        return 2;
    for (line = input; line < input + in_len;) {
        char *f[6], *nl = memchr(line, '\n', (size_t)(input + in_len - line));
        int nf;
        if (nl != NULL)
            *nl = '\0';
        nf = split(line, f, 6);
        line = nl != NULL ? nl + 1 : input + in_len;
        if (nf == 4 && strcmp(f[0], "dil") == 0) {
            char *end;
            double ratio = strtod(f[1], &end);
            uint32_t h, w;
            if (*end != '\0' || parse_u32(f[2], &h) || parse_u32(f[3], &w)) {
                puts("ERR syntax");
                continue;
            }
            printf("%" PRIu32 "\n", vn_boundary_dilation(ratio, h, w));
        } else if ((nf == 5 || nf == 4) && strcmp(f[0], "band") == 0) {
            uint32_t h, w, d, *cnts = NULL;
            size_t n = 0;
            vernier_error err = VERNIER_ERROR_INIT;
            vn_rle in, out;
            int rc;
            const char *s = nf == 5 ? f[4] : ""; /* an empty string has no counts */
            if (parse_u32(f[1], &h) || parse_u32(f[2], &w) || parse_u32(f[3], &d)) {
                puts("ERR syntax");
                continue;
            }
            err = (vernier_error)VERNIER_ERROR_INIT;
            rc = vn_rle_decode_string(&mem, s, strlen(s), h, w, &cnts, &n, &err);
            if (rc != VERNIER_OK) {
                printf("ERR decode %d\n", rc);
                continue;
            }
            in.h = h;
            in.w = w;
            in.m = n;
            in.cnts = cnts;
            rc = vn_boundary_band(&ar, &in, d, &out);
            vn_free(&mem, cnts, n * sizeof(uint32_t));
            if (rc != VERNIER_OK) {
                printf("ERR band %d\n", rc);
                vn_arena_release(&ar);
                continue;
            }
            if (encode_counts(out.cnts, out.m, &obuf, &ocap) != 0)
                return 2;
            puts(obuf);
            vn_arena_release(&ar);
        } else {
            puts("ERR syntax");
        }
    }
    free(input);
    free(obuf);
    vn_arena_release(&ar);
    return mem.used == 0 ? 0 : 3;
}
