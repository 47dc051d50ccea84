/*
 * Image upload (docs/reference/smp.md 2.2 and 4, docs/smp-upload.md): complete uploads to
 * both images, resume after a disconnect and after a device reset, wrong
 * offsets, every refusal (and that it changes nothing on flash), progressive
 * erase, the security-counter and variant checks of stage-1 uploads, and
 * the slot contents after each.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/base64.h"
#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/trailer.h"
#include "sim_flash.h"
#include "smp_fixture.h"

static uint8_t img[FX_IMG_MAX * 4];
static uint8_t buf[FX_IMG_MAX * 4];

static const struct lf_flash_area *area(uint8_t id)
{
    return lf_sim_device_area(&F.dev, id);
}

static size_t make_app(uint8_t minor, uint32_t payload)
{
    struct img_opts o = {.major = 1, .minor = minor, .payload = payload, .seed = 9};
    return img_make(img, sizeof(img), &o);
}

static size_t make_s1(uint8_t minor, uint32_t payload, uint32_t cnt, uint8_t for_area)
{
    struct img_opts o = {.major = 1,
                         .minor = minor,
                         .payload = payload,
                         .seed = 4,
                         .flags = LF_IMAGE_F_ROM_FIXED,
                         .load_addr = lf_flash_area_addr(area(for_area)),
                         .has_sec_cnt = true,
                         .sec_cnt = cnt};
    return img_make(img, sizeof(img), &o);
}

/* The slot holds exactly the image (and is erased up to the upload end). */
static void assert_slot_holds(uint8_t id, const uint8_t *data, size_t len)
{
    fx_read(&F, id, 0, buf, len);
    assert_memory_equal(buf, data, len);
}

static uint64_t erases(void)
{
    struct lf_sim_flash_stats st;
    lf_sim_device_stats(&F.dev, &st);
    return st.sector_erases;
}

static uint64_t programs(void)
{
    struct lf_sim_flash_stats st;
    lf_sim_device_stats(&F.dev, &st);
    return st.programs;
}

/* The reply to the last chunk push() sent. */
static struct fx_up last;

/* Send continuation chunks of at most `chunk` bytes from `from`, stopping
 * exactly at `until` (or the end); every reply must be a success. Returns
 * the last reported off. */
static uint32_t push(size_t len, uint32_t from, uint32_t until, uint32_t chunk)
{
    uint32_t off = from;
    if (until > len) {
        until = (uint32_t)len;
    }
    while (off < until) {
        uint32_t n = until - off < chunk ? until - off : chunk;
        assert_int_equal(fx_upload(&F, 1, -1, off, img + off, n, -1, NULL, 0, false), 1);
        last = fx_up_result(&F);
        assert_int_equal(last.err_rc, -1);
        assert_int_equal(last.rc, -1);
        off = (uint32_t)last.off;
    }
    return off;
}

static struct fx_up first(int image, size_t len, uint32_t n, const uint8_t *sha, size_t sha_len,
                          bool upgrade)
{
    assert_int_equal(fx_upload(&F, 1, image, 0, img, n, (int64_t)len, sha, sha_len, upgrade), 1);
    return fx_up_result(&F);
}

static void test_complete_upload_image0(void **state)
{
    (void)state;
    size_t len = make_app(1, 20000);
    assert_int_equal(fx_upload_all(&F, 0, img, len, 512), 1);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
    /* the image is listed, not pending; the session is over */
    assert_int_equal(fx_send_hex(&F, "08 00 00 01 00 01 01 00 a0"), 1);
    struct lf_smp_session_log log;
    assert_int_equal(lf_smp_session_load(&log, area(LF_AREA_SMP_STATE)), LF_OK);
    assert_true(log.have);
    assert_true(log.s.ended);
    assert_false(F.srv.up.active);
}

static void test_byte_exact_replies(void **state)
{
    (void)state;
    /* 32-byte header + 3000 payload + 40 TLV = 3072 bytes in 3 chunks */
    size_t len = make_app(1, 3000);
    assert_int_equal(len, 3072);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    assert_int_equal(fx_upload(&F, 1, 0, 0, img, 1024, (int64_t)len, sha, 32, false), 1);
    fx_expect(&F, 0, "0b 00 00 08 00 01 42 01 a1 63 6f 66 66 19 04 00");
    assert_int_equal(fx_upload(&F, 1, -1, 1024, img + 1024, 1024, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "0b 00 00 08 00 01 42 01 a1 63 6f 66 66 19 08 00");
    assert_int_equal(fx_upload(&F, 1, -1, 2048, img + 2048, 1024, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "0b 00 00 0f 00 01 42 01 a2 63 6f 66 66 19 0c 00 65 6d 61 74 63 68 f5");
}

static void test_legacy_replies(void **state)
{
    (void)state;
    /* "rc": 0 first, then "off" (Zephyr's img_mgmt.c), no "match" (cmcumgr
     * stalls on it), v1 */
    F.cfg.legacy_rc = true;
    size_t len = make_app(1, 3000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 2048, (int64_t)len, sha, 32, false), 1);
    fx_expect(&F, 0, "03 00 00 0c 00 01 42 01 a2 62 72 63 00 63 6f 66 66 19 08 00");
    assert_int_equal(fx_upload(&F, 0, 0, 2048, img + 2048, 1024, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "03 00 00 0c 00 01 42 01 a2 62 72 63 00 63 6f 66 66 19 0c 00");
}

static void test_resume_after_disconnect(void **state)
{
    (void)state;
    size_t len = make_app(1, 30000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    struct fx_up u = first(0, len, 500, sha, 32, false);
    assert_int_equal(u.off, 500);
    uint32_t off = push(len, 500, 12345, 500);
    /* the client lost the link: it starts again with the same sha */
    u = first(0, len, 500, sha, 32, false);
    assert_int_equal(u.off, off);
    /* a truncated sha (any length <= 32) identifies the session too? only
     * if it is the one given: a different length is a new upload */
    push(len, off, (uint32_t)len, 700);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_resume_after_device_reset(void **state)
{
    (void)state;
    size_t len = make_app(1, 60000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(0, len, 333, sha, 32, false);
    uint32_t off = push(len, 333, 41000, 333);
    assert_true(off >= 41000);
    fx_reopen(&F); /* power cycle: the RAM session is gone */
    assert_true(F.srv.up.active);
    struct fx_up u = first(0, len, 333, sha, 32, false);
    /* the last whole sector written: 40960 */
    assert_int_equal(u.off, 40960);
    push(len, (uint32_t)u.off, (uint32_t)len, 333);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);

    /* after a reset, a client that just continues at the resumable
     * offset is accepted, and a wrong offset is answered with it */
    len = make_app(2, 60000);
    lf_sha256(img, len, sha);
    first(0, len, 1000, sha, 32, false);
    push(len, 1000, 20000, 1000);
    fx_reopen(&F);
    assert_int_equal(fx_upload(&F, 1, -1, 20000, img + 20000, 1000, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 16384);
    push(len, 16384, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_wrong_offset_answered_with_expected(void **state)
{
    (void)state;
    size_t len = make_app(1, 20000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(0, len, 1000, sha, 32, false);
    uint64_t before = fx_area_digest(&F, LF_AREA_APP_SECONDARY);
    uint64_t p = programs();
    assert_int_equal(fx_upload(&F, 1, -1, 3000, img + 3000, 1000, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "0b 00 00 08 00 01 42 01 a1 63 6f 66 66 19 03 e8");
    assert_int_equal(fx_upload(&F, 1, -1, 500, img + 500, 1000, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "0b 00 00 08 00 01 42 01 a1 63 6f 66 66 19 03 e8");
    assert_true(fx_area_digest(&F, LF_AREA_APP_SECONDARY) == before);
    assert_int_equal(programs(), p);
    push(len, 1000, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_no_session_answers_zero(void **state)
{
    (void)state;
    size_t len = make_app(1, 2000);
    assert_int_equal(fx_upload(&F, 1, -1, 512, img + 512, 512, -1, NULL, 0, false), 1);
    fx_expect(&F, 0, "0b 00 00 06 00 01 42 01 a1 63 6f 66 66 00");
    (void)len;
}

/* Every refusal of a first chunk leaves the slots and the session log as
 * they were. */
struct snap {
    uint64_t sec, s1, state;
};
static struct snap snap(void)
{
    struct snap s = {fx_area_digest(&F, LF_AREA_APP_SECONDARY), fx_area_digest(&F, LF_AREA_S1),
                     fx_area_digest(&F, LF_AREA_SMP_STATE)};
    return s;
}
static void assert_unchanged(struct snap a)
{
    struct snap b = snap();
    assert_true(a.sec == b.sec);
    assert_true(a.s1 == b.s1);
    assert_true(a.state == b.state);
}

static void expect_err(int64_t err_rc)
{
    struct fx_up u = fx_up_result(&F);
    assert_int_equal(u.err_rc, err_rc);
    assert_int_equal(u.off, -1);
}

static void test_first_chunk_refusals(void **state)
{
    (void)state;
    size_t len = make_app(1, 20000);
    uint8_t sha[33];
    lf_sha256(img, len, sha);
    /* put an old image in the secondary so "unchanged" means something */
    fx_load(&F, LF_AREA_APP_SECONDARY, 0, img, len);
    struct snap s0 = snap();

    /* off missing: 20 */
    struct fx_req r;
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 1, 1, 7);
    lf_cbor_enc_text_z(&r.enc, "data");
    lf_cbor_enc_bytes(&r.enc, img, 64);
    assert_int_equal(fx_send(&F, r.buf, fx_req_end(&r)), 1);
    fx_expect(&F, 0, "0b 00 00 11 00 01 07 01 a1 63 65 72 72 a2 65 67 72 6f 75 70 01 62 72 63 14");
    /* off of the wrong type: EINVAL */
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 1, 1, 7);
    lf_cbor_enc_text_z(&r.enc, "off");
    lf_cbor_enc_text_z(&r.enc, "0");
    assert_int_equal(fx_send(&F, r.buf, fx_req_end(&r)), 1);
    fx_expect(&F, 0, "0b 00 00 05 00 01 07 01 a1 62 72 63 03");
    /* len missing: 21 */
    assert_int_equal(fx_upload(&F, 1, 0, 0, img, 512, -1, sha, 32, false), 1);
    expect_err(21);
    /* shorter than an image header: 22 */
    first(0, len, 31, sha, 32, false);
    expect_err(22);
    /* bad magic: 23 */
    img[0] ^= 1;
    first(0, len, 512, sha, 32, false);
    expect_err(23);
    img[0] ^= 1;
    /* sha longer than 32: 24 */
    first(0, len, 512, sha, 33, false);
    expect_err(24);
    /* no such image: 9 */
    first(2, len, 512, sha, 32, false);
    expect_err(9);
    /* larger than the slot: 30; larger than what the trailer leaves: 30 */
    first(0, 0x73001, 512, sha, 32, false);
    expect_err(30);
    first(0, 0x71001, 512, sha, 32, false);
    expect_err(30);
    /* len shorter than the header says (it ends before the TLVs): 21 */
    first(0, 32 + 20000 + 3, 512, sha, 32, false);
    expect_err(21);
    /* data beyond len: 31 */
    first(0, 100, 512, sha, 32, false);
    expect_err(30 + 1);
    assert_unchanged(s0);
    /* v1: image errors translate (30 -> EUNKNOWN, 21 -> EINVAL) */
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 512, 0x73001, sha, 32, false), 1);
    assert_int_equal(fx_up_result(&F).rc, 1);
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 512, -1, sha, 32, false), 1);
    assert_int_equal(fx_up_result(&F).rc, 3);
    assert_unchanged(s0);
}

static void test_oversized_image_header(void **state)
{
    (void)state;
    /* the header claims more than the slot minus its trailer holds */
    size_t len = make_app(1, 1000);
    uint32_t big = 0x71000;
    memcpy(img + 12, &big, 4);
    struct snap s0 = snap();
    first(0, len, 512, NULL, 0, false);
    expect_err(30);
    assert_unchanged(s0);
}

static void test_upgrade_flag(void **state)
{
    (void)state;
    struct snap s0 = snap();
    /* same version as the running 1.0.0: refused; older: refused */
    size_t len = make_app(0, 2000);
    first(0, len, 512, NULL, 0, true);
    expect_err(27);
    struct img_opts o = {.major = 0, .minor = 9, .payload = 2000};
    len = img_make(img, sizeof(img), &o);
    first(0, len, 512, NULL, 0, true);
    expect_err(27);
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 512, (int64_t)len, NULL, 0, true), 1);
    assert_int_equal(fx_up_result(&F).rc, 6); /* v1: EBADSTATE */
    assert_unchanged(s0);
    /* without upgrade a downgrade upload is fine; newer with upgrade too */
    struct fx_up u = first(0, len, 512, NULL, 0, false);
    assert_int_equal(u.off, 512);
    len = make_app(1, 2000);
    u = first(0, len, 512, NULL, 0, true);
    assert_int_equal(u.off, 512);
    push(len, 512, (uint32_t)len, 512);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_sha_mismatch_and_truncated_sha(void **state)
{
    (void)state;
    size_t len = make_app(1, 8000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    sha[31] ^= 0x80;
    first(0, len, 1000, sha, 32, false);
    push(len, 1000, (uint32_t)len, 1000);
    assert_int_equal(last.off, len);
    assert_int_equal(last.match, 0);
    /* a truncated sha (Zephyr accepts any length <= 32): prefix compared */
    lf_sha256(img, len, sha);
    first(0, len, 1000, sha, 8, false);
    push(len, 1000, (uint32_t)len, 1000);
    assert_int_equal(last.match, 1);
    /* no sha: no "match" key */
    len = make_app(2, 3000);
    first(0, len, 1000, NULL, 0, false);
    push(len, 1000, (uint32_t)len, 1000);
    assert_int_equal(last.off, len);
    assert_int_equal(last.match, -1);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_overrun_on_continuation(void **state)
{
    (void)state;
    size_t len = make_app(1, 3000);
    first(0, len, 1000, NULL, 0, false);
    assert_int_equal(fx_upload(&F, 1, -1, 1000, img + 1000, 2100, -1, NULL, 0, false), 1);
    expect_err(31);
    /* the session survives the refused chunk */
    push(len, 1000, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_pending_slot_refused(void **state)
{
    (void)state;
    size_t len = make_app(1, 3000);
    fx_load(&F, LF_AREA_APP_SECONDARY, 0, img, len);
    assert_int_equal(lf_trailer_set_pending(area(LF_AREA_APP_SECONDARY), 0, false), LF_OK);
    struct snap s0 = snap();
    len = make_app(2, 3000);
    first(0, len, 1000, NULL, 0, false);
    expect_err(9);
    assert_unchanged(s0);
}

static void test_progressive_erase(void **state)
{
    (void)state;
    /* a slot full of an old image: the first chunk erases only the header
     * sector and the trailer sector (plus one page of the session log) */
    size_t len = make_app(1, 200000);
    fx_load(&F, LF_AREA_APP_SECONDARY, 0, img, len);
    uint8_t junk[4096];
    memset(junk, 0, sizeof(junk));
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    fx_load(&F, LF_AREA_APP_SECONDARY, sec->size - 4096, junk, sizeof(junk));
    len = make_app(2, 200000);
    uint64_t e0 = erases();
    first(0, len, 1000, NULL, 0, false);
    assert_true(erases() - e0 <= 3);
    assert_true(erases() - e0 >= 2);
    /* then one sector per 4 KiB of data */
    e0 = erases();
    push(len, 1000, 41000, 1000);
    assert_int_equal(erases() - e0, 10);
    push(len, 41000, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_early_match_writes_nothing(void **state)
{
    (void)state;
    size_t len = make_app(1, 9000);
    assert_int_equal(fx_upload_all(&F, 0, img, len, 1000), 1);
    uint64_t p = programs(), e = erases();
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    struct fx_up u = first(0, len, 1000, sha, 32, false);
    assert_int_equal(u.off, len);
    assert_int_equal(u.match, 1);
    assert_int_equal(programs(), p);
    assert_int_equal(erases(), e);
}

static void test_erase_and_new_sha_end_the_session(void **state)
{
    (void)state;
    size_t len = make_app(1, 9000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(0, len, 1000, sha, 32, false);
    assert_int_equal(fx_send_hex(&F, "0a 00 00 00 00 01 02 05"), 1);
    fx_expect(&F, 0, "0b 00 00 01 00 01 02 05 a0");
    assert_int_equal(fx_upload(&F, 1, -1, 1000, img + 1000, 1000, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 0);
    /* and across a reset */
    fx_reopen(&F);
    assert_false(F.srv.up.active);
    /* a new first chunk with another sha replaces the session */
    first(0, len, 1000, sha, 32, false);
    push(len, 1000, 5000, 1000);
    size_t len2 = make_app(2, 9000);
    uint8_t sha2[32];
    lf_sha256(img, len2, sha2);
    struct fx_up u = first(0, len2, 2000, sha2, 32, false);
    assert_int_equal(u.off, 2000);
    push(len2, 2000, (uint32_t)len2, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len2);
}

/* Make [from, to) of an area refuse programs and erases until the next
 * reset (the simulated flash's write protection). */
static void lock_area(uint8_t id, uint32_t from, uint32_t to)
{
    const struct lf_flash_area *fa = area(id);
    lf_sim_flash_lock(lf_sim_device_flash_of(&F.dev, fa), fa->off + from, fa->off + to);
}

static void test_flash_failures(void **state)
{
    (void)state;
    size_t len = make_app(1, 20000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    /* a write fails mid-upload: 12 (v1 EUNKNOWN), the session is over */
    first(0, len, 1000, sha, 32, false);
    push(len, 1000, 4000, 1000);
    lock_area(LF_AREA_APP_SECONDARY, 4096, 8192);
    assert_int_equal(fx_upload(&F, 1, -1, 4000, img + 4000, 1000, -1, NULL, 0, false), 1);
    expect_err(12);
    assert_false(F.srv.up.active);
    assert_int_equal(fx_upload(&F, 0, -1, 4000, img + 4000, 1000, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).off, 0);
    /* not resumable after a reset either: the client starts again */
    fx_reopen(&F);
    assert_false(F.srv.up.active);
    assert_int_equal(first(0, len, 1000, sha, 32, false).off, 1000);
    push(len, 1000, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
    /* the trailer-sector erase of a new upload fails: 13 (v1 EUNKNOWN) */
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    uint8_t junk[16];
    memset(junk, 0, sizeof(junk));
    fx_load(&F, LF_AREA_APP_SECONDARY, sec->size - 16, junk, sizeof(junk));
    lock_area(LF_AREA_APP_SECONDARY, sec->size - 4096, sec->size);
    len = make_app(2, 5000);
    first(0, len, 1000, NULL, 0, false);
    expect_err(13);
    assert_false(F.srv.up.active);
    assert_int_equal(fx_upload(&F, 0, 0, 0, img, 1000, (int64_t)len, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).rc, 1);
}

/* ---- image 1 ------------------------------------------------------------------- */

static void test_stage1_upload_complete(void **state)
{
    (void)state;
    size_t len = make_s1(1, 20000, FX_COUNTER, LF_AREA_S1);
    assert_int_equal(fx_upload_all(&F, 1, img, len, 700), 1);
    assert_slot_holds(LF_AREA_S1, img, len);
    /* never bootable before `image test`: the upload mark is there */
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(area(LF_AREA_S1), &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_UNSET);
    assert_int_equal(tr.swap_size, 0);
    /* test it by its hash: pending for stage 0 */
    struct fx_req r;
    fx_req_begin(&r, 1, LF_SMP_OP_WRITE, 1, 0, 2);
    lf_cbor_enc_text_z(&r.enc, "hash");
    lf_cbor_enc_bytes(&r.enc, img_hash(img, len), 32);
    assert_int_equal(fx_send(&F, r.buf, fx_req_end(&r)), 1);
    assert_int_equal(lf_trailer_read(area(LF_AREA_S1), &tr), LF_OK);
    assert_int_equal(tr.magic, LF_MAGIC_GOOD);
    assert_int_equal(tr.copy_done, LF_FLAG_UNSET);
    /* S1 active now: the next upload goes to S0 */
    F.handoff.slot = 1;
    F.handoff.version.minor = 1;
    len = make_s1(2, 5000, FX_COUNTER, LF_AREA_S0);
    assert_int_equal(fx_upload_all(&F, 1, img, len, 700), 1);
    assert_slot_holds(LF_AREA_S0, img, len);
}

static void test_stage1_wrong_variant_refused_before_any_write(void **state)
{
    (void)state;
    /* a stage 1 in S1 already (older): what the refusal must not touch */
    size_t len = make_s1(0, 3000, FX_COUNTER, LF_AREA_S1);
    fx_load(&F, LF_AREA_S1, 0, img, len);
    struct snap s0 = snap();
    uint64_t p = programs(), e = erases();
    /* linked for S0, the active slot */
    F.cfg.verbose_err = true;
    len = make_s1(1, 3000, FX_COUNTER, LF_AREA_S0);
    assert_int_equal(fx_upload(&F, 0, 1, 0, img, 512, (int64_t)len, NULL, 0, false), 1);
    /* v1 reply with the reason naming the fix */
    struct lf_cbor_dec d;
    struct lf_cbor_str k, rsn = {0};
    int64_t rc = -1;
    lf_cbor_dec_init(&d, F.rsp[0] + 8, F.rsp_len[0] - 8);
    lf_cbor_enter_map(&d, NULL);
    while (lf_cbor_map_next(&d, &k)) {
        if (lf_cbor_str_eq(&k, "rc")) {
            lf_cbor_read_int(&d, &rc);
        } else if (lf_cbor_str_eq(&k, "rsn")) {
            lf_cbor_read_text(&d, &rsn);
        }
    }
    assert_int_equal(rc, 3); /* INVALID_FLASH_ADDRESS -> EINVAL */
    assert_true(rsn.len > 0);
    assert_non_null(memmem(rsn.ptr, rsn.len, "send the S1 variant", 19));
    /* v2: err 25 */
    first(1, len, 512, NULL, 0, false);
    expect_err(25);
    /* not ROM_FIXED at all */
    len = make_app(5, 3000);
    first(1, len, 512, NULL, 0, false);
    expect_err(25);
    /* linked for some other address */
    len = make_s1(1, 3000, FX_COUNTER, LF_AREA_APP_PRIMARY);
    first(1, len, 512, NULL, 0, false);
    expect_err(25);
    assert_unchanged(s0);
    assert_int_equal(programs(), p);
    assert_int_equal(erases(), e);
}

static void test_stage1_not_newer_and_trial(void **state)
{
    (void)state;
    struct snap s0 = snap();
    size_t len = make_s1(0, 3000, FX_COUNTER, LF_AREA_S1); /* 1.0.0 == active */
    first(1, len, 512, NULL, 0, false);
    expect_err(27);
    /* active stage 1 on trial: the other slot is its fallback */
    assert_int_equal(lf_trailer_write_magic(area(LF_AREA_S0)), LF_OK);
    assert_int_equal(lf_trailer_write_copy_done(area(LF_AREA_S0)), LF_OK);
    F.handoff.trial = true;
    s0 = snap();
    len = make_s1(1, 3000, FX_COUNTER, LF_AREA_S1);
    first(1, len, 512, NULL, 0, false);
    expect_err(9);
    /* no handoff at all */
    F.handoff_valid = false;
    fx_server(&F);
    first(1, len, 512, NULL, 0, false);
    expect_err(34);
    assert_unchanged(s0);
}

/* What a stage-1 refusal must never touch: the running application, the
 * active stage 1 and the provision area (stored counter, counter slots). */
struct running {
    uint64_t app, s0, prov;
};
static struct running running(void)
{
    struct running r = {fx_area_digest(&F, LF_AREA_APP_PRIMARY), fx_area_digest(&F, LF_AREA_S0),
                        fx_area_digest(&F, LF_AREA_PROVISION)};
    return r;
}
static void assert_running_unchanged(struct running a)
{
    struct running b = running();
    assert_true(a.app == b.app);
    assert_true(a.s0 == b.s0);
    assert_true(a.prov == b.prov);
}

static void assert_area_erased(uint8_t id)
{
    const struct lf_flash_area *fa = area(id);
    fx_read(&F, id, 0, buf, fa->size);
    for (uint32_t i = 0; i < fa->size; i++) {
        if (buf[i] != 0xff) {
            fail_msg("area %u not erased at %u", id, i);
        }
    }
}

/* A multi-chunk stage-1 upload whose protected TLVs (SEC_CNT) are refused:
 * every chunk before them is accepted (the counter is not visible yet), the
 * one carrying them gets err_rc and is not written, the session ends, and
 * S1 is left wholly erased (docs/smp-upload.md 2.1). With `reset_at`, the
 * device resets at that offset and the client carries on (the counter is
 * then checked from what the slot holds). */
static void refuse_counter_late(size_t len, uint32_t reset_at, int64_t err_rc)
{
    struct running r0 = running();
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    uint32_t prot = (uint32_t)len - 12 - 40; /* SEC_CNT area, then the SHA256 TLV */
    assert_int_equal(first(1, len, 1000, sha, 32, false).off, 1000);
    uint32_t off = push(len, 1000, reset_at ? reset_at : prot, 1000);
    if (reset_at) {
        fx_reopen(&F);
        assert_true(F.srv.up.active);
        off = push(len, (uint32_t)first(1, len, 1000, sha, 32, false).off, prot, 1000);
    }
    assert_int_equal(off, prot);
    /* the slot holds the payload so far, behind the upload mark */
    assert_slot_holds(LF_AREA_S1, img, 4096);
    assert_int_equal(fx_upload(&F, 1, -1, off, img + off, (uint32_t)len - off, -1, NULL, 0, false),
                     1);
    expect_err(err_rc);
    assert_false(F.srv.up.active);
    assert_area_erased(LF_AREA_S1);
    assert_running_unchanged(r0);
    struct lf_smp_session_log log;
    assert_int_equal(lf_smp_session_load(&log, area(LF_AREA_SMP_STATE)), LF_OK);
    assert_true(log.have && log.s.ended);
    /* the same sha at off 0 does not resume: a new upload starts */
    assert_int_equal(first(1, len, 1000, sha, 32, false).off, 1000);
}

static void test_stage1_counter_checked_before_write(void **state)
{
    (void)state;
    struct snap s0 = snap();
    uint64_t p = programs();
    /* counter below the stored one, whole TLV area in the first chunk */
    size_t len = make_s1(1, 100, FX_COUNTER - 1, LF_AREA_S1);
    first(1, len, (uint32_t)len, NULL, 0, false);
    expect_err(27);
    assert_unchanged(s0);
    assert_int_equal(programs(), p);
    /* a bigger image: refused when the protected TLVs arrive, slot erased */
    len = make_s1(1, 9000, FX_COUNTER - 1, LF_AREA_S1);
    refuse_counter_late(len, 0, 27);
    /* the same with a device reset in the middle */
    refuse_counter_late(len, 6000, 27);
    /* v1 translation of the late refusal: EBADSTATE, with the reason */
    F.cfg.verbose_err = true;
    first(1, len, 1000, NULL, 0, false);
    push(len, 1000, (uint32_t)len - 52, 1000);
    assert_int_equal(
        fx_upload(&F, 0, -1, (uint32_t)len - 52, img + len - 52, 52, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).rc, 6);
    assert_non_null(memmem(F.rsp[0], F.rsp_len[0], "below the device's stored counter", 33));
    assert_area_erased(LF_AREA_S1);
    /* an acceptable counter, reset in the middle: checked again from flash */
    len = make_s1(1, 9000, FX_COUNTER + 1, LF_AREA_S1);
    first(1, len, 1000, img_hash(img, len), 32, false);
    push(len, 1000, 8500, 1000);
    fx_reopen(&F);
    push(len, 8192, (uint32_t)len, 1000);
    assert_slot_holds(LF_AREA_S1, img, len);
}

static void test_stage1_counter_unaffordable(void **state)
{
    (void)state;
    fx_close(&F);
    fx_counter_slots = 1; /* the one slot is used: no increase possible */
    fx_create(&F, "upload-full", NULL);
    fx_counter_slots = 4;
    struct snap s0 = snap();
    size_t len = make_s1(1, 100, FX_COUNTER + 1, LF_AREA_S1);
    first(1, len, (uint32_t)len, NULL, 0, false);
    expect_err(15);
    assert_unchanged(s0);
    /* multi-chunk: refused when SEC_CNT arrives, the slot erased again */
    len = make_s1(1, 9000, FX_COUNTER + 1, LF_AREA_S1);
    refuse_counter_late(len, 0, 15);
    refuse_counter_late(len, 5000, 15);
    /* v1: ENOMEM */
    first(1, len, 1000, NULL, 0, false);
    push(len, 1000, (uint32_t)len - 52, 1000);
    assert_int_equal(
        fx_upload(&F, 0, -1, (uint32_t)len - 52, img + len - 52, 52, -1, NULL, 0, false), 1);
    assert_int_equal(fx_up_result(&F).rc, 2);
    assert_area_erased(LF_AREA_S1);
    /* the same counter costs nothing: accepted, in one chunk or many */
    len = make_s1(1, 100, FX_COUNTER, LF_AREA_S1);
    assert_int_equal(fx_upload_all(&F, 1, img, len, 1000), 1);
    len = make_s1(1, 9000, FX_COUNTER, LF_AREA_S1);
    assert_int_equal(fx_upload_all(&F, 1, img, len, 1000), 1);
    assert_slot_holds(LF_AREA_S1, img, len);
}

static void test_stage1_resume_after_reset(void **state)
{
    (void)state;
    size_t len = make_s1(1, 25000, FX_COUNTER, LF_AREA_S1);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(1, len, 600, sha, 32, false);
    push(len, 600, 13000, 600);
    fx_reopen(&F);
    struct fx_up u = first(1, len, 600, sha, 32, false);
    assert_int_equal(u.off, 12288);
    push(len, 12288, (uint32_t)len, 600);
    assert_slot_holds(LF_AREA_S1, img, len);
    struct lf_trailer tr;
    assert_int_equal(lf_trailer_read(area(LF_AREA_S1), &tr), LF_OK);
    assert_int_equal(tr.swap_size, 0);
    /* the session does not resume once the active slot changed */
    first(1, len, 600, sha, 32, false);
    F.handoff.slot = 1;
    F.handoff.version.minor = 1;
    fx_reopen(&F);
    assert_false(F.srv.up.active);
}

/* ---- keys ---------------------------------------------------------------------- */

static size_t read_file(const char *path, uint8_t *out, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    size_t n = fread(out, 1, cap, fp);
    fclose(fp);
    return n;
}

static void test_uploads_validated_with_platform_keys(void **state)
{
    (void)state;
    /* the ECDSA P-256 key of the imgtool vectors (DER from the PEM) */
    char pem[512];
    size_t pn = read_file(LF_VECTORS_DIR "/imgtool/keys/ecdsa-p256.pub.pem", (uint8_t *)pem,
                          sizeof(pem) - 1);
    pem[pn] = 0;
    char b64[256];
    size_t bn = 0;
    for (char *line = strtok(pem, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] != '-') {
            memcpy(b64 + bn, line, strlen(line));
            bn += strlen(line);
        }
    }
    static uint8_t der[128];
    size_t dn;
    assert_int_equal(lf_base64_decode(b64, bn, der, sizeof(der), &dn), LF_OK);
    static struct lf_pubkey key;
    key.type = LF_KEY_ECDSA_P256;
    key.der = der;
    key.der_len = (uint16_t)dn;
    static struct lf_keyring ring;
    ring.keys = &key;
    ring.count = 1;
    ring.algs = lf_image_sig_algs_all;
    ring.alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT;
    F.plat.keys[0] = &ring;

    size_t len = read_file(LF_VECTORS_DIR "/imgtool/images/ecdsa-p256_p37k.bin", img, sizeof(img));
    assert_int_equal(fx_upload_all(&F, 0, img, len, 1500), 1);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
    /* a bad signature: the upload completes (match) but is refused */
    len = read_file(LF_VECTORS_DIR "/imgtool/images/bad_signature_bitflip.bin", img, sizeof(img));
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(0, len, 1000, sha, 32, false);
    push(len, 1000, (uint32_t)len - 87, 1000);
    assert_int_equal(
        fx_upload(&F, 1, -1, (uint32_t)len - 87, img + len - 87, 87, -1, NULL, 0, false), 1);
    expect_err(5);
    assert_false(F.srv.up.active);
}

/* ---- other layouts ------------------------------------------------------------- */

static void board_roundtrip(const char *board, const char *name)
{
    fx_close(&F);
    fx_create(&F, name, lf_board_find(board));
    size_t len = make_app(1, 150000);
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    first(0, len, 999, sha, 32, false);
    push(len, 999, 100000, 999);
    fx_reopen(&F);
    struct fx_up u = first(0, len, 999, sha, 32, false);
    const struct lf_flash_area *sec = area(LF_AREA_APP_SECONDARY);
    uint32_t start, size;
    assert_int_equal(lf_flash_area_sector_at(sec, 99900, &start, &size), LF_OK);
    assert_true(u.off > 0 && (uint32_t)u.off <= 100000 && (uint32_t)u.off % size == 0);
    push(len, (uint32_t)u.off, (uint32_t)len, 999);
    assert_slot_holds(LF_AREA_APP_SECONDARY, img, len);
}

static void test_qspi_board(void **state)
{
    (void)state;
    board_roundtrip("nrf52840dk-qspi", "upload-qspi");
}

static void test_nor64k_board(void **state)
{
    (void)state;
    F.cfg.app_max_image_size = 0;
    board_roundtrip("nrf52840dk-nor64k", "upload-nor64k");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_complete_upload_image0),
        FX_TEST(test_byte_exact_replies),
        FX_TEST(test_legacy_replies),
        FX_TEST(test_resume_after_disconnect),
        FX_TEST(test_resume_after_device_reset),
        FX_TEST(test_wrong_offset_answered_with_expected),
        FX_TEST(test_no_session_answers_zero),
        FX_TEST(test_first_chunk_refusals),
        FX_TEST(test_oversized_image_header),
        FX_TEST(test_upgrade_flag),
        FX_TEST(test_sha_mismatch_and_truncated_sha),
        FX_TEST(test_overrun_on_continuation),
        FX_TEST(test_pending_slot_refused),
        FX_TEST(test_progressive_erase),
        FX_TEST(test_early_match_writes_nothing),
        FX_TEST(test_erase_and_new_sha_end_the_session),
        FX_TEST(test_flash_failures),
        FX_TEST(test_stage1_upload_complete),
        FX_TEST(test_stage1_wrong_variant_refused_before_any_write),
        FX_TEST(test_stage1_not_newer_and_trial),
        FX_TEST(test_stage1_counter_checked_before_write),
        FX_TEST(test_stage1_counter_unaffordable),
        FX_TEST(test_stage1_resume_after_reset),
        FX_TEST(test_uploads_validated_with_platform_keys),
        FX_TEST(test_qspi_board),
        FX_TEST(test_nor64k_board),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
