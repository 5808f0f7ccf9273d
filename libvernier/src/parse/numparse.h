/* numparse.h — correctly rounded JSON number parsing (private).
 *
 * Converts the RFC 8259 number grammar
 *     -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * to the double that Python's float() gives for the same text (IEEE-754
 * binary64, round-half-to-even), independent of the C locale and of the
 * floating-point environment's rounding mode being anything but default.
 */
#ifndef VN_NUMPARSE_H
#define VN_NUMPARSE_H

#include <stdint.h>

typedef struct vn_number {
    double d;      /* the correctly rounded value (always set on success;
                      +-inf when the literal overflows binary64) */
    int64_t i;     /* the exact integer when is_int is 1 */
    int is_int;    /* 1: literal has no fraction and no exponent and its
                      value fits in int64_t */
    int is_integral_literal; /* 1: literal has no fraction and no exponent
                      (Python would make it an int), whether or not it fits */
} vn_number;

enum {
    VN_NUM_OK = 0,
    VN_NUM_SYNTAX = 1  /* not a JSON number; *next points at the bad byte */
};

/* Parses one JSON number starting at p (p < end; the text need not be
 * NUL-terminated and is never read at or past `end`).  On success sets
 * *next to the first byte after the number and returns VN_NUM_OK.  The
 * number ends at the first byte that cannot continue it; the caller checks
 * that byte is a valid JSON delimiter.  On a syntax error (e.g. "-", "01",
 * "1.", "1e", "+1", ".5") returns VN_NUM_SYNTAX with *next at the offending
 * byte (`end` when the text stops too early) and leaves *out unchanged.
 *
 * Details: a leading zero followed by a digit is a syntax error at that digit
 * ("01", "-00": *next at the second digit).  Any other byte that cannot
 * continue a complete number just ends it: "0x10", "1.5.3" and "1e5e" give
 * VN_NUM_OK with *next at the 'x', the second '.' and the last 'e', and the
 * caller's delimiter check rejects them.  Overflow gives d = +-inf (the
 * caller treats it as an error), underflow correctly rounded subnormals or
 * +-0.  "-0" gives is_int = 1, i = 0 and d = -0.0 (as Python's json.loads
 * gives int 0 and float("-0") gives -0.0).  i is 0 when is_int is 0. */
int vn_parse_number(const char *p, const char *end, const char **next, vn_number *out);

#endif
