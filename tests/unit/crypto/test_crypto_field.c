/*
 * The fast paths under the curve code against OpenSSL's BIGNUM: the 512-bit
 * multiplication (bn256.c), the arithmetic mod 2^255 - 19 with its folding
 * reduction (fe25519.c) on edge values (near p, 2p, 2^255 and 2^256, carries
 * through every limb, all-ones), and the width-w NAF recoding (lf_bn_wnaf)
 * on scalars with every window pattern, zero windows and top bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>

#include "bn256.h"
#include "crypto_test_util.h"
#include "fe25519.h"

static BN_CTX *bn_ctx;

static BIGNUM *bn_of(const uint32_t *a, int limbs)
{
    BIGNUM *r = BN_new();
    BN_zero(r);
    for (int i = limbs - 1; i >= 0; i--) {
        BN_lshift(r, r, 32);
        BN_add_word(r, a[i]);
    }
    return r;
}

static void expect_bn(const char *what, const BIGNUM *got, const BIGNUM *want)
{
    if (BN_cmp(got, want) != 0) {
        char *gh = BN_bn2hex(got), *wh = BN_bn2hex(want);
        fprintf(stderr, "%s: got %s want %s\n", what, gh, wh);
        OPENSSL_free(gh);
        OPENSSL_free(wh);
        fail();
    }
}

/* got (8 limbs, any value) must be congruent to want mod m; if canonical, also < m. */
static void expect_mod(const char *what, const uint32_t got[8], const BIGNUM *want, const BIGNUM *m,
                       bool canonical)
{
    BIGNUM *g = bn_of(got, 8), *w = BN_new();
    if (canonical) {
        assert_true(BN_cmp(g, m) < 0);
    } else {
        BN_nnmod(g, g, m, bn_ctx);
    }
    BN_nnmod(w, want, m, bn_ctx);
    expect_bn(what, g, w);
    BN_free(g);
    BN_free(w);
}

/* Edge operands for the field: the value 2^255 - 19 + k for small k, the
 * multiples of p that still fit, powers of two, all-ones, one limb all-ones. */
enum { N_EDGE = 40 };
static void edge_value(int i, uint64_t *rng, uint32_t out[8])
{
    static const int32_t near_p[] = {-1, 0, 1, 18, 19, 37, 38};
    memset(out, 0, 32);
    if (i < 7) { /* p + k */
        uint32_t k[8] = {(uint32_t)(near_p[i] < 0 ? -near_p[i] : near_p[i])};
        memcpy(out, lf_bn_ed25519_p.m, 32);
        if (near_p[i] < 0) {
            lf_bn_sub(out, out, k);
        } else {
            lf_bn_add(out, out, k);
        }
    } else if (i < 14) { /* 2p + k */
        memcpy(out, lf_bn_ed25519_p.m, 32);
        lf_bn_add(out, out, out);
        uint32_t k[8] = {(uint32_t)(i - 7) * 6};
        lf_bn_add(out, out, k);
    } else if (i < 16) { /* 2^256 - 1 - 37 (i - 14): the largest loose values */
        memset(out, 0xff, 32);
        out[0] -= (uint32_t)(i - 14) * 37;
    } else if (i < 24) { /* one limb all-ones */
        out[i - 16] = 0xffffffff;
    } else if (i == 24) {
        out[7] = 0x80000000; /* 2^255 */
    } else if (i == 25) {
        out[7] = 0x7fffffff; /* 2^255 - 2^224 .. */
        memset(out, 0xff, 28);
    } else if (i == 26) {
        out[0] = 1;
    } else if (i == 27) {
        /* 0 */
    } else if (i == 28) {
        out[0] = 38;
    } else { /* random, full width */
        uint8_t b[32];
        test_rand_bytes(rng, b, 32);
        lf_bn_from_le(out, b);
    }
}

static void test_mul_512(void **state)
{
    (void)state;
    uint64_t rng = 0x512;
    BIGNUM *want = BN_new();
    for (int i = 0; i < N_EDGE; i++) {
        for (int j = 0; j < N_EDGE; j++) {
            uint32_t a[8], b[8], t[16];
            edge_value(i, &rng, a);
            edge_value(j, &rng, b);
            lf_bn_mul(t, a, b);
            BIGNUM *A = bn_of(a, 8), *B = bn_of(b, 8), *T = bn_of(t, 16);
            BN_mul(want, A, B, bn_ctx);
            expect_bn("mul", T, want);
            BN_free(A);
            BN_free(B);
            BN_free(T);
        }
    }
    BN_free(want);
}

static void test_fe25519_reduce_wide(void **state)
{
    (void)state;
    uint64_t rng = 0x25519;
    BIGNUM *p = bn_of(lf_bn_ed25519_p.m, 8);
    /* 512-bit inputs: every pair of edge halves (hi, lo), plus all-ones. */
    for (int i = 0; i < N_EDGE; i++) {
        for (int j = 0; j < N_EDGE; j++) {
            uint32_t t[16], r[8];
            edge_value(i, &rng, t);
            edge_value(j, &rng, t + 8);
            lf_fe25519_reduce_wide(r, t);
            BIGNUM *T = bn_of(t, 16);
            expect_mod("reduce_wide", r, T, p, false);
            BN_free(T);
        }
    }
    uint32_t t[16], r[8];
    memset(t, 0xff, sizeof(t));
    lf_fe25519_reduce_wide(r, t);
    BIGNUM *T = bn_of(t, 16);
    expect_mod("reduce_wide(2^512 - 1)", r, T, p, false);
    /* (2^256 - 1)^2 and (2^256 - 38)^2: the largest products, two folds */
    memset(t, 0, sizeof(t));
    uint32_t a[8];
    memset(a, 0xff, sizeof(a));
    lf_bn_mul(t, a, a);
    lf_fe25519_reduce_wide(r, t);
    BN_free(T);
    T = bn_of(t, 16);
    expect_mod("reduce_wide((2^256-1)^2)", r, T, p, false);
    BN_free(T);
    BN_free(p);
}

static void test_fe25519_ops(void **state)
{
    (void)state;
    uint64_t rng = 0xfe;
    BIGNUM *p = bn_of(lf_bn_ed25519_p.m, 8), *want = BN_new();
    for (int i = 0; i < N_EDGE; i++) {
        uint32_t a[8], r[8];
        edge_value(i, &rng, a);
        BIGNUM *A = bn_of(a, 8);
        lf_fe25519_canon(r, a);
        expect_mod("canon", r, A, p, true);
        for (int j = 0; j < N_EDGE; j++) {
            uint32_t b[8];
            edge_value(j, &rng, b);
            BIGNUM *B = bn_of(b, 8);
            lf_fe25519_add(r, a, b);
            BN_add(want, A, B);
            expect_mod("add", r, want, p, false);
            lf_fe25519_sub(r, a, b);
            BN_sub(want, A, B);
            expect_mod("sub", r, want, p, false);
            lf_fe25519_mul(r, a, b);
            BN_mul(want, A, B, bn_ctx);
            expect_mod("mul", r, want, p, false);
            /* equal() agrees with the residues */
            BIGNUM *x = BN_new(), *y = BN_new();
            BN_nnmod(x, A, p, bn_ctx);
            BN_nnmod(y, B, p, bn_ctx);
            assert_int_equal(lf_fe25519_equal(a, b), BN_cmp(x, y) == 0);
            BN_free(x);
            BN_free(y);
            BN_free(B);
        }
        /* inverse (0 -> 0) and the square-root exponent (p - 5) / 8 */
        lf_fe25519_invert(r, a);
        BIGNUM *e = BN_new(), *x = BN_new();
        BN_nnmod(x, A, p, bn_ctx);
        BN_sub(e, p, BN_value_one());
        BN_sub_word(e, 1);
        BN_mod_exp(want, x, e, p, bn_ctx);
        expect_mod("invert", r, want, p, false);
        lf_fe25519_pow_p58(r, a);
        BN_sub_word(e, 3);
        BN_rshift(e, e, 3);
        BN_mod_exp(want, x, e, p, bn_ctx);
        expect_mod("pow_p58", r, want, p, false);
        BN_free(e);
        BN_free(x);
        BN_free(A);
    }
    BN_free(want);
    BN_free(p);
}

/* Checks the NAF properties and that the digits sum to k. */
static void check_wnaf(const uint32_t k[8], unsigned w)
{
    int8_t d[LF_BN_WNAF_LEN];
    int top = lf_bn_wnaf(d, k, w);
    BIGNUM *sum = BN_new(), *pow = BN_new(), *K = bn_of(k, 8);
    BN_zero(sum);
    int last = 1000, want_top = -1;
    for (int i = LF_BN_WNAF_LEN - 1; i >= 0; i--) {
        BN_lshift1(sum, sum);
        if (d[i] == 0) {
            continue;
        }
        if (want_top < 0) {
            want_top = i;
        }
        assert_true(d[i] & 1);
        assert_true(d[i] < (1 << (w - 1)) && d[i] > -(1 << (w - 1)));
        if (last - i < (int)w) { /* w - 1 zeros after every nonzero digit */
            fprintf(stderr, "w=%u: digits %d at %d and %d at %d\n", w, d[last], last, d[i], i);
            fail();
        }
        last = i;
        if (d[i] > 0) {
            BN_add_word(sum, (BN_ULONG)d[i]);
        } else {
            BN_sub_word(sum, (BN_ULONG)-d[i]);
        }
    }
    assert_int_equal(top, want_top);
    expect_bn("wnaf sum", sum, K);
    BN_free(sum);
    BN_free(pow);
    BN_free(K);
}

static void test_wnaf(void **state)
{
    (void)state;
    uint64_t rng = 0x7a1f;
    uint32_t k[8];
    for (unsigned w = 2; w <= 7; w++) {
        /* every nibble and byte pattern repeated over the whole scalar */
        for (unsigned pat = 0; pat < 256; pat++) {
            memset(k, (int)pat, sizeof(k));
            check_wnaf(k, w);
        }
        /* single bits, including the top ones (the carry into digit 256) */
        for (int bit = 0; bit < 256; bit++) {
            memset(k, 0, sizeof(k));
            k[bit / 32] = 1u << (bit % 32);
            check_wnaf(k, w);
            /* 2^(bit+1) - 1: a run of ones ending at bit */
            for (int i = 0; i < 8; i++) {
                k[i] = bit >= 32 * i + 31 ? 0xffffffff
                       : bit >= 32 * i    ? (uint32_t)((2ull << (bit - 32 * i)) - 1)
                                          : 0;
            }
            check_wnaf(k, w);
        }
        /* the group orders and their neighbours, zero windows in the middle */
        const uint32_t *orders[] = {lf_bn_p256_n.m, lf_bn_ed25519_l.m, lf_bn_p256_p.m};
        for (int o = 0; o < 3; o++) {
            memcpy(k, orders[o], 32);
            k[0] -= 1;
            check_wnaf(k, w);
            k[0] -= 1;
            check_wnaf(k, w);
        }
        for (int r = 0; r < 200; r++) {
            uint8_t b[32];
            test_rand_bytes(&rng, b, 32);
            lf_bn_from_le(k, b);
            if (r & 1) { /* zero windows: clear random bytes */
                for (int z = 0; z < 8; z++) {
                    ((uint8_t *)k)[test_rand_next(&rng) % 32] = 0;
                }
            }
            check_wnaf(k, w);
        }
    }
}

static int setup(void **state)
{
    (void)state;
    bn_ctx = BN_CTX_new();
    return bn_ctx ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    BN_CTX_free(bn_ctx);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mul_512),
        cmocka_unit_test(test_fe25519_reduce_wide),
        cmocka_unit_test(test_fe25519_ops),
        cmocka_unit_test(test_wnaf),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
