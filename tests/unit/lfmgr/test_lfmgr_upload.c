/* lfmgr's session and upload engine against the in-process fake server:
 * chunk budgets per transport, wrong offsets, restarts from 0, timeouts and
 * resends, resume, v1 fallback, device errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <math.h>

#include "ceiling.h"
#include "fake_smp.h"
#include "upload.h"

static struct fake_smp fk;
static struct lfm_session sess;
static struct lfm_conn conn;
static uint8_t file[100000];

static void setup_kind(enum lfm_conn_kind kind)
{
    size_t i;
    fake_smp_init(&fk);
    fake_conn_init(&conn, &fk, kind);
    lfm_session_init(&sess, &conn);
    sess.retries = 3;
    for (i = 0; i < sizeof(file); i++) {
        file[i] = (uint8_t)(i * 7 + (i >> 8));
    }
}

static int teardown(void **st)
{
    (void)st;
    lfm_conn_close(&conn);
    return 0;
}

static int run(uint32_t len, unsigned window, struct lfm_upload_stats *stats)
{
    struct lfm_upload_opts o;
    memset(&o, 0, sizeof(o));
    o.image = 0;
    o.window = window;
    o.align = 16;
    return lfm_upload(&sess, file, len, &o, stats);
}

static void assert_written(uint32_t len)
{
    assert_int_equal(fk.size, len);
    assert_memory_equal(fk.slot, file, len);
}

static void test_budget_serial(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_SERIAL);
    fk.buf_size = 512;
    assert_int_equal(run(50000, 1, &s), LF_EXIT_OK);
    assert_written(50000);
    assert_true(s.match);
    assert_int_equal(s.budget, 508);
    assert_true(fk.max_msg <= 508);
    assert_true(fk.max_msg >= 508 - 16); /* and the budget is used */
    assert_int_equal(fk.n_new_session, 1);
    assert_int_equal(s.chunk_max % 16, 0);
}

static void test_budget_udp_ble(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_UDP);
    fk.buf_size = 2048;
    assert_int_equal(run(30000, 1, &s), LF_EXIT_OK);
    assert_written(30000);
    assert_int_equal(s.budget, 1472); /* 1500 - 28 */
    assert_true(fk.max_msg <= 1472 && fk.max_msg > 1472 - 16);
    lfm_conn_close(&conn);

    setup_kind(LFM_CONN_BLE);
    fk.buf_size = 1024;
    assert_int_equal(run(30000, 1, &s), LF_EXIT_OK);
    assert_written(30000);
    assert_int_equal(s.budget, 1024);
    assert_true(fk.max_msg <= 1024 && fk.max_msg > 1024 - 16);
}

static void test_params_fallback(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_SERIAL);
    fk.no_params = true;
    assert_int_equal(run(3000, 0, &s), LF_EXIT_OK);
    assert_written(3000);
    assert_int_equal(s.budget, 124); /* assumed one 128-byte buffer */
    assert_true(fk.max_msg <= 124);
    assert_int_equal(s.window, 1);
}

static void test_window_and_lost_request(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_UDP);
    fk.buf_size = 512;
    fk.buf_count = 4;
    fk.drop_at[fk.ndrop++] = 4; /* a lost request mid-window: the next ones get wrong offsets */
    assert_int_equal(run(20000, 0, &s), LF_EXIT_OK);
    assert_int_equal(s.window, 3);
    assert_written(20000);
    assert_true(s.match);
    assert_true(fk.n_wrong_off >= 1);
    assert_true(s.resyncs >= 1);
    assert_int_equal(s.timeouts, 0); /* recovered from the replies, not by waiting */
    assert_int_equal(fk.n_new_session, 1);
    assert_int_equal(s.restarts, 0);
}

static void test_restart_from_zero(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_SERIAL);
    fk.lose_session_at = 6; /* the device forgets the session (reboot): answers off 0 */
    assert_int_equal(run(20000, 1, &s), LF_EXIT_OK);
    assert_written(20000);
    assert_true(s.match);
    assert_int_equal(s.restarts, 1);
    assert_int_equal(fk.n_new_session, 2); /* the client re-sent len/sha/image */
    assert_int_equal(fk.n_first, 2);
}

static void test_timeouts_retry(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_SERIAL);
    fk.drop_at[fk.ndrop++] = 2;
    fk.drop_at[fk.ndrop++] = 3;
    fk.drop_at[fk.ndrop++] = 4; /* three consecutive losses: within 3 retries */
    fk.drop_at[fk.ndrop++] = 9;
    assert_int_equal(run(20000, 1, &s), LF_EXIT_OK);
    assert_written(20000);
    assert_int_equal(s.timeouts, 4);

    lfm_conn_close(&conn);
    setup_kind(LFM_CONN_SERIAL);
    fk.drop_at[fk.ndrop++] = 2;
    fk.drop_at[fk.ndrop++] = 3;
    fk.drop_at[fk.ndrop++] = 4;
    fk.drop_at[fk.ndrop++] = 5; /* four: gives up */
    assert_int_equal(run(20000, 1, &s), LF_EXIT_CONN);
    assert_int_equal(s.timeouts, 4);
}

static void test_resume(void **st)
{
    struct lfm_upload_stats s;
    uint32_t have;
    unsigned i;
    (void)st;
    setup_kind(LFM_CONN_SERIAL);
    sess.retries = 0;
    for (i = 0; i < 8; i++) {
        fk.drop_at[fk.ndrop++] = 10 + i; /* the link dies after 9 requests */
    }
    assert_int_equal(run(40000, 1, &s), LF_EXIT_CONN);
    have = fk.off;
    assert_true(fk.session && have > 0 && have < 40000);

    /* Run again (new session state on the client side, same device). */
    fk.ndrop = 0;
    fk.n_upload = 0;
    lfm_session_init(&sess, &conn);
    assert_int_equal(run(40000, 1, &s), LF_EXIT_OK);
    assert_written(40000);
    assert_true(s.match);
    assert_int_equal(s.resumed_off, have);
    assert_int_equal(fk.n_new_session, 1); /* the device never started over */
    /* one first chunk (answered with the stored offset), then only the rest */
    assert_true(s.data_sent < 40000 - have + 1024);
}

static void test_resume_complete_file(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_UDP);
    assert_int_equal(run(5000, 1, &s), LF_EXIT_OK);
    /* a finished upload has no session: uploading again starts over */
    assert_int_equal(run(5000, 1, &s), LF_EXIT_OK);
    assert_int_equal(fk.n_new_session, 2);
    assert_int_equal(s.resumed_off, 0);
}

static void test_v1_fallback(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_UDP);
    fk.v1_only = true;
    fk.legacy_rc = true;
    assert_int_equal(sess.ver, LF_SMP_VER_2);
    assert_int_equal(run(8000, 1, &s), LF_EXIT_OK);
    assert_written(8000);
    assert_int_equal(sess.ver, LF_SMP_VER_1);
    assert_int_equal(fk.last_ver, LF_SMP_VER_1);

    lfm_conn_close(&conn);
    setup_kind(LFM_CONN_UDP);
    fk.reject_v2 = true; /* answers v2 with rc 13: resend as v1 */
    assert_int_equal(run(8000, 1, &s), LF_EXIT_OK);
    assert_written(8000);
    assert_int_equal(sess.ver, LF_SMP_VER_1);
    assert_int_equal(fk.last_ver, LF_SMP_VER_1);
}

static void test_device_errors(void **st)
{
    struct lfm_upload_stats s;
    (void)st;
    setup_kind(LFM_CONN_UDP);
    fk.fail_at = 3;
    fk.fail_rc = LF_SMP_IMG_ERR_FLASH_WRITE_FAILED;
    assert_int_equal(run(20000, 1, &s), LF_EXIT_DEVICE);

    lfm_conn_close(&conn);
    setup_kind(LFM_CONN_UDP);
    fk.slot_max = 1000;
    assert_int_equal(run(20000, 1, &s), LF_EXIT_DEVICE);
    assert_int_equal(fk.n_new_session, 0);

    lfm_conn_close(&conn);
    setup_kind(LFM_CONN_UDP);
    fk.corrupt_write = true;
    assert_int_equal(run(20000, 1, &s), LF_EXIT_PROTO);
}

/* The serial ceiling, by hand for a 2000-byte file in 1020-byte messages:
 * chunk 1 (first fields, 71 bytes + 3-byte data head) 946 data bytes, chunk 2
 * 996, both 1020-byte messages: 1024-byte packets, 1368 base64 characters in
 * 12 lines, 1404 wire bytes; chunk 3: 58 bytes in an 81-byte message, 116
 * characters, 1 line, 119 bytes. 2927 wire bytes in all. */
static void test_ceiling(void **st)
{
    (void)st;
    assert_int_equal(lfm_serial_upload_wire_bytes(2000, 0, 1020, 0, 32, 0), 2927);
    assert_true(fabs(lfm_serial_ceiling(2000, 0, 1020, 115200, 0, 32, 0) -
                     2000.0 * 11520.0 / 2927.0) < 1e-6);
    /* steady state at buf_size 2048: 2018 of every 2801 wire bytes */
    assert_int_equal(lfm_serial_upload_wire_bytes(2018 + 100000, 100000, 2044, 0, 32, 0), 2801);
    /* too small a budget */
    assert_int_equal(lfm_serial_upload_wire_bytes(2000, 0, 60, 0, 32, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_budget_serial, teardown),
        cmocka_unit_test_teardown(test_budget_udp_ble, teardown),
        cmocka_unit_test_teardown(test_params_fallback, teardown),
        cmocka_unit_test_teardown(test_window_and_lost_request, teardown),
        cmocka_unit_test_teardown(test_restart_from_zero, teardown),
        cmocka_unit_test_teardown(test_timeouts_retry, teardown),
        cmocka_unit_test_teardown(test_resume, teardown),
        cmocka_unit_test_teardown(test_resume_complete_file, teardown),
        cmocka_unit_test_teardown(test_v1_fallback, teardown),
        cmocka_unit_test_teardown(test_device_errors, teardown),
        cmocka_unit_test(test_ceiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
