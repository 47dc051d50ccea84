/*
 * ECDSA P-256 verification (SEC 1 4.1.4) on the generic Montgomery arithmetic
 * of bn256.c. Points are in Jacobian coordinates (x = X/Z^2, y = Y/Z^3), with
 * Z = 0 standing for the point at infinity; every coordinate is kept in
 * Montgomery form mod p. u1*G + u2*Q is computed with one doubling chain and
 * width-4 NAFs of u1 and u2: each nonzero digit d adds or subtracts |d| G or
 * |d| Q from tables of G, 3G, 5G, 7G and Q, 3Q, 5Q, 7Q built at run time. The
 * result's x is compared with r without inverting Z: X == r Z^2, or
 * (r + n) Z^2 when r + n < p.
 */
#include "lf/p256.h"

#include "bn256.h"
#include "lf/err.h"

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

/* The curve y^2 = x^3 - 3x + b and its base point G (FIPS 186-4 D.1.2.3). */
static const uint32_t p256_b[LF_BN_LIMBS] = {
    0x27d2604b, 0x3bce3c3e, 0xcc53b0f6, 0x651d06b0, 0x769886bc, 0xb3ebbd55, 0xaa3a93e7, 0x5ac635d8,
};
static const uint32_t p256_gx[LF_BN_LIMBS] = {
    0xd898c296, 0xf4a13945, 0x2deb33a0, 0x77037d81, 0x63a440f2, 0xf8bce6e5, 0xe12c4247, 0x6b17d1f2,
};
static const uint32_t p256_gy[LF_BN_LIMBS] = {
    0x37bf51f5, 0xcbb64068, 0x6b315ece, 0x2bce3357, 0x7c0f9e16, 0x8ee7eb4a, 0xfe1a7f9b, 0x4fe342e2,
};

#define P256_WINDOW 4                        /* NAF width */
#define P256_TABLE  (1 << (P256_WINDOW - 2)) /* odd multiples 1, 3, .., 2^(w-1) - 1 */

struct p256_point {
    uint32_t x[LF_BN_LIMBS], y[LF_BN_LIMBS], z[LF_BN_LIMBS];
};

static void fe_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mont_mul(r, a, b, &lf_bn_p256_p);
}

static void point_copy(struct p256_point *r, const struct p256_point *p)
{
    lf_bn_copy(r->x, p->x);
    lf_bn_copy(r->y, p->y);
    lf_bn_copy(r->z, p->z);
}

static void fe_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mod_add(r, a, b, &lf_bn_p256_p);
}

static void fe_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mod_sub(r, a, b, &lf_bn_p256_p);
}

/* r = 2p ("dbl-2001-b" for a = -3); r may alias p. Infinity stays infinity
 * because Z3 = 2*Y*Z. There is no point with Y = 0 (the order n is odd). */
static void p256_double(struct p256_point *r, const struct p256_point *p)
{
    uint32_t delta[LF_BN_LIMBS], gamma[LF_BN_LIMBS], beta[LF_BN_LIMBS], alpha[LF_BN_LIMBS],
        t[LF_BN_LIMBS];
    fe_mul(delta, p->z, p->z); /* delta = Z^2 */
    fe_mul(gamma, p->y, p->y); /* gamma = Y^2 */
    fe_mul(beta, p->x, gamma); /* beta = X * gamma */
    fe_sub(t, p->x, delta);    /* alpha = 3 (X - delta)(X + delta) */
    fe_add(alpha, p->x, delta);
    fe_mul(alpha, alpha, t);
    fe_add(t, alpha, alpha);
    fe_add(alpha, alpha, t);
    fe_mul(t, p->y, p->z); /* Z3 = 2 Y Z */
    fe_add(r->z, t, t);
    fe_add(beta, beta, beta); /* beta = 4 X gamma */
    fe_add(beta, beta, beta);
    fe_mul(t, alpha, alpha); /* X3 = alpha^2 - 8 beta */
    fe_sub(t, t, beta);
    fe_sub(r->x, t, beta);
    fe_sub(beta, beta, r->x); /* Y3 = alpha (4 beta - X3) - 8 gamma^2 */
    fe_mul(beta, beta, alpha);
    fe_mul(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_add(gamma, gamma, gamma);
    fe_sub(r->y, beta, gamma);
}

/* r = p + q, or p - q if neg, for any p, q (infinity, p == q and p == -q
 * included); r may alias either. Formulas: "add-1998-cmo-2". */
static void p256_add(struct p256_point *r, const struct p256_point *p, const struct p256_point *q,
                     int neg)
{
    if (lf_bn_is_zero(p->z)) {
        point_copy(r, q);
        if (neg) {
            fe_sub(r->y, lf_bn_zero, r->y);
        }
        return;
    }
    if (lf_bn_is_zero(q->z)) {
        point_copy(r, p);
        return;
    }
    uint32_t zz1[LF_BN_LIMBS], zz2[LF_BN_LIMBS], u1[LF_BN_LIMBS], u2[LF_BN_LIMBS], s1[LF_BN_LIMBS],
        s2[LF_BN_LIMBS], t[LF_BN_LIMBS];
    fe_mul(zz1, p->z, p->z);
    fe_mul(zz2, q->z, q->z);
    fe_mul(u1, p->x, zz2); /* U1 = X1 Z2^2 */
    fe_mul(u2, q->x, zz1); /* U2 = X2 Z1^2 */
    fe_mul(s1, p->y, q->z);
    fe_mul(s1, s1, zz2); /* S1 = Y1 Z2^3 */
    fe_mul(s2, q->y, p->z);
    fe_mul(s2, s2, zz1); /* S2 = Y2 Z1^3 */
    if (neg) {
        fe_sub(s2, lf_bn_zero, s2);
    }
    fe_mul(t, p->z, q->z);
    fe_sub(u2, u2, u1); /* H = U2 - U1 */
    fe_sub(s2, s2, s1); /* R = S2 - S1 */
    if (lf_bn_is_zero(u2)) {
        /* Same x: either the same point (double it) or opposite points. */
        if (lf_bn_is_zero(s2)) {
            p256_double(r, p);
        } else {
            memset(r, 0, sizeof(*r));
        }
        return;
    }
    /* From here on p and q are not read, so r may alias them. */
    fe_mul(r->z, t, u2);  /* Z3 = Z1 Z2 H */
    fe_mul(zz1, u2, u2);  /* H^2 */
    fe_mul(zz2, zz1, u2); /* H^3 */
    fe_mul(u1, u1, zz1);  /* V = U1 H^2 */
    fe_mul(t, s2, s2);    /* X3 = R^2 - H^3 - 2 V */
    fe_sub(t, t, zz2);
    fe_sub(t, t, u1);
    fe_sub(r->x, t, u1);
    fe_sub(t, u1, r->x); /* Y3 = R (V - X3) - S1 H^3 */
    fe_mul(t, t, s2);
    fe_mul(s1, s1, zz2);
    fe_sub(r->y, t, s1);
}

/* Decode X||Y into a Jacobian point with Z = 1 after checking x, y < p and
 * y^2 = x^3 - 3x + b. */
static int p256_decode(struct p256_point *pt, const uint8_t pub[LF_P256_PUBKEY_SIZE])
{
    uint32_t lhs[LF_BN_LIMBS], rhs[LF_BN_LIMBS], t[LF_BN_LIMBS];
    lf_bn_from_be(pt->x, pub);
    lf_bn_from_be(pt->y, pub + 32);
    if (lf_bn_cmp(pt->x, lf_bn_p256_p.m) >= 0 || lf_bn_cmp(pt->y, lf_bn_p256_p.m) >= 0) {
        return LF_E_CRYPTO_BAD_KEY;
    }
    lf_bn_to_mont(pt->x, pt->x, &lf_bn_p256_p);
    lf_bn_to_mont(pt->y, pt->y, &lf_bn_p256_p);
    lf_bn_to_mont(pt->z, lf_bn_one, &lf_bn_p256_p);
    fe_mul(lhs, pt->y, pt->y);
    fe_mul(rhs, pt->x, pt->x);
    fe_mul(rhs, rhs, pt->x);
    fe_sub(rhs, rhs, pt->x);
    fe_sub(rhs, rhs, pt->x);
    fe_sub(rhs, rhs, pt->x);
    lf_bn_to_mont(t, p256_b, &lf_bn_p256_p);
    fe_add(rhs, rhs, t);
    if (lf_bn_cmp(lhs, rhs) != 0) {
        return LF_E_CRYPTO_BAD_KEY;
    }
    /* (0, 0) and any other encoding of "infinity" fail the equation (b != 0). */
    return LF_OK;
}

int lf_p256_pubkey_check(const uint8_t pub[LF_P256_PUBKEY_SIZE])
{
    struct p256_point pt;
    return p256_decode(&pt, pub);
}

/* tab[i] = (2i + 1) p for the NAF digits; p is overwritten. Small multiples
 * of a point of prime order n are never infinity, but p256_add would cope. */
static void p256_odd_multiples(struct p256_point tab[P256_TABLE], struct p256_point *p)
{
    struct p256_point p2;
    point_copy(&tab[0], p);
    p256_double(&p2, p);
    for (int i = 1; i < P256_TABLE; i++) {
        p256_add(&tab[i], &tab[i - 1], &p2, 0);
    }
}

/* acc = u1 G + u2 Q, with Q given in acc: one doubling chain over the NAF
 * digits of both scalars, from the top digit down. */
static void p256_mul2(struct p256_point *acc, const uint32_t u1[LF_BN_LIMBS],
                      const uint32_t u2[LF_BN_LIMBS])
{
    struct p256_point tab_g[P256_TABLE], tab_q[P256_TABLE];
    int8_t naf1[LF_BN_WNAF_LEN], naf2[LF_BN_WNAF_LEN];
    p256_odd_multiples(tab_q, acc);
    lf_bn_to_mont(acc->x, p256_gx, &lf_bn_p256_p);
    lf_bn_to_mont(acc->y, p256_gy, &lf_bn_p256_p);
    lf_bn_copy(acc->z, tab_q[0].z);
    p256_odd_multiples(tab_g, acc);

    int top1 = lf_bn_wnaf(naf1, u1, P256_WINDOW);
    int top2 = lf_bn_wnaf(naf2, u2, P256_WINDOW);
    memset(acc, 0, sizeof(*acc));
    for (int i = top1 > top2 ? top1 : top2; i >= 0; i--) {
        p256_double(acc, acc);
        int d1 = naf1[i], d2 = naf2[i];
        if (d1) {
            p256_add(acc, acc, &tab_g[(d1 < 0 ? -d1 : d1) >> 1], d1 < 0);
        }
        if (d2) {
            p256_add(acc, acc, &tab_q[(d2 < 0 ? -d2 : d2) >> 1], d2 < 0);
        }
    }
}

static bool scalar_in_range(const uint32_t k[LF_BN_LIMBS])
{
    return !lf_bn_is_zero(k) && lf_bn_cmp(k, lf_bn_p256_n.m) < 0;
}

int lf_p256_verify(const uint8_t pub[LF_P256_PUBKEY_SIZE], const uint8_t *digest, size_t digest_len,
                   const uint8_t sig[LF_P256_SIG_SIZE])
{
    struct p256_point acc;
    uint32_t r[LF_BN_LIMBS], s[LF_BN_LIMBS], e[LF_BN_LIMBS], u1[LF_BN_LIMBS], u2[LF_BN_LIMBS];
    uint8_t buf[32];

    int err = p256_decode(&acc, pub);
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
    if (lf_bn_cmp(e, lf_bn_p256_n.m) >= 0) {
        lf_bn_sub(e, e, lf_bn_p256_n.m);
    }

    /* w = s^-1 in Montgomery form; u1 = e w and u2 = r w come out plain. */
    lf_bn_to_mont(s, s, &lf_bn_p256_n);
    lf_bn_mod_inv(s, s, &lf_bn_p256_n);
    lf_bn_mont_mul(u1, e, s, &lf_bn_p256_n);
    lf_bn_mont_mul(u2, r, s, &lf_bn_p256_n);

    p256_mul2(&acc, u1, u2);
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
            return LF_OK;
        }
        if (lf_bn_cmp(r, u1) >= 0) {
            return LF_E_CRYPTO_BAD_SIGNATURE;
        }
        lf_bn_add(r, r, lf_bn_p256_n.m);   /* r + n < p: a second candidate */
        memcpy(u1, lf_bn_one, sizeof(u1)); /* r + n >= 1: no third */
    }
}
