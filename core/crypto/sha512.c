/*
 * SHA-512 per FIPS 180-4 (needed by Ed25519), written for size like sha256.c:
 * one compression loop, 16-word rolling message schedule.
 */
#include "lf/sha512.h"

#include <string.h>

/* First 64 bits of the fractional parts of the cube roots of the first 80
 * primes (FIPS 180-4, 4.2.3). */
static const uint64_t k512[80] = {
    0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
    0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
    0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
    0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
    0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
    0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
    0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
    0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
    0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
    0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
    0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
    0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
    0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
    0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
    0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
    0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
    0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
    0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
    0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
    0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

/* Initial hash value (FIPS 180-4, 5.3.5). */
static const uint64_t h512[8] = {
    0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static uint64_t ror64(uint64_t x, unsigned n)
{
    return (x >> n) | (x << (64 - n));
}

static void sha512_compress(uint64_t state[8], const uint8_t block[LF_SHA512_BLOCK])
{
    uint64_t w[16], v[8];
    memcpy(v, state, sizeof(v));
    for (int i = 0; i < 80; i++) {
        uint64_t x;
        if (i < 16) {
            x = 0;
            for (int j = 0; j < 8; j++) {
                x = (x << 8) | block[8 * i + j];
            }
        } else {
            uint64_t a = w[(i - 15) & 15], b = w[(i - 2) & 15];
            uint64_t s0 = ror64(a, 1) ^ ror64(a, 8) ^ (a >> 7);
            uint64_t s1 = ror64(b, 19) ^ ror64(b, 61) ^ (b >> 6);
            x = w[i & 15] + s0 + w[(i - 7) & 15] + s1;
        }
        w[i & 15] = x;
        uint64_t e = v[4], a = v[0];
        uint64_t t1 = v[7] + (ror64(e, 14) ^ ror64(e, 18) ^ ror64(e, 41)) +
                      ((e & v[5]) ^ (~e & v[6])) + k512[i] + x;
        uint64_t t2 = (ror64(a, 28) ^ ror64(a, 34) ^ ror64(a, 39)) +
                      ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));
        for (int j = 7; j > 0; j--) {
            v[j] = v[j - 1];
        }
        v[4] += t1;
        v[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++) {
        state[i] += v[i];
    }
}

void lf_sha512_init(struct lf_sha512 *ctx)
{
    memcpy(ctx->state, h512, sizeof(h512));
    ctx->total_len = 0;
    ctx->block_len = 0;
}

void lf_sha512_update(struct lf_sha512 *ctx, const void *data, size_t len)
{
    const uint8_t *p = data;
    ctx->total_len += len;
    while (len > 0) {
        size_t n = LF_SHA512_BLOCK - ctx->block_len;
        if (n > len) {
            n = len;
        }
        memcpy(ctx->block + ctx->block_len, p, n);
        ctx->block_len += (uint32_t)n;
        p += n;
        len -= n;
        if (ctx->block_len == LF_SHA512_BLOCK) {
            sha512_compress(ctx->state, ctx->block);
            ctx->block_len = 0;
        }
    }
}

void lf_sha512_final(struct lf_sha512 *ctx, uint8_t out[LF_SHA512_SIZE])
{
    /* Padding: 0x80, zeros up to 112 mod 128, then the 128-bit bit length
     * big-endian (its top 61 bits are zero: total_len counts bytes in 64 bits). */
    uint32_t bits[2] = {(uint32_t)(ctx->total_len >> 29), (uint32_t)(ctx->total_len << 3)};
    uint8_t pad = 0x80;
    lf_sha512_update(ctx, &pad, 1);
    pad = 0;
    while (ctx->block_len != LF_SHA512_BLOCK - 16) {
        lf_sha512_update(ctx, &pad, 1);
    }
    for (int i = -8; i < 8; i++) {
        pad = i < 0 ? 0 : (uint8_t)(bits[i / 4] >> (24 - 8 * (i % 4)));
        lf_sha512_update(ctx, &pad, 1);
    }
    for (int i = 0; i < LF_SHA512_SIZE; i++) {
        out[i] = (uint8_t)(ctx->state[i / 8] >> (56 - 8 * (i % 8)));
    }
}

void lf_sha512(const void *data, size_t len, uint8_t out[LF_SHA512_SIZE])
{
    struct lf_sha512 ctx;
    lf_sha512_init(&ctx);
    lf_sha512_update(&ctx, data, len);
    lf_sha512_final(&ctx, out);
}
