#ifndef LF_SHA256_H
#define LF_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define LF_SHA256_SIZE  32
#define LF_SHA256_BLOCK 64

/* Streaming SHA-256 (FIPS 180-4). Caller-owned state, no allocation. */
struct lf_sha256 {
    uint32_t state[8];
    uint64_t total_len; /* bytes absorbed so far */
    uint8_t block[LF_SHA256_BLOCK];
    uint32_t block_len; /* bytes waiting in block[], always < 64 */
};

void lf_sha256_init(struct lf_sha256 *ctx);
/* data may be NULL only when len is 0. */
void lf_sha256_update(struct lf_sha256 *ctx, const void *data, size_t len);
/* Writes the digest; ctx must be re-initialised before reuse. */
void lf_sha256_final(struct lf_sha256 *ctx, uint8_t out[LF_SHA256_SIZE]);
/* One-shot convenience. */
void lf_sha256(const void *data, size_t len, uint8_t out[LF_SHA256_SIZE]);

#endif
