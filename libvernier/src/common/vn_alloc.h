/* vn_alloc.h — the one allocation layer of libvernier (private).
 *
 * Every byte the library allocates goes through a vn_mem: it resolves the
 * user's vernier_allocator (or libc), keeps an exact running total of the
 * bytes held, and refuses allocations past an optional budget.  No file in
 * src/ calls malloc/realloc/free directly (`make lint` greps for it).
 *
 * A vn_mem is used by one thread at a time. */
#ifndef VN_ALLOC_H
#define VN_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "vernier.h"

typedef struct vn_mem {
    vernier_allocator alc; /* resolved: every function pointer set */
    size_t used;           /* bytes currently held through this vn_mem */
    size_t peak;           /* high-water mark of `used` */
    size_t budget;         /* 0: unlimited; else used may never exceed it */
    int last_failure;      /* VERNIER_E_NOMEM or VERNIER_E_BUDGET after a
                              failed allocation, else VERNIER_OK */
} vn_mem;

/* Initialises `m` with `alc` (NULL: libc).  A partial allocator (any NULL
 * function) is rejected with VERNIER_E_INVALID_ARG. */
int vn_mem_init(vn_mem *m, const vernier_allocator *alc);

/* Allocation.  Each returns NULL on failure and sets m->last_failure.  A zero
 * size returns NULL without failing (last_failure stays OK); callers treat
 * "n == 0" as "nothing to allocate". */
void *vn_malloc(vn_mem *m, size_t size);
void *vn_calloc(vn_mem *m, size_t count, size_t size); /* overflow-checked, zeroed */
/* Resizes; on failure the old block is untouched and still owned. */
void *vn_realloc(vn_mem *m, void *ptr, size_t old_size, size_t new_size);
void vn_free(vn_mem *m, void *ptr, size_t size);

/* Grows the array *ptr (element size `elem`, capacity *cap elements) so it
 * can hold at least `need` elements, doubling.  Returns VERNIER_OK or the
 * failure code (the array is untouched on failure). */
int vn_grow(vn_mem *m, void **ptr, size_t *cap, size_t elem, size_t need);

/* A bump arena on top of a vn_mem: many allocations, one release.  Used for
 * an evaluation's working state and for its result arrays, so that error
 * paths free everything with one call.  Blocks are charged to the vn_mem
 * like any other allocation. */
typedef struct vn_arena_block vn_arena_block;
typedef struct vn_arena {
    vn_mem *mem;
    vn_arena_block *head;
} vn_arena;

void vn_arena_init(vn_arena *a, vn_mem *m);
/* 16-byte aligned memory for `size` bytes, uninitialised (NULL on failure,
 * with a->mem->last_failure set; size 0 gives a valid pointer). */
void *vn_arena_alloc(vn_arena *a, size_t size);
/* The same, zero-filled. */
void *vn_arena_zalloc(vn_arena *a, size_t size);
/* count * size bytes, overflow-checked; zarray zero-fills. */
void *vn_arena_array(vn_arena *a, size_t count, size_t size);
void *vn_arena_zarray(vn_arena *a, size_t count, size_t size);
/* Frees every block. */
void vn_arena_release(vn_arena *a);

/* A position in an arena: vn_arena_rewind frees everything allocated after
 * the mark was taken (for per-cell scratch reused across cells). */
typedef struct vn_arena_mark {
    vn_arena_block *head;
    size_t used;
} vn_arena_mark;
void vn_arena_mark_here(const vn_arena *a, vn_arena_mark *m);
void vn_arena_rewind(vn_arena *a, const vn_arena_mark *m);

/* count * size, or SIZE_MAX on overflow. */
static inline size_t vn_mul_size(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return SIZE_MAX;
    return count * size;
}

/* Status for the last failed allocation of m (NOMEM or BUDGET). */
static inline int vn_mem_failure(const vn_mem *m)
{
    return m->last_failure != 0 ? m->last_failure : VERNIER_E_NOMEM;
}

#endif
