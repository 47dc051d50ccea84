/*
 * Image group commands other than upload: state read and write (test /
 * confirm), erase and slot info (docs/reference/smp.md 2.2; docs/smp-server.md section 4).
 */
#include <string.h>

#include "lf/err.h"
#include "lf/stage0.h"
#include "smp_img_int.h"

static int bad_request(struct lf_smp_ctx *c)
{
    return lf_smp_fail_rc(c, LF_SMP_RC_EINVAL, "malformed request");
}

static void enc_flag(struct lf_cbor_enc *e, const char *key, bool v)
{
    lf_cbor_enc_text_z(e, key);
    lf_cbor_enc_bool(e, v);
}

/* One entry of the list, Zephyr's keys in Zephyr's order. */
static void enc_slot(struct lf_smp_ctx *c, const struct smp_image *im, uint8_t sl)
{
    struct lf_cbor_enc *e = &c->enc;
    const struct smp_slot *s = &im->slot[sl];
    uint8_t f = im->flags[sl];
    char ver[32];
    size_t vl = lf_smp_version_text(&s->hdr.version, ver, sizeof(ver));

    lf_cbor_enc_map_open(e);
    if (!c->srv->cfg->legacy_rc) {
        lf_cbor_enc_text_z(e, "image");
        lf_cbor_enc_uint(e, im->image);
    }
    lf_cbor_enc_text_z(e, "slot");
    lf_cbor_enc_uint(e, sl);
    lf_cbor_enc_text_z(e, "version");
    lf_cbor_enc_text(e, ver, vl);
    lf_cbor_enc_text_z(e, "hash");
    lf_cbor_enc_bytes(e, s->hash, sizeof(s->hash));
    enc_flag(e, "bootable", !(s->hdr.flags & LF_IMAGE_F_NON_BOOTABLE));
    enc_flag(e, "pending", f & SMP_F_PENDING);
    enc_flag(e, "confirmed", f & SMP_F_CONFIRMED);
    enc_flag(e, "active", f & SMP_F_ACTIVE);
    enc_flag(e, "permanent", f & SMP_F_PERMANENT);
    lf_cbor_enc_map_close(e);
}

/* The state list body; also the reply to a successful state write. */
static int state_body(struct lf_smp_ctx *c)
{
    struct lf_cbor_enc *e = &c->enc;
    /* The legacy shape has no "image" key, so it can list image 0 only. */
    uint8_t images = c->srv->cfg->legacy_rc ? 1u : LF_SMP_IMAGES;
    lf_cbor_enc_text_z(e, "images");
    lf_cbor_enc_array_open(e);
    for (uint8_t i = 0; i < images; i++) {
        struct smp_image im;
        smp_img_load(c->srv, i, &im);
        for (uint8_t sl = 0; im.served && sl < 2; sl++) {
            if (im.slot[sl].present) {
                enc_slot(c, &im, sl);
            }
        }
    }
    lf_cbor_enc_array_close(e);
    lf_cbor_enc_text_z(e, "splitStatus");
    lf_cbor_enc_int(e, 0);
    return 0;
}

int smp_img_state_read(struct lf_smp_ctx *c)
{
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    return state_body(c);
}

/* Trailer writer results as replies (Zephyr's mapping of bootutil codes). */
static int mark_result(struct lf_smp_ctx *c, int err, bool pending)
{
    if (!err) {
        return 0;
    }
    if (err == LF_E_BOOT_BAD_TRAILER) {
        return lf_smp_fail_group(c,
                                 pending ? LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC
                                         : LF_SMP_IMG_ERR_INVALID_IMAGE_VECTOR_TABLE,
                                 "slot trailer corrupt");
    }
    return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED, "fa write fail");
}

/* Image 0: Zephyr's rules for the next boot (smp.md 2.2), then MCUboot's
 * boot_set_next on the slot. */
static int set_next_app(struct lf_smp_ctx *c, const struct smp_image *im, uint8_t slot,
                        bool confirm)
{
    uint8_t t = im->swap_type;
    uint8_t next = t == LF_SWAP_NONE ? 0u : 1u; /* the slot the next boot runs */
    if (!confirm && slot == 0) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
                                 "cannot test the running image");
    }
    if (t == LF_SWAP_TEST) {
        if (!confirm && slot == next) {
            return 0; /* already set for test */
        }
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING, "a test is pending");
    }
    if (t == LF_SWAP_REVERT) {
        if (confirm && slot == next) {
            return 0;
        }
        if (!confirm) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING,
                                     "running image on trial: confirm it first");
        }
    } else { /* NONE or PERM: a normal boot of slot `next` */
        if (confirm && slot == next) {
            return 0;
        }
        if ((slot == 0 && next != 0) || (!confirm && slot != 0 && slot == next)) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING,
                                     "another image is confirmed for the next boot");
        }
    }
    if (slot == 0) {
        return mark_result(c, lf_trailer_set_confirmed(im->slot[0].fa), false);
    }
    int failed = smp_img_validate(c, 0, im->slot[1].fa);
    if (failed) {
        return failed;
    }
    return mark_result(c, lf_trailer_set_pending(im->slot[1].fa, 0, confirm), true);
}

/* Image 1 (docs/smp-server.md 4.2): the other S slot may only be set for a
 * test (stage 0 confirms a stage 1 only after its trial); the active one
 * may be confirmed. */
static int set_next_stage1(struct lf_smp_ctx *c, const struct smp_image *im, uint8_t slot,
                           bool confirm)
{
    const struct smp_slot *s = &im->slot[slot];
    if (slot == im->active) {
        if (!confirm) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED,
                                     "cannot test the running stage 1");
        }
        return mark_result(c, lf_trailer_set_confirmed(s->fa), false);
    }
    if (confirm) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_CONFIRMATION_DENIED,
                                 "a new stage 1 needs a trial: use test, not confirm");
    }
    switch (im->s_state[slot]) {
    case SMP_S_PENDING:
        return 0; /* already set for its trial */
    case SMP_S_ABANDONED:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_UNKNOWN, "tried and abandoned: upload it again");
    case SMP_S_CONFIRMED:
        if (im->flags[slot] & SMP_F_PENDING) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING,
                                     "already set to boot next");
        }
        break;
    default:
        break;
    }
    struct lf_stage0_handoff h;
    if (!smp_img_handoff(c->srv, &h)) {
        return smp_img_stage0_refusal(c, LF_E_STAGE0_HANDOFF);
    }
    int err = lf_stage0_check_upload(c->srv->plat->map, &h, &s->hdr, NULL);
    if (err) {
        return smp_img_stage0_refusal(c, err);
    }
    uint32_t cnt;
    err = smp_img_sec_cnt(s->fa, &s->hdr, &cnt);
    if (err) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_TLV, lf_err_str(err));
    }
    int failed = smp_img_check_counter(c, cnt);
    if (!failed) {
        failed = smp_img_validate(c, 1, s->fa);
    }
    if (failed) {
        return failed;
    }
    return mark_result(c, lf_trailer_set_pending(s->fa, 1, false), true);
}

int smp_img_state_write(struct lf_smp_ctx *c)
{
    struct lf_cbor_str key, hash = {0};
    bool confirm = false;
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "hash")) {
            /* The Go CLI sends a nil byte slice for "confirm the running
             * image": null and an empty string both mean "no hash". */
            if (lf_cbor_peek(&c->dec) == LF_CBOR_T_NULL) {
                lf_cbor_read_null(&c->dec);
                hash.len = 0;
            } else {
                lf_cbor_read_bytes(&c->dec, &hash);
            }
        } else if (lf_cbor_str_eq(&key, "confirm")) {
            lf_cbor_read_bool(&c->dec, &confirm);
        }
    }
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }

    struct smp_image im[LF_SMP_IMAGES];
    for (uint8_t i = 0; i < LF_SMP_IMAGES; i++) {
        smp_img_load(c->srv, i, &im[i]);
    }
    uint8_t image = 0, slot = 0;
    if (hash.len == 0) {
        if (!confirm) {
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_HASH, "test needs a hash");
        }
    } else if (hash.len != LF_SHA256_SIZE) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_HASH, "hash is not 32 bytes");
    } else {
        bool found = false;
        for (uint8_t i = 0; i < LF_SMP_IMAGES && !found; i++) {
            for (uint8_t sl = 0; im[i].served && sl < 2 && !found; sl++) {
                if (im[i].slot[sl].present &&
                    memcmp(im[i].slot[sl].hash, hash.ptr, LF_SHA256_SIZE) == 0) {
                    image = i;
                    slot = sl;
                    found = true;
                }
            }
        }
        if (!found) {
            for (uint8_t i = 0; i < LF_SMP_IMAGES; i++) {
                if (im[i].served && (im[i].incomplete[0] || im[i].incomplete[1])) {
                    return lf_smp_fail_group(c, LF_SMP_IMG_ERR_HASH_NOT_FOUND,
                                             "upload not finished: run the same upload again");
                }
            }
            return lf_smp_fail_group(c, LF_SMP_IMG_ERR_HASH_NOT_FOUND, "no image with this hash");
        }
    }
    int failed = image == 0 ? set_next_app(c, &im[0], slot, confirm)
                            : set_next_stage1(c, &im[1], slot, confirm);
    if (failed) {
        return failed;
    }
    return state_body(c);
}

int smp_img_erase(struct lf_smp_ctx *c)
{
    struct lf_cbor_str key;
    uint32_t slot = 1; /* the running application's other slot */
    while (lf_smp_next_key(c, &key)) {
        if (lf_cbor_str_eq(&key, "slot")) {
            lf_cbor_read_u32(&c->dec, &slot);
        }
    }
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    if (slot >= 2u * LF_SMP_IMAGES) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_SLOT, "no such slot");
    }
    struct smp_image im;
    smp_img_load(c->srv, (uint8_t)(slot / 2u), &im);
    const struct smp_slot *s = &im.slot[slot % 2u];
    if (!im.served) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN, "active S slot unknown");
    }
    if (!s->fa) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "fa open fail");
    }
    /* The running slot always, and a slot the next boot or a revert needs
     * whenever it holds an image (smp.md 2.2). */
    if (slot % 2u == im.active || (s->present && im.in_use[slot % 2u])) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_SLOT, "slot in use");
    }
    /* Like Zephyr, an erase ends any upload; the session goes first so it
     * never claims data that is gone. */
    smp_img_upload_drop(c->srv);
    if (smp_img_erase_range(s->fa, 0, s->fa->size) != LF_OK) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_ERASE_FAILED, "fa erase fail");
    }
    smp_img_legacy_rc(c); /* {"rc": 0} in the legacy shape, {} otherwise */
    return 0;
}

void smp_img_legacy_rc(struct lf_smp_ctx *c)
{
    if (c->srv->cfg->legacy_rc) {
        lf_cbor_enc_text_z(&c->enc, "rc");
        lf_cbor_enc_uint(&c->enc, 0);
    }
}

int smp_img_slot_info(struct lf_smp_ctx *c)
{
    if (lf_smp_request_end(c)) {
        return bad_request(c);
    }
    struct lf_cbor_enc *e = &c->enc;
    lf_cbor_enc_text_z(e, "images");
    lf_cbor_enc_array_open(e);
    for (uint8_t i = 0; i < LF_SMP_IMAGES; i++) {
        struct lf_stage0_handoff h;
        uint8_t active = 0;
        if (i == 1) {
            if (!smp_img_handoff(c->srv, &h)) {
                continue;
            }
            active = h.slot;
        }
        const struct lf_flash_area *up = smp_img_area(c->srv, i, (uint8_t)(active ^ 1u));
        lf_cbor_enc_map_open(e);
        lf_cbor_enc_text_z(e, "image");
        lf_cbor_enc_uint(e, i);
        lf_cbor_enc_text_z(e, "slots");
        lf_cbor_enc_array_open(e);
        for (uint8_t sl = 0; sl < 2; sl++) {
            const struct lf_flash_area *fa = smp_img_area(c->srv, i, sl);
            lf_cbor_enc_map_open(e);
            lf_cbor_enc_text_z(e, "slot");
            lf_cbor_enc_uint(e, sl);
            lf_cbor_enc_text_z(e, "size");
            lf_cbor_enc_uint(e, fa ? fa->size : 0u);
            if (sl != active) {
                lf_cbor_enc_text_z(e, "upload_image_id");
                lf_cbor_enc_uint(e, i);
            }
            lf_cbor_enc_map_close(e);
        }
        lf_cbor_enc_array_close(e);
        if (up) {
            lf_cbor_enc_text_z(e, "max_image_size");
            lf_cbor_enc_uint(e, smp_img_max_size(c->srv, i, up));
        }
        lf_cbor_enc_map_close(e);
    }
    lf_cbor_enc_array_close(e);
    return 0;
}
