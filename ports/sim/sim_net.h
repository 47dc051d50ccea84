#ifndef LF_SIM_NET_H
#define LF_SIM_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "lf/smp_serial.h"
#include "lf/smp_server.h"

/*
 * The virtual device's SMP transports (host only):
 *   UDP on 127.0.0.1: one SMP message per datagram (docs/reference/smp.md 3.3); each reply
 *     goes to the request's source address as its own datagram.
 *   a pseudo-terminal with the serial console framing (smp.md 3.1), a symlink
 *     to its slave side at a chosen path, and an optional emulated baud rate:
 *     bytes are consumed and emitted no faster than a UART at N baud with
 *     10 bits per byte (start, 8 data, stop) would move them.
 * Both are polled: the caller waits on the fds (poll) and calls *_handle
 * when one is readable.
 */

#define LF_SIM_UDP_DEFAULT_PORT 1337u
#define LF_SIM_MSG_MAX          4096u /* largest SMP message the transports buffer */
/* One read of the pty: more than a tty's receive buffer (4 KiB in Linux's
 * n_tty), so a read takes everything pending. */
#define LF_SIM_PTY_READ 8192u

struct lf_sim_udp {
    int fd;
    uint16_t port;    /* bound port (filled when 0 was asked) */
    size_t msg_max;   /* largest datagram accepted (the server's buf_size) */
    uint32_t dropped; /* oversized datagrams */
    uint8_t buf[LF_SIM_MSG_MAX];
};

/* Bind 127.0.0.1:port (0: any free port). msg_max <= LF_SIM_MSG_MAX.
 * Returns LF_OK or LF_E_IO (errno tells why). */
int lf_sim_udp_open(struct lf_sim_udp *u, uint16_t port, size_t msg_max);
void lf_sim_udp_close(struct lf_sim_udp *u);
/* Take one pending datagram (non-blocking) and answer it. Returns 1 when a
 * datagram was handled, 0 when none was pending, LF_E_IO on socket errors. */
int lf_sim_udp_handle(struct lf_sim_udp *u, struct lf_smp_server *s);

/*
 * One direction of an emulated UART: 8N1, 10 bits per byte at `baud`.
 *
 * The line is a clock, not a timer per read. Bytes are credited when the
 * receiver sees them waiting (a read returned them): they go through back
 * to back after the bytes already on the line, so that while the sender
 * keeps bytes queued, byte k of the busy period finishes at
 * start + (k + 1) * 10 / baud however late the reader wakes up (a UART keeps
 * receiving into its FIFO while the CPU is busy). The clock restarts only
 * when the line was idle: bytes first seen after the last credited byte
 * finished start when they are seen, never earlier, since the sender may
 * have queued them only just then. So the bytes delivered never exceed
 * (t - t_seen) * baud / 10 counted from when they were available, and no
 * line time is lost while bytes wait, provided the reader takes everything
 * pending in each read.
 */
struct lf_sim_baud {
    unsigned baud;         /* 0: no throttling */
    struct timespec start; /* start of the current busy period */
    uint64_t pos;          /* bytes credited since start */
};

/* Credit n bytes seen waiting now. Continues the busy period if its last
 * byte has not finished yet, else starts a new one now. Returns the
 * position (bytes since start) before them: they finish at positions
 * ret + 1 .. ret + n. Always 0 with baud 0. */
uint64_t lf_sim_baud_queue(struct lf_sim_baud *b, size_t n);

/* Sleep until the byte ending at position `pos` of the busy period has gone
 * through (returns at once when that time has passed or baud is 0). */
void lf_sim_baud_wait(const struct lf_sim_baud *b, uint64_t pos);

/* Monotonic time when the byte ending at position `pos` goes through. */
void lf_sim_baud_time(const struct lf_sim_baud *b, uint64_t pos, struct timespec *t);

/* The sending side (the device's output): queue n bytes and return once
 * they have gone through (sleeps as needed). */
void lf_sim_baud_pace(struct lf_sim_baud *b, size_t n);

struct lf_sim_pty {
    int master;
    int slave; /* kept open so the master never sees EOF between clients */
    char slave_path[128];
    char link[1024]; /* symlink to slave_path ("" when none) */
    struct lf_sim_baud in, out;
    struct lf_smp_serial_rx rx;
    uint8_t rx_buf[LF_SIM_MSG_MAX];
    uint8_t in_buf[LF_SIM_PTY_READ];
};

/*
 * Create a pty in raw mode, symlink `link` (may be NULL) to its slave, and
 * receive SMP messages up to msg_max bytes (the server's buf_size - 4, as
 * Zephyr's serial transport). baud 0: unthrottled.
 */
int lf_sim_pty_open(struct lf_sim_pty *p, const char *link, unsigned baud, size_t msg_max);
void lf_sim_pty_close(struct lf_sim_pty *p);
/* Read everything pending (non-blocking) and answer every complete
 * message once its last byte has come through the emulated line (input
 * clock above); replies go out at the baud rate, each line written once it
 * has been transmitted. Returns the number of messages handled, or
 * LF_E_IO. */
int lf_sim_pty_handle(struct lf_sim_pty *p, struct lf_smp_server *s);

#endif
