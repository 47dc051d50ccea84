/*
 * Arithmetic mod 2^255 - 19 with loose 256-bit values (see fe25519.h). Since
 * 2^256 = 2 * 2^255 = 2 * 19 = 38 (mod p), any carry out of limb 7 is worth 38
 * at limb 0, and a borrow out of limb 7 is worth -38.
 */
#include "fe25519.h"

/* r += v (v < 2^32) with the carry out of limb 7 folded back as 38. The
 * second fold cannot carry: after a wrap r < v. */
static void add_small(uint32_t r[LF_BN_LIMBS], uint32_t v)
{
    while (v) {
        for (int i = 0; i < LF_BN_LIMBS && v; i++) {
            r[i] += v;
            v = r[i] < v;
        }
        v *= 38;
    }
}

/* r -= v (v < 2^32) with a borrow out of limb 7 folded back as -38. */
static void sub_small(uint32_t r[LF_BN_LIMBS], uint32_t v)
{
    while (v) {
        for (int i = 0; i < LF_BN_LIMBS && v; i++) {
            uint32_t x = r[i];
            r[i] = x - v;
            v = x < v;
        }
        v *= 38;
    }
}

void lf_fe25519_reduce_wide(uint32_t r[LF_BN_LIMBS], const uint32_t t[2 * LF_BN_LIMBS])
{
    /* t = hi 2^256 + lo = lo + 38 hi; the carry c <= 38 is folded again. */
    uint32_t c = 0;
    for (int i = 0; i < LF_BN_LIMBS; i++) {
        uint32_t lo = t[i];
        lf_bn_mul_add2(&lo, &c, t[i + LF_BN_LIMBS], 38);
        r[i] = lo;
    }
    add_small(r, c * 38);
}

void lf_fe25519_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS])
{
    uint32_t t[2 * LF_BN_LIMBS];
    lf_bn_mul(t, a, b);
    lf_fe25519_reduce_wide(r, t);
}

void lf_fe25519_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS])
{
    add_small(r, lf_bn_add(r, a, b) * 38);
}

void lf_fe25519_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                    const uint32_t b[LF_BN_LIMBS])
{
    sub_small(r, lf_bn_sub(r, a, b) * 38);
}

void lf_fe25519_canon(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS])
{
    /* Fold bit 255 (2^255 = 19): t < 2^255 + 19 < 2p. Then t >= p exactly
     * when t + 19 reaches 2^255, and t - p is t + 19 - 2^255. */
    uint32_t t[LF_BN_LIMBS], u[LF_BN_LIMBS];
    lf_bn_copy(t, a);
    uint32_t top = t[LF_BN_LIMBS - 1] >> 31;
    t[LF_BN_LIMBS - 1] &= 0x7fffffff;
    add_small(t, 19 * top);
    lf_bn_copy(u, t);
    add_small(u, 19);
    if (u[LF_BN_LIMBS - 1] >> 31) {
        u[LF_BN_LIMBS - 1] &= 0x7fffffff;
        lf_bn_copy(r, u);
    } else {
        lf_bn_copy(r, t);
    }
}

bool lf_fe25519_equal(const uint32_t a[LF_BN_LIMBS], const uint32_t b[LF_BN_LIMBS])
{
    uint32_t x[LF_BN_LIMBS], y[LF_BN_LIMBS];
    lf_fe25519_canon(x, a);
    lf_fe25519_canon(y, b);
    return lf_bn_cmp(x, y) == 0;
}

/* r = a^(2^n) */
static void sqn(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS], int n)
{
    lf_bn_copy(r, a);
    while (n-- > 0) {
        lf_fe25519_mul(r, r, r);
    }
}

/* z11 = a^11 and r = a^(2^250 - 1), the common part of both chains. With
 * a_k = a^(2^k - 1): a_5 = a^31 = a^9 a^22, then a_2k = a_k^(2^k) a_k and
 * a_(j+k) = a_j^(2^k) a_k up to a_250. */
static void pow_2_250_1(uint32_t r[LF_BN_LIMBS], uint32_t z11[LF_BN_LIMBS],
                        const uint32_t a[LF_BN_LIMBS])
{
    uint32_t t0[LF_BN_LIMBS], t1[LF_BN_LIMBS], t2[LF_BN_LIMBS];
    lf_fe25519_mul(t0, a, a);     /* a^2 */
    sqn(t1, t0, 2);               /* a^8 */
    lf_fe25519_mul(t1, t1, a);    /* a^9 */
    lf_fe25519_mul(z11, t0, t1);  /* a^11 */
    lf_fe25519_mul(t0, z11, z11); /* a^22 */
    lf_fe25519_mul(t1, t1, t0);   /* a^31 = a_5 */
    sqn(t0, t1, 5);
    lf_fe25519_mul(t1, t0, t1); /* a_10 */
    sqn(t0, t1, 10);
    lf_fe25519_mul(t0, t0, t1); /* a_20 */
    sqn(t2, t0, 20);
    lf_fe25519_mul(t0, t2, t0); /* a_40 */
    sqn(t0, t0, 10);
    lf_fe25519_mul(t1, t0, t1); /* a_50 */
    sqn(t0, t1, 50);
    lf_fe25519_mul(t0, t0, t1); /* a_100 */
    sqn(t2, t0, 100);
    lf_fe25519_mul(t0, t2, t0); /* a_200 */
    sqn(t0, t0, 50);
    lf_fe25519_mul(r, t0, t1); /* a_250 */
}

void lf_fe25519_invert(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS])
{
    /* p - 2 = 2^255 - 21 = (2^250 - 1) 2^5 + 11 */
    uint32_t t[LF_BN_LIMBS], z11[LF_BN_LIMBS];
    pow_2_250_1(t, z11, a);
    sqn(t, t, 5);
    lf_fe25519_mul(r, t, z11);
}

void lf_fe25519_pow_p58(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS])
{
    /* (p - 5) / 8 = 2^252 - 3 = (2^250 - 1) 2^2 + 1 */
    uint32_t t[LF_BN_LIMBS], z11[LF_BN_LIMBS];
    pow_2_250_1(t, z11, a);
    sqn(t, t, 2);
    lf_fe25519_mul(r, t, a);
}
