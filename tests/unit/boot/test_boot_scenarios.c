/*
 * Scenario tests of the upgrade engine on the virtual device, for every
 * (board, strategy) pair we ship: upgrade (test, reset, confirm), revert
 * (test, reset, reset without confirm), permanent upgrade, bad signature,
 * wrong key (signed with an untrusted key, or a trusted signature whose
 * KEYHASH names an untrusted key), a payload changed after signing (as an
 * update and as the primary), downgrade attempts, oversized image, leftover trailers, foreign
 * images and the classify hook, the security-counter hooks, and a layout the
 * strategy cannot use. Images are signed with OpenSSL (boot_testlib.c); both
 * slots' contents and trailers are checked after each step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "boot_testlib.h"
#include "lf/err.h"
#include "lf/sha256.h"

struct config {
    const char *name;
    const struct lf_board *board;
    const struct lf_boot_strategy *strategy;
};

static const struct config configs[] = {
    {"dk/move", &lf_board_nrf52840dk, &lf_boot_strategy_swap_move},
    {"dk/scratch", &lf_board_nrf52840dk, &lf_boot_strategy_swap_scratch},
    {"dk/overwrite", &lf_board_nrf52840dk, &lf_boot_strategy_overwrite},
    {"qspi/move", &lf_board_nrf52840dk_qspi, &lf_boot_strategy_swap_move},
    {"qspi/scratch", &lf_board_nrf52840dk_qspi, &lf_boot_strategy_swap_scratch},
    {"qspi/overwrite", &lf_board_nrf52840dk_qspi, &lf_boot_strategy_overwrite},
    {"nor64k/scratch", &lf_board_nrf52840dk_nor64k, &lf_boot_strategy_swap_scratch},
    {"nor64k/overwrite", &lf_board_nrf52840dk_nor64k, &lf_boot_strategy_overwrite},
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

/* Shared keys and images (made once). */
static struct bt_key key;
static struct bt_key wrong_key;
static struct bt_keyring ring;
static struct bt_image v1;         /* 1.0.0, sec_cnt 1 */
static struct bt_image v2;         /* 2.0.0, sec_cnt 2 */
static struct bt_image v2_bad;     /* v2 with one signature bit flipped */
static struct bt_image v2_wrong;   /* signed with the untrusted key, its KEYHASH */
static struct bt_image v2_keyhash; /* signed with the trusted key, the untrusted key's KEYHASH */
static struct bt_image v2_payload; /* one payload byte changed after signing */
static struct bt_image v1_payload; /* the same for a factory primary */
static struct bt_image v3_cnt1;    /* 3.0.0 with sec_cnt 1 (counter downgrade) */
static struct bt_image v3_nocnt;
static struct bt_image rom_fixed; /* linked for S0 */

/* Per-test state. */
struct sc {
    const struct config *c;
    char dirname[128];
    struct lf_sim_device dev;
    bool open;
    const struct lf_flash_area *pri;
    const struct lf_flash_area *sec;
    struct bt_boot_opts opts;
    uint32_t stored_cnt; /* the security-counter hooks' storage */
    unsigned cnt_sets;
    int classify_answer;
    unsigned classify_calls;
};

static int make(struct bt_image *img, const struct bt_key *k, uint8_t major, uint32_t len,
                bool has_cnt, uint32_t cnt, uint32_t flags, uint32_t load_addr)
{
    struct bt_image_spec s = {.key = k,
                              .ver = {major, 0, 0, 0},
                              .payload_len = len,
                              .seed = major * 31u + len,
                              .has_sec_cnt = has_cnt,
                              .sec_cnt = cnt,
                              .flags = flags,
                              .load_addr = load_addr};
    return bt_image_make(&s, img);
}

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

/* Offset of the value of the first unprotected TLV of `type`, or 0. */
static uint32_t tlv_find(const struct bt_image *img, uint16_t type)
{
    const uint8_t *b = img->data;
    uint32_t off = le16(b + 8) + (le16(b + 12) | le16(b + 14) << 16);
    if (le16(b + off) == LF_IMAGE_TLV_PROT_INFO) {
        off += le16(b + off + 2);
    }
    if (le16(b + off) != LF_IMAGE_TLV_INFO) {
        return 0;
    }
    uint32_t end = off + le16(b + off + 2);
    for (off += 4; off + 4 <= end && end <= img->len; off += 4 + le16(b + off + 2)) {
        if (le16(b + off) == type) {
            return off + 4;
        }
    }
    return 0;
}

/* The image's KEYHASH TLV is the SHA-256 of k's public key. */
static bool keyhash_is(const struct bt_image *img, const struct bt_key *k)
{
    uint8_t h[LF_SHA256_SIZE];
    lf_sha256(k->der, k->der_len, h);
    uint32_t at = tlv_find(img, LF_TLV_KEYHASH);
    return at != 0 && le16(img->data + at - 2) == LF_SHA256_SIZE &&
           memcmp(img->data + at, h, sizeof(h)) == 0;
}

static int group_setup(void **state)
{
    (void)state;
    if (bt_key_load(&key, "ecdsa-p256.pem") || bt_key_load(&wrong_key, "ecdsa-p256-wrong.pem")) {
        return -1;
    }
    bt_keyring_init(&ring, &key);
    int err = make(&v1, &key, 1, 9000, true, 1, 0, 0) | make(&v2, &key, 2, 13000, true, 2, 0, 0) |
              make(&v2_bad, &key, 2, 13000, true, 2, 0, 0) |
              make(&v2_wrong, &wrong_key, 2, 13000, true, 2, 0, 0) |
              make(&v2_keyhash, &key, 2, 13000, true, 2, 0, 0) |
              make(&v2_payload, &key, 2, 13000, true, 2, 0, 0) |
              make(&v1_payload, &key, 1, 9000, true, 1, 0, 0) |
              make(&v3_cnt1, &key, 3, 5000, true, 1, 0, 0) |
              make(&v3_nocnt, &key, 3, 5000, false, 0, 0, 0) |
              make(&rom_fixed, &key, 4, 3000, false, 0, LF_IMAGE_F_ROM_FIXED, 0x4000);
    v2_bad.data[v2_bad.len - 1] ^= 0x01; /* last byte of the DER signature: s */
    if (err) {
        return err;
    }
    /* one payload byte, after signing: header 0x200, payload 13000 / 9000 */
    v2_payload.data[0x200 + 6000] ^= 0x10;
    v1_payload.data[0x200 + 100] ^= 0x01;
    /* the trusted signature kept, the key named by the untrusted key's hash */
    uint32_t at = tlv_find(&v2_keyhash, LF_TLV_KEYHASH);
    if (at == 0) {
        return -1;
    }
    lf_sha256(wrong_key.der, wrong_key.der_len, v2_keyhash.data + at);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    struct bt_image *all[] = {&v1,         &v2,         &v2_bad,  &v2_wrong, &v2_keyhash,
                              &v2_payload, &v1_payload, &v3_cnt1, &v3_nocnt, &rom_fixed};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        bt_image_free(all[i]);
    }
    bt_key_free(&key);
    bt_key_free(&wrong_key);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------- */

static bool is_swap(const struct sc *s)
{
    return s->c->strategy->can_revert;
}

static void fresh_device(struct sc *s, const struct bt_image *primary)
{
    if (s->open) {
        lf_sim_device_close(&s->dev);
    }
    assert_int_equal(bt_dev_create(&s->dev, s->dirname, s->c->board), LF_OK);
    s->open = true;
    s->pri = lf_sim_device_area(&s->dev, LF_AREA_APP_PRIMARY);
    s->sec = lf_sim_device_area(&s->dev, LF_AREA_APP_SECONDARY);
    if (primary) {
        /* Factory image, flashed without a trailer. */
        assert_int_equal(bt_dev_load(&s->dev, LF_AREA_APP_PRIMARY, 0, primary->data, primary->len),
                         LF_OK);
    }
}

/* What the SMP server does: erase the slot, write the image, mark it. */
static void upload(struct sc *s, const struct bt_image *img, bool permanent)
{
    assert_int_equal(lf_flash_area_erase(s->sec, 0, s->sec->size), LF_OK);
    assert_int_equal(bt_area_write(s->sec, 0, img->data, img->len), LF_OK);
    assert_int_equal(lf_trailer_set_pending(s->sec, 0, permanent), LF_OK);
}

static int boot(struct sc *s, struct lf_boot_result *res)
{
    return bt_boot(&s->dev, &s->opts, res);
}

static void expect_primary(struct sc *s, const struct bt_image *img)
{
    assert_true(bt_area_has(s->pri, 0, img->data, img->len));
}

static void expect_secondary_cleared(struct sc *s)
{
    assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
    assert_true(bt_area_erased(s->sec, 0, 32)); /* header gone */
}

static void expect_trailer(const struct lf_flash_area *fa, uint8_t magic, uint8_t image_ok,
                           uint8_t copy_done)
{
    struct lf_trailer t = bt_trailer(fa);
    assert_int_equal(t.magic, magic);
    assert_int_equal(t.image_ok, image_ok);
    assert_int_equal(t.copy_done, copy_done);
}

static struct lf_boot_record last_record(struct sc *s, uint32_t age)
{
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(lf_sim_device_area(&s->dev, LF_AREA_STATE), age, &r),
                     LF_OK);
    return r;
}

static int cnt_get(void *ctx, uint8_t image, uint32_t *v)
{
    (void)image;
    *v = ((struct sc *)ctx)->stored_cnt;
    return LF_OK;
}

static int cnt_set(void *ctx, uint8_t image, uint32_t v)
{
    (void)image;
    struct sc *s = ctx;
    s->stored_cnt = v;
    s->cnt_sets++;
    return LF_OK;
}

static int classify(void *ctx, uint8_t image, const struct lf_flash_area *sec,
                    const struct lf_image_header *hdr, int *reason)
{
    (void)reason;
    (void)image;
    (void)sec;
    struct sc *s = ctx;
    s->classify_calls++;
    uint32_t addr;
    if (lf_image_rom_fixed_addr(hdr, &addr) == LF_OK && addr == 0x4000) {
        return s->classify_answer; /* "a stage-1 update for S0" */
    }
    return LF_BOOT_CLASS_APP;
}

/* ---- scenarios ---------------------------------------------------------------- */

/* Upgrade: test, reset (swap), the application confirms, reset (nothing). */
static void sc_upgrade_confirm(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    upload(s, &v2, false);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, is_swap(s) ? LF_BOOT_ACT_SWAP_TEST : LF_BOOT_ACT_OVERWRITE);
    assert_int_equal(res.row, 1);
    assert_int_equal(res.primary.hdr.version.major, 2);
    expect_primary(s, &v2);
    if (is_swap(s)) {
        assert_true(bt_area_has(s->sec, 0, v1.data, v1.len)); /* old image kept */
        assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
        expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_UNSET, LF_FLAG_SET);
        assert_int_equal(bt_trailer(s->pri).swap_type, LF_SWAP_TEST);
    } else {
        expect_secondary_cleared(s);
        expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    }
    assert_int_equal(lf_trailer_set_confirmed(s->pri), LF_OK); /* the application */
    expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
    assert_int_equal(res.row, 4);
    expect_primary(s, &v2);
    struct lf_boot_record r = last_record(s, 0);
    assert_int_equal(r.action, LF_BOOT_ACT_NONE);
    assert_int_equal(r.primary_ver.major, 2);
    r = last_record(s, 1);
    assert_int_equal(r.action, is_swap(s) ? LF_BOOT_ACT_SWAP_TEST : LF_BOOT_ACT_OVERWRITE);
    assert_int_equal(r.other_ver.major, 2);
    assert_int_equal(r.strategy, s->c->strategy->id);
}

/* Revert: test, reset (swap), reset without confirm (revert), reset. */
static void sc_revert(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    upload(s, &v2, false);
    assert_int_equal(boot(s, &res), LF_OK);
    expect_primary(s, &v2);
    assert_int_equal(boot(s, &res), LF_OK); /* no confirm */
    if (!is_swap(s)) {
        /* Overwrite-only cannot revert: the new image stays. */
        assert_int_equal(res.action, LF_BOOT_ACT_NONE);
        expect_primary(s, &v2);
        return;
    }
    assert_int_equal(res.action, LF_BOOT_ACT_REVERT);
    assert_int_equal(res.row, 3);
    assert_int_equal(res.primary.hdr.version.major, 1);
    expect_primary(s, &v1);
    assert_true(bt_area_has(s->sec, 0, v2.data, v2.len)); /* the trial image, inert */
    assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
    expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    struct lf_boot_record r = last_record(s, 0);
    assert_int_equal(r.action, LF_BOOT_ACT_REVERT);
    assert_int_equal(r.primary_ver.major, 1);
    assert_int_equal(r.other_ver.major, 2); /* reverted from */
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
    expect_primary(s, &v1);
}

static void sc_permanent(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    upload(s, &v2, true);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, is_swap(s) ? LF_BOOT_ACT_SWAP_PERM : LF_BOOT_ACT_OVERWRITE);
    assert_int_equal(res.row, 2);
    expect_primary(s, &v2);
    expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    if (is_swap(s)) {
        assert_true(bt_area_has(s->sec, 0, v1.data, v1.len));
        assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
    } else {
        expect_secondary_cleared(s);
    }
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
    expect_primary(s, &v2);
}

static void expect_rejected(struct sc *s, const struct bt_image *img, bool permanent, int reason)
{
    struct lf_boot_result res;
    upload(s, img, permanent);
    struct lf_image_header before;
    assert_int_equal(lf_image_read_header(s->pri, 0, &before), LF_OK);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_REJECTED);
    assert_int_equal(res.reason, reason);
    assert_int_equal(res.primary.hdr.version.major, before.version.major);
    expect_secondary_cleared(s);
    struct lf_boot_record r = last_record(s, 0);
    assert_int_equal(r.action, LF_BOOT_ACT_REJECTED);
    assert_int_equal(r.reason, reason);
    /* Cleared: the next boot has nothing to do. */
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
}

static void sc_bad_signature(void **state)
{
    struct sc *s = *state;
    fresh_device(s, &v1);
    expect_rejected(s, &v2_bad, false, LF_E_IMG_BAD_SIGNATURE);
    expect_primary(s, &v1);
    assert_int_equal(bt_trailer(s->pri).magic, LF_MAGIC_UNSET); /* untouched */
}

static void sc_wrong_key(void **state)
{
    struct sc *s = *state;
    fresh_device(s, &v1);
    expect_rejected(s, &v2_wrong, true, LF_E_IMG_UNKNOWN_KEY);
    expect_primary(s, &v1);
}

/* A payload changed after signing: refused as an update (the primary and
 * its trailer untouched, the request cleared, the record says why), and as
 * the only image a factory primary holds (nothing boots, record says why). */
static void sc_payload_changed(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    /* v2 as signed (same header, same SHA256 TLV: the same signed
     * contents), one payload byte different */
    uint32_t h_at = tlv_find(&v2_payload, LF_TLV_SHA256);
    assert_int_not_equal(h_at, 0);
    assert_int_equal(tlv_find(&v2, LF_TLV_SHA256), h_at);
    assert_memory_equal(v2_payload.data, v2.data, 0x200);
    assert_memory_equal(v2_payload.data + h_at, v2.data + h_at, LF_SHA256_SIZE);
    assert_memory_not_equal(v2_payload.data + 0x200, v2.data + 0x200, 13000);
    expect_rejected(s, &v2_payload, false, LF_E_IMG_HASH_MISMATCH);
    expect_primary(s, &v1);
    assert_int_equal(bt_trailer(s->pri).magic, LF_MAGIC_UNSET);
    expect_rejected(s, &v2_payload, true, LF_E_IMG_HASH_MISMATCH);
    expect_primary(s, &v1);
    /* a factory primary whose payload changed after signing: not booted */
    fresh_device(s, &v1_payload);
    assert_int_equal(boot(s, &res), LF_E_BOOT_NO_VALID_IMAGE);
    assert_int_equal(res.action, LF_BOOT_ACT_NO_VALID_IMAGE);
    assert_int_equal(res.reason, LF_E_IMG_HASH_MISMATCH);
    struct lf_boot_record r = last_record(s, 0);
    assert_int_equal(r.action, LF_BOOT_ACT_NO_VALID_IMAGE);
    assert_int_equal(r.reason, LF_E_IMG_HASH_MISMATCH);
}

/* The key given as a KEYHASH of an untrusted key: refused whether the image
 * was really signed with that key or carries a trusted key's signature
 * (the KEYHASH chooses the key; no other key is tried). */
static void sc_untrusted_keyhash(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    assert_true(keyhash_is(&v2_wrong, &wrong_key));
    assert_true(keyhash_is(&v2_keyhash, &wrong_key));
    assert_true(keyhash_is(&v2, &key));
    fresh_device(s, &v1);
    expect_rejected(s, &v2_wrong, false, LF_E_IMG_UNKNOWN_KEY);
    expect_primary(s, &v1);
    expect_rejected(s, &v2_keyhash, true, LF_E_IMG_UNKNOWN_KEY);
    expect_primary(s, &v1);
    assert_int_equal(bt_trailer(s->pri).magic, LF_MAGIC_UNSET);
    /* as a factory primary: not booted */
    fresh_device(s, &v2_keyhash);
    assert_int_equal(boot(s, &res), LF_E_BOOT_NO_VALID_IMAGE);
    assert_int_equal(res.reason, LF_E_IMG_UNKNOWN_KEY);
    assert_int_equal(last_record(s, 0).reason, LF_E_IMG_UNKNOWN_KEY);
}

/* A bad upload while a trial runs: the trial image stays (MCUboot's FAIL). */
static void sc_bad_upload_during_trial(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    upload(s, &v2, false);
    assert_int_equal(boot(s, &res), LF_OK);
    expect_rejected(s, &v2_bad, false, LF_E_IMG_BAD_SIGNATURE);
    expect_primary(s, &v2);
    expect_trailer(s->pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    if (is_swap(s)) {
        assert_true(last_record(s, 1).flags & LF_BOOT_RF_CONFIRMED_ON_REJECT);
    }
}

static void sc_downgrade(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    /* By version. */
    s->opts.flags = LF_BOOT_F_DOWNGRADE_VERSION;
    fresh_device(s, &v2);
    expect_rejected(s, &v1, false, LF_E_BOOT_DOWNGRADE);
    expect_primary(s, &v2);
    /* The same image is accepted without the option. */
    s->opts.flags = 0;
    upload(s, &v1, true);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.primary.hdr.version.major, 1);
    /* By security counter against the primary's: 3.0.0 with counter 1 < 2. */
    s->opts.flags = LF_BOOT_F_DOWNGRADE_SEC_CNT;
    fresh_device(s, &v2);
    expect_rejected(s, &v3_cnt1, false, LF_E_BOOT_SEC_CNT_DOWNGRADE);
    expect_rejected(s, &v3_nocnt, false, LF_E_BOOT_SEC_CNT_MISSING);
    expect_primary(s, &v2);
    /* By the stored counter (hooks). */
    s->opts.flags = 0;
    s->opts.sec_cnt_get = cnt_get;
    s->stored_cnt = 2;
    expect_rejected(s, &v3_cnt1, false, LF_E_BOOT_SEC_CNT_ROLLBACK);
    expect_rejected(s, &v3_nocnt, false, LF_E_BOOT_SEC_CNT_MISSING);
    expect_primary(s, &v2);
}

/* The stored counter follows confirmed images only. */
static void sc_counter_sink(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    s->opts.sec_cnt_get = cnt_get;
    s->opts.sec_cnt_set = cnt_set;
    s->stored_cnt = 1;
    fresh_device(s, &v1);
    upload(s, &v2, false);
    assert_int_equal(boot(s, &res), LF_OK);
    expect_primary(s, &v2);
    if (is_swap(s)) {
        assert_int_equal(s->stored_cnt, 1); /* on trial: not yet */
        assert_int_equal(s->cnt_sets, 0);
        assert_int_equal(lf_trailer_set_confirmed(s->pri), LF_OK);
        assert_int_equal(boot(s, &res), LF_OK);
    }
    assert_int_equal(s->stored_cnt, 2);
    assert_int_equal(s->cnt_sets, 1);
    assert_true(res.flags & LF_BOOT_RF_SEC_CNT_RAISED);
    assert_int_equal(last_record(s, 0).sec_cnt, 2);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(s->cnt_sets, 1);
}

static void sc_oversized(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    struct lf_boot_layout l;
    assert_int_equal(lf_boot_layout_check_board(s->c->strategy, s->c->board, &l), LF_OK);
    fresh_device(s, &v1);
    /* An image whose extent ends 4 bytes past app_max. */
    struct bt_image big;
    assert_int_equal(make(&big, &key, 5, 1000, true, 5, 0, 0), 0);
    uint32_t tlvs = big.len - 0x200 - 1000;
    bt_image_free(&big);
    assert_int_equal(make(&big, &key, 5, l.app_max + 4 - 0x200 - tlvs, true, 5, 0, 0), 0);
    if (big.len != l.app_max + 4) { /* ECDSA DER length varies by a byte or two */
        uint32_t fix = l.app_max + 4 - big.len;
        uint32_t payload = big.len - 0x200 - tlvs + fix;
        bt_image_free(&big);
        assert_int_equal(make(&big, &key, 5, payload, true, 5, 0, 0), 0);
    }
    assert_true(big.len > l.app_max);
    assert_int_equal(lf_flash_area_erase(s->sec, 0, s->sec->size), LF_OK);
    assert_int_equal(bt_area_write(s->sec, 0, big.data, big.len), LF_OK);
    /* Mark it with the magic alone (the image may cover swap_info). */
    assert_int_equal(lf_trailer_write_magic(s->sec), LF_OK);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_REJECTED);
    assert_int_equal(res.reason, LF_E_BOOT_IMAGE_TOO_LARGE);
    assert_int_equal(res.other_ver.major, 5);
    expect_primary(s, &v1);
    expect_secondary_cleared(s);
    bt_image_free(&big);
}

static void sc_leftover_trailers(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    /* A request without an image (e.g. an upload that never started). */
    assert_int_equal(lf_trailer_set_pending(s->sec, 0, false), LF_OK);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_CLEARED);
    assert_int_equal(res.reason, LF_E_BOOT_NO_SECONDARY);
    assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
    expect_primary(s, &v1);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
    /* A torn request (BAD magic): set_pending refuses it, the next boot
     * clears it (row D4), and the image can be marked again. */
    assert_int_equal(bt_area_write(s->sec, 0, v2.data, v2.len), LF_OK);
    uint8_t torn[16];
    memset(torn, 0xFF, sizeof(torn));
    torn[0] = 0x77;
    assert_int_equal(bt_area_write(s->sec, lf_trailer_magic_off(s->sec), torn, 16), LF_OK);
    assert_int_equal(lf_trailer_set_pending(s->sec, 0, false), LF_E_BOOT_BAD_TRAILER);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_CLEARED);
    assert_int_equal(res.reason, LF_E_BOOT_BAD_TRAILER);
    assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_UNSET);
    expect_primary(s, &v1);
    assert_int_equal(lf_trailer_set_pending(s->sec, 0, true), LF_OK);
    assert_int_equal(boot(s, &res), LF_OK);
    expect_primary(s, &v2);
    /* A primary carrying an old trailer: imgtool --pad in the factory, plus a
     * stale swap_size and status bytes. Nothing to resume; upgrades work. */
    fresh_device(s, &v1);
    uint8_t pad_trailer[48];
    memset(pad_trailer, 0xFF, sizeof(pad_trailer));
    static const uint8_t magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                      0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
    memcpy(pad_trailer + 32, magic, 16);
    pad_trailer[0] = 0x10; /* swap_size */
    assert_int_equal(bt_dev_load(&s->dev, LF_AREA_APP_PRIMARY, s->pri->size - 48, pad_trailer, 48),
                     LF_OK);
    uint8_t junk = 0x01;
    assert_int_equal(bt_dev_load(&s->dev, LF_AREA_APP_PRIMARY, s->pri->size - 200, &junk, 1),
                     LF_OK);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_NONE);
    upload(s, &v2, true);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, is_swap(s) ? LF_BOOT_ACT_SWAP_PERM : LF_BOOT_ACT_OVERWRITE);
    expect_primary(s, &v2);
}

static void sc_foreign_and_hook(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    /* A ROM_FIXED image linked for S0, no hook: foreign, cleared. */
    expect_rejected(s, &rom_fixed, false, LF_E_BOOT_FOREIGN_IMAGE);
    /* With the hook: handed off, the secondary left as it is. */
    s->opts.classify = classify;
    s->classify_answer = LF_BOOT_CLASS_HANDLED;
    upload(s, &rom_fixed, false);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_HANDED_OFF);
    assert_int_equal(s->classify_calls, 1);
    assert_true(bt_area_has(s->sec, 0, rom_fixed.data, rom_fixed.len));
    assert_int_equal(bt_trailer(s->sec).magic, LF_MAGIC_GOOD);
    expect_primary(s, &v1);
    /* The hook may also call it foreign. */
    s->classify_answer = LF_BOOT_CLASS_FOREIGN;
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_REJECTED);
    assert_int_equal(res.reason, LF_E_BOOT_FOREIGN_IMAGE);
    expect_secondary_cleared(s);
    /* Ordinary updates still go through the hook and are swapped. */
    upload(s, &v2, true);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(s->classify_calls, 3);
    expect_primary(s, &v2);
}

static void sc_no_valid_primary(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v2_bad);
    assert_int_equal(boot(s, &res), LF_E_BOOT_NO_VALID_IMAGE);
    assert_int_equal(res.action, LF_BOOT_ACT_NO_VALID_IMAGE);
    assert_int_equal(res.reason, LF_E_IMG_BAD_SIGNATURE);
    assert_int_equal(last_record(s, 0).action, LF_BOOT_ACT_NO_VALID_IMAGE);
    /* A valid update repairs it. */
    upload(s, &v1, true);
    assert_int_equal(boot(s, &res), LF_OK);
    expect_primary(s, &v1);
}

/* A corrupt swap status: nothing is copied, the primary still boots if it
 * validates, and the record says why. */
static void sc_corrupt_status(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    struct lf_boot_layout l;
    assert_int_equal(lf_boot_layout_check_board(s->c->strategy, s->c->board, &l), LF_OK);
    /* A committed status (magic, TEST, swap_size) whose record 2 is written
     * while records 0 and 1 are not. */
    uint8_t t[48];
    memset(t, 0xFF, sizeof(t));
    static const uint8_t magic[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                      0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
    t[0] = 0x00;
    t[1] = 0x30; /* swap_size 0x3000 */
    t[8] = LF_SWAP_TEST;
    memcpy(t + 32, magic, 16);
    assert_int_equal(bt_dev_load(&s->dev, LF_AREA_APP_PRIMARY, s->pri->size - 48, t, 48), LF_OK);
    uint8_t rec = 0x01;
    uint32_t rec2 = s->pri->size - l.trailer_size + 2u * l.status_w;
    assert_int_equal(bt_dev_load(&s->dev, LF_AREA_APP_PRIMARY, rec2, &rec, 1), LF_OK);
    lf_sim_device_reset_stats(&s->dev);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_STATUS_ERROR);
    assert_int_equal(res.reason, LF_E_BOOT_BAD_STATUS);
    assert_true(res.flags & LF_BOOT_RF_RESUMED);
    expect_primary(s, &v1);
    struct lf_sim_flash_stats st;
    lf_sim_device_stats(&s->dev, &st);
    assert_int_equal(st.sector_erases, 0);
    assert_int_equal(st.programs, 1); /* the record only */
    assert_int_equal(last_record(s, 0).action, LF_BOOT_ACT_STATUS_ERROR);
}

/* The secondary's flash refuses writes during a revert: the trial image
 * still boots, the record says what failed, and the revert happens once
 * the flash works again. */
static void sc_flash_error(void **state)
{
    struct sc *s = *state;
    struct lf_boot_result res;
    fresh_device(s, &v1);
    upload(s, &v2, false);
    assert_int_equal(boot(s, &res), LF_OK);
    lf_sim_flash_lock(lf_sim_device_flash_of(&s->dev, s->sec), s->sec->off,
                      s->sec->off + s->sec->size);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_FLASH_ERROR);
    assert_int_equal(res.reason, LF_E_FLASH_LOCKED);
    assert_int_equal(res.primary.hdr.version.major, 2);
    expect_primary(s, &v2);
    assert_int_equal(last_record(s, 0).action, LF_BOOT_ACT_FLASH_ERROR);
    /* A reset releases the lock. */
    char dir[LF_SIM_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", s->dev.dir);
    lf_sim_device_close(&s->dev);
    assert_int_equal(lf_sim_device_open(&s->dev, dir), LF_OK);
    s->pri = lf_sim_device_area(&s->dev, LF_AREA_APP_PRIMARY);
    s->sec = lf_sim_device_area(&s->dev, LF_AREA_APP_SECONDARY);
    assert_int_equal(boot(s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_REVERT);
    expect_primary(s, &v1);
}

/* swap-move on the 64 KiB-block layout: refused before any flash write. */
static void test_layout_refused(void **state)
{
    (void)state;
    struct sc s;
    memset(&s, 0, sizeof(s));
    static const struct config c = {"nor64k/move", &lf_board_nrf52840dk_nor64k,
                                    &lf_boot_strategy_swap_move};
    s.c = &c;
    snprintf(s.dirname, sizeof(s.dirname), "nor64k_move_layout");
    s.opts.strategy = c.strategy;
    s.opts.keys = &ring.ring;
    fresh_device(&s, &v1);
    upload(&s, &v2, false);
    lf_sim_device_reset_stats(&s.dev);
    struct lf_boot_result res;
    assert_int_equal(boot(&s, &res), LF_E_BOOT_LAYOUT_SECTORS);
    assert_int_equal(res.action, LF_BOOT_ACT_LAYOUT_ERROR);
    struct lf_sim_flash_stats st;
    lf_sim_device_stats(&s.dev, &st);
    assert_int_equal(st.sector_erases, 0);
    assert_int_equal(st.programs, 1); /* the boot record, nothing else */
    assert_true(bt_area_has(s.sec, 0, v2.data, v2.len));
    assert_int_equal(bt_trailer(s.sec).magic, LF_MAGIC_GOOD);
    expect_primary(&s, &v1);
    struct lf_boot_record r = last_record(&s, 0);
    assert_int_equal(r.action, LF_BOOT_ACT_LAYOUT_ERROR);
    assert_int_equal(r.reason, LF_E_BOOT_LAYOUT_SECTORS);
    lf_sim_device_close(&s.dev);
}

/* swap-move's optimal layout (primary one sector larger than the secondary,
 * docs/reference/mcuboot.md 3.2): upgrade, revert and a second upgrade on a board made for it. */
static void test_move_primary_plus_one(void **state)
{
    (void)state;
    static struct lf_board board;
    board = lf_board_nrf52840dk;
    board.name = "dk-move-plus-one";
    board.areas[LF_AREA_APP_PRIMARY].size = 0x73000; /* 115 sectors */
    board.areas[LF_AREA_APP_SECONDARY].off = 0x8B000;
    board.areas[LF_AREA_APP_SECONDARY].size = 0x72000; /* 114 sectors */
    static const struct config c = {"dk/move+1", &board, &lf_boot_strategy_swap_move};
    struct lf_boot_layout l;
    assert_int_equal(lf_boot_layout_check_board(c.strategy, &board, &l), LF_OK);
    assert_int_equal(l.app_max, 0x71000); /* min(115*4K - 4K - 4K, 114*4K - 4K) */
    struct sc s;
    memset(&s, 0, sizeof(s));
    s.c = &c;
    snprintf(s.dirname, sizeof(s.dirname), "dk_move_plus_one");
    s.opts.strategy = c.strategy;
    s.opts.keys = &ring.ring;
    struct lf_boot_result res;
    fresh_device(&s, &v1);
    upload(&s, &v2, false);
    assert_int_equal(boot(&s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_SWAP_TEST);
    expect_primary(&s, &v2);
    assert_true(bt_area_has(s.sec, 0, v1.data, v1.len));
    assert_int_equal(boot(&s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_REVERT);
    expect_primary(&s, &v1);
    assert_true(bt_area_has(s.sec, 0, v2.data, v2.len));
    expect_trailer(s.pri, LF_MAGIC_GOOD, LF_FLAG_SET, LF_FLAG_SET);
    assert_int_equal(bt_trailer(s.sec).magic, LF_MAGIC_UNSET);
    upload(&s, &v2, true);
    assert_int_equal(boot(&s, &res), LF_OK);
    assert_int_equal(res.action, LF_BOOT_ACT_SWAP_PERM);
    expect_primary(&s, &v2);
    lf_sim_device_close(&s.dev);
}

/* ---- registration ----------------------------------------------------------------- */

struct scenario {
    const char *name;
    CMUnitTestFunction fn;
    bool swap_only; /* needs a strategy that keeps the old image */
};

static const struct scenario scenarios[] = {
    {"upgrade-confirm", sc_upgrade_confirm, false},
    {"revert", sc_revert, false},
    {"permanent", sc_permanent, false},
    {"bad-signature", sc_bad_signature, false},
    {"wrong-key", sc_wrong_key, false},
    {"payload-changed", sc_payload_changed, false},
    {"untrusted-keyhash", sc_untrusted_keyhash, false},
    {"bad-upload-during-trial", sc_bad_upload_during_trial, false},
    {"downgrade", sc_downgrade, false},
    {"counter-sink", sc_counter_sink, false},
    {"oversized", sc_oversized, false},
    {"leftover-trailers", sc_leftover_trailers, false},
    {"foreign-and-hook", sc_foreign_and_hook, false},
    {"no-valid-primary", sc_no_valid_primary, false},
    {"corrupt-status", sc_corrupt_status, true},
    {"flash-error", sc_flash_error, true},
};
#define NSCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static struct sc states[NCONFIGS * NSCENARIOS];
static char names[NCONFIGS * NSCENARIOS][96];

static int sc_setup(void **state)
{
    struct sc *s = *state;
    s->opts.strategy = s->c->strategy;
    s->opts.keys = &ring.ring;
    s->opts.hook_ctx = s;
    s->opts.log = getenv("LF_BOOT_LOG") != NULL;
    return 0;
}

static int sc_teardown(void **state)
{
    struct sc *s = *state;
    if (s->open) {
        lf_sim_device_close(&s->dev);
        s->open = false;
    }
    return 0;
}

int main(void)
{
    static struct CMUnitTest tests[NCONFIGS * NSCENARIOS + 2];
    size_t n = 0;
    for (size_t c = 0; c < NCONFIGS; c++) {
        for (size_t k = 0; k < NSCENARIOS; k++) {
            if (scenarios[k].swap_only && !configs[c].strategy->can_revert) {
                continue;
            }
            struct sc *s = &states[n];
            s->c = &configs[c];
            snprintf(names[n], sizeof(names[n]), "%s/%s", configs[c].name, scenarios[k].name);
            /* One device directory per configuration (tests run one after
             * the other and each starts from a freshly erased device). */
            snprintf(s->dirname, sizeof(s->dirname), "%s", configs[c].name);
            for (char *p = s->dirname; *p; p++) {
                *p = *p == '/' ? '_' : *p;
            }
            tests[n] = (struct CMUnitTest){names[n], scenarios[k].fn, sc_setup, sc_teardown, s};
            n++;
        }
    }
    tests[n++] =
        (struct CMUnitTest){"nor64k/move/layout-refused", test_layout_refused, NULL, NULL, NULL};
    tests[n++] = (struct CMUnitTest){"dk/move+1/optimal-layout", test_move_primary_plus_one, NULL,
                                     NULL, NULL};
    return _cmocka_run_group_tests("boot_scenarios", tests, n, group_setup, group_teardown);
}
