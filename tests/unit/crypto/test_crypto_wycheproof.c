/*
 * Project Wycheproof vectors (tests/vectors/wycheproof, read at run time):
 * ecdsa_secp256r1_sha256_test.json and ed25519_test.json. Every "valid" case
 * must verify, every "invalid" one must be rejected. Our decision for
 * "acceptable" cases is to reject them (docs/crypto.md explains; the files in
 * repository hold none today, and the test asserts whatever it finds). Every test
 * of each file must be visited: a count that falls short of numberOfTests
 * fails the test, so a reader bug cannot skip cases silently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto_test_util.h"
#include "json_walk.h"
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"
#include "lf/sha256.h"

#define WYCHEPROOF_DIR LF_VECTORS_DIR "/wycheproof/"

struct tally {
    unsigned valid, invalid, acceptable; /* cases seen, by expected result */
    unsigned accepted_acceptable;        /* must stay 0 under our policy */
    unsigned padded_extra;               /* invalid cases the padding option accepts */
};

enum expect { EXPECT_VALID, EXPECT_INVALID, EXPECT_ACCEPTABLE };

static enum expect expect_of(const char *result)
{
    assert_non_null(result);
    if (strcmp(result, "valid") == 0) {
        return EXPECT_VALID;
    }
    if (strcmp(result, "invalid") == 0) {
        return EXPECT_INVALID;
    }
    assert_string_equal(result, "acceptable");
    return EXPECT_ACCEPTABLE;
}

/* Record a verdict against the expected result; fail with the case's id. */
static void judge(const char *file, long tc_id, enum expect expect, bool accepted, struct tally *t)
{
    bool want = expect == EXPECT_VALID; /* acceptable: our policy is to reject */
    if (accepted != want) {
        fprintf(stderr, "%s tcId %ld: %s but expected %s\n", file, tc_id,
                accepted ? "accepted" : "rejected",
                expect == EXPECT_VALID     ? "valid"
                : expect == EXPECT_INVALID ? "invalid"
                                           : "acceptable (policy: reject)");
        fail();
    }
    t->valid += expect == EXPECT_VALID;
    t->invalid += expect == EXPECT_INVALID;
    t->acceptable += expect == EXPECT_ACCEPTABLE;
    t->accepted_acceptable += expect == EXPECT_ACCEPTABLE && accepted;
}

static const struct json *groups_of(const struct json *root)
{
    const struct json *groups = json_get(root, "testGroups");
    assert_non_null(groups);
    assert_int_equal(groups->type, JSON_ARRAY);
    return groups;
}

static bool ecdsa_accepts(const uint8_t pub[64], const uint8_t *msg, size_t msg_len,
                          const uint8_t *der, size_t der_len, bool allow_padding)
{
    uint8_t sig[LF_P256_SIG_SIZE], digest[LF_SHA256_SIZE];
    if (lf_p256_sig_from_der(der, der_len, allow_padding, sig) != LF_OK) {
        return false;
    }
    lf_sha256(msg, msg_len, digest);
    return lf_p256_verify(pub, digest, sizeof(digest), sig) == LF_OK;
}

/* True if der is a strictly valid signature followed by at least one 00 byte:
 * the only shape the padding option may additionally accept. */
static bool is_zero_padded(const uint8_t *der, size_t der_len)
{
    uint8_t sig[LF_P256_SIG_SIZE];
    size_t n = der_len;
    while (n > 0 && der[n - 1] == 0) {
        n--;
        if (lf_p256_sig_from_der(der, n, false, sig) == LF_OK) {
            return true;
        }
    }
    return false;
}

static void test_ecdsa_p256_sha256(void **state)
{
    (void)state;
    const char *file = "ecdsa_secp256r1_sha256_test.json";
    struct json *root = json_load_file(WYCHEPROOF_DIR "ecdsa_secp256r1_sha256_test.json");
    assert_non_null(root);
    struct tally t = {0};
    unsigned groups = 0;
    for (const struct json *g = groups_of(root)->child; g; g = g->next, groups++) {
        assert_string_equal(json_get_str(g, "sha"), "SHA-256");
        /* The key through our SPKI parser, cross-checked with the raw point. */
        uint8_t spki[128], pub[LF_P256_PUBKEY_SIZE], raw[65];
        size_t spki_len = hex_decode(json_get_str(g, "publicKeyDer"), spki, sizeof(spki));
        assert_int_equal(lf_p256_pubkey_from_spki(spki, spki_len, pub), LF_OK);
        const char *uncompressed = json_get_str(json_get(g, "publicKey"), "uncompressed");
        assert_non_null(uncompressed);
        assert_int_equal(hex_decode(uncompressed, raw, sizeof(raw)), 65);
        assert_memory_equal(pub, raw + 1, 64);

        for (const struct json *c = json_get(g, "tests")->child; c; c = c->next) {
            size_t msg_len, der_len;
            uint8_t *msg = hex_alloc(json_get_str(c, "msg"), &msg_len);
            uint8_t *der = hex_alloc(json_get_str(c, "sig"), &der_len);
            assert_non_null(msg);
            assert_non_null(der);
            long id = json_get_long(c, "tcId");
            enum expect e = expect_of(json_get_str(c, "result"));
            bool strict = ecdsa_accepts(pub, msg, msg_len, der, der_len, false);
            judge(file, id, e, strict, &t);
            /* The padding option changes the verdict only for padded signatures. */
            bool padded = ecdsa_accepts(pub, msg, msg_len, der, der_len, true);
            if (padded != strict) {
                assert_true(padded && !strict);
                assert_true(is_zero_padded(der, der_len));
                printf("  padding option accepts tcId %ld (%s)\n", id, json_get_str(c, "comment"));
                t.padded_extra++;
            }
            free(msg);
            free(der);
        }
    }
    long expected_total = json_get_long(root, "numberOfTests");
    printf("%s: %u groups, %u valid accepted, %u invalid rejected, %u acceptable (all "
           "rejected); padding option additionally accepts %u\n",
           file, groups, t.valid, t.invalid, t.acceptable, t.padded_extra);
    assert_int_equal(t.valid + t.invalid + t.acceptable, expected_total);
    assert_int_equal(t.accepted_acceptable, 0);
    assert_true(t.valid > 0 && t.invalid > 0);
    json_free(root);
}

static void test_ed25519(void **state)
{
    (void)state;
    const char *file = "ed25519_test.json";
    struct json *root = json_load_file(WYCHEPROOF_DIR "ed25519_test.json");
    assert_non_null(root);
    struct tally t = {0};
    unsigned groups = 0, wrong_length = 0;
    for (const struct json *g = groups_of(root)->child; g; g = g->next, groups++) {
        uint8_t pk[32], spki[64], pub[LF_ED25519_PUBKEY_SIZE];
        assert_int_equal(hex_decode(json_get_str(json_get(g, "publicKey"), "pk"), pk, sizeof(pk)),
                         32);
        size_t spki_len = hex_decode(json_get_str(g, "publicKeyDer"), spki, sizeof(spki));
        assert_int_equal(lf_ed25519_pubkey_from_spki(spki, spki_len, pub), LF_OK);
        assert_memory_equal(pub, pk, 32);

        for (const struct json *c = json_get(g, "tests")->child; c; c = c->next) {
            size_t msg_len, sig_len;
            uint8_t *msg = hex_alloc(json_get_str(c, "msg"), &msg_len);
            uint8_t *sig = hex_alloc(json_get_str(c, "sig"), &sig_len);
            assert_non_null(msg);
            assert_non_null(sig);
            /* Our API takes exactly 64 bytes; a caller holding another length
             * must reject before calling. */
            bool accepted = false;
            if (sig_len == LF_ED25519_SIG_SIZE) {
                accepted = lf_ed25519_verify(pk, msg, msg_len, sig) == LF_OK;
            } else {
                wrong_length++;
            }
            judge(file, json_get_long(c, "tcId"), expect_of(json_get_str(c, "result")), accepted,
                  &t);
            free(msg);
            free(sig);
        }
    }
    long expected_total = json_get_long(root, "numberOfTests");
    printf("%s: %u groups, %u valid accepted, %u invalid rejected (%u by length), %u "
           "acceptable (all rejected)\n",
           file, groups, t.valid, t.invalid, wrong_length, t.acceptable);
    assert_int_equal(t.valid + t.invalid + t.acceptable, expected_total);
    assert_int_equal(t.accepted_acceptable, 0);
    assert_true(t.valid > 0 && t.invalid > 0);
    json_free(root);
}

/* The JSON reader itself: escapes, nesting, and rejection of malformed text. */
static void test_json_walker(void **state)
{
    (void)state;
    struct json *j = json_parse(" {\"a\": [1, -2.5e3, true, false, null],"
                                " \"s\": \"x\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\", \"o\": {}} ");
    assert_non_null(j);
    const struct json *a = json_get(j, "a");
    assert_non_null(a);
    assert_int_equal(a->type, JSON_ARRAY);
    assert_string_equal(a->child->text, "1");
    assert_string_equal(a->child->next->text, "-2.5e3");
    assert_true(a->child->next->next->boolean);
    assert_string_equal(json_get_str(j, "s"), "x\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
    assert_int_equal(json_get(j, "o")->type, JSON_OBJECT);
    assert_null(json_get(j, "missing"));
    json_free(j);
    static const char *bad[] = {"",      "{",     "[1,]",        "{\"a\" 1}",
                                "\"abc", "[1] 2", "{\"a\":tru}", "\"\\x\""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct json *b = json_parse(bad[i]);
        if (b) {
            fprintf(stderr, "accepted malformed JSON: %s\n", bad[i]);
        }
        assert_null(b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_walker),
        cmocka_unit_test(test_ecdsa_p256_sha256),
        cmocka_unit_test(test_ed25519),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
