/* The virtual device's emulated UART line (ports/sim/sim_net.h, struct
 * lf_sim_baud): never faster than baud / 10 bytes per second, measured from
 * before the bytes were queued, whatever the reader does; no line time lost
 * to a late reader while bytes wait; idle time never credited. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, nanosleep */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sim_net.h"

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ns(int64_t ns)
{
    struct timespec t = {(time_t)(ns / 1000000000), (long)(ns % 1000000000)};
    nanosleep(&t, NULL);
}

/* Wire time of n bytes in ns (10 bits each). */
static int64_t wire_ns(uint64_t n, unsigned baud)
{
    return (int64_t)((long double)n * 1e10L / baud);
}

/* A reader that sees random chunks at random times (some while the line is
 * still busy, some after it fell idle), is late to hand them over by random
 * amounts: every byte is handed over no earlier than 10 / baud seconds
 * after the previous one and after the moment it was seen; over the whole
 * run, bytes x 10 / baud <= elapsed time. */
static void never_faster(unsigned baud, unsigned rounds)
{
    struct lf_sim_baud b;
    int64_t t_run = now_ns();
    int64_t prev_end = 0; /* when the previous chunk's last byte was handed over */
    uint64_t total = 0;
    unsigned i;
    memset(&b, 0, sizeof(b));
    b.baud = baud;
    srand(12345u + baud);
    for (i = 0; i < rounds; i++) {
        size_t n = 1u + (size_t)(rand() % 3000);
        int64_t seen = now_ns(); /* the bytes cannot have been sent before now */
        uint64_t first = lf_sim_baud_queue(&b, n);
        int64_t from = seen > prev_end ? seen : prev_end;
        int64_t t;
        if (rand() % 3 == 0) {
            sleep_ns(rand() % 2000000); /* a late reader: up to 2 ms */
        }
        /* handed over in two parts, as messages complete inside a read */
        lf_sim_baud_wait(&b, first + n / 2);
        t = now_ns();
        assert_true(wire_ns(n / 2, baud) <= t - from + 1000);
        lf_sim_baud_wait(&b, first + n);
        t = now_ns();
        assert_true(wire_ns(n, baud) <= t - from + 1000);
        prev_end = t;
        total += n;
        assert_true(wire_ns(total, baud) <= t - t_run + 1000);
        if (rand() % 4 == 0) {
            sleep_ns(rand() % 3000000); /* the sender pauses: the line falls idle */
        }
    }
}

static void test_never_faster_1m(void **st)
{
    (void)st;
    never_faster(1000000u, 80);
}

static void test_never_faster_115200(void **st)
{
    (void)st;
    never_faster(115200u, 12);
}

/* Bytes seen together (one read of everything pending) go through back to
 * back: a reader late by 3 ms in handing over each part loses no line time
 * (the old model slept per 256-byte read and restarted its clock at every
 * late wake-up, 3 ms each here). */
static void test_late_reader_loses_nothing(void **st)
{
    const unsigned baud = 1000000u;
    const unsigned parts = 20;
    const size_t n = 1000; /* 10 ms each */
    struct lf_sim_baud b;
    int64_t t0, elapsed;
    uint64_t first;
    unsigned i;
    (void)st;
    memset(&b, 0, sizeof(b));
    b.baud = baud;
    t0 = now_ns();
    first = lf_sim_baud_queue(&b, parts * n);
    for (i = 1; i <= parts; i++) {
        lf_sim_baud_wait(&b, first + i * n);
        sleep_ns(3000000);
    }
    elapsed = now_ns() - t0;
    assert_true(elapsed >= wire_ns(parts * n, baud));
    assert_true(elapsed < wire_ns(parts * n, baud) + 3000000 + 25000000);
    /* the same when the bytes are seen in pieces while the line is busy */
    t0 = now_ns();
    for (i = 0; i < parts; i++) {
        first = lf_sim_baud_queue(&b, n);
        if (i > 0) {
            lf_sim_baud_wait(&b, first); /* the previous part, late by 3 ms */
            sleep_ns(3000000);
        }
    }
    lf_sim_baud_wait(&b, first + n);
    elapsed = now_ns() - t0;
    assert_true(elapsed >= wire_ns(parts * n, baud));
    assert_true(elapsed < wire_ns(parts * n, baud) + 25000000);
}

/* Bytes seen after the line fell idle start when seen: the idle time is
 * not credited (a stop-and-wait client's next request comes only after
 * the reply). Bytes seen while it still sends follow the last one. */
static void test_idle_not_credited(void **st)
{
    struct lf_sim_baud b;
    int64_t t0;
    uint64_t first;
    (void)st;
    memset(&b, 0, sizeof(b));
    b.baud = 1000000u;
    first = lf_sim_baud_queue(&b, 100);
    lf_sim_baud_wait(&b, first + 100);
    sleep_ns(30000000);
    t0 = now_ns();
    first = lf_sim_baud_queue(&b, 2000); /* 20 ms */
    assert_int_equal(first, 0);          /* a new busy period */
    lf_sim_baud_wait(&b, 2000);
    assert_true(now_ns() - t0 >= wire_ns(2000, b.baud));
    {
        struct timespec end, start;
        t0 = now_ns();
        first = lf_sim_baud_queue(&b, 2000);
        assert_int_equal(first, 0);
        lf_sim_baud_time(&b, 2000, &end);
        first = lf_sim_baud_queue(&b, 20); /* seen while the 2000 are on the line */
        assert_int_equal(first, 2000);
        lf_sim_baud_time(&b, first, &start);
        assert_int_equal(start.tv_sec, end.tv_sec);
        assert_int_equal(start.tv_nsec, end.tv_nsec);
        lf_sim_baud_wait(&b, 2020);
        assert_true(now_ns() - t0 >= wire_ns(2020, b.baud));
    }
}

/* The device's output: pace() returns once the bytes went through; calls
 * without a gap add up; an idle line restarts. */
static void test_pace(void **st)
{
    struct lf_sim_baud b;
    int64_t t0, t1;
    int i;
    (void)st;
    memset(&b, 0, sizeof(b));
    b.baud = 115200u;
    t0 = now_ns();
    for (i = 0; i < 10; i++) {
        lf_sim_baud_pace(&b, 128);
    }
    t1 = now_ns();
    assert_true(t1 - t0 >= wire_ns(1280, b.baud));
    assert_true(t1 - t0 < wire_ns(1280, b.baud) + 50000000);
    sleep_ns(20000000);
    t0 = now_ns();
    lf_sim_baud_pace(&b, 12);
    assert_true(now_ns() - t0 >= wire_ns(12, b.baud));
    /* baud 0: no throttling at all */
    memset(&b, 0, sizeof(b));
    t0 = now_ns();
    lf_sim_baud_pace(&b, 1000000);
    assert_int_equal(lf_sim_baud_queue(&b, 5), 0);
    lf_sim_baud_wait(&b, 1000000);
    assert_true(now_ns() - t0 < 50000000);
}

/* Byte times are exact to the nanosecond far out (no drift, no overflow). */
static void test_time_exact(void **st)
{
    static const unsigned bauds[] = {9600u, 115200u, 1000000u, 3000000u, 100000000u};
    static const uint64_t pos[] = {0, 1, 11520, 1000000007ull, 1ull << 40};
    struct lf_sim_baud b;
    size_t i, j;
    (void)st;
    for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
        for (j = 0; j < sizeof(pos) / sizeof(pos[0]); j++) {
            struct timespec t;
            long double want = (long double)pos[j] * 1e10L / bauds[i];
            long double got;
            memset(&b, 0, sizeof(b));
            b.baud = bauds[i];
            b.start.tv_sec = 5;
            b.start.tv_nsec = 999999999;
            lf_sim_baud_time(&b, pos[j], &t);
            assert_true(t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
            got = ((long double)t.tv_sec - 5.0L) * 1e9L + (long double)t.tv_nsec - 999999999.0L;
            assert_true(got <= want + 0.5L && got >= want - 1.5L);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_never_faster_1m),
        cmocka_unit_test(test_never_faster_115200),
        cmocka_unit_test(test_late_reader_loses_nothing),
        cmocka_unit_test(test_idle_not_credited),
        cmocka_unit_test(test_pace),
        cmocka_unit_test(test_time_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
