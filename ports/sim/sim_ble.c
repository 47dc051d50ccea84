/*
 * The simulated BLE link: fragmentation and reassembly in both directions
 * with lf/smp_ble.h, the server in the middle.
 */
#include "sim_ble.h"

#include <string.h>

#include "lf/err.h"

int lf_sim_ble_init(struct lf_sim_ble *b, struct lf_smp_server *srv, unsigned mtu, size_t buf_size,
                    lf_sim_ble_rsp_fn on_rsp, void *ctx)
{
    memset(b, 0, sizeof(*b));
    if (lf_smp_ble_chunk_size(mtu) == 0) {
        return LF_E_BLE_MTU;
    }
    if (!srv || !on_rsp || buf_size < LF_SMP_HDR_SIZE || buf_size > LF_SIM_BLE_BUF) {
        return LF_E_INVAL;
    }
    b->mtu = mtu;
    b->srv = srv;
    b->on_rsp = on_rsp;
    b->ctx = ctx;
    lf_smp_ble_rx_init(&b->srv_rx, b->srv_buf, buf_size);
    lf_smp_ble_rx_init(&b->cli_rx, b->cli_buf, sizeof(b->cli_buf));
    return LF_OK;
}

static void note_fragment(struct lf_sim_ble *b, size_t n)
{
    if (n > b->stats.max_fragment) {
        b->stats.max_fragment = (uint32_t)n;
    }
}

/* One notification arriving at the client. */
static void client_receive(struct lf_sim_ble *b, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t used, msg_len;
        int err = lf_smp_ble_rx_write(&b->cli_rx, p + off, n - off, &used, &msg_len);
        off += used;
        if (err == LF_E_BLE_TOO_BIG) {
            b->stats.dropped++;
        } else if (msg_len) {
            b->on_rsp(b->ctx, b->cli_buf, msg_len);
        }
    }
}

/* The server's reply, sent as notifications. */
static int server_notify(void *ctx, const uint8_t *msg, size_t len)
{
    struct lf_sim_ble *b = ctx;
    struct lf_smp_ble_frag f;
    int err = lf_smp_ble_frag_init(&f, msg, len, b->mtu);
    if (err) {
        return err;
    }
    const uint8_t *p;
    size_t n;
    while (lf_smp_ble_frag_next(&f, &p, &n)) {
        b->stats.notifications++;
        note_fragment(b, n);
        client_receive(b, p, n);
    }
    return LF_OK;
}

/* One write arriving at the server. */
static int server_receive(struct lf_sim_ble *b, const uint8_t *p, size_t n)
{
    size_t off = 0;
    while (off < n) {
        size_t used, msg_len;
        int err = lf_smp_ble_rx_write(&b->srv_rx, p + off, n - off, &used, &msg_len);
        off += used;
        if (err == LF_E_BLE_TOO_BIG) {
            b->stats.dropped++; /* larger than buf_size: the server never sees it */
        } else if (msg_len) {
            int rc = lf_smp_server_handle(b->srv, b->srv_buf, msg_len, server_notify, b);
            if (rc < 0) {
                return rc;
            }
        }
    }
    return LF_OK;
}

int lf_sim_ble_send(struct lf_sim_ble *b, const uint8_t *msg, size_t len)
{
    struct lf_smp_ble_frag f;
    int err = lf_smp_ble_frag_init(&f, msg, len, b->mtu);
    const uint8_t *p;
    size_t n;
    while (!err && lf_smp_ble_frag_next(&f, &p, &n)) {
        b->stats.writes++;
        note_fragment(b, n);
        err = server_receive(b, p, n);
    }
    return err;
}
