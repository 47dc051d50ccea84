/*
 * ECDSA P-256 edge cases, with OpenSSL as the reference where it has an
 * opinion: public key validation, r and s range checks, digest truncation and
 * short digests, and the keys that make Shamir's table degenerate (Q = G,
 * Q = -G).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "lf/err.h"
#include "lf/p256.h"

static const uint8_t n_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
static const uint8_t p_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* Big-endian 256-bit helpers for building scalars. */
static void sub_be(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = a[i] - b[i] - borrow;
        borrow = d < 0;
        r[i] = (uint8_t)d;
    }
}

static void add_small_be(uint8_t r[32], const uint8_t a[32], unsigned k)
{
    unsigned c = k;
    for (int i = 31; i >= 0; i--) {
        c += a[i];
        r[i] = (uint8_t)c;
        c >>= 8;
    }
}

struct fixture {
    struct p256_test_key key;
    uint8_t digest[32];
    uint8_t sig[64];
};

static void make_fixture(struct fixture *f, uint8_t seed_byte)
{
    uint8_t seed[32], nonce[32];
    memset(seed, seed_byte, sizeof(seed));
    memset(nonce, (uint8_t)(seed_byte + 1), sizeof(nonce));
    memset(f->digest, (uint8_t)(seed_byte + 2), sizeof(f->digest));
    assert_int_equal(p256_test_keygen(&f->key, seed), 0);
    assert_int_equal(p256_test_sign(&f->key, f->digest, 32, nonce, f->sig), 0);
    assert_int_equal(lf_p256_verify(f->key.pub, f->digest, 32, f->sig), LF_OK);
}

/* Ours and OpenSSL's verdicts on (pub, digest, r||s) must both be `want`. */
static void expect_both(const uint8_t pub[64], const uint8_t *digest, size_t digest_len,
                        const uint8_t sig[64], bool want)
{
    int err = lf_p256_verify(pub, digest, digest_len, sig);
    uint8_t der[80];
    size_t der_len = p256_test_sig_to_der(sig, der);
    assert_true(der_len > 0);
    EVP_PKEY *pkey = p256_ossl_pkey(pub);
    bool ossl = p256_ossl_verify(pkey, digest, digest_len, der, der_len);
    EVP_PKEY_free(pkey);
    if ((err == LF_OK) != want || ossl != want) {
        fprintf(stderr, "want %s: ours %s, OpenSSL %s\n", want ? "accept" : "reject",
                lf_err_name(err), ossl ? "accepts" : "rejects");
        hex_fprint(stderr, "sig", sig, 64);
        fail();
    }
}

static void test_public_key_checks(void **state)
{
    (void)state;
    struct fixture f;
    make_fixture(&f, 0x11);
    uint8_t pub[64];
    assert_int_equal(lf_p256_pubkey_check(f.key.pub), LF_OK);
    /* (0, 0): the usual stand-in for infinity, not on the curve. */
    memset(pub, 0, sizeof(pub));
    assert_int_equal(lf_p256_pubkey_check(pub), LF_E_CRYPTO_BAD_KEY);
    assert_int_equal(lf_p256_verify(pub, f.digest, 32, f.sig), LF_E_CRYPTO_BAD_KEY);
    /* A coordinate equal to p, or all ones. */
    memcpy(pub, p_be, 32);
    memcpy(pub + 32, f.key.pub + 32, 32);
    assert_int_equal(lf_p256_pubkey_check(pub), LF_E_CRYPTO_BAD_KEY);
    memcpy(pub, f.key.pub, 32);
    memcpy(pub + 32, p_be, 32);
    assert_int_equal(lf_p256_pubkey_check(pub), LF_E_CRYPTO_BAD_KEY);
    memset(pub, 0xff, sizeof(pub));
    assert_int_equal(lf_p256_pubkey_check(pub), LF_E_CRYPTO_BAD_KEY);
    /* y + 1: off the curve; p - y (the negated point): on it. */
    memcpy(pub, f.key.pub, 64);
    add_small_be(pub + 32, pub + 32, 1);
    assert_int_equal(lf_p256_pubkey_check(pub), LF_E_CRYPTO_BAD_KEY);
    assert_int_equal(lf_p256_verify(pub, f.digest, 32, f.sig), LF_E_CRYPTO_BAD_KEY);
    assert_null(p256_ossl_pkey(pub)); /* OpenSSL agrees */
    memcpy(pub, f.key.pub, 64);
    sub_be(pub + 32, p_be, f.key.pub + 32);
    assert_int_equal(lf_p256_pubkey_check(pub), LF_OK);
    EVP_PKEY *neg = p256_ossl_pkey(pub);
    assert_non_null(neg);
    EVP_PKEY_free(neg);
    /* The negated key does not verify the signature. */
    expect_both(pub, f.digest, 32, f.sig, false);
}

static void test_scalar_ranges(void **state)
{
    (void)state;
    struct fixture f;
    make_fixture(&f, 0x22);
    uint8_t sig[64];
    struct {
        const char *what;
        int half; /* 0 = r, 1 = s */
        int kind; /* 0: zero, 1: n, 2: n + 1, 3: all ones */
    } cases[] = {{"r = 0", 0, 0},       {"s = 0", 1, 0},      {"r = n", 0, 1},
                 {"s = n", 1, 1},       {"r = n + 1", 0, 2},  {"s = n + 1", 1, 2},
                 {"r = 2^256-1", 0, 3}, {"s = 2^256-1", 1, 3}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(sig, f.sig, 64);
        uint8_t *v = sig + 32 * cases[i].half;
        switch (cases[i].kind) {
        case 0:
            memset(v, 0, 32);
            break;
        case 1:
            memcpy(v, n_be, 32);
            break;
        case 2:
            add_small_be(v, n_be, 1);
            break;
        default:
            memset(v, 0xff, 32);
            break;
        }
        int err = lf_p256_verify(f.key.pub, f.digest, 32, sig);
        if (err != LF_E_CRYPTO_BAD_SIGNATURE) {
            fprintf(stderr, "%s: %s\n", cases[i].what, lf_err_name(err));
            fail();
        }
        expect_both(f.key.pub, f.digest, 32, sig, false);
    }
    /* (r, n - s) is the other valid signature for the same nonce: ECDSA is
     * malleable and both we and OpenSSL accept it (images do not rely on
     * signature uniqueness). */
    memcpy(sig, f.sig, 32);
    sub_be(sig + 32, n_be, f.sig + 32);
    expect_both(f.key.pub, f.digest, 32, sig, true);
    /* r and s swapped. */
    memcpy(sig, f.sig + 32, 32);
    memcpy(sig + 32, f.sig, 32);
    expect_both(f.key.pub, f.digest, 32, sig, false);
}

static void test_digest_lengths(void **state)
{
    (void)state;
    struct fixture f;
    make_fixture(&f, 0x33);
    uint8_t nonce[32], sig[64], long_digest[64];
    memset(nonce, 0x5a, sizeof(nonce));
    /* A 64-byte digest is truncated to its leftmost 32 bytes. */
    for (size_t i = 0; i < sizeof(long_digest); i++) {
        long_digest[i] = (uint8_t)(i * 37 + 1);
    }
    assert_int_equal(p256_test_sign(&f.key, long_digest, 64, nonce, sig), 0);
    expect_both(f.key.pub, long_digest, 64, sig, true);
    expect_both(f.key.pub, long_digest, 32, sig, true);
    long_digest[0] ^= 1;
    expect_both(f.key.pub, long_digest, 64, sig, false);
    long_digest[0] ^= 1;
    long_digest[40] ^= 1; /* beyond the 256 bits used: no effect */
    expect_both(f.key.pub, long_digest, 64, sig, true);
    /* A 20-byte digest is the integer it spells (no padding on the right). */
    assert_int_equal(p256_test_sign(&f.key, long_digest, 20, nonce, sig), 0);
    expect_both(f.key.pub, long_digest, 20, sig, true);
    expect_both(f.key.pub, long_digest, 32, sig, false);
    /* An empty digest is e = 0. */
    assert_int_equal(p256_test_sign(&f.key, long_digest, 0, nonce, sig), 0);
    assert_int_equal(lf_p256_verify(f.key.pub, NULL, 0, sig), LF_OK);
    /* A digest equal to n reduces to e = 0 as well. */
    assert_int_equal(lf_p256_verify(f.key.pub, n_be, 32, sig), LF_OK);
}

/* Q = G makes G + Q a doubling, Q = -G makes it the point at infinity: the
 * degenerate rows of the double-scalar table must still work. */
static void test_degenerate_keys(void **state)
{
    (void)state;
    uint8_t seed[32] = {0}, nonce[32], digest[32], sig[64];
    struct p256_test_key key;
    uint64_t rng = 0xdead;
    for (int which = 0; which < 2; which++) {
        if (which == 0) {
            memset(seed, 0, 32); /* d = 1: Q = G */
        } else {
            uint8_t two[32] = {0};
            two[31] = 2;
            sub_be(seed, n_be, two); /* d = n - 1: Q = -G */
        }
        assert_int_equal(p256_test_keygen(&key, seed), 0);
        for (int i = 0; i < 8; i++) {
            test_rand_bytes(&rng, nonce, 32);
            test_rand_bytes(&rng, digest, 32);
            assert_int_equal(p256_test_sign(&key, digest, 32, nonce, sig), 0);
            expect_both(key.pub, digest, 32, sig, true);
            digest[31] ^= 1;
            expect_both(key.pub, digest, 32, sig, false);
        }
    }
}

static void test_spki_matches_openssl(void **state)
{
    (void)state;
    struct fixture f;
    make_fixture(&f, 0x44);
    EVP_PKEY *pkey = p256_ossl_pkey(f.key.pub);
    assert_non_null(pkey);
    uint8_t spki[128], pub[64];
    size_t len = p256_ossl_spki(pkey, spki);
    EVP_PKEY_free(pkey);
    assert_int_equal(len, LF_P256_SPKI_SIZE);
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len, pub), LF_OK);
    assert_memory_equal(pub, f.key.pub, 64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_key_checks),    cmocka_unit_test(test_scalar_ranges),
        cmocka_unit_test(test_digest_lengths),       cmocka_unit_test(test_degenerate_keys),
        cmocka_unit_test(test_spki_matches_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
