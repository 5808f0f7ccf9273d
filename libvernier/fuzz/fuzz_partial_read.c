/* fuzz_partial_read.c — vernier_partial_read on raw bytes (framing: length,
 * magic, version, declared size, checksum), and write after a read.
 *
 * Most mutations break the checksum; fuzz_partial_roundtrip repairs it to
 * reach the structure checks.  Invariant: a blob that reads is rewritten to
 * bytes that read again and rewrite to themselves. */
#include <string.h>

#include "fuzz.h"
#include "fuzz_partial.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_partial_cycle(data, size, NULL);
    return 0;
}
