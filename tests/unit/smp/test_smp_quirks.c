/*
 * The interop quirks of real clients (docs/reference/smp.md 5 and the checklist of 6), each
 * played the way that client plays it:
 *   Go mcumgr CLI: v1 headers and a reply byte 0 of exactly 1 or 3, erase
 *     before upload, "image" in every chunk, 51-byte (unaligned) chunks,
 *     resends of old and future offsets, sha dropped from a small first
 *     chunk, confirm with a nil or empty hash;
 *   smpclient: v2, params first, messages of buf_size, no unexpected key in
 *     any success reply (not even "rc": 0), restart at off 0 without sha;
 *   nRF Connect Device Manager: bootloader info queries before DFU;
 *   cmcumgr (legacy shape): "rc" in every reply, five flags, no "image", no
 *     "match".
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_client.h"
#include "smp_fixture.h"

static uint8_t img[FX_IMG_MAX];
static uint8_t req[FX_BUF];
static uint8_t back[FX_IMG_MAX];

static size_t make_app(uint8_t minor, uint32_t payload)
{
    struct img_opts o = {.major = 1, .minor = minor, .payload = payload, .seed = 5};
    return img_make(img, sizeof(img), &o);
}

/* The top-level keys of response i, comma-separated, in order. */
static void keys_of(int i, char *out, size_t cap)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str k;
    out[0] = 0;
    lf_cbor_dec_init(&d, F.rsp[i] + LF_SMP_HDR_SIZE, F.rsp_len[i] - LF_SMP_HDR_SIZE);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_OK);
    while (lf_cbor_map_next(&d, &k)) {
        size_t n = strlen(out);
        assert_true(n + k.len + 2 < cap);
        if (n) {
            out[n++] = ',';
        }
        memcpy(out + n, k.ptr, k.len);
        out[n + k.len] = 0;
    }
    lf_cbor_leave(&d);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
}

static void expect_keys(int i, const char *want)
{
    char got[256];
    keys_of(i, got, sizeof(got));
    assert_string_equal(got, want);
}

/* Go CLI: v1 upload chunk {"image", "len"?, "off", "sha"?, "data"} */
static size_t go_chunk(uint8_t seq, uint32_t off, uint32_t n, size_t len, const uint8_t *sha)
{
    struct fx_req r;
    fx_req_begin(&r, LF_SMP_VER_1, LF_SMP_OP_WRITE, 1, 1, seq);
    lf_cbor_enc_text_z(&r.enc, "data");
    lf_cbor_enc_bytes(&r.enc, img + off, n);
    lf_cbor_enc_text_z(&r.enc, "image");
    lf_cbor_enc_uint(&r.enc, 0);
    if (off == 0) {
        lf_cbor_enc_text_z(&r.enc, "len");
        lf_cbor_enc_uint(&r.enc, len);
    }
    lf_cbor_enc_text_z(&r.enc, "off");
    lf_cbor_enc_uint(&r.enc, off);
    if (sha) {
        lf_cbor_enc_text_z(&r.enc, "sha");
        lf_cbor_enc_bytes(&r.enc, sha, 32);
    }
    size_t m = fx_req_end(&r);
    memcpy(req, r.buf, m);
    return m;
}

static uint32_t reply_off(void)
{
    struct fx_up u = fx_up_result(&F);
    assert_int_equal(u.rc, -1);
    assert_int_equal(u.err_rc, -1);
    return (uint32_t)u.off;
}

static void test_go_cli_erase_then_unaligned_upload(void **state)
{
    (void)state;
    size_t len = make_app(1, 7000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    uint8_t seq = 200;
    /* erase first (v1), reply byte 0 exactly 3 */
    assert_int_equal(fx_send_hex(&F, "02 00 00 01 00 01 c8 05 a0"), 1);
    assert_int_equal(F.rsp[0][0], 3);
    /* 51-byte chunks, "image" in every one, seq wrapping past 255 */
    uint32_t off = 0;
    while (off < len) {
        uint32_t n = len - off < 51 ? (uint32_t)(len - off) : 51;
        size_t m = go_chunk(++seq, off, n, len, off == 0 ? sha : NULL);
        assert_int_equal(fx_send(&F, req, m), 1);
        assert_int_equal(F.rsp[0][0], 3);
        assert_int_equal(F.rsp[0][6], seq);
        uint32_t next = reply_off();
        /* a timed-out chunk resent after it was taken, and one from the
         * pipeline's future: both answered with the expected offset */
        if (off == 51 * 10) {
            m = go_chunk(++seq, off, n, len, NULL);
            assert_int_equal(fx_send(&F, req, m), 1);
            assert_int_equal(reply_off(), next);
            m = go_chunk(++seq, next + 51, 51, len, NULL);
            assert_int_equal(fx_send(&F, req, m), 1);
            assert_int_equal(reply_off(), next);
        }
        off = next;
    }
    fx_read(&F, LF_AREA_APP_SECONDARY, 0, back, len);
    assert_memory_equal(back, img, len);
}

static void test_go_cli_sha_dropped_on_small_first_chunk(void **state)
{
    (void)state;
    size_t len = make_app(1, 3000);
    /* 40 data bytes and no sha: a plain upload, no resume, no "match" */
    uint32_t off = 0;
    while (off < len) {
        uint32_t n = off == 0 ? 40 : (len - off < 51 ? (uint32_t)(len - off) : 51);
        size_t m = go_chunk(1, off, n, len, NULL);
        assert_int_equal(fx_send(&F, req, m), 1);
        struct fx_up u = fx_up_result(&F);
        assert_int_equal(u.match, -1);
        off = reply_off();
    }
    fx_read(&F, LF_AREA_APP_SECONDARY, 0, back, len);
    assert_memory_equal(back, img, len);
}

static void test_go_cli_confirm_nil_hash_v1(void **state)
{
    (void)state;
    /* {"confirm": true, "hash": null} and with an empty byte string */
    assert_int_equal(
        fx_send_hex(&F, "02 00 00 10 00 01 05 00 a2 67 63 6f 6e 66 69 72 6d f5 64 68 61 73 68 f6"),
        1);
    assert_int_equal(F.rsp[0][0], 3);
    expect_keys(0, "images,splitStatus");
    assert_int_equal(
        fx_send_hex(&F, "02 00 00 10 00 01 05 00 a2 67 63 6f 6e 66 69 72 6d f5 64 68 61 73 68 40"),
        1);
    expect_keys(0, "images,splitStatus");
}

static void test_go_cli_v1_byte0_everywhere(void **state)
{
    (void)state;
    /* success and error replies of every group keep Ver 0 for a v1 request */
    const char *reqs[] = {
        "00 00 00 01 00 00 01 06 a0", /* params */
        "00 00 00 01 00 00 01 07 a0", /* info */
        "00 00 00 01 00 00 01 08 a0", /* bootloader */
        "00 00 00 01 00 01 01 00 a0", /* image state */
        "00 00 00 01 00 01 01 06 a0", /* slot info */
        "02 00 00 01 00 01 01 01 a0", /* upload without off: error */
        "02 00 00 01 00 01 01 05 a0", /* erase */
        "00 00 00 00 00 08 01 00",    /* fs group: ENOTSUP */
        "02 00 00 01 00 00 01 05 a0", /* reset */
    };
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        assert_int_equal(fx_send_hex(&F, reqs[i]), 1);
        uint8_t want = (uint8_t)(hex2bin(reqs[i], req, sizeof(req)) ? req[0] + 1 : 0);
        assert_int_equal(F.rsp[0][0], want);
    }
}

/* smpclient: success replies carry exactly the model's keys. */
static void test_smpclient_no_unexpected_keys(void **state)
{
    (void)state;
    struct lf_smp_req r;
    size_t n;
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 1);
    assert_int_equal(lf_smp_req_params(&r, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "buf_size,buf_count");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 2);
    assert_int_equal(lf_smp_req_echo(&r, "x", 1, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "r");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 3);
    assert_int_equal(lf_smp_req_image_state(&r, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "images,splitStatus");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 4);
    assert_int_equal(lf_smp_req_os_info(&r, NULL, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "output");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 5);
    assert_int_equal(lf_smp_req_image_erase(&r, false, 0, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 6);
    assert_int_equal(lf_smp_req_image_slot_info(&r, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "images");
    lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, 7);
    assert_int_equal(lf_smp_req_reset(&r, false, &n), LF_OK);
    assert_int_equal(fx_send(&F, req, n), 1);
    expect_keys(0, "");
    /* and the parser of our own client agrees it is a success */
    struct lf_smp_rsp rsp;
    assert_int_equal(lf_smp_rsp_parse(F.rsp[0], F.rsp_len[0], &rsp), LF_OK);
    assert_true(lf_smp_rsp_ok(&rsp));
}

static void test_smpclient_upload_at_buf_size(void **state)
{
    (void)state;
    size_t len = make_app(1, 30000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    struct lf_smp_upload up;
    assert_int_equal(lf_smp_upload_init(&up, (uint32_t)len, sha, 32, 0, false, 1), LF_OK);
    uint8_t seq = 0;
    while (!up.done) {
        struct lf_smp_chunk c;
        /* messages of exactly the reported buf_size (UDP/BLE budget) */
        assert_int_equal(lf_smp_upload_chunk(&up, up.off, F.cfg.buf_size, &c), LF_OK);
        c.data = img + c.off;
        struct lf_smp_req r;
        size_t n;
        lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, seq++);
        assert_int_equal(lf_smp_req_upload(&r, &c, &n), LF_OK);
        assert_true(n <= F.cfg.buf_size);
        assert_int_equal(fx_send(&F, req, n), 1);
        struct lf_smp_rsp rsp;
        assert_int_equal(lf_smp_rsp_parse(F.rsp[0], F.rsp_len[0], &rsp), LF_OK);
        assert_true(lf_smp_rsp_ok(&rsp));
        uint32_t off;
        enum lf_smp_match m;
        assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
        expect_keys(0, up.off + c.data_len == len ? "off,match" : "off");
        assert_int_equal(lf_smp_upload_reply(&up, off, m), LF_OK);
    }
    fx_read(&F, LF_AREA_APP_SECONDARY, 0, back, len);
    assert_memory_equal(back, img, len);
}

static void test_smpclient_restart_at_zero_without_sha(void **state)
{
    (void)state;
    size_t len = make_app(1, 9000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    assert_int_equal(fx_upload(&F, 1, 0, 0, img, 2000, (int64_t)len, sha, 32, false), 1);
    assert_int_equal(reply_off(), 2000);
    /* the device lost the session (erase by another client) */
    assert_int_equal(fx_send_hex(&F, "0a 00 00 01 00 01 09 05 a0"), 1);
    assert_int_equal(fx_upload(&F, 1, -1, 2000, img + 2000, 2000, -1, NULL, 0, false), 1);
    assert_int_equal(reply_off(), 0);
    /* smpclient resends len, image, upgrade, but not sha */
    assert_int_equal(fx_upload(&F, 1, 0, 0, img, 2000, (int64_t)len, NULL, 0, false), 1);
    uint32_t off = reply_off();
    while (off < len) {
        uint32_t n = len - off < 2000 ? (uint32_t)(len - off) : 2000;
        assert_int_equal(fx_upload(&F, 1, -1, off, img + off, n, -1, NULL, 0, false), 1);
        expect_keys(0, "off");
        off = reply_off();
    }
    fx_read(&F, LF_AREA_APP_SECONDARY, 0, back, len);
    assert_memory_equal(back, img, len);
}

static void test_device_manager_bootloader_queries(void **state)
{
    (void)state;
    /* "", "mode", "active_b0_slot": all answered at once */
    const char *queries[] = {NULL, "mode", "active_b0_slot"};
    const char *keys[] = {"bootloader", "mode", "active"};
    for (int i = 0; i < 3; i++) {
        struct lf_smp_req r;
        size_t n;
        lf_smp_req_begin(&r, req, sizeof(req), LF_SMP_VER_2, (uint8_t)i);
        assert_int_equal(lf_smp_req_bootloader_info(&r, queries[i], &n), LF_OK);
        assert_int_equal(fx_send(&F, req, n), 1);
        expect_keys(0, keys[i]);
    }
}

static void test_cmcumgr_legacy_shapes(void **state)
{
    (void)state;
    F.cfg.legacy_rc = true;
    assert_int_equal(fx_send_hex(&F, "00 00 00 01 00 01 01 00 a0"), 1);
    expect_keys(0, "images,splitStatus"); /* "rc" only in upload and erase */
    /* each entry: five flags, no "image" */
    struct lf_smp_rsp rsp;
    struct lf_smp_image_slot sl[4];
    size_t count;
    assert_int_equal(lf_smp_rsp_parse(F.rsp[0], F.rsp_len[0], &rsp), LF_OK);
    assert_int_equal(lf_smp_rsp_image_state(&rsp, sl, 4, &count), LF_OK);
    assert_int_equal(count, 1);
    assert_non_null(memmem(F.rsp[0], F.rsp_len[0], "\x69permanent", 10));
    assert_null(memmem(F.rsp[0], F.rsp_len[0], "\x65image", 6));
    /* upload: "rc" then "off", never "match" */
    size_t len = make_app(1, 3000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 1500, (int64_t)len, sha, 32, false), 1);
    expect_keys(0, "rc,off");
    assert_int_equal(
        fx_upload(&F, 0, -1, 1500, img + 1500, (uint32_t)len - 1500, -1, NULL, 0, false), 1);
    expect_keys(0, "rc,off");
    /* reset: nothing; erase: "rc"; params: no "rc" (Zephyr's scope) */
    assert_int_equal(fx_send_hex(&F, "02 00 00 01 00 00 01 05 a0"), 1);
    expect_keys(0, "");
    assert_int_equal(fx_send_hex(&F, "02 00 00 01 00 01 01 05 a0"), 1);
    expect_keys(0, "rc");
    assert_int_equal(fx_send_hex(&F, "00 00 00 01 00 00 01 06 a0"), 1);
    expect_keys(0, "buf_size,buf_count");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_go_cli_erase_then_unaligned_upload),
        FX_TEST(test_go_cli_sha_dropped_on_small_first_chunk),
        FX_TEST(test_go_cli_confirm_nil_hash_v1),
        FX_TEST(test_go_cli_v1_byte0_everywhere),
        FX_TEST(test_smpclient_no_unexpected_keys),
        FX_TEST(test_smpclient_upload_at_buf_size),
        FX_TEST(test_smpclient_restart_at_zero_without_sha),
        FX_TEST(test_device_manager_bootloader_queries),
        FX_TEST(test_cmcumgr_legacy_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
