/*
 * Image group other than upload (docs/reference/smp.md 2.2): state read in both shapes,
 * state write (test / confirm) with every error case, erase, slot info.
 * Expected messages: smp_vectors.h (gen_vectors.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/trailer.h"
#include "sim_flash.h"
#include "smp_fixture.h"
#include "smp_vectors.h"

static uint8_t img[FX_IMG_MAX];

static const struct lf_flash_area *area(uint8_t id)
{
    return lf_sim_device_area(&F.dev, id);
}

/* The application 1.1.0 in the secondary slot (as after an upload). */
static void load_app2(void)
{
    struct img_opts o = {.major = 1, .minor = 1, .payload = 5000, .seed = 3};
    fx_load(&F, LF_AREA_APP_SECONDARY, 0, img, img_make(img, sizeof(img), &o));
}

/* A stage 1 in S1: version, counter; `marked` = uploaded (the "upload in
 * progress" mark of lf_stage0_upload_begin), else a factory image. */
static void load_s1(uint8_t minor, uint32_t cnt, bool marked)
{
    struct img_opts o = {.major = 1,
                         .minor = minor,
                         .payload = 2500,
                         .seed = 4,
                         .flags = LF_IMAGE_F_ROM_FIXED,
                         .load_addr = lf_flash_area_addr(area(LF_AREA_S1)),
                         .has_sec_cnt = true,
                         .sec_cnt = cnt};
    fx_load(&F, LF_AREA_S1, 0, img, img_make(img, sizeof(img), &o));
    if (marked) {
        assert_int_equal(lf_trailer_write_swap_size(area(LF_AREA_S1), 0), LF_OK);
    }
}

static void test_state_read_default(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT);
}

static void test_state_read_legacy_shape(void **state)
{
    (void)state;
    /* cmcumgr: all five flags, no "image" key (so image 0 only), no "rc"
     * (Zephyr's legacy rc covers upload and erase only) */
    F.cfg.legacy_rc = true;
    assert_int_equal(fx_send_hex(&F, V_STATE_READ_V1), 1);
    fx_expect(&F, 0, V_STATE_LEGACY);
}

static void test_state_read_lists_valid_slots_only(void **state)
{
    (void)state;
    load_app2();
    load_s1(1, 5, true);
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_WITH_SECONDARIES);
    /* a corrupt header (bad magic) is not an image: skipped */
    uint8_t junk[64];
    memset(junk, 0x5a, sizeof(junk));
    fx_load(&F, LF_AREA_APP_SECONDARY, 0, junk, sizeof(junk));
    fx_load(&F, LF_AREA_S1, 0, junk, sizeof(junk));
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT);
}

static void test_state_without_handoff_lists_image0(void **state)
{
    (void)state;
    F.handoff_valid = false;
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_IMAGE0_ONLY);
}

static void test_test_and_errors_image0(void **state)
{
    (void)state;
    load_app2();
    uint64_t before = fx_area_digest(&F, LF_AREA_APP_SECONDARY);
    /* errors first: nothing may change */
    assert_int_equal(fx_send_hex(&F, V_TEST_NO_HASH), 1);
    fx_expect(&F, 0, V_ERR_INVALID_HASH);
    assert_int_equal(fx_send_hex(&F, V_TEST_SHORT_HASH), 1);
    fx_expect(&F, 0, V_ERR_INVALID_HASH);
    assert_int_equal(fx_send_hex(&F, V_TEST_UNKNOWN_HASH), 1);
    fx_expect(&F, 0, V_ERR_HASH_NOT_FOUND);
    assert_int_equal(fx_send_hex(&F, V_TEST_APP), 1);
    fx_expect(&F, 0, V_ERR_TEST_ACTIVE);
    /* v1: IMAGE_SETTING_TEST_TO_ACTIVE_DENIED is EUNKNOWN */
    assert_int_equal(fx_send_hex(&F, V_TEST_APP_V1), 1);
    fx_expect(&F, 0, V_RC_EUNKNOWN_V1);
    assert_true(fx_area_digest(&F, LF_AREA_APP_SECONDARY) == before);

    /* test: pending; again: no-op; confirm now: already pending */
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_STATE_APP2_PENDING);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(area(LF_AREA_APP_SECONDARY), &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(tr.image_ok, LF_FLAG_UNSET);
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_STATE_APP2_PENDING);
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_APP2), 1);
    fx_expect(&F, 0, V_ERR_ALREADY_PENDING);
}

static void test_confirm_permanent_image0(void **state)
{
    (void)state;
    load_app2();
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_APP2), 1);
    fx_expect(&F, 0, V_STATE_APP2_PERMANENT);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(area(LF_AREA_APP_SECONDARY), &tr), LF_OK);
    assert_int_equal(tr.image_ok, LF_FLAG_SET);
    /* a test after a permanent choice, or confirming the running image */
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_ERR_ALREADY_PENDING);
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_NOHASH), 1);
    fx_expect(&F, 0, V_ERR_ALREADY_PENDING);
}

static void test_confirm_running_hash_forms(void **state)
{
    (void)state;
    /* Go CLI "image confirm": an empty or null hash; smpclient: no hash */
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_EMPTY), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT_W);
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_NULL), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT_W);
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_NOHASH), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT_W);
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_APP), 1);
    fx_expect(&F, 0, V_STATE_DEFAULT_W);
}

static void test_revert_pending_and_confirm(void **state)
{
    (void)state;
    /* The primary runs a trial (swapped in, copy_done set, image_ok not):
     * the next boot reverts to the secondary. */
    load_app2();
    const struct lf_flash_area *pri = area(LF_AREA_APP_PRIMARY);
    assert_int_equal(lf_trailer_write_magic(pri), LF_OK);
    assert_int_equal(lf_trailer_write_copy_done(pri), LF_OK);
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_REVERT);
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_ERR_ALREADY_PENDING);
    /* erase refuses the revert's image */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 01 00 01 02 05 a0"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
    /* confirming the running image ends the trial */
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_EMPTY), 1);
    fx_expect(&F, 0, V_STATE_REVERT_CONFIRMED_W);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(pri, &tr), LF_OK);
    assert_int_equal(tr.image_ok, LF_FLAG_SET);
}

static void test_bad_secondary_trailer(void **state)
{
    (void)state;
    load_app2();
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    uint8_t bad[16];
    memset(bad, 0x12, sizeof(bad));
    fx_load(&F, LF_AREA_APP_SECONDARY, lf_trailer_magic_off(sec), bad, sizeof(bad));
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_ERR_BAD_MAGIC);
}

static void test_trailer_write_fails(void **state)
{
    (void)state;
    /* the secondary's trailer sector refuses programs (write protection) */
    load_app2();
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    lf_sim_flash_lock(lf_sim_device_flash_of(&F.dev, sec), sec->off + sec->size - 4096,
                      sec->off + sec->size);
    assert_int_equal(fx_send_hex(&F, V_TEST_APP2), 1);
    fx_expect(&F, 0, V_ERR_WRITE_FAILED);
    /* nothing marked: the state list still shows it neither pending nor
     * permanent */
    fx_reopen(&F);
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_WITH_SECONDARY_APP2);
}

static void test_stage1_test_and_confirm_rules(void **state)
{
    (void)state;
    load_s1(1, 5, true);
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_S1_UPLOADED);
    uint64_t before = fx_area_digest(&F, LF_AREA_S1);
    /* confirm of the other S slot: a stage 1 needs its trial */
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_S1), 1);
    fx_expect(&F, 0, V_ERR_CONFIRM_DENIED);
    /* test of the active one */
    assert_int_equal(fx_send_hex(&F, V_TEST_S0), 1);
    fx_expect(&F, 0, V_ERR_TEST_ACTIVE);
    assert_true(fx_area_digest(&F, LF_AREA_S1) == before);
    /* confirm of the active one (factory: nothing to write) */
    assert_int_equal(fx_send_hex(&F, V_CONFIRM_S0), 1);
    fx_expect(&F, 0, V_STATE_S1_UPLOADED_W);
    /* test: the magic makes it pending (stage 0 row T5) */
    assert_int_equal(fx_send_hex(&F, V_TEST_S1), 1);
    fx_expect(&F, 0, V_STATE_S1_PENDING_W);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(area(LF_AREA_S1), &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(tr.image_ok, LF_FLAG_UNSET);
    assert_int_equal(tr.copy_done, LF_FLAG_UNSET);
    assert_int_equal(fx_send_hex(&F, V_TEST_S1), 1);
    fx_expect(&F, 0, V_STATE_S1_PENDING_W);
    /* a pending stage 1 may not be erased or overwritten */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 03"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
}

static void test_stage1_refusals(void **state)
{
    (void)state;
    /* not newer than the active 1.0.0 */
    load_s1(0, 5, true);
    uint64_t before = fx_area_digest(&F, LF_AREA_S1);
    /* (its hash differs from H_S1: look it up) */
    struct fx_req r;
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 1, 0, 2);
    lf_cbor_enc_text_z(&r.enc, "hash");
    uint8_t h[32];
    fx_read(&F, LF_AREA_S1, 32 + 2500 + 12 + 8, h, 32);
    lf_cbor_enc_bytes(&r.enc, h, 32);
    assert_int_equal(fx_send(&F, r.buf, fx_req_end(&r)), 1);
    fx_expect(&F, 0, V_ERR_NOT_NEWER);
    assert_true(fx_area_digest(&F, LF_AREA_S1) == before);

    /* counter below the stored one */
    load_s1(1, FX_COUNTER - 1, true);
    fx_read(&F, LF_AREA_S1, 32 + 2500 + 12 + 8, h, 32);
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 1, 0, 2);
    lf_cbor_enc_text_z(&r.enc, "hash");
    lf_cbor_enc_bytes(&r.enc, h, 32);
    size_t n = fx_req_end(&r);
    assert_int_equal(fx_send(&F, r.buf, n), 1);
    fx_expect(&F, 0, V_ERR_NOT_NEWER);

    /* tried and abandoned (magic + copy_done): upload again */
    load_s1(1, 5, false);
    const struct lf_flash_area *s1 = area(LF_AREA_S1);
    assert_int_equal(lf_trailer_write_magic(s1), LF_OK);
    assert_int_equal(lf_trailer_write_copy_done(s1), LF_OK);
    assert_int_equal(fx_send_hex(&F, V_TEST_S1), 1);
    fx_expect(&F, 0, V_ERR_UNKNOWN);
}

static void test_stage1_test_needs_a_counter_slot(void **state)
{
    (void)state;
    /* one counter slot, used: a higher counter cannot be stored, so stage 0
     * could never confirm this stage 1; `image test` refuses it */
    fx_close(&F);
    fx_counter_slots = 1;
    fx_create(&F, "test_smp_img-full", NULL);
    fx_counter_slots = 4;
    F.cfg.verbose_err = false;
    load_s1(1, FX_COUNTER + 1, true);
    uint64_t before = fx_area_digest(&F, LF_AREA_S1);
    assert_int_equal(fx_send_hex(&F, V_TEST_S1_CNT6), 1);
    fx_expect(&F, 0, V_ERR_NO_COUNTER_SLOT);
    assert_int_equal(fx_send_hex(&F, V_TEST_S1_CNT6_V1), 1);
    fx_expect(&F, 0, V_RC_ENOMEM_V1);
    assert_true(fx_area_digest(&F, LF_AREA_S1) == before);
    /* the same counter costs nothing: pending */
    load_s1(1, FX_COUNTER, true);
    assert_int_equal(fx_send_hex(&F, V_TEST_S1), 1);
    fx_expect(&F, 0, V_STATE_S1_PENDING_W);
}

static void test_stage1_on_trial(void **state)
{
    (void)state;
    /* S0 runs its trial (copy_done set by stage 0); S1 holds the older,
     * confirmed stage 1 it falls back to. */
    struct img_opts o = {.major = 0,
                         .minor = 9,
                         .payload = 2500,
                         .seed = 4,
                         .flags = LF_IMAGE_F_ROM_FIXED,
                         .load_addr = lf_flash_area_addr(area(LF_AREA_S1)),
                         .has_sec_cnt = true,
                         .sec_cnt = 5};
    fx_load(&F, LF_AREA_S1, 0, img, img_make(img, sizeof(img), &o));
    assert_int_equal(lf_trailer_write_magic(area(LF_AREA_S0)), LF_OK);
    assert_int_equal(lf_trailer_write_copy_done(area(LF_AREA_S0)), LF_OK);
    F.handoff.trial = true;
    assert_int_equal(fx_send_hex(&F, V_STATE_READ), 1);
    fx_expect(&F, 0, V_STATE_S0_TRIAL);
    /* the fallback cannot be erased */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 03"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
    /* once stage 1 confirmed itself the trailer says so, whatever the
     * boot-time handoff said */
    assert_int_equal(lf_trailer_write_image_ok(area(LF_AREA_S0)), LF_OK);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 03"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 01 02 05 a0");
}

static void test_erase(void **state)
{
    (void)state;
    /* default slot 1, already empty */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 01 00 01 02 05 a0"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 01 02 05 a0");
    /* an image that is not pending: erased */
    load_app2();
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 01 02 05"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 01 02 05 a0");
    bool erased;
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    assert_int_equal(lf_flash_area_is_erased(sec, 0, sec->size, &erased), LF_OK);
    assert_true(erased);
    /* pending: refused, unchanged */
    load_app2();
    assert_int_equal(lf_trailer_set_pending(sec, 0, false), LF_OK);
    uint64_t before = fx_area_digest(&F, LF_AREA_APP_SECONDARY);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 01"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
    assert_true(fx_area_digest(&F, LF_AREA_APP_SECONDARY) == before);
    /* v1: NO_FREE_SLOT is EBADSTATE */
    assert_int_equal(fx_send_hex(&F, "02 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 01"), 1);
    fx_expect(&F, 0, "03 00 00 05 00 01 02 05 a1 62 72 63 06");
    /* the running slots */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 00"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 02"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09");
    /* S1, not pending: erased */
    load_s1(1, 5, true);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 03"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 01 02 05 a0");
    const struct lf_flash_area *s1 = area(LF_AREA_S1);
    assert_int_equal(lf_flash_area_is_erased(s1, 0, s1->size, &erased), LF_OK);
    assert_true(erased);
    /* no such slot; a malformed request */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 04"), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 0e");
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 60"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 01 02 05 a1 62 72 63 03");
    /* image 1 without a handoff: the active S slot is not known */
    F.handoff_valid = false;
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 03"), 1);
    fx_expect(&F, 0,
              "0b 00 00 12 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 18 "
              "22");
}

static void test_erase_legacy_shape(void **state)
{
    (void)state;
    F.cfg.legacy_rc = true;
    assert_int_equal(fx_send_hex(&F, "02 00 00 01 00 01 02 05 a0"), 1);
    fx_expect(&F, 0, "03 00 00 05 00 01 02 05 a1 62 72 63 00");
}

static void test_slot_info(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, V_SLOT_INFO_REQ), 1);
    fx_expect(&F, 0, V_SLOT_INFO);
    F.handoff.slot = 1;
    assert_int_equal(fx_send_hex(&F, V_SLOT_INFO_REQ), 1);
    fx_expect(&F, 0, V_SLOT_INFO_S1_ACTIVE);
    F.handoff_valid = false;
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, V_SLOT_INFO_REQ), 1);
    fx_expect(&F, 0, V_SLOT_INFO_NO_HANDOFF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_state_read_default),
        FX_TEST(test_state_read_legacy_shape),
        FX_TEST(test_state_read_lists_valid_slots_only),
        FX_TEST(test_state_without_handoff_lists_image0),
        FX_TEST(test_test_and_errors_image0),
        FX_TEST(test_confirm_permanent_image0),
        FX_TEST(test_confirm_running_hash_forms),
        FX_TEST(test_revert_pending_and_confirm),
        FX_TEST(test_bad_secondary_trailer),
        FX_TEST(test_trailer_write_fails),
        FX_TEST(test_stage1_test_and_confirm_rules),
        FX_TEST(test_stage1_refusals),
        FX_TEST(test_stage1_test_needs_a_counter_slot),
        FX_TEST(test_stage1_on_trial),
        FX_TEST(test_erase),
        FX_TEST(test_erase_legacy_shape),
        FX_TEST(test_slot_info),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
