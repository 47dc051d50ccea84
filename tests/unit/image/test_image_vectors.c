/*
 * The imgtool vectors (tests/vectors/imgtool) through the core validator:
 * every image gets the manifest's verdict, and each invalid one the specific
 * rejection it was made to provoke. Plus keyring variants, offsets,
 * truncation at every length and corruption of every structural byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "image_test_util.h"
#include "lf/err.h"

#define MAX_VECTORS 64

/* What each invalid vector must be rejected with. */
static const struct {
    const char *name;
    int err;
} expected_errors[] = {
    {"bad_payload_bitflip", LF_E_IMG_HASH_MISMATCH},
    {"bad_header_magic", LF_E_IMG_BAD_MAGIC},
    {"bad_signature_bitflip", LF_E_IMG_BAD_SIGNATURE},
    {"bad_keyhash_bitflip", LF_E_IMG_UNKNOWN_KEY},
    {"bad_truncated_tlv", LF_E_IMG_TLV_AREA_OVERFLOW},
    {"bad_wrong_key", LF_E_IMG_UNKNOWN_KEY},
};

static struct vector vecs[MAX_VECTORS];
static int nvecs;
static struct test_key key_ec;
static struct test_key key_ed;
static struct test_key key_ec_wrong;

static int setup(void **state)
{
    (void)state;
    nvecs = load_manifest(vecs, MAX_VECTORS);
    load_key(VEC_DIR "/keys/ecdsa-p256.pub.pem", &key_ec);
    load_key(VEC_DIR "/keys/ed25519.pub.pem", &key_ed);
    load_key(VEC_DIR "/keys/ecdsa-p256-wrong.pem", &key_ec_wrong);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free_key(&key_ec_wrong);
    return 0;
}

static uint8_t *vec_file(const struct vector *v, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), VEC_DIR "/%s", v->file);
    return read_file(path, len);
}

static const struct test_key *vec_key(const struct vector *v)
{
    return strstr(v->verify_key, "ed25519") ? &key_ed : &key_ec;
}

static const struct vector *vec_named(const char *name)
{
    for (int i = 0; i < nvecs; i++) {
        if (strcmp(vecs[i].name, name) == 0) {
            return &vecs[i];
        }
    }
    fail_msg("vector %s not in the manifest", name);
    return NULL;
}

static void test_manifest_complete(void **state)
{
    (void)state;
    /* 20 images when this test was written; fewer means the folder changed */
    assert_true(nvecs >= 20);
    int valid = 0;
    for (int i = 0; i < nvecs; i++) {
        valid += vecs[i].valid;
    }
    assert_true(valid >= 14);
    assert_true(nvecs - valid >= 6);
}

static void check_valid_info(const struct vector *v, const uint8_t *img, size_t len,
                             const struct lf_image_info *info)
{
    /* the digest, recomputed independently with OpenSSL */
    uint8_t digest[32];
    SHA256(img, info->prot_end, digest);
    assert_memory_equal(info->hash, digest, 32);
    assert_int_equal(info->hdr.version.major, 1);
    assert_int_equal(info->hdr.version.minor, 2);
    assert_int_equal(info->hdr.version.revision, 3);
    assert_int_equal(info->hdr.version.build, 4);
    assert_int_equal(info->hdr.hdr_size, 0x200);
    assert_int_equal(info->tlv_off, 0x200 + info->hdr.img_size);
    assert_int_equal(info->prot_end, info->tlv_off + info->hdr.protect_tlv_size);
    assert_true(info->tlv_end <= len);
    if (!strstr(v->name, "_pad")) {
        assert_int_equal(info->tlv_end, len); /* unpadded: the image is the file */
    }
    assert_int_equal(info->key_index, 0);
    bool seccnt = strstr(v->name, "seccnt7") != NULL;
    assert_int_equal(info->has_sec_cnt, seccnt);
    assert_int_equal(info->sec_cnt, seccnt ? 7 : 0);
    uint32_t addr = 0;
    int rom = lf_image_rom_fixed_addr(&info->hdr, &addr);
    if (strstr(v->name, "romfixed")) {
        assert_int_equal(rom, LF_OK);
        assert_int_equal(addr, 0x08020000);
    } else {
        assert_int_equal(rom, LF_E_IMG_NOT_ROM_FIXED);
    }
}

static void test_every_vector_verdict(void **state)
{
    (void)state;
    int checked_invalid = 0;
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        size_t len;
        uint8_t *img = vec_file(v, &len);
        const struct test_key *k = vec_key(v);
        const struct test_key *keys[1] = {k};
        struct test_ring r;
        ring_of(&r, keys, 1);
        struct lf_image_info info;
        memset(&info, 0xa5, sizeof(info));
        int err = validate_buf(img, len, &r.ring, &info);
        print_message("  %-32s %s\n", v->name, lf_err_name(err));
        if (v->valid) {
            assert_int_equal(err, LF_OK);
            check_valid_info(v, img, len, &info);
        } else {
            int want = 1;
            for (size_t e = 0; e < sizeof(expected_errors) / sizeof(expected_errors[0]); e++) {
                if (strcmp(expected_errors[e].name, v->name) == 0) {
                    want = expected_errors[e].err;
                }
            }
            if (want == 1) {
                fail_msg("invalid vector %s has no expected error in this test", v->name);
            }
            assert_int_equal(err, want);
            checked_invalid++;
        }
        free(img);
    }
    assert_int_equal(checked_invalid, (int)(sizeof(expected_errors) / sizeof(expected_errors[0])));
}

/* Several keys: the matching one is found wherever it sits, and reported. */
static void test_keyring_variants(void **state)
{
    (void)state;
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        if (!v->valid) {
            continue;
        }
        size_t len;
        uint8_t *img = vec_file(v, &len);
        const struct test_key *k = vec_key(v);
        const struct test_key *other = k == &key_ec ? &key_ed : &key_ec;
        struct lf_image_info info;

        const struct test_key *three[3] = {&key_ec_wrong, other, k};
        struct test_ring r;
        ring_of(&r, three, 3);
        assert_int_equal(validate_buf(img, len, &r.ring, &info), LF_OK);
        assert_int_equal(info.key_index, 2);

        const struct test_key *wrong[2] = {&key_ec_wrong, other};
        ring_of(&r, wrong, 2);
        assert_int_equal(validate_buf(img, len, &r.ring, NULL), LF_E_IMG_UNKNOWN_KEY);

        ring_of(&r, NULL, 0);
        assert_int_equal(validate_buf(img, len, &r.ring, NULL), LF_E_IMG_UNKNOWN_KEY);

        /* a key known only by its hash (stage 0's provisioned root keys)
         * matches only images that carry the full key */
        uint8_t kh[32];
        SHA256(k->der, k->der_len, kh);
        struct lf_pubkey hash_only = {.type = k->type, .hash = kh};
        struct lf_keyring hr = {&hash_only, 1, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
        int want = strstr(v->name, "fullkey") ? LF_OK : LF_E_IMG_UNKNOWN_KEY;
        assert_int_equal(validate_buf(img, len, &hr, NULL), want);

        /* a given hash must be the one used, not recomputed from der */
        uint8_t bad[32];
        memcpy(bad, kh, 32);
        bad[31] ^= 1;
        struct lf_pubkey both = {
            .type = k->type, .der = k->der, .der_len = k->der_len, .hash = bad};
        struct lf_keyring br = {&both, 1, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
        assert_int_equal(validate_buf(img, len, &br, NULL), LF_E_IMG_UNKNOWN_KEY);
        free(img);
    }
}

/* Only the algorithms the caller names can verify. */
static void test_algorithm_table(void **state)
{
    (void)state;
    static const struct lf_image_sig_alg *const only_p256[] = {&lf_image_sig_ecdsa_p256};
    static const struct lf_image_sig_alg *const only_ed[] = {&lf_image_sig_ed25519};
    const char *names[] = {"ecdsa-p256_p1k", "ed25519_p1k"};
    for (int i = 0; i < 2; i++) {
        const struct vector *v = vec_named(names[i]);
        size_t len;
        uint8_t *img = vec_file(v, &len);
        const struct test_key *k = vec_key(v);
        struct lf_pubkey pub = {.type = k->type, .der = k->der, .der_len = k->der_len};
        bool is_ed = k->type == LF_KEY_ED25519;
        struct lf_keyring r1 = {&pub, 1, only_p256, 1};
        struct lf_keyring r2 = {&pub, 1, only_ed, 1};
        struct lf_keyring r3 = {&pub, 1, NULL, 0};
        assert_int_equal(validate_buf(img, len, &r1, NULL), is_ed ? LF_E_IMG_NO_SIG_ALG : LF_OK);
        assert_int_equal(validate_buf(img, len, &r2, NULL), is_ed ? LF_OK : LF_E_IMG_NO_SIG_ALG);
        assert_int_equal(validate_buf(img, len, &r3, NULL), LF_E_IMG_NO_SIG_ALG);
        /* a key entry of the wrong type: the signature TLV does not match it */
        struct lf_pubkey mistyped = pub;
        mistyped.type = is_ed ? LF_KEY_ECDSA_P256 : LF_KEY_ED25519;
        struct lf_keyring r4 = {&mistyped, 1, lf_image_sig_algs_all, 2};
        assert_int_equal(validate_buf(img, len, &r4, NULL), LF_E_IMG_SIG_TYPE_MISMATCH);
        /* invalid arguments */
        struct lf_keyring r5 = {NULL, 1, lf_image_sig_algs_all, 2};
        assert_int_equal(validate_buf(img, len, &r5, NULL), LF_E_INVAL);
        free(img);
    }
}

static void test_get_hash(void **state)
{
    (void)state;
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        size_t len;
        uint8_t *img = vec_file(v, &len);
        struct ram_flash rf;
        ram_flash_init(&rf, (uint32_t)len, (uint32_t)len);
        ram_flash_load(&rf, img, len, (uint32_t)len);
        uint8_t hash[32];
        int err = lf_image_get_hash(&rf.area, 0, hash);
        if (strcmp(v->name, "bad_header_magic") == 0) {
            assert_int_equal(err, LF_E_IMG_BAD_MAGIC);
        } else if (strcmp(v->name, "bad_truncated_tlv") == 0) {
            assert_int_equal(err, LF_E_IMG_TLV_AREA_OVERFLOW);
        } else {
            /* the stored SHA256 TLV, whether or not it matches */
            assert_int_equal(err, LF_OK);
            struct lf_image_header h;
            assert_int_equal(lf_image_read_header(&rf.area, 0, &h), LF_OK);
            uint32_t prot_end = (uint32_t)h.hdr_size + h.img_size + h.protect_tlv_size;
            assert_memory_equal(hash, img + prot_end + 8, 32);
        }
        ram_flash_free(&rf);
        free(img);
    }
}

/* An image anywhere in a larger area; the area end is the only bound. */
static void test_offsets_and_area_bounds(void **state)
{
    (void)state;
    const struct vector *v = vec_named("ecdsa-p256_p1k_seccnt7");
    size_t len;
    uint8_t *img = vec_file(v, &len);
    const struct test_key *keys[1] = {&key_ec};
    struct test_ring r;
    ring_of(&r, keys, 1);
    struct ram_flash rf;
    ram_flash_init(&rf, 0x4000, 0x4000);
    memcpy(rf.mem + 0x1000, img, len);
    struct lf_image_info info;
    assert_int_equal(lf_image_validate(&rf.area, 0x1000, &r.ring, &info), LF_OK);
    assert_int_equal(info.sec_cnt, 7);
    assert_int_equal(info.tlv_end, len);
    rf.area.size = 0x1000 + (uint32_t)len;
    assert_int_equal(lf_image_validate(&rf.area, 0x1000, &r.ring, &info), LF_OK);
    rf.area.size--;
    assert_int_equal(lf_image_validate(&rf.area, 0x1000, &r.ring, &info),
                     LF_E_IMG_TLV_AREA_OVERFLOW);
    /* offsets at and past the area end */
    assert_int_equal(lf_image_validate(&rf.area, rf.area.size, &r.ring, &info), LF_E_IMG_TOO_BIG);
    assert_int_equal(lf_image_validate(&rf.area, 0xffffffffu, &r.ring, &info), LF_E_IMG_TOO_BIG);
    /* nothing there: erased flash is not an image */
    assert_int_equal(lf_image_validate(&rf.area, 0, &r.ring, &info), LF_E_IMG_BAD_MAGIC);
    ram_flash_free(&rf);
    free(img);
}

/* The iterator walks both areas in flash order and flags protected entries. */
static void test_tlv_iterator(void **state)
{
    (void)state;
    const struct vector *v = vec_named("ecdsa-p256_p1k_customtlv");
    size_t len;
    uint8_t *img = vec_file(v, &len);
    struct ram_flash rf;
    ram_flash_init(&rf, (uint32_t)len, (uint32_t)len);
    ram_flash_load(&rf, img, len, (uint32_t)len);
    struct lf_image_header h;
    assert_int_equal(lf_image_read_header(&rf.area, 0, &h), LF_OK);
    struct lf_image_tlv_iter it;
    assert_int_equal(lf_image_tlv_iter_begin(&it, &rf.area, 0, &h), LF_OK);
    static const struct {
        uint16_t type;
        uint16_t len;
        bool prot;
    } want[] = {{0xa0, 4, true},
                {LF_TLV_SHA256, 32, false},
                {LF_TLV_KEYHASH, 32, false},
                {LF_TLV_ECDSA_SIG, 0, false}};
    struct lf_image_tlv t;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(lf_image_tlv_iter_next(&it, &t), 1);
        assert_int_equal(t.type, want[i].type);
        assert_int_equal(t.prot, want[i].prot);
        if (want[i].len) {
            assert_int_equal(t.len, want[i].len);
        }
        if (i == 0) {
            uint8_t val[4];
            static const uint8_t expect[4] = {0x12, 0x34, 0x56, 0x78};
            assert_int_equal(lf_image_tlv_read(&it, &t, 0, val, 4), LF_OK);
            assert_memory_equal(val, expect, 4);
            assert_int_equal(lf_image_tlv_read(&it, &t, 1, val, 4), LF_E_RANGE);
            assert_int_equal(lf_image_tlv_read(&it, &t, 5, val, 0), LF_E_RANGE);
            assert_int_equal(lf_image_tlv_read(&it, &t, 0xffffffffu, val, 2), LF_E_RANGE);
        }
    }
    assert_int_equal(lf_image_tlv_iter_next(&it, &t), 0);
    assert_int_equal(lf_image_tlv_iter_next(&it, &t), 0); /* stays at the end */
    ram_flash_free(&rf);
    free(img);
}

/* Cut the image at every length: never valid, and the error names the cut. */
static void test_truncation_every_length(void **state)
{
    (void)state;
    const char *names[] = {"ecdsa-p256_p1k_seccnt7", "ed25519_p1k_fullkey"};
    for (int n = 0; n < 2; n++) {
        const struct vector *v = vec_named(names[n]);
        size_t len;
        uint8_t *img = vec_file(v, &len);
        const struct test_key *keys[1] = {vec_key(v)};
        struct test_ring r;
        ring_of(&r, keys, 1);
        struct ram_flash rf;
        ram_flash_init(&rf, (uint32_t)len, 0);
        ram_flash_load(&rf, img, len, (uint32_t)len);
        struct lf_image_header h;
        assert_int_equal(lf_image_read_header(&rf.area, 0, &h), LF_OK);
        uint32_t need_fixed = (uint32_t)h.hdr_size + h.img_size + h.protect_tlv_size + 4;
        for (uint32_t cut = 0; cut < len; cut++) {
            rf.area.size = cut;
            struct lf_image_info info;
            int err = lf_image_validate(&rf.area, 0, &r.ring, &info);
            int want = cut < need_fixed ? LF_E_IMG_TOO_BIG : LF_E_IMG_TLV_AREA_OVERFLOW;
            if (err != want) {
                fail_msg("%s cut at %u: %s, expected %s", v->name, cut, lf_err_name(err),
                         lf_err_name(want));
            }
        }
        rf.area.size = (uint32_t)len;
        struct lf_image_info ok_info;
        assert_int_equal(lf_image_validate(&rf.area, 0, &r.ring, &ok_info), LF_OK);
        ram_flash_free(&rf);
        free(img);
    }
}

/* Flip one bit of every structural byte (header, TLV areas) and of a spread
 * of payload bytes: every such image is rejected. */
static void test_bitflip_everywhere(void **state)
{
    (void)state;
    const char *names[] = {"ecdsa-p256_p1k_seccnt7", "ed25519_p1k", "ecdsa-p256_p1k_padsig"};
    for (int n = 0; n < 3; n++) {
        const struct vector *v = vec_named(names[n]);
        size_t len;
        uint8_t *img = vec_file(v, &len);
        const struct test_key *keys[1] = {vec_key(v)};
        struct test_ring r;
        ring_of(&r, keys, 1);
        int rejected = 0;
        for (size_t i = 0; i < len; i++) {
            bool structural = i < 0x40 || i >= 0x600;
            if (!structural && i % 53 != 0) {
                continue;
            }
            for (int bit = 0; bit < 8; bit += structural ? 3 : 8) {
                img[i] ^= (uint8_t)(1u << bit);
                int err = validate_buf(img, len, &r.ring, NULL);
                img[i] ^= (uint8_t)(1u << bit);
                if (err == LF_OK) {
                    fail_msg("%s: flipping bit %d of byte 0x%zx still validates", v->name, bit, i);
                }
                rejected++;
            }
        }
        assert_true(rejected > 400);
        assert_int_equal(validate_buf(img, len, &r.ring, NULL), LF_OK);
        free(img);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest_complete),  cmocka_unit_test(test_every_vector_verdict),
        cmocka_unit_test(test_keyring_variants),   cmocka_unit_test(test_algorithm_table),
        cmocka_unit_test(test_get_hash),           cmocka_unit_test(test_offsets_and_area_bounds),
        cmocka_unit_test(test_tlv_iterator),       cmocka_unit_test(test_truncation_every_length),
        cmocka_unit_test(test_bitflip_everywhere),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
