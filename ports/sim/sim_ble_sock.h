#ifndef LF_SIM_BLE_SOCK_H
#define LF_SIM_BLE_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "lf/smp_ble.h"
#include "lf/smp_server.h"
#include "sim_net.h"

/*
 * The virtual device's side of the simulated BLE link (docs/lfmgr.md, "The
 * simulated BLE link"), host only: a UNIX datagram socket bound at a path,
 * each datagram one ATT PDU of at most ATT_MTU bytes:
 *
 *   02 mtu_lo mtu_hi         Exchange MTU Request (client -> device)
 *   03 mtu_lo mtu_hi         Exchange MTU Response (device -> client)
 *   52 h_lo h_hi value...    Write Without Response: one fragment of a request
 *   1B h_lo h_hi value...    Handle Value Notification: one fragment of a reply
 *
 * One link (negotiated MTU, reassembly buffer) per client address. An
 * Exchange MTU Request opens or resets the link; a write from an address
 * that never exchanged MTUs is a link at the default ATT_MTU of 23 (as on
 * the air before an exchange, or after the device reset and lost its links).
 * Requests are reassembled by the SMP header's length (lf/smp_ble.h); each
 * reply goes back as notifications of MTU - 3 bytes to the address the
 * request's last fragment came from. A message larger than the server's
 * buf_size is discarded fragment by fragment and answered with rc 7
 * (EMSGSIZE); a PDU longer than the link's MTU is dropped.
 *
 * Polled like lf_sim_udp: wait for `fd` to be readable, then call
 * lf_sim_ble_sock_handle().
 */

#define LF_SIM_BLE_SOCK_MTU_DEFAULT 247u
#define LF_SIM_BLE_SOCK_LINKS       4u      /* clients tracked at once; the oldest is forgotten */
#define LF_SIM_BLE_SOCK_HANDLE      0x0012u /* SMP characteristic value handle (ignored on input) */

struct lf_sim_ble_sock_stats {
    uint32_t pdus;          /* datagrams received */
    uint32_t writes;        /* Write Without Response fragments taken */
    uint32_t notifications; /* notifications sent */
    uint32_t too_big;       /* messages over buf_size, answered EMSGSIZE */
    uint32_t dropped;       /* PDUs dropped: too long for the link, malformed, unknown */
    uint32_t lost;          /* notifications the client did not take within the timeout */
};

struct lf_sim_ble_link {
    bool used;
    socklen_t addr_len;
    struct sockaddr_un addr;
    unsigned mtu;  /* negotiated: min(client, device) */
    uint32_t last; /* use counter, for replacing the least recently used link */
    struct lf_smp_ble_rx rx;
    uint8_t buf[LF_SIM_MSG_MAX];
};

struct lf_sim_ble_sock {
    int fd;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    unsigned mtu;   /* the device's ATT MTU, 23..517 */
    size_t msg_max; /* largest request reassembled (the server's buf_size) */
    uint32_t uses;
    struct lf_sim_ble_sock_stats stats;
    struct lf_sim_ble_link links[LF_SIM_BLE_SOCK_LINKS];
};

/*
 * Bind a UNIX datagram socket at `path` (an existing socket file there is
 * replaced) with the device's ATT MTU `mtu` (23..517), reassembling requests
 * of up to msg_max bytes (8..LF_SIM_MSG_MAX). LF_OK, LF_E_BLE_MTU, LF_E_INVAL
 * (bad msg_max, path too long) or LF_E_IO (errno tells why).
 */
int lf_sim_ble_sock_open(struct lf_sim_ble_sock *b, const char *path, unsigned mtu, size_t msg_max);

/* Close and unlink the socket path. Safe on a closed or never opened one
 * (fd -1). */
void lf_sim_ble_sock_close(struct lf_sim_ble_sock *b);

/*
 * Take the PDUs pending on the socket (non-blocking), answer MTU exchanges,
 * reassemble writes and pass each complete request to the server. Stops
 * early once the server accepted a reset (the rest belongs to the next
 * boot). Returns the number of requests handled (0: none pending), or
 * LF_E_IO on a socket error.
 */
int lf_sim_ble_sock_handle(struct lf_sim_ble_sock *b, struct lf_smp_server *s);

#endif
