/*
 * Stage 0 scenarios on the virtual device with images signed by OpenSSL
 * (docs/stage0.md): selection, trials, confirm, counter, revocation, safe
 * state, protection, exhaustion, the tie rule and the uploader checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/trailer.h"
#include "s0_fixture.h"

#define WORK LF_BINARY_DIR "/stage0-work/stage0"

static struct s0_key keys[3]; /* 0, 1: P-256; 2: Ed25519 */
static const struct lf_board *board = &lf_board_nrf52840dk;

struct fx {
    struct lf_sim_device dev;
    struct s0_log log;
    struct lf_stage0_decision dec;
    struct s0_img img;
};

static int group_setup(void **state)
{
    (void)state;
    if (s0_key_gen(&keys[0], LF_KEY_ECDSA_P256) || s0_key_gen(&keys[1], LF_KEY_ECDSA_P256) ||
        s0_key_gen(&keys[2], LF_KEY_ED25519)) {
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++) {
        s0_key_free(&keys[i]);
    }
    return 0;
}

/* A device provisioned with keys 0-2 and 32 slots, counter 1. */
static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    s0_log_init(&f.log);
    if (s0_dev_create(&f.dev, WORK, board, keys, 3, board->counter_slots, 1) != LF_OK) {
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    lf_sim_device_close(&f->dev);
    return 0;
}

/* Sign version major.minor.0+build with SEC_CNT cnt and key k for `slot`'s
 * address and write it there (no trailer). */
static void put(struct fx *f, int slot, int k, uint8_t major, uint32_t build, uint32_t cnt)
{
    struct s0_img_spec s = {
        .key = &keys[k],
        .load_addr = s0_slot_addr(board, slot),
        .major = major,
        .build = build,
        .sec_cnt = cnt,
        .seed = (uint8_t)(major * 16 + slot),
    };
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, slot, &f->img), LF_OK);
}

static int boot(struct fx *f)
{
    int err = s0_boot(&f->dev, &f->log, &f->dec);
    s0_log_dump(&f->log);
    return err;
}

static void expect_boot(struct fx *f, int slot, bool trial)
{
    assert_int_equal(boot(f), LF_OK);
    assert_int_equal(f->dec.handoff.slot, slot);
    assert_int_equal(f->dec.handoff.trial, trial);
    assert_true(lf_stage0_handoff_valid(&f->dec.handoff));
    assert_ptr_equal(f->dec.area, s0_slot(&f->dev, slot));
    assert_int_equal(f->dec.handoff.entry, s0_slot_addr(board, slot) + S0_HDR_SIZE);
    char line[64];
    snprintf(line, sizeof(line), "stage0: boot s%d ", slot);
    assert_true(s0_log_has(&f->log, line));
}

static uint32_t counter(struct fx *f)
{
    struct lf_provision_counter c;
    assert_int_equal(s0_counter(&f->dev, &c), LF_OK);
    assert_int_equal(s0_counter_slots_increasing(&f->dev), 0);
    return c.value;
}

static void test_fresh_device_boots_s0(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[0], LF_OK);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_BAD_MAGIC);
    assert_int_equal(f->dec.handoff.counter, 1);
    assert_int_equal(f->dec.handoff.counter_slots_used, 1);
    assert_int_equal(f->dec.handoff.counter_slots_left, 31);
    assert_int_equal(f->dec.handoff.key_index, 0);
    assert_false(f->dec.handoff.counter_exhausted);
    assert_true(s0_log_has(&f->log, "stage0: provision: 3 keys, counter 1, slots 1 used 31 left"));
    assert_true(s0_log_has(&f->log, "stage0: s0: candidate 1.0.0+0 cnt 1 key 0 factory"));
    assert_true(s0_log_has(&f->log, "stage0: s1: rejected: IMG_BAD_MAGIC (-60)"));
    assert_true(s0_log_has(&f->log, "stage0: boot s0 1.0.0+0 at 0x00004200"));
}

static void test_pending_s1_tried_confirmed_counter_advances(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 3);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    assert_true(s0_log_has(&f->log, "stage0: s1: candidate 2.0.0+0 cnt 3 key 0 pending"));
    assert_true(s0_log_has(&f->log, "stage0: s1: trial: marked tried"));
    assert_true(s0_log_has(&f->log, "(trial)"));
    /* No counter change on a trial. */
    assert_int_equal(f->dec.handoff.counter, 1);
    assert_int_equal(counter(f), 1);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(s0_slot(&f->dev, 1), &tr), LF_OK);
    assert_int_equal(tr.copy_done, LF_FLAG_SET);
    assert_int_equal(tr.image_ok, LF_FLAG_UNSET);

    /* Stage 1 hands over to its application and confirms itself. */
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 1, false);
    assert_true(s0_log_has(&f->log, "stage0: s1: candidate 2.0.0+0 cnt 3 key 0 confirmed"));
    assert_true(s0_log_has(&f->log, "stage0: counter 1 -> 3 (slots 2 used 30 left)"));
    assert_int_equal(f->dec.handoff.counter, 3);
    assert_int_equal(f->dec.handoff.image_sec_cnt, 3);
    assert_int_equal(f->dec.handoff.counter_slots_used, 2);
    assert_int_equal(counter(f), 3);

    /* Steady state: no further writes, same choice; S0 (counter 1) is now
     * below the counter. */
    expect_boot(f, 1, false);
    assert_false(s0_log_has(&f->log, "counter 3 ->"));
    assert_int_equal(counter(f), 3);
    assert_int_equal(f->dec.slot_status[0], LF_E_STAGE0_ROLLBACK);
}

static void test_unconfirmed_s1_abandoned(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 3);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    /* No confirm: stage 1 never reached a valid application. */
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_ABANDONED);
    assert_true(s0_log_has(&f->log, "stage0: s1: abandoned: tried, not confirmed"));
    assert_int_equal(counter(f), 1);
    /* And for ever after. */
    expect_boot(f, 0, false);
    expect_boot(f, 0, false);
    /* A late confirm attempt from S0's stage 1 confirms S0, not S1. */
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 0, false);
}

static void test_key_rotation_revokes_older_keys(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 1, 2, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    /* Not revoked on a trial. */
    struct lf_provision p;
    assert_int_equal(lf_provision_read(lf_sim_device_area(&f->dev, LF_AREA_PROVISION), &p), LF_OK);
    assert_int_equal(p.revoked, 0);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 1, false);
    assert_int_equal(f->dec.handoff.key_index, 1);
    assert_true(s0_log_has(&f->log, "stage0: revoked root key 0"));
    assert_int_equal(lf_provision_read(lf_sim_device_area(&f->dev, LF_AREA_PROVISION), &p), LF_OK);
    assert_int_equal(p.revoked, 0x01);
    /* The key-0 image in S0 no longer boots, even as a newer version. */
    put(f, 0, 0, 3, 0, 1);
    expect_boot(f, 1, false);
    assert_int_equal(f->dec.slot_status[0], LF_E_PROVISION_KEY_REVOKED);
    assert_true(s0_log_has(&f->log, "stage0: s0: rejected: PROVISION_KEY_REVOKED (-209)"));
    /* Key 2 (Ed25519) is still good, and revokes key 1 once confirmed. */
    put(f, 0, 2, 3, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 0), LF_OK);
    expect_boot(f, 0, true);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 0, false);
    assert_true(s0_log_has(&f->log, "stage0: revoked root key 1"));
    assert_int_equal(f->dec.slot_status[1], LF_OK); /* judged before the revocation */
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_PROVISION_KEY_REVOKED);
}

static void test_image_below_counter_refused(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 5, 0, 0); /* newer version, counter 0 < 1 */
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_ROLLBACK);
    assert_true(s0_log_has(&f->log, "stage0: s1: rejected: STAGE0_ROLLBACK (-222)"));
    /* No SEC_CNT at all counts as 0: refused too. */
    struct s0_img_spec s = {
        .key = &keys[0], .load_addr = s0_slot_addr(board, 1), .major = 6, .no_sec_cnt = true};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_ROLLBACK);
}

static void test_no_sec_cnt_accepted_at_zero(void **state)
{
    struct fx *f = *state;
    teardown(state);
    assert_int_equal(s0_dev_create(&f->dev, WORK, board, keys, 2, 8, 0), LF_OK);
    struct s0_img_spec s = {
        .key = &keys[0], .load_addr = s0_slot_addr(board, 0), .major = 1, .no_sec_cnt = true};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 0, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.handoff.image_sec_cnt, 0);
    assert_int_equal(counter(f), 0);
    assert_int_equal(f->dec.handoff.counter_slots_used, 1);
}

static void test_rom_fixed_address_checked(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    /* S1 holds the variant linked for S0. */
    struct s0_img_spec s = {
        .key = &keys[0], .load_addr = s0_slot_addr(board, 0), .major = 2, .sec_cnt = 1};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_WRONG_ADDR);
    assert_true(s0_log_has(&f->log, "stage0: s1: rejected: STAGE0_WRONG_ADDR (-221)"));
    /* Not flagged ROM_FIXED at all. */
    s.load_addr = s0_slot_addr(board, 1);
    s.not_rom_fixed = true;
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_NOT_ROM_FIXED);
}

static void test_keyhash_or_unknown_key_refused(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    struct s0_img_spec s = {.key = &keys[0],
                            .load_addr = s0_slot_addr(board, 1),
                            .major = 2,
                            .sec_cnt = 1,
                            .keyhash = true};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_UNKNOWN_KEY);
    /* A key that was never provisioned. */
    struct s0_key stranger;
    assert_int_equal(s0_key_gen(&stranger, LF_KEY_ECDSA_P256), 0);
    s.key = &stranger;
    s.keyhash = false;
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    s0_key_free(&stranger);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_UNKNOWN_KEY);
    /* A corrupted payload byte. */
    put(f, 1, 0, 2, 0, 1);
    uint8_t b;
    assert_int_equal(lf_flash_area_read(s0_slot(&f->dev, 1), 0x300, &b, 1), LF_OK);
    struct lf_sim_flash *fl = lf_sim_device_flash_of(&f->dev, s0_slot(&f->dev, 1));
    b ^= 0x10;
    assert_int_equal(lf_sim_flash_load(fl, s0_slot(&f->dev, 1)->off + 0x300, &b, 1), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_HASH_MISMATCH);
}

static void test_both_invalid_safe_state(void **state)
{
    struct fx *f = *state;
    assert_int_equal(boot(f), LF_E_STAGE0_NO_IMAGE);
    assert_null(f->dec.area);
    assert_false(lf_stage0_handoff_valid(&f->dec.handoff));
    assert_int_equal(f->dec.slot_status[0], LF_E_IMG_BAD_MAGIC);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_BAD_MAGIC);
    assert_true(s0_log_has(&f->log, "stage0: safe state: STAGE0_NO_IMAGE (-220)"));
    /* Images below the counter in both slots: the same, with that reason. */
    put(f, 0, 0, 1, 0, 0);
    put(f, 1, 0, 1, 0, 0);
    assert_int_equal(boot(f), LF_E_STAGE0_NO_IMAGE);
    assert_int_equal(f->dec.slot_status[0], LF_E_STAGE0_ROLLBACK);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_ROLLBACK);
}

static void test_unprovisioned_device_safe_state(void **state)
{
    struct fx *f = *state;
    teardown(state);
    assert_int_equal(lf_sim_device_create(&f->dev, WORK, board), LF_OK);
    put(f, 0, 0, 1, 0, 1);
    assert_int_equal(boot(f), LF_E_PROVISION_BLANK);
    assert_null(f->dec.area);
    assert_true(s0_log_has(&f->log, "stage0: provision: PROVISION_BLANK (-200)"));
    assert_true(s0_log_has(&f->log, "stage0: safe state: PROVISION_BLANK (-200)"));
}

static void test_protect_hook_locks(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    expect_boot(f, 0, false);
    const struct lf_flash_area *prov = lf_sim_device_area(&f->dev, LF_AREA_PROVISION);
    const struct lf_flash_area *self = lf_sim_device_area(&f->dev, LF_AREA_STAGE0);
    uint8_t zero[4] = {0};
    assert_int_equal(lf_flash_area_program(prov, 0x100, zero, 4), LF_E_FLASH_LOCKED);
    assert_int_equal(lf_flash_area_program(self, 0, zero, 4), LF_E_FLASH_LOCKED);
    assert_int_equal(lf_flash_area_erase(self, 0, 4096), LF_E_FLASH_LOCKED);
    /* Stage 1's slots stay writable (its own code locks them later). */
    assert_int_equal(lf_flash_area_program(s0_slot(&f->dev, 1), 0, zero, 4), LF_OK);
    /* After a reset the locks are gone until stage 0 runs again. */
    s0_reset(&f->dev);
    assert_int_equal(lf_flash_area_program(self, 0, zero, 4), LF_OK);
}

static int failing_protect(void *ctx, const struct lf_flash_area *fa)
{
    (void)ctx;
    return fa->id == LF_AREA_PROVISION ? LF_E_IO : LF_OK;
}

static void test_protect_failure_no_jump(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    const struct lf_stage0_platform p = {
        .map = &f->dev.map,
        .log = &f->log.log,
        .algs = lf_image_sig_algs_all,
        .alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
        .protect = failing_protect,
    };
    f->log.n = 0;
    assert_int_equal(lf_stage0_boot(&p, &f->dec), LF_E_STAGE0_PROTECT);
    assert_null(f->dec.area);
    assert_true(s0_log_has(&f->log, "stage0: safe state: error (-226)"));
    struct lf_stage0_platform q = p;
    q.protect = NULL;
    assert_int_equal(lf_stage0_boot(&q, &f->dec), LF_E_STAGE0_PROTECT);
}

/* N slots: N - 1 increases; then the uploader is told, and stage 0 keeps
 * booting the confirmed image without advancing. */
static void test_counter_exhaustion(void **state)
{
    struct fx *f = *state;
    const struct lf_flash_area *prov = lf_sim_device_area(&f->dev, LF_AREA_PROVISION);
    const uint32_t n = board->counter_slots;
    put(f, 0, 0, 1, 0, 1);
    expect_boot(f, 0, false);
    int slot = 0;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t cnt = 1 + i;
        assert_int_equal(lf_stage0_check_counter(prov, cnt, NULL), LF_OK);
        slot ^= 1;
        put(f, slot, 0, (uint8_t)(1 + i), 0, cnt);
        assert_int_equal(s0_slot_pending(&f->dev, slot), LF_OK);
        expect_boot(f, slot, true);
        assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
        /* Between the confirm and the next boot the running image's increase
         * is still to be stored: an upload must reach its counter, and a
         * further increase needs a second slot. */
        assert_int_equal(f->dec.handoff.image_sec_cnt, cnt);
        assert_int_equal(lf_stage0_check_counter(prov, cnt - 1, NULL), LF_OK);
        assert_int_equal(lf_stage0_check_counter_after(prov, &f->dec.handoff, cnt - 1, NULL),
                         LF_E_STAGE0_ROLLBACK);
        assert_int_equal(lf_stage0_check_counter_after(prov, &f->dec.handoff, cnt, NULL), LF_OK);
        assert_int_equal(lf_stage0_check_counter_after(prov, &f->dec.handoff, cnt + 1, NULL),
                         n - i >= 2 ? LF_OK : LF_E_PROVISION_COUNTER_FULL);
        assert_int_equal(lf_stage0_check_counter_after(prov, NULL, cnt - 1, NULL), LF_OK);
        expect_boot(f, slot, false);
        assert_int_equal(f->dec.handoff.counter, cnt);
        assert_int_equal(f->dec.handoff.counter_slots_left, n - 1 - i);
    }
    assert_true(f->dec.handoff.counter_exhausted);
    assert_false(f->dec.handoff.counter_behind);
    assert_int_equal(counter(f), n);
    /* The acceptability check refuses the next increase up front... */
    struct lf_provision_counter c;
    assert_int_equal(lf_stage0_check_counter(prov, n + 1, &c), LF_E_PROVISION_COUNTER_FULL);
    assert_int_equal(c.left, 0);
    assert_string_equal(lf_err_str(LF_E_PROVISION_COUNTER_FULL),
                        "no security counter slot left: counter cannot increase");
    /* ...but an image at the current counter is still fine. */
    assert_int_equal(lf_stage0_check_counter(prov, n, NULL), LF_OK);
    assert_int_equal(lf_stage0_check_counter(prov, n - 1, NULL), LF_E_STAGE0_ROLLBACK);
    /* If such an image arrives anyway, it is tried, confirmed and keeps
     * booting; the counter stays and the condition is reported. */
    slot ^= 1;
    put(f, slot, 0, 100, 0, n + 1);
    assert_int_equal(s0_slot_pending(&f->dev, slot), LF_OK);
    expect_boot(f, slot, true);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, slot, false);
    assert_true(f->dec.handoff.counter_exhausted);
    assert_true(f->dec.handoff.counter_behind);
    assert_int_equal(f->dec.handoff.counter, n);
    char line[96];
    snprintf(line, sizeof(line), "stage0: counter: %u not stored: no counter slot left (stays %u)",
             n + 1, n);
    assert_true(s0_log_has(&f->log, line));
    expect_boot(f, slot, false);
    assert_int_equal(counter(f), n);
}

static void test_tie_rule_no_flip(void **state)
{
    struct fx *f = *state;
    /* Factory S0 and a re-upload of the same version and counter to S1. */
    put(f, 0, 0, 1, 0, 1);
    expect_boot(f, 0, false);
    put(f, 1, 0, 1, 0, 1);
    expect_boot(f, 0, false); /* no trailer on either: S0 (rule 3c) */
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true); /* 3a: the explicit test gets its trial */
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    for (int i = 0; i < 3; i++) {
        expect_boot(f, 1, false); /* 3b: the confirmed update stays */
    }
    /* The build number counts: 1.0.0+1 is newer than 1.0.0+0. */
    put(f, 0, 0, 1, 1, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 0), LF_OK);
    expect_boot(f, 0, true);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 0, false);
    expect_boot(f, 0, false);
    /* Equal version, higher counter wins. */
    put(f, 1, 0, 1, 1, 2);
    expect_boot(f, 1, false);
    assert_int_equal(counter(f), 2);
}

static void test_last_resort_abandoned(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    /* During the trial S0 is destroyed (an upload that went wrong). */
    assert_int_equal(s0_slot_erase(&f->dev, 0), LF_OK);
    expect_boot(f, 1, false);
    assert_true(f->dec.handoff.last_resort);
    assert_true(s0_log_has(&f->log, "stage0: s1: last resort: booting an abandoned image"));
    assert_true(s0_log_has(&f->log, "(last resort)"));
    /* The uploader refuses to touch S0 until stage 1 is confirmed. */
    struct lf_image_header hdr = {.flags = LF_IMAGE_F_ROM_FIXED,
                                  .load_addr = s0_slot_addr(board, 0),
                                  .version = {.major = 3}};
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_ACTIVE_ON_TRIAL);
    /* Once it confirms itself it is an ordinary confirmed image again. */
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 1, false);
    assert_false(f->dec.handoff.last_resort);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL), LF_OK);
}

static void test_bad_trailer_and_overlap(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 1);
    /* A torn trailer magic (one bit of it still erased). */
    const struct lf_flash_area *s1 = s0_slot(&f->dev, 1);
    uint8_t bad[8] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0xff};
    assert_int_equal(lf_flash_area_write(s1, lf_trailer_magic_off(s1), bad, 8), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_BAD_TRAILER);
    assert_true(s0_log_has(&f->log, "stage0: s1: rejected: STAGE0_BAD_TRAILER (-224)"));
    /* copy_done set without a magic: no writer does that. */
    put(f, 1, 0, 2, 0, 1);
    assert_int_equal(lf_trailer_write_copy_done(s1), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_BAD_TRAILER);
    /* Images ending exactly at the swap_size unit are fine; 4 bytes more
     * would run into the units stage 0 and stage 1 write. Ed25519 keeps
     * the TLV area a fixed 12 + 156 bytes long (and revokes keys 0, 1:
     * S0 gets a key-2 image too). */
    put(f, 0, 2, 1, 0, 1);
    uint32_t limit = lf_trailer_swap_size_off(s1);
    struct s0_img_spec s = {.key = &keys[2],
                            .load_addr = s0_slot_addr(board, 1),
                            .major = 2,
                            .sec_cnt = 1,
                            .payload_len = limit - S0_HDR_SIZE - 168};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(f->img.len, limit);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    expect_boot(f, 1, false);
    s.payload_len += 4;
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, 1, &f->img), LF_OK);
    /* Without a magic, its last bytes in the swap_size unit read as an
     * upload in progress (T2)... */
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_BAD_TRAILER);
    /* ...and once marked pending, the size check itself refuses it. */
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_OVERLAPS_TRAILER);
}

static void test_upload_checks(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 2, 1);
    expect_boot(f, 0, false);
    const struct lf_flash_area *target = NULL;
    struct lf_image_header hdr = {.flags = LF_IMAGE_F_ROM_FIXED,
                                  .load_addr = s0_slot_addr(board, 1),
                                  .version = {.major = 1, .build = 3}};
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, &target), LF_OK);
    assert_ptr_equal(target, s0_slot(&f->dev, 1));
    hdr.version.build = 2;
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_NOT_NEWER);
    hdr.version.build = 3;
    hdr.load_addr = s0_slot_addr(board, 0);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_WRONG_SLOT);
    hdr.flags = 0;
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_IMG_NOT_ROM_FIXED);
    struct lf_stage0_handoff none = {0};
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &none, &hdr, NULL), LF_E_STAGE0_HANDOFF);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &none), LF_E_STAGE0_HANDOFF);
    /* During a trial, nothing may be uploaded. */
    put(f, 1, 0, 2, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    hdr.flags = LF_IMAGE_F_ROM_FIXED;
    hdr.version.major = 9;
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_ACTIVE_ON_TRIAL);
}

/* An upload that is complete but not yet marked by `image test` never boots. */
static void test_upload_in_progress_never_boots(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 1); /* an older abandoned or superseded image, say */
    expect_boot(f, 1, false);
    struct s0_img_spec s = {
        .key = &keys[0], .load_addr = s0_slot_addr(board, 0), .major = 3, .sec_cnt = 1};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    const struct lf_flash_area *target = NULL;
    struct lf_image_header hdr;
    lf_image_header_decode(f->img.bytes, &hdr);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, &target), LF_OK);
    assert_ptr_equal(target, s0_slot(&f->dev, 0));
    assert_int_equal(lf_stage0_upload_begin(target), LF_OK);
    expect_boot(f, 1, false);
    assert_int_equal(f->dec.slot_status[0], LF_E_STAGE0_BAD_TRAILER);
    assert_int_equal(lf_flash_area_write(target, 0, f->img.bytes, f->img.len), LF_OK);
    /* Complete and valid, but the client has not said `image test`. */
    expect_boot(f, 1, false);
    assert_int_equal(f->dec.slot_status[0], LF_E_STAGE0_BAD_TRAILER);
    assert_int_equal(lf_trailer_set_pending(target, 1, false), LF_OK);
    expect_boot(f, 0, true);
}

/* A confirm during the trial (stage 1 itself, or SMP `image confirm` writing
 * image_ok) lifts the upload refusal at once, without a reset, although the
 * boot-time handoff still says `trial`. A torn image_ok does not. */
static void test_confirm_takes_effect_without_reset(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    expect_boot(f, 1, true);
    struct lf_image_header hdr = {.flags = LF_IMAGE_F_ROM_FIXED,
                                  .load_addr = s0_slot_addr(board, 0),
                                  .version = {.major = 3}};
    const struct lf_flash_area *target = NULL;
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, &target),
                     LF_E_STAGE0_ACTIVE_ON_TRIAL);
    assert_null(target);
    /* A torn confirm: image_ok neither erased nor 0x01. */
    const struct lf_flash_area *s1 = s0_slot(&f->dev, 1);
    uint8_t torn[4] = {0x81, 0xff, 0xff, 0xff};
    assert_int_equal(lf_flash_area_write(s1, lf_trailer_image_ok_off(s1), torn, 4), LF_OK);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_ACTIVE_ON_TRIAL);
    /* The SMP server's confirm of the active slot (lf_trailer_set_confirmed)
     * completes it: the same handoff now passes. */
    assert_int_equal(lf_trailer_set_confirmed(s1), LF_OK);
    assert_true(f->dec.handoff.trial);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, &target), LF_OK);
    assert_ptr_equal(target, s0_slot(&f->dev, 0));
    /* The other checks still apply to the stale handoff. */
    hdr.load_addr = s0_slot_addr(board, 1);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_WRONG_SLOT);
    /* Next reset: confirmed, counter stored, nothing on trial. */
    expect_boot(f, 1, false);
    assert_int_equal(counter(f), 1);
    hdr.load_addr = s0_slot_addr(board, 0);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL), LF_OK);

    /* Same through stage 1's own call (lf_stage0_confirm) on a new trial. */
    put(f, 0, 0, 3, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 0), LF_OK);
    expect_boot(f, 0, true);
    hdr.load_addr = s0_slot_addr(board, 1);
    hdr.version.major = 4;
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL),
                     LF_E_STAGE0_ACTIVE_ON_TRIAL);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    assert_int_equal(lf_stage0_check_upload(&f->dev.map, &f->dec.handoff, &hdr, NULL), LF_OK);
}

/* The uploader's mark and stage 0's size limit are the same trailer unit:
 * lf_stage0_upload_begin writes swap_size at lf_trailer_swap_size_off (and
 * nothing else), an image ending exactly there uploads, tests and boots, and
 * one 4 bytes longer overwrites the mark and is refused. */
static void test_upload_mark_is_the_size_limit(void **state)
{
    struct fx *f = *state;
    put(f, 0, 2, 1, 0, 1);
    expect_boot(f, 0, false);
    const struct lf_flash_area *s1 = s0_slot(&f->dev, 1);
    uint32_t limit = lf_trailer_swap_size_off(s1);
    assert_int_equal(limit % LF_BOOT_MAX_ALIGN, 0);
    assert_int_equal(limit, s1->size - lf_trailer_info_size());
    assert_int_equal(lf_stage0_upload_begin(s1), LF_OK);
    static uint8_t raw[0x8000];
    assert_true(s1->size <= sizeof(raw));
    assert_int_equal(lf_flash_area_read(s1, 0, raw, s1->size), LF_OK);
    for (uint32_t i = 0; i < s1->size; i++) {
        uint8_t want = i >= limit && i < limit + 4 ? 0x00 : 0xff;
        if (raw[i] != want) {
            fail_msg("slot byte 0x%x is 0x%02x after upload_begin, expected 0x%02x", i, raw[i],
                     want);
        }
    }
    /* Ed25519: a TLV area of 12 + 156 bytes, so the image ends at `limit`. */
    struct s0_img_spec s = {.key = &keys[2],
                            .load_addr = s0_slot_addr(board, 1),
                            .major = 2,
                            .sec_cnt = 1,
                            .payload_len = limit - S0_HDR_SIZE - 168};
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(f->img.len, limit);
    assert_int_equal(lf_flash_area_write(s1, 0, f->img.bytes, f->img.len), LF_OK);
    expect_boot(f, 0, false); /* complete, but not tested: still the mark (T2) */
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_BAD_TRAILER);
    assert_int_equal(lf_trailer_set_pending(s1, 1, false), LF_OK);
    expect_boot(f, 1, true);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 1, false);

    /* 4 bytes more: its last word lands on the mark. */
    put(f, 0, 2, 3, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 0), LF_OK);
    expect_boot(f, 0, true);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(lf_stage0_upload_begin(s1), LF_OK);
    s.major = 4;
    s.payload_len += 4;
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(f->img.len, limit + 4);
    /* Everything below the mark programs; the last word lands on it, where
     * the (strict) flash cannot set bits back: only zero bytes "fit". */
    assert_int_equal(lf_flash_area_write(s1, 0, f->img.bytes, limit), LF_OK);
    const uint8_t *tail = f->img.bytes + limit;
    bool tail_zero = !(tail[0] | tail[1] | tail[2] | tail[3]);
    assert_int_equal(lf_flash_area_write(s1, limit, tail, 4),
                     tail_zero ? LF_OK : LF_E_FLASH_BIT_SET);
    expect_boot(f, 0, false); /* the mark: T2 */
    assert_int_equal(f->dec.slot_status[1], LF_E_STAGE0_BAD_TRAILER);
    /* Even tested, it never boots: its signature's last word is the mark's
     * zeros, or (had it been zeros all along) the size check refuses it. */
    assert_int_equal(lf_trailer_set_pending(s1, 1, false), LF_OK);
    expect_boot(f, 0, false);
    assert_int_equal(f->dec.slot_status[1],
                     tail_zero ? LF_E_STAGE0_OVERLAPS_TRAILER : LF_E_IMG_BAD_SIGNATURE);
}

static void test_trial_mark_failure_falls_back(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    put(f, 1, 0, 2, 0, 1);
    assert_int_equal(s0_slot_pending(&f->dev, 1), LF_OK);
    /* S1's trailer sector cannot be written during this boot. */
    const struct lf_flash_area *s1 = s0_slot(&f->dev, 1);
    s0_reset(&f->dev);
    lf_sim_flash_lock(lf_sim_device_flash_of(&f->dev, s1), s1->off + s1->size - 4096,
                      s1->off + s1->size);
    f->log.n = 0;
    const struct lf_stage0_platform p = s0_platform(&f->dev, &f->log);
    assert_int_equal(lf_stage0_boot(&p, &f->dec), LF_OK);
    s0_log_dump(&f->log);
    /* Never a trial that cannot be marked: S0 boots instead. */
    assert_int_equal(f->dec.handoff.slot, 0);
    assert_false(f->dec.handoff.trial);
    assert_int_equal(f->dec.slot_status[1], LF_E_FLASH_LOCKED);
    assert_true(s0_log_has(&f->log, "stage0: s1: trial mark failed: FLASH_LOCKED (-28)"));
    /* With the slot writable again (next reset) the trial happens. */
    expect_boot(f, 1, true);
}

/* Interop: an image made by the project's imgtool-compatible signer
 * (lfimg sign --pad ... --public-key-format full --rom-fixed) boots, with
 * the trailer where imgtool puts it. */
static int lfimg_sign(const char *extra, const char *out, uint8_t major, uint32_t cnt)
{
    const char *key = WORK "-key.pem";
    FILE *k = fopen(key, "w");
    if (!k || PEM_write_PrivateKey(k, keys[1].pkey, NULL, NULL, 0, NULL, NULL) != 1) {
        return -1;
    }
    fclose(k);
    const char *payload = WORK "-payload.bin";
    FILE *pl = fopen(payload, "w");
    for (int i = 0; pl && i < 2000; i++) {
        fputc(i * 7, pl);
    }
    if (!pl || fclose(pl) != 0) {
        return -1;
    }
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             LF_BINARY_DIR "/bin/lfimg sign -k %s -H 0x200 --pad-header --align 4 -v %u.0.0 "
                           "-s %u -S 0x%x --public-key-format full -F 0x%x %s %s %s",
             key, major, cnt, (unsigned)board->areas[LF_AREA_S1].size,
             (unsigned)s0_slot_addr(board, 1), extra, payload, out);
    return system(cmd);
}

static int put_file(struct fx *f, int slot, const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in) {
        return -1;
    }
    size_t n = fread(f->img.bytes, 1, sizeof(f->img.bytes), in);
    fclose(in);
    f->img.len = (uint32_t)n;
    while (f->img.len % 4) {
        f->img.bytes[f->img.len++] = 0xFF;
    }
    return s0_slot_put(&f->dev, slot, &f->img);
}

static void test_lfimg_signed_images(void **state)
{
    struct fx *f = *state;
    put(f, 0, 0, 1, 0, 1);
    const char *img = WORK "-lfimg.bin";
    /* --pad: magic written, image_ok erased: a pending test. */
    assert_int_equal(lfimg_sign("--pad", img, 2, 3), 0);
    assert_int_equal(put_file(f, 1, img), 0);
    expect_boot(f, 1, true);
    assert_int_equal(f->dec.handoff.key_index, 1);
    assert_int_equal(lf_stage0_confirm(&f->dev.map, &f->dec.handoff), LF_OK);
    expect_boot(f, 1, false);
    assert_int_equal(f->dec.handoff.counter, 3);
    assert_true(s0_log_has(&f->log, "stage0: revoked root key 0"));
    /* --confirm: magic and image_ok: confirmed without a trial. */
    assert_int_equal(lfimg_sign("--confirm", img, 3, 4), 0);
    assert_int_equal(put_file(f, 1, img), 0);
    expect_boot(f, 1, false);
    assert_true(s0_log_has(&f->log, "stage0: s1: candidate 3.0.0+0 cnt 4 key 1 confirmed"));
    assert_int_equal(f->dec.handoff.counter, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fresh_device_boots_s0, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pending_s1_tried_confirmed_counter_advances, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_unconfirmed_s1_abandoned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_rotation_revokes_older_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_below_counter_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_sec_cnt_accepted_at_zero, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rom_fixed_address_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keyhash_or_unknown_key_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_both_invalid_safe_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unprovisioned_device_safe_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect_hook_locks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_protect_failure_no_jump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_counter_exhaustion, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tie_rule_no_flip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_last_resort_abandoned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_trailer_and_overlap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_in_progress_never_boots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_confirm_takes_effect_without_reset, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upload_mark_is_the_size_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trial_mark_failure_falls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lfimg_signed_images, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
