/* sort.c — stable merge sorts with an insertion-sort base case. */
#include <string.h>

#include "common/sort.h"

#define SMALL 16

static void insertion_desc(uint32_t *idx, size_t n, const double *key)
{
    size_t i, j;
    for (i = 1; i < n; i++) {
        uint32_t v = idx[i];
        double k = key[v];
        /* move left past strictly smaller keys only: equal keys stay put */
        for (j = i; j > 0 && key[idx[j - 1]] < k; j--)
            idx[j] = idx[j - 1];
        idx[j] = v;
    }
}

static void merge_desc(uint32_t *idx, uint32_t *tmp, size_t n, const double *key)
{
    size_t h, i, j, o;
    if (n <= SMALL) {
        insertion_desc(idx, n, key);
        return;
    }
    h = n / 2;
    merge_desc(idx, tmp, h, key);
    merge_desc(idx + h, tmp, n - h, key);
    if (!(key[idx[h - 1]] < key[idx[h]]))
        return; /* already in order */
    memcpy(tmp, idx, h * sizeof(*idx));
    i = 0;
    j = h;
    o = 0;
    while (i < h && j < n) {
        /* take from the right only when strictly greater: stability */
        if (key[idx[j]] > key[tmp[i]])
            idx[o++] = idx[j++];
        else
            idx[o++] = tmp[i++];
    }
    while (i < h)
        idx[o++] = tmp[i++];
}

void vn_sort_desc_by_key(uint32_t *idx, uint32_t *tmp, size_t n, const double *key)
{
    merge_desc(idx, tmp, n, key);
}

/* a strictly before b in corrected order */
static int before_box(uint32_t a, uint32_t b, const double *key, const double *box)
{
    int j;
    if (key[a] != key[b])
        return key[a] > key[b];
    for (j = 0; j < 4; j++)
        if (box[4 * (size_t)a + j] != box[4 * (size_t)b + j])
            return box[4 * (size_t)a + j] < box[4 * (size_t)b + j];
    return 0;
}

static void merge_box(uint32_t *idx, uint32_t *tmp, size_t n, const double *key, const double *box)
{
    size_t h, i, j, o;
    if (n <= SMALL) {
        for (i = 1; i < n; i++) {
            uint32_t v = idx[i];
            for (j = i; j > 0 && before_box(v, idx[j - 1], key, box); j--)
                idx[j] = idx[j - 1];
            idx[j] = v;
        }
        return;
    }
    h = n / 2;
    merge_box(idx, tmp, h, key, box);
    merge_box(idx + h, tmp, n - h, key, box);
    memcpy(tmp, idx, h * sizeof(*idx));
    i = 0;
    j = h;
    o = 0;
    while (i < h && j < n) {
        if (before_box(idx[j], tmp[i], key, box))
            idx[o++] = idx[j++];
        else
            idx[o++] = tmp[i++];
    }
    while (i < h)
        idx[o++] = tmp[i++];
}

void vn_sort_desc_by_key_box(uint32_t *idx, uint32_t *tmp, size_t n, const double *key,
                             const double *box)
{
    merge_box(idx, tmp, n, key, box);
}

static void merge_i64(int64_t *v, int64_t *tmp, size_t n)
{
    size_t h, i, j, o;
    if (n <= SMALL) {
        for (i = 1; i < n; i++) {
            int64_t x = v[i];
            for (j = i; j > 0 && v[j - 1] > x; j--)
                v[j] = v[j - 1];
            v[j] = x;
        }
        return;
    }
    h = n / 2;
    merge_i64(v, tmp, h);
    merge_i64(v + h, tmp, n - h);
    if (v[h - 1] <= v[h])
        return;
    memcpy(tmp, v, h * sizeof(*v));
    i = 0;
    j = h;
    o = 0;
    while (i < h && j < n) {
        if (v[j] < tmp[i])
            v[o++] = v[j++];
        else
            v[o++] = tmp[i++];
    }
    while (i < h)
        v[o++] = tmp[i++];
}

void vn_sort_i64_asc(int64_t *v, int64_t *tmp, size_t n)
{
    merge_i64(v, tmp, n);
}
