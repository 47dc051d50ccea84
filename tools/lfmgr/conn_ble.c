/*
 * lfmgr: the simulated BLE link ("ble-sim"), SMP over ATT-shaped datagrams on
 * a UNIX datagram socket (docs/lfmgr.md, "The simulated BLE link"). Each
 * datagram is one ATT PDU of at most ATT_MTU bytes:
 *   02 mtu(LE16)              exchange MTU request (client -> device)
 *   03 mtu(LE16)              exchange MTU response (device -> client)
 *   52 handle(LE16) value...  write without response: one fragment of a request
 *   1B handle(LE16) value...  notification: one fragment of a response
 * Fragmentation and reassembly are lf/smp_ble.h's.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "lf/err.h"
#include "lf/smp_ble.h"
#include "lfmgr.h"

#define ATT_EXCHANGE_MTU_REQ 0x02u
#define ATT_EXCHANGE_MTU_RSP 0x03u
#define ATT_WRITE_CMD        0x52u
#define ATT_NOTIFY           0x1Bu
#define SMP_CHAR_HANDLE      0x0012u /* value handle of the SMP characteristic in the sim */

struct ble_priv {
    struct lf_smp_ble_rx rx;
    uint8_t msg[LFM_MSG_MAX];
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
    uint32_t our_mtu; /* asked for in every MTU exchange */
    bool relink;      /* a reply timed out: exchange MTUs again before sending */
};

static int exchange_mtu(struct lfm_conn *c, int tries);

/* Wait for one datagram; LFM_TIMEOUT, LF_EXIT_OK (n set), LF_EXIT_CONN. */
static int dgram_wait(struct lfm_conn *c, uint8_t *buf, size_t cap, int64_t end, size_t *n)
{
    struct ble_priv *b = c->priv;
    for (;;) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int64_t left = end - lfm_now_ms();
        ssize_t r;
        int pr;
        if (left <= 0) {
            return LFM_TIMEOUT;
        }
        pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR) {
            if (lfm_interrupted) {
                return LFM_TIMEOUT; /* Ctrl-C: the caller stops */
            }
            continue;
        }
        if (pr < 0) {
            lfm_err("ble-sim %s: poll: %s", b->path, strerror(errno));
            return LF_EXIT_CONN;
        }
        if (pr == 0) {
            return LFM_TIMEOUT;
        }
        r = recv(c->fd, buf, cap, 0);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (r < 0) {
            lfm_err("ble-sim %s: recv: %s", b->path, strerror(errno));
            return LF_EXIT_CONN;
        }
        *n = (size_t)r;
        return LF_EXIT_OK;
    }
}

static int dgram_send(struct lfm_conn *c, const uint8_t *p, size_t n)
{
    struct ble_priv *b = c->priv;
    for (;;) {
        ssize_t w = send(c->fd, p, n, 0);
        if (w >= 0) {
            return LF_EXIT_OK;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == ENOBUFS) {
            /* The device's receive queue is full: wait for room, like a
             * link layer without free buffers. */
            struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        lfm_err("ble-sim %s: send: %s (is the device running?)", b->path, strerror(errno));
        return LF_EXIT_CONN;
    }
}

static int ble_send(struct lfm_conn *c, const uint8_t *msg, size_t len)
{
    struct ble_priv *b = c->priv;
    struct lf_smp_ble_frag f;
    const uint8_t *p;
    size_t n;
    uint8_t pdu[LF_SMP_BLE_MTU_MAX];
    size_t frags = 0;
    if (b->relink) {
        /* After a timeout the device may have reset and forgotten this link
         * (a reset drops BLE connections): connect again, as a central
         * would, so that the resend is not dropped as too long for the
         * default MTU. One try: the resend's own timeout covers the rest. */
        int err = exchange_mtu(c, 1);
        if (err != LF_EXIT_OK && err != LFM_TIMEOUT) {
            return err;
        }
        b->relink = err != LF_EXIT_OK;
    }
    if (lf_smp_ble_frag_init(&f, msg, len, c->mtu) != LF_OK) {
        lfm_err("ble-sim: bad MTU %u", (unsigned)c->mtu);
        return LF_EXIT_USAGE;
    }
    pdu[0] = ATT_WRITE_CMD;
    pdu[1] = (uint8_t)(SMP_CHAR_HANDLE & 0xFFu);
    pdu[2] = (uint8_t)(SMP_CHAR_HANDLE >> 8);
    while (lf_smp_ble_frag_next(&f, &p, &n)) {
        int err;
        memcpy(pdu + LF_SMP_BLE_ATT_HDR, p, n);
        err = dgram_send(c, pdu, n + LF_SMP_BLE_ATT_HDR);
        if (err) {
            return err;
        }
        frags++;
    }
    if (c->verbose > 1) {
        fprintf(stderr, "ble> %zu bytes in %zu writes (MTU %u)\n", len, frags, (unsigned)c->mtu);
    }
    return LF_EXIT_OK;
}

static int ble_recv(struct lfm_conn *c, uint8_t *buf, size_t cap, int timeout_ms, size_t *len)
{
    struct ble_priv *b = c->priv;
    int64_t end = lfm_now_ms() + timeout_ms;
    uint8_t pdu[LF_SMP_BLE_MTU_MAX + 1];
    for (;;) {
        size_t n = 0;
        size_t off = LF_SMP_BLE_ATT_HDR;
        int err = dgram_wait(c, pdu, sizeof(pdu), end, &n);
        if (err) {
            /* A partial message is lost for good after a timeout (the link
             * layer would have disconnected). */
            lf_smp_ble_rx_reset(&b->rx);
            if (err == LFM_TIMEOUT) {
                b->relink = true;
            }
            return err;
        }
        if (n < LF_SMP_BLE_ATT_HDR || pdu[0] != ATT_NOTIFY || n > c->mtu) {
            continue; /* not a notification of the negotiated size */
        }
        while (off < n) {
            size_t used = 0;
            size_t mlen = 0;
            int rc = lf_smp_ble_rx_write(&b->rx, pdu + off, n - off, &used, &mlen);
            off += used;
            if (rc == LF_OK && mlen > 0 && mlen <= cap) {
                memcpy(buf, b->msg, mlen);
                *len = mlen;
                /* Bytes after the message in the same notification would
                 * start the next one; SMP servers do not send that. */
                return LF_EXIT_OK;
            }
            if (used == 0) {
                break;
            }
        }
    }
}

static void ble_close(struct lfm_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    free(c->priv);
    c->priv = NULL;
}

static const struct lfm_conn_ops ble_ops = {ble_send, ble_recv, ble_close};

/* Exchange MTU Request, repeated after 1 s up to `tries` times; sets c->mtu
 * to min(ours, device's). LF_EXIT_OK, LFM_TIMEOUT or LF_EXIT_CONN.
 * Notifications arriving meanwhile (late replies) are dropped. */
static int exchange_mtu(struct lfm_conn *c, int tries)
{
    struct ble_priv *b = c->priv;
    uint8_t req[3];
    req[0] = ATT_EXCHANGE_MTU_REQ;
    req[1] = (uint8_t)(b->our_mtu & 0xFFu);
    req[2] = (uint8_t)(b->our_mtu >> 8);
    for (int t = 0; t < tries; t++) {
        uint8_t rsp[LF_SMP_BLE_MTU_MAX + 1];
        size_t n = 0;
        int64_t end = lfm_now_ms() + 1000;
        int err = dgram_send(c, req, sizeof(req));
        if (err) {
            return err;
        }
        for (;;) {
            err = dgram_wait(c, rsp, sizeof(rsp), end, &n);
            if (err != LF_EXIT_OK) {
                break;
            }
            if (n == 3 && rsp[0] == ATT_EXCHANGE_MTU_RSP) {
                uint32_t dev_mtu = (uint32_t)rsp[1] | ((uint32_t)rsp[2] << 8);
                if (dev_mtu < LF_SMP_BLE_MTU_MIN) {
                    dev_mtu = LF_SMP_BLE_MTU_MIN;
                }
                c->mtu = dev_mtu < b->our_mtu ? dev_mtu : b->our_mtu;
                lf_smp_ble_rx_reset(&b->rx);
                if (c->verbose > 1) {
                    fprintf(stderr, "ble: MTU %u (ours %u, device %u)\n", (unsigned)c->mtu,
                            (unsigned)b->our_mtu, (unsigned)dev_mtu);
                }
                return LF_EXIT_OK;
            }
        }
        if (err != LFM_TIMEOUT) {
            return err;
        }
    }
    return LFM_TIMEOUT;
}

int lfm_ble_open(struct lfm_conn *c, const char *path, uint32_t mtu)
{
    struct sockaddr_un sa;
    struct ble_priv *b;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        lfm_err("ble-sim: socket path too long");
        return LF_EXIT_USAGE;
    }
    b = calloc(1, sizeof(*b));
    if (b == NULL) {
        lfm_err("out of memory");
        return LF_EXIT_CONN;
    }
    snprintf(b->path, sizeof(b->path), "%s", path);
    lf_smp_ble_rx_init(&b->rx, b->msg, sizeof(b->msg));
    c->priv = b;
    c->ops = &ble_ops;
    c->kind = LFM_CONN_BLE;
    c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        lfm_err("ble-sim: socket: %s", strerror(errno));
        ble_close(c);
        return LF_EXIT_CONN;
    }
    /* Autobind to an abstract address so the device can answer us. */
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (bind(c->fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) != 0) {
        lfm_err("ble-sim: bind: %s", strerror(errno));
        ble_close(c);
        return LF_EXIT_CONN;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        lfm_err("ble-sim: cannot reach the device at %s: %s", path, strerror(errno));
        ble_close(c);
        return LF_EXIT_CONN;
    }
    b->our_mtu = mtu;
    /* "Connect": exchange MTUs; the link uses the smaller one. */
    int err = exchange_mtu(c, 3);
    if (err == LF_EXIT_OK) {
        return LF_EXIT_OK;
    }
    if (err == LFM_TIMEOUT) {
        lfm_err("ble-sim: no MTU exchange response from the device at %s", path);
        err = LF_EXIT_CONN;
    }
    ble_close(c);
    return err;
}
