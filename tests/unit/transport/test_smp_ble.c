/* SMP over BLE: fragmentation by ATT MTU and reassembly by the header's
 * Data Length, across MTUs 23, 185, 247, 517, with overruns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/smp_ble.h"
#include "lf/smp_hdr.h"

/* An SMP message of total size len (>= 8) with a patterned payload. */
static uint8_t *make_msg(size_t len, uint8_t seq)
{
    uint8_t *m = malloc(len);
    assert_non_null(m);
    struct lf_smp_hdr h = {.op = LF_SMP_OP_WRITE,
                           .len = (uint16_t)(len - 8),
                           .group = LF_SMP_GROUP_IMAGE,
                           .seq = seq,
                           .id = LF_SMP_IMG_ID_UPLOAD};
    assert_int_equal(lf_smp_hdr_encode(&h, m), LF_OK);
    for (size_t i = 8; i < len; i++) {
        m[i] = (uint8_t)(i * 13 + seq);
    }
    return m;
}

/* Deliver one write through the documented loop; returns messages seen. */
static unsigned deliver(struct lf_smp_ble_rx *rx, const uint8_t *data, size_t len,
                        const uint8_t *want, size_t want_len, unsigned *too_big)
{
    unsigned got = 0;
    size_t off = 0;
    while (off < len) {
        size_t used = 0, msg_len = 0;
        int err = lf_smp_ble_rx_write(rx, data + off, len - off, &used, &msg_len);
        assert_true(used > 0);
        off += used;
        if (err == LF_E_BLE_TOO_BIG) {
            (*too_big)++;
            continue;
        }
        assert_int_equal(err, LF_OK);
        if (msg_len) {
            assert_int_equal(msg_len, want_len);
            assert_memory_equal(rx->buf, want, want_len);
            got++;
        }
    }
    assert_int_equal(off, len);
    return got;
}

static void test_chunk_sizes(void **state)
{
    (void)state;
    assert_int_equal(lf_smp_ble_chunk_size(23), 20);
    assert_int_equal(lf_smp_ble_chunk_size(185), 182);
    assert_int_equal(lf_smp_ble_chunk_size(247), 244);
    assert_int_equal(lf_smp_ble_chunk_size(498), 495);
    assert_int_equal(lf_smp_ble_chunk_size(515), 512);
    assert_int_equal(lf_smp_ble_chunk_size(517), 512); /* attribute value limit */
    assert_int_equal(lf_smp_ble_chunk_size(22), 0);
    assert_int_equal(lf_smp_ble_chunk_size(518), 0);
    struct lf_smp_ble_frag f;
    uint8_t m[8] = {0};
    assert_int_equal(lf_smp_ble_frag_init(&f, m, 8, 22), LF_E_BLE_MTU);
    assert_int_equal(lf_smp_ble_frag_init(&f, m, 8, 518), LF_E_BLE_MTU);
    assert_int_equal(lf_smp_ble_frag_init(&f, NULL, 8, 23), LF_E_INVAL);
}

/* Fragment with one MTU, reassemble fragment by fragment: every message size
 * around the fragment boundaries, for each MTU of the brief. */
static void test_round_trip_mtus(void **state)
{
    (void)state;
    static const unsigned mtus[] = {23, 185, 247, 517};
    static const size_t sizes[] = {8,   9,   19,  20,  21,  40,  41,   181,  182,       183,
                                   244, 245, 511, 512, 513, 600, 1024, 2048, 8 + 0xFFFF};
    uint8_t *buf = malloc(8 + 0xFFFF);
    for (size_t mi = 0; mi < sizeof(mtus) / sizeof(mtus[0]); mi++) {
        size_t chunk = lf_smp_ble_chunk_size(mtus[mi]);
        for (size_t si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++) {
            size_t len = sizes[si];
            uint8_t *msg = make_msg(len, (uint8_t)si);
            struct lf_smp_ble_frag f;
            struct lf_smp_ble_rx rx;
            const uint8_t *p;
            size_t n, total = 0, frags = 0;
            unsigned got = 0, too_big = 0;
            assert_int_equal(lf_smp_ble_frag_init(&f, msg, len, mtus[mi]), LF_OK);
            lf_smp_ble_rx_init(&rx, buf, 8 + 0xFFFF);
            while (lf_smp_ble_frag_next(&f, &p, &n)) {
                assert_ptr_equal(p, msg + total);
                assert_true(n >= 1 && n <= chunk);
                if (total + n < len) {
                    assert_int_equal(n, chunk); /* only the last may be short */
                }
                got += deliver(&rx, p, n, msg, len, &too_big);
                total += n;
                frags++;
            }
            assert_int_equal(total, len);
            assert_int_equal(frags, (len + chunk - 1) / chunk);
            assert_int_equal(got, 1);
            assert_int_equal(too_big, 0);
            assert_int_equal(rx.stats.packets, 1);
            assert_false(lf_smp_ble_frag_next(&f, &p, &n)); /* stays finished */
            free(msg);
        }
    }
    free(buf);
}

/* Write sizes that do not match the sender's MTU: 1-byte writes (the header
 * itself split), and several messages back to back in one write. */
static void test_odd_write_sizes(void **state)
{
    (void)state;
    uint8_t buf[700];
    struct lf_smp_ble_rx rx;
    unsigned too_big = 0, got = 0;
    uint8_t *msg = make_msg(600, 1);
    lf_smp_ble_rx_init(&rx, buf, sizeof(buf));
    for (size_t i = 0; i < 600; i++) {
        got += deliver(&rx, msg + i, 1, msg, 600, &too_big);
    }
    assert_int_equal(got, 1);

    /* Three header-only messages (Data Length 0) and a 600 in one write. */
    uint8_t *small = make_msg(8, 2);
    uint8_t *stream = malloc(3 * 8 + 600);
    for (int i = 0; i < 3; i++) {
        memcpy(stream + 8 * i, small, 8);
    }
    memcpy(stream + 24, msg, 600);
    size_t off = 0;
    unsigned seen = 0;
    while (off < 24 + 600) {
        size_t used, msg_len;
        assert_int_equal(lf_smp_ble_rx_write(&rx, stream + off, 624 - off, &used, &msg_len), LF_OK);
        off += used;
        assert_true(msg_len == 8 || msg_len == 600);
        assert_memory_equal(buf, seen < 3 ? small : msg, msg_len);
        assert_int_equal(used, msg_len); /* stops at each message end */
        seen++;
    }
    assert_int_equal(seen, 4);
    free(small);
    free(stream);
    free(msg);
}

/* A message bigger than the buffer: reported once with its header, its bytes
 * discarded whatever the write sizes, and the next message comes through. */
static void test_overrun(void **state)
{
    (void)state;
    static const unsigned mtus[] = {23, 185, 247, 517};
    for (size_t mi = 0; mi < 4; mi++) {
        uint8_t buf[256];
        struct lf_smp_ble_rx rx;
        lf_smp_ble_rx_init(&rx, buf, sizeof(buf));
        uint8_t *big = make_msg(257, 7);
        uint8_t *ok = make_msg(256, 8);
        unsigned too_big = 0, got = 0;
        struct lf_smp_ble_frag f;
        const uint8_t *p;
        size_t n;
        lf_smp_ble_frag_init(&f, big, 257, mtus[mi]);
        while (lf_smp_ble_frag_next(&f, &p, &n)) {
            got += deliver(&rx, p, n, NULL, 0, &too_big);
        }
        assert_int_equal(too_big, 1);
        assert_int_equal(got, 0);
        assert_int_equal(rx.stats.too_big, 1);
        assert_int_equal(rx.stats.discarded, 257 - 8);
        /* The header is there to answer with. */
        struct lf_smp_hdr h;
        assert_int_equal(lf_smp_hdr_decode(buf, 8, &h), LF_E_SMP_PAYLOAD_SHORT);
        assert_int_equal(h.seq, 7);
        assert_int_equal(h.len, 249);

        lf_smp_ble_frag_init(&f, ok, 256, mtus[mi]);
        while (lf_smp_ble_frag_next(&f, &p, &n)) {
            got += deliver(&rx, p, n, ok, 256, &too_big);
        }
        assert_int_equal(got, 1);
        assert_int_equal(rx.stats.packets, 1);
        free(big);
        free(ok);
    }

    /* The largest announced message into a small buffer, then a good one in
     * the same write as the tail of the discarded one. */
    uint8_t buf[64];
    struct lf_smp_ble_rx rx;
    lf_smp_ble_rx_init(&rx, buf, sizeof(buf));
    uint8_t *huge = make_msg(8 + 0xFFFF, 9);
    uint8_t *ok = make_msg(20, 10);
    unsigned too_big = 0;
    assert_int_equal(deliver(&rx, huge, 8 + 0xFFFF - 5, NULL, 0, &too_big), 0);
    uint8_t tail[25];
    memcpy(tail, huge + 8 + 0xFFFF - 5, 5);
    memcpy(tail + 5, ok, 20);
    assert_int_equal(deliver(&rx, tail, sizeof(tail), ok, 20, &too_big), 1);
    assert_int_equal(too_big, 1);
    assert_int_equal(rx.stats.discarded, 0xFFFF);
    free(huge);
    free(ok);
}

static void test_reset_and_bad_args(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct lf_smp_ble_rx rx;
    size_t used, msg_len;
    uint8_t *a = make_msg(40, 1);
    uint8_t *b = make_msg(30, 2);
    unsigned too_big = 0;
    lf_smp_ble_rx_init(&rx, buf, sizeof(buf));
    assert_int_equal(deliver(&rx, a, 5, NULL, 0, &too_big), 0); /* inside the header */
    lf_smp_ble_rx_reset(&rx);                                   /* disconnect */
    assert_int_equal(deliver(&rx, b, 30, b, 30, &too_big), 1);
    assert_int_equal(deliver(&rx, a, 20, NULL, 0, &too_big), 0); /* inside the payload */
    lf_smp_ble_rx_reset(&rx);
    assert_int_equal(deliver(&rx, b, 30, b, 30, &too_big), 1);

    assert_int_equal(lf_smp_ble_rx_write(&rx, a, 0, &used, &msg_len), LF_OK);
    assert_int_equal(used, 0);
    assert_int_equal(msg_len, 0);
    assert_int_equal(lf_smp_ble_rx_write(&rx, NULL, 3, &used, &msg_len), LF_E_INVAL);
    lf_smp_ble_rx_init(&rx, buf, 7);
    assert_int_equal(lf_smp_ble_rx_write(&rx, a, 40, &used, &msg_len), LF_E_INVAL);
    assert_int_equal(used, 0);

    /* An empty message has no fragments. */
    struct lf_smp_ble_frag f;
    const uint8_t *p;
    size_t n;
    assert_int_equal(lf_smp_ble_frag_init(&f, NULL, 0, 23), LF_OK);
    assert_false(lf_smp_ble_frag_next(&f, &p, &n));
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunk_sizes),        cmocka_unit_test(test_round_trip_mtus),
        cmocka_unit_test(test_odd_write_sizes),    cmocka_unit_test(test_overrun),
        cmocka_unit_test(test_reset_and_bad_args),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
