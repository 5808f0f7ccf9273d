/* wire.h — little-endian integers, doubles' bits, LEB128 varints and
 * bounds-checked cursors for the partial format (private; all static
 * inline). */
#ifndef VN_WIRE_H
#define VN_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline void put_u32(uint8_t *p, uint32_t v)
{
    size_t i;
    for (i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void put_u64(uint8_t *p, uint64_t v)
{
    size_t i;
    for (i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static inline uint64_t f64_bits(double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return u;
}

static inline double bits_f64(uint64_t u)
{
    double v;
    memcpy(&v, &u, 8);
    return v;
}

/* Bytes of an index into a dictionary of n entries (1 to 4). */
static inline size_t index_width(uint64_t n)
{
    return n <= 0x100u ? 1 : n <= 0x10000u ? 2 : n <= 0x1000000u ? 3 : 4;
}

static inline void put_index(uint8_t *p, size_t w, uint32_t v)
{
    size_t i;
    for (i = 0; i < w; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t get_index(const uint8_t *p, size_t w)
{
    uint32_t v = 0;
    size_t i;
    for (i = 0; i < w; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

static inline size_t varint_len(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

/* A bounds-checked read position. */
typedef struct cursor {
    const uint8_t *p, *end;
} cursor;

/* LEB128, at most 10 bytes; 0 on truncation or overflow. */
static inline int get_varint(cursor *c, uint64_t *out)
{
    uint64_t v = 0;
    unsigned shift = 0;
    while (c->p < c->end) {
        uint8_t b = *c->p++;
        if (shift == 63 && b > 1)
            return 0;
        v |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return 1;
        }
        shift += 7;
        if (shift > 63)
            return 0;
    }
    return 0;
}

static inline int take(cursor *c, size_t n, const uint8_t **out)
{
    if ((size_t)(c->end - c->p) < n)
        return 0;
    *out = c->p;
    c->p += n;
    return 1;
}

/* Image ids map to unsigned keys in the same order (sign bit flipped). */
static inline uint64_t id_key(int64_t id) { return (uint64_t)id ^ ((uint64_t)1 << 63); }
static inline int64_t key_id(uint64_t k)
{
    uint64_t u = k ^ ((uint64_t)1 << 63);
    int64_t v;
    memcpy(&v, &u, 8); /* two's complement reinterpretation, no UB */
    return v;
}

/* A byte writer over a buffer sized beforehand (NULL base: just count). */
typedef struct wcur {
    uint8_t *p;
    size_t n;
} wcur;

static inline void w_bytes(wcur *w, const void *src, size_t n)
{
    if (w->p != NULL && n > 0)
        memcpy(w->p + w->n, src, n);
    w->n += n;
}

static inline void w_u8(wcur *w, uint8_t v) { w_bytes(w, &v, 1); }

static inline void w_u32(wcur *w, uint32_t v)
{
    uint8_t b[4];
    put_u32(b, v);
    w_bytes(w, b, 4);
}

static inline void w_u64(wcur *w, uint64_t v)
{
    uint8_t b[8];
    put_u64(b, v);
    w_bytes(w, b, 8);
}

static inline void w_f64(wcur *w, double v) { w_u64(w, f64_bits(v)); }

#endif
