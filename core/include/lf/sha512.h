#ifndef LF_SHA512_H
#define LF_SHA512_H

#include <stddef.h>
#include <stdint.h>

#define LF_SHA512_SIZE  64
#define LF_SHA512_BLOCK 128

/* Streaming SHA-512 (FIPS 180-4); Ed25519 verification needs it. */
struct lf_sha512 {
    uint64_t state[8];
    uint64_t total_len; /* bytes absorbed so far (2^64 bytes is plenty) */
    uint8_t block[LF_SHA512_BLOCK];
    uint32_t block_len;
};

void lf_sha512_init(struct lf_sha512 *ctx);
void lf_sha512_update(struct lf_sha512 *ctx, const void *data, size_t len);
void lf_sha512_final(struct lf_sha512 *ctx, uint8_t out[LF_SHA512_SIZE]);
void lf_sha512(const void *data, size_t len, uint8_t out[LF_SHA512_SIZE]);

#endif
