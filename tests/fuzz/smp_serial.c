/*
 * Fuzz target for the SMP serial receiver.
 *
 * The input is fed byte by byte to a receiver with a small buffer (whose size
 * the first byte picks) and, in arbitrary pieces, to a second receiver through
 * lf_smp_serial_rx_feed: both must deliver the same messages. Every delivered
 * message must fit the buffer; re-encoding it and feeding the result to a
 * fresh receiver must give it back unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "lf/smp_serial.h"

#define MAX_INPUT 16384
#define BUF_MAX   1024

struct sink {
    uint8_t data[LF_SMP_SERIAL_ENC_SIZE(BUF_MAX)];
    size_t len;
};

static int sink_write(void *ctx, const uint8_t *line, size_t len)
{
    struct sink *s = ctx;
    if (len > LF_SMP_SERIAL_LINE_MAX || len > sizeof(s->data) - s->len) {
        abort();
    }
    memcpy(s->data + s->len, line, len);
    s->len += len;
    return LF_OK;
}

static void check_reencode(const uint8_t *msg, size_t len)
{
    static struct sink s; /* host-only test code: static to keep the stack small */
    uint8_t back[BUF_MAX];
    struct lf_smp_serial_rx rx;
    size_t m = 0;
    s.len = 0;
    if (lf_smp_serial_encode(msg, len, sink_write, &s) != LF_OK ||
        s.len != LF_SMP_SERIAL_ENC_SIZE(len)) {
        abort();
    }
    lf_smp_serial_rx_init(&rx, back, sizeof(back));
    if (lf_smp_serial_rx_feed(&rx, s.data, s.len, &m) != s.len || m != len ||
        memcmp(back, msg, len) != 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_INPUT) {
        return 0;
    }
    size_t cap = 8 + (size_t)data[0] * 4; /* 8 .. 1028, clipped below */
    cap = cap > BUF_MAX ? BUF_MAX : cap;
    size_t piece = 1 + data[1] % 97;
    data += 2;
    size -= 2;

    uint8_t *buf_a = malloc(cap); /* exact size: ASan catches overruns */
    uint8_t *buf_b = malloc(cap);
    uint8_t *seen = malloc(size + 1);
    size_t seen_len[64];
    unsigned n_a = 0, n_b = 0;
    struct lf_smp_serial_rx a, b;
    if (!buf_a || !buf_b || !seen) {
        abort();
    }
    lf_smp_serial_rx_init(&a, buf_a, cap);
    lf_smp_serial_rx_init(&b, buf_b, cap);

    /* Receiver A, byte by byte: remember the first messages. */
    size_t seen_off = 0;
    for (size_t i = 0; i < size; i++) {
        size_t m = lf_smp_serial_rx_byte(&a, data[i]);
        if (m == 0) {
            continue;
        }
        if (m < LF_SMP_SERIAL_MSG_MIN || m > cap) {
            abort();
        }
        check_reencode(buf_a, m);
        if (n_a < 64) {
            memcpy(seen + seen_off, buf_a, m);
            seen_len[n_a] = m;
            seen_off += m;
        }
        n_a++;
    }

    /* Receiver B, in pieces: same messages in the same order. */
    size_t off = 0, cmp_off = 0;
    while (off < size) {
        size_t m, len = size - off < piece ? size - off : piece;
        size_t used = lf_smp_serial_rx_feed(&b, data + off, len, &m);
        if (used == 0 || used > len) {
            abort();
        }
        off += used;
        if (m) {
            if (n_b < 64 && (m != seen_len[n_b] || memcmp(buf_b, seen + cmp_off, m) != 0)) {
                abort();
            }
            if (n_b < 64) {
                cmp_off += m;
            }
            n_b++;
        }
    }
    if (n_a != n_b || memcmp(&a.stats, &b.stats, sizeof(a.stats)) != 0) {
        abort();
    }
    free(buf_a);
    free(buf_b);
    free(seen);
    return 0;
}
