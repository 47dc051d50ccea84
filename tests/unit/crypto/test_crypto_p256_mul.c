/*
 * P-256 point arithmetic inside p256.c (its statics, reached by including the
 * source), against OpenSSL's EC_POINT as the oracle:
 *   - the complete addition program on projective points with random Z:
 *     P + Q, P + P (doubling), P + (-P), O + P, P + O, O + O, -P + P;
 *   - the curve-equation program on points on and off the curve;
 *   - Shamir's u1 G + u2 Q for scalars with every bit-pair pattern, zero and
 *     all-ones limbs, the group order's neighbours and random ones, with Q
 *     random, Q = G (the table's G + Q is 2G: a doubling) and Q = -G (G + Q is
 *     infinity, intermediate sums hit infinity, u1 = u2 gives infinity).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "crypto_test_util.h"
#include "p256.c"

static EC_GROUP *grp;
static BN_CTX *bctx;

static void base_point(struct p256_point *g)
{
    memcpy(g->x, p256_g_mont[0], 32);
    memcpy(g->y, p256_g_mont[1], 32);
    lf_bn_to_mont(g->z, lf_bn_one, &lf_bn_p256_p);
}

/* p256_decode into a point (its registers X1, Y1, Z1). */
static int decode_point(struct p256_point *q, const uint8_t pub[64])
{
    p256_fe v[P256_REGS];
    memset(v, 0x5a, sizeof(v));
    int err = p256_decode(v, pub);
    memcpy(q, v[X1], sizeof(*q));
    if (err == LF_OK) {
        assert_memory_equal(v[B], p256_b_mont, 32);
    }
    return err;
}

/* Plain big-endian bytes of a Montgomery-form field element. */
static void fe_to_be(uint8_t out[32], const uint32_t a[8])
{
    uint32_t t[8];
    lf_bn_from_mont(t, a, &lf_bn_p256_p);
    lf_bn_to_be(out, t);
}

/* OpenSSL point for a projective (X : Y : Z) (x = X/Z, y = Y/Z). */
static EC_POINT *ossl_from_proj(const uint32_t x[8], const uint32_t y[8], const uint32_t z[8])
{
    EC_POINT *pt = EC_POINT_new(grp);
    assert_non_null(pt);
    if (lf_bn_is_zero(z)) {
        assert_int_equal(EC_POINT_set_to_infinity(grp, pt), 1);
        return pt;
    }
    uint32_t zi[8], ax[8], ay[8];
    uint8_t bx[32], by[32];
    lf_bn_mod_inv(zi, z, &lf_bn_p256_p);
    fe_mul(ax, x, zi);
    fe_mul(ay, y, zi);
    fe_to_be(bx, ax);
    fe_to_be(by, ay);
    BIGNUM *X = BN_bin2bn(bx, 32, NULL), *Y = BN_bin2bn(by, 32, NULL);
    assert_int_equal(EC_POINT_set_affine_coordinates(grp, pt, X, Y, bctx), 1);
    BN_free(X);
    BN_free(Y);
    return pt;
}

/* A point's affine x, 32 bytes big-endian; false for infinity. */
static bool ossl_affine_x(const EC_POINT *pt, uint8_t out[32])
{
    if (EC_POINT_is_at_infinity(grp, pt)) {
        return false;
    }
    BIGNUM *X = BN_new();
    assert_int_equal(EC_POINT_get_affine_coordinates(grp, pt, X, NULL, bctx), 1);
    assert_int_equal(BN_bn2binpad(X, out, 32), 32);
    BN_free(X);
    return true;
}

/* Our projective point as OpenSSL's, scaled by a random nonzero lambda. */
static void random_rep(struct p256_point *p, uint64_t *rng)
{
    if (lf_bn_is_zero(p->z)) {
        return; /* infinity: any (0 : Y : 0) with Y != 0; keep it */
    }
    uint8_t b[32];
    uint32_t l[8];
    do {
        test_rand_bytes(rng, b, 32);
        lf_bn_from_be(l, b);
        l[7] &= 0x7fffffff; /* < p */
    } while (lf_bn_is_zero(l));
    fe_mul(p->x, p->x, l);
    fe_mul(p->y, p->y, l);
    fe_mul(p->z, p->z, l);
}

/* r = p + q by the addition program; r may be p or q. */
static void prog_add(struct p256_point *r, const struct p256_point *p, const struct p256_point *q)
{
    p256_fe v[P256_REGS];
    memset(v, 0xa5, sizeof(v)); /* temporaries hold garbage, as on the stack */
    memcpy(v[X1], p, sizeof(*p));
    memcpy(v[X2], q, sizeof(*q));
    memcpy(v[B], p256_b_mont, 32);
    P256_RUN(v, p256_add_prog);
    memcpy(r, v[X1], sizeof(*r));
}

static void assert_same(const struct p256_point *ours, const EC_POINT *want, const char *what)
{
    EC_POINT *got = ossl_from_proj(ours->x, ours->y, ours->z);
    if (EC_POINT_cmp(grp, got, want, bctx) != 0) {
        fprintf(stderr, "%s: differs from OpenSSL\n", what);
        fail();
    }
    EC_POINT_free(got);
}

static void test_add_program(void **state)
{
    (void)state;
    uint64_t rng = 0x5a17;
    struct p256_point g, p, q, r, inf, negp;
    base_point(&g);
    memset(&inf, 0, sizeof(inf));
    lf_bn_copy(inf.y, g.z); /* (0 : 1 : 0) */
    EC_POINT *P = EC_POINT_new(grp), *Q = EC_POINT_new(grp), *W = EC_POINT_new(grp);
    assert_non_null(W);
    for (int i = 0; i < 200; i++) {
        /* P = kG, Q = mG through our own arithmetic, checked against OpenSSL */
        uint8_t kb[32], mb[32];
        test_rand_bytes(&rng, kb, 32);
        test_rand_bytes(&rng, mb, 32);
        if (i < 8) { /* small multiples: 1G .. 8G with 1G .. 8G */
            memset(kb, 0, 32);
            memset(mb, 0, 32);
            kb[31] = (uint8_t)(i + 1);
            mb[31] = (uint8_t)(8 - i);
        }
        BIGNUM *k = BN_bin2bn(kb, 32, NULL), *m = BN_bin2bn(mb, 32, NULL);
        assert_int_equal(EC_POINT_mul(grp, P, k, NULL, NULL, bctx), 1);
        assert_int_equal(EC_POINT_mul(grp, Q, m, NULL, NULL, bctx), 1);
        BN_free(k);
        BN_free(m);
        /* our p, q: affine from OpenSSL, to Montgomery, random Z */
        uint8_t buf[65];
        assert_int_equal(
            EC_POINT_point2oct(grp, P, POINT_CONVERSION_UNCOMPRESSED, buf, sizeof(buf), bctx), 65);
        assert_int_equal(decode_point(&p, buf + 1), LF_OK);
        assert_int_equal(
            EC_POINT_point2oct(grp, Q, POINT_CONVERSION_UNCOMPRESSED, buf, sizeof(buf), bctx), 65);
        assert_int_equal(decode_point(&q, buf + 1), LF_OK);
        random_rep(&p, &rng);
        random_rep(&q, &rng);
        assert_same(&p, P, "P");

        prog_add(&r, &p, &q); /* P + Q */
        assert_int_equal(EC_POINT_add(grp, W, P, Q, bctx), 1);
        assert_same(&r, W, "P + Q");
        prog_add(&r, &p, &p); /* P + P: the doubling */
        assert_int_equal(EC_POINT_dbl(grp, W, P, bctx), 1);
        assert_same(&r, W, "P + P");
        struct p256_point p2 = p;
        random_rep(&p2, &rng); /* P + P with two different representations */
        prog_add(&r, &p, &p2);
        assert_same(&r, W, "P + P'");
        negp = p;
        fe_mul(negp.x, negp.x, lf_bn_p256_p.r2); /* scale again: another rep */
        fe_mul(negp.y, negp.y, lf_bn_p256_p.r2);
        fe_mul(negp.z, negp.z, lf_bn_p256_p.r2);
        lf_bn_mod_sub(negp.y, lf_bn_zero, negp.y, &lf_bn_p256_p);
        prog_add(&r, &p, &negp); /* P - P */
        assert_true(lf_bn_is_zero(r.z));
        assert_false(lf_bn_is_zero(r.y)); /* a valid projective infinity */
        prog_add(&r, &negp, &p);          /* -P + P */
        assert_true(lf_bn_is_zero(r.z));
        prog_add(&r, &inf, &p); /* O + P */
        assert_same(&r, P, "O + P");
        prog_add(&r, &p, &inf); /* P + O */
        assert_same(&r, P, "P + O");
        prog_add(&r, &r, &negp); /* (P + O) - P = O */
        assert_true(lf_bn_is_zero(r.z));
        prog_add(&r, &r, &r); /* O + O */
        assert_true(lf_bn_is_zero(r.z));
        assert_false(lf_bn_is_zero(r.y));
        prog_add(&r, &r, &q); /* O + Q, from an infinity the program made */
        assert_same(&r, Q, "O' + Q");
    }
    EC_POINT_free(P);
    EC_POINT_free(Q);
    EC_POINT_free(W);
}

static void test_curve_program(void **state)
{
    (void)state;
    struct p256_test_key key;
    uint8_t seed[32], pub[64];
    for (int i = 0; i < 50; i++) {
        memset(seed, i + 1, sizeof(seed));
        assert_int_equal(p256_test_keygen(&key, seed), 0);
        struct p256_point q;
        assert_int_equal(decode_point(&q, key.pub), LF_OK);
        memcpy(pub, key.pub, 64);
        pub[63 - (i % 64)] ^= (uint8_t)(1u << (i % 8)); /* any bit flip leaves the curve */
        assert_int_equal(decode_point(&q, pub), LF_E_CRYPTO_BAD_KEY);
        memcpy(pub, key.pub, 64);
        pub[31 - (i % 32)] ^= 0x10;
        assert_int_equal(decode_point(&q, pub), LF_E_CRYPTO_BAD_KEY);
    }
    /* G itself, and (0, 0) */
    struct p256_point g;
    uint8_t gb[64];
    base_point(&g);
    fe_to_be(gb, g.x);
    fe_to_be(gb + 32, g.y);
    struct p256_point q;
    assert_int_equal(decode_point(&q, gb), LF_OK);
    assert_memory_equal(q.x, g.x, 32);
    assert_memory_equal(q.y, g.y, 32);
    assert_memory_equal(q.z, g.z, 32);
    memset(gb, 0, sizeof(gb));
    assert_int_equal(decode_point(&q, gb), LF_E_CRYPTO_BAD_KEY);
}

enum { N_SCALARS = 26 };
static void scalar(int i, uint64_t *rng, uint32_t k[8])
{
    memset(k, 0, 32);
    if (i < 10) { /* small values: every low bit pattern */
        static const uint32_t small[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16};
        k[0] = small[i];
    } else if (i == 10) {
        memset(k, 0xff, 32); /* 2^256 - 1 (above n: the multiplication takes any bits) */
    } else if (i == 11) {
        memcpy(k, lf_bn_p256_n.m, 32);
        k[0] -= 1; /* n - 1 */
    } else if (i == 12) {
        memcpy(k, lf_bn_p256_n.m, 32);
        k[0] -= 2;
    } else if (i == 13) {
        k[7] = 0x80000000; /* 2^255 */
    } else if (i == 14) {
        memset(k, 0xff, 32);
        k[7] = 0x7fffffff; /* 2^255 - 1 */
    } else if (i < 20) {   /* repeated byte patterns */
        static const uint8_t pat[] = {0x11, 0x77, 0x88, 0xa5, 0x5a};
        memset(k, pat[i - 15], 32);
    } else if (i == 20) {
        k[0] = 0xffffffff; /* zero limbs above a dense low limb */
        k[7] = 0x00000001;
    } else if (i == 21) {
        k[0] = 1; /* n - 1 and 1: u1 + u2 = n */
    } else {
        uint8_t b[32];
        test_rand_bytes(rng, b, 32);
        lf_bn_from_be(k, b);
    }
}

/* u1 G + u2 Q with OpenSSL; false for infinity. */
static bool ossl_mul2(const uint32_t u1[8], const uint32_t u2[8], const EC_POINT *Q, uint8_t x[32])
{
    uint8_t b1[32], b2[32];
    lf_bn_to_be(b1, u1);
    lf_bn_to_be(b2, u2);
    BIGNUM *k1 = BN_bin2bn(b1, 32, NULL), *k2 = BN_bin2bn(b2, 32, NULL);
    EC_POINT *R = EC_POINT_new(grp);
    assert_int_equal(EC_POINT_mul(grp, R, k1, Q, k2, bctx), 1);
    bool fin = ossl_affine_x(R, x);
    EC_POINT_free(R);
    BN_free(k1);
    BN_free(k2);
    return fin;
}

/* Every scalar pair (u1 small with every u2, the rest every `stride`th);
 * returns how many results were infinity. */
static int check_mul2(const struct p256_point *q, const char *what, int stride)
{
    uint64_t rng = 0x9256;
    int pairs = 0, infinities = 0;
    EC_POINT *Q = ossl_from_proj(q->x, q->y, q->z);
    for (int i = 0; i < N_SCALARS; i++) {
        for (int j = 0; j < N_SCALARS; j += (i < 10 || i == 21 ? 1 : stride)) {
            uint32_t u1[8], u2[8];
            scalar(i, &rng, u1);
            scalar(j, &rng, u2);
            struct p256_point got;
            p256_fe v[P256_REGS_ALL];
            memset(v, 0xa5, sizeof(v));
            memset(&got, 0xa5, sizeof(got));
            memcpy(v[X1], q, sizeof(*q));
            memcpy(v[B], p256_b_mont, 32);
            p256_mul2(&got, v, u1, u2);
            uint8_t want[32], have[32];
            bool fin = ossl_mul2(u1, u2, Q, want);
            if (!fin) {
                infinities++;
                if (!lf_bn_is_zero(got.z)) {
                    fprintf(stderr, "%s: u1 #%d, u2 #%d: not infinity\n", what, i, j);
                    fail();
                }
            } else {
                /* Jacobian x = X / Z^2 */
                uint32_t zi[8], ax[8];
                assert_false(lf_bn_is_zero(got.z));
                lf_bn_mod_inv(zi, got.z, &lf_bn_p256_p);
                fe_mul(zi, zi, zi);
                fe_mul(ax, got.x, zi);
                fe_to_be(have, ax);
                if (memcmp(have, want, 32) != 0) {
                    fprintf(stderr, "%s: u1 #%d, u2 #%d differ\n", what, i, j);
                    fail();
                }
            }
            pairs++;
        }
    }
    EC_POINT_free(Q);
    printf("%s: %d scalar pairs match OpenSSL (%d infinity)\n", what, pairs, infinities);
    return infinities;
}

static void test_mul2(void **state)
{
    (void)state;
    struct p256_test_key key;
    uint8_t seed[32];
    memset(seed, 0x42, sizeof(seed));
    assert_int_equal(p256_test_keygen(&key, seed), 0);
    struct p256_point q;
    assert_int_equal(decode_point(&q, key.pub), LF_OK);
    check_mul2(&q, "Q random", 3);
    base_point(&q);
    /* Q = G: u1 = n - 1, u2 = 1 (and the reverse) give infinity */
    assert_true(check_mul2(&q, "Q = G", 2) >= 2);
    lf_bn_mod_sub(q.y, lf_bn_zero, q.y, &lf_bn_p256_p);
    /* Q = -G: u1 = u2 gives infinity, and so does every shared prefix on the way */
    assert_true(check_mul2(&q, "Q = -G", 2) >= 12);
}

static int setup(void **state)
{
    (void)state;
    grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    bctx = BN_CTX_new();
    return grp && bctx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    EC_GROUP_free(grp);
    BN_CTX_free(bctx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_program),
        cmocka_unit_test(test_curve_program),
        cmocka_unit_test(test_mul2),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
