/*
 * Who confirms a stage 1 on trial (issue 6, docs/stage1.md rows B5..B7):
 *   - the board setting stage1_confirm = AUTO: stage 1 confirms itself once it
 *     has handed over to a valid application;
 *   - stage1_confirm = SMP: it waits; without an SMP `image confirm` of image
 *     1 stage 0 abandons it at the next reset and boots the other slot; with
 *     it, stage 0 keeps it and advances the security counter.
 * In-process on the virtual device: the real stage 0, stage 1 and SMP server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain.h"
#include "lf/err.h"
#include "lf/trailer.h"
#include "pc_dev.h"
#include "pc_smp.h"

static char g_dir[512];
static struct lf_sim_device g_dev;
static struct lf_board g_board; /* the device's board with the setting under test */
static struct lfsim_chain g_chain;
static char g_why[256];

/* A factory device with stage 1 v1.2.0 (security counter 2) pending in S1. */
static void make_device(uint8_t confirm)
{
    snprintf(g_dir, sizeof(g_dir), "%s/tests/system-tmp/%d-confirm", LF_BINARY_DIR, (int)getpid());
    assert_int_equal(pc_dev_prepare(g_dir, "nrf52840dk"), 0);
    assert_int_equal(lf_sim_device_open(&g_dev, g_dir), LF_OK);
    static uint8_t img[64 * 1024];
    size_t len = 0;
    assert_int_equal(pc_file_read(g_dir, "images/stage1-v1.2.0-s1.signed.bin", img, sizeof(img),
                                  &len, g_why, sizeof(g_why)),
                     0);
    const struct lf_flash_area *s1 = lf_sim_device_area(&g_dev, LF_AREA_S1);
    assert_int_equal(
        lf_sim_flash_load(lf_sim_device_flash_of(&g_dev, s1), s1->off, img, (uint32_t)len), LF_OK);
    assert_int_equal(lf_trailer_set_pending(s1, 1, false), LF_OK);
    g_board = *g_dev.board;
    g_board.stage1_confirm = confirm;
    g_dev.board = &g_board;
}

/* A reset: the device opened afresh from its files, the setting kept. */
static int boot(void)
{
    assert_int_equal(pc_dev_reset(&g_dev, g_why, sizeof(g_why)), 0);
    g_dev.board = &g_board;
    return lfsim_chain_boot(&g_dev, NULL, &g_chain);
}

static bool s1_image_ok(void)
{
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(lf_sim_device_area(&g_dev, LF_AREA_S1), &tr), LF_OK);
    return tr.image_ok == LF_FLAG_SET;
}

static void test_auto_confirms_itself(void **state)
{
    (void)state;
    make_device(LF_STAGE1_CONFIRM_AUTO);
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 1);
    assert_true(g_chain.s0.handoff.trial);
    assert_true(g_chain.s1.confirmed_self);
    assert_false(g_chain.s1.awaiting_confirm);
    assert_true(s1_image_ok());
    /* the next boot keeps it and stores its counter */
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 1);
    assert_false(g_chain.s0.handoff.trial);
    assert_int_equal(g_chain.s0.handoff.counter, 2);
    lf_sim_device_close(&g_dev);
}

static void test_smp_setting_without_confirm_abandons(void **state)
{
    (void)state;
    make_device(LF_STAGE1_CONFIRM_SMP);
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 1);
    assert_true(g_chain.s0.handoff.trial);
    assert_false(g_chain.s1.confirmed_self);
    assert_true(g_chain.s1.awaiting_confirm);
    assert_false(s1_image_ok());
    /* nobody confirmed: abandoned, S0 boots, the counter did not move */
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 0);
    assert_int_equal(g_chain.s0.slot_status[1], LF_E_STAGE0_ABANDONED);
    assert_int_equal(g_chain.s0.handoff.counter, 1);
    lf_sim_device_close(&g_dev);
}

static void test_smp_setting_confirmed_over_smp(void **state)
{
    (void)state;
    static struct pc_smp smp;
    make_device(LF_STAGE1_CONFIRM_SMP);
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_true(g_chain.s1.awaiting_confirm);
    assert_int_equal(pc_smp_up(&smp, &g_dev, &g_chain, g_why, sizeof(g_why)), 0);
    /* `image confirm HASH` of image 1's active slot, as lfmgr sends it */
    if (pc_smp_set(&smp, 1, 1, true, g_why, sizeof(g_why)) != 0) {
        fail_msg("%s", g_why);
    }
    assert_true(s1_image_ok());
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 1);
    assert_false(g_chain.s0.handoff.trial);
    assert_int_equal(g_chain.s0.handoff.counter, 2);
    lf_sim_device_close(&g_dev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_auto_confirms_itself),
        cmocka_unit_test(test_smp_setting_without_confirm_abandons),
        cmocka_unit_test(test_smp_setting_confirmed_over_smp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
