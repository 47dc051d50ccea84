/* lfmgr: SMP over a serial console (docs/reference/smp.md 3.1) on a tty or pty, raw mode. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "lf/smp_serial.h"
#include "lfmgr.h"

#define SERIAL_READ_CHUNK 4096u

struct serial_priv {
    struct lf_smp_serial_rx rx;
    uint8_t msg[LF_SMP_SERIAL_MSG_MAX];
    uint8_t in[SERIAL_READ_CHUNK]; /* bytes read but not yet fed */
    size_t in_off, in_len;
    uint8_t out[LF_SMP_SERIAL_ENC_SIZE(LF_SMP_SERIAL_MSG_MAX)];
    char dev[256];
    bool answered; /* bytes came from the other side in this run */
};

struct baud_map {
    uint32_t rate;
    speed_t code;
};

static const struct baud_map bauds[] = {
    {1200, B1200},       {2400, B2400},       {4800, B4800},       {9600, B9600},
    {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},
    {921600, B921600},   {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000},
    {2000000, B2000000}, {3000000, B3000000}, {4000000, B4000000},
};

static int write_all(struct lfm_conn *c, const uint8_t *p, size_t n)
{
    struct serial_priv *s = c->priv;
    while (n > 0) {
        ssize_t w = write(c->fd, p, n);
        if (w < 0 && errno == EAGAIN) {
            struct pollfd pfd = {.fd = c->fd, .events = POLLOUT};
            if (poll(&pfd, 1, 5000) == 0) {
                lfm_err("serial %s: write stalled for 5 s (is the other side reading?)", s->dev);
                return LF_EXIT_CONN;
            }
            continue;
        }
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w < 0 && errno == EIO && !s->answered) {
            lfm_err("serial %s: nothing answers there (the other side of the line is closed: is "
                    "the device, or `lfsim run`, running?)",
                    s->dev);
            return LF_EXIT_CONN;
        }
        if (w < 0) {
            lfm_err("serial %s: write: %s", s->dev, strerror(errno));
            return LF_EXIT_CONN;
        }
        p += w;
        n -= (size_t)w;
    }
    return LF_EXIT_OK;
}

static int serial_send(struct lfm_conn *c, const uint8_t *msg, size_t len)
{
    struct serial_priv *s = c->priv;
    size_t n = 0;
    int err = lf_smp_serial_encode_buf(msg, len, s->out, sizeof(s->out), &n);
    if (err) {
        lfm_err("serial: message of %zu bytes cannot be framed", len);
        return LF_EXIT_USAGE;
    }
    if (c->verbose > 1) {
        fprintf(stderr, "serial> %zu bytes in %zu lines\n", n,
                (n + LF_SMP_SERIAL_LINE_MAX - 1) / LF_SMP_SERIAL_LINE_MAX);
    }
    return write_all(c, s->out, n);
}

static int serial_recv(struct lfm_conn *c, uint8_t *buf, size_t cap, int timeout_ms, size_t *len)
{
    struct serial_priv *s = c->priv;
    int64_t end = lfm_now_ms() + timeout_ms;
    for (;;) {
        while (s->in_off < s->in_len) {
            size_t mlen = 0;
            size_t used =
                lf_smp_serial_rx_feed(&s->rx, s->in + s->in_off, s->in_len - s->in_off, &mlen);
            s->in_off += used;
            if (mlen > 0) {
                if (mlen > cap) {
                    continue; /* cannot be a reply we handle */
                }
                memcpy(buf, s->msg, mlen);
                *len = mlen;
                return LF_EXIT_OK;
            }
        }
        s->in_off = s->in_len = 0;
        {
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
                lfm_err("serial %s: poll: %s", s->dev, strerror(errno));
                return LF_EXIT_CONN;
            }
            if (r == 0) {
                return LFM_TIMEOUT;
            }
            n = read(c->fd, s->in, sizeof(s->in));
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                continue;
            }
            if ((n < 0 && errno == EIO) || (n == 0 && (pfd.revents & POLLHUP))) {
                /* The other side of the pty is closed (or the adapter is
                 * gone). Before anything came from it in this run, that is
                 * the answer: nothing is there. Afterwards it may be a
                 * device restarting: wait for it until the timeout. */
                if (!s->answered) {
                    lfm_err("serial %s: nothing answers there (the other side of the line is "
                            "closed: is the device, or `lfsim run`, running?)",
                            s->dev);
                    return LF_EXIT_CONN;
                }
                usleep(10000);
                continue;
            }
            if (n < 0) {
                lfm_err("serial %s: read: %s", s->dev, strerror(errno));
                return LF_EXIT_CONN;
            }
            if (n == 0) {
                usleep(10000);
                continue;
            }
            s->in_len = (size_t)n;
            s->answered = true;
        }
    }
}

static void serial_close(struct lfm_conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    free(c->priv);
    c->priv = NULL;
}

static const struct lfm_conn_ops serial_ops = {serial_send, serial_recv, serial_close};

int lfm_serial_open(struct lfm_conn *c, const char *dev, uint32_t baud)
{
    struct termios tio;
    struct serial_priv *s;
    speed_t code = 0;
    bool found = false;
    size_t i;
    for (i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++) {
        if (bauds[i].rate == baud) {
            code = bauds[i].code;
            found = true;
        }
    }
    if (!found) {
        lfm_err("serial: unsupported baud rate %u", (unsigned)baud);
        return LF_EXIT_USAGE;
    }
    c->fd = open(dev, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (c->fd < 0) {
        lfm_err("serial: cannot open %s: %s%s", dev, strerror(errno),
                errno == ENOENT ? " (is the device connected, or `lfsim run` with --pty running?)"
                                : "");
        return LF_EXIT_CONN;
    }
    if (tcgetattr(c->fd, &tio) != 0) {
        lfm_err("serial: %s is not a terminal: %s", dev, strerror(errno));
        close(c->fd);
        c->fd = -1;
        return LF_EXIT_CONN;
    }
    cfmakeraw(&tio);
    tio.c_cflag |= CLOCAL | CREAD;
    tio.c_cflag &= ~(tcflag_t)CRTSCTS;
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    cfsetispeed(&tio, code);
    cfsetospeed(&tio, code);
    if (tcsetattr(c->fd, TCSANOW, &tio) != 0) {
        lfm_err("serial: cannot configure %s: %s", dev, strerror(errno));
        close(c->fd);
        c->fd = -1;
        return LF_EXIT_CONN;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        close(c->fd);
        c->fd = -1;
        lfm_err("out of memory");
        return LF_EXIT_CONN;
    }
    lf_smp_serial_rx_init(&s->rx, s->msg, sizeof(s->msg));
    snprintf(s->dev, sizeof(s->dev), "%s", dev);
    c->priv = s;
    c->kind = LFM_CONN_SERIAL;
    c->baud = baud;
    c->ops = &serial_ops;
    return LF_EXIT_OK;
}
