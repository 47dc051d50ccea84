/*
 * P-256 point arithmetic inside p256.c (its static functions, reached by
 * including the source): the width-4 NAF double-scalar multiplication
 * u1 G + u2 Q against a plain bit-by-bit double-and-add, for scalars with
 * every window pattern, zero windows, top bits and the group order's
 * neighbours, with Q random, Q = G and Q = -G; and doubling against addition
 * (2P = 3P - P, P - P = infinity, infinity handling).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "p256.c"

static void base_point(struct p256_point *g)
{
    lf_bn_to_mont(g->x, p256_gx, &lf_bn_p256_p);
    lf_bn_to_mont(g->y, p256_gy, &lf_bn_p256_p);
    lf_bn_to_mont(g->z, lf_bn_one, &lf_bn_p256_p);
}

/* Same affine point (or both infinity): X1 Z2^2 = X2 Z1^2, Y1 Z2^3 = Y2 Z1^3. */
static bool same_point(const struct p256_point *a, const struct p256_point *b)
{
    bool ia = lf_bn_is_zero(a->z), ib = lf_bn_is_zero(b->z);
    if (ia || ib) {
        return ia && ib;
    }
    uint32_t za2[8], zb2[8], l[8], r[8];
    fe_mul(za2, a->z, a->z);
    fe_mul(zb2, b->z, b->z);
    fe_mul(l, a->x, zb2);
    fe_mul(r, b->x, za2);
    if (lf_bn_cmp(l, r) != 0) {
        return false;
    }
    fe_mul(zb2, zb2, b->z);
    fe_mul(za2, za2, a->z);
    fe_mul(l, a->y, zb2);
    fe_mul(r, b->y, za2);
    return lf_bn_cmp(l, r) == 0;
}

/* u1 G + u2 Q, one bit at a time from bit 255. */
static void ref_mul2(struct p256_point *acc, const uint32_t u1[8], const uint32_t u2[8],
                     const struct p256_point *q)
{
    struct p256_point g;
    base_point(&g);
    memset(acc, 0, sizeof(*acc));
    for (int i = 255; i >= 0; i--) {
        p256_double(acc, acc);
        if ((u1[i / 32] >> (i % 32)) & 1) {
            p256_add(acc, acc, &g, 0);
        }
        if ((u2[i / 32] >> (i % 32)) & 1) {
            p256_add(acc, acc, q, 0);
        }
    }
}

enum { N_SCALARS = 24 };
static void scalar(int i, uint64_t *rng, uint32_t k[8])
{
    memset(k, 0, 32);
    if (i < 10) { /* 0 .. 9: every small digit and the first carries */
        static const uint32_t small[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16};
        k[0] = small[i];
    } else if (i == 10) {
        memset(k, 0xff, 32); /* 2^256 - 1: a carry into digit 256 */
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
    } else if (i < 20) {   /* repeated byte patterns: every window value */
        static const uint8_t pat[] = {0x11, 0x77, 0x88, 0xa5, 0x5a};
        memset(k, pat[i - 15], 32);
    } else if (i == 20) {
        k[0] = 0xffffffff; /* zero windows above a dense low limb */
        k[7] = 0x00000001;
    } else {
        uint8_t b[32];
        test_rand_bytes(rng, b, 32);
        lf_bn_from_be(k, b);
    }
}

/* Every scalar pair (u1 = small digits with every u2, the rest every `stride`th). */
static void check_mul2(const struct p256_point *q, const char *what, int stride)
{
    uint64_t rng = 0x9256;
    int pairs = 0;
    for (int i = 0; i < N_SCALARS; i++) {
        for (int j = 0; j < N_SCALARS; j += (i < 10 ? 1 : stride)) {
            uint32_t u1[8], u2[8];
            scalar(i, &rng, u1);
            scalar(j, &rng, u2);
            struct p256_point got, want;
            point_copy(&got, q);
            p256_mul2(&got, u1, u2);
            ref_mul2(&want, u1, u2, q);
            if (!same_point(&got, &want)) {
                fprintf(stderr, "%s: u1 #%d, u2 #%d differ\n", what, i, j);
                fail();
            }
            pairs++;
        }
    }
    printf("%s: %d scalar pairs match double-and-add\n", what, pairs);
}

static void test_mul2_vs_double_and_add(void **state)
{
    (void)state;
    struct p256_test_key key;
    uint8_t seed[32];
    memset(seed, 0x42, sizeof(seed));
    assert_int_equal(p256_test_keygen(&key, seed), 0);
    struct p256_point q;
    assert_int_equal(p256_decode(&q, key.pub), LF_OK);
    check_mul2(&q, "Q random", 3);
    base_point(&q);
    check_mul2(&q, "Q = G", 6);
    fe_sub(q.y, lf_bn_zero, q.y);
    check_mul2(&q, "Q = -G", 6);
}

static void test_double_vs_add(void **state)
{
    (void)state;
    struct p256_point g, p, p2, p3, t, inf;
    memset(&inf, 0, sizeof(inf));
    base_point(&g);
    point_copy(&p, &g);
    for (int i = 0; i < 64; i++) {
        p256_double(&p2, &p);
        p256_add(&p3, &p2, &p, 0); /* 3P */
        p256_add(&t, &p3, &p, 1);  /* 3P - P = 2P, by the general formulas */
        assert_true(same_point(&t, &p2));
        p256_add(&t, &p, &p, 0); /* P + P takes the doubling branch */
        assert_true(same_point(&t, &p2));
        p256_add(&t, &p, &p, 1); /* P - P */
        assert_true(lf_bn_is_zero(t.z));
        p256_add(&t, &inf, &p, 1); /* O - P = -P */
        p256_add(&t, &t, &p, 0);
        assert_true(lf_bn_is_zero(t.z));
        p256_add(&t, &p, &inf, 0);
        assert_true(same_point(&t, &p));
        p256_add(&p, &p3, &g, 0); /* next: 3P + G */
    }
    p256_double(&t, &inf);
    assert_true(lf_bn_is_zero(t.z));
    /* the odd-multiple table: tab[i] = (2i + 1) G */
    struct p256_point tab[P256_TABLE];
    point_copy(&p, &g);
    p256_odd_multiples(tab, &p);
    point_copy(&p, &g);
    for (int i = 0; i < P256_TABLE; i++) {
        assert_true(same_point(&tab[i], &p));
        p256_add(&p, &p, &g, 0);
        p256_add(&p, &p, &g, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mul2_vs_double_and_add),
        cmocka_unit_test(test_double_vs_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
