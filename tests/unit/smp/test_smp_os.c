/*
 * OS group (docs/reference/smp.md 2.1): every command and error path, byte-exact, in the
 * current reply shape and the legacy one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/trailer.h"
#include "smp_fixture.h"

static void test_echo_without_d_echoes_empty(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "0a 00 00 01 00 00 01 00 a0"), 1);
    fx_expect(&F, 0, "0b 00 00 04 00 00 01 00 a1 61 72 60");
}

static void test_reset_accepts_and_flags(void **state)
{
    (void)state;
    assert_false(lf_smp_server_reset_pending(&F.srv));
    /* empty payload (data length 0) */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 00 02 05"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_true(lf_smp_server_reset_pending(&F.srv));
    assert_int_equal(F.reset_calls, 1);
    assert_false(F.last_force);
}

static void test_reset_force_bool_int_and_garbage(void **state)
{
    (void)state;
    F.refuse_reset = true;
    /* refused by the hook without force: EBUSY, no reset */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 00 02 05"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 02 05 a1 62 72 63 0a");
    assert_false(lf_smp_server_reset_pending(&F.srv));
    /* force as bool (Zephyr) */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 08 00 00 02 05 a1 65 66 6f 72 63 65 f5"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_true(F.last_force);
    assert_true(lf_smp_server_reset_pending(&F.srv));
    /* force as int (the documented type) */
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 08 00 00 02 05 a1 65 66 6f 72 63 65 01"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_true(F.last_force);
    /* undecodable force: ignored, the request still reaches the hook */
    fx_server(&F);
    F.refuse_reset = false;
    assert_int_equal(fx_send_hex(&F, "0a 00 00 0b 00 00 02 05 a1 65 66 6f 72 63 65 63 79 65 73"),
                     1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_false(F.last_force);
    assert_true(lf_smp_server_reset_pending(&F.srv));
    /* even a malformed map does not block a reset */
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 02 00 00 02 05 a1 65"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_true(lf_smp_server_reset_pending(&F.srv));
}

static void test_reset_legacy_shape(void **state)
{
    (void)state;
    /* Zephyr's os_mgmt.c writes nothing for a reset, legacy rc or not */
    F.cfg.legacy_rc = true;
    assert_int_equal(fx_send_hex(&F, "02 00 00 01 00 00 02 05 a0"), 1);
    fx_expect(&F, 0, "03 00 00 01 00 00 02 05 a0");
}

static void test_params_truthful(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 03 06 a0"), 1);
    fx_expect(&F, 0,
              "09 00 00 18 00 00 03 06 a2 68 62 75 66 5f 73 69 7a 65 19 08 00 69 62 75 66 5f 63 "
              "6f 75 6e 74 04");
}

static void test_info_formats(void **state)
{
    (void)state;
    /* no format: kernel name */
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 04 07 a0"), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 04 07 a1 66 6f 75 74 70 75 74 68 4c 65 61 70 66 72 6f 67");
    /* 'a': everything but the build time (not configured) */
    assert_int_equal(fx_send_hex(&F, "08 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 61"), 1);
    fx_expect(&F, 0,
              "09 00 00 4e 00 00 04 07 a1 66 6f 75 74 70 75 74 78 44 4c 65 61 70 66 72 6f 67 20 "
              "66 78 2d 6e 6f 64 65 20 30 2e 31 2e 30 20 76 2d 74 65 73 74 20 63 6f 72 74 65 78 "
              "2d 6d 34 20 6e 72 66 35 32 38 34 30 20 6e 72 66 35 32 38 34 30 64 6b 20 4c 65 61 "
              "70 66 72 6f 67");
    /* "ns": output in the fixed order s n */
    assert_int_equal(fx_send_hex(&F, "08 00 00 0b 00 00 04 07 a1 66 66 6f 72 6d 61 74 62 6e 73"),
                     1);
    fx_expect(&F, 0,
              "09 00 00 19 00 00 04 07 a1 66 6f 75 74 70 75 74 70 4c 65 61 70 66 72 6f 67 20 66 "
              "78 2d 6e 6f 64 65");
    /* 'b' without a build time: INVALID_FORMAT */
    assert_int_equal(fx_send_hex(&F, "08 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 62"), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 04 07 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 02");
    F.os.build_time = "2025-01-01T00:00:00";
    assert_int_equal(fx_send_hex(&F, "08 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 62"), 1);
    fx_expect(&F, 0,
              "09 00 00 1c 00 00 04 07 a1 66 6f 75 74 70 75 74 73 32 30 32 35 2d 30 31 2d 30 31 "
              "54 30 30 3a 30 30 3a 30 30");
    assert_int_equal(fx_send_hex(&F, "08 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 61"), 1);
    fx_expect(&F, 0,
              "09 00 00 62 00 00 04 07 a1 66 6f 75 74 70 75 74 78 58 4c 65 61 70 66 72 6f 67 20 "
              "66 78 2d 6e 6f 64 65 20 30 2e 31 2e 30 20 76 2d 74 65 73 74 20 32 30 32 35 2d 30 "
              "31 2d 30 31 54 30 30 3a 30 30 3a 30 30 20 63 6f 72 74 65 78 2d 6d 34 20 6e 72 66 "
              "35 32 38 34 30 20 6e 72 66 35 32 38 34 30 64 6b 20 4c 65 61 70 66 72 6f 67");
}

static void test_info_unknown_char_v1(void **state)
{
    (void)state;
    /* v1: OS INVALID_FORMAT translates to EINVAL */
    assert_int_equal(fx_send_hex(&F, "00 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 7a"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 00 04 07 a1 62 72 63 03");
}

static void test_info_too_long(void **state)
{
    (void)state;
    static char big[300];
    memset(big, 'n', sizeof(big) - 1);
    F.os.nodename = big;
    assert_int_equal(fx_send_hex(&F, "08 00 00 0a 00 00 04 07 a1 66 66 6f 72 6d 61 74 61 6e"), 1);
    fx_expect(&F, 0, "09 00 00 05 00 00 04 07 a1 62 72 63 07");
}

static void test_datetime(void **state)
{
    (void)state;
    /* not set: RTC_NOT_SET; v1 -> ENOENT */
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 05 04 a0"), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 05 04 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 04");
    assert_int_equal(fx_send_hex(&F, "00 00 00 01 00 00 05 04 a0"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 00 05 04 a1 62 72 63 05");
    /* set, then get */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 1e 00 00 05 04 a1 68 64 61 74 65 74 69 6d 65 73 32 "
                                     "30 32 35 2d 30 33 2d 30 34 54 30 35 3a 30 36 3a 30 37"),
                     1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 05 04 a0");
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 05 04 a0"), 1);
    fx_expect(&F, 0,
              "09 00 00 1e 00 00 05 04 a1 68 64 61 74 65 74 69 6d 65 73 32 30 32 35 2d 30 33 2d "
              "30 34 54 30 35 3a 30 36 3a 30 37");
    /* too short for a datetime: EINVAL */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 15 00 00 05 04 a1 68 64 61 74 65 74 69 6d 65 6a 32 "
                                     "30 32 35 2d 30 33 2d 30 34"),
                     1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 05 04 a1 62 72 63 03");
    /* refused by the clock: RTC_COMMAND_FAILED */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 1e 00 00 05 04 a1 68 64 61 74 65 74 69 6d 65 73 32 "
                                     "30 32 35 78 30 33 2d 30 34 54 30 35 3a 30 36 3a 30 37"),
                     1);
    fx_expect(&F, 0, "0b 00 00 11 00 00 05 04 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 05");
    /* no clock: ENOTSUP */
    F.plat.datetime_get = NULL;
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 05 04 a0"), 1);
    fx_expect(&F, 0, "09 00 00 05 00 00 05 04 a1 62 72 63 08");
}

static void test_bootloader_name(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 06 08 a0"), 1);
    fx_expect(&F, 0,
              "09 00 00 14 00 00 06 08 a1 6a 62 6f 6f 74 6c 6f 61 64 65 72 67 4d 43 55 62 6f 6f "
              "74");
    /* an empty query (iOS "") is no query */
    assert_int_equal(fx_send_hex(&F, "08 00 00 08 00 00 06 08 a1 65 71 75 65 72 79 60"), 1);
    fx_expect(&F, 0,
              "09 00 00 14 00 00 06 08 a1 6a 62 6f 6f 74 6c 6f 61 64 65 72 67 4d 43 55 62 6f 6f "
              "74");
    F.cfg.bootloader_name = "Leapfrog";
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 00 06 08 a0"), 1);
    fx_expect(&F, 0,
              "09 00 00 15 00 00 06 08 a1 6a 62 6f 6f 74 6c 6f 61 64 65 72 68 4c 65 61 70 66 72 "
              "6f 67");
}

static void test_bootloader_mode(void **state)
{
    (void)state;
    const char *req = "08 00 00 0c 00 00 06 08 a1 65 71 75 65 72 79 64 6d 6f 64 65";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 07 00 00 06 08 a1 64 6d 6f 64 65 03");
    F.cfg.boot_mode = 2;
    F.cfg.no_downgrade = true;
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0,
              "09 00 00 15 00 00 06 08 a2 64 6d 6f 64 65 02 6c 6e 6f 2d 64 6f 77 6e 67 72 61 64 "
              "65 f5");
}

static void test_bootloader_active_b0_slot(void **state)
{
    (void)state;
    const char *req = "08 00 00 16 00 00 06 08 a1 65 71 75 65 72 79 6e 61 63 74 69 76 65 5f 62 30 "
                      "5f 73 6c 6f 74";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 09 00 00 06 08 a1 66 61 63 74 69 76 65 00");
    F.handoff.slot = 1;
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 09 00 00 06 08 a1 66 61 63 74 69 76 65 01");
    /* no handoff: QUERY_RESPONSE_VALUE_NOT_VALID */
    F.handoff_valid = false;
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 06 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 06");
}

static void test_bootloader_counter(void **state)
{
    (void)state;
    assert_int_equal(
        fx_send_hex(&F, "08 00 00 0f 00 00 06 08 a1 65 71 75 65 72 79 67 63 6f 75 6e 74 65 72"), 1);
    fx_expect(&F, 0,
              "09 00 00 25 00 00 06 08 a4 67 63 6f 75 6e 74 65 72 05 64 75 73 65 64 01 64 6c 65 "
              "66 74 03 6d 69 6d 61 67 65 5f 73 65 63 5f 63 6e 74 05");
}

static void test_bootloader_boot_record(void **state)
{
    (void)state;
    const char *req = "08 00 00 13 00 00 06 08 a1 65 71 75 65 72 79 6b 62 6f 6f 74 5f 72 65 63 6f "
                      "72 64";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 06 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 06");
    F.have_record = true;
    F.record = (struct lf_boot_record){.seq = 7,
                                       .action = LF_BOOT_ACT_SWAP_TEST,
                                       .flags = LF_BOOT_RF_SEC_CNT_RAISED,
                                       .image_num = 0,
                                       .strategy = 1,
                                       .reason = LF_E_BOOT_DOWNGRADE,
                                       .swap_type = LF_SWAP_TEST,
                                       .row = 1,
                                       .primary_ver = {1, 2, 3, 0},
                                       .other_ver = {1, 0, 0, 9},
                                       .sec_cnt = 5};
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0,
              "09 00 00 64 00 00 06 08 ab 63 73 65 71 07 66 61 63 74 69 6f 6e 01 65 66 6c 61 67 "
              "73 02 65 69 6d 61 67 65 00 68 73 74 72 61 74 65 67 79 01 66 72 65 61 73 6f 6e 38 "
              "6e 69 73 77 61 70 5f 74 79 70 65 02 63 72 6f 77 01 67 70 72 69 6d 61 72 79 65 31 "
              "2e 32 2e 33 65 6f 74 68 65 72 67 31 2e 30 2e 30 2e 39 67 73 65 63 5f 63 6e 74 05");
}

static void test_bootloader_unknown_query(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "08 00 00 0b 00 00 06 08 a1 65 71 75 65 72 79 63 66 6f 6f"),
                     1);
    fx_expect(&F, 0, "09 00 00 11 00 00 06 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 03");
    /* v1: QUERY_YIELDS_NO_ANSWER translates to ENOENT */
    assert_int_equal(fx_send_hex(&F, "00 00 00 0b 00 00 06 08 a1 65 71 75 65 72 79 63 66 6f 6f"),
                     1);
    fx_expect(&F, 0, "01 00 00 05 00 00 06 08 a1 62 72 63 05");
}

/* "last_error": the reason a v2 group error could not carry (smpclient
 * refuses "rsn"), kept for the client to ask afterwards. */
static void test_bootloader_last_error(void **state)
{
    (void)state;
    const char *req = "08 00 00 12 00 00 00 08 a1 65 71 75 65 72 79 6a 6c 61 73 74 5f 65 72 72 "
                      "6f 72";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 00 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 03");
    /* an error with a reason: the unknown query (v2, no "rsn" on the wire) */
    assert_int_equal(fx_send_hex(&F, "08 00 00 0b 00 00 06 08 a1 65 71 75 65 72 79 63 66 6f 6f"),
                     1);
    fx_expect(&F, 0, "09 00 00 11 00 00 06 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 03");
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0,
              "09 00 00 23 00 00 00 08 a3 65 67 72 6f 75 70 00 64 63 6f 64 65 03 66 72 65 61 73 6f "
              "6e 6d 75 6e 6b 6e 6f 77 6e 20 71 75 65 72 79");
}

/* "keys": SHA-256 of the keys uploads are checked with (the hash given, or
 * computed from the DER), so a client can refuse a wrongly signed image
 * before sending it; none known: QUERY_YIELDS_NO_ANSWER. */
static void test_bootloader_keys(void **state)
{
    (void)state;
    const char *req = "08 00 00 0c 00 00 06 08 a1 65 71 75 65 72 79 64 6b 65 79 73";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 06 08 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 03");
    static const uint8_t h11[32] = {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11,
                                    0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
    static const uint8_t der[3] = {'a', 'b', 'c'};
    const struct lf_pubkey app = {LF_KEY_ECDSA_P256, 0, NULL, h11};
    const struct lf_pubkey root = {LF_KEY_ECDSA_P256, sizeof(der), der, NULL};
    const struct lf_keyring app_ring = {&app, 1, NULL, 0};
    const struct lf_keyring root_ring = {&root, 1, NULL, 0};
    F.plat.keys[0] = &app_ring;
    F.plat.keys[1] = &root_ring;
    assert_int_equal(fx_send_hex(&F, req), 1);
    /* {"app": [h'11' x 32], "root": [SHA-256("abc")]} */
    fx_expect(&F, 0,
              "09 00 00 50 00 00 06 08 a2 63 61 70 70 81 58 20 11 11 11 11 11 11 11 11 11 11 11 "
              "11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 64 72 6f 6f 74 81 "
              "58 20 ba 78 16 bf 8f 01 cf ea 41 41 40 de 5d ae 22 23 b0 03 61 a3 96 17 7a 9c b4 "
              "10 ff 61 f2 00 15 ad");
    F.plat.keys[0] = NULL;
    F.plat.keys[1] = NULL;
}

/* "recovery": whether the server runs as stage 1's recovery (no valid
 * application booted). */
static void test_bootloader_recovery(void **state)
{
    (void)state;
    const char *req = "08 00 00 10 00 00 06 08 a1 65 71 75 65 72 79 68 72 65 63 6f 76 65 72 79";
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 0b 00 00 06 08 a1 68 72 65 63 6f 76 65 72 79 f4");
    F.plat.recovery = true;
    assert_int_equal(fx_send_hex(&F, req), 1);
    fx_expect(&F, 0, "09 00 00 0b 00 00 06 08 a1 68 72 65 63 6f 76 65 72 79 f5");
    F.plat.recovery = false;
}

static void test_console_echo_not_supported(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "02 00 00 07 00 00 07 01 a1 64 65 63 68 6f 01"), 1);
    fx_expect(&F, 0, "03 00 00 05 00 00 07 01 a1 62 72 63 08");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_echo_without_d_echoes_empty),
        FX_TEST(test_reset_accepts_and_flags),
        FX_TEST(test_reset_force_bool_int_and_garbage),
        FX_TEST(test_reset_legacy_shape),
        FX_TEST(test_params_truthful),
        FX_TEST(test_info_formats),
        FX_TEST(test_info_unknown_char_v1),
        FX_TEST(test_info_too_long),
        FX_TEST(test_datetime),
        FX_TEST(test_bootloader_name),
        FX_TEST(test_bootloader_last_error),
        FX_TEST(test_bootloader_keys),
        FX_TEST(test_bootloader_recovery),
        FX_TEST(test_bootloader_mode),
        FX_TEST(test_bootloader_active_b0_slot),
        FX_TEST(test_bootloader_counter),
        FX_TEST(test_bootloader_boot_record),
        FX_TEST(test_bootloader_unknown_query),
        FX_TEST(test_console_echo_not_supported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
