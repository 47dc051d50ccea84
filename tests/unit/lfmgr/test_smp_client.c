/* Core SMP client: request bytes, response decoding, chunk sizing, upload bookkeeping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/smp_client.h"

static uint8_t buf[4096];

#define ASSERT_BYTES(got, got_len, ...)                   \
    do {                                                  \
        static const uint8_t want_[] = {__VA_ARGS__};     \
        assert_int_equal((got_len), sizeof(want_));       \
        assert_memory_equal((got), want_, sizeof(want_)); \
    } while (0)

/* ---- request encoding, byte for byte -------------------------------------------------- */

static void test_req_echo(void **st)
{
    struct lf_smp_req r;
    size_t n = 0;
    (void)st;
    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 7);
    assert_int_equal(lf_smp_req_echo(&r, "hi", 2, &n), LF_OK);
    /* v2 write = 0x0A; len 6; group 0; seq 7; id 0; {"d": "hi"} */
    ASSERT_BYTES(buf, n, 0x0A, 0x00, 0x00, 0x06, 0x00, 0x00, 0x07, 0x00, 0xA1, 0x61, 'd', 0x62, 'h',
                 'i');
}

static void test_req_os(void **st)
{
    struct lf_smp_req r;
    size_t n = 0;
    (void)st;
    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_1, 0xFF);
    assert_int_equal(lf_smp_req_params(&r, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0xFF, 0x06, 0xA0);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 1);
    assert_int_equal(lf_smp_req_reset(&r, false, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x0A, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x05, 0xA0);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 2);
    assert_int_equal(lf_smp_req_reset(&r, true, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x0A, 0x00, 0x00, 0x08, 0x00, 0x00, 0x02, 0x05, 0xA1, 0x65, 'f', 'o', 'r',
                 'c', 'e', 0xF5);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 3);
    assert_int_equal(lf_smp_req_bootloader_info(&r, "active_b0_slot", &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x08, 0x00, 0x00, 0x16, 0x00, 0x00, 0x03, 0x08, 0xA1, 0x65, 'q', 'u', 'e',
                 'r', 'y', 0x6E, 'a', 'c', 't', 'i', 'v', 'e', '_', 'b', '0', '_', 's', 'l', 'o',
                 't');

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 4);
    assert_int_equal(lf_smp_req_os_info(&r, NULL, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x08, 0x00, 0x00, 0x01, 0x00, 0x00, 0x04, 0x07, 0xA0);
}

static void test_req_image(void **st)
{
    struct lf_smp_req r;
    uint8_t hash[32];
    size_t n = 0;
    (void)st;
    memset(hash, 0xAB, sizeof(hash));
    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 9);
    assert_int_equal(lf_smp_req_image_state(&r, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x08, 0x00, 0x00, 0x01, 0x00, 0x01, 0x09, 0x00, 0xA0);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 10);
    assert_int_equal(lf_smp_req_image_erase(&r, true, 1, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x0A, 0x00, 0x00, 0x07, 0x00, 0x01, 0x0A, 0x05, 0xA1, 0x64, 's', 'l', 'o',
                 't', 0x01);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 11);
    assert_int_equal(lf_smp_req_image_set(&r, NULL, 0, true, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x0A, 0x00, 0x00, 0x0A, 0x00, 0x01, 0x0B, 0x00, 0xA1, 0x67, 'c', 'o', 'n',
                 'f', 'i', 'r', 'm', 0xF5);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 12);
    assert_int_equal(lf_smp_req_image_set(&r, hash, 32, false, &n), LF_OK);
    assert_int_equal(n, 8 + 1 + 5 + 2 + 32 + 8 + 1);
    assert_int_equal(buf[8], 0xA2);
    assert_memory_equal(buf + 9, "\x64hash\x58\x20", 7);
    assert_memory_equal(buf + 16, hash, 32);
    assert_memory_equal(buf + 48,
                        "\x67"
                        "confirm\xF4",
                        9);

    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 12);
    assert_int_equal(lf_smp_req_image_set(&r, hash, 33, false, &n), LF_E_INVAL);
}

static void test_req_upload(void **st)
{
    struct lf_smp_req r;
    struct lf_smp_chunk c;
    uint8_t sha[32];
    uint8_t data[3] = {1, 2, 3};
    size_t n = 0;
    (void)st;
    memset(sha, 0x5A, sizeof(sha));
    memset(&c, 0, sizeof(c));
    c.first = true;
    c.image = 1;
    c.len = 1000;
    c.sha = sha;
    c.sha_len = 32;
    c.upgrade = true;
    c.data = data;
    c.data_len = 3;
    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_2, 0x20);
    assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
    {
        static const uint8_t want[] = {
            0x0A, 0x00, 0x00, 0x4C, 0x00, 0x01, 0x20, 0x01, /* header, len 76 */
            0xA6,                                           /* map of 6 */
            0x65, 'i',  'm',  'a',  'g',  'e',  0x01,       /* "image": 1 */
            0x63, 'l',  'e',  'n',  0x19, 0x03, 0xE8,       /* "len": 1000 */
            0x63, 'o',  'f',  'f',  0x00,                   /* "off": 0 */
            0x63, 's',  'h',  'a',  0x58, 0x20,             /* "sha": h'5a..' (32) */
        };
        assert_memory_equal(buf, want, sizeof(want));
        assert_memory_equal(buf + sizeof(want), sha, 32);
        assert_memory_equal(buf + sizeof(want) + 32,
                            "\x67upgrade\xF5\x64"
                            "data\x43\x01\x02\x03",
                            18);
        assert_int_equal(n, sizeof(want) + 32 + 18);
    }
    assert_int_equal(n, lf_smp_chunk_msg_size(&c));

    /* Continuation: {"off": 500, "data": h'010203'} only. */
    memset(&c, 0, sizeof(c));
    c.off = 500;
    c.data = data;
    c.data_len = 3;
    lf_smp_req_begin(&r, buf, sizeof(buf), LF_SMP_VER_1, 0x21);
    assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
    ASSERT_BYTES(buf, n, 0x02, 0x00, 0x00, 0x11, 0x00, 0x01, 0x21, 0x01, 0xA2, 0x63, 'o', 'f', 'f',
                 0x19, 0x01, 0xF4, 0x64, 'd', 'a', 't', 'a', 0x43, 0x01, 0x02, 0x03);
    assert_int_equal(n, lf_smp_chunk_msg_size(&c));

    /* first with off != 0, and a too small buffer */
    c.first = true;
    assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_E_INVAL);
    c.first = false;
    lf_smp_req_begin(&r, buf, 20, LF_SMP_VER_1, 0x21);
    assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_E_NOSPACE);
    lf_smp_req_begin(&r, buf, 4, LF_SMP_VER_1, 0x21);
    assert_int_equal(lf_smp_req_params(&r, &n), LF_E_NOSPACE);
}

/* ---- chunk sizing ---------------------------------------------------------------------- */

/* For every budget and several offsets, the computed data length fills the
 * budget exactly as far as CBOR heads allow: it fits, and one more byte
 * does not. Checked against the real encoder. */
static void test_chunk_data_max(void **st)
{
    static uint8_t data[70000];
    static uint8_t msg[70100];
    static const uint32_t offs[] = {0, 1, 23, 24, 255, 256, 65535, 65536, 0x12345678};
    uint8_t sha[32] = {0};
    size_t budget;
    unsigned i;
    (void)st;
    for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
        for (budget = 20; budget < 66000; budget += (budget < 600 ? 1 : 97)) {
            struct lf_smp_chunk c;
            struct lf_smp_req r;
            size_t n = 0;
            uint32_t d;
            memset(&c, 0, sizeof(c));
            c.off = offs[i];
            c.first = offs[i] == 0;
            c.len = 0x40000;
            c.image = 1;
            c.sha = sha;
            c.sha_len = 32;
            c.data = data;
            d = lf_smp_chunk_data_max(&c, budget);
            if (d == 0) {
                c.data_len = 1;
                assert_true(lf_smp_chunk_msg_size(&c) > budget);
                continue;
            }
            c.data_len = d;
            lf_smp_req_begin(&r, msg, sizeof(msg), LF_SMP_VER_2, 0);
            assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
            assert_true(n <= budget);
            assert_int_equal(n, lf_smp_chunk_msg_size(&c));
            c.data_len = d + 1;
            assert_true(lf_smp_chunk_msg_size(&c) > budget ||
                        lf_smp_chunk_msg_size(&c) > LF_SMP_HDR_SIZE + LF_SMP_MAX_PAYLOAD);
        }
    }
}

static void test_upload_chunks(void **st)
{
    struct lf_smp_upload u;
    struct lf_smp_chunk c;
    uint8_t sha[32] = {1};
    (void)st;
    assert_int_equal(lf_smp_upload_init(&u, 0, sha, 32, 0, false, 16), LF_E_INVAL);
    assert_int_equal(lf_smp_upload_init(&u, 10000, sha, 33, 0, false, 16), LF_E_INVAL);
    assert_int_equal(lf_smp_upload_init(&u, 10000, sha, 32, 1, false, 16), LF_OK);

    /* serial at buf_size 512: messages up to 508 bytes */
    assert_int_equal(lf_smp_upload_chunk(&u, 0, 508, &c), LF_OK);
    assert_true(c.first);
    assert_int_equal(c.data_len % 16, 0);
    assert_true(lf_smp_chunk_msg_size(&c) <= 508);
    c.data_len += 16;
    assert_true(lf_smp_chunk_msg_size(&c) > 508);
    /* first chunk: 8 hdr + map 1 + image 7 + len 7 + off 5 + sha 38 + data key 5 + head 3 = 74
     * -> 434 bytes fit, 432 after alignment */
    assert_int_equal(c.data_len - 16, 432);

    assert_int_equal(lf_smp_upload_chunk(&u, 432, 508, &c), LF_OK);
    assert_false(c.first);
    /* 8 + 1 + 4 + 3 + 5 + 3 = 24 -> 484 fit, 480 aligned */
    assert_int_equal(c.data_len, 480);

    /* the last chunk is not aligned */
    assert_int_equal(lf_smp_upload_chunk(&u, 9990, 508, &c), LF_OK);
    assert_int_equal(c.data_len, 10);
    assert_int_equal(lf_smp_upload_chunk(&u, 10000, 508, &c), LF_E_RANGE);
    /* a budget that cannot carry one aligned unit */
    assert_int_equal(lf_smp_upload_chunk(&u, 16, 36, &c), LF_OK);
    assert_int_equal(c.data_len, 16);
    assert_int_equal(lf_smp_upload_chunk(&u, 16, 35, &c), LF_E_NOSPACE);
}

static void test_upload_reply(void **st)
{
    struct lf_smp_upload u;
    uint8_t sha[32] = {1};
    (void)st;
    assert_int_equal(lf_smp_upload_init(&u, 1000, sha, 32, 0, false, 0), LF_OK);
    assert_int_equal(u.align, 1);
    assert_int_equal(lf_smp_upload_reply(&u, 400, LF_SMP_MATCH_ABSENT), LF_OK);
    assert_int_equal(u.off, 400);
    /* the server's offset rules, even backwards or 0 */
    assert_int_equal(lf_smp_upload_reply(&u, 0, LF_SMP_MATCH_ABSENT), LF_OK);
    assert_int_equal(u.off, 0);
    assert_false(u.done);
    assert_int_equal(lf_smp_upload_reply(&u, 1001, LF_SMP_MATCH_ABSENT), LF_E_RANGE);
    assert_int_equal(u.off, 0);
    assert_int_equal(lf_smp_upload_reply(&u, 1000, LF_SMP_MATCH_FALSE), LF_E_CORRUPT);
    assert_false(u.done);
    assert_int_equal(lf_smp_upload_reply(&u, 1000, LF_SMP_MATCH_TRUE), LF_OK);
    assert_true(u.done);
}

/* ---- response decoding ------------------------------------------------------------------ */

static size_t mk(uint8_t *out, uint8_t b0, uint16_t group, uint8_t seq, uint8_t id,
                 const uint8_t *cbor, size_t n)
{
    out[0] = b0;
    out[1] = 0;
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    out[4] = (uint8_t)(group >> 8);
    out[5] = (uint8_t)group;
    out[6] = seq;
    out[7] = id;
    if (n > 0) {
        memcpy(out + 8, cbor, n);
    }
    return n + 8;
}

static void test_rsp_shapes(void **st)
{
    struct lf_smp_rsp rsp;
    struct lf_smp_hdr req = {LF_SMP_OP_WRITE, LF_SMP_VER_2, 0, 0, 1, 5, 1};
    uint32_t off = 0;
    enum lf_smp_match m;
    size_t n;
    (void)st;

    /* v2 success: no rc, no err */
    static const uint8_t ok[] = {0xA1, 0x63, 'o', 'f', 'f', 0x19, 0x01, 0x00};
    n = mk(buf, 0x0B, 1, 5, 1, ok, sizeof(ok));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_true(lf_smp_rsp_matches(&req, &rsp));
    assert_true(lf_smp_rsp_ok(&rsp));
    assert_false(rsp.has_rc);
    assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
    assert_int_equal(off, 256);
    assert_int_equal(m, LF_SMP_MATCH_ABSENT);

    /* legacy "rc": 0 plus match, v1 header (Ver 0) still matches */
    static const uint8_t legacy[] = {0xA3, 0x62, 'r', 'c', 0x00, 0x63, 'o', 'f', 'f',
                                     0x05, 0x65, 'm', 'a', 't',  'c',  'h', 0xF5};
    n = mk(buf, 0x03, 1, 5, 1, legacy, sizeof(legacy));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_int_equal(rsp.hdr.ver, LF_SMP_VER_1);
    assert_true(lf_smp_rsp_matches(&req, &rsp));
    assert_true(rsp.has_rc);
    assert_true(lf_smp_rsp_ok(&rsp));
    assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
    assert_int_equal(off, 5);
    assert_int_equal(m, LF_SMP_MATCH_TRUE);

    /* v1 error: rc 8 with rsn */
    static const uint8_t v1err[] = {0xA2, 0x62, 'r',  'c', 0x08, 0x63, 'r',
                                    's',  'n',  0x63, 'n', 'o',  'p'};
    n = mk(buf, 0x03, 1, 5, 1, v1err, sizeof(v1err));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_false(lf_smp_rsp_ok(&rsp));
    assert_int_equal(rsp.rc, 8);
    assert_int_equal(rsp.rsn.len, 3);
    assert_memory_equal(rsp.rsn.ptr, "nop", 3);
    assert_string_equal(lf_smp_rc_name(rsp.rc), "ENOTSUP");
    assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_E_NOT_FOUND);

    /* v2 group error, indefinite-length map as zcbor may send */
    static const uint8_t v2err[] = {0xBF, 0x63, 'e',  'r',  'r', 0xA2, 0x65, 'g',  'r', 'o',
                                    'u',  'p',  0x01, 0x62, 'r', 'c',  0x18, 0x19, 0xFF};
    n = mk(buf, 0x0B, 1, 5, 1, v2err, sizeof(v2err));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_false(lf_smp_rsp_ok(&rsp));
    assert_true(rsp.has_err);
    assert_int_equal(rsp.err_group, 1);
    assert_int_equal(rsp.err_rc, 25);
    assert_string_equal(lf_smp_group_err_name(1, 25), "INVALID_FLASH_ADDRESS");
    assert_string_equal(lf_smp_group_err_name(0, 3), "QUERY_YIELDS_NO_ANSWER");
    assert_null(lf_smp_group_err_name(1, 99));
    assert_string_equal(lf_smp_group_name(1), "image");

    /* NCS 2.4 "ret" is read as "err"; "err" with rc 0 is success */
    static const uint8_t ret0[] = {0xA1, 0x63, 'r', 'e',  't',  0xA2, 0x65, 'g', 'r',
                                   'o',  'u',  'p', 0x00, 0x62, 'r',  'c',  0x00};
    n = mk(buf, 0x0B, 1, 5, 1, ret0, sizeof(ret0));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_true(rsp.has_err);
    assert_true(lf_smp_rsp_ok(&rsp));

    /* empty payload = empty map = success */
    n = mk(buf, 0x0B, 0, 5, 5, NULL, 0);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_true(lf_smp_rsp_ok(&rsp));

    /* wrong seq / group / id / op do not match */
    n = mk(buf, 0x0B, 1, 6, 1, ok, sizeof(ok));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_false(lf_smp_rsp_matches(&req, &rsp));
    n = mk(buf, 0x09, 1, 5, 1, ok, sizeof(ok));
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    assert_false(lf_smp_rsp_matches(&req, &rsp));
}

static void test_rsp_malformed(void **st)
{
    struct lf_smp_rsp rsp;
    size_t n;
    (void)st;
    assert_int_equal(lf_smp_rsp_parse(buf, 5, &rsp), LF_E_SMP_HDR_SHORT);
    /* data length beyond the message */
    n = mk(buf, 0x0B, 1, 5, 1, (const uint8_t *)"\xA0", 1);
    buf[3] = 9;
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_SMP_PAYLOAD_SHORT);
    /* a request op is not a response */
    n = mk(buf, 0x0A, 1, 5, 1, (const uint8_t *)"\xA0", 1);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_CORRUPT);
    /* not a map */
    n = mk(buf, 0x0B, 1, 5, 1, (const uint8_t *)"\x80", 1);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_CORRUPT);
    /* truncated map */
    n = mk(buf, 0x0B, 1, 5, 1, (const uint8_t *)"\xA1\x62rc", 4);
    assert_int_not_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_OK);
    /* rc of the wrong type */
    n = mk(buf, 0x0B, 1, 5, 1, (const uint8_t *)"\xA1\x62rc\x61x", 6);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_CORRUPT);
    /* err without group */
    n = mk(buf, 0x0B, 1, 5, 1,
           (const uint8_t *)"\xA1\x63"
                            "err\xA1\x62rc\x01",
           10);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_CORRUPT);
    /* trailing bytes inside the payload */
    n = mk(buf, 0x0B, 1, 5, 1, (const uint8_t *)"\xA0\x00", 2);
    assert_int_equal(lf_smp_rsp_parse(buf, n, &rsp), LF_E_CBOR_TRAILING);
}

static void test_rsp_image_state(void **st)
{
    struct lf_smp_rsp rsp;
    struct lf_smp_image_slot e[2];
    size_t n = 0;
    size_t len;
    uint8_t cbor[200];
    size_t k = 0;
    (void)st;
    /* {"images": [{"slot": 0, "version": "1.2.3", "hash": h'11'*32, "active": true,
     *  "confirmed": true, "x": [1]}, {"image": 1, "slot": 1, "version": "0.0.1.7",
     *  "pending": true}]} */
#define PUT(lit)                                \
    do {                                        \
        memcpy(cbor + k, lit, sizeof(lit) - 1); \
        k += sizeof(lit) - 1;                   \
    } while (0)
    PUT("\xA1\x66images\x82");
    PUT("\xA6\x64slot\x00\x67version\x65"
        "1.2.3\x64hash\x58\x20");
    memset(cbor + k, 0x11, 32);
    k += 32;
    PUT("\x66"
        "active\xF5\x69"
        "confirmed\xF5\x61x\x81\x01");
    PUT("\xA4\x65image\x01\x64slot\x01\x67version\x67"
        "0.0.1.7\x67pending\xF5");
#undef PUT
    len = mk(buf, 0x09, 1, 0, 0, cbor, k);
    assert_int_equal(lf_smp_rsp_parse(buf, len, &rsp), LF_OK);
    assert_int_equal(lf_smp_rsp_image_state(&rsp, e, 2, &n), LF_OK);
    assert_int_equal(n, 2);
    assert_int_equal(e[0].image, 0);
    assert_int_equal(e[0].slot, 0);
    assert_int_equal(e[0].version.len, 5);
    assert_int_equal(e[0].hash_len, 32);
    assert_int_equal(e[0].hash[31], 0x11);
    assert_true(e[0].active && e[0].confirmed && !e[0].pending && !e[0].bootable);
    assert_int_equal(e[1].image, 1);
    assert_int_equal(e[1].slot, 1);
    assert_memory_equal(e[1].version.ptr, "0.0.1.7", 7);
    assert_true(e[1].pending && !e[1].active);
    assert_int_equal(e[1].hash_len, 0);
    assert_int_equal(lf_smp_rsp_image_state(&rsp, e, 1, &n), LF_E_NOSPACE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_req_echo),       cmocka_unit_test(test_req_os),
        cmocka_unit_test(test_req_image),      cmocka_unit_test(test_req_upload),
        cmocka_unit_test(test_chunk_data_max), cmocka_unit_test(test_upload_chunks),
        cmocka_unit_test(test_upload_reply),   cmocka_unit_test(test_rsp_shapes),
        cmocka_unit_test(test_rsp_malformed),  cmocka_unit_test(test_rsp_image_state),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
