#ifndef LF_SIM_BLE_H
#define LF_SIM_BLE_H

#include <stddef.h>
#include <stdint.h>

#include "lf/smp_ble.h"
#include "lf/smp_server.h"

/*
 * A simulated BLE link between an SMP client and the server (docs/reference/smp.md 3.2), in
 * one process: the client's message goes out as Write Without Response
 * fragments of ATT_MTU - 3 bytes, the server reassembles them by the SMP
 * header's length, and every reply comes back as notifications of the same
 * size, reassembled on the client side. The radio belongs to a port; this
 * is the part of the transport that is ours.
 */

#define LF_SIM_BLE_BUF 4096u

struct lf_sim_ble_stats {
    uint32_t writes;        /* fragments client -> server */
    uint32_t notifications; /* fragments server -> client */
    uint32_t max_fragment;  /* largest fragment seen (<= MTU - 3) */
    uint32_t dropped;       /* messages larger than a reassembly buffer */
};

typedef void (*lf_sim_ble_rsp_fn)(void *ctx, const uint8_t *msg, size_t len);

struct lf_sim_ble {
    unsigned mtu;
    struct lf_smp_server *srv;
    lf_sim_ble_rsp_fn on_rsp;
    void *ctx;
    struct lf_smp_ble_rx srv_rx; /* server side: writes -> requests */
    struct lf_smp_ble_rx cli_rx; /* client side: notifications -> responses */
    uint8_t srv_buf[LF_SIM_BLE_BUF];
    uint8_t cli_buf[LF_SIM_BLE_BUF];
    struct lf_sim_ble_stats stats;
};

/* A link with ATT_MTU `mtu` (23..517) whose server accepts requests up to
 * buf_size bytes (the server's reported buf_size). Responses are passed to
 * on_rsp. LF_E_BLE_MTU or LF_E_INVAL on bad arguments. */
int lf_sim_ble_init(struct lf_sim_ble *b, struct lf_smp_server *srv, unsigned mtu, size_t buf_size,
                    lf_sim_ble_rsp_fn on_rsp, void *ctx);

/* The client sends one message (fragmented); the server's replies arrive
 * through on_rsp before this returns. */
int lf_sim_ble_send(struct lf_sim_ble *b, const uint8_t *msg, size_t len);

#endif
