/*
 * Stage 1's serial recovery tables (lf_smp_group_os_recovery,
 * lf_smp_group_img_recovery; docs/smp-server.md section 8): the upload goes
 * straight into the application's primary slot; every refusal comes with
 * its precise rc before anything is written (every area compared); the
 * commands recovery does not serve answer ENOTSUP; the state read is the
 * full server's, byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "smp_fixture.h"

static uint8_t img[FX_IMG_MAX];
static uint8_t buf[FX_IMG_MAX];

static const uint8_t areas[] = {
    LF_AREA_S0,       LF_AREA_S1, LF_AREA_STATE, LF_AREA_APP_PRIMARY, LF_AREA_APP_SECONDARY,
    LF_AREA_SMP_STATE};
#define NAREAS (sizeof(areas) / sizeof(areas[0]))

static void recovery_tables(void)
{
    fx_server(&F); /* the fixture's configuration, then our tables */
    F.groups[0] = &lf_smp_group_os_recovery;
    F.groups[1] = &lf_smp_group_img_recovery;
    F.plat.recovery = true;
    assert_int_equal(lf_smp_server_init(&F.srv, &F.cfg, &F.plat), LF_OK);
}

static int setup(void **state)
{
    fx_setup(state);
    recovery_tables();
    return 0;
}

#define REC_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, fx_teardown)

static size_t make_app(uint8_t minor, uint32_t payload)
{
    struct img_opts o = {.major = 1, .minor = minor, .payload = payload, .seed = 7};
    return img_make(img, sizeof(img), &o);
}

static void digests(uint64_t d[NAREAS])
{
    for (size_t i = 0; i < NAREAS; i++) {
        d[i] = fx_area_digest(&F, areas[i]);
    }
}

static void assert_unchanged(const uint64_t before[NAREAS])
{
    uint64_t now[NAREAS];
    digests(now);
    for (size_t i = 0; i < NAREAS; i++) {
        if (now[i] != before[i]) {
            fail_msg("area %u changed", areas[i]);
        }
    }
}

/* A first chunk of data[0..n) announcing len; expects v2 image error `err`
 * and no change anywhere. */
static void refuse(int image, const uint8_t *data, uint32_t n, int64_t len, int64_t err)
{
    uint64_t before[NAREAS];
    digests(before);
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, image, 0, data, n, len, NULL, 0, false), 1);
    struct fx_up u = fx_up_result(&F);
    assert_int_equal(u.err_rc, err);
    assert_int_equal(u.off, -1);
    assert_unchanged(before);
}

static void test_upload_into_the_primary_slot(void **state)
{
    (void)state;
    size_t n = make_app(2, 20000);
    uint64_t sec = fx_area_digest(&F, LF_AREA_APP_SECONDARY);
    uint64_t s0 = fx_area_digest(&F, LF_AREA_S0);
    /* in chunks of an odd size: the tail buffer pads the last write unit */
    assert_int_equal(fx_upload_all(&F, 0, img, n, 333), -1); /* no "match" (MCUboot's reply) */
    fx_read(&F, LF_AREA_APP_PRIMARY, 0, buf, n);
    assert_memory_equal(buf, img, n);
    assert_int_equal(fx_area_digest(&F, LF_AREA_APP_SECONDARY), sec);
    assert_int_equal(fx_area_digest(&F, LF_AREA_S0), s0);
    assert_false(F.srv.up.active);
}

static void test_off_zero_starts_over(void **state)
{
    (void)state;
    size_t n = make_app(3, 1000);
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, 0, 0, img, 512, (int64_t)n, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 512);
    /* a wrong offset is answered with the expected one, nothing written */
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, 0, 1024, img + 1024, 512, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 512);
    /* off 0 again (the same sha would resume the full server's upload;
     * recovery has no session and starts over) */
    uint8_t sha[32];
    lf_sha256(img, n, sha);
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, 0, 0, img, 256, (int64_t)n, sha, 32, false), 1);
    assert_int_equal(fx_up_result(&F).off, 256);
    /* an overrun is refused */
    assert_int_equal(
        fx_upload(&F, LF_SMP_VER_2, 0, 256, img, (uint32_t)n - 255u, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).err_rc, LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
}

static void test_first_chunk_refusals(void **state)
{
    (void)state;
    size_t n = make_app(4, 6000);
    uint8_t bad[64];
    /* shorter than an image header */
    refuse(0, img, 31, (int64_t)n, LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER);
    /* no len */
    refuse(0, img, 64, -1, LF_SMP_IMG_ERR_INVALID_LENGTH);
    /* not an image */
    memcpy(bad, img, sizeof(bad));
    bad[0] ^= 0xFFu;
    refuse(0, bad, sizeof(bad), (int64_t)n, LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC);
    /* len shorter than the image its header describes */
    refuse(0, img, 64, (int64_t)n / 2, LF_SMP_IMG_ERR_INVALID_LENGTH);
    /* larger than the primary slot less its trailer */
    refuse(0, img, 64, 0x7FFFFFFF, LF_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE);
    /* more data than len */
    refuse(0, img, 64, 40, LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN);
    /* image 1 (stage 1): not written by recovery */
    refuse(1, img, 64, (int64_t)n, LF_SMP_IMG_ERR_NO_FREE_SLOT);
    /* an image linked (ROM_FIXED) for another slot: a stage-1 image */
    struct img_opts o = {.major = 1,
                         .minor = 9,
                         .payload = 3000,
                         .seed = 2,
                         .flags = LF_IMAGE_F_ROM_FIXED,
                         .load_addr = lf_flash_area_addr(lf_sim_device_area(&F.dev, LF_AREA_S1))};
    size_t m = img_make(img, sizeof(img), &o);
    refuse(0, img, 64, (int64_t)m, LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS);
    /* a sha longer than 32 bytes */
    uint64_t before[NAREAS];
    uint8_t sha[33] = {0};
    n = make_app(4, 6000);
    digests(before);
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, 0, 0, img, 64, (int64_t)n, sha, 33, false), 1);
    assert_int_equal(fx_up_result(&F).err_rc, LF_SMP_IMG_ERR_INVALID_HASH);
    assert_unchanged(before);
    /* v1: a group refusal as the SMP rc Zephyr maps it to (NO_FREE_SLOT: EBADSTATE) */
    digests(before);
    assert_int_equal(fx_upload(&F, LF_SMP_VER_1, 1, 0, img, 64, (int64_t)n, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).rc, LF_SMP_RC_EBADSTATE);
    assert_unchanged(before);
    /* no continuation without a first chunk */
    assert_int_equal(fx_upload(&F, LF_SMP_VER_2, 0, 64, img + 64, 64, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 0);
    assert_unchanged(before);
}

static void test_commands_recovery_does_not_serve(void **state)
{
    (void)state;
    static const char *const req[] = {
        "0a 00 00 01 00 01 01 05 a0", /* image erase */
        "0a 00 00 01 00 01 01 00 a0", /* image state write */
        "08 00 00 01 00 01 01 06 a0", /* slot info */
        "08 00 00 01 00 00 01 07 a0", /* OS info */
        "08 00 00 01 00 00 01 04 a0", /* datetime */
    };
    uint64_t before[NAREAS];
    digests(before);
    for (size_t i = 0; i < sizeof(req) / sizeof(req[0]); i++) {
        assert_int_equal(fx_send_hex(&F, req[i]), 1);
        struct lf_smp_hdr h;
        assert_int_equal(lf_smp_hdr_decode(F.rsp[0], F.rsp_len[0], &h), LF_OK);
        /* {"rc": 8} */
        assert_int_equal(F.rsp_len[0], LF_SMP_HDR_SIZE + 5u);
        assert_memory_equal(F.rsp[0] + LF_SMP_HDR_SIZE, "\xa1\x62rc\x08", 5);
    }
    assert_unchanged(before);
}

static void test_served_os_commands(void **state)
{
    (void)state;
    /* echo */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 05 00 00 01 00 a1 61 64 61 78"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 01 00 a1 61 72 61 78");
    /* bootloader info "recovery": true */
    assert_int_equal(
        fx_send_hex(&F, "08 00 00 10 00 00 01 08 a1 65 71 75 65 72 79 68 72 65 63 6f 76 65 72 79"),
        1);
    fx_expect(&F, 0, "09 00 00 0b 00 00 01 08 a1 68 72 65 63 6f 76 65 72 79 f5");
    /* the full server's other queries are not there ("counter") */
    assert_int_equal(
        fx_send_hex(&F, "08 00 00 0f 00 00 01 08 a1 65 71 75 65 72 79 67 63 6f 75 6e 74 65 72"), 1);
    struct lf_smp_hdr h;
    assert_int_equal(lf_smp_hdr_decode(F.rsp[0], F.rsp_len[0], &h), LF_OK);
    assert_memory_equal(F.rsp[0] + LF_SMP_HDR_SIZE,
                        "\xa1\x63"
                        "err",
                        5);
    /* reset */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 00 02 05"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 00 02 05 a0");
    assert_true(lf_smp_server_reset_pending(&F.srv));
}

static void test_state_read_is_the_full_servers(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "08 00 00 00 00 01 03 00"), 1);
    size_t n = F.rsp_len[0];
    memcpy(buf, F.rsp[0], n);
    F.groups[0] = &lf_smp_group_os;
    F.groups[1] = &lf_smp_group_img;
    fx_server(&F);
    assert_int_equal(fx_send_hex(&F, "08 00 00 00 00 01 03 00"), 1);
    assert_int_equal(F.rsp_len[0], n);
    assert_memory_equal(F.rsp[0], buf, n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        REC_TEST(test_upload_into_the_primary_slot),
        REC_TEST(test_off_zero_starts_over),
        REC_TEST(test_first_chunk_refusals),
        REC_TEST(test_commands_recovery_does_not_serve),
        REC_TEST(test_served_os_commands),
        REC_TEST(test_state_read_is_the_full_servers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
