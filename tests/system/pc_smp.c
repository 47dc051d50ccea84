/* The user's side of a stage-1 update, in-process (pc_smp.h). */
#include "pc_smp.h"

#include <stdio.h>
#include <string.h>

#include "lf/err.h"
#include "lf/sha256.h"

int pc_smp_up(struct pc_smp *s, struct lf_sim_device *dev, const struct lfsim_chain *c, char *why,
              size_t why_len)
{
    memset(s, 0, sizeof(*s));
    int err = lfsim_app_init(&s->app, dev, c, NULL, PC_SMP_BUF, false);
    if (err) {
        snprintf(why, why_len, "application server init: %s", lf_err_str(err));
        return -1;
    }
    return 0;
}

static int pc_smp_capture(void *ctx, const uint8_t *msg, size_t len)
{
    struct pc_smp *s = ctx;
    if (len > sizeof(s->rsp)) {
        return LF_E_NOSPACE;
    }
    memcpy(s->rsp, msg, len);
    s->rsp_len = len;
    return LF_OK;
}

/* Start a request in s->req. */
static void pc_smp_begin(struct pc_smp *s, struct lf_smp_req *r)
{
    lf_smp_req_begin(r, s->req, sizeof(s->req), LF_SMP_VER_2, s->seq++);
}

/* Hand the request s->req[0..len) to the server; parse the one reply into
 * s->r and check it answers the request and reports success. */
static int pc_smp_call(struct pc_smp *s, int enc_err, size_t len, const char *what, char *why,
                       size_t why_len)
{
    struct lf_smp_hdr req;
    if (enc_err || lf_smp_hdr_decode(s->req, len, &req) != LF_OK) {
        snprintf(why, why_len, "%s: request encoding failed", what);
        return -1;
    }
    s->rsp_len = 0;
    int n = lf_smp_server_handle(&s->app.srv, s->req, len, pc_smp_capture, s);
    if (n != 1) {
        snprintf(why, why_len, "%s: %d replies", what, n);
        return -1;
    }
    int err = lf_smp_rsp_parse(s->rsp, s->rsp_len, &s->r);
    if (err || !lf_smp_rsp_matches(&req, &s->r)) {
        snprintf(why, why_len, "%s: unparsable or unrelated reply", what);
        return -1;
    }
    if (!lf_smp_rsp_ok(&s->r)) {
        snprintf(why, why_len, "%s: refused (rc %lld, group %u rc %lld%s%.*s)", what,
                 (long long)s->r.rc, (unsigned)s->r.err_group, (long long)s->r.err_rc,
                 s->r.rsn.len ? ": " : "", (int)s->r.rsn.len, (const char *)s->r.rsn.ptr);
        return -1;
    }
    return 0;
}

int pc_smp_upload(struct pc_smp *s, uint32_t image, const uint8_t *file, uint32_t len, char *why,
                  size_t why_len)
{
    uint8_t sha[LF_SHA256_SIZE];
    struct lf_smp_upload u;
    lf_sha256(file, len, sha);
    if (lf_smp_upload_init(&u, len, sha, sizeof(sha), image, false, 4) != LF_OK) {
        snprintf(why, why_len, "upload: bad file");
        return -1;
    }
    /* Every request moves the offset forward, or restarts once from 0: a
     * bound well above the chunk count catches a server that loops. */
    for (unsigned rounds = 0; rounds < 4u * (len / 64u + 4u) && !u.done; rounds++) {
        struct lf_smp_chunk c;
        struct lf_smp_req r;
        size_t n = 0;
        if (lf_smp_upload_chunk(&u, u.off, PC_SMP_BUF, &c) != LF_OK) {
            snprintf(why, why_len, "upload: no chunk fits at off %u", u.off);
            return -1;
        }
        c.data = file + c.off;
        pc_smp_begin(s, &r);
        int err = lf_smp_req_upload(&r, &c, &n);
        if (pc_smp_call(s, err, n, "upload", why, why_len)) {
            return -1;
        }
        uint32_t off;
        enum lf_smp_match m;
        if (lf_smp_rsp_upload(&s->r, &off, &m) != LF_OK) {
            snprintf(why, why_len, "upload: reply without off");
            return -1;
        }
        err = lf_smp_upload_reply(&u, off, m);
        if (err) {
            snprintf(why, why_len, "upload: reply off %u match %d: %s", off, (int)m,
                     lf_err_str(err));
            return -1;
        }
        if (u.done && m != LF_SMP_MATCH_TRUE) {
            snprintf(why, why_len, "upload: final reply without \"match\": true");
            return -1;
        }
    }
    if (!u.done) {
        snprintf(why, why_len, "upload: no progress (off %u of %u)", u.off, len);
        return -1;
    }
    return 0;
}

int pc_smp_state(struct pc_smp *s, struct lf_smp_image_slot *out, size_t max, size_t *n, char *why,
                 size_t why_len)
{
    struct lf_smp_req r;
    size_t len = 0;
    pc_smp_begin(s, &r);
    int err = lf_smp_req_image_state(&r, &len);
    if (pc_smp_call(s, err, len, "image state", why, why_len)) {
        return -1;
    }
    if (lf_smp_rsp_image_state(&s->r, out, max, n) != LF_OK) {
        snprintf(why, why_len, "image state: undecodable list");
        return -1;
    }
    return 0;
}

int pc_smp_test(struct pc_smp *s, uint32_t image, uint32_t slot, char *why, size_t why_len)
{
    return pc_smp_set(s, image, slot, false, why, why_len);
}

int pc_smp_set(struct pc_smp *s, uint32_t image, uint32_t slot, bool confirm, char *why,
               size_t why_len)
{
    struct lf_smp_image_slot st[PC_SMP_SLOTS_MAX];
    size_t count = 0;
    if (pc_smp_state(s, st, PC_SMP_SLOTS_MAX, &count, why, why_len)) {
        return -1;
    }
    const struct lf_smp_image_slot *e = NULL;
    for (size_t i = 0; i < count; i++) {
        if (st[i].image == image && st[i].slot == slot) {
            e = &st[i];
        }
    }
    if (!e || e->hash_len == 0) {
        snprintf(why, why_len, "image state: no image %u slot %u with a hash", image, slot);
        return -1;
    }
    struct lf_smp_req r;
    size_t n = 0;
    pc_smp_begin(s, &r);
    int err = lf_smp_req_image_set(&r, e->hash, e->hash_len, confirm, &n);
    return pc_smp_call(s, err, n, confirm ? "image confirm" : "image test", why, why_len);
}

int pc_smp_reset(struct pc_smp *s, char *why, size_t why_len)
{
    struct lf_smp_req r;
    size_t n = 0;
    pc_smp_begin(s, &r);
    int err = lf_smp_req_reset(&r, false, &n);
    if (pc_smp_call(s, err, n, "reset", why, why_len)) {
        return -1;
    }
    if (!lf_smp_server_reset_pending(&s->app.srv)) {
        snprintf(why, why_len, "reset: accepted but not pending");
        return -1;
    }
    return 0;
}
