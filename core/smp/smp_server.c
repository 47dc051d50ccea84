/*
 * The SMP server core (docs/smp-server.md section 1): splits a packet into
 * messages, checks each header, dispatches through the configured group
 * tables and shapes the reply: header mirroring the request (version capped
 * at 1, op + 1, same group, sequence and command), body from the handler or
 * an error map in the style the request's version calls for.
 */
#include "lf/smp_server.h"

#include <string.h>

#include "lf/err.h"

bool lf_smp_next_key(struct lf_smp_ctx *c, struct lf_cbor_str *key)
{
    if (c->empty) {
        return false;
    }
    return lf_cbor_map_next(&c->dec, key);
}

int lf_smp_request_end(struct lf_smp_ctx *c)
{
    if (c->dec_err) {
        return c->dec_err;
    }
    if (c->empty) {
        return LF_OK;
    }
    lf_cbor_leave(&c->dec);
    return lf_cbor_dec_finish(&c->dec);
}

int(lf_smp_fail_rc)(struct lf_smp_ctx *c, uint16_t rc, const char *rsn)
{
    c->group_err = false;
    c->rc = rc;
    c->rsn = rsn;
    return 1;
}

int(lf_smp_fail_group)(struct lf_smp_ctx *c, uint16_t rc, const char *rsn)
{
    c->group_err = true;
    c->rc = rc;
    c->rsn = rsn;
    return 1;
}

/* (Its own digits, not lf_format: stage 1 with numbers-only logs links no
 * formatter.) */
size_t lf_smp_version_text(const struct lf_image_version *v, char *buf, size_t cap)
{
    const uint32_t part[4] = {v->major, v->minor, v->revision, v->build};
    size_t n = 0;
    for (unsigned i = 0; i < (v->build ? 4u : 3u); i++) {
        char d[10];
        unsigned k = 0;
        uint32_t x = part[i];
        do {
            d[k++] = (char)('0' + x % 10u);
            x /= 10u;
        } while (x);
        if (i && n + 1 < cap) {
            buf[n++] = '.';
        }
        while (k && n + 1 < cap) {
            buf[n++] = d[--k];
        }
    }
    buf[n] = '\0';
    return n;
}

int lf_smp_server_init(struct lf_smp_server *s, const struct lf_smp_server_cfg *cfg,
                       const struct lf_smp_platform *plat)
{
    if (!s || !cfg || !plat || !plat->map || !cfg->rsp_buf || cfg->rsp_cap < LF_SMP_RSP_MIN ||
        cfg->rsp_cap > LF_SMP_HDR_SIZE + LF_SMP_MAX_PAYLOAD || (cfg->group_count && !cfg->groups)) {
        return LF_E_SMP_CONFIG;
    }
    memset(s, 0, sizeof(*s));
    s->cfg = cfg;
    s->plat = plat;
    for (uint8_t i = 0; i < cfg->group_count; i++) {
        if (!cfg->groups[i]) {
            return LF_E_SMP_CONFIG;
        }
        if (cfg->groups[i]->init) {
            cfg->groups[i]->init(s);
        }
    }
    return LF_OK;
}

bool lf_smp_server_reset_pending(const struct lf_smp_server *s)
{
    return s->reset_requested;
}

static const struct lf_smp_group *find_group(const struct lf_smp_server_cfg *cfg, uint16_t id)
{
    for (uint8_t i = 0; i < cfg->group_count; i++) {
        if (cfg->groups[i]->id == id) {
            return cfg->groups[i];
        }
    }
    return NULL;
}

static lf_smp_handler_fn find_handler(const struct lf_smp_group *g, const struct lf_smp_hdr *h)
{
    if (!g || h->id >= g->count) {
        return NULL;
    }
    const struct lf_smp_handler *e = &g->handlers[h->id];
    return h->op == LF_SMP_OP_READ ? e->read : e->write;
}

/* The error body: {"rc": n [, "rsn"]} or, for a v2 group error,
 * {"err": {"group": g, "rc": n} [, "rsn"]}. */
static void encode_error(struct lf_smp_ctx *c, const struct lf_smp_group *g)
{
    const struct lf_smp_server_cfg *cfg = c->srv->cfg;
    struct lf_cbor_enc *e = &c->enc;
    bool v2_group = c->group_err && c->hdr->ver >= LF_SMP_VER_2;
    bool with_rsn = c->rsn && (v2_group ? cfg->rsn_v2 : cfg->verbose_err);

    lf_cbor_enc_init(e, cfg->rsp_buf + LF_SMP_HDR_SIZE, cfg->rsp_cap - LF_SMP_HDR_SIZE);
    lf_cbor_enc_map_open(e);
    if (v2_group) {
        lf_cbor_enc_text_z(e, "err");
        lf_cbor_enc_map(e, 2);
        lf_cbor_enc_text_z(e, "group");
        lf_cbor_enc_uint(e, c->hdr->group);
        lf_cbor_enc_text_z(e, "rc");
        lf_cbor_enc_uint(e, c->rc);
    } else {
        int rc = c->rc;
        if (c->group_err) {
            rc = (g && g->v1_rc) ? g->v1_rc(c->rc) : LF_SMP_RC_EUNKNOWN;
        }
        lf_cbor_enc_text_z(e, "rc");
        lf_cbor_enc_int(e, rc);
    }
    if (with_rsn) {
        lf_cbor_enc_text_z(e, "rsn");
        lf_cbor_enc_text_z(e, c->rsn);
    }
    lf_cbor_enc_map_close(e);
    /* Only the first error after a success: a client that pipelines
     * requests gets errors for the ones behind the refused one too, and the
     * first says why. */
    if (c->rsn && !c->srv->last_err.chained) {
        struct lf_smp_last_err *l = &c->srv->last_err;
        size_t n = 0;
        while (c->rsn[n] && n + 1 < sizeof(l->rsn)) {
            l->rsn[n] = c->rsn[n];
            n++;
        }
        l->rsn[n] = '\0';
        l->group = c->hdr->group;
        l->rc = c->rc;
        l->set = true;
        l->chained = true;
    }
}

/* Run the handler for one message; returns the failure flag. */
static int dispatch(struct lf_smp_ctx *c, const struct lf_smp_group *g, const uint8_t *payload)
{
    const struct lf_smp_hdr *h = c->hdr;
    if (h->ver > LF_SMP_VER_2) {
        return lf_smp_fail_rc(c, LF_SMP_RC_UNSUPPORTED_TOO_NEW, "SMP version too new");
    }
    if (h->op != LF_SMP_OP_READ && h->op != LF_SMP_OP_WRITE) {
        return lf_smp_fail_rc(c, LF_SMP_RC_ENOTSUP, "not a request");
    }
    lf_smp_handler_fn fn = find_handler(g, h);
    if (!fn) {
        return lf_smp_fail_rc(c, LF_SMP_RC_ENOTSUP, NULL);
    }
    lf_cbor_dec_init(&c->dec, payload, h->len);
    c->empty = h->len == 0;
    if (!c->empty) {
        /* Not a map: the handler learns it from lf_smp_request_end (reset
         * ignores it, everything else answers EINVAL). */
        c->dec_err = lf_cbor_enter_map(&c->dec, NULL);
        c->empty = c->dec_err != LF_OK;
    }
    lf_cbor_enc_map_open(&c->enc);
    int failed = fn(c);
    if (failed) {
        return failed;
    }
    lf_cbor_enc_map_close(&c->enc);
    if (lf_cbor_enc_finish(&c->enc, NULL) != LF_OK) {
        return lf_smp_fail_rc(c, LF_SMP_RC_EMSGSIZE, "response too large");
    }
    c->srv->last_err.chained = false;
    return 0;
}

/* Build the response to header h (payload bytes follow it unless `corrupt`)
 * in the response buffer; returns its length, *failed = an error reply. */
static size_t respond(struct lf_smp_server *s, const struct lf_smp_hdr *h, const uint8_t *payload,
                      bool corrupt, bool *failed)
{
    const struct lf_smp_server_cfg *cfg = s->cfg;
    const struct lf_smp_group *g = find_group(cfg, h->group);
    struct lf_smp_ctx c;
    memset(&c, 0, sizeof(c));
    c.srv = s;
    c.hdr = h;
    lf_cbor_enc_init(&c.enc, cfg->rsp_buf + LF_SMP_HDR_SIZE, cfg->rsp_cap - LF_SMP_HDR_SIZE);

    int fail = corrupt ? lf_smp_fail_rc(&c, LF_SMP_RC_ECORRUPT, "message shorter than its header")
                       : dispatch(&c, g, payload);
    if (fail) {
        encode_error(&c, g);
    }
    size_t body = 0;
    lf_cbor_enc_finish(&c.enc, &body); /* an error map always fits LF_SMP_RSP_MIN */

    struct lf_smp_hdr r = {
        .op = h->op == LF_SMP_OP_READ ? LF_SMP_OP_READ_RSP : LF_SMP_OP_WRITE_RSP,
        .ver = h->ver > LF_SMP_VER_2 ? LF_SMP_VER_2 : h->ver,
        .flags = 0,
        .len = (uint16_t)body,
        .group = h->group,
        .seq = h->seq,
        .id = h->id,
    };
    lf_smp_hdr_encode(&r, cfg->rsp_buf);
    *failed = fail != 0;
    return LF_SMP_HDR_SIZE + body;
}

int lf_smp_server_handle(struct lf_smp_server *s, const uint8_t *pkt, size_t len,
                         lf_smp_send_fn send, void *send_ctx)
{
    size_t pos = 0;
    int sent = 0;
    while (len - pos >= LF_SMP_HDR_SIZE) {
        struct lf_smp_hdr h;
        int err = lf_smp_hdr_decode(pkt + pos, len - pos, &h);
        bool corrupt = err == LF_E_SMP_PAYLOAD_SHORT;
        if (err && !corrupt) {
            break;
        }
        bool failed;
        size_t n = respond(s, &h, pkt + pos + LF_SMP_HDR_SIZE, corrupt, &failed);
        err = send(send_ctx, s->cfg->rsp_buf, n);
        if (err) {
            return err;
        }
        sent++;
        if (failed || corrupt) {
            break;
        }
        pos += LF_SMP_HDR_SIZE + h.len;
    }
    return sent;
}
