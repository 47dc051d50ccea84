/* SMP client: request encoders (docs/reference/smp.md section 2). */
#include <string.h>

#include "lf/err.h"
#include "lf/smp_client.h"

void lf_smp_req_begin(struct lf_smp_req *r, uint8_t *buf, size_t cap, uint8_t ver, uint8_t seq)
{
    r->buf = buf;
    r->cap = cap;
    r->ver = ver;
    r->seq = seq;
    if (cap < LF_SMP_HDR_SIZE) {
        /* Every write then fails with LF_E_CBOR_NO_SPACE, reported as NOSPACE. */
        lf_cbor_enc_init(&r->enc, NULL, 0);
    } else {
        lf_cbor_enc_init(&r->enc, buf + LF_SMP_HDR_SIZE, cap - LF_SMP_HDR_SIZE);
    }
}

/* Close the payload and write the header in front of it. */
static int req_end(struct lf_smp_req *r, uint8_t op, uint16_t group, uint8_t id, size_t *msg_len)
{
    struct lf_smp_hdr h;
    size_t plen = 0;
    int err = lf_cbor_enc_finish(&r->enc, &plen);
    if (err == LF_E_CBOR_NO_SPACE || r->cap < LF_SMP_HDR_SIZE) {
        return LF_E_NOSPACE;
    }
    if (err) {
        return err;
    }
    if (plen > LF_SMP_MAX_PAYLOAD) {
        return LF_E_RANGE;
    }
    h.op = op;
    h.ver = r->ver;
    h.flags = 0;
    h.len = (uint16_t)plen;
    h.group = group;
    h.seq = r->seq;
    h.id = id;
    err = lf_smp_hdr_encode(&h, r->buf);
    if (err) {
        return err;
    }
    *msg_len = LF_SMP_HDR_SIZE + plen;
    return LF_OK;
}

int lf_smp_req_echo(struct lf_smp_req *r, const char *text, size_t len, size_t *msg_len)
{
    lf_cbor_enc_map(&r->enc, 1);
    lf_cbor_enc_text_z(&r->enc, "d");
    lf_cbor_enc_text(&r->enc, text, len);
    return req_end(r, LF_SMP_OP_WRITE, LF_SMP_GROUP_OS, LF_SMP_OS_ID_ECHO, msg_len);
}

int lf_smp_req_params(struct lf_smp_req *r, size_t *msg_len)
{
    lf_cbor_enc_map(&r->enc, 0);
    return req_end(r, LF_SMP_OP_READ, LF_SMP_GROUP_OS, LF_SMP_OS_ID_MCUMGR_PARAMS, msg_len);
}

/* A read whose map holds one optional text value. */
static int req_opt_text(struct lf_smp_req *r, const char *key, const char *val, uint8_t id,
                        size_t *msg_len)
{
    if (val == NULL) {
        lf_cbor_enc_map(&r->enc, 0);
    } else {
        lf_cbor_enc_map(&r->enc, 1);
        lf_cbor_enc_text_z(&r->enc, key);
        lf_cbor_enc_text_z(&r->enc, val);
    }
    return req_end(r, LF_SMP_OP_READ, LF_SMP_GROUP_OS, id, msg_len);
}

int lf_smp_req_os_info(struct lf_smp_req *r, const char *format, size_t *msg_len)
{
    return req_opt_text(r, "format", format, LF_SMP_OS_ID_INFO, msg_len);
}

int lf_smp_req_bootloader_info(struct lf_smp_req *r, const char *query, size_t *msg_len)
{
    return req_opt_text(r, "query", query, LF_SMP_OS_ID_BOOTLOADER, msg_len);
}

int lf_smp_req_reset(struct lf_smp_req *r, bool force, size_t *msg_len)
{
    if (force) {
        lf_cbor_enc_map(&r->enc, 1);
        lf_cbor_enc_text_z(&r->enc, "force");
        lf_cbor_enc_bool(&r->enc, true);
    } else {
        lf_cbor_enc_map(&r->enc, 0);
    }
    return req_end(r, LF_SMP_OP_WRITE, LF_SMP_GROUP_OS, LF_SMP_OS_ID_RESET, msg_len);
}

int lf_smp_req_image_state(struct lf_smp_req *r, size_t *msg_len)
{
    lf_cbor_enc_map(&r->enc, 0);
    return req_end(r, LF_SMP_OP_READ, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_STATE, msg_len);
}

int lf_smp_req_image_set(struct lf_smp_req *r, const uint8_t *hash, size_t hash_len, bool confirm,
                         size_t *msg_len)
{
    if (hash != NULL && (hash_len == 0 || hash_len > LF_SMP_SHA_MAX)) {
        return LF_E_INVAL;
    }
    lf_cbor_enc_map(&r->enc, hash != NULL ? 2u : 1u);
    if (hash != NULL) {
        lf_cbor_enc_text_z(&r->enc, "hash");
        lf_cbor_enc_bytes(&r->enc, hash, hash_len);
    }
    lf_cbor_enc_text_z(&r->enc, "confirm");
    lf_cbor_enc_bool(&r->enc, confirm);
    return req_end(r, LF_SMP_OP_WRITE, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_STATE, msg_len);
}

int lf_smp_req_image_erase(struct lf_smp_req *r, bool has_slot, uint32_t slot, size_t *msg_len)
{
    if (has_slot) {
        lf_cbor_enc_map(&r->enc, 1);
        lf_cbor_enc_text_z(&r->enc, "slot");
        lf_cbor_enc_uint(&r->enc, slot);
    } else {
        lf_cbor_enc_map(&r->enc, 0);
    }
    return req_end(r, LF_SMP_OP_WRITE, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_ERASE, msg_len);
}

int lf_smp_req_image_slot_info(struct lf_smp_req *r, size_t *msg_len)
{
    lf_cbor_enc_map(&r->enc, 0);
    return req_end(r, LF_SMP_OP_READ, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_SLOT_INFO, msg_len);
}

int lf_smp_req_upload(struct lf_smp_req *r, const struct lf_smp_chunk *c, size_t *msg_len)
{
    size_t pairs = 2; /* off, data */
    if ((c->first && c->off != 0) || c->sha_len > LF_SMP_SHA_MAX ||
        (c->data == NULL && c->data_len != 0)) {
        return LF_E_INVAL;
    }
    if (c->first) {
        pairs += 2u + (c->sha != NULL ? 1u : 0u) + (c->upgrade ? 1u : 0u);
    }
    lf_cbor_enc_map(&r->enc, pairs);
    if (c->first) {
        lf_cbor_enc_text_z(&r->enc, "image");
        lf_cbor_enc_uint(&r->enc, c->image);
        lf_cbor_enc_text_z(&r->enc, "len");
        lf_cbor_enc_uint(&r->enc, c->len);
    }
    lf_cbor_enc_text_z(&r->enc, "off");
    lf_cbor_enc_uint(&r->enc, c->off);
    if (c->first && c->sha != NULL) {
        lf_cbor_enc_text_z(&r->enc, "sha");
        lf_cbor_enc_bytes(&r->enc, c->sha, c->sha_len);
    }
    if (c->first && c->upgrade) {
        lf_cbor_enc_text_z(&r->enc, "upgrade");
        lf_cbor_enc_bool(&r->enc, true);
    }
    lf_cbor_enc_text_z(&r->enc, "data");
    lf_cbor_enc_bytes(&r->enc, c->data, c->data_len);
    return req_end(r, LF_SMP_OP_WRITE, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_UPLOAD, msg_len);
}
