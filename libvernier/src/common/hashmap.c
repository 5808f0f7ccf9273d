/* hashmap.c — int64 -> uint32 open addressing with linear probing. */
#include <string.h>

#include "common/hashmap.h"

static inline uint64_t mix(int64_t key)
{
    uint64_t z = (uint64_t)key + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int vn_hashmap_init(vn_hashmap *h, vn_arena *ar, size_t n)
{
    size_t cap = 16;
    memset(h, 0, sizeof(*h));
    while (cap < n * 2) {
        if (cap > SIZE_MAX / 4)
            return VERNIER_E_NOMEM;
        cap *= 2;
    }
    h->keys = vn_arena_array(ar, cap, sizeof(int64_t));
    h->vals = vn_arena_array(ar, cap, sizeof(uint32_t));
    if (h->keys == NULL || h->vals == NULL)
        return vn_mem_failure(ar->mem);
    memset(h->vals, 0xff, cap * sizeof(uint32_t));
    h->cap = cap;
    return VERNIER_OK;
}

int vn_hashmap_put(vn_hashmap *h, int64_t key, uint32_t val)
{
    size_t mask = h->cap - 1, i = (size_t)mix(key) & mask;
    while (h->vals[i] != VN_HASHMAP_EMPTY) {
        if (h->keys[i] == key) {
            h->vals[i] = val;
            return 1;
        }
        i = (i + 1) & mask;
    }
    h->keys[i] = key;
    h->vals[i] = val;
    h->len++;
    return 0;
}

uint32_t vn_hashmap_get(const vn_hashmap *h, int64_t key)
{
    size_t mask, i;
    if (h->cap == 0)
        return VN_HASHMAP_EMPTY;
    mask = h->cap - 1;
    i = (size_t)mix(key) & mask;
    while (h->vals[i] != VN_HASHMAP_EMPTY) {
        if (h->keys[i] == key)
            return h->vals[i];
        i = (i + 1) & mask;
    }
    return VN_HASHMAP_EMPTY;
}
