/*
 * SMP serial framing, receiving side.
 *
 * Two small state machines. The line machine classifies each line by its
 * first two bytes (start marker, continuation marker, or console traffic) and
 * collects the base64 of SMP lines 4 characters at a time. The packet machine
 * routes decoded bytes: the first 2 are the length field, then the message
 * goes into the caller's buffer and the last 2 are the CRC. A packet is
 * checked and delivered at the end of the line that completes it.
 *
 *   line state   byte           action
 *   START        '\r'           stay (leading CRs)
 *   START        06 / 04        MARK_START / MARK_CONT
 *   START        other          CONSOLE (counted)
 *   CONSOLE      06 / 04        MARK_START / MARK_CONT (marker after a prompt)
 *   MARK_START   09             new packet (abandons one in progress), SMP
 *   MARK_CONT    14             SMP if a packet is in progress, else SKIP
 *                               (an orphan, counted if nothing was dropped)
 *   MARK_*       other          CONSOLE (counted once per line; 06/04 restart a marker)
 *   SMP          '\r'           ignored
 *   SMP          other          base64 quantum collection; error -> drop, SKIP
 *   any          '\n'           end of line (SMP: check quantum complete,
 *                               deliver if the packet is complete); START
 *
 * Markers are also recognised after console text on the same line: a device
 * shell may print a prompt without a newline just before an SMP frame. The
 * control bytes 06 and 04 do not occur in ordinary console text.
 */
#include "lf/smp_serial.h"
#include "lf/base64.h"
#include "lf/crc16.h"
#include "lf/err.h"

#include <string.h>

enum line_state { L_START, L_MARK_START, L_MARK_CONT, L_SMP, L_CONSOLE, L_SKIP };

enum pkt_state {
    P_IDLE, /* no packet in progress */
    P_BODY, /* decoding a packet */
    P_DROP, /* packet dropped: ignore its continuation lines quietly */
};

void lf_smp_serial_rx_init(struct lf_smp_serial_rx *rx, uint8_t *buf, size_t cap)
{
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = buf ? cap : 0;
}

void lf_smp_serial_rx_reset(struct lf_smp_serial_rx *rx)
{
    rx->line = L_START;
    rx->in_console = 0;
    rx->pkt = P_IDLE;
    rx->nquad = 0;
    rx->total = 0;
    rx->got = 0;
}

static void drop(struct lf_smp_serial_rx *rx, uint32_t *counter)
{
    (*counter)++;
    rx->pkt = P_DROP;
    rx->line = L_SKIP;
}

/* The current line is console traffic (counted once per line). */
static void console(struct lf_smp_serial_rx *rx)
{
    if (!rx->in_console) {
        rx->in_console = 1;
        rx->stats.console_lines++;
    }
    rx->line = L_CONSOLE;
}

/* A byte at the start of a line or in console text: a marker's first byte,
 * or more console text. */
static void console_byte(struct lf_smp_serial_rx *rx, uint8_t b)
{
    if (b == 0x06) {
        rx->line = L_MARK_START;
    } else if (b == 0x04) {
        rx->line = L_MARK_CONT;
    } else {
        console(rx);
    }
}

static void start_packet(struct lf_smp_serial_rx *rx)
{
    if (rx->pkt == P_BODY) {
        rx->stats.incomplete++;
    }
    rx->pkt = P_BODY;
    rx->total = 0;
    rx->got = 0;
}

static void start_smp_line(struct lf_smp_serial_rx *rx)
{
    rx->line = L_SMP;
    rx->nquad = 0;
    rx->line_padded = 0;
}

/* One decoded packet byte. */
static void put_byte(struct lf_smp_serial_rx *rx, uint8_t b)
{
    if (rx->got < 2) {
        rx->len_crc[rx->got++] = b;
        if (rx->got == 2) {
            size_t field = ((size_t)rx->len_crc[0] << 8) | rx->len_crc[1];
            if (field < LF_SMP_SERIAL_MSG_MIN + 2) {
                drop(rx, &rx->stats.len_errors);
            } else if (field - 2 > rx->cap) {
                drop(rx, &rx->stats.overruns);
            } else {
                rx->total = 2 + field;
            }
        }
        return;
    }
    if (rx->got >= rx->total) {
        drop(rx, &rx->stats.len_errors); /* more data than announced */
        return;
    }
    if (rx->got < rx->total - 2) {
        rx->buf[rx->got - 2] = b;
    } else {
        rx->len_crc[rx->got - (rx->total - 2)] = b;
    }
    rx->got++;
}

/* Four base64 characters collected in an SMP line. */
static void put_quantum(struct lf_smp_serial_rx *rx)
{
    uint8_t out[3];
    int n = rx->line_padded ? LF_E_BASE64_INVALID : lf_base64_decode_quantum(rx->quad, out);
    rx->nquad = 0;
    if (n < 0) {
        drop(rx, &rx->stats.b64_errors);
        return;
    }
    rx->line_padded = n < 3;
    for (int i = 0; i < n && rx->pkt == P_BODY; i++) {
        put_byte(rx, out[i]);
    }
}

/* '\n' ended an SMP line: returns the message length if it completed one. */
static size_t end_smp_line(struct lf_smp_serial_rx *rx)
{
    if (rx->nquad != 0) {
        drop(rx, &rx->stats.b64_errors);
        return 0;
    }
    if (rx->total == 0 || rx->got < rx->total) {
        return 0; /* more lines to come */
    }
    size_t msg_len = rx->total - 4;
    uint16_t crc = lf_crc16_xmodem(LF_CRC16_XMODEM_INIT, rx->buf, msg_len);
    rx->pkt = P_IDLE;
    if (rx->len_crc[0] != (uint8_t)(crc >> 8) || rx->len_crc[1] != (uint8_t)crc) {
        rx->stats.crc_errors++;
        return 0;
    }
    rx->stats.packets++;
    return msg_len;
}

size_t lf_smp_serial_rx_byte(struct lf_smp_serial_rx *rx, uint8_t b)
{
    size_t msg_len = 0;
    if (b == '\n') {
        if (rx->line == L_SMP && rx->pkt == P_BODY) {
            msg_len = end_smp_line(rx);
        }
        rx->line = L_START;
        rx->in_console = 0;
        return msg_len;
    }
    switch (rx->line) {
    case L_START:
        if (b != '\r') {
            console_byte(rx, b);
        }
        break;
    case L_CONSOLE:
        console_byte(rx, b);
        break;
    case L_MARK_START:
        if (b == 0x09) {
            start_packet(rx);
            start_smp_line(rx);
        } else {
            console(rx);
            console_byte(rx, b); /* it may start a marker itself */
        }
        break;
    case L_MARK_CONT:
        if (b != 0x14) {
            console(rx);
            console_byte(rx, b);
        } else if (rx->pkt == P_BODY) {
            start_smp_line(rx);
        } else {
            if (rx->pkt == P_IDLE) {
                rx->stats.orphans++;
            }
            rx->line = L_SKIP;
        }
        break;
    case L_SMP:
        if (b != '\r') {
            rx->quad[rx->nquad++] = (char)b;
            if (rx->nquad == 4) {
                put_quantum(rx);
            }
        }
        break;
    default: /* L_SKIP */
        break;
    }
    return 0;
}

size_t lf_smp_serial_rx_feed(struct lf_smp_serial_rx *rx, const uint8_t *data, size_t len,
                             size_t *msg_len)
{
    for (size_t i = 0; i < len; i++) {
        size_t n = lf_smp_serial_rx_byte(rx, data[i]);
        if (n) {
            *msg_len = n;
            return i + 1;
        }
    }
    *msg_len = 0;
    return len;
}
