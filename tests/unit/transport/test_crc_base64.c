/* CRC-16/XMODEM and base64: published check values and RFC 4648 vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/base64.h"
#include "lf/crc16.h"
#include "lf/err.h"

static void test_crc_check_value(void **state)
{
    (void)state;
    /* The catalogue check value of CRC-16/XMODEM. */
    assert_int_equal(lf_crc16_xmodem(0, "123456789", 9), 0x31C3);
    /* Incremental in any split. */
    for (size_t k = 0; k <= 9; k++) {
        uint16_t c = lf_crc16_xmodem(LF_CRC16_XMODEM_INIT, "123456789", k);
        c = lf_crc16_xmodem(c, "123456789" + k, 9 - k);
        assert_int_equal(c, 0x31C3);
    }
    assert_int_equal(lf_crc16_xmodem(0, NULL, 0), 0);
    /* The worked example of docs/reference/smp.md 3.1. */
    static const uint8_t msg[] = {0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                  0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
    assert_int_equal(lf_crc16_xmodem(0, msg, sizeof(msg)), 0xC109);
    /* Data followed by its big-endian CRC gives 0. */
    uint8_t tail[2] = {0xC1, 0x09};
    assert_int_equal(lf_crc16_xmodem(lf_crc16_xmodem(0, msg, sizeof(msg)), tail, 2), 0);
    /* Python binascii.crc_hqx(bytes(range(256)), 0) */
    uint8_t all[256];
    for (int i = 0; i < 256; i++) {
        all[i] = (uint8_t)i;
    }
    assert_int_equal(lf_crc16_xmodem(0, all, sizeof(all)), 0x7E55);
}

static void test_base64_rfc4648(void **state)
{
    (void)state;
    static const char *const vec[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
        char enc[16];
        uint8_t dec[16];
        size_t n = 99;
        size_t in_len = strlen(vec[i][0]);
        assert_int_equal(lf_base64_encode((const uint8_t *)vec[i][0], in_len, enc, sizeof(enc), &n),
                         LF_OK);
        assert_int_equal(n, strlen(vec[i][1]));
        assert_int_equal(n, LF_BASE64_ENC_LEN(in_len));
        assert_memory_equal(enc, vec[i][1], n);
        assert_int_equal(lf_base64_decode(vec[i][1], n, dec, sizeof(dec), &n), LF_OK);
        assert_int_equal(n, in_len);
        assert_memory_equal(dec, vec[i][0], n);
    }
    /* Whole alphabet, both directions: bytes 0x00 0x10 0x83 ... encode to A..Z a..z 0..9 + / */
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint8_t raw[48];
    size_t n;
    assert_int_equal(lf_base64_decode(alpha, 64, raw, sizeof(raw), &n), LF_OK);
    assert_int_equal(n, 48);
    char back[64];
    assert_int_equal(lf_base64_encode(raw, 48, back, sizeof(back), &n), LF_OK);
    assert_memory_equal(back, alpha, 64);
}

static void test_base64_errors(void **state)
{
    (void)state;
    uint8_t out[16];
    size_t n;
    static const char *const bad[] = {
        "Zg=",      /* not a multiple of 4 */
        "Zg==Zm8=", /* padding before the end */
        "Z===",     /* one character is not a byte */
        "=Zg=",     /* padding first */
        "Zg=A",     /* character after padding */
        "Zm9*",     /* outside the alphabet */
        "Zm9-",     /* URL-safe alphabet is not ours */
        "Zm9 ",     /* whitespace */
        "Zm9\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(lf_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n),
                         LF_E_BASE64_INVALID);
    }
    /* Every single byte value outside the alphabet is refused in a quantum. */
    for (int c = 0; c < 256; c++) {
        char q[4] = {'Q', 'U', 'J', (char)c};
        uint8_t o[3];
        int r = lf_base64_decode_quantum(q, o);
        bool in_alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '+' || c == '/';
        assert_int_equal(r, in_alpha ? 3 : (c == '=' ? 2 : LF_E_BASE64_INVALID));
    }
    char enc[8];
    assert_int_equal(lf_base64_encode((const uint8_t *)"foobar", 6, enc, 7, &n), LF_E_NOSPACE);
    assert_int_equal(lf_base64_encode((const uint8_t *)"foob", 4, enc, 7, &n), LF_E_NOSPACE);
    assert_int_equal(lf_base64_encode((const uint8_t *)"foo", 3, enc, 4, &n), LF_OK);
    assert_int_equal(lf_base64_encode((const uint8_t *)"foo", SIZE_MAX, enc, 8, &n),
                     LF_E_NOSPACE); /* no wrap-around in the size computation */
    assert_int_equal(lf_base64_decode("Zm9vYmFy", 8, out, 5, &n), LF_E_NOSPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc_check_value),
        cmocka_unit_test(test_base64_rfc4648),
        cmocka_unit_test(test_base64_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
