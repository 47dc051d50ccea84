/*
 * The persisted upload session log (docs/smp-upload.md section 3): records,
 * page roll-over, torn and foreign records, choice of the newest page,
 * sequence wrap, unsuitable areas.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/smp_session.h"
#include "smp_fixture.h"

static const struct lf_flash_area *state_area(void)
{
    return lf_sim_device_area(&F.dev, LF_AREA_SMP_STATE);
}

static struct lf_smp_session sess(uint32_t len, uint8_t fill)
{
    struct lf_smp_session s;
    memset(&s, 0, sizeof(s));
    s.image = 1;
    s.area_id = LF_AREA_S1;
    s.sha_len = 20;
    s.len = len;
    memset(s.sha, fill, 20);
    return s;
}

static void test_blank_area_has_no_session(void **state)
{
    (void)state;
    struct lf_smp_session_log log;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    assert_false(log.have);
    /* progress and end without a session do nothing */
    assert_int_equal(lf_smp_session_progress(&log, 4096), LF_OK);
    assert_int_equal(lf_smp_session_end(&log), LF_OK);
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    assert_false(log.have);
}

static void test_begin_progress_end_roundtrip(void **state)
{
    (void)state;
    struct lf_smp_session_log log, back;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    struct lf_smp_session s = sess(100000, 0xab);
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_true(back.have);
    assert_false(back.s.ended);
    assert_int_equal(back.s.image, 1);
    assert_int_equal(back.s.area_id, LF_AREA_S1);
    assert_int_equal(back.s.len, 100000);
    assert_int_equal(back.s.progress, 0);
    assert_int_equal(back.s.sha_len, 20);
    assert_memory_equal(back.s.sha, s.sha, 20);
    assert_int_equal(lf_smp_session_progress(&log, 4096), LF_OK);
    assert_int_equal(lf_smp_session_progress(&log, 8192), LF_OK);
    assert_int_equal(lf_smp_session_progress(&log, 8192), LF_OK); /* not larger: nothing */
    assert_int_equal(lf_smp_session_progress(&log, 200000), LF_E_RANGE);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_int_equal(back.s.progress, 8192);
    assert_int_equal(back.pos, log.pos);
    assert_int_equal(lf_smp_session_end(&log), LF_OK);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_true(back.s.ended);
    assert_int_equal(back.s.progress, 8192);
}

static void test_rollover_keeps_one_live_page(void **state)
{
    (void)state;
    struct lf_smp_session_log log, back;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    struct lf_smp_session s = sess(2000000, 1);
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK);
    uint8_t first_page = log.page;
    uint32_t seq = log.s.seq;
    /* (4096 - 64) / 16 = 252 units, one kept for END: 251 progress records
     * fit; the 252nd rolls over */
    for (uint32_t i = 1; i <= 300; i++) {
        assert_int_equal(lf_smp_session_progress(&log, i * 16), LF_OK);
        assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
        assert_int_equal(back.s.progress, i * 16);
        assert_false(back.s.ended);
    }
    assert_true(log.page != first_page);
    assert_int_equal(log.s.seq, seq + 1);
    assert_int_equal(lf_smp_session_end(&log), LF_OK);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_true(back.s.ended);
    assert_int_equal(back.s.progress, 300 * 16);
}

static void test_torn_record_skipped_and_not_reused(void **state)
{
    (void)state;
    struct lf_smp_session_log log, back;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    struct lf_smp_session s = sess(100000, 2);
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK);
    assert_int_equal(lf_smp_session_progress(&log, 4096), LF_OK);
    /* a half-programmed record in the next unit (a cut in the middle) */
    uint8_t torn[16];
    memset(torn, 0xff, sizeof(torn));
    memcpy(torn, "\x4c\x46\x53\x50\x01\x00", 6);
    fx_load(&F, LF_AREA_SMP_STATE, log.page * (state_area()->size / 2) + log.pos, torn, 16);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_int_equal(back.s.progress, 4096);
    assert_int_equal(back.pos, log.pos + 16);
    /* appending after it works; the torn unit stays untouched */
    assert_int_equal(lf_smp_session_progress(&back, 8192), LF_OK);
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    assert_int_equal(log.s.progress, 8192);
    /* a record of another session (other seq) counts for nothing */
    assert_int_equal(lf_smp_session_end(&log), LF_OK);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_true(back.s.ended);
}

static void test_torn_begin_keeps_previous_session(void **state)
{
    (void)state;
    struct lf_smp_session_log log, back;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    struct lf_smp_session a = sess(50000, 3);
    assert_int_equal(lf_smp_session_begin(&log, &a), LF_OK);
    assert_int_equal(lf_smp_session_progress(&log, 12288), LF_OK);
    /* the next BEGIN is torn: its page holds half a record */
    uint32_t other = (uint32_t)(log.page ^ 1u) * (state_area()->size / 2);
    uint8_t half[64];
    memset(half, 0xff, sizeof(half));
    memcpy(half, "\x4c\x46\x53\x42\x02\x00\x00\x00\x01", 9);
    fx_load(&F, LF_AREA_SMP_STATE, other, half, sizeof(half));
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_true(back.have);
    assert_int_equal(back.page, log.page);
    assert_int_equal(back.s.progress, 12288);
    assert_memory_equal(back.s.sha, a.sha, 20);
    /* a new BEGIN erases the torn page first */
    struct lf_smp_session b = sess(60000, 4);
    assert_int_equal(lf_smp_session_begin(&back, &b), LF_OK);
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    assert_int_equal(log.s.len, 60000);
    assert_int_equal(log.s.progress, 0);
}

static void test_sequence_wraps(void **state)
{
    (void)state;
    struct lf_smp_session_log log, back;
    assert_int_equal(lf_smp_session_load(&log, state_area()), LF_OK);
    struct lf_smp_session s = sess(1000, 5);
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK);
    log.s.seq = 0xFFFFFFFEu; /* as if many sessions had gone by */
    s.len = 2000;
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK); /* seq 0xFFFFFFFF */
    s.len = 3000;
    assert_int_equal(lf_smp_session_begin(&log, &s), LF_OK); /* seq 0 */
    assert_int_equal(log.s.seq, 0);
    assert_int_equal(lf_smp_session_load(&back, state_area()), LF_OK);
    assert_int_equal(back.s.len, 3000);
}

static void test_unsuitable_area(void **state)
{
    (void)state;
    struct lf_smp_session_log log;
    struct lf_flash_area small = *state_area();
    small.size = 4096; /* halves of 2 KiB are not sector boundaries */
    assert_int_equal(lf_smp_session_load(&log, &small), LF_E_SMP_STATE_AREA);
    assert_int_equal(lf_smp_session_load(&log, NULL), LF_E_SMP_STATE_AREA);
    /* a server without the area still serves uploads (not resumable) */
    static struct lf_flash_map m;
    m = F.dev.map;
    m.areas[LF_AREA_SMP_STATE].size = 0;
    F.plat.map = &m;
    assert_int_equal(lf_smp_server_init(&F.srv, &F.cfg, &F.plat), LF_OK);
    assert_false(F.srv.up.store_ok);
    static uint8_t img[8192];
    struct img_opts o = {.major = 1, .minor = 1, .payload = 6000, .seed = 8};
    size_t len = img_make(img, sizeof(img), &o);
    assert_int_equal(fx_upload_all(&F, 0, img, len, 1000), 1);
    assert_non_null(strstr(F.log, "uploads restart after a reset"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FX_TEST(test_blank_area_has_no_session),
        FX_TEST(test_begin_progress_end_roundtrip),
        FX_TEST(test_rollover_keeps_one_live_page),
        FX_TEST(test_torn_record_skipped_and_not_reused),
        FX_TEST(test_torn_begin_keeps_previous_session),
        FX_TEST(test_sequence_wraps),
        FX_TEST(test_unsuitable_area),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
