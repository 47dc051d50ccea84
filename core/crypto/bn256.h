#ifndef LF_CRYPTO_BN256_H
#define LF_CRYPTO_BN256_H

/*
 * Internal to core/crypto: 256-bit arithmetic shared by P-256 and Ed25519.
 * One multiplication kernel (lf_bn_mul) serves everything; the generic
 * Montgomery multiplication on top of it serves P-256's p and n and
 * edwards25519's L, while 2^255 - 19 has its own folding (fe25519.c). Speed
 * and size were weighed on the Cortex-M4 (bench/m4crypto, docs/crypto.md).
 *
 * Numbers are 8 little-endian 32-bit limbs (limb 0 least significant).
 * "Montgomery form" of x is x * R mod m with R = 2^256. Unless stated, inputs
 * and outputs are fully reduced (< m), and outputs may alias inputs.
 * Nothing here is constant-time: it is used for verification only.
 */

#include <stdbool.h>
#include <stdint.h>

#define LF_BN_LIMBS 8

/* An odd modulus m < 2^256 with its precomputed Montgomery constants. */
struct lf_bn_mod {
    uint32_t m[LF_BN_LIMBS];  /* the modulus */
    uint32_t r2[LF_BN_LIMBS]; /* R^2 mod m, to enter Montgomery form */
    uint32_t m0inv;           /* -m^-1 mod 2^32 */
};

/* The moduli in use, defined beside the algorithm that needs them (p256.c,
 * ed25519.c): the prime fields and group orders of P-256 and edwards25519. */
extern const struct lf_bn_mod lf_bn_p256_p, lf_bn_p256_n;
extern const struct lf_bn_mod lf_bn_ed25519_p, lf_bn_ed25519_l;

/* The numbers 0 and 1 (plain, not Montgomery form). */
extern const uint32_t lf_bn_zero[LF_BN_LIMBS], lf_bn_one[LF_BN_LIMBS];

/* -1, 0 or 1 as a <, ==, > b. */
int lf_bn_cmp(const uint32_t a[LF_BN_LIMBS], const uint32_t b[LF_BN_LIMBS]);
bool lf_bn_is_zero(const uint32_t a[LF_BN_LIMBS]);

/* r = a + b mod 2^256; returns the carry (0 or 1). */
uint32_t lf_bn_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS]);

/* r = a - b mod 2^256; returns the borrow (0 or 1). */
uint32_t lf_bn_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS]);

/* r = a + b mod m, r = a - b mod m (a, b < m). */
void lf_bn_mod_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS], const struct lf_bn_mod *mod);
void lf_bn_mod_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS], const struct lf_bn_mod *mod);

/* lo:hi = a * b + lo + hi, which cannot overflow 64 bits. ARMv7E-M cores
 * (the Cortex-M4) do this in one UMAAL instruction. */
static inline void lf_bn_mul_add2(uint32_t *lo, uint32_t *hi, uint32_t a, uint32_t b)
{
#if defined(__ARM_FEATURE_DSP) && defined(__thumb2__)
    __asm__("umaal %0, %1, %2, %3" : "+r"(*lo), "+r"(*hi) : "r"(a), "r"(b));
#else
    uint64_t t = (uint64_t)a * b + *lo + *hi;
    *lo = (uint32_t)t;
    *hi = (uint32_t)(t >> 32);
#endif
}

/* r = a * b, the full 512-bit product; r must not overlap a or b. */
void lf_bn_mul(uint32_t r[2 * LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
               const uint32_t b[LF_BN_LIMBS]);

/* r = a. */
void lf_bn_copy(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS]);

/* r = carry * 2^256 + a, minus m if that is >= m: for values below 2m. */
void lf_bn_reduce_once(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS], uint32_t carry,
                       const uint32_t m[LF_BN_LIMBS]);

/* r = a * b / R mod m. Needs b < m; a may be any 256-bit value. */
void lf_bn_mont_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS], const struct lf_bn_mod *mod);

/* r = a * R mod m (enter Montgomery form; a may be any 256-bit value, the
 * result is reduced), and r = a / R mod m (leave it). */
void lf_bn_to_mont(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const struct lf_bn_mod *mod);
void lf_bn_from_mont(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                     const struct lf_bn_mod *mod);

/* r = a^e in Montgomery form (a in Montgomery form, e a plain exponent). */
void lf_bn_mod_pow(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t e[LF_BN_LIMBS], const struct lf_bn_mod *mod);

/* r = a^-1 in Montgomery form, by Fermat (m must be prime); 0 maps to 0. */
void lf_bn_mod_inv(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const struct lf_bn_mod *mod);

/* r = (hi * 2^256 + lo) mod m, plain values; hi and lo are any 256-bit values. */
void lf_bn_mod_wide(uint32_t r[LF_BN_LIMBS], const uint32_t lo[LF_BN_LIMBS],
                    const uint32_t hi[LF_BN_LIMBS], const struct lf_bn_mod *mod);

/* Width-w NAF of k (2 <= w <= 7): out[i] is the digit of 2^i, zero or odd
 * with |digit| < 2^(w-1), and k = sum out[i] 2^i. Returns the index of the
 * highest nonzero digit, or -1 for k = 0. */
#define LF_BN_WNAF_LEN 257
int lf_bn_wnaf(int8_t out[LF_BN_WNAF_LEN], const uint32_t k[LF_BN_LIMBS], unsigned w);

/* Conversions from/to 32 bytes, big-endian (P-256) or little-endian (Ed25519). */
void lf_bn_from_be(uint32_t r[LF_BN_LIMBS], const uint8_t in[32]);
void lf_bn_to_be(uint8_t out[32], const uint32_t a[LF_BN_LIMBS]);
void lf_bn_from_le(uint32_t r[LF_BN_LIMBS], const uint8_t in[32]);
void lf_bn_to_le(uint8_t out[32], const uint32_t a[LF_BN_LIMBS]);

#endif
