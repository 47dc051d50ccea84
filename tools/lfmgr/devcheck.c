/* lfmgr: the device's facts, the checks before sending, the report after a
 * reset (devcheck.h). */
#include "devcheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "boards.h"
#include "lf/boot_record.h"
#include "lf/err.h"
#include "lf/sha256.h"

#define STATE_MAX 16u

/* ---- asking the device ------------------------------------------------------------ */

static int build_state(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_image_state(r, len);
}

static int build_slot_info(struct lf_smp_req *r, const void *arg, size_t *len)
{
    (void)arg;
    return lf_smp_req_image_slot_info(r, len);
}

static int build_query(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_bootloader_info(r, arg, len);
}

static int build_os_info(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_os_info(r, arg, len);
}

/* One try of an optional question; true when the device answered it. */
static bool ask(struct lfm_session *s, lfm_build_fn build, const void *arg, struct lf_smp_rsp *rsp)
{
    int retries = s->retries;
    bool quiet = s->quiet_timeout;
    s->retries = 0;
    s->quiet_timeout = true;
    int err =
        lfm_transact(s, "query", build, arg, s->timeout_ms < 1000 ? s->timeout_ms : 1000, rsp);
    s->retries = retries;
    s->quiet_timeout = quiet;
    return err == LF_EXIT_OK && lf_smp_rsp_ok(rsp);
}

static void parse_version(const struct lf_cbor_str *t, struct lfm_slot_fact *f)
{
    unsigned a = 0, b = 0, c = 0;
    unsigned long d = 0;
    size_t n = 0;
    for (size_t i = 0; i < t->len && n < sizeof(f->vtext) - 1; i++) {
        char ch = (char)t->ptr[i];
        if ((ch >= '0' && ch <= '9') || ch == '.') { /* printed raw in JSON: digits only */
            f->vtext[n++] = ch;
        }
    }
    f->vtext[n] = '\0';
    sscanf(f->vtext, "%u.%u.%u.%lu", &a, &b, &c, &d);
    f->ver.major = (uint8_t)a;
    f->ver.minor = (uint8_t)b;
    f->ver.revision = (uint16_t)c;
    f->ver.build = (uint32_t)d;
}

int lfm_dev_read_state(struct lfm_session *s, struct lfm_dev *d)
{
    struct lf_smp_rsp rsp;
    struct lf_smp_image_slot e[STATE_MAX];
    size_t n = 0;
    int err = lfm_request(s, "image list", build_state, NULL, 0, &rsp);
    if (err) {
        return err;
    }
    if (lf_smp_rsp_image_state(&rsp, e, STATE_MAX, &n) != LF_OK) {
        lfm_err("image list: cannot read the device's image list");
        return LF_EXIT_PROTO;
    }
    memset(d->s, 0, sizeof(d->s));
    d->have_state = true;
    d->have_s1 = false;
    for (size_t i = 0; i < n; i++) {
        if (e[i].image > 1u || e[i].slot > 1u) {
            continue;
        }
        struct lfm_slot_fact *f = &d->s[e[i].image][e[i].slot];
        f->present = true;
        f->active = e[i].active;
        f->confirmed = e[i].confirmed;
        f->pending = e[i].pending;
        f->permanent = e[i].permanent;
        parse_version(&e[i].version, f);
        if (e[i].hash_len == 32) {
            memcpy(f->hash, e[i].hash, 32);
        }
        if (e[i].image == 1 && e[i].active) {
            d->have_s1 = true;
            d->s1_active = e[i].slot;
        }
    }
    return LF_EXIT_OK;
}

static void read_slot_info(struct lfm_session *s, struct lfm_dev *d)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_dec dec;
    if (!ask(s, build_slot_info, NULL, &rsp) || lf_smp_rsp_find(&rsp, "images", &dec) != LF_OK ||
        lf_cbor_enter_array(&dec, NULL) != LF_OK) {
        return;
    }
    while (lf_cbor_dec_more(&dec) && dec.err == 0) {
        uint64_t image = UINT64_MAX, max = 0;
        bool has_max = false;
        if (lf_cbor_enter_map(&dec, NULL) != LF_OK) {
            return;
        }
        while (lf_cbor_dec_more(&dec) && dec.err == 0) {
            struct lf_cbor_str key;
            if (lf_cbor_read_text(&dec, &key) != LF_OK) {
                return;
            }
            if (lf_cbor_str_eq(&key, "image")) {
                lf_cbor_read_uint(&dec, &image);
            } else if (lf_cbor_str_eq(&key, "max_image_size")) {
                has_max = lf_cbor_read_uint(&dec, &max) == LF_OK;
            } else {
                lf_cbor_skip(&dec);
            }
        }
        lf_cbor_leave(&dec);
        if (image < 2 && has_max && max <= UINT32_MAX) {
            d->have_max[image] = true;
            d->max[image] = (uint32_t)max;
        }
    }
}

static unsigned read_hashes(const struct lf_smp_rsp *rsp, const char *key,
                            uint8_t out[LFM_KEYS_MAX][32], bool *have)
{
    struct lf_cbor_dec dec;
    unsigned n = 0;
    if (lf_smp_rsp_find(rsp, key, &dec) != LF_OK || lf_cbor_enter_array(&dec, NULL) != LF_OK) {
        return 0;
    }
    *have = true;
    while (lf_cbor_dec_more(&dec) && dec.err == 0) {
        struct lf_cbor_str h;
        if (lf_cbor_read_bytes(&dec, &h) != LF_OK) {
            break;
        }
        if (h.len == 32 && n < LFM_KEYS_MAX) {
            memcpy(out[n++], h.ptr, 32);
        }
    }
    return n;
}

int lfm_dev_read(struct lfm_session *s, struct lfm_dev *d)
{
    struct lf_smp_rsp rsp;
    struct lf_cbor_str t;
    memset(d, 0, sizeof(*d));
    int err = lfm_dev_read_state(s, d);
    if (err) {
        return err;
    }
    read_slot_info(s, d);
    if (ask(s, build_query, "keys", &rsp)) {
        d->napp = read_hashes(&rsp, "app", d->app, &d->have_app_keys);
        d->nroot = read_hashes(&rsp, "root", d->root, &d->have_root_keys);
    }
    if (ask(s, build_query, "recovery", &rsp) &&
        lf_smp_rsp_bool(&rsp, "recovery", &d->recovery) == LF_OK) {
        d->have_recovery = true;
    }
    if (ask(s, build_query, "boot_record", &rsp) &&
        lf_smp_rsp_uint(&rsp, "seq", &d->rec_seq) == LF_OK) {
        d->have_record = true;
        lf_smp_rsp_uint(&rsp, "action", &d->rec_action);
        lf_smp_rsp_int(&rsp, "reason", &d->rec_reason);
    }
    if (ask(s, build_os_info, "i", &rsp) && lf_smp_rsp_text(&rsp, "output", &t) == LF_OK) {
        size_t n = t.len < sizeof(d->platform) - 1 ? t.len : sizeof(d->platform) - 1;
        memcpy(d->platform, t.ptr, n);
        d->platform[n] = '\0';
        d->board = lf_board_find(d->platform);
    }
    return LF_EXIT_OK;
}

/* ---- the file ------------------------------------------------------------------ */

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

/* Walk one TLV area [start + info, end): key and security counter. */
static void walk(const uint8_t *p, uint32_t at, uint32_t end, struct lfm_img_facts *f)
{
    at += LF_IMAGE_TLV_INFO_SIZE;
    while (end - at >= LF_IMAGE_TLV_HDR_SIZE && at < end) {
        uint16_t type = le16(p + at);
        uint16_t n = le16(p + at + 2);
        at += LF_IMAGE_TLV_HDR_SIZE;
        if (end - at < n) {
            return;
        }
        if (type == LF_TLV_KEYHASH && n == 32u) {
            memcpy(f->key_hash, p + at, 32);
            f->has_key = true;
        } else if (type == LF_TLV_PUBKEY && n > 0) {
            lf_sha256(p + at, n, f->key_hash);
            f->has_key = true;
        } else if (type == LF_TLV_SEC_CNT && n == 4u) {
            f->sec_cnt = (uint32_t)p[at] | (uint32_t)p[at + 1] << 8 | (uint32_t)p[at + 2] << 16 |
                         (uint32_t)p[at + 3] << 24;
            f->has_sec_cnt = true;
        }
        at += n;
    }
}

int lfm_img_facts(const uint8_t *p, size_t len, struct lfm_img_facts *f, char *why, size_t cap)
{
    memset(f, 0, sizeof(*f));
    if (lfm_img_inspect(p, len, &f->info, why, cap) != 0) {
        return -1;
    }
    /* lfm_img_inspect checked that both TLV areas lie inside p[0..len) */
    uint32_t tlv = f->info.hdr.hdr_size + f->info.hdr.img_size;
    uint32_t unprot = tlv + f->info.hdr.protect_tlv_size;
    uint8_t h[32];
    if (f->info.hdr.protect_tlv_size) {
        walk(p, tlv, unprot, f);
    }
    walk(p, unprot, f->info.total, f);
    lf_sha256(p, unprot, h);
    f->hash_ok = f->info.has_hash && memcmp(h, f->info.hash, 32) == 0;
    return 0;
}

uint32_t lfm_board_s_addr(const struct lf_board *b, unsigned slot)
{
    const struct lf_board_area *ar = &b->areas[slot ? LF_AREA_S1 : LF_AREA_S0];
    return b->dev_map_addr[ar->dev] + ar->off;
}

bool lfm_is_stage1_for(const struct lfm_img_facts *f, const struct lf_board *b, unsigned *slot)
{
    if (b == NULL || !(f->info.hdr.flags & LF_IMAGE_F_ROM_FIXED)) {
        return false;
    }
    for (unsigned sl = 0; sl < 2; sl++) {
        if (f->info.hdr.load_addr == lfm_board_s_addr(b, sl)) {
            *slot = sl;
            return true;
        }
    }
    return false;
}

/* ---- the checks ------------------------------------------------------------------ */

static void ver_text(const struct lf_image_version *v, char *buf, size_t cap)
{
    snprintf(buf, cap, "%u.%u.%u", v->major, v->minor, v->revision);
}

static bool key_known(const uint8_t (*keys)[32], unsigned n, const uint8_t *h)
{
    for (unsigned i = 0; i < n; i++) {
        if (memcmp(keys[i], h, 32) == 0) {
            return true;
        }
    }
    return false;
}

static int refuse(const char *what, bool force, const char *problem)
{
    if (force) {
        lfm_err("warning: %s: %s (--force: sending it anyway)", what, problem);
        return LF_EXIT_OK;
    }
    lfm_err("%s: %s; nothing was sent (--force sends it anyway)", what, problem);
    return LF_EXIT_FILE;
}

int lfm_precheck(const char *what, const struct lfm_dev *d, const struct lf_board *board,
                 const struct lfm_img_facts *f, uint32_t file_len, uint32_t image, bool force)
{
    char msg[400], v[32], run[32];
    unsigned s_slot = 0;
    if (!f->info.has_hash) {
        return refuse(what, force, "the image has no SHA256 TLV: the device cannot check it");
    }
    if (!f->hash_ok) {
        return refuse(what, force,
                      "the image is corrupt: its SHA-256 does not match its SHA256 TLV (changed "
                      "after signing?)");
    }
    if (image < 2 && d->have_max[image] && file_len > d->max[image]) {
        snprintf(msg, sizeof(msg),
                 "the file is %" PRIu32 " bytes, more than image %" PRIu32
                 "'s slot on the device takes (%" PRIu32 " bytes)",
                 file_len, image, d->max[image]);
        return refuse(what, force, msg);
    }
    ver_text(&f->info.hdr.version, v, sizeof(v));
    bool stage1 = image == 1 || (image == 0 && lfm_is_stage1_for(f, board, &s_slot));
    if (stage1) {
        if (image == 1) {
            lfm_is_stage1_for(f, board, &s_slot);
        }
        if (d->have_root_keys && f->has_key && !key_known(d->root, d->nroot, f->key_hash)) {
            return refuse(what, force,
                          "this stage-1 image is signed with a key the device does not trust "
                          "(not one of its provisioned root keys)");
        }
        if (d->have_s1) {
            unsigned act = d->s1_active;
            const struct lfm_slot_fact *a = &d->s[1][act];
            if (board && lfm_is_stage1_for(f, board, &s_slot) && s_slot == act) {
                snprintf(msg, sizeof(msg),
                         "this stage-1 image is linked for S%u (0x%08" PRIx32
                         "), the slot the device runs stage 1 from: it needs the S%u variant",
                         act, f->info.hdr.load_addr, act ^ 1u);
                return refuse(what, force, msg);
            }
            if (board && image == 1 && !lfm_is_stage1_for(f, board, &s_slot)) {
                snprintf(msg, sizeof(msg),
                         "this image is not linked for S0 or S1 of board %s (load address "
                         "0x%08" PRIx32 "): not a stage-1 image for this device",
                         board->name, f->info.hdr.load_addr);
                return refuse(what, force, msg);
            }
            if (a->present && lf_image_version_cmp(&f->info.hdr.version, &a->ver) <= 0) {
                ver_text(&a->ver, run, sizeof(run));
                snprintf(msg, sizeof(msg),
                         "stage 1 %s is not newer than the running stage 1 %s: stage 0 only "
                         "boots a newer one",
                         v, run);
                return refuse(what, force, msg);
            }
        }
        return LF_EXIT_OK;
    }
    if (d->have_app_keys && f->has_key && !key_known(d->app, d->napp, f->key_hash)) {
        return refuse(what, force,
                      "the image is signed with a key the device does not trust (not one of "
                      "the application keys its stage 1 holds)");
    }
    const struct lfm_slot_fact *a = &d->s[image < 2 ? image : 0][0];
    if (image == 0 && a->present && lf_image_version_cmp(&f->info.hdr.version, &a->ver) < 0) {
        ver_text(&a->ver, run, sizeof(run));
        snprintf(msg, sizeof(msg),
                 "version %s is older than the running %s: the device would drop it at boot "
                 "(downgrade prevention)",
                 v, run);
        return refuse(what, force, msg);
    }
    return LF_EXIT_OK;
}

/* ---- after a reset ------------------------------------------------------------------ */

static int build_reset(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_reset(r, *(const bool *)arg, len);
}

static void nap_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* Wait until the device answers the image list again. */
static int wait_back(struct lfm_session *s, struct lfm_dev *d)
{
    int64_t end = lfm_now_ms() + s->long_timeout_ms;
    nap_ms(200); /* a device resets shortly after its reply */
    for (;;) {
        struct lf_smp_rsp rsp;
        int retries = s->retries;
        s->retries = 0;
        s->quiet_timeout = true;
        int err = lfm_transact(s, "image list", build_state, NULL, 500, &rsp);
        s->retries = retries;
        s->quiet_timeout = false;
        if (err == LF_EXIT_OK && lf_smp_rsp_ok(&rsp)) {
            break;
        }
        if (lfm_now_ms() > end) {
            lfm_err("reset: the device did not answer again within %d s after the reset",
                    s->long_timeout_ms / 1000);
            return LF_EXIT_CONN;
        }
        nap_ms(100);
    }
    /* the full picture, with the boot record of this boot */
    struct lfm_dev tmp;
    int err = lfm_dev_read(s, &tmp);
    if (err == LF_EXIT_OK) {
        *d = tmp;
    }
    return err;
}

/* The active slot holding an image with this hash, or NULL. (The SDK path
 * leaves the same image in the application's secondary too.) */
static const struct lfm_slot_fact *active_with(const struct lfm_dev *d, const uint8_t *hash)
{
    for (int i = 0; i < 2; i++) {
        for (int sl = 0; sl < 2; sl++) {
            const struct lfm_slot_fact *f = &d->s[i][sl];
            if (f->present && f->active && memcmp(f->hash, hash, 32) == 0) {
                return f;
            }
        }
    }
    return NULL;
}

static const struct lfm_slot_fact *find_hash(const struct lfm_dev *d, const uint8_t *hash, int *img)
{
    for (int i = 0; i < 2; i++) {
        for (int sl = 0; sl < 2; sl++) {
            if (d->s[i][sl].present && memcmp(d->s[i][sl].hash, hash, 32) == 0) {
                *img = i;
                return &d->s[i][sl];
            }
        }
    }
    return NULL;
}

/* The expectation a plain reset has: a slot marked for test boots next. */
static bool derive_expect(const struct lfm_dev *b, struct lfm_expect *ex)
{
    for (int i = 0; i < 2; i++) {
        for (int sl = 0; sl < 2; sl++) {
            const struct lfm_slot_fact *f = &b->s[i][sl];
            if (f->present && f->pending && !f->active) {
                ex->has = true;
                memcpy(ex->hash, f->hash, 32);
                return true;
            }
        }
    }
    return false;
}

int lfm_reset_and_report(struct lfm_session *s, const struct lfm_dev *before,
                         const struct lfm_expect *exp, bool force)
{
    struct lf_smp_rsp rsp;
    struct lfm_dev after;
    struct lfm_expect ex = {false, {0}};
    char why[300] = "";
    const char *result = "running";
    int rc = LF_EXIT_OK;
    if (exp && exp->has) {
        ex = *exp;
    } else {
        derive_expect(before, &ex);
    }
    int err = lfm_request(s, "reset", build_reset, &force, 0, &rsp);
    if (err) {
        return err;
    }
    err = wait_back(s, &after);
    if (err) {
        return err;
    }
    const struct lfm_slot_fact *app = after.s[0][0].present ? &after.s[0][0] : NULL;
    const struct lfm_slot_fact *s1 = after.have_s1 ? &after.s[1][after.s1_active] : NULL;
    bool new_record =
        after.have_record && (!before->have_record || after.rec_seq != before->rec_seq);
    if (new_record &&
        (after.rec_action == LF_BOOT_ACT_REVERT || after.rec_action == LF_BOOT_ACT_REJECTED ||
         after.rec_action == LF_BOOT_ACT_NO_VALID_IMAGE ||
         after.rec_action == LF_BOOT_ACT_FLASH_ERROR)) {
        const char *an = lf_boot_action_name((uint8_t)after.rec_action);
        const char *rn = after.rec_reason ? lf_err_name((int)after.rec_reason) : NULL;
        snprintf(why, sizeof(why), "boot record: %s%s%s", an ? an : "?", rn ? ", " : "",
                 rn ? rn : "");
    }
    if (ex.has) {
        const struct lfm_slot_fact *f = active_with(&after, ex.hash);
        if (f != NULL) {
            result = f->confirmed ? "confirmed" : "trial";
        } else {
            int bimg = -1;
            const struct lfm_slot_fact *b = find_hash(before, ex.hash, &bimg);
            result = "reverted";
            rc = LF_EXIT_DEVICE;
            if (why[0] == '\0') {
                if (bimg == 1 && before->have_recovery && before->recovery) {
                    snprintf(why, sizeof(why),
                             "the new stage 1 could not confirm itself: the device has no "
                             "valid application");
                } else if (bimg == 1) {
                    snprintf(why, sizeof(why),
                             "stage 0 did not keep the new stage 1 (not confirmed during its "
                             "trial; the device's log tells more)");
                } else {
                    snprintf(why, sizeof(why), "the device did not boot it");
                }
            }
            lfm_err("reset: the update did not take: the device runs %s %s again, not %s (%s)",
                    bimg == 1 ? "stage 1" : "the application",
                    bimg == 1 ? (s1 ? s1->vtext : "?") : (app ? app->vtext : "?"),
                    b ? b->vtext : "the new image", why);
        }
    } else if (before->have_s1 && before->s[1][before->s1_active].present &&
               !before->s[1][before->s1_active].confirmed &&
               (!after.have_s1 || after.s1_active != before->s1_active)) {
        result = "reverted";
        rc = LF_EXIT_DEVICE;
        snprintf(why, sizeof(why), "stage 1 %s was on trial and not confirmed",
                 before->s[1][before->s1_active].vtext);
        lfm_err("reset: stage 0 went back to S%u: %s", after.s1_active, why);
    } else if (before->s[0][0].present && before->s[0][0].active && !before->s[0][0].confirmed &&
               app && memcmp(app->hash, before->s[0][0].hash, 32) != 0) {
        result = "reverted";
        rc = LF_EXIT_DEVICE;
        if (why[0] == '\0') {
            snprintf(why, sizeof(why), "application %s was on trial and not confirmed",
                     before->s[0][0].vtext);
        }
        lfm_err("reset: the device reverted to application %s: %s", app->vtext, why);
    }
    if (!s->json) {
        printf("after the reset: %s\n", result);
        if (app) {
            printf("  application %s, %s\n", app->vtext,
                   app->confirmed ? "confirmed"
                                  : "on trial (`lfmgr image confirm` keeps it; a reset without it "
                                    "goes back)");
        } else {
            printf("  no application image\n");
        }
        if (after.have_recovery && after.recovery) {
            printf("  the device runs no valid application: stage 1 serves recovery\n");
        }
        if (s1) {
            printf("  stage 1 S%u %s, %s\n", after.s1_active, s1->vtext,
                   s1->confirmed ? "confirmed" : "on trial (`lfmgr image confirm` keeps it)");
        }
        if (why[0] && rc == LF_EXIT_OK) {
            printf("  %s\n", why);
        }
    }
    lfm_json_extra_add(", \"after_reset\": {\"result\": \"%s\"", result);
    if (app) {
        lfm_json_extra_add(", \"app\": \"%s\", \"app_confirmed\": %s", app->vtext,
                           app->confirmed ? "true" : "false");
    }
    if (s1) {
        lfm_json_extra_add(", \"stage1_slot\": %u, \"stage1\": \"%s\", \"stage1_confirmed\": %s",
                           after.s1_active, s1->vtext, s1->confirmed ? "true" : "false");
    }
    if (after.have_recovery) {
        lfm_json_extra_add(", \"recovery\": %s", after.recovery ? "true" : "false");
    }
    if (why[0]) {
        lfm_json_extra_add(", \"reason\": \"%s\"", why); /* our own text: no quotes in it */
    }
    lfm_json_extra_add("}");
    return rc;
}
