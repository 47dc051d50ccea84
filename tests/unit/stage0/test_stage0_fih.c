/*
 * Fault-injection hardening of stage 0's decision (docs/glitch.md,
 * "Hardening"): the validator's and the decision's hardened verdicts follow
 * the ordinary verdicts, and the port's re-derivation before the jump
 * (lf_stage0_decision_check) accepts a real decision and panics on a
 * decision whose copies disagree. lf_fih_panic is this test's own: it jumps
 * back to the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/fih.h"
#include "s0_fixture.h"

#define WORK LF_BINARY_DIR "/stage0-work/stage0-fih"

static jmp_buf panic_jmp;
static int panics;

void lf_fih_panic(void)
{
    panics++;
    longjmp(panic_jmp, 1);
}

static struct s0_key key;
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
    return s0_key_gen(&key, LF_KEY_ECDSA_P256) ? -1 : 0;
}

static int group_teardown(void **state)
{
    (void)state;
    s0_key_free(&key);
    return 0;
}

static int setup(void **state)
{
    static struct fx f;
    memset(&f, 0, sizeof(f));
    s0_log_init(&f.log);
    if (s0_dev_create(&f.dev, WORK, board, &key, 1, board->counter_slots, 1) != LF_OK) {
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

static void put(struct fx *f, int slot, uint8_t major)
{
    struct s0_img_spec s = {
        .key = &key,
        .load_addr = s0_slot_addr(board, slot),
        .major = major,
        .sec_cnt = 1,
        .seed = (uint8_t)(major * 16 + slot),
    };
    assert_int_equal(s0_img_sign(&s, &f->img), 0);
    assert_int_equal(s0_slot_put(&f->dev, slot, &f->img), LF_OK);
}

/* Flip one payload bit of the image in `slot`: its hash no longer matches. */
static void corrupt(struct fx *f, int slot)
{
    const struct lf_flash_area *fa = s0_slot(&f->dev, slot);
    uint8_t b;
    assert_int_equal(lf_flash_area_read(fa, 0x300, &b, 1), LF_OK);
    b ^= 0x10;
    struct lf_sim_flash *fl = lf_sim_device_flash_of(&f->dev, fa);
    assert_int_equal(lf_sim_flash_load(fl, fa->off + 0x300, &b, 1), LF_OK);
}

/* The validator's verdicts, with the key in a table of one. */
static int validate(struct fx *f, int slot, struct lf_image_info *info)
{
    struct lf_pubkey k = {LF_KEY_ECDSA_P256, (uint16_t)key.der_len, key.der, NULL};
    struct lf_keyring ring = {&k, 1, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
    memset(info, 0, sizeof(*info));
    return lf_image_validate(s0_slot(&f->dev, slot), 0, &ring, info);
}

/* lf_stage0_decision_check on d: 1 if it panicked, else 0 and *r. */
static int check(struct fx *f, const struct lf_stage0_decision *d, lf_fih_t *r)
{
    int before = panics;
    if (setjmp(panic_jmp) == 0) {
        *r = lf_stage0_decision_check(&f->dev.map, d);
    }
    return panics != before;
}

static void test_validator_verdict(void **state)
{
    struct fx *f = *state;
    struct lf_image_info info;
    put(f, 0, 1);
    assert_int_equal(validate(f, 0, &info), LF_OK);
    assert_int_equal(info.fih.v, LF_FIH ? LF_FIH_SUCCESS : 0u);
    corrupt(f, 0);
    info.fih.v = LF_FIH_SUCCESS; /* left over from before: must be overwritten */
    assert_int_equal(validate(f, 0, &info), LF_E_IMG_HASH_MISMATCH);
    assert_false(lf_fih_ok(info.fih) && LF_FIH);
    assert_int_equal(info.fih.v, LF_FIH ? LF_FIH_FAILURE : 0u);
}

static void test_decision_verdicts(void **state)
{
    struct fx *f = *state;
    /* A newer corrupted image in S1, a good one in S0: S0 boots. */
    put(f, 0, 1);
    put(f, 1, 2);
    corrupt(f, 1);
    assert_int_equal(s0_boot(&f->dev, &f->log, &f->dec), LF_OK);
    assert_int_equal(f->dec.handoff.slot, 0);
    assert_int_equal(f->dec.slot_status[1], LF_E_IMG_HASH_MISMATCH);
    lf_fih_t r = {0};
    assert_int_equal(check(f, &f->dec, &r), 0);
    assert_int_equal(r.v, LF_FIH_SUCCESS);
#if LF_FIH
    assert_int_equal(f->dec.fih.v, LF_FIH_SUCCESS);
    assert_int_equal(f->dec.entry_inv, ~f->dec.handoff.entry);
#endif
    /* Nothing valid: the safe state, and its verdict is a failure. */
    corrupt(f, 0);
    assert_int_equal(s0_boot(&f->dev, &f->log, &f->dec), LF_E_STAGE0_NO_IMAGE);
    assert_false(lf_fih_ok(f->dec.fih));
#if LF_FIH
    r.v = 0;
    assert_int_equal(check(f, &f->dec, &r), 0);
    assert_int_equal(r.v, LF_FIH_FAILURE);
#endif
}

static void test_decision_check_catches_disagreement(void **state)
{
    struct fx *f = *state;
    put(f, 0, 1);
    put(f, 1, 2);
    assert_int_equal(s0_boot(&f->dev, &f->log, &f->dec), LF_OK);
    assert_int_equal(f->dec.handoff.slot, 1);
#if LF_FIH
    lf_fih_t r;
    struct lf_stage0_decision d;
    /* The jump target moved (a glitched entry), or its complement. */
    d = f->dec;
    d.handoff.entry += 4;
    assert_int_equal(check(f, &d, &r), 1);
    d = f->dec;
    d.entry_inv ^= 1u;
    assert_int_equal(check(f, &d, &r), 1);
    /* The area is not the handoff's slot (the other one). */
    d = f->dec;
    d.area = s0_slot(&f->dev, 0);
    assert_int_equal(check(f, &d, &r), 1);
    d = f->dec;
    d.handoff.slot = 0;
    assert_int_equal(check(f, &d, &r), 1);
    /* The chosen slot was refused. */
    d = f->dec;
    d.slot_status[1] = LF_E_IMG_BAD_SIGNATURE;
    assert_int_equal(check(f, &d, &r), 1);
    /* An abandoned slot that is not the last resort. */
    d = f->dec;
    d.slot_status[1] = LF_E_STAGE0_ABANDONED;
    assert_int_equal(check(f, &d, &r), 1);
    /* The handoff magic gone. */
    d = f->dec;
    d.handoff.magic = 0;
    assert_int_equal(check(f, &d, &r), 1);
    /* The verdict itself: failure, zero or one bit off is never a success
     * (a plain failure, as nothing else disagrees yet). */
    const uint32_t bad[] = {LF_FIH_FAILURE, 0u, LF_FIH_SUCCESS ^ 0x100u};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        d = f->dec;
        d.fih.v = bad[i];
        r.v = LF_FIH_SUCCESS;
        assert_int_equal(check(f, &d, &r), 0);
        assert_int_equal(r.v, LF_FIH_FAILURE);
    }
    /* The untouched decision still passes. */
    assert_int_equal(check(f, &f->dec, &r), 0);
    assert_int_equal(r.v, LF_FIH_SUCCESS);
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validator_verdict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_decision_check_catches_disagreement, setup, teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
