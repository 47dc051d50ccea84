/*
 * DER decoding of ECDSA signatures and SPKI public keys: the strictness
 * rules one by one, the padding option, and a round trip against OpenSSL's
 * encoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"

struct der_case {
    const char *what;
    const char *hex;
    int strict; /* expected result without padding */
    int padded; /* expected result with allow_zero_padding */
};

#define OK  LF_OK
#define BAD LF_E_CRYPTO_BAD_ENCODING

/* r = s = 1 unless the case says otherwise. */
static const struct der_case cases[] = {
    {"minimal", "3006020101020101", OK, OK},
    {"r = 0 decodes (verify rejects it)", "3006020100020101", OK, OK},
    {"leading zero needed for 0x80", "300702020080020101", OK, OK},
    {"empty input", "", BAD, BAD},
    {"only the tag", "30", BAD, BAD},
    {"wrong outer tag", "3106020101020101", BAD, BAD},
    {"wrong integer tag", "3006030101020101", BAD, BAD},
    {"long-form sequence length", "308106020101020101", BAD, BAD},
    {"indefinite sequence length",
     "3080020101020101"
     "0000",
     BAD, BAD},
    {"long-form integer length", "300702810101020101", BAD, BAD},
    {"negative r", "3006020181020101", BAD, BAD},
    {"negative s", "3006020101020180", BAD, BAD},
    {"superfluous leading zero", "300702020001020101", BAD, BAD},
    {"two leading zeros", "30080203000080020101", BAD, BAD},
    {"zero-length integer", "30050200020101", BAD, BAD},
    {"sequence longer than input", "3007020101020101", BAD, BAD},
    {"sequence shorter than contents", "3005020101020101", BAD, BAD},
    {"integer past the sequence",
     "3006020101020201"
     "01",
     BAD, BAD},
    {"third integer", "3009020101020101020101", BAD, BAD},
    {"s missing", "3003020101", BAD, BAD},
    {"trailing garbage",
     "3006020101020101"
     "01",
     BAD, BAD},
    {"trailing zero",
     "3006020101020101"
     "00",
     BAD, OK},
    {"trailing zeros then garbage",
     "3006020101020101"
     "000001",
     BAD, BAD},
    {"trailing NULL",
     "3006020101020101"
     "0500",
     BAD, BAD},
    {"zero inside the sequence",
     "3007020101020101"
     "00",
     BAD, BAD},
    {"r of 33 bytes with sign byte",
     "3026022100ff00000000000000000000000000000000000000000000000000000000000000020101", OK, OK},
    {"r of 33 bytes without sign byte",
     "3026022101ff00000000000000000000000000000000000000000000000000000000000000020101", BAD, BAD},
    {"r of 34 bytes",
     "302702220000ff00000000000000000000000000000000000000000000000000000000000000020101", BAD,
     BAD},
    {"r of 32 bytes, top bit clear",
     "302502207f00000000000000000000000000000000000000000000000000000000000000020101", OK, OK},
};

static void test_der_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t der[128], sig[64];
        size_t len = hex_decode(cases[i].hex, der, sizeof(der));
        assert_true(len != (size_t)-1);
        for (int padded = 0; padded < 2; padded++) {
            int want = padded ? cases[i].padded : cases[i].strict;
            memset(sig, 0xaa, sizeof(sig));
            int err = lf_p256_sig_from_der(der, len, padded, sig);
            if (err != want) {
                fprintf(stderr, "%s (padding %s): got %s\n", cases[i].what, padded ? "on" : "off",
                        lf_err_name(err));
                fail();
            }
            if (err != LF_OK) {
                /* Output untouched on failure. */
                for (size_t j = 0; j < sizeof(sig); j++) {
                    assert_int_equal(sig[j], 0xaa);
                }
            }
        }
    }
    printf("%zu DER cases ok\n", sizeof(cases) / sizeof(cases[0]));
    /* NULL with length 0 is an empty (invalid) input. */
    uint8_t sig[64];
    assert_int_equal(lf_p256_sig_from_der(NULL, 0, true, sig), BAD);
}

static void test_decoded_values(void **state)
{
    (void)state;
    uint8_t der[80], sig[64], want[64] = {0};
    size_t len = hex_decode("300702020080020101", der, sizeof(der));
    assert_int_equal(lf_p256_sig_from_der(der, len, false, sig), LF_OK);
    want[31] = 0x80;
    want[63] = 0x01;
    assert_memory_equal(sig, want, 64);
}

/* Imgtool's --pad-sig pads the DER signature with zeros to 72 bytes; more is refused. */
static void test_padding_limit(void **state)
{
    (void)state;
    uint8_t der[80] = {0}, sig[64];
    size_t len = hex_decode("3006020101020101", der, sizeof(der));
    assert_int_equal(lf_p256_sig_from_der(der, LF_P256_SIG_DER_MAX, true, sig), LF_OK);
    assert_int_equal(lf_p256_sig_from_der(der, LF_P256_SIG_DER_MAX, false, sig), BAD);
    assert_int_equal(lf_p256_sig_from_der(der, LF_P256_SIG_DER_MAX + 1, true, sig), BAD);
    assert_int_equal(lf_p256_sig_from_der(der, len, true, sig), LF_OK);
    /* A full-size 72-byte signature is accepted without padding. */
    uint8_t rs[64];
    memset(rs, 0x80, sizeof(rs));
    size_t full = p256_test_sig_to_der(rs, der);
    assert_int_equal(full, LF_P256_SIG_DER_MAX);
    assert_int_equal(lf_p256_sig_from_der(der, full, false, sig), LF_OK);
    assert_memory_equal(sig, rs, 64);
}

/* Whatever OpenSSL encodes, we decode to the same r and s (lengths 1..33). */
static void test_round_trip_openssl(void **state)
{
    (void)state;
    uint64_t rng = 0xde7;
    enum { ROUNDS = 3000 };
    for (int i = 0; i < ROUNDS; i++) {
        uint8_t rs[64], der[80], sig[64];
        test_rand_bytes(&rng, rs, sizeof(rs));
        /* Vary the magnitudes: clear a random number of leading bytes. */
        memset(rs, 0, (size_t)(test_rand_next(&rng) % 33));
        memset(rs + 32, 0, (size_t)(test_rand_next(&rng) % 33));
        size_t len = p256_test_sig_to_der(rs, der);
        assert_true(len >= 8 && len <= LF_P256_SIG_DER_MAX);
        assert_int_equal(lf_p256_sig_from_der(der, len, false, sig), LF_OK);
        assert_memory_equal(sig, rs, 64);
        /* Every proper prefix is rejected. */
        size_t cut = (size_t)(test_rand_next(&rng) % len);
        assert_int_equal(lf_p256_sig_from_der(der, cut, true, sig), BAD);
    }
    printf("%d OpenSSL-encoded signatures decoded identically\n", ROUNDS);
}

static const char p256_spki_hex[] =
    "3059301306072a8648ce3d020106082a8648ce3d0301070342000404aaec73635726f213fb8a9e64da3b8632e41495"
    "a944d0045b522eba7240fad587d9315798aaa3a5ba01775787ced05eaaf7b4e09fc81d6d1aa546e8365d525d";
static const char ed25519_spki_hex[] =
    "302a300506032b65700321007d4d0e7f6153a69b6242b522abbee685fda4420f8834b108c3bdae369ef549fa";

static void test_p256_spki(void **state)
{
    (void)state;
    uint8_t spki[128], pub[64];
    size_t len = hex_decode(p256_spki_hex, spki, sizeof(spki));
    assert_int_equal(len, LF_P256_SPKI_SIZE);
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len, pub), LF_OK);
    assert_memory_equal(pub, spki + 27, 64);
    /* Any other length, or any change in the 27 header bytes, is another structure. */
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len - 1, pub), BAD);
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len + 1, pub), BAD);
    assert_int_equal(lf_p256_pubkey_from_spki(NULL, 0, pub), BAD);
    for (size_t i = 0; i < 27; i++) {
        spki[i] ^= 0x01;
        assert_int_equal(lf_p256_pubkey_from_spki(spki, len, pub), BAD);
        spki[i] ^= 0x01;
    }
    /* Compressed point (02/03 prefix) in an otherwise uncompressed-size structure. */
    spki[26] = 0x02;
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len, pub), BAD);
    spki[26] = 0x04;
    /* Structure fine, point not on the curve; pub left alone. */
    spki[90] ^= 0x01;
    memset(pub, 0xaa, sizeof(pub));
    assert_int_equal(lf_p256_pubkey_from_spki(spki, len, pub), LF_E_CRYPTO_BAD_KEY);
    assert_int_equal(pub[0], 0xaa);
    /* An Ed25519 SPKI is not a P-256 one. */
    uint8_t ed[64];
    size_t ed_len = hex_decode(ed25519_spki_hex, ed, sizeof(ed));
    assert_int_equal(lf_p256_pubkey_from_spki(ed, ed_len, pub), BAD);
}

static void test_ed25519_spki(void **state)
{
    (void)state;
    uint8_t spki[64], pub[32];
    size_t len = hex_decode(ed25519_spki_hex, spki, sizeof(spki));
    assert_int_equal(len, LF_ED25519_SPKI_SIZE);
    assert_int_equal(lf_ed25519_pubkey_from_spki(spki, len, pub), LF_OK);
    assert_memory_equal(pub, spki + 12, 32);
    assert_int_equal(lf_ed25519_pubkey_from_spki(spki, len - 1, pub), BAD);
    assert_int_equal(lf_ed25519_pubkey_from_spki(spki, len + 1, pub), BAD);
    for (size_t i = 0; i < 12; i++) {
        spki[i] ^= 0x80;
        assert_int_equal(lf_ed25519_pubkey_from_spki(spki, len, pub), BAD);
        spki[i] ^= 0x80;
    }
    /* A key with y >= p is not a point encoding. */
    memset(spki + 12, 0xff, 32);
    assert_int_equal(lf_ed25519_pubkey_from_spki(spki, len, pub), LF_E_CRYPTO_BAD_KEY);
    uint8_t p256[128];
    size_t p256_len = hex_decode(p256_spki_hex, p256, sizeof(p256));
    assert_int_equal(lf_ed25519_pubkey_from_spki(p256, p256_len, pub), BAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_der_cases),     cmocka_unit_test(test_decoded_values),
        cmocka_unit_test(test_padding_limit), cmocka_unit_test(test_round_trip_openssl),
        cmocka_unit_test(test_p256_spki),     cmocka_unit_test(test_ed25519_spki),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
