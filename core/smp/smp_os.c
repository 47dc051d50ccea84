/*
 * OS management group (group 0, docs/reference/smp.md 2.1; docs/smp-server.md section 3):
 * echo, reset, mcumgr parameters, OS/application info, datetime and
 * bootloader info with its queries ("mode", "active_b0_slot", and our own
 * "counter", "boot_record", "last_error", "keys" and "recovery"). Task and memory-pool statistics
 * and console echo control answer ENOTSUP, as Zephyr does without an RTOS to report on.
 */
#include <string.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lf/smp_server.h"
#include "lf/version.h"

/* Shortest and longest datetime text Zephyr accepts on set. */
#define DATETIME_MIN 19u
#define DATETIME_MAX 26u

/* OS group error -> v1 rc, as Zephyr translates them. */
static int os_v1_rc(uint16_t group_rc)
{
    switch (group_rc) {
    case LF_SMP_OS_ERR_INVALID_FORMAT:
        return LF_SMP_RC_EINVAL;
    case LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER:
    case LF_SMP_OS_ERR_RTC_NOT_SET:
        return LF_SMP_RC_ENOENT;
    default:
        return LF_SMP_RC_EUNKNOWN;
    }
}

static int bad_request(struct lf_smp_ctx *c)
{
    return lf_smp_fail_rc(c, LF_SMP_RC_EINVAL, "malformed request");
}

/* ---- echo ------------------------------------------------------------------- */

static int os_echo(struct lf_smp_ctx *c)
{
    struct lf_cbor_str key, d = {0};
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "d")) {
            lf_cbor_read_text(&c->dec, &d);
        }
    }
    /* Like Zephyr, a missing "d" echoes the empty text. */
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    lf_cbor_enc_text_z(&c->enc, "r");
    lf_cbor_enc_text(&c->enc, (const char *)d.ptr, d.len);
    return 0;
}

/* ---- reset ------------------------------------------------------------------ */

static int os_reset(struct lf_smp_ctx *c)
{
    struct lf_cbor_str key;
    bool force = false;
    /* "force" is documented as an int and decoded by Zephyr as a bool:
     * take both; anything undecodable is ignored and never blocks a reset. */
    while (lf_smp_next_key(c, &key)) {
        if (!lf_cbor_str_eq(&key, "force")) {
            continue;
        }
        enum lf_cbor_type t = lf_cbor_peek(&c->dec);
        if (t == LF_CBOR_T_BOOL) {
            lf_cbor_read_bool(&c->dec, &force);
        } else if (t == LF_CBOR_T_UINT) {
            uint64_t v;
            force = lf_cbor_read_uint(&c->dec, &v) == LF_OK && v > 0;
        }
    }
    (void)lf_smp_request_end(c);

    const struct lf_smp_platform *p = c->srv->plat;
    if (p->reset_hook && p->reset_hook(p->ctx, force) != LF_OK) {
        return lf_smp_fail_rc(c, LF_SMP_RC_EBUSY, "reset refused: retry with force");
    }
    c->srv->reset_requested = true;
    return 0;
}

/* ---- mcumgr parameters ------------------------------------------------------ */

static int os_params(struct lf_smp_ctx *c)
{
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    lf_cbor_enc_text_z(&c->enc, "buf_size");
    lf_cbor_enc_uint(&c->enc, c->srv->cfg->buf_size);
    lf_cbor_enc_text_z(&c->enc, "buf_count");
    lf_cbor_enc_uint(&c->enc, c->srv->cfg->buf_count);
    return 0;
}

/* ---- OS / application info -------------------------------------------------- */

/* Output order of the format characters (smp.md 2.1). */
static const char info_order[] = "snrvbmpio";

static const char *info_field(const struct lf_smp_os_info *in, char f)
{
    const char *v = NULL;
    if (in) {
        switch (f) {
        case 's':
            v = in->sysname;
            break;
        case 'n':
            v = in->nodename;
            break;
        case 'r':
            v = in->release;
            break;
        case 'v':
            v = in->version;
            break;
        case 'b':
            v = in->build_time;
            break;
        case 'm':
            v = in->machine;
            break;
        case 'p':
            v = in->processor;
            break;
        case 'i':
            v = in->platform;
            break;
        case 'o':
            v = in->os;
            break;
        default:
            break;
        }
    }
    if (v) {
        return v;
    }
    if (f == 's') {
        return "Leapfrog";
    }
    if (f == 'r') {
        return LF_VERSION_STRING;
    }
    return f == 'b' ? NULL : "unknown";
}

static int os_info(struct lf_smp_ctx *c)
{
    struct lf_cbor_str key, fmt = {(const uint8_t *)"s", 1};
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "format")) {
            lf_cbor_read_text(&c->dec, &fmt);
        }
    }
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    const struct lf_smp_os_info *in = c->srv->plat->os_info;
    bool want[sizeof(info_order) - 1] = {false};
    for (size_t i = 0; i < fmt.len; i++) {
        char ch = (char)fmt.ptr[i];
        bool known = false;
        for (size_t k = 0; k < sizeof(want); k++) {
            /* 'b' exists only when a build time is configured ('a' skips it) */
            bool avail = info_order[k] != 'b' || info_field(in, 'b') != NULL;
            if (avail && (ch == 'a' || ch == info_order[k])) {
                want[k] = true;
                known = true;
            }
        }
        if (!known) {
            return lf_smp_fail_group(c, LF_SMP_OS_ERR_INVALID_FORMAT, "unknown format character");
        }
    }
    char out[LF_SMP_OS_INFO_MAX];
    size_t n = 0;
    for (size_t k = 0; k < sizeof(want); k++) {
        if (!want[k]) {
            continue;
        }
        const char *v = info_field(in, info_order[k]);
        size_t vl = strlen(v);
        if (n + (n ? 1u : 0u) + vl > sizeof(out)) {
            return lf_smp_fail_rc(c, LF_SMP_RC_EMSGSIZE, "info text too long");
        }
        if (n) {
            out[n++] = ' ';
        }
        memcpy(out + n, v, vl);
        n += vl;
    }
    lf_cbor_enc_text_z(&c->enc, "output");
    lf_cbor_enc_text(&c->enc, out, n);
    return 0;
}

/* ---- datetime --------------------------------------------------------------- */

static int os_datetime_get(struct lf_smp_ctx *c)
{
    const struct lf_smp_platform *p = c->srv->plat;
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    if (!p->datetime_get) {
        return lf_smp_fail_rc(c, LF_SMP_RC_ENOTSUP, NULL);
    }
    char buf[DATETIME_MAX + 8];
    int n = p->datetime_get(p->ctx, buf, sizeof(buf));
    if (n < 0 || (size_t)n > sizeof(buf)) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_RTC_NOT_SET, "clock not set");
    }
    lf_cbor_enc_text_z(&c->enc, "datetime");
    lf_cbor_enc_text(&c->enc, buf, (size_t)n);
    return 0;
}

static int os_datetime_set(struct lf_smp_ctx *c)
{
    const struct lf_smp_platform *p = c->srv->plat;
    struct lf_cbor_str key, t = {0};
    bool have = false;
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "datetime")) {
            have = lf_cbor_read_text(&c->dec, &t) == LF_OK;
        }
    }
    if (lf_smp_request_end(c) || !have || t.len < DATETIME_MIN || t.len > DATETIME_MAX) {
        return bad_request(c);
    }
    if (!p->datetime_set) {
        return lf_smp_fail_rc(c, LF_SMP_RC_ENOTSUP, NULL);
    }
    if (p->datetime_set(p->ctx, (const char *)t.ptr, t.len) != LF_OK) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_RTC_COMMAND_FAILED, "clock refused the time");
    }
    return 0;
}

/* ---- bootloader info -------------------------------------------------------- */

static void enc_version(struct lf_cbor_enc *e, const char *key, const struct lf_image_version *v)
{
    char buf[32];
    size_t n = lf_smp_version_text(v, buf, sizeof(buf));
    lf_cbor_enc_text_z(e, key);
    lf_cbor_enc_text(e, buf, n);
}

static void enc_uint_kv(struct lf_cbor_enc *e, const char *key, uint64_t v)
{
    lf_cbor_enc_text_z(e, key);
    lf_cbor_enc_uint(e, v);
}

static int query_boot_record(struct lf_smp_ctx *c)
{
    const struct lf_smp_platform *p = c->srv->plat;
    struct lf_boot_record r;
    if (!p->boot_record) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, "no boot record source");
    }
    if (p->boot_record(p->ctx, &r) != LF_OK) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID,
                                 "no boot record stored");
    }
    struct lf_cbor_enc *e = &c->enc;
    enc_uint_kv(e, "seq", r.seq);
    enc_uint_kv(e, "action", r.action);
    enc_uint_kv(e, "flags", r.flags);
    enc_uint_kv(e, "image", r.image_num);
    enc_uint_kv(e, "strategy", r.strategy);
    lf_cbor_enc_text_z(e, "reason");
    lf_cbor_enc_int(e, r.reason);
    enc_uint_kv(e, "swap_type", r.swap_type);
    enc_uint_kv(e, "row", r.row);
    enc_version(e, "primary", &r.primary_ver);
    enc_version(e, "other", &r.other_ver);
    enc_uint_kv(e, "sec_cnt", r.sec_cnt);
    return 0;
}

/* The SHA-256 of every key of a keyring: what an image's KEYHASH TLV, or the
 * hash of its PUBKEY TLV, must equal. */
static void enc_key_hashes(struct lf_cbor_enc *e, const char *name, const struct lf_keyring *r)
{
    lf_cbor_enc_text_z(e, name);
    lf_cbor_enc_array_open(e);
    for (uint8_t i = 0; r && i < r->count; i++) {
        const struct lf_pubkey *k = &r->keys[i];
        uint8_t h[LF_SHA256_SIZE];
        if (k->hash) {
            lf_cbor_enc_bytes(e, k->hash, LF_SHA256_SIZE);
        } else if (k->der) {
            lf_sha256(k->der, k->der_len, h);
            lf_cbor_enc_bytes(e, h, sizeof(h));
        }
    }
    lf_cbor_enc_array_close(e);
}

/* "keys": the hashes of the keys uploads are checked with, so that a client
 * refuses a wrongly signed image before sending it. Read-only, public data. */
static int query_keys(struct lf_smp_ctx *c)
{
    const struct lf_smp_platform *p = c->srv->plat;
    if (!p->keys[0] && !p->keys[1]) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, "keys not known here");
    }
    if (p->keys[0]) {
        enc_key_hashes(&c->enc, "app", p->keys[0]);
    }
    if (p->keys[1]) {
        enc_key_hashes(&c->enc, "root", p->keys[1]);
    }
    return 0;
}

/* The bootloader info request's query (empty when absent); non-zero:
 * malformed. */
static int bl_query(struct lf_smp_ctx *c, struct lf_cbor_str *q)
{
    struct lf_cbor_str key;
    *q = (struct lf_cbor_str){0};
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "query")) {
            lf_cbor_read_text(&c->dec, q);
        }
    }
    return lf_smp_request_end(c);
}

/* The answers both tables give: the name, "mode" and "recovery". False:
 * another query. */
static bool bl_basic(struct lf_smp_ctx *c, const struct lf_cbor_str *q)
{
    const struct lf_smp_server_cfg *cfg = c->srv->cfg;
    struct lf_cbor_enc *e = &c->enc;
    if (q->len == 0) {
        lf_cbor_enc_text_z(e, "bootloader");
        lf_cbor_enc_text_z(e, cfg->bootloader_name ? cfg->bootloader_name : "MCUboot");
    } else if (lf_cbor_str_eq(q, "mode")) {
        lf_cbor_enc_text_z(e, "mode");
        lf_cbor_enc_int(e, cfg->boot_mode);
        if (cfg->no_downgrade) {
            lf_cbor_enc_text_z(e, "no-downgrade");
            lf_cbor_enc_bool(e, true);
        }
    } else if (lf_cbor_str_eq(q, "recovery")) {
        lf_cbor_enc_text_z(e, "recovery");
        lf_cbor_enc_bool(e, c->srv->plat->recovery);
    } else {
        return false;
    }
    return true;
}

/* Stage 1's recovery: the basic queries only. */
static int os_bootloader_rec(struct lf_smp_ctx *c)
{
    struct lf_cbor_str q;
    if (bl_query(c, &q)) {
        return bad_request(c);
    }
    if (!bl_basic(c, &q)) {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, "unknown query");
    }
    return 0;
}

static int os_bootloader(struct lf_smp_ctx *c)
{
    const struct lf_stage0_handoff *h = c->srv->plat->handoff;
    struct lf_cbor_str q;
    if (bl_query(c, &q)) {
        return bad_request(c);
    }
    struct lf_cbor_enc *e = &c->enc;
    if (bl_basic(c, &q)) {
        return 0;
    } else if (lf_cbor_str_eq(&q, "active_b0_slot") || lf_cbor_str_eq(&q, "counter")) {
        if (!lf_stage0_handoff_valid(h)) {
            return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_RESPONSE_VALUE_NOT_VALID,
                                     "no stage-0 handoff");
        }
        if (q.len == 7) { /* "counter" */
            enc_uint_kv(e, "counter", h->counter);
            enc_uint_kv(e, "used", h->counter_slots_used);
            enc_uint_kv(e, "left", h->counter_slots_left);
            enc_uint_kv(e, "image_sec_cnt", h->image_sec_cnt);
        } else {
            enc_uint_kv(e, "active", h->slot);
        }
    } else if (lf_cbor_str_eq(&q, "boot_record")) {
        return query_boot_record(c);
    } else if (lf_cbor_str_eq(&q, "keys")) {
        return query_keys(c);
    } else if (lf_cbor_str_eq(&q, "last_error")) {
        const struct lf_smp_last_err *l = &c->srv->last_err;
        if (!l->set) {
            return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, NULL);
        }
        /* not "rc"/"rsn": clients read those as this reply's own status */
        enc_uint_kv(e, "group", l->group);
        enc_uint_kv(e, "code", l->rc);
        lf_cbor_enc_text_z(e, "reason");
        lf_cbor_enc_text_z(e, l->rsn);
    } else {
        return lf_smp_fail_group(c, LF_SMP_OS_ERR_QUERY_YIELDS_NO_ANSWER, "unknown query");
    }
    return 0;
}

/* clang-format off */
static const struct lf_smp_handler os_handlers[] = {
    [LF_SMP_OS_ID_ECHO]          = {os_echo, os_echo},
    [LF_SMP_OS_ID_CONSOLE_ECHO]  = {NULL, NULL},
    [LF_SMP_OS_ID_TASKSTAT]      = {NULL, NULL},
    [LF_SMP_OS_ID_MPSTAT]        = {NULL, NULL},
    [LF_SMP_OS_ID_DATETIME]      = {os_datetime_get, os_datetime_set},
    [LF_SMP_OS_ID_RESET]         = {NULL, os_reset},
    [LF_SMP_OS_ID_MCUMGR_PARAMS] = {os_params, NULL},
    [LF_SMP_OS_ID_INFO]          = {os_info, NULL},
    [LF_SMP_OS_ID_BOOTLOADER]    = {os_bootloader, NULL},
};
/* clang-format on */

const struct lf_smp_group lf_smp_group_os = {
    .id = LF_SMP_GROUP_OS,
    .count = sizeof(os_handlers) / sizeof(os_handlers[0]),
    .handlers = os_handlers,
    .v1_rc = os_v1_rc,
    .init = NULL,
};

/* clang-format off */
static const struct lf_smp_handler os_rec_handlers[] = {
    [LF_SMP_OS_ID_ECHO]          = {os_echo, os_echo},
    [LF_SMP_OS_ID_CONSOLE_ECHO]  = {NULL, NULL},
    [LF_SMP_OS_ID_TASKSTAT]      = {NULL, NULL},
    [LF_SMP_OS_ID_MPSTAT]        = {NULL, NULL},
    [LF_SMP_OS_ID_DATETIME]      = {NULL, NULL},
    [LF_SMP_OS_ID_RESET]         = {NULL, os_reset},
    [LF_SMP_OS_ID_MCUMGR_PARAMS] = {os_params, NULL},
    [LF_SMP_OS_ID_INFO]          = {NULL, NULL},
    [LF_SMP_OS_ID_BOOTLOADER]    = {os_bootloader_rec, NULL},
};
/* clang-format on */

const struct lf_smp_group lf_smp_group_os_recovery = {
    .id = LF_SMP_GROUP_OS,
    .count = sizeof(os_rec_handlers) / sizeof(os_rec_handlers[0]),
    .handlers = os_rec_handlers,
    .v1_rc = os_v1_rc,
    .init = NULL,
};
