/* alloc.c — the allocation layer: the only file that may call libc's
 * allocator, and only as the default vernier_allocator. */
#include <stdlib.h>
#include <string.h>

#include "common/vn_alloc.h"

static void *libc_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void *libc_realloc(void *ctx, void *ptr, size_t old_size, size_t new_size)
{
    (void)ctx;
    (void)old_size;
    return realloc(ptr, new_size);
}

static void libc_free(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    (void)size;
    free(ptr);
}

int vn_mem_init(vn_mem *m, const vernier_allocator *alc)
{
    memset(m, 0, sizeof(*m));
    if (alc == NULL) {
        m->alc.malloc = libc_malloc;
        m->alc.realloc = libc_realloc;
        m->alc.free = libc_free;
        m->alc.ctx = NULL;
        return VERNIER_OK;
    }
    if (alc->malloc == NULL || alc->realloc == NULL || alc->free == NULL)
        return VERNIER_E_INVALID_ARG;
    m->alc = *alc;
    return VERNIER_OK;
}

/* Would holding `extra` more bytes break the budget? */
static int over_budget(const vn_mem *m, size_t extra)
{
    if (m->budget == 0)
        return 0;
    return extra > m->budget || m->used > m->budget - extra;
}

static void charge(vn_mem *m, size_t size)
{
    m->used += size;
    if (m->used > m->peak)
        m->peak = m->used;
}

void *vn_malloc(vn_mem *m, size_t size)
{
    void *p;
    if (size == 0)
        return NULL;
    if (size == SIZE_MAX || over_budget(m, size)) {
        m->last_failure = size == SIZE_MAX ? VERNIER_E_NOMEM : VERNIER_E_BUDGET;
        return NULL;
    }
    p = m->alc.malloc(m->alc.ctx, size);
    if (p == NULL) {
        m->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    charge(m, size);
    return p;
}

void *vn_calloc(vn_mem *m, size_t count, size_t size)
{
    size_t total = vn_mul_size(count, size);
    void *p = vn_malloc(m, total);
    if (p != NULL)
        memset(p, 0, total);
    return p;
}

void *vn_realloc(vn_mem *m, void *ptr, size_t old_size, size_t new_size)
{
    void *p;
    if (ptr == NULL)
        return vn_malloc(m, new_size);
    if (new_size == 0) {
        vn_free(m, ptr, old_size);
        return NULL;
    }
    if (new_size == SIZE_MAX) {
        m->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    if (new_size > old_size && over_budget(m, new_size - old_size)) {
        m->last_failure = VERNIER_E_BUDGET;
        return NULL;
    }
    p = m->alc.realloc(m->alc.ctx, ptr, old_size, new_size);
    if (p == NULL) {
        m->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    m->used -= old_size;
    charge(m, new_size);
    return p;
}

void vn_free(vn_mem *m, void *ptr, size_t size)
{
    if (ptr == NULL)
        return;
    m->alc.free(m->alc.ctx, ptr, size);
    m->used -= size;
}

int vn_grow(vn_mem *m, void **ptr, size_t *cap, size_t elem, size_t need)
{
    size_t new_cap;
    void *p;
    if (need <= *cap)
        return VERNIER_OK;
    new_cap = *cap < 16 ? 16 : *cap;
    while (new_cap < need) {
        if (new_cap > SIZE_MAX / 2)
            return VERNIER_E_NOMEM;
        new_cap *= 2;
    }
    if (vn_mul_size(new_cap, elem) == SIZE_MAX)
        return VERNIER_E_NOMEM;
    p = vn_realloc(m, *ptr, *cap * elem, new_cap * elem);
    if (p == NULL)
        return vn_mem_failure(m);
    *ptr = p;
    *cap = new_cap;
    return VERNIER_OK;
}

struct vn_arena_block {
    vn_arena_block *next;
    size_t size; /* bytes of the whole block, header included */
    size_t used; /* bytes handed out, header included */
};

#define ARENA_HEADER ((sizeof(vn_arena_block) + 15u) & ~(size_t)15u)
#define ARENA_CHUNK ((size_t)1 << 20)

void vn_arena_init(vn_arena *a, vn_mem *m)
{
    a->mem = m;
    a->head = NULL;
}

void *vn_arena_alloc(vn_arena *a, size_t size)
{
    vn_arena_block *b = a->head;
    size_t need = (size + 15u) & ~(size_t)15u;
    unsigned char *p;
    if (size > SIZE_MAX - 64) {
        a->mem->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    if (need == 0)
        need = 16;
    if (b == NULL || b->size - b->used < need) {
        size_t bsize = ARENA_HEADER + need;
        if (bsize < ARENA_CHUNK)
            bsize = ARENA_CHUNK;
        b = vn_malloc(a->mem, bsize);
        if (b == NULL)
            return NULL;
        b->size = bsize;
        b->used = ARENA_HEADER;
        b->next = a->head;
        a->head = b;
    }
    p = (unsigned char *)b + b->used;
    b->used += need;
    return p;
}

void *vn_arena_zalloc(vn_arena *a, size_t size)
{
    void *p = vn_arena_alloc(a, size);
    if (p != NULL)
        memset(p, 0, size);
    return p;
}

void *vn_arena_array(vn_arena *a, size_t count, size_t size)
{
    size_t total = vn_mul_size(count, size);
    if (total == SIZE_MAX) {
        a->mem->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    return vn_arena_alloc(a, total);
}

void *vn_arena_zarray(vn_arena *a, size_t count, size_t size)
{
    size_t total = vn_mul_size(count, size);
    if (total == SIZE_MAX) {
        a->mem->last_failure = VERNIER_E_NOMEM;
        return NULL;
    }
    return vn_arena_zalloc(a, total);
}

void vn_arena_release(vn_arena *a)
{
    vn_arena_block *b = a->head;
    while (b != NULL) {
        vn_arena_block *next = b->next;
        vn_free(a->mem, b, b->size);
        b = next;
    }
    a->head = NULL;
}

void vn_arena_mark_here(const vn_arena *a, vn_arena_mark *m)
{
    m->head = a->head;
    m->used = a->head != NULL ? a->head->used : 0;
}

void vn_arena_rewind(vn_arena *a, const vn_arena_mark *m)
{
    /* blocks pushed in front of the marked head are newer: free them */
    while (a->head != m->head) {
        vn_arena_block *b = a->head;
        a->head = b->next;
        vn_free(a->mem, b, b->size);
    }
    if (a->head != NULL)
        a->head->used = m->used;
}
