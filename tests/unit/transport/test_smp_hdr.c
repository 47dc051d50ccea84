/* SMP header encode/decode (docs/reference/smp.md 1.1) and the protocol constants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/smp_hdr.h"

/* The echo request of smp.md 3.1: v1 write, group 0, seq 0x42, id 0. */
static void test_spec_example(void **state)
{
    (void)state;
    static const uint8_t msg[] = {0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                  0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
    struct lf_smp_hdr h;
    assert_int_equal(lf_smp_hdr_decode(msg, sizeof(msg), &h), LF_OK);
    assert_int_equal(h.op, LF_SMP_OP_WRITE);
    assert_int_equal(h.ver, LF_SMP_VER_1);
    assert_int_equal(h.flags, 0);
    assert_int_equal(h.len, 9);
    assert_int_equal(h.group, LF_SMP_GROUP_OS);
    assert_int_equal(h.seq, 0x42);
    assert_int_equal(h.id, LF_SMP_OS_ID_ECHO);

    uint8_t out[LF_SMP_HDR_SIZE];
    assert_int_equal(lf_smp_hdr_encode(&h, out), LF_OK);
    assert_memory_equal(out, msg, LF_SMP_HDR_SIZE);
}

/* Byte 0 = (ver << 3) | op: the four examples of smp.md 1.1. */
static void test_byte0(void **state)
{
    (void)state;
    static const struct {
        uint8_t ver, op, byte0;
    } cases[] = {
        {LF_SMP_VER_1, LF_SMP_OP_WRITE, 0x02},
        {LF_SMP_VER_2, LF_SMP_OP_WRITE, 0x0A},
        {LF_SMP_VER_1, LF_SMP_OP_READ_RSP, 0x01},
        {LF_SMP_VER_2, LF_SMP_OP_WRITE_RSP, 0x0B},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct lf_smp_hdr h = {.op = cases[i].op, .ver = cases[i].ver};
        uint8_t out[8];
        assert_int_equal(lf_smp_hdr_encode(&h, out), LF_OK);
        assert_int_equal(out[0], cases[i].byte0);
    }
}

/* Big-endian multi-byte fields, all bits of every field. */
static void test_fields_round_trip(void **state)
{
    (void)state;
    struct lf_smp_hdr h = {
        .op = 3, .ver = 3, .flags = 0xA5, .len = 0x1234, .group = 0xBEEF, .seq = 0xFF, .id = 0x7E};
    uint8_t out[8 + 0x1234] = {0};
    assert_int_equal(lf_smp_hdr_encode(&h, out), LF_OK);
    static const uint8_t want[8] = {0x1B, 0xA5, 0x12, 0x34, 0xBE, 0xEF, 0xFF, 0x7E};
    assert_memory_equal(out, want, 8);
    struct lf_smp_hdr g;
    assert_int_equal(lf_smp_hdr_decode(out, sizeof(out), &g), LF_OK);
    assert_int_equal(g.op, 3);
    assert_int_equal(g.ver, 3); /* reserved versions come back for the server to reject */
    assert_int_equal(g.flags, 0xA5);
    assert_int_equal(g.len, 0x1234);
    assert_int_equal(g.group, 0xBEEF);
    assert_int_equal(g.seq, 0xFF);
    assert_int_equal(g.id, 0x7E);

    /* Reserved bits are ignored on receive. */
    out[0] = 0xE0 | 0x0A;
    assert_int_equal(lf_smp_hdr_decode(out, sizeof(out), &g), LF_OK);
    assert_int_equal(g.op, 2);
    assert_int_equal(g.ver, 1);
}

static void test_errors(void **state)
{
    (void)state;
    uint8_t buf[12] = {0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0xa0, 0, 0, 0};
    struct lf_smp_hdr h = {.seq = 0x55};
    for (size_t n = 0; n < LF_SMP_HDR_SIZE; n++) {
        assert_int_equal(lf_smp_hdr_decode(buf, n, &h), LF_E_SMP_HDR_SHORT);
        assert_int_equal(h.seq, 0x55); /* untouched */
    }
    /* Header readable, payload short: fields are filled for the ECORRUPT reply. */
    for (size_t n = 8; n < 12; n++) {
        assert_int_equal(lf_smp_hdr_decode(buf, n, &h), LF_E_SMP_PAYLOAD_SHORT);
        assert_int_equal(h.len, 4);
        assert_int_equal(h.group, LF_SMP_GROUP_IMAGE);
    }
    assert_int_equal(lf_smp_hdr_decode(buf, 12, &h), LF_OK);
    /* Bytes after the message are the next message: not an error. */
    uint8_t two[16] = {0x02, 0, 0, 0, 0, 0, 1, 0, 0x02, 0, 0, 0, 0, 0, 2, 0};
    assert_int_equal(lf_smp_hdr_decode(two, sizeof(two), &h), LF_OK);
    assert_int_equal(h.seq, 1);
    assert_int_equal(lf_smp_hdr_decode(two + 8 + h.len, sizeof(two) - 8 - h.len, &h), LF_OK);
    assert_int_equal(h.seq, 2);

    uint8_t out[8] = {0};
    struct lf_smp_hdr bad = {.op = 8};
    assert_int_equal(lf_smp_hdr_encode(&bad, out), LF_E_INVAL);
    bad.op = 0;
    bad.ver = 4;
    assert_int_equal(lf_smp_hdr_encode(&bad, out), LF_E_INVAL);
}

/* The numbers that go on the wire, against smp.md 1.5 to 1.8. */
static void test_constants(void **state)
{
    (void)state;
    assert_int_equal(LF_SMP_RC_ENOTSUP, 8);
    assert_int_equal(LF_SMP_RC_ECORRUPT, 9);
    assert_int_equal(LF_SMP_RC_UNSUPPORTED_TOO_NEW, 13);
    assert_int_equal(LF_SMP_RC_EPERUSER, 256);
    assert_int_equal(LF_SMP_IMG_ERR_NO_FREE_SLOT, 9);
    assert_int_equal(LF_SMP_IMG_ERR_INVALID_OFFSET, 20);
    assert_int_equal(LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, 27);
    assert_int_equal(LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, 31);
    assert_int_equal(LF_SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN, 34);
    assert_int_equal(LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, 3);
    assert_int_equal(LF_SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID, 6);
    assert_int_equal(LF_SMP_GROUP_ZEPHYR_BASIC, 63);
    assert_int_equal(LF_SMP_OS_ID_BOOTLOADER, 8);
    assert_int_equal(LF_SMP_IMG_ID_SLOT_INFO, 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),      cmocka_unit_test(test_byte0),
        cmocka_unit_test(test_fields_round_trip), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_constants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
