/*
 * Ed25519 point arithmetic inside ed25519.c (its static functions, reached by
 * including the source): the dedicated doubling against the complete
 * addition law (P + P) on the base point's multiples, random keys and the
 * small-order points (neutral, order 2 and 4), with and without T; and the
 * width-4 NAF double-scalar multiplication [s]B - [k]A against a plain
 * bit-by-bit double-and-add through the addition law, for scalars with every
 * window pattern, zero windows, top bits and L's neighbours.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "ed25519.c"

static void base_point(struct ed_point *b)
{
    lf_bn_copy(b->x, ed_bx);
    lf_bn_copy(b->y, ed_by);
    lf_bn_copy(b->z, lf_bn_one);
    fe_mul(b->t, ed_bx, ed_by);
}

static void neutral(struct ed_point *p)
{
    memset(p, 0, sizeof(*p));
    p->y[0] = 1;
    p->z[0] = 1;
}

/* Same point: X1 Z2 = X2 Z1 and Y1 Z2 = Y2 Z1; with_t: also T Z = X Y for a. */
static bool same_point(const struct ed_point *a, const struct ed_point *b, bool with_t)
{
    uint32_t l[8], r[8];
    fe_mul(l, a->x, b->z);
    fe_mul(r, b->x, a->z);
    if (!lf_fe25519_equal(l, r)) {
        return false;
    }
    fe_mul(l, a->y, b->z);
    fe_mul(r, b->y, a->z);
    if (!lf_fe25519_equal(l, r)) {
        return false;
    }
    if (with_t) {
        fe_mul(l, a->t, a->z);
        fe_mul(r, a->x, a->y);
        return lf_fe25519_equal(l, r);
    }
    return true;
}

static void add_law(struct ed_point *r, const struct ed_point *p, const struct ed_point *q, int neg)
{
    struct ed_cached c;
    ed_cache(&c, q);
    ed_add(r, p, &c, neg, 1);
}

static void check_double(const struct ed_point *p)
{
    struct ed_point d, a, d2, d2t;
    ed_double(&d, p, 1);
    add_law(&a, p, p, 0);
    assert_true(same_point(&d, &a, true));
    assert_true(same_point(&a, &d, true));
    /* without T, then a doubling (which never reads T) */
    ed_double(&d2, p, 0);
    assert_true(same_point(&d2, &d, false));
    ed_double(&d2, &d2, 1);
    ed_double(&d2t, &d, 1);
    assert_true(same_point(&d2, &d2t, true));
    /* P - P is the neutral element */
    struct ed_point n, z;
    add_law(&n, p, p, 1);
    neutral(&z);
    assert_true(same_point(&n, &z, true));
}

static void test_double_vs_add(void **state)
{
    (void)state;
    struct ed_point p, b;
    base_point(&b);
    p = b;
    for (int i = 0; i < 64; i++) { /* B, 3B, 7B, .. */
        check_double(&p);
        ed_double(&p, &p, 1);
        add_law(&p, &p, &b, 0);
    }
    /* random public keys */
    uint64_t rng = 0xed;
    for (int i = 0; i < 32; i++) {
        uint8_t seed[32], pub[32];
        test_rand_bytes(&rng, seed, 32);
        assert_int_equal(ed25519_ossl_pub(seed, pub), 0);
        assert_int_equal(ed_decode(&p, pub), LF_OK);
        check_double(&p);
    }
    /* small order: neutral (y = 1), order 2 (y = -1), order 4 (y = 0, x = +-sqrt(-1)) */
    static const uint8_t small[][32] = {
        {1},
        {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},
        {0},
        {[31] = 0x80},
    };
    for (size_t i = 0; i < sizeof(small) / sizeof(small[0]); i++) {
        assert_int_equal(ed_decode(&p, small[i]), LF_OK);
        check_double(&p);
    }
    /* the odd-multiple table: tab[i] = (2i + 1) B */
    struct ed_cached tab[ED_TABLE];
    struct ed_point q = b, want = b, b2;
    ed_odd_multiples(tab, &q);
    ed_double(&b2, &b, 1);
    for (int i = 0; i < ED_TABLE; i++) {
        struct ed_point got;
        neutral(&got);
        ed_add(&got, &got, &tab[i], 0, 1);
        assert_true(same_point(&got, &want, true));
        add_law(&want, &want, &b2, 0);
    }
}

/* [s]B - [k]A, one bit at a time from bit 255, doubling through the addition law. */
static void ref_mul2(struct ed_point *acc, const uint32_t s[8], const uint32_t k[8],
                     const struct ed_point *a)
{
    struct ed_point b;
    base_point(&b);
    neutral(acc);
    for (int i = 255; i >= 0; i--) {
        add_law(acc, acc, acc, 0);
        if ((s[i / 32] >> (i % 32)) & 1) {
            add_law(acc, acc, &b, 0);
        }
        if ((k[i / 32] >> (i % 32)) & 1) {
            add_law(acc, acc, a, 1);
        }
    }
}

enum { N_SCALARS = 22 };
static void scalar(int i, uint64_t *rng, uint32_t k[8])
{
    memset(k, 0, 32);
    if (i < 10) {
        static const uint32_t small[] = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16};
        k[0] = small[i];
    } else if (i == 10) {
        memcpy(k, lf_bn_ed25519_l.m, 32);
        k[0] -= 1; /* L - 1 */
    } else if (i == 11) {
        memset(k, 0xff, 32); /* 2^256 - 1 */
    } else if (i == 12) {
        k[7] = 0x1fffffff; /* 2^253 - 2^224 .. */
        memset(k, 0xff, 28);
    } else if (i < 18) {
        static const uint8_t pat[] = {0x11, 0x77, 0x88, 0xa5, 0x5a};
        memset(k, pat[i - 13], 32);
        k[7] &= 0x1fffffff;
    } else if (i == 18) {
        k[0] = 0xffffffff;
        k[7] = 0x10000000; /* 2^252 with zero windows in between */
    } else {
        uint8_t b[32];
        test_rand_bytes(rng, b, 32);
        lf_bn_from_le(k, b);
    }
}

static void test_mul2_vs_double_and_add(void **state)
{
    (void)state;
    uint64_t rng = 0x2551;
    uint8_t seed[32], pub[32];
    memset(seed, 0x17, sizeof(seed));
    assert_int_equal(ed25519_ossl_pub(seed, pub), 0);
    struct ed_point a;
    assert_int_equal(ed_decode(&a, pub), LF_OK);
    int pairs = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            base_point(&a); /* A = B: tables of the same point, [s - k]B */
        }
        for (int i = 0; i < N_SCALARS; i++) {
            for (int j = 0; j < N_SCALARS; j += (i < 10 ? 1 : 3)) {
                uint32_t s[8], k[8];
                scalar(i, &rng, s);
                scalar(j, &rng, k);
                struct ed_point got = a, want;
                ed_mul2(&got, s, k);
                ref_mul2(&want, s, k, &a);
                if (!same_point(&got, &want, false)) {
                    fprintf(stderr, "pass %d: s #%d, k #%d differ\n", pass, i, j);
                    fail();
                }
                pairs++;
            }
        }
    }
    printf("%d scalar pairs match double-and-add\n", pairs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_vs_add),
        cmocka_unit_test(test_mul2_vs_double_and_add),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
