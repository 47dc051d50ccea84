/* SMP client: response decoding (docs/reference/smp.md 1.2, 1.4, 2). */
#include <string.h>

#include "lf/err.h"
#include "lf/smp_client.h"

/* "err": {"group": uint, "rc": int} (or NCS 2.4's "ret" with the same shape). */
static int read_group_err(struct lf_cbor_dec *d, struct lf_smp_rsp *rsp)
{
    struct lf_cbor_str key;
    bool has_group = false;
    bool has_rc = false;
    uint32_t group = 0;
    int64_t rc = 0;
    if (lf_cbor_peek(d) != LF_CBOR_T_MAP) {
        return LF_E_CORRUPT;
    }
    lf_cbor_enter_map(d, NULL);
    while (lf_cbor_map_next(d, &key)) {
        if (lf_cbor_str_eq(&key, "group")) {
            if (lf_cbor_read_u32(d, &group)) {
                return LF_E_CORRUPT;
            }
            has_group = true;
        } else if (lf_cbor_str_eq(&key, "rc")) {
            if (lf_cbor_read_int(d, &rc)) {
                return LF_E_CORRUPT;
            }
            has_rc = true;
        }
    }
    lf_cbor_leave(d);
    if (d->err) {
        return d->err;
    }
    if (!has_group || !has_rc) {
        return LF_E_CORRUPT;
    }
    rsp->has_err = true;
    rsp->err_group = group;
    rsp->err_rc = rc;
    return LF_OK;
}

int lf_smp_rsp_parse(const uint8_t *msg, size_t len, struct lf_smp_rsp *rsp)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str key;
    int err;
    memset(rsp, 0, sizeof(*rsp));
    err = lf_smp_hdr_decode(msg, len, &rsp->hdr);
    if (err) {
        return err;
    }
    if (rsp->hdr.op != LF_SMP_OP_READ_RSP && rsp->hdr.op != LF_SMP_OP_WRITE_RSP) {
        return LF_E_CORRUPT;
    }
    rsp->payload = msg + LF_SMP_HDR_SIZE;
    if (rsp->hdr.len == 0) {
        return LF_OK; /* no payload: an empty map, success */
    }
    lf_cbor_dec_init(&d, rsp->payload, rsp->hdr.len);
    if (lf_cbor_peek(&d) != LF_CBOR_T_MAP) {
        return d.err ? d.err : LF_E_CORRUPT;
    }
    lf_cbor_enter_map(&d, NULL);
    while (lf_cbor_map_next(&d, &key)) {
        if (lf_cbor_str_eq(&key, "rc")) {
            if (lf_cbor_read_int(&d, &rsp->rc)) {
                return LF_E_CORRUPT;
            }
            rsp->has_rc = true;
        } else if (lf_cbor_str_eq(&key, "err") || lf_cbor_str_eq(&key, "ret")) {
            err = read_group_err(&d, rsp);
            if (err) {
                return err;
            }
        } else if (lf_cbor_str_eq(&key, "rsn")) {
            if (lf_cbor_read_text(&d, &rsp->rsn)) {
                return LF_E_CORRUPT;
            }
        }
    }
    lf_cbor_leave(&d);
    /* Well-formed to the end: a truncated or trailing-garbage payload is not
     * a response we can trust. */
    return lf_cbor_dec_finish(&d);
}

bool lf_smp_rsp_matches(const struct lf_smp_hdr *req, const struct lf_smp_rsp *rsp)
{
    uint8_t want = req->op == LF_SMP_OP_READ ? LF_SMP_OP_READ_RSP : LF_SMP_OP_WRITE_RSP;
    return rsp->hdr.op == want && rsp->hdr.group == req->group && rsp->hdr.id == req->id &&
           rsp->hdr.seq == req->seq;
}

bool lf_smp_rsp_ok(const struct lf_smp_rsp *rsp)
{
    bool rc_ok = !rsp->has_rc || rsp->rc == 0;
    bool err_ok = !rsp->has_err || rsp->err_rc == 0;
    return rc_ok && err_ok;
}

int lf_smp_rsp_find(const struct lf_smp_rsp *rsp, const char *key, struct lf_cbor_dec *d)
{
    struct lf_cbor_str k;
    lf_cbor_dec_init(d, rsp->payload, rsp->hdr.len);
    if (rsp->hdr.len == 0) {
        return LF_E_NOT_FOUND;
    }
    lf_cbor_enter_map(d, NULL);
    while (lf_cbor_map_next(d, &k)) {
        if (lf_cbor_str_eq(&k, key)) {
            return LF_OK;
        }
    }
    return d->err ? d->err : LF_E_NOT_FOUND;
}

int lf_smp_rsp_uint(const struct lf_smp_rsp *rsp, const char *key, uint64_t *v)
{
    struct lf_cbor_dec d;
    int err = lf_smp_rsp_find(rsp, key, &d);
    if (err) {
        return err;
    }
    return lf_cbor_read_uint(&d, v);
}

int lf_smp_rsp_int(const struct lf_smp_rsp *rsp, const char *key, int64_t *v)
{
    struct lf_cbor_dec d;
    int err = lf_smp_rsp_find(rsp, key, &d);
    if (err) {
        return err;
    }
    return lf_cbor_read_int(&d, v);
}

int lf_smp_rsp_bool(const struct lf_smp_rsp *rsp, const char *key, bool *v)
{
    struct lf_cbor_dec d;
    int err = lf_smp_rsp_find(rsp, key, &d);
    if (err) {
        return err;
    }
    return lf_cbor_read_bool(&d, v);
}

int lf_smp_rsp_text(const struct lf_smp_rsp *rsp, const char *key, struct lf_cbor_str *s)
{
    struct lf_cbor_dec d;
    int err = lf_smp_rsp_find(rsp, key, &d);
    if (err) {
        return err;
    }
    return lf_cbor_read_text(&d, s);
}

int lf_smp_rsp_upload(const struct lf_smp_rsp *rsp, uint32_t *off, enum lf_smp_match *match)
{
    bool m = false;
    int err = lf_smp_rsp_bool(rsp, "match", &m);
    if (err == LF_E_NOT_FOUND) {
        *match = LF_SMP_MATCH_ABSENT;
    } else if (err) {
        return err;
    } else {
        *match = m ? LF_SMP_MATCH_TRUE : LF_SMP_MATCH_FALSE;
    }
    {
        struct lf_cbor_dec d;
        err = lf_smp_rsp_find(rsp, "off", &d);
        if (err) {
            return err;
        }
        return lf_cbor_read_u32(&d, off);
    }
}

/* One map of the "images" array. */
static int read_image_slot(struct lf_cbor_dec *d, struct lf_smp_image_slot *s)
{
    struct lf_cbor_str key;
    struct lf_cbor_str hash;
    bool has_slot = false;
    memset(s, 0, sizeof(*s));
    if (lf_cbor_enter_map(d, NULL)) {
        return d->err;
    }
    while (lf_cbor_map_next(d, &key)) {
        bool *flag = NULL;
        if (lf_cbor_str_eq(&key, "image")) {
            lf_cbor_read_u32(d, &s->image);
        } else if (lf_cbor_str_eq(&key, "slot")) {
            has_slot = lf_cbor_read_u32(d, &s->slot) == LF_OK;
        } else if (lf_cbor_str_eq(&key, "version")) {
            lf_cbor_read_text(d, &s->version);
        } else if (lf_cbor_str_eq(&key, "hash")) {
            if (lf_cbor_peek(d) == LF_CBOR_T_NULL) {
                lf_cbor_read_null(d);
            } else if (lf_cbor_read_bytes(d, &hash) == LF_OK) {
                if (hash.len > LF_SMP_SHA_MAX) {
                    return LF_E_CORRUPT;
                }
                memcpy(s->hash, hash.ptr, hash.len);
                s->hash_len = (uint8_t)hash.len;
            }
        } else if (lf_cbor_str_eq(&key, "bootable")) {
            flag = &s->bootable;
        } else if (lf_cbor_str_eq(&key, "pending")) {
            flag = &s->pending;
        } else if (lf_cbor_str_eq(&key, "confirmed")) {
            flag = &s->confirmed;
        } else if (lf_cbor_str_eq(&key, "active")) {
            flag = &s->active;
        } else if (lf_cbor_str_eq(&key, "permanent")) {
            flag = &s->permanent;
        }
        if (flag != NULL) {
            lf_cbor_read_bool(d, flag);
        }
    }
    lf_cbor_leave(d);
    if (d->err) {
        return d->err;
    }
    return has_slot ? LF_OK : LF_E_CORRUPT;
}

int lf_smp_rsp_image_state(const struct lf_smp_rsp *rsp, struct lf_smp_image_slot *out, size_t max,
                           size_t *n)
{
    struct lf_cbor_dec d;
    size_t count = 0;
    int err = lf_smp_rsp_find(rsp, "images", &d);
    if (err) {
        return err;
    }
    if (lf_cbor_enter_array(&d, NULL)) {
        return d.err;
    }
    while (lf_cbor_dec_more(&d)) {
        if (count == max) {
            return LF_E_NOSPACE;
        }
        err = read_image_slot(&d, &out[count]);
        if (err) {
            return err;
        }
        count++;
    }
    lf_cbor_leave(&d);
    if (d.err) {
        return d.err;
    }
    *n = count;
    return LF_OK;
}
