/*
 * The shared 256-bit Montgomery arithmetic (core/crypto/bn256.c) against
 * OpenSSL's BIGNUM, for each of the four moduli the core uses: the constants
 * (modulus, R^2 mod m, -m^-1 mod 2^32) and every operation on random and
 * extreme operands.
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

struct modulus_case {
    const char *name;
    const struct lf_bn_mod *mod;
    const char *hex; /* the modulus as published */
};

static const struct modulus_case moduli[] = {
    {"P-256 p", &lf_bn_p256_p, "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF"},
    {"P-256 n", &lf_bn_p256_n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551"},
    {"2^255-19", &lf_bn_ed25519_p,
     "7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFED"},
    {"L", &lf_bn_ed25519_l, "1000000000000000000000000000000014DEF9DEA2F79CD65812631A5CF5D3ED"},
};

static BN_CTX *bn_ctx;

static BIGNUM *to_bn(const uint32_t a[LF_BN_LIMBS])
{
    uint8_t be[32];
    lf_bn_to_be(be, a);
    return BN_bin2bn(be, 32, NULL);
}

static void assert_bn_equal(const char *what, const char *mod, const uint32_t got[LF_BN_LIMBS],
                            const BIGNUM *want)
{
    BIGNUM *g = to_bn(got);
    if (BN_cmp(g, want) != 0) {
        char *gh = BN_bn2hex(g), *wh = BN_bn2hex(want);
        fprintf(stderr, "%s mod %s: got %s want %s\n", what, mod, gh, wh);
        OPENSSL_free(gh);
        OPENSSL_free(wh);
        fail();
    }
    BN_free(g);
}

static void test_constants(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(moduli) / sizeof(moduli[0]); i++) {
        const struct lf_bn_mod *mod = moduli[i].mod;
        BIGNUM *m = NULL, *r2 = BN_new(), *two = BN_new();
        assert_true(BN_hex2bn(&m, moduli[i].hex) > 0);
        assert_bn_equal("modulus", moduli[i].name, mod->m, m);
        /* R^2 mod m with R = 2^256 */
        BN_set_word(two, 2);
        BIGNUM *e = BN_new();
        BN_set_word(e, 512);
        BN_mod_exp(r2, two, e, m, bn_ctx);
        assert_bn_equal("R^2", moduli[i].name, mod->r2, r2);
        /* m * m0inv = -1 mod 2^32 */
        assert_int_equal((uint32_t)(mod->m[0] * mod->m0inv), 0xffffffffu);
        BN_free(m);
        BN_free(r2);
        BN_free(two);
        BN_free(e);
    }
}

/* Operands: random below m, plus the extremes 0, 1, m - 1 (and 2^256 - 1 where
 * a full-width input is allowed). */
static void operand(uint64_t *rng, int kind, const struct lf_bn_mod *mod, uint32_t out[8],
                    bool full_width)
{
    memset(out, 0, 32);
    if (kind == 1) {
        out[0] = 1;
    } else if (kind == 2) {
        memcpy(out, mod->m, 32);
        out[0] -= 1;
    } else if (kind == 3 && full_width) {
        memset(out, 0xff, 32);
    } else if (kind != 0) {
        uint8_t be[32];
        do {
            test_rand_bytes(rng, be, 32);
            lf_bn_from_be(out, be);
        } while (!full_width && lf_bn_cmp(out, mod->m) >= 0);
    }
}

static void test_operations_vs_openssl(void **state)
{
    (void)state;
    uint64_t rng = 0xb256;
    enum { ROUNDS = 600 };
    for (size_t i = 0; i < sizeof(moduli) / sizeof(moduli[0]); i++) {
        const struct lf_bn_mod *mod = moduli[i].mod;
        const char *name = moduli[i].name;
        BIGNUM *m = to_bn(mod->m), *rinv = BN_new(), *want = BN_new(), *r = BN_new();
        /* R^-1 mod m, to express Montgomery results in plain terms. */
        BN_zero(r);
        assert_int_equal(BN_set_bit(r, 256), 1);
        assert_non_null(BN_mod_inverse(rinv, r, m, bn_ctx));
        for (int round = 0; round < ROUNDS; round++) {
            uint32_t a[8], b[8], wide[8], got[8];
            operand(&rng, round < 16 ? round % 4 : 4, mod, a, false);
            operand(&rng, round < 16 ? round / 4 : 4, mod, b, false);
            operand(&rng, round % 5, mod, wide, true);
            BIGNUM *A = to_bn(a), *B = to_bn(b), *W = to_bn(wide);

            lf_bn_mod_add(got, a, b, mod);
            BN_mod_add(want, A, B, m, bn_ctx);
            assert_bn_equal("add", name, got, want);

            lf_bn_mod_sub(got, a, b, mod);
            BN_mod_sub(want, A, B, m, bn_ctx);
            assert_bn_equal("sub", name, got, want);

            /* Montgomery product, also with a full-width first operand. */
            lf_bn_mont_mul(got, a, b, mod);
            BN_mod_mul(want, A, B, m, bn_ctx);
            BN_mod_mul(want, want, rinv, m, bn_ctx);
            assert_bn_equal("mont_mul", name, got, want);
            lf_bn_mont_mul(got, wide, b, mod);
            BN_mod_mul(want, W, B, m, bn_ctx);
            BN_mod_mul(want, want, rinv, m, bn_ctx);
            assert_bn_equal("mont_mul(wide)", name, got, want);

            /* In and out of Montgomery form. */
            uint32_t am[8];
            lf_bn_to_mont(am, wide, mod);
            BN_nnmod(want, W, m, bn_ctx);
            lf_bn_from_mont(got, am, mod);
            assert_bn_equal("to/from mont", name, got, want);

            /* Inverse (0 maps to 0) and a full-width exponent. */
            lf_bn_to_mont(am, a, mod);
            lf_bn_mod_inv(got, am, mod);
            lf_bn_from_mont(got, got, mod);
            if (BN_is_zero(A)) {
                BN_zero(want);
            } else {
                assert_non_null(BN_mod_inverse(want, A, m, bn_ctx));
            }
            assert_bn_equal("inv", name, got, want);
            if (round % 8 == 0) {
                lf_bn_mod_pow(got, am, wide, mod);
                lf_bn_from_mont(got, got, mod);
                BN_mod_exp(want, A, W, m, bn_ctx);
                assert_bn_equal("pow", name, got, want);
            }

            /* 512-bit reduction: (wide * 2^256 + a) mod m, a full width too. */
            uint32_t lo[8];
            operand(&rng, (round + 2) % 5, mod, lo, true);
            BIGNUM *LO = to_bn(lo);
            lf_bn_mod_wide(got, lo, wide, mod);
            BN_lshift(want, W, 256);
            BN_add(want, want, LO);
            BN_nnmod(want, want, m, bn_ctx);
            assert_bn_equal("wide", name, got, want);

            BN_free(A);
            BN_free(B);
            BN_free(W);
            BN_free(LO);
        }
        printf("%s: %d rounds of add/sub/mul/inv/pow/wide match OpenSSL\n", name, ROUNDS);
        BN_free(m);
        BN_free(rinv);
        BN_free(want);
        BN_free(r);
    }
}

static void test_byte_order(void **state)
{
    (void)state;
    uint8_t in[32], out[32];
    uint32_t x[8];
    for (int i = 0; i < 32; i++) {
        in[i] = (uint8_t)(i + 1);
    }
    lf_bn_from_be(x, in);
    assert_int_equal(x[0], 0x1d1e1f20u);
    assert_int_equal(x[7], 0x01020304u);
    lf_bn_to_be(out, x);
    assert_memory_equal(in, out, 32);
    lf_bn_from_le(x, in);
    assert_int_equal(x[0], 0x04030201u);
    assert_int_equal(x[7], 0x201f1e1du);
    lf_bn_to_le(out, x);
    assert_memory_equal(in, out, 32);
    uint32_t a[8] = {5}, b[8] = {7}, r[8];
    assert_int_equal(lf_bn_cmp(a, b), -1);
    assert_int_equal(lf_bn_cmp(b, a), 1);
    assert_int_equal(lf_bn_cmp(a, a), 0);
    assert_int_equal(lf_bn_sub(r, a, b), 1);
    assert_int_equal(r[0], 0xfffffffeu);
    assert_int_equal(r[7], 0xffffffffu);
    assert_false(lf_bn_is_zero(r));
    assert_int_equal(lf_bn_sub(r, a, a), 0);
    assert_true(lf_bn_is_zero(r));
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
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_byte_order),
        cmocka_unit_test(test_operations_vs_openssl),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
