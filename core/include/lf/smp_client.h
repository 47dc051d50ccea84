#ifndef LF_SMP_CLIENT_H
#define LF_SMP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/cbor.h"
#include "lf/smp_hdr.h"

/*
 * The client side of SMP (docs/reference/smp.md sections 2 and 5): request encoders,
 * response decoders, upload chunk sizing and the upload's offset bookkeeping.
 * Pure functions over caller buffers; no I/O, no timing (the caller sends,
 * waits and retries). Used by tools/lfmgr and by anything on the device or
 * in the virtual device that needs to talk to an SMP server.
 *
 * Requests: begin a message in a caller buffer (header space + CBOR
 * encoder), call one lf_smp_req_* encoder, which writes the payload and the
 * header and returns the message length. Every encoder writes a definite-
 * length map whose keys come in the order documented at the encoder, so the
 * bytes are reproducible (the unit tests compare them byte for byte).
 *
 * Responses: lf_smp_rsp_parse() checks the header and the CBOR map and
 * extracts the status in either shape (v1 "rc", v2 "err": {group, rc},
 * a missing status meaning success, legacy "rc": 0, NCS 2.4's "ret"); then
 * the lf_smp_rsp_* readers take the body fields they need.
 */

#define LF_SMP_SHA_MAX 32u /* SHA-256 of the file: the longest "sha" a server accepts */

/* ---- requests -------------------------------------------------------------- */

/* A request being built in buf[0..cap): the header is written last, by the
 * encoder, into buf[0..8); the CBOR payload follows. Fields are internal. */
struct lf_smp_req {
    uint8_t *buf;
    size_t cap;
    uint8_t ver; /* LF_SMP_VER_1 or LF_SMP_VER_2 */
    uint8_t seq;
    struct lf_cbor_enc enc;
};

/* Start a request with header version `ver` (0..3) and sequence number `seq`
 * in buf[0..cap). buf must stay valid until the encoder returns. cap below
 * LF_SMP_HDR_SIZE makes the encoder fail with LF_E_NOSPACE. */
void lf_smp_req_begin(struct lf_smp_req *r, uint8_t *buf, size_t cap, uint8_t ver, uint8_t seq);

/*
 * Each encoder finishes the request begun with lf_smp_req_begin: on LF_OK
 * *msg_len = header + payload bytes in buf. LF_E_NOSPACE if it does not fit,
 * LF_E_RANGE if the payload would exceed the 16-bit data length.
 */

/* OS echo (write): {"d": text}. text may be NULL only when len is 0. */
int lf_smp_req_echo(struct lf_smp_req *r, const char *text, size_t len, size_t *msg_len);

/* OS mcumgr params (read): empty map. */
int lf_smp_req_params(struct lf_smp_req *r, size_t *msg_len);

/* OS info (read): {"format": text}, or the empty map when format is NULL. */
int lf_smp_req_os_info(struct lf_smp_req *r, const char *format, size_t *msg_len);

/* OS reset (write): {"force": true} when force, else the empty map. */
int lf_smp_req_reset(struct lf_smp_req *r, bool force, size_t *msg_len);

/* OS bootloader info (read): {"query": text}, or the empty map when query is
 * NULL (the device then names its bootloader). */
int lf_smp_req_bootloader_info(struct lf_smp_req *r, const char *query, size_t *msg_len);

/* Image state read: empty map. */
int lf_smp_req_image_state(struct lf_smp_req *r, size_t *msg_len);

/*
 * Image state write: {"hash": bstr, "confirm": bool}. hash may be NULL (then
 * no "hash" key: "confirm the running image"); hash_len must be 1..32 when
 * hash is set (LF_E_INVAL otherwise). Key order: hash, confirm.
 */
int lf_smp_req_image_set(struct lf_smp_req *r, const uint8_t *hash, size_t hash_len, bool confirm,
                         size_t *msg_len);

/* Image erase (write): {"slot": uint} when has_slot, else the empty map (the
 * server then erases the non-active slot). */
int lf_smp_req_image_erase(struct lf_smp_req *r, bool has_slot, uint32_t slot, size_t *msg_len);

/* Image slot info (read): empty map. */
int lf_smp_req_image_slot_info(struct lf_smp_req *r, size_t *msg_len);

/* One upload request. */
struct lf_smp_chunk {
    uint32_t off;        /* offset of data[0] in the file */
    const uint8_t *data; /* may be NULL only when data_len is 0 */
    uint32_t data_len;
    bool first;         /* off == 0: carry the first-chunk fields below */
    uint32_t image;     /* first chunk: target image number */
    uint32_t len;       /* first chunk: total file length */
    const uint8_t *sha; /* first chunk: SHA-256 of the file, or NULL */
    uint8_t sha_len;    /* 0..LF_SMP_SHA_MAX */
    bool upgrade;       /* first chunk: refuse unless newer than the running image */
};

/*
 * Image upload (write). Continuation chunk: {"off", "data"}. First chunk:
 * {"image", "len", "off", "sha" (when set), "upgrade" (only when true),
 * "data"}. "image" is sent on the first chunk only (a server honours it only
 * there). LF_E_INVAL when c->first and c->off != 0, or sha_len > 32.
 */
int lf_smp_req_upload(struct lf_smp_req *r, const struct lf_smp_chunk *c, size_t *msg_len);

/* ---- upload sizing --------------------------------------------------------- */

/*
 * Exact encoded size (SMP header included) of the upload request `c` would
 * produce, from its fields and data_len; what lf_smp_req_upload writes.
 */
size_t lf_smp_chunk_msg_size(const struct lf_smp_chunk *c);

/*
 * The largest data length for chunk `c` (its data_len ignored) such that the
 * whole SMP message is at most `budget` bytes: the transport's largest
 * message (serial: buf_size - 4; UDP: the datagram; BLE: buf_size). Returns
 * 0 when not even one data byte fits.
 */
uint32_t lf_smp_chunk_data_max(const struct lf_smp_chunk *c, size_t budget);

/* ---- upload progress ---------------------------------------------------------- */

/*
 * The offset bookkeeping of one upload, driven by the server's replies: the
 * next chunk always starts at the server's last reported "off", and a reply
 * of 0 in the middle of a transfer restarts with the first-chunk fields
 * (smp.md 5.4). The caller owns sending, waiting and retrying.
 */
struct lf_smp_upload {
    const uint8_t *sha; /* SHA-256 of the file, or NULL (no resume, no check) */
    uint32_t len;       /* file length, > 0 */
    uint32_t image;
    uint32_t off;   /* next offset the server expects, as last reported */
    uint16_t align; /* data lengths (except the last) are multiples of this, >= 1 */
    uint8_t sha_len;
    bool upgrade;
    bool done; /* the server reported off == len */
};

/* Set up an upload of a file of len bytes (1 .. UINT32_MAX). align 0 is
 * taken as 1. sha (may be NULL) must stay valid while u is used.
 * LF_E_INVAL on len 0 or sha_len > 32. */
int lf_smp_upload_init(struct lf_smp_upload *u, uint32_t len, const uint8_t *sha, uint8_t sha_len,
                       uint32_t image, bool upgrade, uint16_t align);

/*
 * Fill *c for the chunk starting at `off` (< u->len; normally u->off, or a
 * later offset when the caller pipelines) with the longest data that fits
 * `budget`, rounded down to u->align unless it reaches the end of the file.
 * c->data is left NULL: the caller points it at file[off]. LF_E_RANGE if off
 * >= len, LF_E_NOSPACE if budget cannot carry one aligned data unit.
 */
int lf_smp_upload_chunk(const struct lf_smp_upload *u, uint32_t off, size_t budget,
                        struct lf_smp_chunk *c);

/* Chunk-match verdict of an upload reply ("match" key). */
enum lf_smp_match {
    LF_SMP_MATCH_ABSENT = 0,
    LF_SMP_MATCH_FALSE = 1,
    LF_SMP_MATCH_TRUE = 2,
};

/*
 * Record the server's reply "off" (and "match") to an upload request.
 * Returns LF_OK (u->off updated; u->done once off == len), LF_E_RANGE if
 * the server reports an offset beyond the file (u unchanged), LF_E_CORRUPT
 * when the final reply says the written data does not match the sha.
 */
int lf_smp_upload_reply(struct lf_smp_upload *u, uint32_t off, enum lf_smp_match match);

/* ---- responses ------------------------------------------------------------- */

struct lf_smp_rsp {
    struct lf_smp_hdr hdr;
    const uint8_t *payload; /* hdr.len bytes of CBOR (a map), inside the message */
    bool has_rc;
    int64_t rc; /* "rc": MGMT_ERR (v1 shape, or SMP-level errors in v2) */
    bool has_err;
    uint32_t err_group; /* "err": {"group", "rc"} (v2 group error), or legacy "ret" */
    int64_t err_rc;
    struct lf_cbor_str rsn; /* "rsn" text, len 0 when absent */
};

/*
 * Parse the message msg[0..len): header, then the payload, which must be one
 * well-formed CBOR map (an empty payload counts as the empty map), and its
 * status keys. Bytes after header + data length are ignored (the next
 * message of the same packet). Returns LF_OK, LF_E_SMP_HDR_SHORT,
 * LF_E_SMP_PAYLOAD_SHORT, a CBOR error, or LF_E_CORRUPT when the op is not
 * a response or a status key has the wrong type. *rsp points into msg.
 */
int lf_smp_rsp_parse(const uint8_t *msg, size_t len, struct lf_smp_rsp *rsp);

/* True if rsp answers the request whose header is req: op = req op + 1
 * (READ_RSP or WRITE_RSP), same group, command id and sequence number. The
 * version is not compared (a v1 server answers a v2 request with Ver 0). */
bool lf_smp_rsp_matches(const struct lf_smp_hdr *req, const struct lf_smp_rsp *rsp);

/* True if the response reports success: no "rc" or "rc" 0, and no "err" or
 * "err" rc 0. */
bool lf_smp_rsp_ok(const struct lf_smp_rsp *rsp);

/* Position *d on the value of top-level key `key` (then read that one value
 * with the lf_cbor_read_* functions). LF_E_NOT_FOUND if absent. */
int lf_smp_rsp_find(const struct lf_smp_rsp *rsp, const char *key, struct lf_cbor_dec *d);

/* Typed top-level fields: LF_E_NOT_FOUND if absent, a CBOR error (e.g.
 * LF_E_CBOR_TYPE) if of another type. */
int lf_smp_rsp_uint(const struct lf_smp_rsp *rsp, const char *key, uint64_t *v);
int lf_smp_rsp_int(const struct lf_smp_rsp *rsp, const char *key, int64_t *v);
int lf_smp_rsp_bool(const struct lf_smp_rsp *rsp, const char *key, bool *v);
int lf_smp_rsp_text(const struct lf_smp_rsp *rsp, const char *key, struct lf_cbor_str *s);

/* Upload reply: "off" (required, <= UINT32_MAX) and "match" (optional). */
int lf_smp_rsp_upload(const struct lf_smp_rsp *rsp, uint32_t *off, enum lf_smp_match *match);

/* One entry of an image state list ("images" array of the state read). */
struct lf_smp_image_slot {
    uint32_t image; /* 0 when the server omits it (single-image devices) */
    uint32_t slot;
    struct lf_cbor_str version; /* points into the response */
    uint8_t hash[LF_SMP_SHA_MAX];
    uint8_t hash_len; /* 0 when absent */
    bool bootable, pending, confirmed, active, permanent;
};

/* Decode the "images" array into out[0..max); *n = entries. Missing flags
 * read as false. LF_E_NOSPACE if there are more than max entries,
 * LF_E_NOT_FOUND without "images", LF_E_CORRUPT for an entry without "slot"
 * or with a hash longer than 32 bytes. */
int lf_smp_rsp_image_state(const struct lf_smp_rsp *rsp, struct lf_smp_image_slot *out, size_t max,
                           size_t *n);

/* ---- names ------------------------------------------------------------------ */

/* Symbolic name of an MGMT_ERR rc ("EINVAL", ...), or NULL if unknown. */
const char *lf_smp_rc_name(int64_t rc);

/* Symbolic name of a group error (v2 "err"), e.g. group 1 rc 25 ->
 * "INVALID_FLASH_ADDRESS", for the OS and image groups; NULL if unknown. */
const char *lf_smp_group_err_name(uint32_t group, int64_t rc);

/* Short name of a group id ("os", "image", ...), or NULL if unknown. */
const char *lf_smp_group_name(uint32_t group);

#endif
