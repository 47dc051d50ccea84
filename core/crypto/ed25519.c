/*
 * Ed25519 verification (RFC 8032, 5.1.7) on the generic Montgomery arithmetic
 * of bn256.c. Points are in extended twisted Edwards coordinates
 * (x = X/Z, y = Y/Z, x*y = T/Z), coordinates in Montgomery form mod p. The
 * addition law used ("add-2008-hwcd-3") is complete on this curve, so it also
 * doubles and handles the neutral element: no special cases.
 *
 * The check is the cofactorless one: encode [S]B - [k]A and compare the bytes
 * with R. Since that encoding is always canonical, an R that is not a
 * canonical point encoding can never match.
 */
#include "lf/ed25519.h"

#include "bn256.h"
#include "lf/err.h"
#include "lf/sha512.h"

#include <string.h>

/* p = 2^255 - 19 */
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
/* 2d, already in Montgomery form (2d * 2^256 mod p): the addition law's constant. */
static const uint32_t ed_2d_mont[LF_BN_LIMBS] = {
    0xbe8fd3f4, 0x01db17fd, 0x5f8c52e7, 0x21430eef, 0x78310d20, 0xcb27240f, 0xe53f8a4d, 0x590456b4,
};
/* sqrt(-1) = 2^((p-1)/4) mod p */
static const uint32_t ed_sqrtm1[LF_BN_LIMBS] = {
    0x4a0ea0b0, 0xc4ee1b27, 0xad2fe478, 0x2f431806, 0x3dfbd7a7, 0x2b4d0099, 0x4fc1df0b, 0x2b832480,
};
/* (p - 5) / 8, the exponent of the square root candidate */
static const uint32_t ed_p58[LF_BN_LIMBS] = {
    0xfffffffd, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0x0fffffff,
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

static void fe_mul(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mont_mul(r, a, b, &lf_bn_ed25519_p);
}

static void fe_add(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mod_add(r, a, b, &lf_bn_ed25519_p);
}

static void fe_sub(uint32_t r[LF_BN_LIMBS], const uint32_t a[LF_BN_LIMBS],
                   const uint32_t b[LF_BN_LIMBS])
{
    lf_bn_mod_sub(r, a, b, &lf_bn_ed25519_p);
}

/* r = p + q; r may alias p or q. */
static void ed_add(struct ed_point *r, const struct ed_point *p, const struct ed_point *q)
{
    uint32_t a[LF_BN_LIMBS], b[LF_BN_LIMBS], c[LF_BN_LIMBS], d[LF_BN_LIMBS], t[LF_BN_LIMBS];
    fe_sub(a, p->y, p->x); /* A = (Y1 - X1)(Y2 - X2) */
    fe_sub(t, q->y, q->x);
    fe_mul(a, a, t);
    fe_add(b, p->y, p->x); /* B = (Y1 + X1)(Y2 + X2) */
    fe_add(t, q->y, q->x);
    fe_mul(b, b, t);
    fe_mul(c, p->t, q->t); /* C = 2d T1 T2 */
    fe_mul(c, c, ed_2d_mont);
    fe_mul(d, p->z, q->z); /* D = 2 Z1 Z2 */
    fe_add(d, d, d);
    fe_sub(t, b, a);    /* E = B - A */
    fe_add(b, b, a);    /* H = B + A */
    fe_sub(a, d, c);    /* F = D - C */
    fe_add(d, d, c);    /* G = D + C */
    fe_mul(r->x, t, a); /* X3 = E F */
    fe_mul(r->y, d, b); /* Y3 = G H */
    fe_mul(r->t, t, b); /* T3 = E H */
    fe_mul(r->z, a, d); /* Z3 = F G */
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
    lf_bn_to_mont(pt->y, pt->y, &lf_bn_ed25519_p);
    lf_bn_to_mont(pt->z, lf_bn_one, &lf_bn_ed25519_p);
    /* u = y^2 - 1, v = d y^2 + 1; x^2 = u / v. */
    fe_mul(u, pt->y, pt->y);
    lf_bn_to_mont(v, ed_d, &lf_bn_ed25519_p);
    fe_mul(v, v, u);
    fe_add(v, v, pt->z);
    fe_sub(u, u, pt->z);
    /* Candidate x = u v^3 (u v^7)^((p-5)/8). */
    fe_mul(v3, v, v);
    fe_mul(v3, v3, v); /* v^3 */
    fe_mul(x, v3, v3);
    fe_mul(x, x, v);
    fe_mul(x, x, u); /* u v^7 */
    lf_bn_mod_pow(x, x, ed_p58, &lf_bn_ed25519_p);
    fe_mul(x, x, v3);
    fe_mul(x, x, u);
    /* v x^2 is u (x is a root), -u (x * sqrt(-1) is), or else no root exists. */
    fe_mul(t, x, x);
    fe_mul(t, t, v);
    if (lf_bn_cmp(t, u) != 0) {
        fe_add(t, t, u);
        if (!lf_bn_is_zero(t)) {
            return LF_E_CRYPTO_BAD_KEY;
        }
        lf_bn_to_mont(t, ed_sqrtm1, &lf_bn_ed25519_p);
        fe_mul(x, x, t);
    }
    /* Pick the root with the requested parity; x = 0 has no negative. */
    lf_bn_from_mont(t, x, &lf_bn_ed25519_p);
    if (lf_bn_is_zero(t) && sign) {
        return LF_E_CRYPTO_BAD_KEY;
    }
    if ((t[0] & 1) != sign) {
        memset(t, 0, sizeof(t));
        fe_sub(x, t, x);
    }
    memcpy(pt->x, x, sizeof(x));
    fe_mul(pt->t, pt->x, pt->y);
    return LF_OK;
}

static void ed_encode(uint8_t out[32], struct ed_point *pt)
{
    lf_bn_mod_inv(pt->z, pt->z, &lf_bn_ed25519_p);
    fe_mul(pt->x, pt->x, pt->z);
    fe_mul(pt->y, pt->y, pt->z);
    lf_bn_from_mont(pt->x, pt->x, &lf_bn_ed25519_p);
    lf_bn_from_mont(pt->y, pt->y, &lf_bn_ed25519_p);
    lf_bn_to_le(out, pt->y);
    out[31] |= (uint8_t)((pt->x[0] & 1) << 7);
}

int lf_ed25519_pubkey_check(const uint8_t pub[LF_ED25519_PUBKEY_SIZE])
{
    struct ed_point pt;
    return ed_decode(&pt, pub);
}

int lf_ed25519_verify(const uint8_t pub[LF_ED25519_PUBKEY_SIZE], const uint8_t *msg, size_t msg_len,
                      const uint8_t sig[LF_ED25519_SIG_SIZE])
{
    /* tab[0] = B, tab[1] = -A, tab[2] = B - A: indexed by (k bit, S bit) - 1. */
    struct ed_point tab[3], acc;
    struct lf_sha512 sha;
    uint8_t h[LF_SHA512_SIZE];
    uint32_t s[LF_BN_LIMBS], k[LF_BN_LIMBS], hi[LF_BN_LIMBS];

    int err = ed_decode(&tab[1], pub);
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

    /* -A = (-X, Y, Z, -T) */
    memset(hi, 0, sizeof(hi));
    fe_sub(tab[1].x, hi, tab[1].x);
    fe_sub(tab[1].t, hi, tab[1].t);
    lf_bn_to_mont(tab[0].x, ed_bx, &lf_bn_ed25519_p);
    lf_bn_to_mont(tab[0].y, ed_by, &lf_bn_ed25519_p);
    memcpy(tab[0].z, tab[1].z, sizeof(tab[0].z));
    fe_mul(tab[0].t, tab[0].x, tab[0].y);
    ed_add(&tab[2], &tab[0], &tab[1]);

    /* acc = [S]B + [k](-A), starting from the neutral element (0, 1, 1, 0). */
    memset(&acc, 0, sizeof(acc));
    memcpy(acc.y, tab[1].z, sizeof(acc.y));
    memcpy(acc.z, tab[1].z, sizeof(acc.z));
    for (int i = 252; i >= 0; i--) { /* S, k < L < 2^253 */
        ed_add(&acc, &acc, &acc);
        unsigned idx = ((s[i / 32] >> (i % 32)) & 1) | ((k[i / 32] >> (i % 32)) & 1) << 1;
        if (idx) {
            ed_add(&acc, &acc, &tab[idx - 1]);
        }
    }
    ed_encode(h, &acc);
    if (memcmp(h, sig, 32) == 0) {
        return LF_OK;
    }
    return LF_E_CRYPTO_BAD_SIGNATURE;
}
