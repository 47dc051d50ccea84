/*
 * The image group of stage 1's serial recovery (lf_smp_group_img_recovery,
 * docs/smp-server.md section 8): the state read of lf_smp_group_img, and
 * MCUboot's recovery upload (docs/reference/smp.md 4.1) straight into the
 * application's primary slot, built from the full upload's checks and
 * writer (smp_img_upload.c). Only what a table lists is linked: a stage 1
 * that serves these groups carries no session log, no stage-1 upload, no
 * state write and no erase.
 */
#include "lf/err.h"
#include "smp_img_int.h"

/* The last chunk is on flash (but for the tail): flush, and the image must
 * validate with the application keys, as at the end of a full upload. */
static int rec_complete(struct lf_smp_ctx *c, const struct lf_flash_area *fa)
{
    struct lf_smp_upload_state *u = &c->srv->up;
    u->active = false;
    if (smp_up_flush(u, fa) != LF_OK) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED, "fa write fail");
    }
    int failed = smp_img_validate(c, 0, fa);
    if (failed) {
        return failed;
    }
    lf_logf(c->srv->plat->log, "recovery: application of %u bytes written", (unsigned)u->len);
    return smp_up_reply_off(c, u->len);
}

static int rec_write(struct lf_smp_ctx *c, const struct lf_flash_area *fa, const uint8_t *d,
                     uint32_t n)
{
    struct lf_smp_upload_state *u = &c->srv->up;
    if (smp_up_put(u, fa, d, n) != LF_OK) {
        u->active = false;
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_WRITE_FAILED, "fa write fail");
    }
    u->off += n;
    return u->off == u->len ? rec_complete(c, fa) : smp_up_reply_off(c, u->off);
}

/* Off 0: a new upload, always (MCUboot: no resume). */
static int rec_first(struct lf_smp_ctx *c, const struct smp_up_req *r)
{
    struct lf_smp_upload_state *u = &c->srv->up;
    struct lf_image_header hdr;
    u->active = false;
    int failed = smp_up_check_first(c, r, &hdr);
    if (failed) {
        return failed;
    }
    if (r->image != 0) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_SLOT,
                                 "recovery installs image 0 (the application) only");
    }
    const struct lf_flash_area *fa = smp_img_area(c->srv, 0, 0);
    if (!fa || lf_flash_area_align(fa) > LF_SMP_WRITE_ALIGN_MAX) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "fa open fail");
    }
    uint32_t addr;
    if (lf_image_rom_fixed_addr(&hdr, &addr) == LF_OK && addr != lf_flash_area_addr(fa)) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS,
                                 "linked for another slot (stage 1?): not an application");
    }
    failed = smp_up_admit(c, r, &hdr, fa);
    if (failed) {
        return failed;
    }
    if (u->has_floor && lf_image_version_cmp(&hdr.version, &u->floor) < 0) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER, "downgrade");
    }
    /* The old image's trailer first (its test or confirm state must not
     * describe the new one), then the slot sector by sector ahead of the
     * data. */
    if (smp_up_erase_trailer(fa) != LF_OK) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_ERASE_FAILED, "fa erase fail");
    }
    u->image = 0;
    u->area_id = fa->id;
    u->len = r->len;
    u->off = u->flushed = u->erased_upto = 0;
    u->tail_len = 0;
    u->sha_len = 0;
    u->active = true;
    lf_logf(c->srv->plat->log, "recovery: upload of %u bytes", (unsigned)r->len);
    return rec_write(c, fa, r->data.ptr, (uint32_t)r->data.len);
}

static int rec_upload(struct lf_smp_ctx *c)
{
    struct smp_up_req r;
    if (smp_up_decode(c, &r)) {
        return lf_smp_fail_rc(c, LF_SMP_RC_EINVAL, "malformed request");
    }
    if (!r.has_off) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_OFFSET, "off missing");
    }
    if (r.off == 0) {
        return rec_first(c, &r);
    }
    const struct lf_flash_area *fa;
    int res = smp_up_next_check(c, &r, &fa);
    if (res == SMP_UP_WRITE) {
        return rec_write(c, fa, r.data.ptr, (uint32_t)r.data.len);
    }
    if (res == SMP_UP_GONE) {
        c->srv->up.active = false;
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "fa open fail");
    }
    return res;
}

/* The downgrade floor: the version of a valid application in the primary
 * slot when recovery starts. */
static void rec_init(struct lf_smp_server *s)
{
    const struct lf_flash_area *fa = smp_img_area(s, 0, 0);
    struct lf_image_info info;
    if (fa && s->plat->keys[0] && lf_image_validate(fa, 0, s->plat->keys[0], &info) == LF_OK) {
        s->up.floor = info.hdr.version;
        s->up.has_floor = true;
    }
}

/* clang-format off */
static const struct lf_smp_handler rec_handlers[] = {
    [LF_SMP_IMG_ID_STATE]  = {smp_img_state_read, NULL},
    [LF_SMP_IMG_ID_UPLOAD] = {NULL, rec_upload},
};
/* clang-format on */

const struct lf_smp_group lf_smp_group_img_recovery = {
    .id = LF_SMP_GROUP_IMAGE,
    .count = sizeof(rec_handlers) / sizeof(rec_handlers[0]),
    .handlers = rec_handlers,
    .v1_rc = smp_img_v1_rc,
    .init = rec_init,
};
