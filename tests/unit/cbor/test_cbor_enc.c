/*
 * CBOR encoder tests. Expected bytes come from python cbor2 5.4 (cbor2.dumps
 * of the same values, which uses minimal heads and definite lengths) and from
 * RFC 8949 Appendix A.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lf/cbor.h"
#include "lf/err.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    while (hex[0] && hex[1]) {
        unsigned v;
        assert_true(n < cap);
        assert_int_equal(sscanf(hex, "%2x", &v), 1);
        out[n++] = (uint8_t)v;
        hex += 2;
    }
    return n;
}

static void assert_output(const struct lf_cbor_enc *e, const char *hex)
{
    uint8_t want[512];
    size_t want_len = unhex(hex, want, sizeof(want));
    size_t len = 0;
    assert_int_equal(lf_cbor_enc_finish(e, &len), LF_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(e->buf, want, want_len);
}

static void test_integers(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_array(&e, 17);
    static const uint64_t u[] = {0,     23,    24,          255,          256,
                                 65535, 65536, 0xFFFFFFFFu, 0x100000000u, UINT64_MAX};
    for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
        lf_cbor_enc_uint(&e, u[i]);
    }
    lf_cbor_enc_int(&e, -1);
    lf_cbor_enc_int(&e, -24);
    lf_cbor_enc_int(&e, -25);
    lf_cbor_enc_int(&e, -256);
    lf_cbor_enc_int(&e, -257);
    lf_cbor_enc_int(&e, INT64_MIN);
    lf_cbor_enc_negint(&e, UINT64_MAX); /* -2^64 */
    assert_int_equal(e.depth, 0);       /* the definite array closed itself */
    /* cbor2.dumps([0,23,24,255,256,65535,65536,2**32-1,2**32,2**64-1,
     *              -1,-24,-25,-256,-257,-2**63,-2**64]) */
    assert_output(&e, "910017181818ff19010019ffff1a000100001affffffff1b00000001000000001bffff"
                      "ffffffffffff2037381838ff3901003b7fffffffffffffff3bffffffffffffffff");
}

static void test_simple_and_strings(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_array(&e, 6);
    lf_cbor_enc_bool(&e, false);
    lf_cbor_enc_bool(&e, true);
    lf_cbor_enc_null(&e);
    lf_cbor_enc_text(&e, "IETF", 4);
    lf_cbor_enc_bytes(&e, (const uint8_t *)"\x01\x02\x03\x04", 4);
    lf_cbor_enc_text(&e, NULL, 0);
    /* RFC 8949 Appendix A: f4, f5, f6, 6449455446, 4401020304, 60 */
    assert_output(&e, "86f4f5f664494554464401020304"
                      "60");
}

/* The echo request of docs/reference/smp.md 3.1 and a v2 error response. */
static void test_smp_payloads(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map(&e, 1);
    lf_cbor_enc_text_z(&e, "d");
    lf_cbor_enc_text_z(&e, "hello");
    assert_output(&e, "a161646568656c6c6f");

    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map_open(&e);
    lf_cbor_enc_text_z(&e, "err");
    lf_cbor_enc_map(&e, 2);
    lf_cbor_enc_text_z(&e, "group");
    lf_cbor_enc_uint(&e, 1);
    lf_cbor_enc_text_z(&e, "rc");
    lf_cbor_enc_uint(&e, 9);
    lf_cbor_enc_map_close(&e);
    /* cbor2.dumps({"err": {"group": 1, "rc": 9}}) */
    assert_output(&e, "a163657272a26567726f75700162726309");
}

/* Image upload request as python smpclient builds it, via an open map that
 * contains a definite bstr reserved in place. */
static void test_open_map_upload(void **state)
{
    (void)state;
    uint8_t buf[128];
    uint8_t sha[32];
    uint8_t *dst = NULL;
    for (int i = 0; i < 32; i++) {
        sha[i] = (uint8_t)i;
    }
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map_open(&e);
    lf_cbor_enc_text_z(&e, "image");
    lf_cbor_enc_uint(&e, 0);
    lf_cbor_enc_text_z(&e, "len");
    lf_cbor_enc_uint(&e, 1000);
    lf_cbor_enc_text_z(&e, "off");
    lf_cbor_enc_uint(&e, 0);
    lf_cbor_enc_text_z(&e, "sha");
    lf_cbor_enc_bytes(&e, sha, sizeof(sha));
    lf_cbor_enc_text_z(&e, "data");
    assert_int_equal(lf_cbor_enc_bytes_reserve(&e, 16, &dst), LF_OK);
    assert_non_null(dst);
    for (int i = 0; i < 16; i++) {
        dst[i] = (uint8_t)i;
    }
    lf_cbor_enc_text_z(&e, "upgrade");
    lf_cbor_enc_bool(&e, true);
    assert_int_equal(lf_cbor_enc_map_close(&e), LF_OK);
    assert_output(&e, "a665696d61676500636c656e1903e8636f666600637368615820000102030405060708"
                      "090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f646461746150000102030405"
                      "060708090a0b0c0d0e0f6775706772616465f5");
}

/* An open container whose count outgrows the one-byte head: the content moves
 * right and the head becomes minimal (b8 18 / 99 01 00 / 9a 00 01 00 00). */
static void check_open_array(size_t n, const uint8_t *head, size_t head_len)
{
    size_t cap = n + 16;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, cap);
    lf_cbor_enc_array_open(&e);
    for (size_t i = 0; i < n; i++) {
        lf_cbor_enc_uint(&e, i % 24);
    }
    assert_int_equal(lf_cbor_enc_array_close(&e), LF_OK);
    size_t len;
    assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_OK);
    assert_int_equal(len, head_len + n);
    assert_memory_equal(buf, head, head_len);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(buf[head_len + i], i % 24);
    }
    free(buf);
}

static void test_open_head_growth(void **state)
{
    (void)state;
    check_open_array(0, (const uint8_t *)"\x80", 1);
    check_open_array(23, (const uint8_t *)"\x97", 1);
    check_open_array(24, (const uint8_t *)"\x98\x18", 2);
    check_open_array(256, (const uint8_t *)"\x99\x01\x00", 3);
    check_open_array(65536, (const uint8_t *)"\x9a\x00\x01\x00\x00", 5);

    /* A map of 24 pairs: cbor2.dumps({"k%02d" % i: i for i in range(24)})
     * starts b8 18 63 6b 30 30 00 63 6b 30 31 01 ... */
    uint8_t buf[256];
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map_open(&e);
    for (int i = 0; i < 24; i++) {
        char key[4] = {'k', (char)('0' + i / 10), (char)('0' + i % 10), 0};
        lf_cbor_enc_text_z(&e, key);
        lf_cbor_enc_uint(&e, (uint64_t)i);
    }
    lf_cbor_enc_map_close(&e);
    size_t len;
    assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_OK);
    assert_int_equal(len, 2 + 24 * 5); /* 4-byte keys, 1-byte values */
    assert_memory_equal(buf, "\xb8\x18\x63\x6b\x30\x30\x00\x63\x6b\x30\x31\x01", 12);
}

/* Nested open containers, with definite ones inside and outside. */
static void test_nesting(void **state)
{
    (void)state;
    uint8_t buf[128];
    struct lf_cbor_enc e;
    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map(&e, 2);
    lf_cbor_enc_text_z(&e, "images");
    lf_cbor_enc_array_open(&e);
    lf_cbor_enc_map_open(&e);
    lf_cbor_enc_text_z(&e, "slot");
    lf_cbor_enc_uint(&e, 0);
    lf_cbor_enc_text_z(&e, "v");
    lf_cbor_enc_array(&e, 2);
    lf_cbor_enc_uint(&e, 1);
    lf_cbor_enc_array(&e, 0);
    lf_cbor_enc_map_close(&e);
    lf_cbor_enc_map(&e, 0);
    lf_cbor_enc_array_close(&e);
    lf_cbor_enc_text_z(&e, "n");
    lf_cbor_enc_null(&e);
    /* {"images": [{"slot": 0, "v": [1, []]}, {}], "n": null} */
    assert_output(&e, "a266696d6167657382a264736c6f74006176820180a0616ef6");
}

static void test_no_space_is_sticky(void **state)
{
    (void)state;
    uint8_t buf[8];
    struct lf_cbor_enc e;
    /* Fails at every capacity below the full size, and succeeds at it. */
    for (size_t cap = 0; cap <= sizeof(buf); cap++) {
        memset(buf, 0xEE, sizeof(buf));
        lf_cbor_enc_init(&e, buf, cap);
        lf_cbor_enc_map_open(&e);
        lf_cbor_enc_text_z(&e, "rc");
        lf_cbor_enc_uint(&e, 300);
        int err = lf_cbor_enc_map_close(&e);
        size_t len = 0;
        if (cap < 7) {
            assert_int_equal(err, LF_E_CBOR_NO_SPACE);
            assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_E_CBOR_NO_SPACE);
            /* every later call is a no-op */
            size_t pos = e.pos;
            assert_int_equal(lf_cbor_enc_uint(&e, 1), LF_E_CBOR_NO_SPACE);
            assert_int_equal(lf_cbor_enc_text_z(&e, ""), LF_E_CBOR_NO_SPACE);
            assert_int_equal(e.pos, pos);
            for (size_t i = cap; i < sizeof(buf); i++) {
                assert_int_equal(buf[i], 0xEE); /* never wrote past cap */
            }
        } else {
            assert_int_equal(err, LF_OK);
            assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_OK);
            assert_int_equal(len, 7);
            assert_memory_equal(buf, "\xa1\x62rc\x19\x01\x2c", 7);
        }
    }
    /* A reserve that does not fit gives no pointer. */
    uint8_t *dst = buf;
    lf_cbor_enc_init(&e, buf, 4);
    assert_int_equal(lf_cbor_enc_bytes_reserve(&e, 4, &dst), LF_E_CBOR_NO_SPACE);
    assert_null(dst);
    /* Patching a longer head needs room too: 24 items fill 25 bytes exactly. */
    lf_cbor_enc_init(&e, buf, 0);
    assert_int_equal(lf_cbor_enc_null(&e), LF_E_CBOR_NO_SPACE);
    uint8_t b25[25];
    lf_cbor_enc_init(&e, b25, sizeof(b25));
    lf_cbor_enc_array_open(&e);
    for (int i = 0; i < 24; i++) {
        lf_cbor_enc_uint(&e, 0);
    }
    assert_int_equal(lf_cbor_enc_array_close(&e), LF_E_CBOR_NO_SPACE);
}

static void test_unbalanced(void **state)
{
    (void)state;
    uint8_t buf[32];
    struct lf_cbor_enc e;
    size_t len;

    lf_cbor_enc_init(&e, buf, sizeof(buf));
    lf_cbor_enc_map_open(&e);
    assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* key without value */
    lf_cbor_enc_map_open(&e);
    lf_cbor_enc_text_z(&e, "k");
    assert_int_equal(lf_cbor_enc_map_close(&e), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* wrong kind */
    lf_cbor_enc_map_open(&e);
    assert_int_equal(lf_cbor_enc_array_close(&e), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* nothing open */
    assert_int_equal(lf_cbor_enc_map_close(&e), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* inner definite array incomplete */
    lf_cbor_enc_array_open(&e);
    lf_cbor_enc_array(&e, 2);
    lf_cbor_enc_uint(&e, 1);
    assert_int_equal(lf_cbor_enc_array_close(&e), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* definite map short of items */
    lf_cbor_enc_map(&e, 1);
    lf_cbor_enc_text_z(&e, "k");
    assert_int_equal(lf_cbor_enc_finish(&e, &len), LF_E_CBOR_UNBALANCED);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* depth limit */
    for (int i = 0; i < LF_CBOR_MAX_DEPTH; i++) {
        assert_int_equal(lf_cbor_enc_array_open(&e), LF_OK);
    }
    assert_int_equal(lf_cbor_enc_array(&e, 1), LF_E_CBOR_TOO_DEEP);

    lf_cbor_enc_init(&e, buf, sizeof(buf)); /* NULL with a length */
    assert_int_equal(lf_cbor_enc_bytes(&e, NULL, 1), LF_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),           cmocka_unit_test(test_simple_and_strings),
        cmocka_unit_test(test_smp_payloads),       cmocka_unit_test(test_open_map_upload),
        cmocka_unit_test(test_open_head_growth),   cmocka_unit_test(test_nesting),
        cmocka_unit_test(test_no_space_is_sticky), cmocka_unit_test(test_unbalanced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
