/*
 * SMP serial framing (docs/reference/smp.md 3.1): the worked example byte for byte, a
 * 600-byte message against a framing produced by Python's base64 and
 * binascii.crc_hqx (serial_600.bin, made with:
 *   payload = bytes((i * 7 + 3) & 0xff for i in range(592))
 *   msg = bytes([2, 0, 2, 0x50, 0, 1, 0x17, 1]) + payload
 *   pkt = (len(msg) + 2).to_bytes(2, 'big') + msg + crc_hqx(msg, 0).to_bytes(2, 'big')
 *   b = base64.b64encode(pkt); lines of 124 characters, 06 09 / 04 14, '\n'),
 * cuts at every position, console traffic, CRs, Zephyr-style senders and
 * every drop reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lf/base64.h"
#include "lf/crc16.h"
#include "lf/err.h"
#include "lf/smp_serial.h"

static const uint8_t echo_msg[] = {0x02, 0x00, 0x00, 0x09, 0x00, 0x00, 0x42, 0x00, 0xa1,
                                   0x61, 0x64, 0x65, 0x68, 0x65, 0x6c, 0x6c, 0x6f};
static const char echo_line[] = "\x06\x09"
                                "ABMCAAAJAABCAKFhZGVoZWxsb8EJ"
                                "\n";

/* A growable byte stream for building test input. */
struct stream {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct stream *s, const void *data, size_t n)
{
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 64;
        s->p = realloc(s->p, s->cap);
        assert_non_null(s->p);
    }
    memcpy(s->p + s->len, data, n);
    s->len += n;
}

static void puts_(struct stream *s, const char *z)
{
    put(s, z, strlen(z));
}

static int stream_write(void *ctx, const uint8_t *line, size_t len)
{
    assert_true(len <= LF_SMP_SERIAL_LINE_MAX);
    put(ctx, line, len);
    return LF_OK;
}

static void encode(struct stream *s, const uint8_t *msg, size_t len)
{
    assert_int_equal(lf_smp_serial_encode(msg, len, stream_write, s), LF_OK);
}

static uint8_t *make_msg(size_t len)
{
    uint8_t *m = malloc(len);
    assert_non_null(m);
    for (size_t i = 0; i < len; i++) {
        m[i] = (uint8_t)((i - 8) * 7 + 3); /* payload byte j = j * 7 + 3 */
    }
    if (len >= 8) {
        m[0] = 0x02;
        m[1] = 0x00;
        m[2] = (uint8_t)((len - 8) >> 8);
        m[3] = (uint8_t)(len - 8);
        m[4] = 0x00;
        m[5] = 0x01;
        m[6] = 0x17;
        m[7] = 0x01;
    }
    return m;
}

/* Feed a whole stream byte by byte; record every delivered message. */
struct rx_result {
    unsigned count;
    size_t last_len;
    uint8_t last[2048];
};

static void feed_all(struct lf_smp_serial_rx *rx, const uint8_t *p, size_t n, struct rx_result *r)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = lf_smp_serial_rx_byte(rx, p[i]);
        if (m) {
            assert_true(m <= sizeof(r->last));
            r->count++;
            r->last_len = m;
            memcpy(r->last, rx->buf, m);
        }
    }
}

static void test_worked_example(void **state)
{
    (void)state;
    struct stream s = {0};
    encode(&s, echo_msg, sizeof(echo_msg));
    assert_int_equal(s.len, sizeof(echo_line) - 1);
    assert_memory_equal(s.p, echo_line, s.len);
    assert_int_equal(s.len, LF_SMP_SERIAL_ENC_SIZE(sizeof(echo_msg)));

    uint8_t out[64];
    size_t n = 0;
    assert_int_equal(lf_smp_serial_encode_buf(echo_msg, sizeof(echo_msg), out, sizeof(out), &n),
                     LF_OK);
    assert_int_equal(n, s.len);
    assert_memory_equal(out, echo_line, n);

    uint8_t buf[64];
    struct lf_smp_serial_rx rx;
    struct rx_result r = {0};
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
    feed_all(&rx, (const uint8_t *)echo_line, sizeof(echo_line) - 1, &r);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.last_len, sizeof(echo_msg));
    assert_memory_equal(r.last, echo_msg, sizeof(echo_msg));
    assert_int_equal(rx.stats.packets, 1);
    free(s.p);
}

static uint8_t *read_file(const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/tests/unit/transport/%s", LF_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *p = malloc(4096);
    *len = fread(p, 1, 4096, f);
    fclose(f);
    return p;
}

static void test_600_reference(void **state)
{
    (void)state;
    size_t ref_len;
    uint8_t *ref = read_file("serial_600.bin", &ref_len);
    uint8_t *msg = make_msg(600);
    assert_int_equal(ref_len, 829);

    struct stream s = {0};
    encode(&s, msg, 600);
    assert_int_equal(s.len, ref_len);
    assert_memory_equal(s.p, ref, ref_len);
    assert_int_equal(s.len, LF_SMP_SERIAL_ENC_SIZE(600));
    /* 808 base64 characters: 6 full lines of 124 and one of 64. */
    size_t lines = 0, start = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '\n') {
            size_t l = i + 1 - start;
            assert_true(l <= LF_SMP_SERIAL_LINE_MAX);
            assert_int_equal((l - 3) % 4, 0);
            assert_int_equal(s.p[start], lines == 0 ? 0x06 : 0x04);
            assert_int_equal(s.p[start + 1], lines == 0 ? 0x09 : 0x14);
            lines++;
            start = i + 1;
        }
    }
    assert_int_equal(lines, 7);

    uint8_t buf[600];
    struct lf_smp_serial_rx rx;
    struct rx_result r = {0};
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf)); /* exactly big enough */
    feed_all(&rx, ref, ref_len, &r);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.last_len, 600);
    assert_memory_equal(r.last, msg, 600);

    /* One byte smaller: overrun, dropped, counted. */
    lf_smp_serial_rx_init(&rx, buf, 599);
    memset(&r, 0, sizeof(r));
    feed_all(&rx, ref, ref_len, &r);
    assert_int_equal(r.count, 0);
    assert_int_equal(rx.stats.overruns, 1);
    assert_int_equal(rx.stats.orphans, 0); /* the dropped packet's lines are not orphans */
    free(ref);
    free(msg);
    free(s.p);
}

/* The stream handed over in two pieces cut at every position (rx_feed), and
 * a packet truncated at every position followed by a good one. */
static void test_cut_everywhere(void **state)
{
    (void)state;
    uint8_t *msg = make_msg(600);
    struct stream s = {0};
    encode(&s, msg, 600);
    uint8_t buf[700];
    struct lf_smp_serial_rx rx;

    for (size_t cut = 0; cut <= s.len; cut++) {
        size_t got = 0, m, used;
        lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
        used = lf_smp_serial_rx_feed(&rx, s.p, cut, &m);
        assert_int_equal(used, cut);
        if (cut == s.len) {
            assert_int_equal(m, 600);
            got++;
        } else {
            assert_int_equal(m, 0);
            used = lf_smp_serial_rx_feed(&rx, s.p + cut, s.len - cut, &m);
            assert_int_equal(used, s.len - cut);
            assert_int_equal(m, 600);
            got++;
        }
        assert_int_equal(got, 1);
        assert_memory_equal(buf, msg, 600);
    }

    /* (cutting only the final '\n' and adding one back is the whole packet) */
    for (size_t cut = 0; cut < s.len - 1; cut++) {
        struct rx_result r = {0};
        lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
        feed_all(&rx, s.p, cut, &r);
        feed_all(&rx, (const uint8_t *)"\n", 1, &r);
        feed_all(&rx, (const uint8_t *)echo_line, sizeof(echo_line) - 1, &r);
        assert_int_equal(r.count, 1);
        assert_int_equal(r.last_len, sizeof(echo_msg));
        assert_memory_equal(r.last, echo_msg, sizeof(echo_msg));
        assert_int_equal(rx.stats.packets, 1);
    }
    free(msg);
    free(s.p);
}

/* A corrupted byte anywhere never yields a wrong message. */
static void test_corruption_everywhere(void **state)
{
    (void)state;
    uint8_t *msg = make_msg(300);
    struct stream s = {0};
    encode(&s, msg, 300);
    uint8_t buf[400];
    struct lf_smp_serial_rx rx;
    for (size_t pos = 0; pos < s.len; pos++) {
        for (int bit = 0; bit < 8; bit++) {
            struct rx_result r = {0};
            s.p[pos] ^= (uint8_t)(1u << bit);
            lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
            feed_all(&rx, s.p, s.len, &r);
            s.p[pos] ^= (uint8_t)(1u << bit);
            if (r.count) {
                assert_int_equal(r.count, 1);
                assert_int_equal(r.last_len, 300);
                assert_memory_equal(r.last, msg, 300);
            }
        }
    }
    free(msg);
    free(s.p);
}

/* Console output between lines, CRLF endings, leading CRs, shell prompts
 * (one right before a frame on the same line), two packets back to back. */
static void test_console_interleaved(void **state)
{
    (void)state;
    uint8_t *msg = make_msg(600);
    struct stream pkt = {0}, s = {0};
    encode(&pkt, msg, 600);
    puts_(&s, "*** Booting Zephyr OS ***\r\n");
    puts_(&s, "\r\r");
    size_t line_no = 0;
    for (size_t i = 0, start = 0; i < pkt.len; i++) {
        if (pkt.p[i] != '\n') {
            continue;
        }
        put(&s, pkt.p + start, i - start);
        puts_(&s, "\r\n"); /* CRLF */
        if (line_no == 1) {
            puts_(&s, "[00:00:01.000,000] <inf> app: tick\r\n");
        }
        if (line_no == 3) {
            puts_(&s, "uart:~$ \n\n\r\r"); /* prompt, empty lines, stray CRs */
        }
        if (line_no == 4) {
            puts_(&s, "\x06 not smp\n\x04 nor this\n\x06\x0a"); /* marker look-alikes */
        }
        start = i + 1;
        line_no++;
    }
    puts_(&s, "\ruart:~$ \x06\x04"); /* a prompt with no newline right before a frame */
    put(&s, echo_line, sizeof(echo_line) - 1);

    uint8_t buf[700];
    struct lf_smp_serial_rx rx;
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
    size_t off = 0, m;
    off += lf_smp_serial_rx_feed(&rx, s.p, s.len, &m);
    assert_int_equal(m, 600);
    assert_memory_equal(buf, msg, 600);
    off += lf_smp_serial_rx_feed(&rx, s.p + off, s.len - off, &m);
    assert_int_equal(m, sizeof(echo_msg));
    assert_int_equal(off, s.len);
    assert_memory_equal(buf, echo_msg, sizeof(echo_msg));
    assert_int_equal(rx.stats.packets, 2);
    assert_int_equal(rx.stats.console_lines, 6);
    assert_int_equal(rx.stats.crc_errors + rx.stats.b64_errors + rx.stats.len_errors, 0);
    free(msg);
    free(pkt.p);
    free(s.p);
}

/* Zephyr-style sender: each line's raw chunk is encoded on its own (so a line
 * may end in padding) and the CRC never straddles two lines. */
static void test_zephyr_style_lines(void **state)
{
    (void)state;
    uint8_t *msg = make_msg(200);
    uint8_t pkt[204];
    uint16_t crc = lf_crc16_xmodem(0, msg, 200);
    pkt[0] = 0;
    pkt[1] = 202;
    memcpy(pkt + 2, msg, 200);
    pkt[202] = (uint8_t)(crc >> 8);
    pkt[203] = (uint8_t)crc;
    /* chunks of 91 (padded), 90, then 23 (whole CRC in the last line) */
    static const size_t chunks[] = {91, 90, 23};
    struct stream s = {0};
    size_t off = 0;
    for (int i = 0; i < 3; i++) {
        char b64[128];
        size_t n;
        put(&s, i == 0 ? "\x06\x09" : "\x04\x14", 2);
        assert_int_equal(lf_base64_encode(pkt + off, chunks[i], b64, sizeof(b64), &n), LF_OK);
        put(&s, b64, n);
        put(&s, "\n", 1);
        off += chunks[i];
    }
    assert_int_equal(off, 204);
    assert_non_null(memchr(s.p, '=', s.len));

    uint8_t buf[256];
    struct lf_smp_serial_rx rx;
    struct rx_result r = {0};
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
    feed_all(&rx, s.p, s.len, &r);
    assert_int_equal(r.count, 1);
    assert_int_equal(r.last_len, 200);
    assert_memory_equal(r.last, msg, 200);
    free(msg);
    free(s.p);
}

/* One line of given raw packet bytes, encoded whole. */
static void line_of(struct stream *s, const char *marker, const uint8_t *raw, size_t n)
{
    char b64[512];
    size_t bl;
    assert_int_equal(lf_base64_encode(raw, n, b64, sizeof(b64), &bl), LF_OK);
    put(s, marker, 2);
    put(s, b64, bl);
    put(s, "\n", 1);
}

static void test_drop_reasons(void **state)
{
    (void)state;
    uint8_t buf[64];
    struct lf_smp_serial_rx rx;
    struct rx_result r = {0};
    uint8_t pkt[32];
    struct stream s = {0};

    /* bad CRC */
    pkt[0] = 0;
    pkt[1] = 19;
    memcpy(pkt + 2, echo_msg, 17);
    pkt[19] = 0xC1;
    pkt[20] = 0x08;
    line_of(&s, "\x06\x09", pkt, 21);
    /* a continuation line with nothing in progress */
    puts_(&s, "\x04\x14"
              "AAAA\n");
    /* length field below header + CRC */
    pkt[1] = 9;
    line_of(&s, "\x06\x09", pkt, 11);
    /* more data in the line than the length field says */
    uint8_t longer[24];
    memcpy(longer, "\x00\x13", 2);
    memcpy(longer + 2, echo_msg, 17);
    memcpy(longer + 19, "\xC1\x09\x00\x00\x00", 5);
    line_of(&s, "\x06\x09", longer, 24);
    /* invalid base64, and a line whose base64 is not a multiple of 4 */
    puts_(&s, "\x06\x09"
              "AB*CAAAJAABCAKFhZGVoZWxsb8EJ\n");
    puts_(&s, "\x06\x09"
              "ABMCAAAJAABCAKFhZGVoZWxsb8E\n");
    /* padding in the middle of a line */
    puts_(&s, "\x06\x09"
              "AB==AAAJAABCAKFhZGVoZWxsb8EJ\n");
    /* continuation of a dropped packet: ignored quietly, not an orphan */
    puts_(&s, "\x04\x14"
              "AAAA\n");
    /* a packet abandoned by a new start line */
    puts_(&s, "\x06\x09"
              "ABMCAAAJ\n");
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
    feed_all(&rx, s.p, s.len, &r);
    feed_all(&rx, (const uint8_t *)echo_line, sizeof(echo_line) - 1, &r);

    assert_int_equal(rx.stats.crc_errors, 1);
    assert_int_equal(rx.stats.len_errors, 2);
    assert_int_equal(rx.stats.b64_errors, 3);
    assert_int_equal(rx.stats.orphans, 1);
    assert_int_equal(rx.stats.incomplete, 1);
    assert_int_equal(rx.stats.overruns, 0);
    assert_int_equal(r.count, 1); /* only the good packet at the end */
    assert_int_equal(rx.stats.packets, 1);
    assert_memory_equal(r.last, echo_msg, sizeof(echo_msg));

    /* Reset forgets the packet in progress. */
    lf_smp_serial_rx_init(&rx, buf, sizeof(buf));
    memset(&r, 0, sizeof(r));
    feed_all(&rx, (const uint8_t *)echo_line, 10, &r);
    lf_smp_serial_rx_reset(&rx);
    feed_all(&rx, (const uint8_t *)echo_line + 10, sizeof(echo_line) - 11, &r);
    assert_int_equal(r.count, 0);
    assert_int_equal(rx.stats.console_lines, 1); /* the rest reads as console text */
    free(s.p);
}

/* Lengths at the limits, and sizes that the size macro predicts. */
static void test_limits(void **state)
{
    (void)state;
    size_t max = LF_SMP_SERIAL_MSG_MAX;
    uint8_t *big = make_msg(max + 1);
    size_t enc_cap = LF_SMP_SERIAL_ENC_SIZE(max);
    uint8_t *out = malloc(enc_cap);
    size_t n;
    assert_int_equal(lf_smp_serial_encode_buf(big, max, out, enc_cap, &n), LF_OK);
    assert_int_equal(n, enc_cap);
    assert_int_equal(lf_smp_serial_encode_buf(big, max + 1, out, enc_cap, &n),
                     LF_E_SERIAL_TOO_LONG);
    assert_int_equal(lf_smp_serial_encode_buf(big, max, out, enc_cap - 1, &n), LF_E_NOSPACE);
    /* The largest message decodes (length field 0xFFFF). */
    uint8_t *rxbuf = malloc(max);
    struct lf_smp_serial_rx rx;
    size_t m = 0;
    lf_smp_serial_rx_init(&rx, rxbuf, max);
    assert_int_equal(lf_smp_serial_rx_feed(&rx, out, n, &m), n);
    assert_int_equal(m, max);
    assert_memory_equal(rxbuf, big, max);

    for (size_t len = 0; len < 400; len++) {
        struct stream s = {0};
        encode(&s, big, len);
        assert_int_equal(s.len, LF_SMP_SERIAL_ENC_SIZE(len));
        free(s.p);
    }
    assert_int_equal(lf_smp_serial_encode(NULL, 1, stream_write, NULL), LF_E_INVAL);
    free(big);
    free(out);
    free(rxbuf);
}

static int failing_write(void *ctx, const uint8_t *line, size_t len)
{
    unsigned *calls = ctx;
    (void)line;
    (void)len;
    return ++*calls == 2 ? LF_E_IO : LF_OK;
}

static void test_write_error_stops(void **state)
{
    (void)state;
    uint8_t *msg = make_msg(600);
    unsigned calls = 0;
    assert_int_equal(lf_smp_serial_encode(msg, 600, failing_write, &calls), LF_E_IO);
    assert_int_equal(calls, 2);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worked_example),      cmocka_unit_test(test_600_reference),
        cmocka_unit_test(test_cut_everywhere),      cmocka_unit_test(test_corruption_everywhere),
        cmocka_unit_test(test_console_interleaved), cmocka_unit_test(test_zephyr_style_lines),
        cmocka_unit_test(test_drop_reasons),        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_write_error_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
