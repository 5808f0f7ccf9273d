/* hashmap.h — int64 -> uint32 open-addressing map (private).
 *
 * Used to look up image, category and annotation ids.  Keys are hashed
 * with the splitmix64 finaliser; capacity is a power of two kept at most
 * half full, so probes stay short whatever the id distribution. */
#ifndef VN_HASHMAP_H
#define VN_HASHMAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/vn_alloc.h"

typedef struct vn_hashmap {
    int64_t *keys;
    uint32_t *vals;   /* VN_HASHMAP_EMPTY marks a free slot */
    size_t cap;       /* power of two, or 0 */
    size_t len;
} vn_hashmap;

#define VN_HASHMAP_EMPTY UINT32_MAX

/* Prepares a map for up to `n` keys, allocated from the arena (released
 * with it).  Values must be < VN_HASHMAP_EMPTY. */
int vn_hashmap_init(vn_hashmap *h, vn_arena *ar, size_t n);

/* Sets key -> val.  Returns 1 if the key was already present (its value is
 * replaced), 0 if it was inserted.  The map must have been sized for the
 * number of distinct keys inserted. */
int vn_hashmap_put(vn_hashmap *h, int64_t key, uint32_t val);

/* The value for key, or VN_HASHMAP_EMPTY. */
uint32_t vn_hashmap_get(const vn_hashmap *h, int64_t key);

#endif
