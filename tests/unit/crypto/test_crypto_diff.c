/*
 * Differential test against OpenSSL 3: random keys and messages, genuine and
 * corrupted signatures, wrong messages and wrong keys. Each case asserts that
 * our verdict equals OpenSSL's, and that the verdict is the one the case
 * calls for (genuine accepted, corrupted rejected).
 *
 * Everything is driven by one 64-bit seed (keys, nonces, messages and the
 * corruption chosen), printed with the failing case, so a failure replays
 * with LF_DIFF_SEED=<seed>. LF_DIFF_ITERATIONS sets the total number of cases
 * (default 12000, split evenly between P-256 and Ed25519); the sanitizer CI
 * job may lower it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"
#include "lf/sha256.h"

#define DEFAULT_ITERATIONS 12000
#define DEFAULT_SEED       0x1eaf2024c0ffeeULL
#define MAX_MSG            300
#define KEY_REUSE          16 /* cases per key before a new one is made */

static uint64_t seed;
static unsigned long iterations;

static const uint8_t n_be[32] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
static const uint8_t l_le[32] = {
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
};

static void flip_random_bit(uint64_t *rng, uint8_t *p, size_t n)
{
    uint64_t bit = test_rand_next(rng) % (n * 8);
    p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* ---- P-256 ---- */

enum p256_variant {
    P_GENUINE,
    P_GENUINE_LOW_S, /* (r, n - s): also valid */
    P_FLIP_R,
    P_FLIP_S,
    P_R_ZERO,
    P_S_ZERO,
    P_R_N,
    P_S_N,
    P_SWAP,
    P_WRONG_MSG,
    P_WRONG_KEY,
    P_FLIP_KEY,
    P_FLIP_DER,
    P_COUNT
};

static const char *const p256_names[P_COUNT] = {
    "genuine",   "(r, n-s)",        "flip bit in r",   "flip bit in s", "r = 0",
    "s = 0",     "r = n",           "s = n",           "swap r/s",      "wrong message",
    "wrong key", "flip bit in key", "flip bit in DER",
};

static void be_sub(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    int borrow = 0;
    for (int i = 31; i >= 0; i--) {
        int d = a[i] - b[i] - borrow;
        borrow = d < 0;
        r[i] = (uint8_t)d;
    }
}

static void test_p256_vs_openssl(void **state)
{
    (void)state;
    uint64_t rng = seed ^ 0x256;
    unsigned long count = iterations / 2;
    unsigned long agree_accept = 0, agree_reject = 0, per_variant[P_COUNT] = {0};
    struct p256_test_key key, other;
    EVP_PKEY *ossl_key = NULL, *ossl_other = NULL;
    clock_t t0 = clock();

    for (unsigned long i = 0; i < count; i++) {
        if (i % KEY_REUSE == 0) {
            uint8_t s1[32], s2[32];
            test_rand_bytes(&rng, s1, 32);
            test_rand_bytes(&rng, s2, 32);
            assert_int_equal(p256_test_keygen(&key, s1), 0);
            assert_int_equal(p256_test_keygen(&other, s2), 0);
            EVP_PKEY_free(ossl_key);
            EVP_PKEY_free(ossl_other);
            ossl_key = p256_ossl_pkey(key.pub);
            ossl_other = p256_ossl_pkey(other.pub);
            assert_non_null(ossl_key);
            assert_non_null(ossl_other);
        }
        uint8_t msg[MAX_MSG], digest[32], nonce[32], sig[64], der[80], pub[64];
        size_t msg_len = (size_t)(test_rand_next(&rng) % MAX_MSG);
        test_rand_bytes(&rng, msg, msg_len);
        test_rand_bytes(&rng, nonce, 32);
        lf_sha256(msg, msg_len, digest);
        assert_int_equal(p256_test_sign(&key, digest, 32, nonce, sig), 0);

        enum p256_variant v = (enum p256_variant)(i % P_COUNT);
        bool want = v == P_GENUINE || v == P_GENUINE_LOW_S;
        EVP_PKEY *verify_key = ossl_key;
        EVP_PKEY *flipped_key = NULL;
        memcpy(pub, key.pub, 64);
        switch (v) {
        case P_GENUINE:
            break;
        case P_GENUINE_LOW_S:
            be_sub(sig + 32, n_be, sig + 32);
            break;
        case P_FLIP_R:
            flip_random_bit(&rng, sig, 32);
            break;
        case P_FLIP_S:
            flip_random_bit(&rng, sig + 32, 32);
            break;
        case P_R_ZERO:
            memset(sig, 0, 32);
            break;
        case P_S_ZERO:
            memset(sig + 32, 0, 32);
            break;
        case P_R_N:
            memcpy(sig, n_be, 32);
            break;
        case P_S_N:
            memcpy(sig + 32, n_be, 32);
            break;
        case P_SWAP: {
            uint8_t t[32];
            memcpy(t, sig, 32);
            memcpy(sig, sig + 32, 32);
            memcpy(sig + 32, t, 32);
            break;
        }
        case P_WRONG_MSG:
            flip_random_bit(&rng, digest, 32);
            break;
        case P_WRONG_KEY:
            memcpy(pub, other.pub, 64);
            verify_key = ossl_other;
            break;
        case P_FLIP_KEY:
            flip_random_bit(&rng, pub, 64);
            verify_key = flipped_key = p256_ossl_pkey(pub); /* NULL if off the curve */
            break;
        default:
            break;
        }
        size_t der_len = p256_test_sig_to_der(sig, der);
        assert_true(der_len > 0);
        if (v == P_FLIP_DER) {
            flip_random_bit(&rng, der, der_len);
        }

        /* Our verdict: DER decode (strict) then verify. */
        uint8_t rs[64];
        int err = lf_p256_sig_from_der(der, der_len, false, rs);
        if (err == LF_OK) {
            err = lf_p256_verify(pub, digest, 32, rs);
        }
        bool ours = err == LF_OK;
        bool theirs = p256_ossl_verify(verify_key, digest, 32, der, der_len);
        EVP_PKEY_free(flipped_key);
        /* A flipped DER byte may still be a valid encoding of a valid
         * signature only if it did not change r or s: impossible, so every
         * corruption must be rejected. Both sides must also agree. */
        if (ours != theirs || ours != want) {
            fprintf(stderr,
                    "P-256 mismatch: seed 0x%llx case %lu (%s): ours %s (%s), OpenSSL %s, "
                    "expected %s\n",
                    (unsigned long long)seed, i, p256_names[v], ours ? "accept" : "reject",
                    lf_err_name(err), theirs ? "accept" : "reject", want ? "accept" : "reject");
            hex_fprint(stderr, "pub", pub, 64);
            hex_fprint(stderr, "digest", digest, 32);
            hex_fprint(stderr, "der", der, der_len);
            fail();
        }
        agree_accept += ours;
        agree_reject += !ours;
        per_variant[v]++;
    }
    EVP_PKEY_free(ossl_key);
    EVP_PKEY_free(ossl_other);
    printf("P-256: %lu cases (seed 0x%llx): %lu accepted, %lu rejected, all equal to OpenSSL "
           "(%.1f s)\n",
           count, (unsigned long long)seed, agree_accept, agree_reject,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    for (int v = 0; v < P_COUNT; v++) {
        assert_true(per_variant[v] > 0 || count < P_COUNT);
    }
}

/* ---- Ed25519 ---- */

enum ed_variant {
    E_GENUINE,
    E_FLIP_R,
    E_FLIP_S,
    E_S_PLUS_L,
    E_S_ZERO,
    E_R_IDENTITY,
    E_SWAP,
    E_WRONG_MSG,
    E_WRONG_KEY,
    E_FLIP_KEY,
    E_ZERO_SIG,
    E_COUNT
};

static const char *const ed_names[E_COUNT] = {
    "genuine",   "flip bit in R",   "flip bit in S",      "S + L",
    "S = 0",     "R = identity",    "swap R/S",           "wrong message",
    "wrong key", "flip bit in key", "all-zero signature",
};

static void le_add(uint8_t r[32], const uint8_t a[32], const uint8_t b[32])
{
    unsigned c = 0;
    for (int i = 0; i < 32; i++) {
        c += (unsigned)a[i] + b[i];
        r[i] = (uint8_t)c;
        c >>= 8;
    }
}

static void test_ed25519_vs_openssl(void **state)
{
    (void)state;
    uint64_t rng = seed ^ 0x25519;
    unsigned long count = iterations - iterations / 2;
    unsigned long agree_accept = 0, agree_reject = 0, per_variant[E_COUNT] = {0};
    uint8_t secret[32], pub[32], other_pub[32];
    clock_t t0 = clock();

    for (unsigned long i = 0; i < count; i++) {
        if (i % KEY_REUSE == 0) {
            uint8_t other_secret[32];
            test_rand_bytes(&rng, secret, 32);
            test_rand_bytes(&rng, other_secret, 32);
            assert_int_equal(ed25519_ossl_pub(secret, pub), 0);
            assert_int_equal(ed25519_ossl_pub(other_secret, other_pub), 0);
        }
        uint8_t msg[MAX_MSG], sig[64], key[32];
        size_t msg_len = (size_t)(test_rand_next(&rng) % MAX_MSG);
        test_rand_bytes(&rng, msg, msg_len);
        assert_int_equal(ed25519_ossl_sign(secret, msg, msg_len, sig), 0);

        enum ed_variant v = (enum ed_variant)(i % E_COUNT);
        bool want = v == E_GENUINE;
        memcpy(key, pub, 32);
        switch (v) {
        case E_GENUINE:
            break;
        case E_FLIP_R:
            flip_random_bit(&rng, sig, 32);
            break;
        case E_FLIP_S:
            flip_random_bit(&rng, sig + 32, 32);
            break;
        case E_S_PLUS_L:
            le_add(sig + 32, sig + 32, l_le);
            break;
        case E_S_ZERO:
            memset(sig + 32, 0, 32);
            break;
        case E_R_IDENTITY:
            memset(sig, 0, 32);
            sig[0] = 1;
            break;
        case E_SWAP: {
            uint8_t t[32];
            memcpy(t, sig, 32);
            memcpy(sig, sig + 32, 32);
            memcpy(sig + 32, t, 32);
            break;
        }
        case E_WRONG_MSG:
            if (msg_len == 0) {
                msg[0] = 0;
                msg_len = 1;
            } else {
                flip_random_bit(&rng, msg, msg_len);
            }
            break;
        case E_WRONG_KEY:
            memcpy(key, other_pub, 32);
            break;
        case E_FLIP_KEY:
            flip_random_bit(&rng, key, 32);
            break;
        case E_ZERO_SIG:
            memset(sig, 0, 64);
            break;
        default:
            break;
        }
        int err = lf_ed25519_verify(key, msg, msg_len, sig);
        bool ours = err == LF_OK;
        bool theirs = ed25519_ossl_verify(key, msg, msg_len, sig);
        if (ours != theirs || ours != want) {
            fprintf(stderr,
                    "Ed25519 mismatch: seed 0x%llx case %lu (%s): ours %s (%s), OpenSSL %s, "
                    "expected %s\n",
                    (unsigned long long)seed, i, ed_names[v], ours ? "accept" : "reject",
                    lf_err_name(err), theirs ? "accept" : "reject", want ? "accept" : "reject");
            hex_fprint(stderr, "pub", key, 32);
            hex_fprint(stderr, "msg", msg, msg_len);
            hex_fprint(stderr, "sig", sig, 64);
            fail();
        }
        agree_accept += ours;
        agree_reject += !ours;
        per_variant[v]++;
    }
    printf("Ed25519: %lu cases (seed 0x%llx): %lu accepted, %lu rejected, all equal to OpenSSL "
           "(%.1f s)\n",
           count, (unsigned long long)seed, agree_accept, agree_reject,
           (double)(clock() - t0) / CLOCKS_PER_SEC);
    for (int v = 0; v < E_COUNT; v++) {
        assert_true(per_variant[v] > 0 || count < E_COUNT);
    }
}

static unsigned long long env_number(const char *name, unsigned long long fallback)
{
    const char *s = getenv(name);
    if (!s || !*s) {
        return fallback;
    }
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (*end != '\0') {
        fprintf(stderr, "%s: not a number: %s\n", name, s);
        exit(2);
    }
    return v;
}

int main(void)
{
    seed = env_number("LF_DIFF_SEED", DEFAULT_SEED);
    iterations = (unsigned long)env_number("LF_DIFF_ITERATIONS", DEFAULT_ITERATIONS);
    printf("differential test: %lu cases, seed 0x%llx (LF_DIFF_SEED / LF_DIFF_ITERATIONS)\n",
           iterations, (unsigned long long)seed);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_p256_vs_openssl),
        cmocka_unit_test(test_ed25519_vs_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
