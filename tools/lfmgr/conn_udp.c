/* lfmgr: SMP over UDP (docs/reference/smp.md 3.3): one message per datagram. */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lfmgr.h"

struct udp_priv {
    bool refused;  /* the last wait saw ICMP port unreachable */
    bool answered; /* something came back on this socket */
    char where[300];
};

static int udp_send(struct lfm_conn *c, const uint8_t *msg, size_t len)
{
    struct udp_priv *p = c->priv;
    ssize_t n;
    do {
        n = send(c->fd, msg, len, 0);
    } while (n < 0 && (errno == EINTR || errno == ECONNREFUSED));
    if (n < 0) {
        lfm_err("udp %s: send: %s", p->where, strerror(errno));
        return LF_EXIT_CONN;
    }
    return LF_EXIT_OK;
}

static int udp_recv(struct lfm_conn *c, uint8_t *buf, size_t cap, int timeout_ms, size_t *len)
{
    struct udp_priv *p = c->priv;
    int64_t end = lfm_now_ms() + timeout_ms;
    p->refused = false;
    for (;;) {
        struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
        int64_t left = end - lfm_now_ms();
        ssize_t n;
        int r;
        if (left <= 0) {
            return LFM_TIMEOUT;
        }
        r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            if (lfm_interrupted) {
                return LFM_TIMEOUT; /* Ctrl-C: the caller stops */
            }
            continue;
        }
        if (r < 0) {
            lfm_err("udp %s: poll: %s", p->where, strerror(errno));
            return LF_EXIT_CONN;
        }
        if (r == 0) {
            return LFM_TIMEOUT;
        }
        n = recv(c->fd, buf, cap, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (n < 0 && errno == ECONNREFUSED) {
            p->refused = true;
            /* Nothing listens there. Before the device ever answered, that
             * is the answer (a missing device fails at once, not after the
             * timeouts); once it has answered, it is a device resetting that
             * comes back, so keep waiting and let a timeout name the cause. */
            if (!p->answered) {
                return LFM_REFUSED;
            }
            usleep(20000);
            continue;
        }
        if (n < 0) {
            lfm_err("udp %s: recv: %s", p->where, strerror(errno));
            return LF_EXIT_CONN;
        }
        p->answered = true;
        *len = (size_t)n;
        return LF_EXIT_OK;
    }
}

static void udp_close(struct lfm_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    free(c->priv);
    c->priv = NULL;
}

static const struct lfm_conn_ops udp_ops = {udp_send, udp_recv, udp_close};

int lfm_udp_open(struct lfm_conn *c, const char *host, const char *port, uint32_t mtu)
{
    struct addrinfo hints;
    struct addrinfo *res = NULL;
    struct addrinfo *ai;
    int rc;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        lfm_err("udp: cannot resolve %s port %s: %s", host, port, gai_strerror(rc));
        return LF_EXIT_CONN;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            c->fd = fd;
            c->ip_hdr = ai->ai_family == AF_INET6 ? 48u : 28u;
            break;
        }
        close(fd);
    }
    freeaddrinfo(res);
    if (c->fd < 0) {
        lfm_err("udp: cannot connect a socket to %s port %s: %s", host, port, strerror(errno));
        return LF_EXIT_CONN;
    }
    {
        struct udp_priv *p = calloc(1, sizeof(*p));
        if (p == NULL) {
            close(c->fd);
            c->fd = -1;
            lfm_err("out of memory");
            return LF_EXIT_CONN;
        }
        snprintf(p->where, sizeof(p->where), "%s:%s", host, port);
        c->priv = p;
    }
    c->kind = LFM_CONN_UDP;
    c->mtu = mtu;
    c->ops = &udp_ops;
    return LF_EXIT_OK;
}

const char *lfm_udp_where(const struct lfm_conn *c)
{
    const struct udp_priv *p = c->priv;
    return c->kind == LFM_CONN_UDP && p != NULL ? p->where : "";
}

bool lfm_udp_refused(const struct lfm_conn *c)
{
    const struct udp_priv *p = c->priv;
    return c->kind == LFM_CONN_UDP && p != NULL && p->refused;
}
