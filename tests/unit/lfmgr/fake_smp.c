/* A fake SMP server for lfmgr's tests (see fake_smp.h). */
#include "fake_smp.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lf/cbor.h"
#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_ble.h"
#include "lf/smp_hdr.h"
#include "lf/smp_serial.h"
#include "imgfile.h"

void fake_smp_init(struct fake_smp *f)
{
    memset(f, 0, sizeof(*f));
    f->buf_size = 1024;
    f->buf_count = 4;
    f->active_b0 = 0;
    f->slot_max = FAKE_SLOT_MAX;
    f->report_match = true;
    f->erase_slot = -2;
}

/* ---- replies ---------------------------------------------------------------------- */

struct reply {
    struct lf_cbor_enc e;
    uint8_t *buf;
    struct lf_smp_hdr h;
    bool v1;
};

static void reply_begin(struct fake_smp *f, struct reply *r, const struct lf_smp_hdr *req,
                        uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->h = *req;
    r->h.op = req->op == LF_SMP_OP_READ ? LF_SMP_OP_READ_RSP : LF_SMP_OP_WRITE_RSP;
    r->v1 = f->v1_only || req->ver == LF_SMP_VER_1;
    r->h.ver = r->v1 ? LF_SMP_VER_1 : LF_SMP_VER_2;
    r->h.flags = 0;
    lf_cbor_enc_init(&r->e, buf + LF_SMP_HDR_SIZE, cap - LF_SMP_HDR_SIZE);
    lf_cbor_enc_map_open(&r->e);
    if (f->legacy_rc) {
        lf_cbor_enc_text_z(&r->e, "rc");
        lf_cbor_enc_uint(&r->e, 0);
    }
}

static size_t reply_end(struct reply *r)
{
    size_t n = 0;
    lf_cbor_enc_map_close(&r->e);
    if (lf_cbor_enc_finish(&r->e, &n) != LF_OK) {
        return 0;
    }
    r->h.len = (uint16_t)n;
    lf_smp_hdr_encode(&r->h, r->buf);
    return LF_SMP_HDR_SIZE + n;
}

/* An error reply in the shape the request's version calls for. */
static size_t reply_err(struct fake_smp *f, const struct lf_smp_hdr *req, uint8_t *buf, size_t cap,
                        uint32_t group, uint32_t rc, const char *rsn)
{
    struct reply r;
    bool legacy = f->legacy_rc;
    f->legacy_rc = false;
    reply_begin(f, &r, req, buf, cap);
    f->legacy_rc = legacy;
    if (r.v1 || group == 0xFFFFu) {
        lf_cbor_enc_text_z(&r.e, "rc");
        lf_cbor_enc_uint(&r.e, group == 0xFFFFu ? rc : LF_SMP_RC_EUNKNOWN);
    } else {
        lf_cbor_enc_text_z(&r.e, "err");
        lf_cbor_enc_map(&r.e, 2);
        lf_cbor_enc_text_z(&r.e, "group");
        lf_cbor_enc_uint(&r.e, group);
        lf_cbor_enc_text_z(&r.e, "rc");
        lf_cbor_enc_uint(&r.e, rc);
    }
    if (rsn != NULL) {
        lf_cbor_enc_text_z(&r.e, "rsn");
        lf_cbor_enc_text_z(&r.e, rsn);
    }
    return reply_end(&r);
}

#define SMP_RC 0xFFFFu /* reply_err group meaning "an SMP-level rc" */

/* ---- image upload (Zephyr semantics, docs/reference/smp.md 4) ------------------------ */

static size_t do_upload(struct fake_smp *f, const struct lf_smp_hdr *h, struct lf_cbor_dec *d,
                        uint8_t *out, size_t cap)
{
    struct lf_cbor_str key;
    struct lf_cbor_str data = {NULL, 0};
    struct lf_cbor_str sha = {NULL, 0};
    uint32_t off = 0, len = 0, image = 0;
    bool has_off = false, has_len = false, has_data = false, upgrade = false;
    struct reply r;
    unsigned i;
    uint32_t n = ++f->n_upload;

    while (lf_cbor_map_next(d, &key)) {
        if (lf_cbor_str_eq(&key, "off")) {
            has_off = lf_cbor_read_u32(d, &off) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "len")) {
            has_len = lf_cbor_read_u32(d, &len) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "image")) {
            lf_cbor_read_u32(d, &image);
        } else if (lf_cbor_str_eq(&key, "data")) {
            has_data = lf_cbor_read_bytes(d, &data) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "sha")) {
            lf_cbor_read_bytes(d, &sha);
        } else if (lf_cbor_str_eq(&key, "upgrade")) {
            lf_cbor_read_bool(d, &upgrade);
        }
    }
    if (d->err || !has_data) {
        return reply_err(f, h, out, cap, SMP_RC, LF_SMP_RC_EINVAL, NULL);
    }
    for (i = 0; i < f->ndrop; i++) {
        if (f->drop_at[i] == n) {
            return 0;
        }
    }
    if (f->lose_session_at == n) {
        f->session = false;
        f->off = 0;
    }
    if (f->fail_at == n) {
        f->session = false;
        return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, f->fail_rc, "injected failure");
    }
    if (!has_off) {
        return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_INVALID_OFFSET, NULL);
    }
    if (off == 0) {
        f->n_first++;
        if (!has_len) {
            return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_INVALID_LENGTH,
                             NULL);
        }
        if (sha.len > 32) {
            return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_INVALID_HASH, NULL);
        }
        if (sha.len > 0 && f->session && sha.len == f->sha_len &&
            memcmp(sha.ptr, f->sha, sha.len) == 0) {
            reply_begin(f, &r, h, out, cap); /* resume: no write */
            lf_cbor_enc_text_z(&r.e, "off");
            lf_cbor_enc_uint(&r.e, f->off);
            return reply_end(&r);
        }
        if (len > f->slot_max) {
            f->session = false;
            return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE,
                             LF_SMP_IMG_ERR_INVALID_IMAGE_TOO_LARGE, "img too large");
        }
        f->session = true;
        f->n_new_session++;
        f->size = len;
        f->off = 0;
        f->image = image;
        f->upgrade = upgrade;
        f->sha_len = (uint8_t)sha.len;
        memcpy(f->sha, sha.ptr, sha.len);
        memset(f->slot, 0xFF, sizeof(f->slot));
    } else if (!f->session || off != f->off) {
        f->n_wrong_off++;
        reply_begin(f, &r, h, out, cap);
        lf_cbor_enc_text_z(&r.e, "off");
        lf_cbor_enc_uint(&r.e, f->session ? f->off : 0u);
        return reply_end(&r);
    }
    if (data.len > f->size - off) {
        f->session = false;
        return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE,
                         LF_SMP_IMG_ERR_INVALID_IMAGE_DATA_OVERRUN, "data overrun");
    }
    memcpy(f->slot + off, data.ptr, data.len);
    f->off = off + (uint32_t)data.len;
    reply_begin(f, &r, h, out, cap);
    lf_cbor_enc_text_z(&r.e, "off");
    lf_cbor_enc_uint(&r.e, f->off);
    if (f->off == f->size) {
        f->session = false;
        f->finished++;
        if (f->corrupt_write) {
            f->slot[f->size / 2] ^= 1u;
        }
        {
            /* The uploaded image shows up in the list, as on a device. */
            struct lfm_img_info info;
            char why[100];
            if (lfm_img_inspect(f->slot, f->size, &info, why, sizeof(why)) == 0 && info.has_hash &&
                f->nimages < FAKE_IMAGES) {
                struct fake_image *m = &f->images[f->nimages++];
                memset(m, 0, sizeof(*m));
                m->image = f->image;
                m->slot = 1;
                m->version = "1.2.3.4";
                memcpy(m->hash, info.hash, 32);
            }
        }
        if (f->report_match && f->sha_len == 32) {
            uint8_t got[32];
            lf_sha256(f->slot, f->size, got);
            lf_cbor_enc_text_z(&r.e, "match");
            lf_cbor_enc_bool(&r.e, memcmp(got, f->sha, 32) == 0);
        }
    }
    return reply_end(&r);
}

/* ---- other commands ------------------------------------------------------------------ */

static size_t do_state(struct fake_smp *f, const struct lf_smp_hdr *h, uint8_t *out, size_t cap)
{
    struct reply r;
    unsigned i;
    reply_begin(f, &r, h, out, cap);
    lf_cbor_enc_text_z(&r.e, "images");
    lf_cbor_enc_array_open(&r.e);
    for (i = 0; i < f->nimages; i++) {
        const struct fake_image *m = &f->images[i];
        lf_cbor_enc_map_open(&r.e);
        lf_cbor_enc_text_z(&r.e, "image");
        lf_cbor_enc_uint(&r.e, m->image);
        lf_cbor_enc_text_z(&r.e, "slot");
        lf_cbor_enc_uint(&r.e, m->slot);
        lf_cbor_enc_text_z(&r.e, "version");
        lf_cbor_enc_text_z(&r.e, m->version);
        lf_cbor_enc_text_z(&r.e, "hash");
        lf_cbor_enc_bytes(&r.e, m->hash, 32);
        lf_cbor_enc_text_z(&r.e, "bootable");
        lf_cbor_enc_bool(&r.e, true);
        lf_cbor_enc_text_z(&r.e, "pending");
        lf_cbor_enc_bool(&r.e, m->pending);
        lf_cbor_enc_text_z(&r.e, "confirmed");
        lf_cbor_enc_bool(&r.e, m->confirmed);
        lf_cbor_enc_text_z(&r.e, "active");
        lf_cbor_enc_bool(&r.e, m->active);
        lf_cbor_enc_text_z(&r.e, "permanent");
        lf_cbor_enc_bool(&r.e, false);
        lf_cbor_enc_map_close(&r.e);
    }
    lf_cbor_enc_array_close(&r.e);
    return reply_end(&r);
}

static size_t do_set(struct fake_smp *f, const struct lf_smp_hdr *h, struct lf_cbor_dec *d,
                     uint8_t *out, size_t cap)
{
    struct lf_cbor_str key;
    struct lf_cbor_str hash = {NULL, 0};
    bool confirm = false;
    unsigned i;
    while (lf_cbor_map_next(d, &key)) {
        if (lf_cbor_str_eq(&key, "hash")) {
            lf_cbor_read_bytes(d, &hash);
        } else if (lf_cbor_str_eq(&key, "confirm")) {
            lf_cbor_read_bool(d, &confirm);
        }
    }
    f->got_set = true;
    f->set_confirm = confirm;
    f->set_has_hash = hash.len > 0;
    if (hash.len == 32) {
        memcpy(f->set_hash, hash.ptr, 32);
    }
    if (hash.len == 0 && !confirm) {
        return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_INVALID_HASH, NULL);
    }
    if (hash.len > 0) {
        bool found = false;
        for (i = 0; i < f->nimages; i++) {
            if (hash.len == 32 && memcmp(f->images[i].hash, hash.ptr, 32) == 0) {
                found = true;
                f->images[i].pending = !confirm;
                f->images[i].confirmed = confirm;
            }
        }
        if (!found) {
            return reply_err(f, h, out, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_HASH_NOT_FOUND,
                             NULL);
        }
    }
    return do_state(f, h, out, cap);
}

static size_t do_os(struct fake_smp *f, const struct lf_smp_hdr *h, struct lf_cbor_dec *d,
                    uint8_t *out, size_t cap)
{
    struct reply r;
    struct lf_cbor_str key;
    struct lf_cbor_str text = {NULL, 0};
    bool has_text = false;
    while (lf_cbor_map_next(d, &key)) {
        if (lf_cbor_str_eq(&key, "d") || lf_cbor_str_eq(&key, "query") ||
            lf_cbor_str_eq(&key, "format")) {
            has_text = lf_cbor_read_text(d, &text) == LF_OK;
        }
    }
    switch (h->id) {
    case LF_SMP_OS_ID_ECHO:
        reply_begin(f, &r, h, out, cap);
        lf_cbor_enc_text_z(&r.e, "r");
        lf_cbor_enc_text(&r.e, (const char *)text.ptr, text.len);
        return reply_end(&r);
    case LF_SMP_OS_ID_MCUMGR_PARAMS:
        if (f->no_params) {
            return reply_err(f, h, out, cap, SMP_RC, LF_SMP_RC_ENOTSUP, NULL);
        }
        reply_begin(f, &r, h, out, cap);
        lf_cbor_enc_text_z(&r.e, "buf_size");
        lf_cbor_enc_uint(&r.e, f->buf_size);
        lf_cbor_enc_text_z(&r.e, "buf_count");
        lf_cbor_enc_uint(&r.e, f->buf_count);
        return reply_end(&r);
    case LF_SMP_OS_ID_INFO:
        reply_begin(f, &r, h, out, cap);
        lf_cbor_enc_text_z(&r.e, "output");
        lf_cbor_enc_text_z(&r.e, has_text && text.len == 1 && text.ptr[0] == 'a'
                                     ? "Leapfrog fake 0.1 nrf52840dk"
                                     : "Leapfrog");
        return reply_end(&r);
    case LF_SMP_OS_ID_RESET:
        f->resets++;
        reply_begin(f, &r, h, out, cap);
        return reply_end(&r);
    case LF_SMP_OS_ID_BOOTLOADER:
        if (!has_text) {
            reply_begin(f, &r, h, out, cap);
            lf_cbor_enc_text_z(&r.e, "bootloader");
            lf_cbor_enc_text_z(&r.e, "Leapfrog");
            return reply_end(&r);
        }
        if (text.len == 4 && memcmp(text.ptr, "mode", 4) == 0) {
            reply_begin(f, &r, h, out, cap);
            lf_cbor_enc_text_z(&r.e, "mode");
            lf_cbor_enc_int(&r.e, 5);
            return reply_end(&r);
        }
        if (text.len == 14 && memcmp(text.ptr, "active_b0_slot", 14) == 0 && f->active_b0 >= 0) {
            reply_begin(f, &r, h, out, cap);
            lf_cbor_enc_text_z(&r.e, "active");
            lf_cbor_enc_uint(&r.e, (uint64_t)f->active_b0);
            return reply_end(&r);
        }
        return reply_err(f, h, out, cap, LF_SMP_GROUP_OS, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER,
                         NULL);
    default:
        return reply_err(f, h, out, cap, SMP_RC, LF_SMP_RC_ENOTSUP, NULL);
    }
}

size_t fake_smp_handle(struct fake_smp *f, const uint8_t *req, size_t len, uint8_t *rsp, size_t cap)
{
    struct lf_smp_hdr h;
    struct lf_cbor_dec d;
    if (lf_smp_hdr_decode(req, len, &h) != LF_OK || len < LF_SMP_HDR_SIZE + h.len) {
        return 0;
    }
    f->n_requests++;
    f->last_ver = h.ver;
    if (len > f->max_msg) {
        f->max_msg = (uint32_t)len;
    }
    if (h.ver > LF_SMP_VER_2 || (f->reject_v2 && h.ver == LF_SMP_VER_2)) {
        struct lf_smp_hdr h1 = h;
        h1.ver = LF_SMP_VER_1;
        return reply_err(f, &h1, rsp, cap, SMP_RC, LF_SMP_RC_UNSUPPORTED_TOO_NEW, NULL);
    }
    lf_cbor_dec_init(&d, req + LF_SMP_HDR_SIZE, h.len);
    if (lf_cbor_enter_map(&d, NULL) != LF_OK) {
        return reply_err(f, &h, rsp, cap, SMP_RC, LF_SMP_RC_EINVAL, NULL);
    }
    if (h.group == LF_SMP_GROUP_OS) {
        return do_os(f, &h, &d, rsp, cap);
    }
    if (h.group == LF_SMP_GROUP_IMAGE) {
        switch (h.id) {
        case LF_SMP_IMG_ID_UPLOAD:
            return do_upload(f, &h, &d, rsp, cap);
        case LF_SMP_IMG_ID_STATE:
            if (h.op == LF_SMP_OP_READ) {
                return do_state(f, &h, rsp, cap);
            }
            return do_set(f, &h, &d, rsp, cap);
        case LF_SMP_IMG_ID_ERASE: {
            struct lf_cbor_str key;
            struct reply r;
            uint32_t slot = 0;
            f->erase_slot = -1;
            while (lf_cbor_map_next(&d, &key)) {
                if (lf_cbor_str_eq(&key, "slot") && lf_cbor_read_u32(&d, &slot) == LF_OK) {
                    f->erase_slot = (int)slot;
                }
            }
            if (f->erase_slot == 0) {
                return reply_err(f, &h, rsp, cap, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ERR_NO_FREE_SLOT,
                                 "slot in use");
            }
            f->erases++;
            f->session = false;
            reply_begin(f, &r, &h, rsp, cap);
            return reply_end(&r);
        }
        default:
            break;
        }
    }
    return reply_err(f, &h, rsp, cap, SMP_RC, LF_SMP_RC_ENOTSUP, NULL);
}

/* ---- in-process connection -------------------------------------------------------------- */

struct fake_conn_priv {
    struct fake_smp *f;
    uint8_t q[4][LFM_MSG_MAX]; /* replies not yet received */
    size_t qlen[4];
    unsigned head, count;
};

static int fc_send(struct lfm_conn *c, const uint8_t *msg, size_t len)
{
    struct fake_conn_priv *p = c->priv;
    uint8_t out[LFM_MSG_MAX];
    size_t n = fake_smp_handle(p->f, msg, len, out, sizeof(out));
    if (n > 0 && p->count < 4) {
        unsigned slot = (p->head + p->count) % 4;
        memcpy(p->q[slot], out, n);
        p->qlen[slot] = n;
        p->count++;
    }
    return LF_EXIT_OK;
}

static int fc_recv(struct lfm_conn *c, uint8_t *buf, size_t cap, int timeout_ms, size_t *len)
{
    struct fake_conn_priv *p = c->priv;
    (void)timeout_ms;
    if (p->count == 0) {
        return LFM_TIMEOUT;
    }
    if (p->qlen[p->head] > cap) {
        return LF_EXIT_CONN;
    }
    memcpy(buf, p->q[p->head], p->qlen[p->head]);
    *len = p->qlen[p->head];
    p->head = (p->head + 1) % 4;
    p->count--;
    return LF_EXIT_OK;
}

static void fc_close(struct lfm_conn *c)
{
    free(c->priv);
    c->priv = NULL;
}

static const struct lfm_conn_ops fc_ops = {fc_send, fc_recv, fc_close};

void fake_conn_init(struct lfm_conn *c, struct fake_smp *f, enum lfm_conn_kind kind)
{
    struct fake_conn_priv *p = calloc(1, sizeof(*p));
    memset(c, 0, sizeof(*c));
    p->f = f;
    c->ops = &fc_ops;
    c->kind = kind;
    c->fd = -1;
    c->priv = p;
    c->mtu = kind == LFM_CONN_UDP ? 1500u : 247u;
    c->ip_hdr = 28;
    c->baud = 115200;
}

/* ---- threaded servers ----------------------------------------------------------------- */

static uint8_t *srv_handle(struct fake_srv *s, const uint8_t *msg, size_t len, size_t *out_len)
{
    static __thread uint8_t out[LFM_MSG_MAX];
    pthread_mutex_lock(&s->lock);
    *out_len = fake_smp_handle(s->f, msg, len, out, sizeof(out));
    pthread_mutex_unlock(&s->lock);
    return out;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd pfd = {.fd = fd, .events = POLLOUT};
            poll(&pfd, 1, 100);
            continue;
        }
        if (w <= 0) {
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void *pty_loop(void *arg)
{
    struct fake_srv *s = arg;
    static __thread uint8_t msg[LF_SMP_SERIAL_MSG_MAX];
    static __thread uint8_t enc[LF_SMP_SERIAL_ENC_SIZE(LFM_MSG_MAX)];
    struct lf_smp_serial_rx rx;
    uint8_t in[4096];
    lf_smp_serial_rx_init(&rx, msg, s->f->buf_size > 4 ? s->f->buf_size - 4u : 0u);
    while (!s->stop) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        ssize_t n;
        size_t off = 0;
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        n = read(s->fd, in, sizeof(in));
        if (n <= 0) {
            usleep(1000);
            continue;
        }
        while (off < (size_t)n) {
            size_t mlen = 0;
            off += lf_smp_serial_rx_feed(&rx, in + off, (size_t)n - off, &mlen);
            if (mlen > 0) {
                size_t rlen = 0;
                size_t elen = 0;
                uint8_t *r = srv_handle(s, msg, mlen, &rlen);
                if (rlen == 0) {
                    continue;
                }
                if (s->garbage) {
                    /* console noise, an orphan continuation and a corrupt frame */
                    static const uint8_t noise[] = "boot: hello\r\n\x04\x14QUJD\n\x06\tAAAAAAAA\n";
                    write_all(s->fd, noise, sizeof(noise) - 1);
                }
                lf_smp_serial_encode_buf(r, rlen, enc, sizeof(enc), &elen);
                write_all(s->fd, enc, elen);
            }
        }
    }
    return NULL;
}

static void *udp_loop(void *arg)
{
    struct fake_srv *s = arg;
    static __thread uint8_t msg[LFM_MSG_MAX];
    while (!s->stop) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        struct sockaddr_storage from;
        socklen_t flen = sizeof(from);
        size_t rlen = 0;
        uint8_t *r;
        ssize_t n;
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        n = recvfrom(s->fd, msg, sizeof(msg), 0, (struct sockaddr *)&from, &flen);
        if (n <= 0) {
            continue;
        }
        r = srv_handle(s, msg, (size_t)n, &rlen);
        if (rlen > 0) {
            sendto(s->fd, r, rlen, 0, (struct sockaddr *)&from, flen);
        }
    }
    return NULL;
}

static void *ble_loop(void *arg)
{
    struct fake_srv *s = arg;
    static __thread uint8_t msg[LFM_MSG_MAX];
    struct lf_smp_ble_rx rx;
    uint32_t mtu = LF_SMP_BLE_MTU_MIN;
    lf_smp_ble_rx_init(&rx, msg, s->f->buf_size);
    while (!s->stop) {
        struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
        struct sockaddr_un from;
        socklen_t flen = sizeof(from);
        uint8_t pdu[600];
        ssize_t n;
        size_t off = 3;
        if (poll(&pfd, 1, 50) <= 0) {
            continue;
        }
        n = recvfrom(s->fd, pdu, sizeof(pdu), 0, (struct sockaddr *)&from, &flen);
        if (n < 3) {
            continue;
        }
        if (pdu[0] == 0x02) {
            uint32_t cm = (uint32_t)pdu[1] | ((uint32_t)pdu[2] << 8);
            uint8_t rsp[3] = {0x03, (uint8_t)(s->ble_mtu & 0xFF), (uint8_t)(s->ble_mtu >> 8)};
            mtu = cm < s->ble_mtu ? cm : s->ble_mtu;
            lf_smp_ble_rx_reset(&rx);
            sendto(s->fd, rsp, 3, 0, (struct sockaddr *)&from, flen);
            continue;
        }
        if (pdu[0] != 0x52 || (uint32_t)n > mtu) {
            continue;
        }
        while (off < (size_t)n) {
            size_t used = 0;
            size_t mlen = 0;
            lf_smp_ble_rx_write(&rx, pdu + off, (size_t)n - off, &used, &mlen);
            off += used;
            if (mlen > 0) {
                size_t rlen = 0;
                uint8_t *r = srv_handle(s, msg, mlen, &rlen);
                struct lf_smp_ble_frag fr;
                const uint8_t *p;
                size_t pn;
                lf_smp_ble_frag_init(&fr, r, rlen, mtu);
                while (rlen > 0 && lf_smp_ble_frag_next(&fr, &p, &pn)) {
                    uint8_t ntf[600] = {0x1B, 0x12, 0x00};
                    memcpy(ntf + 3, p, pn);
                    sendto(s->fd, ntf, pn + 3, 0, (struct sockaddr *)&from, flen);
                }
            }
            if (used == 0) {
                break;
            }
        }
    }
    return NULL;
}

int fake_srv_start(struct fake_srv *s, struct fake_smp *f, enum fake_kind kind)
{
    void *(*loop)(void *) = NULL;
    s->f = f;
    s->kind = kind;
    s->stop = false;
    s->fd = -1;
    pthread_mutex_init(&s->lock, NULL);
    if (kind == FAKE_UDP) {
        struct sockaddr_in a;
        socklen_t al = sizeof(a);
        memset(&a, 0, sizeof(a));
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        s->fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
            getsockname(s->fd, (struct sockaddr *)&a, &al) != 0) {
            return -1;
        }
        s->port = ntohs(a.sin_port);
        snprintf(s->spec, sizeof(s->spec), "udp:127.0.0.1:%u", s->port);
        loop = udp_loop;
    } else if (kind == FAKE_PTY) {
        int slave = -1;
        struct termios t;
        if (openpty(&s->fd, &slave, s->path, NULL, NULL) != 0) {
            return -1;
        }
        /* Raw on both sides: the client sets its side; the master side must
         * not echo or translate either. */
        tcgetattr(slave, &t);
        cfmakeraw(&t);
        tcsetattr(slave, TCSANOW, &t);
        close(slave); /* the client opens it by name */
        fcntl(s->fd, F_SETFL, O_NONBLOCK);
        snprintf(s->spec, sizeof(s->spec), "serial:%s,baud=115200", s->path);
        loop = pty_loop;
    } else {
        struct sockaddr_un a;
        memset(&a, 0, sizeof(a));
        a.sun_family = AF_UNIX;
        snprintf(s->path, sizeof(s->path), "/tmp/lfmgr-test-ble-%d-%p", (int)getpid(), (void *)s);
        unlink(s->path);
        memcpy(a.sun_path, s->path, strlen(s->path) + 1);
        s->fd = socket(AF_UNIX, SOCK_DGRAM, 0);
        if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
            return -1;
        }
        if (s->ble_mtu == 0) {
            s->ble_mtu = 185;
        }
        snprintf(s->spec, sizeof(s->spec), "ble-sim:%s", s->path);
        loop = ble_loop;
    }
    return pthread_create(&s->thread, NULL, loop, s) == 0 ? 0 : -1;
}

void fake_srv_stop(struct fake_srv *s)
{
    s->stop = true;
    pthread_join(s->thread, NULL);
    close(s->fd);
    if (s->kind == FAKE_BLE) {
        unlink(s->path);
    }
    pthread_mutex_destroy(&s->lock);
}
