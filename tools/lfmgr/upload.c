/* lfmgr: the upload engine (docs/reference/smp.md 2.2, 4 and 5.4), with a small window
 * of pipelined requests. The device's returned offset is the only truth:
 * every reply either confirms the chunk it answers or moves the send
 * position to the offset the device wants, dropping the requests in flight
 * (their replies are then ignored). Since every chunk carries the file's
 * bytes at their true offset, a stale request the device still accepts
 * writes exactly what a fresh one would. */
#include <inttypes.h>
#include <signal.h>
#include <string.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "progress.h"
#include "upload.h"

struct flight {
    uint8_t seq;
    uint32_t off;
    uint32_t dlen;
    bool first;
};

struct up_ctx {
    struct lfm_session *s;
    const uint8_t *file;
    struct lf_smp_upload u;
    struct flight fl[LFM_WINDOW_MAX];
    unsigned nfl;
};

static int build_chunk(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_upload(r, arg, len);
}

/* Send the chunk at `off`; returns an LF_EXIT_* code. */
static int send_chunk(struct up_ctx *x, uint32_t off, size_t budget, struct lfm_upload_stats *st)
{
    struct lf_smp_chunk c;
    struct flight *f;
    int err = lf_smp_upload_chunk(&x->u, off, budget, &c);
    if (err) {
        lfm_err("upload: a %zu-byte message cannot carry a chunk (buf_size too small?)", budget);
        return LF_EXIT_PROTO;
    }
    c.data = x->file + off;
    err = lfm_session_build(x->s, build_chunk, &c);
    if (err) {
        return err;
    }
    f = &x->fl[x->nfl++];
    f->seq = x->s->tx_hdr.seq;
    f->off = off;
    f->dlen = c.data_len;
    f->first = c.first;
    st->requests++;
    st->data_sent += c.data_len;
    if (c.data_len > st->chunk_max) {
        st->chunk_max = c.data_len;
    }
    return lfm_session_send(x->s);
}

/* Index of the in-flight request this reply answers, or -1. */
static int find_flight(const struct up_ctx *x, const struct lf_smp_rsp *rsp)
{
    unsigned i;
    if (rsp->hdr.group != LF_SMP_GROUP_IMAGE || rsp->hdr.id != LF_SMP_IMG_ID_UPLOAD ||
        rsp->hdr.op != LF_SMP_OP_WRITE_RSP) {
        return -1;
    }
    for (i = 0; i < x->nfl; i++) {
        if (x->fl[i].seq == rsp->hdr.seq) {
            return (int)i;
        }
    }
    return -1;
}

static unsigned auto_window(const struct lfm_session *s)
{
    unsigned w;
    /* Serial: one request in flight. A request of a large buf_size is
     * about as big as the receive buffer of a UART driver or a pty (4 KiB
     * on Linux), so a second one only stalls the writer behind flow
     * control; the turnaround costs one short reply (about 35 bytes). */
    if (s->conn->kind == LFM_CONN_SERIAL) {
        return 1;
    }
    /* Datagrams: keep one of the device's buffers free for its own
     * replies (nRF Device Manager maintainers' advice: buffers - 1). */
    w = s->buf_count > 1 ? s->buf_count - 1u : 1u;
    return w > 4u ? 4u : w;
}

static void on_sigint(int sig)
{
    (void)sig;
    lfm_interrupted = 1;
}

static int upload_run(struct lfm_session *s, const uint8_t *file, uint32_t len,
                      const struct lfm_upload_opts *o, struct lfm_upload_stats *st);

/* Ctrl-C during an upload: stop at the next reply or wait, and say how far
 * it got and that the same command resumes (the device keeps its session). */
int lfm_upload(struct lfm_session *s, const uint8_t *file, uint32_t len,
               const struct lfm_upload_opts *o, struct lfm_upload_stats *st)
{
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_sigint; /* no SA_RESTART: a wait returns EINTR */
    sigemptyset(&sa.sa_mask);
    lfm_interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int err = upload_run(s, file, len, o, st);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return err;
}

static int interrupted(struct lfm_progress *prog, const struct lf_smp_upload *u, uint32_t len,
                       const struct lfm_upload_stats *st)
{
    lfm_progress_end(prog);
    lfm_err("upload interrupted: the device has %" PRIu32 " of %" PRIu32 " bytes (%u%%; %" PRIu32
            " sent by this run); run the same command again to "
            "resume from there",
            u->off, len, (unsigned)(len ? (uint64_t)u->off * 100u / len : 0u),
            u->off > st->resumed_off ? u->off - st->resumed_off : 0u);
    return LFM_EXIT_INTERRUPTED;
}

static int upload_run(struct lfm_session *s, const uint8_t *file, uint32_t len,
                      const struct lfm_upload_opts *o, struct lfm_upload_stats *st)
{
    struct up_ctx x;
    uint8_t sha[LF_SHA256_SIZE];
    struct lfm_progress prog;
    uint32_t next;
    uint32_t best = 0;
    unsigned stalls = 0;
    int consecutive_timeouts = 0;
    bool synced = false;
    bool first_reply = true;
    bool matched = false;
    double t0;
    int err;

    memset(st, 0, sizeof(*st));
    st->len = len;
    err = lfm_session_params(s);
    if (err) {
        return err;
    }
    st->budget = lfm_conn_budget(s->conn, s->buf_size);
    st->window = o->window ? o->window : auto_window(s);
    if (st->window > LFM_WINDOW_MAX) {
        st->window = LFM_WINDOW_MAX;
    }
    lf_sha256(file, len, sha);
    memset(&x, 0, sizeof(x));
    x.s = s;
    x.file = file;
    if (lf_smp_upload_init(&x.u, len, sha, sizeof(sha), o->image, o->upgrade, o->align) != LF_OK) {
        lfm_err("upload: empty file");
        return LF_EXIT_FILE;
    }
    lfm_log(s,
            "   (upload: %" PRIu32 " bytes, messages up to %zu bytes (buf_size %" PRIu32
            "), window %u)",
            len, st->budget, s->buf_size, st->window);
    lfm_progress_start(&prog, o->label ? o->label : "upload", len, 0, o->progress);
    next = 0;
    t0 = lfm_now_s();
    while (!x.u.done) {
        struct lf_smp_rsp rsp;
        uint32_t roff = 0;
        enum lf_smp_match match = LF_SMP_MATCH_ABSENT;
        unsigned limit = synced ? st->window : 1u;
        bool long_wait = false;
        unsigned i;
        int idx;
        while (x.nfl < limit && next < len) {
            err = send_chunk(&x, next, st->budget, st);
            if (err) {
                lfm_progress_end(&prog);
                return err;
            }
            next += x.fl[x.nfl - 1].dlen;
        }
        for (i = 0; i < x.nfl; i++) {
            long_wait = long_wait || x.fl[i].first; /* the first chunk may erase the slot */
        }
        err = lfm_session_recv(s, long_wait ? s->long_timeout_ms : s->timeout_ms, &rsp);
        if (lfm_interrupted) {
            return interrupted(&prog, &x.u, len, st);
        }
        if (err == LFM_TIMEOUT) {
            st->timeouts++;
            if (++consecutive_timeouts > s->retries) {
                lfm_progress_end(&prog);
                lfm_err("upload: no reply from the device at offset %" PRIu32 " after %d tries%s",
                        x.u.off, consecutive_timeouts,
                        lfm_udp_refused(s->conn) ? " (connection refused)" : "");
                return LF_EXIT_CONN;
            }
            lfm_log(s, "   (upload: no reply: resending from offset %" PRIu32 ")", x.u.off);
            x.nfl = 0;
            next = x.u.off;
            synced = false;
            continue;
        }
        if (err == LFM_REFUSED) {
            lfm_progress_end(&prog);
            lfm_report_unreachable(s);
            return LF_EXIT_CONN;
        }
        if (err) {
            lfm_progress_end(&prog);
            return err;
        }
        idx = find_flight(&x, &rsp);
        if (idx < 0) {
            lfm_log(s, "   (ignored: reply to no request in flight)");
            continue;
        }
        consecutive_timeouts = 0;
        if (!lf_smp_rsp_ok(&rsp)) {
            lfm_progress_end(&prog);
            lfm_report_device_error(s, "upload", &rsp);
            return LF_EXIT_DEVICE;
        }
        if (lf_smp_rsp_upload(&rsp, &roff, &match) != LF_OK) {
            lfm_progress_end(&prog);
            lfm_err("upload: the device's reply carries no valid \"off\"");
            return LF_EXIT_PROTO;
        }
        err = lf_smp_upload_reply(&x.u, roff, match);
        if (err == LF_E_RANGE) {
            lfm_progress_end(&prog);
            lfm_err("upload: the device reports offset %" PRIu32 " beyond the file's %" PRIu32
                    " bytes",
                    roff, len);
            return LF_EXIT_PROTO;
        }
        if (err) {
            lfm_progress_end(&prog);
            lfm_err("upload: the device reports that the written image does not match the file "
                    "(SHA-256 check failed)");
            return LF_EXIT_PROTO;
        }
        if (first_reply && x.fl[idx].first && roff != x.fl[idx].dlen && roff > 0) {
            /* A session for the same sha: the device skipped the data. */
            st->resumed_off = roff;
            prog.start_done = roff; /* the rate counts this run's bytes only */
            lfm_log(s, "   (the device already has %" PRIu32 " bytes of this file: resuming)",
                    roff);
        }
        first_reply = false;
        matched = match == LF_SMP_MATCH_TRUE;
        if (roff == x.fl[idx].off + x.fl[idx].dlen) {
            /* Confirmed; requests sent before it that got no reply are lost
             * (their replies, if any, come later and are ignored). */
            memmove(&x.fl[0], &x.fl[idx + 1], (x.nfl - (unsigned)idx - 1u) * sizeof(x.fl[0]));
            x.nfl -= (unsigned)idx + 1u;
            synced = true;
        } else {
            if (roff == 0 && !x.fl[idx].first) {
                lfm_log(s, "   (the device has no upload session: restarting from 0)");
                if (++st->restarts > 3u) {
                    lfm_progress_end(&prog);
                    lfm_err("upload: the device lost the upload session %" PRIu32 " times",
                            st->restarts);
                    return LF_EXIT_PROTO;
                }
                best = 0;
                stalls = 0;
            }
            st->resyncs++;
            x.nfl = 0;
            next = roff;
            synced = roff != 0;
        }
        if (roff > best) {
            best = roff;
            stalls = 0;
        } else if (++stalls > 8u * (unsigned)(s->retries + 1) + st->window) {
            lfm_progress_end(&prog);
            lfm_err("upload: the device does not advance past offset %" PRIu32, roff);
            return LF_EXIT_PROTO;
        }
        lfm_progress_update(&prog, x.u.off, x.u.done);
    }
    st->seconds = lfm_now_s() - t0;
    st->match = matched;
    lfm_progress_end(&prog);
    return LF_EXIT_OK;
}
