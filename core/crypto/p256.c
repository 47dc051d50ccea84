/*
 * ECDSA P-256 verification (SEC 1 4.1.4) on the generic Montgomery arithmetic
 * of bn256.c. Points are in homogeneous projective coordinates (x = X/Z,
 * y = Y/Z, infinity (0 : Y : 0)), every coordinate in Montgomery form mod p,
 * and added by complete formulas run as a straight-line program (small in
 * flash; no special cases). u1*G + u2*Q is computed by Shamir's trick: one
 * doubling chain, adding G, Q or G + Q per bit pair. The result's x is
 * compared with r without inverting Z: X == r Z^2 in Jacobian form, or
 * (r + n) Z^2 when r + n < p.
 */
#include "lf/p256.h"

#include "bn256.h"
#include "lf/err.h"
#include "lf/fih.h"

#include <string.h>

/* p = 2^256 - 2^224 + 2^192 + 2^96 - 1 */
const struct lf_bn_mod lf_bn_p256_p = {
    {0xffffffff, 0xffffffff, 0xffffffff, 0x00000000, 0x00000000, 0x00000000, 0x00000001,
     0xffffffff},
    {0x00000003, 0x00000000, 0xffffffff, 0xfffffffb, 0xfffffffe, 0xffffffff, 0xfffffffd,
     0x00000004},
    0x00000001,
};

/* n, the order of G */
const struct lf_bn_mod lf_bn_p256_n = {
    {0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0x00000000,
     0xffffffff},
    {0xbe79eea2, 0x83244c95, 0x49bd6fa6, 0x4699799c, 0x2b6bec59, 0x2845b239, 0xf3d95620,
     0x66e12d94},
    0xee00bc4f,
};

/* The curve y^2 = x^3 - 3x + b and its base point G (FIPS 186-4 D.1.2.3),
 * stored in Montgomery form (times 2^256 mod p). */
static const uint32_t p256_b_mont[LF_BN_LIMBS] = {
    0x29c4bddf, 0xd89cdf62, 0x78843090, 0xacf005cd, 0xf7212ed6, 0xe5a220ab, 0x04874834, 0xdc30061d,
};
static const uint32_t p256_g_mont[2][LF_BN_LIMBS] = {
    {0x18a9143c, 0x79e730d4, 0x5fedb601, 0x75ba95fc, 0x77622510, 0x79fb732b, 0xa53755c6,
     0x18905f76},
    {0xce95560a, 0xddf25357, 0xba19e45c, 0x8b4ab8e4, 0xdd21f325, 0xd2e88688, 0x25885d85,
     0x8571ff18},
};

struct p256_point {
    uint32_t x[LF_BN_LIMBS], y[LF_BN_LIMBS], z[LF_BN_LIMBS];
};

static void fe_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mont_mul(r, a, b, &lf_bn_p256_p);
}

/*
 * The point formulas are straight-line programs over a small file of field
 * registers, run by one interpreter: a program step is 16 bits (operation,
 * source b, source a, destination; 4 bits each), which takes far less flash
 * than a call per step. Registers: the first point (X1 : Y1 : Z1), which the
 * addition overwrites with the sum, the second point, the curve's b, temporaries.
 */
enum { X1, Y1, Z1, X2, Y2, Z2, B, T0, T1, T2, T3, T4, T5, P256_REGS };
typedef uint32_t p256_fe[LF_BN_LIMBS];

#define P256_OP(k, d, a, b) (uint16_t)((k) << 12 | (b) << 8 | (a) << 4 | (d))
#define MUL(d, a, b)        P256_OP(0, d, a, b)
#define ADD(d, a, b)        P256_OP(1, d, a, b)
#define SUB(d, a, b)        P256_OP(2, d, a, b)

static void p256_run(p256_fe v[P256_REGS], const uint16_t *prog, int len)
{
    static void (*const ops[])(uint32_t *, const uint32_t *, const uint32_t *,
                               const struct lf_bn_mod *) = {lf_bn_mont_mul, lf_bn_mod_add,
                                                            lf_bn_mod_sub};
    for (int i = 0; i < len; i++) {
        unsigned op = prog[i];
        ops[op >> 12](v[op & 15], v[(op >> 4) & 15], v[(op >> 8) & 15], &lf_bn_p256_p);
    }
}

/*
 * (X1 : Y1 : Z1) += (X2 : Y2 : Z2) in homogeneous projective coordinates
 * (x = X/Z, y = Y/Z, infinity (0 : Y : 0)): the complete addition for
 * a = -3 of Renes, Costello and Batina (2016, algorithm 4), 12 multiplications
 * and 2 by b. Complete: right for every pair of points, infinity and P = Q
 * (doubling) and P = -Q included, so there are no special cases. The second
 * point is only read; the sum's X3 and Y3, Z3 take X1, Y1, Z1 once these are
 * last read (T5 stands in for the paper's early use of X3).
 */
static const uint16_t p256_add_prog[] = {
    MUL(T0, X1, X2), MUL(T1, Y1, Y2), MUL(T2, Z1, Z2), ADD(T3, X1, Y1), ADD(T4, X2, Y2),
    MUL(T3, T3, T4), ADD(T4, T0, T1), SUB(T3, T3, T4), ADD(T4, Y1, Z1), ADD(T5, Y2, Z2),
    MUL(T4, T4, T5), ADD(T5, T1, T2), SUB(T4, T4, T5), ADD(X1, X1, Z1), ADD(Y1, X2, Z2),
    MUL(X1, X1, Y1), ADD(Y1, T0, T2), SUB(Y1, X1, Y1), MUL(Z1, B, T2),  SUB(X1, Y1, Z1),
    ADD(Z1, X1, X1), ADD(X1, X1, Z1), SUB(Z1, T1, X1), ADD(X1, T1, X1), MUL(Y1, B, Y1),
    ADD(T1, T2, T2), ADD(T2, T1, T2), SUB(Y1, Y1, T2), SUB(Y1, Y1, T0), ADD(T1, Y1, Y1),
    ADD(Y1, T1, Y1), ADD(T1, T0, T0), ADD(T0, T1, T0), SUB(T0, T0, T2), MUL(T1, T4, Y1),
    MUL(T2, T0, Y1), MUL(Y1, X1, Z1), ADD(Y1, Y1, T2), MUL(X1, T3, X1), SUB(X1, X1, T1),
    MUL(Z1, T4, Z1), MUL(T1, T3, T0), ADD(Z1, Z1, T1),
};

/* y^2 - (x^3 - 3x + b) for (X1, Y1): T0 = x^3 - 3x + b, T1 = y^2. */
static const uint16_t p256_curve_prog[] = {
    MUL(T0, X1, X1), MUL(T0, T0, X1), ADD(T1, X1, X1), ADD(T1, T1, X1),
    SUB(T0, T0, T1), ADD(T0, T0, B),  MUL(T1, Y1, Y1),
};

#define P256_RUN(v, prog) p256_run(v, prog, (int)(sizeof(prog) / sizeof(prog[0])))

/* Registers past the programs' own: the table G, Q, G + Q of Shamir's trick. */
enum { TAB_G = P256_REGS, TAB_Q = TAB_G + 3, TAB_GQ = TAB_Q + 3, P256_REGS_ALL = TAB_GQ + 3 };

/* Decode X||Y into (X1 : Y1 : Z1) = (x : y : 1) after checking x, y < p and
 * y^2 = x^3 - 3x + b; B is set too. */
static int p256_decode(p256_fe v[P256_REGS], const uint8_t pub[LF_P256_PUBKEY_SIZE])
{
    for (int i = 0; i < 2; i++) {
        lf_bn_from_be(v[X1 + i], pub + 32 * i);
        if (lf_bn_cmp(v[X1 + i], lf_bn_p256_p.m) >= 0) {
            return LF_E_CRYPTO_BAD_KEY;
        }
        lf_bn_to_mont(v[X1 + i], v[X1 + i], &lf_bn_p256_p);
    }
    lf_bn_to_mont(v[Z1], lf_bn_one, &lf_bn_p256_p);
    memcpy(v[B], p256_b_mont, sizeof(v[B]));
    P256_RUN(v, p256_curve_prog);
    /* (0, 0) and any other encoding of "infinity" fail the equation (b != 0). */
    return lf_bn_cmp(v[T0], v[T1]) != 0 ? LF_E_CRYPTO_BAD_KEY : LF_OK;
}

int lf_p256_pubkey_check(const uint8_t pub[LF_P256_PUBKEY_SIZE])
{
    p256_fe v[P256_REGS];
    return p256_decode(v, pub);
}

/*
 * acc = u1 G + u2 Q, with Q and B as p256_decode leaves them in v, by
 * Shamir's trick: one doubling chain from bit 255 down, adding G, Q or G + Q
 * where u1 or u2 or both have a 1 bit. Returned in Jacobian form for the
 * caller's check (x = X / Z^2: X Z, Z); acc->y is not computed.
 */
static void p256_mul2(struct p256_point *acc, p256_fe v[P256_REGS_ALL],
                      const uint32_t u1[LF_BN_LIMBS], const uint32_t u2[LF_BN_LIMBS])
{
    const size_t point = 3 * sizeof(v[0]);
    memcpy(v[TAB_Q], v[X1], point);
    memcpy(v[TAB_G], p256_g_mont, sizeof(p256_g_mont));
    lf_bn_copy(v[TAB_G + 2], v[Z1]); /* Z = 1 */
    memcpy(v[X2], v[TAB_G], point);
    P256_RUN(v, p256_add_prog);
    memcpy(v[TAB_GQ], v[X1], point);

    memset(v[X1], 0, point); /* infinity (0 : 1 : 0) */
    lf_bn_copy(v[Y1], v[TAB_G + 2]);
    for (int i = 255; i >= 0; i--) {
        memcpy(v[X2], v[X1], point); /* doubling: the same addition */
        P256_RUN(v, p256_add_prog);
        unsigned d = ((u1[i / 32] >> (i % 32)) & 1) | ((u2[i / 32] >> (i % 32)) & 1) << 1;
        if (d) {
            memcpy(v[X2], v[TAB_G + 3 * (d - 1)], point);
            P256_RUN(v, p256_add_prog);
        }
    }
    fe_mul(acc->x, v[X1], v[Z1]);
    lf_bn_copy(acc->z, v[Z1]);
}

static bool scalar_in_range(const uint32_t k[LF_BN_LIMBS])
{
    return !lf_bn_is_zero(k) && lf_bn_cmp(k, lf_bn_p256_n.m) < 0;
}

int lf_p256_verify(const uint8_t pub[LF_P256_PUBKEY_SIZE], const uint8_t *digest, size_t digest_len,
                   const uint8_t sig[LF_P256_SIG_SIZE])
{
    struct p256_point acc;
    p256_fe v[P256_REGS_ALL];
    uint32_t r[LF_BN_LIMBS], s[LF_BN_LIMBS], e[LF_BN_LIMBS], u1[LF_BN_LIMBS], u2[LF_BN_LIMBS];
    uint8_t buf[32];

    int err = p256_decode(v, pub);
    if (err) {
        return err;
    }
    lf_bn_from_be(r, sig);
    lf_bn_from_be(s, sig + 32);
    if (!scalar_in_range(r) || !scalar_in_range(s)) {
        return LF_E_CRYPTO_BAD_SIGNATURE;
    }

    /* e = leftmost 256 bits of the digest, as an integer, reduced mod n (e < 2^256 < 2n). */
    if (digest_len > sizeof(buf)) {
        digest_len = sizeof(buf);
    }
    memset(buf, 0, sizeof(buf));
    if (digest_len > 0) {
        memcpy(buf + sizeof(buf) - digest_len, digest, digest_len);
    }
    lf_bn_from_be(e, buf);
    lf_bn_reduce_once(e, e, 0, lf_bn_p256_n.m);

    /* w = s^-1 in Montgomery form; u1 = e w and u2 = r w come out plain. */
    lf_bn_to_mont(s, s, &lf_bn_p256_n);
    lf_bn_mod_inv(s, s, &lf_bn_p256_n);
    lf_bn_mont_mul(u1, e, s, &lf_bn_p256_n);
    lf_bn_mont_mul(u2, r, s, &lf_bn_p256_n);

    p256_mul2(&acc, v, u1, u2);
    if (lf_bn_is_zero(acc.z)) {
        return LF_E_CRYPTO_BAD_SIGNATURE;
    }

    /* x mod n == r, with x = X / Z^2 < p < 2n: x is r, or r + n if that is
     * below p. Compare X with r Z^2 (and (r + n) Z^2) instead of inverting Z:
     * r times Z^2 in Montgomery form is r Z^2 plain, so X leaves the form. */
    fe_mul(acc.z, acc.z, acc.z);
    lf_bn_from_mont(acc.x, acc.x, &lf_bn_p256_p);
    lf_bn_sub(u1, lf_bn_p256_p.m, lf_bn_p256_n.m); /* p - n */
    for (;;) {
        fe_mul(e, r, acc.z);
        if (lf_bn_cmp(e, acc.x) == 0) {
#if LF_FIH
            /* The equation once more, other code: a disagreement refuses
             * (docs/glitch.md). */
            if (!lf_fih_bytes_eq(e, acc.x, sizeof(e))) {
                return LF_E_CRYPTO_BAD_SIGNATURE;
            }
#endif
            return LF_OK;
        }
        if (lf_bn_cmp(r, u1) >= 0) {
            return LF_E_CRYPTO_BAD_SIGNATURE;
        }
        lf_bn_add(r, r, lf_bn_p256_n.m);   /* r + n < p: a second candidate */
        memcpy(u1, lf_bn_one, sizeof(u1)); /* r + n >= 1: no third */
    }
}
