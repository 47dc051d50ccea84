/*
 * SMP serial framing, sending side: the packet [len][msg][crc] is read
 * through a tiny accessor rather than copied, encoded 3 bytes at a time and
 * cut into lines of LF_SMP_SERIAL_LINE_B64 characters (a multiple of 4, so
 * only the last line carries padding).
 */
#include "lf/smp_serial.h"
#include "lf/base64.h"
#include "lf/crc16.h"
#include "lf/err.h"

#include <string.h>

struct packet {
    const uint8_t *msg;
    size_t len;
    uint8_t head[2]; /* length field: len + 2, big-endian */
    uint8_t tail[2]; /* CRC, big-endian */
};

static uint8_t packet_byte(const struct packet *p, size_t i)
{
    if (i < 2) {
        return p->head[i];
    }
    if (i - 2 < p->len) {
        return p->msg[i - 2];
    }
    return p->tail[i - 2 - p->len];
}

int lf_smp_serial_encode(const uint8_t *msg, size_t len, lf_smp_serial_write_fn write, void *ctx)
{
    if (len > LF_SMP_SERIAL_MSG_MAX) {
        return LF_E_SERIAL_TOO_LONG;
    }
    if ((msg == NULL && len > 0) || write == NULL) {
        return LF_E_INVAL;
    }
    struct packet p = {.msg = msg, .len = len};
    uint16_t crc = lf_crc16_xmodem(LF_CRC16_XMODEM_INIT, msg, len);
    p.head[0] = (uint8_t)((len + 2) >> 8);
    p.head[1] = (uint8_t)(len + 2);
    p.tail[0] = (uint8_t)(crc >> 8);
    p.tail[1] = (uint8_t)crc;

    size_t total = len + 4;
    size_t i = 0;
    bool first = true;
    uint8_t line[LF_SMP_SERIAL_LINE_MAX];
    while (i < total) {
        size_t n = 2;
        line[0] = first ? 0x06 : 0x04;
        line[1] = first ? 0x09 : 0x14;
        while (n < 2 + LF_SMP_SERIAL_LINE_B64 && i < total) {
            uint8_t three[3];
            size_t k = total - i < 3 ? total - i : 3;
            for (size_t j = 0; j < k; j++) {
                three[j] = packet_byte(&p, i + j);
            }
            lf_base64_encode_quantum(three, k, (char *)line + n);
            n += 4;
            i += k;
        }
        line[n++] = '\n';
        int err = write(ctx, line, n);
        if (err) {
            return err;
        }
        first = false;
    }
    return LF_OK;
}

struct buf_sink {
    uint8_t *out;
    size_t cap;
    size_t pos;
};

static int buf_write(void *ctx, const uint8_t *line, size_t len)
{
    struct buf_sink *s = ctx;
    if (len > s->cap - s->pos) {
        return LF_E_NOSPACE; /* cannot happen after the size check; kept as a guard */
    }
    memcpy(s->out + s->pos, line, len);
    s->pos += len;
    return LF_OK;
}

int lf_smp_serial_encode_buf(const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
                             size_t *out_len)
{
    if (len > LF_SMP_SERIAL_MSG_MAX) {
        return LF_E_SERIAL_TOO_LONG;
    }
    if (out == NULL || cap < LF_SMP_SERIAL_ENC_SIZE(len)) {
        return LF_E_NOSPACE;
    }
    struct buf_sink s = {.out = out, .cap = cap};
    int err = lf_smp_serial_encode(msg, len, buf_write, &s);
    if (err) {
        return err;
    }
    *out_len = s.pos;
    return LF_OK;
}
