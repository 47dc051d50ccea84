/*
 * The boot record log: append / read back, de-duplication, rollover across
 * the STATE area's sectors, torn records and unsuitable areas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/boot_record.h"
#include "lf/err.h"
#include "sim_device.h"

static struct lf_sim_device dev;

static int setup(void **state)
{
    (void)state;
    return lf_sim_device_create(&dev, LF_BINARY_DIR "/boot-test/record", &lf_board_nrf52840dk);
}

static int teardown(void **state)
{
    (void)state;
    lf_sim_device_close(&dev);
    return 0;
}

static const struct lf_flash_area *state_area(void)
{
    return lf_sim_device_area(&dev, LF_AREA_STATE);
}

static struct lf_boot_record rec_of(uint8_t action, int16_t reason, uint8_t minor)
{
    struct lf_boot_record r;
    memset(&r, 0, sizeof(r));
    r.action = action;
    r.reason = reason;
    r.strategy = 1;
    r.swap_type = 2;
    r.row = 1;
    r.primary_ver.major = 1;
    r.primary_ver.minor = minor;
    r.primary_ver.revision = 0x1234;
    r.primary_ver.build = 0xdeadbeef;
    r.other_ver.major = 2;
    r.sec_cnt = 77;
    return r;
}

static void test_encode_decode(void **state)
{
    (void)state;
    uint8_t raw[LF_BOOT_RECORD_SIZE];
    struct lf_boot_record a = rec_of(LF_BOOT_ACT_REJECTED, -93, 3);
    a.seq = 42;
    a.flags = LF_BOOT_RF_CONFIRMED_ON_REJECT;
    lf_boot_record_encode(&a, raw);
    struct lf_boot_record b;
    assert_int_equal(lf_boot_record_decode(raw, &b), LF_OK);
    assert_memory_equal(&a, &b, sizeof(a));
    assert_int_equal(b.reason, -93);
    raw[20] ^= 0x01;
    assert_int_equal(lf_boot_record_decode(raw, &b), LF_E_CORRUPT);
    assert_string_equal(lf_boot_action_name(LF_BOOT_ACT_REVERT), "revert");
    assert_string_equal(lf_boot_action_name(200), "?");
}

static void test_append_and_read(void **state)
{
    (void)state;
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(state_area(), 0, &r), LF_E_BOOT_NO_RECORD);
    struct lf_boot_record a = rec_of(LF_BOOT_ACT_SWAP_TEST, 0, 1);
    bool written = false;
    assert_int_equal(lf_boot_record_append(state_area(), &a, &written), LF_OK);
    assert_true(written);
    assert_int_equal(a.seq, 1);
    assert_int_equal(lf_boot_record_read(state_area(), 0, &r), LF_OK);
    assert_memory_equal(&a, &r, sizeof(a));
    /* The same outcome again is not written again. */
    struct lf_boot_record same = rec_of(LF_BOOT_ACT_SWAP_TEST, 0, 1);
    assert_int_equal(lf_boot_record_append(state_area(), &same, &written), LF_OK);
    assert_false(written);
    assert_int_equal(same.seq, 1);
    struct lf_boot_record b = rec_of(LF_BOOT_ACT_NONE, 0, 1);
    assert_int_equal(lf_boot_record_append(state_area(), &b, &written), LF_OK);
    assert_true(written);
    assert_int_equal(b.seq, 2);
    assert_int_equal(lf_boot_record_read(state_area(), 0, &r), LF_OK);
    assert_int_equal(r.action, LF_BOOT_ACT_NONE);
    assert_int_equal(lf_boot_record_read(state_area(), 1, &r), LF_OK);
    assert_int_equal(r.action, LF_BOOT_ACT_SWAP_TEST);
    assert_int_equal(lf_boot_record_read(state_area(), 2, &r), LF_E_BOOT_NO_RECORD);
}

static void test_rollover(void **state)
{
    (void)state;
    struct lf_sim_flash *f = lf_sim_device_flash_of(&dev, state_area());
    uint32_t off = state_area()->off;
    uint32_t erases0 = lf_sim_flash_erase_count(f, off);
    uint32_t erases1 = lf_sim_flash_erase_count(f, off + 4096);
    /* 102 records per 4 KiB sector: 500 records wrap around 4+ times. */
    for (uint32_t i = 0; i < 500; i++) {
        struct lf_boot_record a = rec_of((uint8_t)(i % 2 ? LF_BOOT_ACT_NONE : LF_BOOT_ACT_REVERT),
                                         (int16_t) - (int)(i % 7), (uint8_t)i);
        assert_int_equal(lf_boot_record_append(state_area(), &a, NULL), LF_OK);
        struct lf_boot_record r;
        assert_int_equal(lf_boot_record_read(state_area(), 0, &r), LF_OK);
        assert_int_equal(r.seq, a.seq);
        assert_int_equal(r.primary_ver.minor, (uint8_t)i);
    }
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(state_area(), 50, &r), LF_OK);
    assert_int_equal(r.primary_ver.minor, (uint8_t)(499 - 50));
    uint32_t e = lf_sim_flash_erase_count(f, off) - erases0 +
                 lf_sim_flash_erase_count(f, off + 4096) - erases1;
    assert_true(e >= 4 && e <= 5); /* one erase per ~102 records */
}

static void test_torn_record_is_skipped(void **state)
{
    (void)state;
    struct lf_boot_record a = rec_of(LF_BOOT_ACT_OVERWRITE, 0, 9);
    assert_int_equal(lf_boot_record_append(state_area(), &a, NULL), LF_OK);
    struct lf_boot_record b = rec_of(LF_BOOT_ACT_REJECTED, -79, 9);
    assert_int_equal(lf_boot_record_append(state_area(), &b, NULL), LF_OK);
    /* Find b and tear it: clear one bit of its CRC. */
    const struct lf_flash_area *fa = state_area();
    struct lf_sim_flash *f = lf_sim_device_flash_of(&dev, fa);
    bool torn = false;
    for (uint32_t o = 0; o + LF_BOOT_RECORD_SIZE <= fa->size && !torn; o += LF_BOOT_RECORD_SIZE) {
        uint8_t raw[LF_BOOT_RECORD_SIZE];
        struct lf_boot_record x;
        assert_int_equal(lf_flash_area_read(fa, o, raw, sizeof(raw)), LF_OK);
        if (lf_boot_record_decode(raw, &x) == LF_OK && x.seq == b.seq) {
            raw[38] &= 0x7F;
            if (raw[38] == f->mem[fa->off + o + 38]) {
                raw[38] &= 0xFE;
            }
            assert_int_equal(lf_sim_flash_load(f, fa->off + o, raw, sizeof(raw)), LF_OK);
            torn = true;
        }
    }
    assert_true(torn);
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(fa, 0, &r), LF_OK);
    assert_int_equal(r.seq, a.seq); /* the torn one does not count */
    struct lf_boot_record c = rec_of(LF_BOOT_ACT_NONE, 0, 10);
    assert_int_equal(lf_boot_record_append(fa, &c, NULL), LF_OK);
    assert_int_equal(c.seq, a.seq + 1);
    assert_int_equal(lf_boot_record_read(fa, 0, &r), LF_OK);
    assert_int_equal(r.primary_ver.minor, 10);
}

static void test_unsuitable_area(void **state)
{
    (void)state;
    struct lf_flash_area one = *state_area();
    one.size = 4096; /* a single sector cannot be power-safe */
    struct lf_boot_record r;
    assert_int_equal(lf_boot_record_read(&one, 0, &r), LF_E_BOOT_STATE_AREA);
    struct lf_boot_record a = rec_of(LF_BOOT_ACT_NONE, 0, 0);
    assert_int_equal(lf_boot_record_append(&one, &a, NULL), LF_E_BOOT_STATE_AREA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_decode),
        cmocka_unit_test_setup_teardown(test_append_and_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_record_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsuitable_area, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
