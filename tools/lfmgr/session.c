/* lfmgr: the SMP session: sequence numbers, v2 -> v1 fallback, timeouts and
 * resends, the protocol log and OS params (docs/reference/smp.md 1.2, 1.4, 5.4). */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "lf/err.h"
#include "lfmgr.h"

/* Sizes assumed when the device cannot tell (params unsupported or silent):
 * one 128-byte serial buffer, else Zephyr's default netbuf. */
#define ASSUMED_BUF_SIZE_SERIAL 128u
#define ASSUMED_BUF_SIZE_OTHER  384u

void lfm_session_init(struct lfm_session *s, struct lfm_conn *c)
{
    memset(s, 0, sizeof(*s));
    s->conn = c;
    s->ver = LF_SMP_VER_2;
    s->seq = (uint8_t)(lfm_now_ms() & 0xFF); /* a fresh run does not reuse the last run's seq */
    s->timeout_ms = 3000;
    s->long_timeout_ms = 40000;
    s->retries = 3;
    s->buf_size = c->kind == LFM_CONN_SERIAL ? ASSUMED_BUF_SIZE_SERIAL : ASSUMED_BUF_SIZE_OTHER;
    s->buf_count = 1;
    s->t0_ms = lfm_now_ms();
}

static const char *op_name(uint8_t op)
{
    static const char *const names[] = {"read", "read-rsp", "write", "write-rsp"};
    return op < 4 ? names[op] : "op?";
}

static void log_msg(const struct lfm_session *s, const char *dir, const uint8_t *msg, size_t len)
{
    struct lf_smp_hdr h;
    char diag[512];
    const char *g;
    if (s->verbose <= 0 || lf_smp_hdr_decode(msg, len, &h) != LF_OK) {
        return;
    }
    g = lf_smp_group_name(h.group);
    lfm_cbor_diag(msg + LF_SMP_HDR_SIZE, len - LF_SMP_HDR_SIZE < h.len ? 0 : h.len, diag,
                  sizeof(diag));
    fprintf(stderr, "%8.3f %s v%u %s %s(%u) id %u seq %u len %u %s\n",
            (double)(lfm_now_ms() - s->t0_ms) / 1000.0, dir, h.ver + 1u, op_name(h.op),
            g ? g : "group", h.group, h.id, h.seq, h.len, diag);
}

int lfm_session_build(struct lfm_session *s, lfm_build_fn build, const void *arg)
{
    struct lf_smp_req r;
    size_t len = 0;
    int err;
    lf_smp_req_begin(&r, s->tx, sizeof(s->tx), s->ver, s->seq);
    err = build(&r, arg, &len);
    if (err) {
        lfm_err("cannot encode the request: %s", lf_err_str(err));
        return LF_EXIT_USAGE;
    }
    s->tx_len = len;
    lf_smp_hdr_decode(s->tx, len, &s->tx_hdr);
    s->seq++;
    return LF_EXIT_OK;
}

int lfm_session_send(struct lfm_session *s)
{
    log_msg(s, "->", s->tx, s->tx_len);
    return s->conn->ops->send(s->conn, s->tx, s->tx_len);
}

int lfm_session_recv(struct lfm_session *s, int timeout_ms, struct lf_smp_rsp *rsp)
{
    int64_t end = lfm_now_ms() + timeout_ms;
    for (;;) {
        size_t len = 0;
        int64_t left = end - lfm_now_ms();
        int err;
        if (left <= 0) {
            return LFM_TIMEOUT;
        }
        err = s->conn->ops->recv(s->conn, s->rx, sizeof(s->rx), (int)left, &len);
        if (err) {
            return err;
        }
        log_msg(s, "<-", s->rx, len);
        err = lf_smp_rsp_parse(s->rx, len, rsp);
        if (err) {
            lfm_log(s, "   (ignored: not a well-formed SMP response: %s)", lf_err_str(err));
            continue;
        }
        if (rsp->hdr.ver == LF_SMP_VER_1 && s->ver == LF_SMP_VER_2 && !s->ver_forced) {
            lfm_log(s, "   (the device answers with SMP v1: using v1 from now on)");
            s->ver = LF_SMP_VER_1;
        }
        return LF_EXIT_OK;
    }
}

void lfm_format_status(const struct lf_smp_rsp *rsp, char *buf, size_t cap)
{
    size_t n = 0;
    if (rsp->has_err && rsp->err_rc != 0) {
        const char *gn = lf_smp_group_name(rsp->err_group);
        const char *en = lf_smp_group_err_name(rsp->err_group, rsp->err_rc);
        n = (size_t)snprintf(buf, cap, "%s group error %s (group %" PRIu32 ", rc %" PRId64 ")",
                             gn ? gn : "unknown", en ? en : "?", rsp->err_group, rsp->err_rc);
    } else if (rsp->has_rc && rsp->rc != 0) {
        const char *rn = lf_smp_rc_name(rsp->rc);
        n = (size_t)snprintf(buf, cap, "error %s (rc %" PRId64 ")", rn ? rn : "?", rsp->rc);
    } else {
        n = (size_t)snprintf(buf, cap, "ok");
    }
    if (rsp->rsn.len > 0 && n < cap) {
        snprintf(buf + n, cap - n, ": %.*s", (int)(rsp->rsn.len > 200 ? 200 : rsp->rsn.len),
                 (const char *)rsp->rsn.ptr);
    }
}

static int build_last_error(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_bootloader_info(r, "last_error", len);
}

/* The reason of the device's last error reply, if it keeps one. */
static bool lfm_last_error(struct lfm_session *s, char *out, size_t cap)
{
    struct lf_smp_rsp r;
    struct lf_cbor_str t;
    int retries = s->retries;
    bool quiet = s->quiet_timeout;
    s->retries = 0;
    s->quiet_timeout = true;
    int err = lfm_transact(s, "last error", build_last_error, NULL, 1000, &r);
    s->retries = retries;
    s->quiet_timeout = quiet;
    if (err || !lf_smp_rsp_ok(&r) || lf_smp_rsp_text(&r, "reason", &t) != LF_OK || t.len == 0) {
        return false;
    }
    snprintf(out, cap, "%.*s", (int)t.len, (const char *)t.ptr);
    return true;
}

void lfm_report_device_error(struct lfm_session *s, const char *what, const struct lf_smp_rsp *rsp)
{
    char msg[400];
    char rsn[128];
    struct lf_cbor_str t;
    lfm_format_status(rsp, msg, sizeof(msg));
    /* rsp points into the session's buffer: ask only after formatting */
    if (s && lf_smp_rsp_text(rsp, "rsn", &t) != LF_OK && lfm_last_error(s, rsn, sizeof(rsn))) {
        lfm_err("%s: the device returned %s: %s", what, msg, rsn);
        return;
    }
    lfm_err("%s: the device returned %s", what, msg);
}

void lfm_report_unreachable(struct lfm_session *s)
{
    if (!s->unreachable) {
        lfm_err("udp %s: nothing answers there (connection refused: no device listens on "
                "that port; is the device, or `lfsim run`, running?)",
                lfm_udp_where(s->conn));
    }
    s->unreachable = true;
}

int lfm_transact(struct lfm_session *s, const char *what, lfm_build_fn build, const void *arg,
                 int timeout_ms, struct lf_smp_rsp *rsp)
{
    int attempt;
    int refusals = 0;
    bool refused = false;
    bool downgraded = false;
    int err;
    if (timeout_ms <= 0) {
        timeout_ms = s->timeout_ms;
    }
    err = lfm_session_build(s, build, arg);
    if (err) {
        return err;
    }
    for (attempt = 0; attempt <= s->retries; attempt++) {
        if (attempt > 0) {
            lfm_log(s, "   (no reply in %d ms: resending, try %d of %d)", timeout_ms, attempt + 1,
                    s->retries + 1);
        }
        err = lfm_session_send(s);
        if (err) {
            return err;
        }
        for (;;) {
            err = lfm_session_recv(s, timeout_ms, rsp);
            if (err == LFM_REFUSED) {
                /* The OS says nothing listens there. Two quick resends
                 * (a device starting up this very moment), then stop: a
                 * missing device costs a second, not the timeouts. */
                if (++refusals <= 2) {
                    struct timespec nap = {0, 300 * 1000 * 1000};
                    nanosleep(&nap, NULL);
                    attempt--;
                    break;
                }
                lfm_report_unreachable(s);
                return LF_EXIT_CONN;
            }
            if (err == LFM_TIMEOUT) {
                refused = refused || lfm_udp_refused(s->conn);
                break;
            }
            if (err) {
                return err;
            }
            if (!lf_smp_rsp_matches(&s->tx_hdr, rsp)) {
                lfm_log(s, "   (ignored: not the reply to seq %u)", s->tx_hdr.seq);
                continue;
            }
            if (rsp->has_rc && rsp->rc == LF_SMP_RC_UNSUPPORTED_TOO_NEW &&
                s->tx_hdr.ver == LF_SMP_VER_2 && !s->ver_forced && !downgraded) {
                /* A server that knows only SMP v1 and says so: resend as v1. */
                lfm_log(s, "   (the device does not support SMP v2: resending as v1)");
                s->ver = LF_SMP_VER_1;
                s->seq--;
                err = lfm_session_build(s, build, arg);
                if (err) {
                    return err;
                }
                downgraded = true;
                attempt = -1;
                break;
            }
            return LF_EXIT_OK;
        }
    }
    if (s->quiet_timeout) {
        return LF_EXIT_CONN;
    }
    if (refused) {
        lfm_err("%s: no reply (connection refused: is the device listening?)", what);
    } else {
        lfm_err("%s: no reply from the device after %d tries of %d ms", what, s->retries + 1,
                timeout_ms);
    }
    return LF_EXIT_CONN;
}

int lfm_request(struct lfm_session *s, const char *what, lfm_build_fn build, const void *arg,
                int timeout_ms, struct lf_smp_rsp *rsp)
{
    int err = lfm_transact(s, what, build, arg, timeout_ms, rsp);
    if (err) {
        return err;
    }
    if (!lf_smp_rsp_ok(rsp)) {
        lfm_report_device_error(s, what, rsp);
        return LF_EXIT_DEVICE;
    }
    return LF_EXIT_OK;
}

static int build_params(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_params(r, len);
}

int lfm_session_params(struct lfm_session *s)
{
    struct lf_smp_rsp rsp;
    uint64_t v = 0;
    int saved_retries = s->retries;
    int err;
    if (s->have_params) {
        return LF_EXIT_OK;
    }
    /* One try, then fall back (smp.md 5.4): a device without the
     * command may stay silent. If the device is not there at all, the
     * command itself times out next. */
    s->retries = 0;
    s->quiet_timeout = true;
    err = lfm_transact(s, "params", build_params, NULL, 0, &rsp);
    s->retries = saved_retries;
    s->quiet_timeout = false;
    if (err == LF_EXIT_CONN && s->unreachable) {
        return err;
    }
    if (err == LF_EXIT_CONN) {
        lfm_err("warning: no answer to the params request; assuming buf_size %" PRIu32,
                s->buf_size_override ? s->buf_size_override : s->buf_size);
    }
    if (err == LF_EXIT_OK && lf_smp_rsp_ok(&rsp) &&
        lf_smp_rsp_uint(&rsp, "buf_size", &v) == LF_OK && v >= 32u && v <= UINT32_MAX) {
        s->buf_size = (uint32_t)v;
        if (lf_smp_rsp_uint(&rsp, "buf_count", &v) == LF_OK && v > 0 && v <= 255u) {
            s->buf_count = (uint32_t)v;
        }
        s->have_params = true;
    } else {
        lfm_log(s, "   (no usable params: assuming buf_size %" PRIu32 ")", s->buf_size);
    }
    if (s->buf_size_override != 0) {
        s->buf_size = s->buf_size_override;
    }
    return LF_EXIT_OK;
}
