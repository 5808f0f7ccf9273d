/* fuzz.h — what every fuzz target of libvernier shares (private).
 *
 * A target defines LLVMFuzzerTestOneInput (and may define
 * LLVMFuzzerInitialize).  It is linked either with libFuzzer (clang,
 * `make fuzz`) or with replay.c (any compiler, `make fuzz-regress`), which
 * feeds it the files of a corpus.  A target aborts (FUZZ_ASSERT) when an
 * invariant fails; sanitizers catch the rest. */
#ifndef VN_FUZZ_H
#define VN_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_ASSERT(cond)                                                                      \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

#endif
