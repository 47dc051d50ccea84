/*
 * UDP and pseudo-terminal SMP transports of the virtual device.
 */
#include "sim_net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "lf/err.h"

/* ---- UDP ------------------------------------------------------------------------ */

int lf_sim_udp_open(struct lf_sim_udp *u, uint16_t port, size_t msg_max)
{
    memset(u, 0, sizeof(*u));
    u->fd = -1;
    if (msg_max == 0 || msg_max > LF_SIM_MSG_MAX) {
        return LF_E_INVAL;
    }
    u->msg_max = msg_max;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return LF_E_IO;
    }
    /* No SO_REUSEADDR: on UDP it lets a second socket bind the same port and
     * take the first one's traffic. The port is ours alone, or bind fails
     * with EADDRINUSE (lfsim run: "in use by another process"). */
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return LF_E_IO;
    }
    u->fd = fd;
    u->port = ntohs(a.sin_port);
    return LF_OK;
}

void lf_sim_udp_close(struct lf_sim_udp *u)
{
    if (u->fd >= 0) {
        close(u->fd);
    }
    u->fd = -1;
}

struct udp_peer {
    int fd;
    struct sockaddr_in addr;
};

static int udp_send(void *ctx, const uint8_t *msg, size_t len)
{
    const struct udp_peer *p = ctx;
    ssize_t n = sendto(p->fd, msg, len, 0, (const struct sockaddr *)&p->addr, sizeof(p->addr));
    return n == (ssize_t)len ? LF_OK : LF_E_IO;
}

int lf_sim_udp_handle(struct lf_sim_udp *u, struct lf_smp_server *s)
{
    struct udp_peer peer = {.fd = u->fd};
    socklen_t al = sizeof(peer.addr);
    /* MSG_TRUNC: the real length, so an oversized datagram is dropped
     * rather than handled cut short. */
    ssize_t n =
        recvfrom(u->fd, u->buf, sizeof(u->buf), MSG_TRUNC, (struct sockaddr *)&peer.addr, &al);
    if (n < 0) {
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : LF_E_IO;
    }
    if ((size_t)n > u->msg_max) {
        u->dropped++;
        return 1;
    }
    int rc = lf_smp_server_handle(s, u->buf, (size_t)n, udp_send, &peer);
    return rc < 0 ? LF_E_IO : 1;
}

/* ---- baud-rate emulation ------------------------------------------------------------ */

static void ts_add_ns(struct timespec *t, uint64_t ns)
{
    uint64_t total = (uint64_t)t->tv_nsec + ns;
    t->tv_sec += (time_t)(total / 1000000000u);
    t->tv_nsec = (long)(total % 1000000000u);
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Nanoseconds of `pos` bytes at 10 bits each, rounded down; no
 * intermediate overflow (pos % baud < 1e8 keeps that product below 2^64)
 * for any duration a uint64_t of nanoseconds holds (584 years). */
static uint64_t bytes_ns(uint64_t pos, unsigned baud)
{
    return pos / baud * 10000000000u + pos % baud * 10000000000u / baud;
}

void lf_sim_baud_time(const struct lf_sim_baud *b, uint64_t pos, struct timespec *t)
{
    *t = b->start;
    if (b->baud != 0) {
        ts_add_ns(t, bytes_ns(pos, b->baud));
    }
}

uint64_t lf_sim_baud_queue(struct lf_sim_baud *b, size_t n)
{
    if (b->baud == 0) {
        return 0;
    }
    struct timespec now, end;
    clock_gettime(CLOCK_MONOTONIC, &now);
    lf_sim_baud_time(b, b->pos, &end);
    if (ts_before(&end, &now)) {
        /* The line fell idle before these bytes were seen. */
        b->start = now;
        b->pos = 0;
    }
    uint64_t first = b->pos;
    b->pos += n;
    return first;
}

void lf_sim_baud_wait(const struct lf_sim_baud *b, uint64_t pos)
{
    if (b->baud == 0) {
        return;
    }
    struct timespec t;
    lf_sim_baud_time(b, pos, &t);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR) {
    }
}

void lf_sim_baud_pace(struct lf_sim_baud *b, size_t n)
{
    if (b->baud == 0 || n == 0) {
        return;
    }
    uint64_t first = lf_sim_baud_queue(b, n);
    lf_sim_baud_wait(b, first + n);
}

/* ---- pseudo-terminal ---------------------------------------------------------------- */

int lf_sim_pty_open(struct lf_sim_pty *p, const char *link, unsigned baud, size_t msg_max)
{
    memset(p, 0, sizeof(*p));
    p->master = p->slave = -1;
    if (msg_max < LF_SMP_SERIAL_MSG_MIN || msg_max > sizeof(p->rx_buf)) {
        return LF_E_INVAL;
    }
    p->in.baud = p->out.baud = baud;
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0 ||
        ptsname_r(p->master, p->slave_path, sizeof(p->slave_path)) != 0) {
        lf_sim_pty_close(p);
        return LF_E_IO;
    }
    p->slave = open(p->slave_path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios t;
    if (p->slave < 0 || tcgetattr(p->slave, &t) != 0) {
        lf_sim_pty_close(p);
        return LF_E_IO;
    }
    /* Raw: no echo of our own output back to us, no CR/LF translation. */
    cfmakeraw(&t);
    if (tcsetattr(p->slave, TCSANOW, &t) != 0 ||
        fcntl(p->master, F_SETFL, fcntl(p->master, F_GETFL) | O_NONBLOCK) != 0 ||
        fcntl(p->master, F_SETFD, FD_CLOEXEC) != 0) {
        lf_sim_pty_close(p);
        return LF_E_IO;
    }
    if (link && link[0]) {
        if (snprintf(p->link, sizeof(p->link), "%s", link) >= (int)sizeof(p->link)) {
            lf_sim_pty_close(p);
            return LF_E_INVAL;
        }
        unlink(link);
        if (symlink(p->slave_path, link) != 0) {
            p->link[0] = 0;
            lf_sim_pty_close(p);
            return LF_E_IO;
        }
    }
    lf_smp_serial_rx_init(&p->rx, p->rx_buf, msg_max);
    return LF_OK;
}

void lf_sim_pty_close(struct lf_sim_pty *p)
{
    if (p->link[0]) {
        unlink(p->link);
        p->link[0] = 0;
    }
    if (p->slave >= 0) {
        close(p->slave);
    }
    if (p->master >= 0) {
        close(p->master);
    }
    p->slave = p->master = -1;
}

static int pty_write_line(void *ctx, const uint8_t *line, size_t len)
{
    struct lf_sim_pty *p = ctx;
    /* The client sees the line once it has gone through the wire, never
     * earlier. */
    lf_sim_baud_pace(&p->out, len);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(p->master, line + done, len - done);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) {
                usleep(1000); /* the client is not reading: wait for room */
                continue;
            }
            return LF_E_IO;
        }
        done += (size_t)n;
    }
    return LF_OK;
}

static int pty_send(void *ctx, const uint8_t *msg, size_t len)
{
    return lf_smp_serial_encode(msg, len, pty_write_line, ctx);
}

int lf_sim_pty_handle(struct lf_sim_pty *p, struct lf_smp_server *s)
{
    int handled = 0;
    for (;;) {
        ssize_t n = read(p->master, p->in_buf, sizeof(p->in_buf));
        if (n <= 0) {
            /* EAGAIN: nothing more queued. EIO: no client has the slave
             * open (we keep one, so rare). */
            if (n == 0 || errno == EAGAIN || errno == EINTR || errno == EIO) {
                return handled;
            }
            return LF_E_IO;
        }
        /* Everything pending, in one read: it goes through the line back to
         * back, after what is still on it. Messages are handled when their
         * last byte is through, and the next read follows at once (no
         * sleep in between), so bytes queued meanwhile are seen while the
         * line is still busy. */
        uint64_t first = lf_sim_baud_queue(&p->in, (size_t)n);
        size_t pos = 0;
        while (pos < (size_t)n) {
            size_t msg_len = 0;
            pos += lf_smp_serial_rx_feed(&p->rx, p->in_buf + pos, (size_t)n - pos, &msg_len);
            if (msg_len) {
                /* Handled when its last byte has arrived, as on a UART. */
                lf_sim_baud_wait(&p->in, first + pos);
                if (lf_smp_server_handle(s, p->rx_buf, msg_len, pty_send, p) < 0) {
                    return LF_E_IO;
                }
                handled++;
                if (lf_smp_server_reset_pending(s)) {
                    return handled; /* the rest belongs to the next boot */
                }
            }
        }
    }
}
