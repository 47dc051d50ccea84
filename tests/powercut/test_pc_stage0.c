#define _POSIX_C_SOURCE 200809L /* unsetenv */
/*
 * Stage 0 under power cuts (docs/stage0.md, docs/provision.md): every flash
 * operation of a field-update flow is cut, clean and torn, and the flow then
 * continues from the surviving flash.
 *
 * The flow is a user and a device: the device boots (stage 0), a stage 1 on
 * trial confirms itself (or never does), and while a confirmed stage 1 runs
 * the user uploads the next update the plan holds to the inactive slot
 * (erase, write, image test) after asking the uploader checks. It covers
 * uploads, trial marking, confirm, counter advance and key revocation.
 *
 * Invariants, after every boot of every run and in the final check:
 *  - stage 0 always boots a valid stage 1 (never the safe state);
 *  - exactly one counter value is readable: the counter reads, and valid
 *    slots hold strictly increasing values (so the counter never decreases:
 *    OTP only grows);
 *  - the final state is the planned one (or, if updates are never
 *    confirmed, the factory image with nothing advanced or revoked).
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
#include "lf/err.h"
#include "lf/trailer.h"
#include "powercut.h"
#include "s0_fixture.h"

#define MAX_UPDATES 2

struct plan {
    const struct lf_board *board;
    uint8_t hashes[2][32];
    struct s0_img factory;             /* v1, key 0, counter 1, in S0 */
    struct s0_img update[MAX_UPDATES]; /* uploaded in order */
    uint8_t update_major[MAX_UPDATES];
    int n_updates;
    bool confirms; /* stage 1 confirms itself when on trial */
    /* Final state. */
    uint8_t final_major;
    uint8_t final_slot;
    uint32_t final_counter;
    uint8_t final_revoked;
};

static int why_fail(char *why, size_t why_len, const char *what, int err)
{
    snprintf(why, why_len, "%s: %s", what, lf_err_str(err));
    return -1;
}

static int setup(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    struct plan *pl = arg;
    struct lf_provision_settings s = {
        .key_count = 2,
        .key_type = {LF_KEY_ECDSA_P256, LF_KEY_ECDSA_P256},
        .key_hash = (const uint8_t(*)[32])pl->hashes,
        .counter_slots = pl->board->counter_slots,
        .initial_counter = 1,
    };
    int err = lf_provision_write(lf_sim_device_area(dev, LF_AREA_PROVISION), &s);
    if (!err) {
        err = s0_slot_put(dev, 0, &pl->factory);
    }
    return err ? why_fail(why, why_len, "setup", err) : 0;
}

/* Invariants after a boot; *last is the counter seen by the previous boot of
 * this process. */
static int check_counter(struct lf_sim_device *dev, uint32_t *last, char *why, size_t why_len)
{
    struct lf_provision_counter c;
    int err = s0_counter(dev, &c);
    if (err) {
        return why_fail(why, why_len, "counter unreadable", err);
    }
    if (s0_counter_slots_increasing(dev) != 0) {
        snprintf(why, why_len, "valid counter slots not strictly increasing");
        return -1;
    }
    if (c.value < *last || c.value < 1) {
        snprintf(why, why_len, "counter decreased: %u after %u", c.value, *last);
        return -1;
    }
    *last = c.value;
    return 0;
}

/* The user: upload update u to the inactive slot, as the SMP server would. */
static int upload(struct lf_sim_device *dev, const struct plan *pl, int u,
                  const struct lf_stage0_handoff *h, char *why, size_t why_len)
{
    struct lf_image_header hdr;
    lf_image_header_decode(pl->update[u].bytes, &hdr);
    const struct lf_flash_area *target = NULL;
    int err = lf_stage0_check_upload(&dev->map, h, &hdr, &target);
    if (err) {
        return why_fail(why, why_len, "upload refused", err);
    }
    /* The update's SEC_CNT sits right after the payload (protected TLV). */
    const uint8_t *cnt = pl->update[u].bytes + hdr.hdr_size + hdr.img_size + 8;
    uint32_t sec_cnt =
        (uint32_t)cnt[0] | (uint32_t)cnt[1] << 8 | (uint32_t)cnt[2] << 16 | (uint32_t)cnt[3] << 24;
    err = lf_stage0_check_counter(lf_sim_device_area(dev, LF_AREA_PROVISION), sec_cnt, NULL);
    if (err) {
        return why_fail(why, why_len, "upload counter refused", err);
    }
    err = lf_stage0_upload_begin(target);
    if (!err) {
        err = lf_flash_area_write(target, 0, pl->update[u].bytes, pl->update[u].len);
    }
    if (!err) { /* image test */
        err = lf_trailer_set_pending(target, 1, false);
    }
    return err ? why_fail(why, why_len, "upload", err) : 0;
}

static int run(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct plan *pl = arg;
    struct s0_log log;
    struct lf_stage0_decision dec;
    uint32_t last = 0;
    s0_log_init(&log);
    for (int boot = 0; boot < 16; boot++) {
        int err = s0_boot(dev, &log, &dec);
        if (err) {
            snprintf(why, why_len, "boot %d: no stage 1: %s", boot, lf_err_str(err));
            return -1;
        }
        if (check_counter(dev, &last, why, why_len) != 0) {
            return -1;
        }
        const struct lf_stage0_handoff *h = &dec.handoff;
        if (h->trial || h->last_resort) {
            if (pl->confirms && (err = lf_stage0_confirm(&dev->map, h)) != 0) {
                return why_fail(why, why_len, "confirm", err);
            }
            continue;
        }
        /* A confirmed stage 1 runs. Without confirming updates, the flow ends
         * once the update has been abandoned. */
        if (!pl->confirms && dec.slot_status[h->slot ^ 1] == LF_E_STAGE0_ABANDONED) {
            return 0;
        }
        int next = -1;
        for (int u = 0; u < pl->n_updates && next < 0; u++) {
            if (pl->update_major[u] > h->version.major) {
                next = u;
            }
        }
        if (next < 0) {
            return 0;
        }
        if (upload(dev, pl, next, h, why, why_len) != 0) {
            return -1;
        }
    }
    snprintf(why, why_len, "did not settle in 16 boots");
    return -1;
}

static int check(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct plan *pl = arg;
    struct s0_log log;
    struct lf_stage0_decision dec;
    uint32_t last = 0;
    s0_log_init(&log);
    for (int i = 0; i < 2; i++) { /* settled: the same twice */
        int err = s0_boot(dev, &log, &dec);
        if (err) {
            snprintf(why, why_len, "final boot: no stage 1: %s", lf_err_str(err));
            return -1;
        }
        if (check_counter(dev, &last, why, why_len) != 0) {
            return -1;
        }
        if (dec.handoff.slot != pl->final_slot || dec.handoff.version.major != pl->final_major ||
            dec.handoff.trial || dec.handoff.last_resort) {
            snprintf(why, why_len, "final boot: s%u v%u%s, expected s%u v%u", dec.handoff.slot,
                     dec.handoff.version.major, dec.handoff.trial ? " (trial)" : "", pl->final_slot,
                     pl->final_major);
            return -1;
        }
    }
    if (last != pl->final_counter) {
        snprintf(why, why_len, "final counter %u, expected %u", last, pl->final_counter);
        return -1;
    }
    struct lf_provision p;
    int err = lf_provision_read(lf_sim_device_area(dev, LF_AREA_PROVISION), &p);
    if (err) {
        return why_fail(why, why_len, "provision", err);
    }
    if (p.revoked != pl->final_revoked) {
        snprintf(why, why_len, "revoked keys 0x%x, expected 0x%x", p.revoked, pl->final_revoked);
        return -1;
    }
    return 0;
}

static struct s0_key keys[2];

static void sign(struct s0_img *img, int key, const struct lf_board *b, int slot, uint8_t major,
                 uint32_t cnt)
{
    struct s0_img_spec s = {
        .key = &keys[key],
        .load_addr = s0_slot_addr(b, slot),
        .major = major,
        .sec_cnt = cnt,
        .seed = major,
    };
    assert_int_equal(s0_img_sign(&s, img), 0);
}

static struct plan plan;

static void make_plan(const struct lf_board *b, bool confirms)
{
    memset(&plan, 0, sizeof(plan));
    plan.board = b;
    memcpy(plan.hashes[0], keys[0].hash, 32);
    memcpy(plan.hashes[1], keys[1].hash, 32);
    sign(&plan.factory, 0, b, 0, 1, 1);
    plan.confirms = confirms;
    if (confirms) {
        /* v2 with the new root key 1 and counter 3 to S1, then v3 (counter 5)
         * to S0: two trials, two confirms, two advances, one revocation. */
        sign(&plan.update[0], 1, b, 1, 2, 3);
        sign(&plan.update[1], 1, b, 0, 3, 5);
        plan.update_major[0] = 2;
        plan.update_major[1] = 3;
        plan.n_updates = 2;
        plan.final_major = 3;
        plan.final_slot = 0;
        plan.final_counter = 5;
        plan.final_revoked = 0x01;
    } else {
        sign(&plan.update[0], 1, b, 1, 2, 3);
        plan.update_major[0] = 2;
        plan.n_updates = 1;
        plan.final_major = 1;
        plan.final_slot = 0;
        plan.final_counter = 1;
        plan.final_revoked = 0;
    }
}

static const struct lf_pc_options options = {
    .work_dir = LF_BINARY_DIR "/powercut-work",
};

static void run_scenario(const char *name, const struct lf_board *b, bool confirms, bool double_cut)
{
    make_plan(b, confirms);
    struct lf_pc_scenario s = {
        .name = name,
        .board = b,
        .arg = &plan,
        .setup = setup,
        .run = run,
        .check = check,
    };
    struct lf_pc_options o = options;
    o.double_cut = double_cut;
    o.double_stride = 6;
    struct lf_pc_result res;
    assert_int_equal(lf_pc_run(&s, &o, &res), 0);
    assert_true(res.ops > 0);
    assert_true(res.cuts >= 2 * res.ops);
    assert_int_equal(res.failures, 0);
}

static void test_update_confirm_advance_revoke(void **state)
{
    (void)state;
    run_scenario("stage0/update-confirm-advance-revoke/nrf52840dk", &lf_board_nrf52840dk, true,
                 false);
}

static void test_update_never_confirmed(void **state)
{
    (void)state;
    run_scenario("stage0/update-abandoned/nrf52840dk", &lf_board_nrf52840dk, false, false);
}

static void test_update_double_cut(void **state)
{
    (void)state;
    run_scenario("stage0/update-confirm-advance-revoke/double-cut/nrf52840dk", &lf_board_nrf52840dk,
                 true, true);
}

static int group_setup(void **state)
{
    (void)state;
    return s0_key_gen(&keys[0], LF_KEY_ECDSA_P256) || s0_key_gen(&keys[1], LF_KEY_ECDSA_P256);
}

static int group_teardown(void **state)
{
    (void)state;
    s0_key_free(&keys[0]);
    s0_key_free(&keys[1]);
    return 0;
}

int main(void)
{
    /* Its assertions count every cut: never subsample this scenario. */
    unsetenv("LF_PC_STRIDE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_update_confirm_advance_revoke),
        cmocka_unit_test(test_update_never_confirmed),
        cmocka_unit_test(test_update_double_cut),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
