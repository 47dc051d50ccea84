/*
 * The simulated BLE link, device side: ATT PDUs on a UNIX datagram socket,
 * SMP fragmentation and reassembly with lf/smp_ble.h.
 */
#include "sim_ble_sock.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "lf/cbor.h"
#include "lf/err.h"
#include "lf/smp_hdr.h"

#define ATT_EXCHANGE_MTU_REQ 0x02u
#define ATT_EXCHANGE_MTU_RSP 0x03u
#define ATT_WRITE_CMD        0x52u
#define ATT_NOTIFY           0x1Bu

/* How long a notification may wait for room in the client's receive queue
 * before it is given up (the client is gone or stuck; it will time out and
 * resend). */
#define NOTIFY_TIMEOUT_MS 2000

/* PDUs taken per call, so that one busy client cannot starve the other
 * transports of the poll loop. */
#define PDUS_PER_CALL 256u

int lf_sim_ble_sock_open(struct lf_sim_ble_sock *b, const char *path, unsigned mtu, size_t msg_max)
{
    memset(b, 0, sizeof(*b));
    b->fd = -1;
    if (lf_smp_ble_chunk_size(mtu) == 0) {
        return LF_E_BLE_MTU;
    }
    if (msg_max < LF_SMP_HDR_SIZE || msg_max > LF_SIM_MSG_MAX || path == NULL ||
        strlen(path) == 0 || strlen(path) >= sizeof(b->path)) {
        return LF_E_INVAL;
    }
    b->mtu = mtu;
    b->msg_max = msg_max;
    /* Blocking for sends: a full client queue then waits (up to the send
     * timeout) the way a link layer waits for free buffers; receives use
     * MSG_DONTWAIT. */
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return LF_E_IO;
    }
    struct timeval tv = {.tv_sec = NOTIFY_TIMEOUT_MS / 1000,
                         .tv_usec = (NOTIFY_TIMEOUT_MS % 1000) * 1000};
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    memcpy(a.sun_path, path, strlen(path) + 1);
    unlink(path);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
        bind(fd, (const struct sockaddr *)&a, sizeof(a)) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return LF_E_IO;
    }
    memcpy(b->path, path, strlen(path) + 1);
    b->fd = fd;
    return LF_OK;
}

void lf_sim_ble_sock_close(struct lf_sim_ble_sock *b)
{
    if (b->fd >= 0) {
        close(b->fd);
        unlink(b->path);
    }
    b->fd = -1;
}

static struct lf_sim_ble_link *link_find(struct lf_sim_ble_sock *b, const struct sockaddr_un *a,
                                         socklen_t alen)
{
    for (size_t i = 0; i < LF_SIM_BLE_SOCK_LINKS; i++) {
        struct lf_sim_ble_link *l = &b->links[i];
        if (l->used && l->addr_len == alen && memcmp(&l->addr, a, alen) == 0) {
            return l;
        }
    }
    return NULL;
}

/* A new link for this address at `mtu`, replacing the least recently used
 * one when all are taken. */
static struct lf_sim_ble_link *link_new(struct lf_sim_ble_sock *b, const struct sockaddr_un *a,
                                        socklen_t alen, unsigned mtu)
{
    struct lf_sim_ble_link *l = link_find(b, a, alen);
    for (size_t i = 0; l == NULL && i < LF_SIM_BLE_SOCK_LINKS; i++) {
        if (!b->links[i].used) {
            l = &b->links[i];
        }
    }
    if (l == NULL) {
        l = &b->links[0];
        for (size_t i = 1; i < LF_SIM_BLE_SOCK_LINKS; i++) {
            if (b->links[i].last < l->last) {
                l = &b->links[i];
            }
        }
    }
    l->used = true;
    l->addr_len = alen;
    memset(&l->addr, 0, sizeof(l->addr));
    memcpy(&l->addr, a, alen);
    l->mtu = mtu;
    lf_smp_ble_rx_init(&l->rx, l->buf, b->msg_max);
    return l;
}

struct notify_ctx {
    struct lf_sim_ble_sock *b;
    struct lf_sim_ble_link *l;
};

/* The server's reply as notifications to the link's address. */
static int notify(void *ctx, const uint8_t *msg, size_t len)
{
    struct notify_ctx *n = ctx;
    struct lf_smp_ble_frag f;
    const uint8_t *p;
    size_t pn;
    uint8_t pdu[LF_SMP_BLE_MTU_MAX];
    int err = lf_smp_ble_frag_init(&f, msg, len, n->l->mtu);
    if (err) {
        return err;
    }
    pdu[0] = ATT_NOTIFY;
    pdu[1] = (uint8_t)(LF_SIM_BLE_SOCK_HANDLE & 0xFFu);
    pdu[2] = (uint8_t)(LF_SIM_BLE_SOCK_HANDLE >> 8);
    while (lf_smp_ble_frag_next(&f, &p, &pn)) {
        memcpy(pdu + LF_SMP_BLE_ATT_HDR, p, pn);
        ssize_t w;
        do {
            w = sendto(n->b->fd, pdu, pn + LF_SMP_BLE_ATT_HDR, 0,
                       (const struct sockaddr *)&n->l->addr, n->l->addr_len);
        } while (w < 0 && errno == EINTR);
        if (w < 0) {
            /* The client is gone (ECONNREFUSED, ENOENT) or not reading
             * (EAGAIN after the timeout): the rest of this reply is lost,
             * as on a dropped connection. Not the server's error. */
            n->b->stats.lost++;
            return LF_OK;
        }
        n->b->stats.notifications++;
    }
    return LF_OK;
}

/* {"rc": 7} for a request whose fragments were discarded (header in hdr). */
static int answer_too_big(struct notify_ctx *n, const uint8_t hdr[LF_SMP_HDR_SIZE])
{
    struct lf_smp_hdr h;
    struct lf_cbor_enc e;
    uint8_t rsp[LF_SMP_HDR_SIZE + 16];
    size_t body = 0;
    if (lf_smp_hdr_decode(hdr, LF_SMP_HDR_SIZE, &h) != LF_E_SMP_PAYLOAD_SHORT ||
        (h.op != LF_SMP_OP_READ && h.op != LF_SMP_OP_WRITE)) {
        return LF_OK; /* not a request: nothing to answer */
    }
    lf_cbor_enc_init(&e, rsp + LF_SMP_HDR_SIZE, sizeof(rsp) - LF_SMP_HDR_SIZE);
    lf_cbor_enc_map(&e, 1);
    lf_cbor_enc_text_z(&e, "rc");
    lf_cbor_enc_uint(&e, LF_SMP_RC_EMSGSIZE);
    int err = lf_cbor_enc_finish(&e, &body);
    if (err) {
        return err;
    }
    h.op = (uint8_t)(h.op + 1u); /* READ -> READ_RSP, WRITE -> WRITE_RSP */
    h.flags = 0;
    h.len = (uint16_t)body;
    err = lf_smp_hdr_encode(&h, rsp);
    if (err) {
        return err;
    }
    return notify(n, rsp, LF_SMP_HDR_SIZE + body);
}

/* One Write Without Response value: reassemble, serve complete requests.
 * Returns the number handled or a server/send error. */
static int take_write(struct lf_sim_ble_sock *b, struct lf_sim_ble_link *l, struct lf_smp_server *s,
                      const uint8_t *v, size_t n)
{
    struct notify_ctx nc = {b, l};
    int handled = 0;
    size_t off = 0;
    b->stats.writes++;
    while (off < n && !lf_smp_server_reset_pending(s)) {
        size_t used = 0;
        size_t msg_len = 0;
        int err = lf_smp_ble_rx_write(&l->rx, v + off, n - off, &used, &msg_len);
        off += used;
        if (err == LF_E_BLE_TOO_BIG) {
            b->stats.too_big++;
            err = answer_too_big(&nc, l->buf);
        } else if (err == LF_OK && msg_len > 0) {
            err = lf_smp_server_handle(s, l->buf, msg_len, notify, &nc);
            if (err >= 0) {
                handled++;
                err = LF_OK;
            }
        }
        if (err) {
            return err;
        }
        if (used == 0) {
            break; /* cannot happen with len > 0; never spin */
        }
    }
    return handled;
}

/* Exchange MTU: (re)open the link, answer with the device's MTU. */
static void take_exchange(struct lf_sim_ble_sock *b, const struct sockaddr_un *a, socklen_t alen,
                          const uint8_t *pdu)
{
    unsigned cm = (unsigned)pdu[1] | ((unsigned)pdu[2] << 8);
    /* A client MTU below the minimum is read as the minimum (Bluetooth Core spec:
     * ATT_MTU is never below 23). */
    unsigned mtu = cm < b->mtu ? cm : b->mtu;
    if (mtu < LF_SMP_BLE_MTU_MIN) {
        mtu = LF_SMP_BLE_MTU_MIN;
    }
    const uint8_t rsp[3] = {ATT_EXCHANGE_MTU_RSP, (uint8_t)(b->mtu & 0xFFu),
                            (uint8_t)(b->mtu >> 8)};
    link_new(b, a, alen, mtu)->last = ++b->uses;
    if (sendto(b->fd, rsp, sizeof(rsp), 0, (const struct sockaddr *)a, alen) < 0) {
        b->stats.lost++;
    }
}

int lf_sim_ble_sock_handle(struct lf_sim_ble_sock *b, struct lf_smp_server *s)
{
    int handled = 0;
    for (unsigned i = 0; i < PDUS_PER_CALL && !lf_smp_server_reset_pending(s); i++) {
        uint8_t pdu[LF_SMP_BLE_MTU_MAX];
        struct sockaddr_un a;
        socklen_t alen = sizeof(a);
        memset(&a, 0, sizeof(a));
        /* MSG_TRUNC: the real length, so that a PDU longer than any MTU is
         * dropped rather than taken cut short. */
        ssize_t n = recvfrom(b->fd, pdu, sizeof(pdu), MSG_DONTWAIT | MSG_TRUNC,
                             (struct sockaddr *)&a, &alen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                return handled;
            }
            return LF_E_IO;
        }
        b->stats.pdus++;
        if (alen <= sizeof(sa_family_t) || alen > sizeof(a)) {
            b->stats.dropped++; /* an unbound sender: no address to answer */
            continue;
        }
        if ((size_t)n == 3 && pdu[0] == ATT_EXCHANGE_MTU_REQ) {
            take_exchange(b, &a, alen, pdu);
            continue;
        }
        if ((size_t)n < LF_SMP_BLE_ATT_HDR || pdu[0] != ATT_WRITE_CMD) {
            b->stats.dropped++; /* other opcodes are ignored */
            continue;
        }
        struct lf_sim_ble_link *l = link_find(b, &a, alen);
        if (l == NULL) {
            l = link_new(b, &a, alen, LF_SMP_BLE_MTU_MIN);
        }
        l->last = ++b->uses;
        if ((size_t)n > l->mtu) {
            b->stats.dropped++;
            continue;
        }
        int h = take_write(b, l, s, pdu + LF_SMP_BLE_ATT_HDR, (size_t)n - LF_SMP_BLE_ATT_HDR);
        if (h < 0) {
            return LF_E_IO;
        }
        handled += h;
    }
    return handled;
}
