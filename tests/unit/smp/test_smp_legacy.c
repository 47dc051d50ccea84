/*
 * The legacy reply mode (cfg.legacy_rc, `lfsim run --legacy`) against the
 * default one, reply by reply (docs/smp-server.md section 6). Zephyr's
 * CONFIG_MCUMGR_SMP_LEGACY_RC_BEHAVIOUR adds "rc": 0 to the successful image
 * upload and image erase replies only; every other reply keeps its shape.
 * Both modes answer the same requests here; each reply is compared byte for
 * byte where it is short, and by its exact key set where it holds hashes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lf/cbor.h"
#include "lf/sha256.h"
#include "lf/smp_hdr.h"
#include "smp_fixture.h"

static uint8_t img[FX_IMG_MAX];

static size_t make_app(uint8_t minor, uint32_t payload)
{
    struct img_opts o = {.major = 1, .minor = minor, .payload = payload, .seed = 21};
    return img_make(img, sizeof(img), &o);
}

/* The keys of response 0's top-level map, in order, joined with ','. */
static void top_keys(char *out, size_t cap)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str k;
    out[0] = '\0';
    assert_true(F.rsp_len[0] >= LF_SMP_HDR_SIZE);
    lf_cbor_dec_init(&d, F.rsp[0] + LF_SMP_HDR_SIZE, F.rsp_len[0] - LF_SMP_HDR_SIZE);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), 0);
    while (lf_cbor_map_next(&d, &k)) {
        size_t n = strlen(out);
        snprintf(out + n, cap - n, "%s%.*s", n ? "," : "", (int)k.len, (const char *)k.ptr);
        assert_int_equal(lf_cbor_skip(&d), 0);
    }
    assert_int_equal(lf_cbor_leave(&d), 0);
}

/* The keys of every entry of response 0's "images" list, each entry's keys
 * joined with ',', entries with ';'. */
static void image_keys(char *out, size_t cap)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str k;
    out[0] = '\0';
    lf_cbor_dec_init(&d, F.rsp[0] + LF_SMP_HDR_SIZE, F.rsp_len[0] - LF_SMP_HDR_SIZE);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), 0);
    while (lf_cbor_map_next(&d, &k)) {
        if (!lf_cbor_str_eq(&k, "images")) {
            assert_int_equal(lf_cbor_skip(&d), 0);
            continue;
        }
        size_t n_ent = 0;
        assert_int_equal(lf_cbor_enter_array(&d, &n_ent), 0);
        for (size_t i = 0; i < n_ent; i++) {
            assert_int_equal(lf_cbor_enter_map(&d, NULL), 0);
            size_t n = strlen(out);
            snprintf(out + n, cap - n, "%s", i ? ";" : "");
            bool first = true;
            while (lf_cbor_map_next(&d, &k)) {
                n = strlen(out);
                snprintf(out + n, cap - n, "%s%.*s", first ? "" : ",", (int)k.len,
                         (const char *)k.ptr);
                first = false;
                assert_int_equal(lf_cbor_skip(&d), 0);
            }
            assert_int_equal(lf_cbor_leave(&d), 0);
        }
        assert_int_equal(lf_cbor_leave(&d), 0);
    }
}

#define SLOT_KEYS "slot,version,hash,bootable,pending,confirmed,active,permanent"

static void run_modes(bool legacy, uint8_t ver)
{
    char keys[1024];
    char want[160];
    F.cfg.legacy_rc = legacy;
    fx_server(&F);
    uint8_t v = (uint8_t)(LF_SMP_OP_READ | ver << 3); /* header byte 0: op | ver << 3 */
    uint8_t w = (uint8_t)(LF_SMP_OP_WRITE | ver << 3),
            wr = (uint8_t)(LF_SMP_OP_WRITE_RSP | ver << 3);
    uint8_t rr = (uint8_t)(LF_SMP_OP_READ_RSP | ver << 3);
    char req[160];

    /* echo: {"r": "hi"} in both modes */
    snprintf(req, sizeof(req), "%02x 00 00 06 00 00 01 00 a1 61 64 62 68 69", w);
    assert_int_equal(fx_send_hex(&F, req), 1);
    snprintf(want, sizeof(want), "%02x 00 00 06 00 00 01 00 a1 61 72 62 68 69", wr);
    fx_expect(&F, 0, want);

    /* image list: {"images": [...], "splitStatus": 0}, never "rc"; the legacy
     * entries have no "image" key and list image 0 only */
    snprintf(req, sizeof(req), "%02x 00 00 01 00 01 02 00 a0", v);
    assert_int_equal(fx_send_hex(&F, req), 1);
    assert_int_equal(F.rsp[0][0], rr);
    top_keys(keys, sizeof(keys));
    assert_string_equal(keys, "images,splitStatus");
    image_keys(keys, sizeof(keys));
    assert_string_equal(keys, legacy ? SLOT_KEYS : "image," SLOT_KEYS ";image," SLOT_KEYS);

    /* upload: legacy {"rc": 0, "off": N}, default {"off": N} and a final
     * "match": true */
    size_t len = make_app(1, 3000);
    assert_int_equal(len, 3072);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    assert_int_equal(fx_upload(&F, ver, 0, 0, img, 2048, (int64_t)len, sha, 32, false), 1);
    snprintf(want, sizeof(want), "%02x 00 00 %s 00 01 42 01 %s 63 6f 66 66 19 08 00", wr,
             legacy ? "0c" : "08", legacy ? "a2 62 72 63 00" : "a1");
    fx_expect(&F, 0, want);
    /* a wrong offset is answered with the expected one, same shape */
    assert_int_equal(fx_upload(&F, ver, -1, 1024, img + 1024, 1024, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, want);
    assert_int_equal(fx_upload(&F, ver, -1, 2048, img + 2048, 1024, -1, NULL, 0, false), 1);
    snprintf(want, sizeof(want), "%02x 00 00 %s 00 01 42 01 %s 63 6f 66 66 19 0c 00%s", wr,
             legacy ? "0c" : "0f", legacy ? "a2 62 72 63 00" : "a2",
             legacy ? "" : " 65 6d 61 74 63 68 f5");
    fx_expect(&F, 0, want);

    /* image test of the upload: the state list again, never "rc" */
    static struct fx_req r;
    fx_req_begin(&r, ver, LF_SMP_OP_WRITE, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_STATE, 7);
    lf_cbor_enc_text_z(&r.enc, "hash");
    lf_cbor_enc_bytes(&r.enc, img_hash(img, len), 32);
    assert_int_equal(fx_send(&F, r.buf, fx_req_end(&r)), 1);
    assert_int_equal(F.rsp[0][0], wr);
    top_keys(keys, sizeof(keys));
    assert_string_equal(keys, "images,splitStatus");
    image_keys(keys, sizeof(keys));
    assert_string_equal(keys, legacy ? SLOT_KEYS ";" SLOT_KEYS
                                     : "image," SLOT_KEYS ";image," SLOT_KEYS ";image," SLOT_KEYS);

    /* erase of a pending image: refused (an error has "rc" or "err" in both
     * modes); a reset-free fresh slot 1 erase: legacy {"rc": 0}, default {} */
    snprintf(req, sizeof(req), "%02x 00 00 07 00 01 02 05 a1 64 73 6c 6f 74 01", w);
    assert_int_equal(fx_send_hex(&F, req), 1);
    if (ver == LF_SMP_VER_2) {
        snprintf(want, sizeof(want),
                 "%02x 00 00 11 00 01 02 05 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 09",
                 wr);
    } else {
        snprintf(want, sizeof(want), "%02x 00 00 05 00 01 02 05 a1 62 72 63 06", wr);
    }
    fx_expect(&F, 0, want);
    fx_load(&F, LF_AREA_APP_SECONDARY, lf_sim_device_area(&F.dev, LF_AREA_APP_SECONDARY)->size - 16,
            "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 16);
    assert_int_equal(fx_send_hex(&F, req), 1);
    snprintf(want, sizeof(want), "%02x 00 00 %s 00 01 02 05 %s", wr, legacy ? "05" : "01",
             legacy ? "a1 62 72 63 00" : "a0");
    fx_expect(&F, 0, want);

    /* reset: {} in both modes (Zephyr's os_mgmt.c adds nothing) */
    snprintf(req, sizeof(req), "%02x 00 00 01 00 00 02 05 a0", w);
    assert_int_equal(fx_send_hex(&F, req), 1);
    snprintf(want, sizeof(want), "%02x 00 00 01 00 00 02 05 a0", wr);
    fx_expect(&F, 0, want);
}

static void test_default_v2(void **state)
{
    (void)state;
    run_modes(false, LF_SMP_VER_2);
}

static void test_legacy_v1(void **state)
{
    (void)state;
    run_modes(true, LF_SMP_VER_1);
}

static void test_legacy_v2(void **state)
{
    (void)state;
    run_modes(true, LF_SMP_VER_2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_default_v2),
        FX_TEST(test_legacy_v1),
        FX_TEST(test_legacy_v2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
