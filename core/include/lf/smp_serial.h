#ifndef LF_SMP_SERIAL_H
#define LF_SMP_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SMP over a serial console (docs/reference/smp.md 3.1), both directions.
 *
 * Packet = [length BE16][SMP message][CRC-16/XMODEM of the message, BE16],
 * where length = message size + 2. The packet is base64-encoded and cut into
 * lines: marker (06 09 on the first line, 04 14 on each continuation line),
 * base64 text, '\n'.
 *
 * Sending: the whole packet is encoded once and cut every
 * LF_SMP_SERIAL_LINE_B64 characters (127-byte lines), which every known
 * receiver accepts, including those that join the base64 of all lines before
 * decoding.
 *
 * Receiving: a byte-fed state machine that decodes each line's base64 on its
 * own, 4 characters at a time, straight into the caller's message buffer. So
 * it accepts both whole-packet-cut senders and Zephyr-style senders (whose
 * lines may end in padding), needs no line buffer, and puts no limit on line
 * length other than the message buffer. It shares the channel with console
 * traffic: lines that do not start with a marker are ignored, and do not
 * disturb a packet in progress (a marker after console text on the same line,
 * such as a shell prompt, still starts an SMP line). A start line abandons any packet in
 * progress; a continuation line with no packet in progress is ignored.
 * Leading '\r's and '\r' anywhere in an SMP line (in practice, before '\n')
 * are ignored. Bad packets (CRC, length, base64, overrun) are dropped
 * silently and counted in the stats: the protocol sends no reply to them.
 */

#define LF_SMP_SERIAL_LINE_MAX 127u /* bytes per line incl. 2-byte marker and '\n' */
#define LF_SMP_SERIAL_LINE_B64 124u /* base64 characters per line we send */

/* Largest message: the length field (16 bits) also counts the 2 CRC bytes. */
#define LF_SMP_SERIAL_MSG_MAX 0xFFFDu

/* Shortest message the receiver accepts: an SMP header. */
#define LF_SMP_SERIAL_MSG_MIN 8u

/* Bytes lf_smp_serial_encode produces for an n-byte message (n <= MSG_MAX):
 * base64 of n + 4 bytes plus 3 bytes (marker, '\n') per line. */
#define LF_SMP_SERIAL_B64_LEN(n) ((((n) + 4u + 2u) / 3u) * 4u)
#define LF_SMP_SERIAL_ENC_SIZE(n) \
    (LF_SMP_SERIAL_B64_LEN(n) +   \
     3u * ((LF_SMP_SERIAL_B64_LEN(n) + LF_SMP_SERIAL_LINE_B64 - 1u) / LF_SMP_SERIAL_LINE_B64))

/* ---- sending ----------------------------------------------------------- */

/* Output sink: called once per complete line (at most LF_SMP_SERIAL_LINE_MAX
 * bytes, marker and '\n' included). Returns LF_OK or a negative lf_err, which
 * stops the encoding and is returned to the caller. */
typedef int (*lf_smp_serial_write_fn)(void *ctx, const uint8_t *line, size_t len);

/* Frame msg[0..len) and pass the lines to write(ctx, ...).
 * LF_E_SERIAL_TOO_LONG if len > LF_SMP_SERIAL_MSG_MAX (nothing written). */
int lf_smp_serial_encode(const uint8_t *msg, size_t len, lf_smp_serial_write_fn write, void *ctx);

/* The same into out[0..cap); *out_len = bytes written. LF_E_NOSPACE (nothing
 * written) if cap < LF_SMP_SERIAL_ENC_SIZE(len). */
int lf_smp_serial_encode_buf(const uint8_t *msg, size_t len, uint8_t *out, size_t cap,
                             size_t *out_len);

/* ---- receiving --------------------------------------------------------- */

struct lf_smp_serial_stats {
    uint32_t packets;       /* messages delivered */
    uint32_t crc_errors;    /* complete packet with a bad CRC */
    uint32_t len_errors;    /* length field < MSG_MIN + 2, or more data than it announced */
    uint32_t overruns;      /* message larger than the caller's buffer */
    uint32_t b64_errors;    /* invalid base64 in an SMP line (incl. length not a multiple of 4) */
    uint32_t incomplete;    /* packet abandoned by a new start line */
    uint32_t orphans;       /* continuation line with no packet in progress */
    uint32_t console_lines; /* non-SMP lines ignored */
};

/* Receiver state (fields other than stats are internal). */
struct lf_smp_serial_rx {
    uint8_t *buf;       /* message buffer (caller's storage) */
    size_t cap;         /* its size: the largest message accepted */
    size_t total;       /* packet bytes announced: 2 + length field (0 until known) */
    size_t got;         /* packet bytes decoded so far */
    uint8_t len_crc[2]; /* length field while got < 2, then the received CRC */
    char quad[4];       /* base64 characters of the quantum being collected */
    uint8_t nquad;
    uint8_t line;        /* line state */
    uint8_t pkt;         /* packet state */
    uint8_t line_padded; /* this line's base64 ended with padding */
    uint8_t in_console;  /* this line was counted as console traffic */
    struct lf_smp_serial_stats stats;
};

/* Start receiving into buf[0..cap): messages up to cap bytes are accepted
 * (Zephyr's convention: buf_size - 4 of a buffer that also holds length and
 * CRC). Zeroes the stats. buf must outlive the receiver. */
void lf_smp_serial_rx_init(struct lf_smp_serial_rx *rx, uint8_t *buf, size_t cap);

/* Forget any packet in progress (keeps the stats); the next line is taken as
 * the start of a line. */
void lf_smp_serial_rx_reset(struct lf_smp_serial_rx *rx);

/* Feed one received byte. Returns 0, or the length of a complete, CRC-checked
 * message now in rx->buf[0..n) (at the '\n' that ends its last line). The
 * message stays there until the next byte is fed. */
size_t lf_smp_serial_rx_byte(struct lf_smp_serial_rx *rx, uint8_t b);

/* Feed data[0..len), stopping just after the byte that completes a message.
 * Returns the number of bytes consumed; *msg_len = the message length, or 0
 * if all len bytes were consumed without completing one. */
size_t lf_smp_serial_rx_feed(struct lf_smp_serial_rx *rx, const uint8_t *data, size_t len,
                             size_t *msg_len);

#endif
