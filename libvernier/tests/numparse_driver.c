/* numparse_driver.c — runs vn_parse_number over newline-separated literals.
 *
 * Reads all of stdin; for each line (without its '\n') prints one line:
 *   <16 hex digits of the double's bit pattern>[ i:<int64>]   when the whole
 *       line is one JSON number (" i:" only when is_int is set), or
 *   ERR                                                       otherwise
 *       (syntax error, empty line, or bytes left after the number).
 * Used by python/tests/test_numparse_differential.py. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse/numparse.h"

static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    *len = n;
    return buf;
}

static size_t put_line(char *o, const vn_number *num)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t bits;
    size_t k = 0;
    memcpy(&bits, &num->d, sizeof bits);
    for (int s = 60; s >= 0; s -= 4)
        o[k++] = hex[(bits >> s) & 15];
    if (num->is_int) {
        char tmp[24];
        int t = 0;
        uint64_t mag = num->i < 0 ? (uint64_t)0 - (uint64_t)num->i : (uint64_t)num->i;
        o[k++] = ' ';
        o[k++] = 'i';
        o[k++] = ':';
        if (num->i < 0)
            o[k++] = '-';
        do {
            tmp[t++] = (char)('0' + mag % 10);
            mag /= 10;
        } while (mag);
        while (t)
            o[k++] = tmp[--t];
    }
    o[k++] = '\n';
    return k;
}

int main(void)
{
    size_t len;
    char *in = read_all(stdin, &len);
    if (!in) {
        fprintf(stderr, "numparse_driver: out of memory\n");
        return 2;
    }
    enum { OUTCAP = 1 << 16 };
    static char out[OUTCAP];
    size_t on = 0;
    const char *p = in, *end = in + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        vn_number num;
        const char *next = p;
        int rc = p < eol ? vn_parse_number(p, eol, &next, &num) : VN_NUM_SYNTAX;
        if (on > OUTCAP - 64) {
            fwrite(out, 1, on, stdout);
            on = 0;
        }
        if (rc == VN_NUM_OK && next == eol) {
            on += put_line(out + on, &num);
        } else {
            memcpy(out + on, "ERR\n", 4);
            on += 4;
        }
        p = eol + (eol < end);
    }
    fwrite(out, 1, on, stdout);
    free(in);
    return fflush(stdout) == 0 ? 0 : 1;
}
