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
 *   UDP on 127.0.0.1: one SMP message per datagram (spec 3.3); each reply
 *     goes to the request's source address as its own datagram.
 *   a pseudo-terminal with the serial console framing (spec 3.1), a symlink
 *     to its slave side at a chosen path, and an optional emulated baud rate:
 *     bytes are consumed and emitted no faster than a UART at N baud with
 *     10 bits per byte (start, 8 data, stop) would move them.
 * Both are polled: the caller waits on the fds (poll) and calls *_handle
 * when one is readable.
 */

#define LF_SIM_UDP_DEFAULT_PORT 1337u
#define LF_SIM_MSG_MAX          4096u /* largest SMP message the transports buffer */

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

/* A byte clock for one direction of an emulated UART. */
struct lf_sim_baud {
    unsigned baud;         /* 0: no throttling */
    struct timespec clock; /* when the line is free again */
};

/* Account for n bytes through the line: returns once they would have been
 * transmitted at the baud rate (sleeps as needed). */
void lf_sim_baud_pace(struct lf_sim_baud *b, size_t n);

struct lf_sim_pty {
    int master;
    int slave; /* kept open so the master never sees EOF between clients */
    char slave_path[128];
    char link[1024]; /* symlink to slave_path ("" when none) */
    struct lf_sim_baud in, out;
    struct lf_smp_serial_rx rx;
    uint8_t rx_buf[LF_SIM_MSG_MAX];
};

/*
 * Create a pty in raw mode, symlink `link` (may be NULL) to its slave, and
 * receive SMP messages up to msg_max bytes (the server's buf_size - 4, as
 * Zephyr's serial transport). baud 0: unthrottled.
 */
int lf_sim_pty_open(struct lf_sim_pty *p, const char *link, unsigned baud, size_t msg_max);
void lf_sim_pty_close(struct lf_sim_pty *p);
/* Read what is pending (non-blocking), paced at the baud rate, and answer
 * every complete message. Returns the number of messages handled, or
 * LF_E_IO. */
int lf_sim_pty_handle(struct lf_sim_pty *p, struct lf_smp_server *s);

#endif
