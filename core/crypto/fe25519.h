#ifndef LF_CRYPTO_FE25519_H
#define LF_CRYPTO_FE25519_H

/*
 * Internal to core/crypto: arithmetic mod p = 2^255 - 19 for Ed25519, on the
 * 8 x 32-bit limbs of bn256.h. Elements are kept "loose": any 256-bit value
 * stands for its residue mod p, and every operation takes and returns loose
 * values. A product is bn256's 512-bit multiplication folded with
 * 2^256 = 38 (mod p); lf_fe25519_canon gives the unique value below p for
 * comparisons and encodings. Variable time (verification only); outputs may
 * alias inputs.
 */

#include "bn256.h"

#include <stdbool.h>
#include <stdint.h>

/* r = t mod p, loose (r < 2^256), for any 512-bit t. */
void lf_fe25519_reduce_wide(uint32_t r[LF_BN_LIMBS], const uint32_t t[2 * LF_BN_LIMBS]);

void lf_fe25519_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS]);
void lf_fe25519_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS]);
void lf_fe25519_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS]);

/* r = a mod p, fully reduced (r < p). */
void lf_fe25519_canon(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS]);

/* a == b mod p */
bool lf_fe25519_equal(const uint32_t a[LF_BN_LIMBS], const uint32_t b[LF_BN_LIMBS]);

/* r = a^(p-2) = 1/a (0 for a = 0), and r = a^((p-5)/8), by one addition chain
 * (254 squarings and 11 or 12 multiplications). */
void lf_fe25519_invert(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS]);
void lf_fe25519_pow_p58(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS]);

#endif
