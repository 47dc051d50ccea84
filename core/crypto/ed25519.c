/*
 * Ed25519 verification (RFC 8032, 5.1.7). Field arithmetic mod 2^255 - 19 is
 * fe25519.c (loose 8 x 32-bit limbs, products folded with 2^256 = 38); the
 * scalars mod L use bn256.c's generic Montgomery arithmetic. Points are in
 * extended twisted Edwards coordinates (x = X/Z, y = Y/Z, x*y = T/Z), with
 * the addition law "add-2008-hwcd-3" (complete on this curve) on a cached
 * second operand and the dedicated doubling "dbl-2008-hwcd".
 *
 * [S]B - [k]A is computed with one doubling chain and width-4 NAFs of S and
 * k: each nonzero digit d adds or subtracts the odd multiple |d| of B or A
 * from a table of B, 3B, 5B, 7B and A, 3A, 5A, 7A built at run time (no
 * constant table in flash). The digits are public, so indexing by them is
 * fine; the code has no secret-dependent branches or accesses either way
 * because nothing here is secret.
 *
 * The check is the cofactorless one: encode [S]B - [k]A and compare the bytes
 * with R. Since that encoding is always canonical, an R that is not a
 * canonical point encoding can never match.
 */
#include "lf/ed25519.h"

#include "bn256.h"
#include "fe25519.h"
#include "lf/err.h"
#include "lf/fih.h"
#include "lf/sha512.h"

#include <string.h>

/* p = 2^255 - 19 (the generic modulus form, for bn256's tests and range checks) */
const struct lf_bn_mod lf_bn_ed25519_p = {
    {0xffffffed, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
     0x7fffffff},
    {0x000005a4, 0, 0, 0, 0, 0, 0, 0},
    0x286bca1b,
};

/* L = 2^252 + 27742317777372353535851937790883648493, the order of B */
const struct lf_bn_mod lf_bn_ed25519_l = {
    {0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0x00000000, 0x00000000, 0x00000000,
     0x10000000},
    {0x449c0f01, 0xa40611e3, 0x68859347, 0xd00e1ba7, 0x17f5be65, 0xceec73d2, 0x7c309a3d,
     0x0399411b},
    0x12547e1b,
};

/* d = -121665/121666 mod p */
static const uint32_t ed_d[LF_BN_LIMBS] = {
    0x135978a3, 0x75eb4dca, 0x4141d8ab, 0x00700a4d, 0x7779e898, 0x8cc74079, 0x2b6ffe73, 0x52036cee,
};
/* 2d mod p, the addition law's constant */
static const uint32_t ed_2d[LF_BN_LIMBS] = {
    0x26b2f159, 0xebd69b94, 0x8283b156, 0x00e0149a, 0xeef3d130, 0x198e80f2, 0x56dffce7, 0x2406d9dc,
};
/* sqrt(-1) = 2^((p-1)/4) mod p */
static const uint32_t ed_sqrtm1[LF_BN_LIMBS] = {
    0x4a0ea0b0, 0xc4ee1b27, 0xad2fe478, 0x2f431806, 0x3dfbd7a7, 0x2b4d0099, 0x4fc1df0b, 0x2b832480,
};
/* The base point B: y = 4/5, x even. */
static const uint32_t ed_bx[LF_BN_LIMBS] = {
    0x8f25d51a, 0xc9562d60, 0x9525a7b2, 0x692cc760, 0xfdd6dc5c, 0xc0a4e231, 0xcd6e53fe, 0x216936d3,
};
static const uint32_t ed_by[LF_BN_LIMBS] = {
    0x66666658, 0x66666666, 0x66666666, 0x66666666, 0x66666666, 0x66666666, 0x66666666, 0x66666666,
};

struct ed_point {
    uint32_t x[LF_BN_LIMBS], y[LF_BN_LIMBS], z[LF_BN_LIMBS], t[LF_BN_LIMBS];
};

/* A point prepared as the second operand of an addition. */
struct ed_cached {
    uint32_t ypx[LF_BN_LIMBS], ymx[LF_BN_LIMBS], z2[LF_BN_LIMBS], t2d[LF_BN_LIMBS];
};

#define ED_WINDOW 4                      /* NAF width */
#define ED_TABLE  (1 << (ED_WINDOW - 2)) /* odd multiples 1, 3, .., 2^(w-1) - 1 */

static void fe_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_fe25519_mul(r, a, b);
}

static void fe_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_fe25519_add(r, a, b);
}

static void fe_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_fe25519_sub(r, a, b);
}

static void ed_cache(struct ed_cached *c, const struct ed_point *p)
{
    fe_add(c->ypx, p->y, p->x);
    fe_sub(c->ymx, p->y, p->x);
    fe_add(c->z2, p->z, p->z);
    fe_mul(c->t2d, p->t, ed_2d);
}

/* r = p + q, or p - q if neg ("add-2008-hwcd-3"; -q swaps Y+X and Y-X and
 * negates 2dT). T3 is computed only if want_t. r may alias p. */
static void ed_add(struct ed_point *r, const struct ed_point *p, const struct ed_cached *q, int neg,
                   int want_t)
{
    uint32_t a[LF_BN_LIMBS], b[LF_BN_LIMBS], c[LF_BN_LIMBS], d[LF_BN_LIMBS];
    fe_sub(a, p->y, p->x); /* A = (Y1 - X1)(Y2 - X2) */
    fe_mul(a, a, neg ? q->ypx : q->ymx);
    fe_add(b, p->y, p->x); /* B = (Y1 + X1)(Y2 + X2) */
    fe_mul(b, b, neg ? q->ymx : q->ypx);
    fe_mul(c, p->t, q->t2d); /* C = 2d T1 T2 */
    fe_mul(d, p->z, q->z2);  /* D = 2 Z1 Z2 */
    if (neg) {
        fe_sub(c, lf_bn_zero, c);
    }
    fe_sub(r->x, b, a); /* E = B - A, kept in r->x until X3 */
    fe_add(b, b, a);    /* H = B + A */
    fe_sub(a, d, c);    /* F = D - C */
    fe_add(d, d, c);    /* G = D + C */
    if (want_t) {
        fe_mul(r->t, r->x, b); /* T3 = E H */
    }
    fe_mul(r->x, r->x, a); /* X3 = E F */
    fe_mul(r->y, d, b);    /* Y3 = G H */
    fe_mul(r->z, a, d);    /* Z3 = F G */
}

/* r = 2p ("dbl-2008-hwcd" with a = -1, every coordinate negated, which is the
 * same projective point): with A = X^2, B = Y^2, C = 2 Z^2, s = A + B,
 * E' = s - (X + Y)^2, G' = A - B, F' = C + G': X3 = E' F', Y3 = G' s,
 * T3 = E' s, Z3 = F' G'. T3 only if want_t. r may alias p. */
static void ed_double(struct ed_point *r, const struct ed_point *p, int want_t)
{
    uint32_t a[LF_BN_LIMBS], b[LF_BN_LIMBS], c[LF_BN_LIMBS], e[LF_BN_LIMBS];
    fe_mul(a, p->x, p->x);
    fe_mul(b, p->y, p->y);
    fe_mul(c, p->z, p->z);
    fe_add(c, c, c);
    fe_add(e, p->x, p->y);
    fe_mul(e, e, e);
    fe_sub(r->z, a, b); /* G' */
    fe_add(b, a, b);    /* s */
    fe_sub(e, b, e);    /* E' */
    fe_add(c, c, r->z); /* F' */
    fe_mul(r->y, r->z, b);
    fe_mul(r->z, c, r->z);
    fe_mul(r->x, e, c);
    if (want_t) {
        fe_mul(r->t, e, b);
    }
}

/* RFC 8032 5.1.3: decode y (rejecting y >= p) and recover x with the sign bit. */
static int ed_decode(struct ed_point *pt, const uint8_t in[32])
{
    uint8_t buf[32];
    uint32_t u[LF_BN_LIMBS], v[LF_BN_LIMBS], v3[LF_BN_LIMBS], x[LF_BN_LIMBS], t[LF_BN_LIMBS];
    unsigned sign = in[31] >> 7;

    memcpy(buf, in, sizeof(buf));
    buf[31] &= 0x7f;
    lf_bn_from_le(pt->y, buf);
    if (lf_bn_cmp(pt->y, lf_bn_ed25519_p.m) >= 0) {
        return LF_E_CRYPTO_BAD_KEY;
    }
    lf_bn_copy(pt->z, lf_bn_one);
    /* u = y^2 - 1, v = d y^2 + 1; x^2 = u / v. */
    fe_mul(u, pt->y, pt->y);
    fe_mul(v, ed_d, u);
    fe_add(v, v, lf_bn_one);
    fe_sub(u, u, lf_bn_one);
    /* Candidate x = u v^3 (u v^7)^((p-5)/8). */
    fe_mul(v3, v, v);
    fe_mul(v3, v3, v); /* v^3 */
    fe_mul(x, v3, v3);
    fe_mul(x, x, v);
    fe_mul(x, x, u); /* u v^7 */
    lf_fe25519_pow_p58(x, x);
    fe_mul(x, x, v3);
    fe_mul(x, x, u);
    /* v x^2 is u (x is a root), -u (x * sqrt(-1) is), or else no root exists. */
    fe_mul(t, x, x);
    fe_mul(t, t, v);
    if (!lf_fe25519_equal(t, u)) {
        fe_add(t, t, u);
        if (!lf_fe25519_equal(t, lf_bn_zero)) {
            return LF_E_CRYPTO_BAD_KEY;
        }
        fe_mul(x, x, ed_sqrtm1);
    }
    /* Pick the root with the requested parity; x = 0 has no negative. */
    lf_fe25519_canon(x, x);
    if (lf_bn_is_zero(x) && sign) {
        return LF_E_CRYPTO_BAD_KEY;
    }
    if ((x[0] & 1) != sign) {
        fe_sub(x, lf_bn_zero, x);
    }
    lf_bn_copy(pt->x, x);
    fe_mul(pt->t, pt->x, pt->y);
    return LF_OK;
}

static void ed_encode(uint8_t out[32], struct ed_point *pt)
{
    lf_fe25519_invert(pt->z, pt->z);
    fe_mul(pt->x, pt->x, pt->z);
    fe_mul(pt->y, pt->y, pt->z);
    lf_fe25519_canon(pt->x, pt->x);
    lf_fe25519_canon(pt->y, pt->y);
    lf_bn_to_le(out, pt->y);
    out[31] |= (uint8_t)((pt->x[0] & 1) << 7);
}

int lf_ed25519_pubkey_check(const uint8_t pub[LF_ED25519_PUBKEY_SIZE])
{
    struct ed_point pt;
    return ed_decode(&pt, pub);
}

/* tab[i] = (2i + 1) p, in cached form; p is overwritten with 2p. */
static void ed_odd_multiples(struct ed_cached tab[ED_TABLE], struct ed_point *p)
{
    struct ed_point p2;
    ed_cache(&tab[0], p);
    ed_double(&p2, p, 1);
    struct ed_cached c2;
    ed_cache(&c2, &p2);
    for (int i = 1; i < ED_TABLE; i++) {
        ed_add(p, p, &c2, 0, 1);
        ed_cache(&tab[i], p);
    }
}

/* acc = [s]B - [k]A, with A given in acc: one doubling chain over the NAF
 * digits of both scalars, from the top digit down, starting from the neutral
 * element (0, 1, 1, 0). */
static void ed_mul2(struct ed_point *acc, const uint32_t s[LF_BN_LIMBS],
                    const uint32_t k[LF_BN_LIMBS])
{
    struct ed_cached tab_b[ED_TABLE], tab_a[ED_TABLE];
    int8_t naf_s[LF_BN_WNAF_LEN], naf_k[LF_BN_WNAF_LEN];
    ed_odd_multiples(tab_a, acc);
    lf_bn_copy(acc->x, ed_bx);
    lf_bn_copy(acc->y, ed_by);
    lf_bn_copy(acc->z, lf_bn_one);
    fe_mul(acc->t, ed_bx, ed_by);
    ed_odd_multiples(tab_b, acc);

    int top_s = lf_bn_wnaf(naf_s, s, ED_WINDOW);
    int top_k = lf_bn_wnaf(naf_k, k, ED_WINDOW);
    memset(acc, 0, sizeof(*acc));
    acc->y[0] = 1;
    acc->z[0] = 1;
    for (int i = top_s > top_k ? top_s : top_k; i >= 0; i--) {
        int ds = naf_s[i], dk = naf_k[i];
        ed_double(acc, acc, ds || dk);
        if (ds) {
            ed_add(acc, acc, &tab_b[(ds < 0 ? -ds : ds) >> 1], ds < 0, dk != 0);
        }
        if (dk) { /* -[k]A: subtract for a positive digit */
            ed_add(acc, acc, &tab_a[(dk < 0 ? -dk : dk) >> 1], dk > 0, 0);
        }
    }
}

int lf_ed25519_verify(const uint8_t pub[LF_ED25519_PUBKEY_SIZE], const uint8_t *msg, size_t msg_len,
                      const uint8_t sig[LF_ED25519_SIG_SIZE])
{
    struct ed_point acc;
    struct lf_sha512 sha;
    uint8_t h[LF_SHA512_SIZE];
    uint32_t s[LF_BN_LIMBS], k[LF_BN_LIMBS], hi[LF_BN_LIMBS];

    int err = ed_decode(&acc, pub);
    if (err) {
        return err;
    }
    lf_bn_from_le(s, sig + 32);
    if (lf_bn_cmp(s, lf_bn_ed25519_l.m) >= 0) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }

    /* k = SHA-512(R || A || M) mod L, the digest read little-endian. */
    lf_sha512_init(&sha);
    lf_sha512_update(&sha, sig, 32);
    lf_sha512_update(&sha, pub, LF_ED25519_PUBKEY_SIZE);
    lf_sha512_update(&sha, msg, msg_len);
    lf_sha512_final(&sha, h);
    lf_bn_from_le(k, h);
    lf_bn_from_le(hi, h + 32);
    lf_bn_mod_wide(k, k, hi, &lf_bn_ed25519_l);

    ed_mul2(&acc, s, k);
    ed_encode(h, &acc);
    if (memcmp(h, sig, 32) == 0) {
#if LF_FIH
        /* R compared once more, other code: a disagreement refuses
         * (docs/glitch.md). */
        if (!lf_fih_bytes_eq(h, sig, 32)) {
            return LF_E_CRYPTO_BAD_SIGNATURE;
        }
#endif
        return LF_OK;
    }
    return LF_E_CRYPTO_BAD_SIGNATURE;
}
