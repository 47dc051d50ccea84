/*
 * Every rejection of the validator, provoked on an image that is otherwise
 * valid (built and signed here with OpenSSL), plus the header helpers.
 * docs/image-format.md lists the checks in the same order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image_test_util.h"
#include "lf/err.h"

#define BUF_CAP 16384

static struct test_key ec;    /* private: signs */
static struct test_key ed;    /* private: signs */
static struct test_key ec2;   /* private, not in the keyring */
static struct test_ring ring; /* ec and ed */

static int setup(void **state)
{
    (void)state;
    load_key(VEC_DIR "/keys/ecdsa-p256.pem", &ec);
    load_key(VEC_DIR "/keys/ed25519.pem", &ed);
    load_key(VEC_DIR "/keys/ecdsa-p256-wrong.pem", &ec2);
    const struct test_key *keys[2] = {&ec, &ed};
    ring_of(&ring, keys, 2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free_key(&ec);
    free_key(&ed);
    free_key(&ec2);
    return 0;
}

static uint8_t buf[BUF_CAP];

static size_t build(const struct tb_image *t)
{
    return tb_build(t, buf, sizeof(buf));
}

static int check(size_t len)
{
    return validate_buf(buf, len, &ring.ring, NULL);
}

static void put16(size_t off, uint16_t v)
{
    buf[off] = (uint8_t)v;
    buf[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
    put16(off, (uint16_t)v);
    put16(off + 2, (uint16_t)(v >> 16));
}

/* Offsets of the built default image (no protected TLVs). */
#define TLV_OFF     (0x200u + 1024u)
#define UNPROT_TOT  (TLV_OFF + 2u)
#define FIRST_ENTRY (TLV_OFF + 4u)

static void test_baseline_valid(void **state)
{
    (void)state;
    const struct test_key *keys[] = {&ec, &ed};
    for (int i = 0; i < 2; i++) {
        struct tb_image t;
        tb_default(&t, keys[i]);
        size_t n = build(&t);
        struct lf_image_info info;
        assert_int_equal(validate_buf(buf, n, &ring.ring, &info), LF_OK);
        assert_int_equal(info.key_index, i);
        assert_int_equal(info.tlv_end, n);
        assert_false(info.has_sec_cnt);
        /* full key instead of its hash */
        t.unprot[1] = (struct tb_tlv){LF_TLV_PUBKEY, 0, NULL};
        n = build(&t);
        assert_int_equal(check(n), LF_OK);
    }
}

/* ---- header ---------------------------------------------------------------- */

static void test_header_flags(void **state)
{
    (void)state;
    static const struct {
        uint32_t flags;
        int err;
    } cases[] = {
        {LF_IMAGE_F_NON_BOOTABLE, LF_E_IMG_NON_BOOTABLE},
        {LF_IMAGE_F_ENCRYPTED_AES128, LF_E_IMG_ENCRYPTED},
        {LF_IMAGE_F_ENCRYPTED_AES256, LF_E_IMG_ENCRYPTED},
        {LF_IMAGE_F_COMPRESSED_LZMA1, LF_E_IMG_COMPRESSED},
        {LF_IMAGE_F_COMPRESSED_LZMA2, LF_E_IMG_COMPRESSED},
        {LF_IMAGE_F_COMPRESSED_ARM_THUMB, LF_E_IMG_COMPRESSED},
        {LF_IMAGE_F_ENCRYPTED_AES128 | LF_IMAGE_F_NON_BOOTABLE, LF_E_IMG_NON_BOOTABLE},
        /* flags the validator has no objection to (boot policy decides) */
        {LF_IMAGE_F_PIC, LF_OK},
        {LF_IMAGE_F_RAM_LOAD, LF_OK},
        {LF_IMAGE_F_ROM_FIXED, LF_OK},
        {0x80000000u, LF_OK},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tb_image t;
        tb_default(&t, &ec);
        t.flags = cases[i].flags;
        assert_int_equal(check(build(&t)), cases[i].err);
    }
}

static void test_header_fields(void **state)
{
    (void)state;
    struct tb_image t;
    tb_default(&t, &ed);
    size_t n = build(&t);

    buf[0] ^= 0x01;
    assert_int_equal(check(n), LF_E_IMG_BAD_MAGIC);
    put32(0, 0x96f3b83cu); /* IMAGE_MAGIC_V1 is obsolete */
    assert_int_equal(check(n), LF_E_IMG_BAD_MAGIC);
    put32(0, 0xffffffffu); /* erased */
    assert_int_equal(check(n), LF_E_IMG_BAD_MAGIC);
    put32(0, LF_IMAGE_MAGIC);

    static const struct {
        uint16_t hdr_size;
        int err;
    } sizes[] = {{0, LF_E_IMG_HDR_TOO_SMALL},
                 {31, LF_E_IMG_HDR_TOO_SMALL},
                 {LF_IMAGE_MAX_HDR_SIZE + 1, LF_E_IMG_HDR_TOO_LARGE},
                 {0xffff, LF_E_IMG_HDR_TOO_LARGE}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        put16(8, sizes[i].hdr_size);
        assert_int_equal(check(n), sizes[i].err);
    }
    put16(8, 0x200);

    /* hdr + img + prot (+ the unprotected info) past the area, incl. wrap */
    static const uint32_t img_sizes[] = {0xffffffffu, 0xfffffe00u, 0x80000000u};
    for (size_t i = 0; i < 3; i++) {
        put32(12, img_sizes[i]);
        assert_int_equal(check(n), LF_E_IMG_TOO_BIG);
    }
    put32(12, (uint32_t)(n - 0x200 - 4 + 1)); /* one byte too many */
    assert_int_equal(check(n), LF_E_IMG_TOO_BIG);
    put32(12, (uint32_t)(n - 0x200 - 4)); /* fits; the info found there is junk */
    assert_int_not_equal(check(n), LF_E_IMG_TOO_BIG);
    put32(12, 1024);
    assert_int_equal(check(n), LF_OK);

    /* the largest header accepted, exactly */
    t.hdr_size = LF_IMAGE_MAX_HDR_SIZE;
    assert_int_equal(check(build(&t)), LF_OK);
    t.hdr_size = 32;
    assert_int_equal(check(build(&t)), LF_OK);
}

static void test_header_api(void **state)
{
    (void)state;
    static const uint8_t raw[32] = {0x3d, 0xb8, 0xf3, 0x96, 0x00, 0x00, 0x02, 0x08,
                                    0x00, 0x02, 0x0c, 0x00, 0x00, 0x04, 0x00, 0x00,
                                    0x00, 0x01, 0x00, 0x00, 0x01, 0x02, 0x03, 0x01,
                                    0x04, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00};
    struct lf_image_header h;
    lf_image_header_decode(raw, &h);
    assert_int_equal(h.magic, LF_IMAGE_MAGIC);
    assert_int_equal(h.load_addr, 0x08020000);
    assert_int_equal(h.hdr_size, 0x200);
    assert_int_equal(h.protect_tlv_size, 12);
    assert_int_equal(h.img_size, 0x400);
    assert_int_equal(h.flags, LF_IMAGE_F_ROM_FIXED);
    assert_int_equal(h.version.major, 1);
    assert_int_equal(h.version.minor, 2);
    assert_int_equal(h.version.revision, 0x103);
    assert_int_equal(h.version.build, 0x80000004u);
    uint32_t addr = 0;
    assert_int_equal(lf_image_rom_fixed_addr(&h, &addr), LF_OK);
    assert_int_equal(addr, 0x08020000);
    assert_int_equal(lf_image_header_check(&h, 0x200 + 0x400 + 12 + 4), LF_OK);
    assert_int_equal(lf_image_header_check(&h, 0x200 + 0x400 + 12 + 3), LF_E_IMG_TOO_BIG);
    h.flags = 0;
    addr = 0x1234;
    assert_int_equal(lf_image_rom_fixed_addr(&h, &addr), LF_E_IMG_NOT_ROM_FIXED);
    assert_int_equal(addr, 0x1234);
}

static void test_version_cmp(void **state)
{
    (void)state;
    static const struct {
        struct lf_image_version a, b;
        int want;
    } cases[] = {
        {{1, 2, 3, 4}, {1, 2, 3, 4}, 0},
        {{1, 2, 3, 4}, {1, 2, 3, 99}, 0}, /* build number ignored */
        {{1, 2, 3, 0}, {1, 2, 4, 0}, -1},
        {{1, 3, 0, 0}, {1, 2, 65535, 0}, 1},
        {{2, 0, 0, 0}, {1, 255, 65535, 0xffffffffu}, 1},
        {{0, 0, 0, 0}, {255, 0, 0, 0}, -1},
        {{1, 2, 0x100, 0}, {1, 2, 0xff, 0}, 1}, /* revision is 16-bit */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(lf_image_version_cmp(&cases[i].a, &cases[i].b), cases[i].want);
        assert_int_equal(lf_image_version_cmp(&cases[i].b, &cases[i].a), -cases[i].want);
    }
}

/* ---- TLV info headers ------------------------------------------------------- */

static void test_protected_info(void **state)
{
    (void)state;
    uint8_t cnt[4] = {0x07, 0, 0, 0};
    struct tb_image t;
    tb_default(&t, &ec);
    t.prot[t.nprot++] = (struct tb_tlv){LF_TLV_SEC_CNT, 4, cnt};
    size_t n = build(&t);
    struct lf_image_info info;
    assert_int_equal(validate_buf(buf, n, &ring.ring, &info), LF_OK);
    assert_true(info.has_sec_cnt);
    assert_int_equal(info.sec_cnt, 7);
    assert_int_equal(info.prot_end, TLV_OFF + 12);

    put16(10, 0); /* header denies the protected area that is there */
    assert_int_equal(check(n), LF_E_IMG_PROT_SIZE_MISMATCH);
    put16(10, 16);
    assert_int_equal(check(n), LF_E_IMG_PROT_SIZE_MISMATCH);
    put16(10, 2); /* shorter than its own info header */
    assert_int_equal(check(n), LF_E_IMG_TLV_INFO_SIZE);
    put16(10, 12);
    put16(TLV_OFF, LF_IMAGE_TLV_INFO); /* wrong magic for a protected area */
    assert_int_equal(check(n), LF_E_IMG_PROT_INFO_MAGIC);
    put16(TLV_OFF, LF_IMAGE_TLV_PROT_INFO);
    put16(TLV_OFF + 2, 16);
    assert_int_equal(check(n), LF_E_IMG_PROT_SIZE_MISMATCH);
    put16(TLV_OFF + 2, 12);
    put16(TLV_OFF + 12, 0x6909); /* the unprotected info after it */
    assert_int_equal(check(n), LF_E_IMG_TLV_INFO_MAGIC);
    put16(TLV_OFF + 12, LF_IMAGE_TLV_INFO);
    assert_int_equal(check(n), LF_OK);
    /* protected size so large the area ends past the slot */
    put16(10, 0xfff0);
    put16(TLV_OFF + 2, 0xfff0);
    assert_int_equal(check(n), LF_E_IMG_TOO_BIG);
}

static void test_unprotected_info(void **state)
{
    (void)state;
    struct tb_image t;
    tb_default(&t, &ec);
    size_t n = build(&t);
    uint16_t tot = (uint16_t)(n - TLV_OFF);

    put16(TLV_OFF, 0x6906);
    assert_int_equal(check(n), LF_E_IMG_TLV_INFO_MAGIC);
    put16(TLV_OFF, 0xffff);
    assert_int_equal(check(n), LF_E_IMG_TLV_INFO_MAGIC);
    put16(TLV_OFF, LF_IMAGE_TLV_INFO);
    for (uint16_t bad = 0; bad < 4; bad++) {
        put16(UNPROT_TOT, bad);
        assert_int_equal(check(n), LF_E_IMG_TLV_INFO_SIZE);
    }
    put16(UNPROT_TOT, (uint16_t)(tot + 1));
    assert_int_equal(check(n), LF_E_IMG_TLV_AREA_OVERFLOW);
    put16(UNPROT_TOT, 0xffff);
    assert_int_equal(check(n), LF_E_IMG_TLV_AREA_OVERFLOW);
    /* ending the area at each entry boundary drops the entries after it */
    put16(UNPROT_TOT, 4);
    assert_int_equal(check(n), LF_E_IMG_NO_HASH);
    put16(UNPROT_TOT, 4 + 36);
    assert_int_equal(check(n), LF_E_IMG_NO_KEY);
    put16(UNPROT_TOT, 4 + 72);
    assert_int_equal(check(n), LF_E_IMG_NO_SIG);
    /* ... and inside an entry header or payload */
    static const uint16_t mid[] = {5, 6, 7, 8, 39, 41, 43, 75, 77, 79};
    for (size_t i = 0; i < sizeof(mid) / sizeof(mid[0]); i++) {
        put16(UNPROT_TOT, mid[i]);
        assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
    }
    put16(UNPROT_TOT, (uint16_t)(tot - 1));
    assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
    put16(UNPROT_TOT, tot);
    assert_int_equal(check(n), LF_OK);
    /* the empty unprotected area fits exactly at the end of the slot */
    put16(UNPROT_TOT, 4);
    assert_int_equal(check(TLV_OFF + 4), LF_E_IMG_NO_HASH);
}

static void test_entry_bounds(void **state)
{
    (void)state;
    struct tb_image t;
    tb_default(&t, &ec);
    size_t n = build(&t);
    /* each entry's length one past its area, and huge */
    size_t entry = FIRST_ENTRY;
    for (int i = 0; i < 3; i++) {
        uint16_t len = (uint16_t)(buf[entry + 2] | buf[entry + 3] << 8);
        uint16_t past = (uint16_t)(n - entry - 4 + 1);
        put16(entry + 2, past);
        assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
        put16(entry + 2, 0xffff);
        assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
        put16(entry + 2, len);
        entry += 4u + len;
    }
    assert_int_equal(check(n), LF_OK);

    /* a protected entry must end inside the protected area (a vendor TLV,
     * whose length the validator does not judge) */
    uint8_t vendor[4] = {1, 0, 0, 0};
    t.prot[t.nprot++] = (struct tb_tlv){0x00a0, 4, vendor};
    n = build(&t);
    put16(TLV_OFF + 6, 5); /* crosses into the unprotected info */
    assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
    put16(TLV_OFF + 6, 2); /* leaves 2 bytes: not room for an entry header */
    assert_int_equal(check(n), LF_E_IMG_TLV_ENTRY_OVERFLOW);
    put16(TLV_OFF + 6, 4);
    assert_int_equal(check(n), LF_OK);
}

/* ---- TLV types and multiplicity --------------------------------------------- */

static void test_unprotected_types(void **state)
{
    (void)state;
    static const struct {
        uint16_t type;
        uint16_t len;
        int err;
    } cases[] = {
        {LF_TLV_SEC_CNT, 4, LF_E_IMG_TLV_NOT_ALLOWED}, /* never read from here */
        {LF_TLV_DEPENDENCY, 12, LF_E_IMG_TLV_NOT_ALLOWED},
        {LF_TLV_BOOT_RECORD, 8, LF_E_IMG_TLV_NOT_ALLOWED},
        {0x00a0, 4, LF_E_IMG_TLV_NOT_ALLOWED},
        {0xfffe, 0, LF_E_IMG_TLV_NOT_ALLOWED},
        {0x0000, 0, LF_E_IMG_TLV_NOT_ALLOWED},
        {0x0110, 32, LF_E_IMG_TLV_NOT_ALLOWED}, /* SHA256 in the low byte only */
        {LF_TLV_SHA384, 48, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_SHA512, 64, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_RSA2048_PSS, 256, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ECDSA224, 64, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_RSA3072_PSS, 384, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_SIG_PURE, 1, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ENC_RSA2048, 256, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ENC_KW, 24, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ENC_EC256, 113, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ENC_X25519, 80, LF_E_IMG_TLV_UNSUPPORTED},
        {LF_TLV_ENC_X25519_SHA512, 112, LF_E_IMG_TLV_UNSUPPORTED},
    };
    static uint8_t junk[400];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int where = 0; where < 2; where++) {
            struct tb_image t;
            tb_default(&t, &ec);
            struct tb_tlv extra = {cases[i].type, cases[i].len, junk};
            if (where == 0) {
                t.unprot[t.nunprot++] = extra; /* after the signature */
            } else {
                memmove(&t.unprot[1], &t.unprot[0], 3 * sizeof(t.unprot[0]));
                t.unprot[0] = extra; /* before everything */
                t.nunprot++;
            }
            int err = check(build(&t));
            if (err != cases[i].err) {
                fail_msg("type 0x%x: %s", cases[i].type, lf_err_name(err));
            }
        }
    }
}

static void test_protected_types(void **state)
{
    (void)state;
    static const struct {
        uint16_t type;
        uint16_t len;
        int err;
    } cases[] = {
        {LF_TLV_SHA256, 32, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_KEYHASH, 32, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_PUBKEY, 91, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_ECDSA_SIG, 72, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_ED25519, 64, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_SHA512, 64, LF_E_IMG_TLV_MISPLACED},
        {LF_TLV_ENC_KW, 24, LF_E_IMG_TLV_MISPLACED},
        /* covered by the hash and not the validator's business: ignored */
        {0x00a0, 4, LF_OK},
        {0xfffe, 0, LF_OK},
        {LF_TLV_DEPENDENCY, 12, LF_OK},
        {LF_TLV_BOOT_RECORD, 20, LF_OK},
        {0x0074, 16, LF_OK},
        {0x1234, 3, LF_OK},
    };
    static uint8_t junk[100];
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tb_image t;
        tb_default(&t, &ec);
        t.prot[t.nprot++] = (struct tb_tlv){cases[i].type, cases[i].len, junk};
        int err = check(build(&t));
        if (err != cases[i].err) {
            fail_msg("protected type 0x%x: %s", cases[i].type, lf_err_name(err));
        }
    }
}

static void test_security_counter(void **state)
{
    (void)state;
    uint8_t v[8] = {0xef, 0xbe, 0xad, 0xde, 0, 0, 0, 0};
    uint8_t vendor[4] = {1, 2, 3, 4};
    struct tb_image t;
    tb_default(&t, &ed);
    t.prot[t.nprot++] = (struct tb_tlv){0x00a0, 4, vendor};
    t.prot[t.nprot++] = (struct tb_tlv){LF_TLV_SEC_CNT, 4, v};
    struct lf_image_info info;
    size_t n = build(&t);
    assert_int_equal(validate_buf(buf, n, &ring.ring, &info), LF_OK);
    assert_true(info.has_sec_cnt);
    assert_int_equal(info.sec_cnt, 0xdeadbeefu);

    t.prot[1].len = 8;
    assert_int_equal(check(build(&t)), LF_E_IMG_SEC_CNT_LEN);
    t.prot[1].len = 0;
    assert_int_equal(check(build(&t)), LF_E_IMG_SEC_CNT_LEN);
    t.prot[1].len = 3;
    assert_int_equal(check(build(&t)), LF_E_IMG_SEC_CNT_LEN);
    t.prot[1].len = 4;
    t.prot[t.nprot++] = (struct tb_tlv){LF_TLV_SEC_CNT, 4, v};
    assert_int_equal(check(build(&t)), LF_E_IMG_DUP_SEC_CNT);
}

static void test_multiplicity_and_order(void **state)
{
    (void)state;
    static const uint8_t zero[128];
    struct tb_tlv sha = {LF_TLV_SHA256, 32, NULL};
    struct tb_tlv kh = {LF_TLV_KEYHASH, 32, NULL};
    struct tb_tlv pk = {LF_TLV_PUBKEY, 0, NULL};
    struct tb_tlv sig = {LF_TLV_ECDSA_SIG, 72, NULL};
    struct tb_tlv edsig = {LF_TLV_ED25519, 64, zero};
    static const struct {
        int n;
        int idx[5]; /* 0 sha, 1 kh, 2 pk, 3 sig, 4 edsig */
        int err;
    } cases[] = {
        {2, {1, 3}, LF_E_IMG_NO_HASH},
        {2, {0, 3}, LF_E_IMG_SIG_BEFORE_KEY}, /* a signature with no key before it */
        {2, {0, 1}, LF_E_IMG_NO_SIG},
        {4, {0, 0, 1, 3}, LF_E_IMG_DUP_HASH},
        {4, {0, 1, 3, 0}, LF_E_IMG_DUP_HASH},
        {4, {0, 1, 2, 3}, LF_E_IMG_DUP_KEY},
        {4, {0, 1, 1, 3}, LF_E_IMG_DUP_KEY},
        {4, {0, 1, 3, 3}, LF_E_IMG_DUP_SIG},
        {4, {0, 1, 3, 4}, LF_E_IMG_DUP_SIG},
        {4, {0, 1, 3, 1}, LF_E_IMG_DUP_KEY},
        {3, {0, 3, 1}, LF_E_IMG_SIG_BEFORE_KEY},
        {3, {1, 3, 0}, LF_OK}, /* the hash may come anywhere */
        {3, {1, 0, 3}, LF_OK},
        {3, {0, 2, 3}, LF_OK},
    };
    const struct tb_tlv *pool[5] = {&sha, &kh, &pk, &sig, &edsig};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tb_image t;
        tb_default(&t, &ec);
        t.nunprot = cases[i].n;
        for (int j = 0; j < cases[i].n; j++) {
            t.unprot[j] = *pool[cases[i].idx[j]];
        }
        int err = check(build(&t));
        if (err != cases[i].err) {
            fail_msg("case %zu: %s, expected %s", i, lf_err_name(err), lf_err_name(cases[i].err));
        }
    }
}

static void test_tlv_lengths(void **state)
{
    (void)state;
    static uint8_t junk[200];
    static const struct {
        int slot; /* which default TLV to replace: 0 sha, 1 key, 2 sig */
        uint16_t type;
        uint16_t len;
        const struct test_key *key;
        int err;
    } cases[] = {
        {0, LF_TLV_SHA256, 31, &ec, LF_E_IMG_HASH_LEN},
        {0, LF_TLV_SHA256, 33, &ec, LF_E_IMG_HASH_LEN},
        {0, LF_TLV_SHA256, 0, &ec, LF_E_IMG_HASH_LEN},
        {1, LF_TLV_KEYHASH, 20, &ec, LF_E_IMG_KEYHASH_LEN},
        {1, LF_TLV_KEYHASH, 48, &ec, LF_E_IMG_KEYHASH_LEN},
        {1, LF_TLV_PUBKEY, 0, &ec, LF_E_IMG_PUBKEY_LEN},
        {1, LF_TLV_PUBKEY, LF_IMAGE_MAX_PUBKEY_SIZE + 1, &ec, LF_E_IMG_PUBKEY_LEN},
        {1, LF_TLV_PUBKEY, 91, &ec, LF_E_IMG_UNKNOWN_KEY}, /* junk bytes: no such key */
        {2, LF_TLV_ECDSA_SIG, 7, &ec, LF_E_IMG_SIG_LEN},
        {2, LF_TLV_ECDSA_SIG, 73, &ec, LF_E_IMG_SIG_LEN},
        {2, LF_TLV_ECDSA_SIG, 0, &ec, LF_E_IMG_SIG_LEN},
        {2, LF_TLV_ECDSA_SIG, 72, &ec, LF_E_IMG_SIG_ENCODING}, /* zeros: not DER */
        {2, LF_TLV_ED25519, 63, &ed, LF_E_IMG_SIG_LEN},
        {2, LF_TLV_ED25519, 65, &ed, LF_E_IMG_SIG_LEN},
        {2, LF_TLV_ED25519, 64, &ec, LF_E_IMG_SIG_TYPE_MISMATCH},
        {2, LF_TLV_ECDSA_SIG, 72, &ed, LF_E_IMG_SIG_TYPE_MISMATCH},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct tb_image t;
        tb_default(&t, cases[i].key);
        t.unprot[cases[i].slot] = (struct tb_tlv){cases[i].type, cases[i].len, junk};
        int err = check(build(&t));
        if (err != cases[i].err) {
            fail_msg("case %zu: %s, expected %s", i, lf_err_name(err), lf_err_name(cases[i].err));
        }
    }
}

/* ---- hash, key and signature -------------------------------------------------- */

static void test_crypto_rejections(void **state)
{
    (void)state;
    const struct test_key *keys[] = {&ec, &ed};
    for (int k = 0; k < 2; k++) {
        struct tb_image t;
        tb_default(&t, keys[k]);
        size_t n = build(&t);
        size_t sig = FIRST_ENTRY + 36 + 36 + 4;

        buf[0x200 + 100] ^= 0x40; /* payload */
        assert_int_equal(check(n), LF_E_IMG_HASH_MISMATCH);
        tb_refresh(buf, n, NULL); /* hash fixed, signature stale */
        assert_int_equal(check(n), LF_E_IMG_BAD_SIGNATURE);
        tb_refresh(buf, n, keys[k]); /* re-signed */
        assert_int_equal(check(n), LF_OK);

        buf[0x40] ^= 1; /* header padding is hashed too */
        assert_int_equal(check(n), LF_E_IMG_HASH_MISMATCH);
        buf[0x40] ^= 1;
        buf[FIRST_ENTRY + 4 + 31] ^= 0x80; /* the SHA256 TLV itself */
        assert_int_equal(check(n), LF_E_IMG_HASH_MISMATCH);
        buf[FIRST_ENTRY + 4 + 31] ^= 0x80;
        buf[sig + 12] ^= 0x10; /* inside r (ECDSA) or R (Ed25519) */
        int err = check(n);
        assert_true(err == LF_E_IMG_BAD_SIGNATURE || err == LF_E_IMG_SIG_ENCODING);
        buf[sig + 12] ^= 0x10;
        buf[n - 1] ^= 0x01; /* last byte of s / S */
        err = check(n);
        assert_true(err == LF_E_IMG_BAD_SIGNATURE || err == LF_E_IMG_SIG_ENCODING);
        buf[n - 1] ^= 0x01;
        assert_int_equal(check(n), LF_OK);
    }
    /* Ed25519 S >= L is refused as an encoding error, not verified */
    struct tb_image t;
    tb_default(&t, &ed);
    size_t n = build(&t);
    memset(buf + n - 32, 0xff, 32);
    assert_int_equal(check(n), LF_E_IMG_SIG_ENCODING);
}

static void test_key_rejections(void **state)
{
    (void)state;
    /* signed by a key the keyring does not hold, by hash and by full key */
    struct tb_image t;
    tb_default(&t, &ec2);
    assert_int_equal(check(build(&t)), LF_E_IMG_UNKNOWN_KEY);
    t.unprot[1] = (struct tb_tlv){LF_TLV_PUBKEY, 0, NULL};
    assert_int_equal(check(build(&t)), LF_E_IMG_UNKNOWN_KEY);

    /* the trusted key's KEYHASH on an image signed by another key */
    struct test_key mixed = ec2;
    memcpy(mixed.der, ec.der, ec.der_len);
    mixed.der_len = ec.der_len;
    tb_default(&t, &mixed);
    assert_int_equal(check(build(&t)), LF_E_IMG_BAD_SIGNATURE);
    t.unprot[1] = (struct tb_tlv){LF_TLV_PUBKEY, 0, NULL};
    assert_int_equal(check(build(&t)), LF_E_IMG_BAD_SIGNATURE);

    /* a keyring entry that is not a valid key, named by the image */
    struct test_key broken = ec;
    memset(broken.der, 0x42, sizeof(broken.der));
    broken.der_len = 91;
    tb_default(&t, &broken);
    const struct test_key *keys[1] = {&broken};
    struct test_ring r;
    ring_of(&r, keys, 1);
    size_t n = build(&t);
    assert_int_equal(validate_buf(buf, n, &r.ring, NULL), LF_E_IMG_BAD_KEY);
}

/* A PUBKEY TLV that is DER of the wrong key type for the keyring entry with
 * the same hash cannot happen (same bytes), but a key entry of the wrong
 * declared type is caught before any crypto. */
static void test_pubkey_image_hash_only_ring(void **state)
{
    (void)state;
    struct tb_image t;
    tb_default(&t, &ed);
    t.unprot[1] = (struct tb_tlv){LF_TLV_PUBKEY, 0, NULL};
    size_t n = build(&t);
    uint8_t h_ed[32];
    uint8_t h_ec[32];
    lf_sha256(ed.der, ed.der_len, h_ed);
    lf_sha256(ec.der, ec.der_len, h_ec);
    struct lf_pubkey hashes[2] = {{.type = LF_KEY_ECDSA_P256, .hash = h_ec},
                                  {.type = LF_KEY_ED25519, .hash = h_ed}};
    struct lf_keyring r = {hashes, 2, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
    struct lf_image_info info;
    assert_int_equal(validate_buf(buf, n, &r, &info), LF_OK);
    assert_int_equal(info.key_index, 1);
    /* an entry with neither der nor hash is skipped, never dereferenced */
    struct lf_pubkey empty[2] = {{.type = LF_KEY_ED25519}, hashes[1]};
    struct lf_keyring r2 = {empty, 2, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
    assert_int_equal(validate_buf(buf, n, &r2, &info), LF_OK);
    assert_int_equal(info.key_index, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_baseline_valid),
        cmocka_unit_test(test_header_flags),
        cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_header_api),
        cmocka_unit_test(test_version_cmp),
        cmocka_unit_test(test_protected_info),
        cmocka_unit_test(test_unprotected_info),
        cmocka_unit_test(test_entry_bounds),
        cmocka_unit_test(test_unprotected_types),
        cmocka_unit_test(test_protected_types),
        cmocka_unit_test(test_security_counter),
        cmocka_unit_test(test_multiplicity_and_order),
        cmocka_unit_test(test_tlv_lengths),
        cmocka_unit_test(test_crypto_rejections),
        cmocka_unit_test(test_key_rejections),
        cmocka_unit_test(test_pubkey_image_hash_only_ring),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
