/*
 * The SDK-compatible stage-1 install refuses a copy that differs from its
 * source (issue 13, Must-show 1; docs/stage1.md rows I7/I8).
 *
 * The factory device of `lfsim demo --prepare-only` gets stage 1 v1.2.0 for
 * S1 the SDK way: uploaded over SMP to image 0 (the application's secondary),
 * `image test`, reset. On the boot that installs it, the flash model's
 * fault hook (lf_sim_flash_drop_bits) makes one program of the copy into S1
 * not take: one byte of the payload keeps some of its erased bits. Stage 1
 * must then:
 *   - refuse the install with STAGE1_COPY_MISMATCH (and not reset into it);
 *   - leave S1 neither pending nor confirmed (no magic: stage 0 never boots
 *     it), only the "upload in progress" mark;
 *   - record the refusal and its reason in the boot record, and clear the
 *     request so it does not repeat at every boot;
 *   - keep booting the running stage 1 (v1.0.0 in S0), now and after resets.
 * A control run without the fault installs the same update, so the test
 * fails if the hook, not the install, is what changed.
 * In-process on the virtual device: the real stage 0, stage 1 and SMP server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "chain.h"
#include "lf/boot_record.h"
#include "lf/err.h"
#include "lf/trailer.h"
#include "pc_dev.h"
#include "pc_smp.h"

static char g_dir[512];
static struct lf_sim_device g_dev;
static struct lfsim_chain g_chain;
static struct pc_smp g_smp;
static char g_why[256];
static uint8_t g_img[64 * 1024];
static size_t g_img_len;

#define DROP_AT 0x400u /* an offset in the image's payload (header: 0x200) */

static void check(int rc)
{
    if (rc != 0) {
        fail_msg("%s", g_why);
    }
}

/* A cold boot: the device closed and opened again from its files. */
static int boot(void)
{
    check(pc_dev_reset(&g_dev, g_why, sizeof(g_why)));
    return lfsim_chain_boot(&g_dev, NULL, &g_chain);
}

/* The factory device, booted, with v1.2.0 for S1 uploaded to image 0 and
 * marked for test; the user's reset follows. */
static void prepare_sdk_request(const char *board, const char *tag)
{
    snprintf(g_dir, sizeof(g_dir), "%s/tests/system-tmp/%d-copy-%s-%s", LF_BINARY_DIR,
             (int)getpid(), tag, board);
    assert_int_equal(pc_dev_prepare(g_dir, board), 0);
    assert_int_equal(lf_sim_device_open(&g_dev, g_dir), LF_OK);
    check(pc_file_read(g_dir, "images/stage1-v1.2.0-s1.signed.bin", g_img, sizeof(g_img),
                       &g_img_len, g_why, sizeof(g_why)));
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 0);
    check(pc_smp_up(&g_smp, &g_dev, &g_chain, g_why, sizeof(g_why)));
    check(pc_smp_upload(&g_smp, 0, g_img, (uint32_t)g_img_len, g_why, sizeof(g_why)));
    check(pc_smp_test(&g_smp, 0, 1, g_why, sizeof(g_why)));
    check(pc_smp_reset(&g_smp, g_why, sizeof(g_why)));
}

static void finish(void)
{
    lf_sim_device_close(&g_dev);
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_dir);
    assert_int_equal(system(cmd), 0);
}

static void expect_s0_factory_running(void)
{
    const struct lf_stage0_handoff *h = &g_chain.s0.handoff;
    assert_int_equal(h->slot, 0);
    assert_int_equal(h->version.major, 1);
    assert_int_equal(h->version.minor, 0);
    assert_false(h->trial);
    assert_false(h->last_resort);
}

static void run_bad_copy(const char *board)
{
    prepare_sdk_request(board, "bad");
    /* the payload byte the hook hits must need programming */
    uint32_t at = DROP_AT;
    while (at < g_img_len && g_img[at] == 0xFF) {
        at++;
    }
    assert_true(at < g_img_len);

    /* the reset; the install boot with one copy program that does not take */
    check(pc_dev_reset(&g_dev, g_why, sizeof(g_why)));
    const struct lf_flash_area *s1 = lf_sim_device_area(&g_dev, LF_AREA_S1);
    struct lf_sim_flash *part = lf_sim_device_flash_of(&g_dev, s1);
    lf_sim_flash_drop_bits(part, s1->off + at, 0xFF);
    int end = lfsim_chain_boot(&g_dev, NULL, &g_chain);
    assert_int_equal(part->drop_fired, 1); /* the copy really differs */
    uint8_t got;
    assert_int_equal(lf_flash_area_read(s1, at, &got, 1), LF_OK);
    assert_int_not_equal(got, g_img[at]);

    /* refused with the reason, no reset into the copy */
    assert_int_equal(g_chain.s1.install, LF_STAGE1_INSTALL_REFUSED);
    assert_int_equal(g_chain.s1.install_reason, LF_E_STAGE1_COPY_MISMATCH);
    assert_int_equal(end, LFSIM_BOOT_APP);
    expect_s0_factory_running();

    /* S1 is not marked: no magic, so neither pending nor confirmed */
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(s1, &tr), LF_OK);
    assert_int_not_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_not_equal(tr.image_ok, LF_FLAG_SET);

    /* the boot record says what was refused and why */
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(lf_sim_device_area(&g_dev, LF_AREA_STATE), 0, &r), LF_OK);
    assert_int_equal(r.action, LF_BOOT_ACT_REJECTED);
    assert_int_equal(r.reason, LF_E_STAGE1_COPY_MISMATCH);
    assert_int_equal(r.other_ver.major, 1);
    assert_int_equal(r.other_ver.minor, 2);

    /* the request is cleared: the next boots do not try again */
    assert_int_equal(lf_trailer_read(lf_sim_device_area(&g_dev, LF_AREA_APP_SECONDARY), &tr),
                     LF_OK);
    assert_int_not_equal(tr.magic, LF_MAGIC_GOOD);

    /* over SMP: nothing pending, S1 not active */
    struct lf_smp_image_slot st[PC_SMP_SLOTS_MAX];
    size_t n = 0;
    check(pc_smp_up(&g_smp, &g_dev, &g_chain, g_why, sizeof(g_why)));
    check(pc_smp_state(&g_smp, st, PC_SMP_SLOTS_MAX, &n, g_why, sizeof(g_why)));
    for (size_t i = 0; i < n; i++) {
        assert_false(st[i].pending);
        if (st[i].image == 1 && st[i].slot == 1) {
            assert_false(st[i].active);
            assert_false(st[i].confirmed);
        }
    }

    /* the device keeps booting the running stage 1 */
    for (int i = 0; i < 3; i++) {
        assert_int_equal(boot(), LFSIM_BOOT_APP);
        expect_s0_factory_running();
        assert_int_equal(g_chain.s1.install, LF_STAGE1_INSTALL_NONE);
        assert_int_not_equal(g_chain.s0.slot_status[1], LF_OK);
    }
    finish();
}

/* Control: the same request without the fault is installed and trial-booted. */
static void run_good_copy(const char *board)
{
    prepare_sdk_request(board, "good");
    assert_int_equal(boot(), LFSIM_BOOT_RESET);
    assert_int_equal(g_chain.s1.install, LF_STAGE1_INSTALL_COPIED);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(lf_sim_device_area(&g_dev, LF_AREA_S1), &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(boot(), LFSIM_BOOT_APP);
    assert_int_equal(g_chain.s0.handoff.slot, 1);
    assert_true(g_chain.s0.handoff.trial);
    finish();
}

static void test_bad_copy_nrf52840dk(void **state)
{
    (void)state;
    run_bad_copy("nrf52840dk");
}

static void test_bad_copy_nrf52840dk_qspi(void **state)
{
    (void)state;
    run_bad_copy("nrf52840dk-qspi");
}

static void test_good_copy_nrf52840dk(void **state)
{
    (void)state;
    run_good_copy("nrf52840dk");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_copy_nrf52840dk),
        cmocka_unit_test(test_bad_copy_nrf52840dk),
        cmocka_unit_test(test_bad_copy_nrf52840dk_qspi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
