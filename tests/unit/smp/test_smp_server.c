/*
 * SMP envelope (docs/reference/smp.md section 1): header mirroring, versions, ops, errors in
 * both styles, several messages per packet, short buffers. Byte-exact
 * requests and responses; the expected bytes were produced with an
 * independent CBOR encoder from the shapes of smp.md 2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "smp_fixture.h"

/* smp.md 3.1 worked example's message: v1 write echo "hello", seq 0x42. The
 * Go CLI needs byte 0 of the reply to be exactly 3. */
static void test_v1_echo_mirrors_version_zero(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "02 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "03 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
}

static void test_v2_echo_mirrors_version_one(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "0a 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "0b 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
}

static void test_read_op_answers_read_rsp(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "00 00 00 06 00 00 07 00 a1 61 64 62 68 69"), 1);
    fx_expect(&F, 0, "01 00 00 06 00 00 07 00 a1 61 72 62 68 69");
}

static void test_flags_and_reserved_bits_ignored(void **state)
{
    (void)state;
    /* reserved bits 7..5 set, flags 0xff: answered as a plain v1 write */
    assert_int_equal(fx_send_hex(&F, "e2 ff 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "03 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
}

static void test_version_too_new(void **state)
{
    (void)state;
    /* Ver 2 and 3: {"rc": 13} with Ver 1 in the reply */
    assert_int_equal(fx_send_hex(&F, "12 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 42 00 a1 62 72 63 0d");
    assert_int_equal(fx_send_hex(&F, "1a 00 00 00 00 00 42 00"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 42 00 a1 62 72 63 0d");
}

static void test_version_too_new_with_reason(void **state)
{
    (void)state;
    F.cfg.verbose_err = true;
    assert_int_equal(fx_send_hex(&F, "12 00 00 00 00 00 42 00"), 1);
    fx_expect(&F, 0,
              "0b 00 00 1d 00 00 42 00 a2 62 72 63 0d 63 72 73 6e 73 53 4d 50 20 76 65 72 73 69 "
              "6f 6e 20 74 6f 6f 20 6e 65 77");
}

static void test_response_ops_are_not_supported(void **state)
{
    (void)state;
    /* op 1 (READ_RSP) and op 3 (WRITE_RSP) arriving at the server */
    assert_int_equal(fx_send_hex(&F, "01 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "03 00 00 05 00 00 42 00 a1 62 72 63 08");
    assert_int_equal(fx_send_hex(&F, "0b 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 42 00 a1 62 72 63 08");
}

static void test_unknown_group_and_command(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "00 00 00 00 00 40 01 00"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 40 01 00 a1 62 72 63 08");
    /* OS command 9 does not exist; OS 2 (taskstat) and 3 (mpstat) are not
     * supported; reset (5) has no read handler */
    assert_int_equal(fx_send_hex(&F, "00 00 00 00 00 00 01 09"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 00 01 09 a1 62 72 63 08");
    assert_int_equal(fx_send_hex(&F, "00 00 00 00 00 00 01 02"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 00 01 02 a1 62 72 63 08");
    assert_int_equal(fx_send_hex(&F, "00 00 00 00 00 00 01 05"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 00 01 05 a1 62 72 63 08");
    /* image group file/corelist (2, 3) */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 01 01 02"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 01 01 02 a1 62 72 63 08");
}

static void test_cbor_decode_failure_is_einval(void **state)
{
    (void)state;
    /* payload an array, not a map */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 01 00 00 05 00 80"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 05 00 a1 62 72 63 03");
    /* map cut short: key without value */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 03 00 00 05 00 a1 61 64"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 05 00 a1 62 72 63 03");
    /* "d" of the wrong type */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 04 00 00 05 00 a1 61 64 01"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 05 00 a1 62 72 63 03");
    /* bytes after the map inside the payload */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 02 00 00 05 00 a0 a0"), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 05 00 a1 62 72 63 03");
}

static void test_indefinite_map_accepted(void **state)
{
    (void)state;
    /* {_ "d": "hello"} as cbor2/ugorji may send it */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 0a 00 00 42 00 bf 61 64 65 68 65 6c 6c 6f ff"), 1);
    fx_expect(&F, 0, "0b 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
}

static void test_short_buffer_is_ecorrupt(void **state)
{
    (void)state;
    /* header announces 9 payload bytes, 5 follow */
    assert_int_equal(fx_send_hex(&F, "02 00 00 09 00 00 42 00 a1 61 64 65 68"), 1);
    fx_expect(&F, 0, "03 00 00 05 00 00 42 00 a1 62 72 63 09");
    /* not even a header: dropped */
    assert_int_equal(fx_send_hex(&F, "02 00 00 09 00 00 42"), 0);
    assert_int_equal(fx_send_hex(&F, ""), 0);
}

static void test_several_messages_one_packet(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "02 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"
                                     "0a 00 00 06 00 00 43 00 a1 61 64 62 68 69"),
                     2);
    fx_expect(&F, 0, "03 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
    fx_expect(&F, 1, "0b 00 00 06 00 00 43 00 a1 61 72 62 68 69");
    /* trailing bytes shorter than a header are dropped after the replies */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 06 00 00 43 00 a1 61 64 62 68 69 0a 00"), 1);
}

static void test_several_messages_stop_at_first_error(void **state)
{
    (void)state;
    assert_int_equal(fx_send_hex(&F, "0a 00 00 06 00 00 01 00 a1 61 64 62 68 69"
                                     "0a 00 00 00 00 40 02 00"
                                     "0a 00 00 06 00 00 03 00 a1 61 64 62 68 69"),
                     2);
    fx_expect(&F, 0, "0b 00 00 06 00 00 01 00 a1 61 72 62 68 69");
    fx_expect(&F, 1, "0b 00 00 05 00 40 02 00 a1 62 72 63 08");
    /* a short message inside a packet: ECORRUPT and nothing after it */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 06 00 00 01 00 a1 61 64 62 68 69"
                                     "0a 00 00 40 00 00 02 00 a1"),
                     2);
    fx_expect(&F, 1, "0b 00 00 05 00 00 02 00 a1 62 72 63 09");
}

static void test_response_too_large_is_emsgsize(void **state)
{
    (void)state;
    F.cfg.rsp_cap = LF_SMP_RSP_MIN;
    static uint8_t req[1024];
    char text[600];
    memset(text, 'x', sizeof(text));
    struct fx_req r;
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 0, 0, 0x42);
    lf_cbor_enc_text_z(&r.enc, "d");
    lf_cbor_enc_text(&r.enc, text, sizeof(text));
    size_t n = fx_req_end(&r);
    memcpy(req, r.buf, n);
    assert_int_equal(fx_send(&F, req, n), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 00 42 00 a1 62 72 63 07");
}

static void test_legacy_rc_on_success(void **state)
{
    (void)state;
    /* echo is outside the legacy rc's scope (image upload and erase) */
    F.cfg.legacy_rc = true;
    assert_int_equal(fx_send_hex(&F, "02 00 00 09 00 00 42 00 a1 61 64 65 68 65 6c 6c 6f"), 1);
    fx_expect(&F, 0, "03 00 00 09 00 00 42 00 a1 61 72 65 68 65 6c 6c 6f");
    /* errors keep their shape */
    assert_int_equal(fx_send_hex(&F, "00 00 00 00 00 40 01 00"), 1);
    fx_expect(&F, 0, "01 00 00 05 00 40 01 00 a1 62 72 63 08");
}

/* A group error: v2 err{group, rc}; v1 the translated rc (OS INVALID_FORMAT
 * -> EINVAL), with "rsn" where the shape allows it. */
static void test_group_error_shapes(void **state)
{
    (void)state;
    /* info (read) with {"format": "z"} */
    const char *v2r = "08 00 00 0a 00 00 03 07 a1 66 66 6f 72 6d 61 74 61 7a";
    const char *v1r = "00 00 00 0a 00 00 03 07 a1 66 66 6f 72 6d 61 74 61 7a";
    assert_int_equal(fx_send_hex(&F, v2r), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 03 07 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 02");
    F.cfg.verbose_err = true;
    /* smpclient's ErrorV2 model has no "rsn": none by default in v2 */
    assert_int_equal(fx_send_hex(&F, v2r), 1);
    fx_expect(&F, 0, "09 00 00 11 00 00 03 07 a1 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 02");
    assert_int_equal(fx_send_hex(&F, v1r), 1);
    fx_expect(&F, 0,
              "01 00 00 23 00 00 03 07 a2 62 72 63 03 63 72 73 6e 78 18 75 6e 6b 6e 6f 77 6e 20 "
              "66 6f 72 6d 61 74 20 63 68 61 72 61 63 74 65 72");
    F.cfg.rsn_v2 = true;
    assert_int_equal(fx_send_hex(&F, v2r), 1);
    fx_expect(&F, 0,
              "09 00 00 2f 00 00 03 07 a2 63 65 72 72 a2 65 67 72 6f 75 70 00 62 72 63 02 63 72 "
              "73 6e 78 18 75 6e 6b 6e 6f 77 6e 20 66 6f 72 6d 61 74 20 63 68 61 72 61 63 74 65 "
              "72");
}

static void test_bad_configuration_rejected(void **state)
{
    (void)state;
    struct lf_smp_server s;
    struct lf_smp_server_cfg cfg = F.cfg;
    cfg.rsp_cap = LF_SMP_RSP_MIN - 1;
    assert_int_equal(lf_smp_server_init(&s, &cfg, &F.plat), LF_E_SMP_CONFIG);
    cfg = F.cfg;
    cfg.rsp_buf = NULL;
    assert_int_equal(lf_smp_server_init(&s, &cfg, &F.plat), LF_E_SMP_CONFIG);
    struct lf_smp_platform p = F.plat;
    p.map = NULL;
    assert_int_equal(lf_smp_server_init(&s, &F.cfg, &p), LF_E_SMP_CONFIG);
}

static void test_groups_are_data(void **state)
{
    (void)state;
    /* A server linking only the OS group answers ENOTSUP to image commands. */
    F.cfg.group_count = 1;
    fx_server(&F);
    F.cfg.group_count = 1;
    assert_int_equal(fx_send_hex(&F, "08 00 00 00 00 01 01 00"), 1);
    fx_expect(&F, 0, "09 00 00 05 00 01 01 00 a1 62 72 63 08");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_v1_echo_mirrors_version_zero),
        FX_TEST(test_v2_echo_mirrors_version_one),
        FX_TEST(test_read_op_answers_read_rsp),
        FX_TEST(test_flags_and_reserved_bits_ignored),
        FX_TEST(test_version_too_new),
        FX_TEST(test_version_too_new_with_reason),
        FX_TEST(test_response_ops_are_not_supported),
        FX_TEST(test_unknown_group_and_command),
        FX_TEST(test_cbor_decode_failure_is_einval),
        FX_TEST(test_indefinite_map_accepted),
        FX_TEST(test_short_buffer_is_ecorrupt),
        FX_TEST(test_several_messages_one_packet),
        FX_TEST(test_several_messages_stop_at_first_error),
        FX_TEST(test_response_too_large_is_emsgsize),
        FX_TEST(test_legacy_rc_on_success),
        FX_TEST(test_group_error_shapes),
        FX_TEST(test_bad_configuration_rejected),
        FX_TEST(test_groups_are_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
