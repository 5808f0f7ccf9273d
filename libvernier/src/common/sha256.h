/* sha256.h — SHA-256 (FIPS 180-4), streaming (private).
 *
 * Used for the partial format's dataset and parameter digests and its
 * checksum (docs/reference/partial-format.md).  No allocation. */
#ifndef VN_SHA256_H
#define VN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define VN_SHA256_LEN 32

typedef struct vn_sha256_ctx {
    uint32_t h[8];
    uint64_t bytes;     /* message length so far */
    uint8_t buf[64];    /* the pending partial block */
    size_t n_buf;
} vn_sha256_ctx;

void vn_sha256_init(vn_sha256_ctx *c);
void vn_sha256_update(vn_sha256_ctx *c, const void *data, size_t n);
void vn_sha256_final(vn_sha256_ctx *c, uint8_t out[VN_SHA256_LEN]);

/* One-shot digest of data[0..n). */
void vn_sha256(const void *data, size_t n, uint8_t out[VN_SHA256_LEN]);

#endif
