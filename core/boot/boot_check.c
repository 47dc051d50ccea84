/*
 * Checking the secondary image before it is swapped in (rows V1..V10 of
 * docs/upgrade-engine.md), and clearing it when it is refused.
 */
#include <string.h>

#include "boot_int.h"

#include "lf/err.h"

/* SEC_CNT of the image at offset 0 of fa (protected area only, docs/reference/mcuboot.md 1.5). */
static int lf_boot_read_sec_cnt(const struct lf_flash_area *fa, const struct lf_image_header *hdr,
                                bool *has, uint32_t *value)
{
    struct lf_image_tlv_iter it;
    struct lf_image_tlv tlv;
    *has = false;
    int err = lf_image_tlv_iter_begin(&it, fa, 0, hdr);
    while (!err) {
        int more = lf_image_tlv_iter_next(&it, &tlv);
        if (more <= 0) {
            return more;
        }
        if (tlv.prot && tlv.type == LF_TLV_SEC_CNT) {
            uint8_t b[4];
            if (tlv.len != 4) {
                return LF_E_IMG_SEC_CNT_LEN;
            }
            err = lf_image_tlv_read(&it, &tlv, 0, b, sizeof(b));
            *value = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
                     ((uint32_t)b[3] << 24);
            *has = err == LF_OK;
            return err;
        }
    }
    return err;
}

static int lf_check_reject(struct lf_boot_result *res, uint8_t *verdict, int reason)
{
    res->reason = reason;
    *verdict = LF_CHECK_REJECT;
    return LF_OK;
}

/* V7..V9: counters and versions. */
static int lf_check_rollback(struct lf_boot_ctx *ctx, uint8_t type,
                             const struct lf_image_info *info, const struct lf_image_header *phdr,
                             bool pri_ok)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    if (c->sec_cnt_get) { /* V7 */
        uint32_t stored;
        int err = c->sec_cnt_get(c->hook_ctx, c->image_num, &stored);
        if (err) {
            return err;
        }
        if (!info->has_sec_cnt) {
            return LF_E_BOOT_SEC_CNT_MISSING;
        }
        if (info->sec_cnt < stored) {
            return LF_E_BOOT_SEC_CNT_ROLLBACK;
        }
    }
    if (type == LF_SWAP_REVERT || !pri_ok) {
        return LF_OK; /* reverts are never blocked; nothing to compare with */
    }
    if ((c->flags & LF_BOOT_F_DOWNGRADE_VERSION) &&
        lf_image_version_cmp(&info->hdr.version, &phdr->version) < 0) {
        return LF_E_BOOT_DOWNGRADE; /* V8 */
    }
    if (c->flags & LF_BOOT_F_DOWNGRADE_SEC_CNT) { /* V9 */
        bool p_has;
        uint32_t p_cnt = 0;
        int err = lf_boot_read_sec_cnt(c->primary, phdr, &p_has, &p_cnt);
        if (err || !p_has) {
            return LF_OK; /* mcuboot.md 4.2: allowed when the primary has none */
        }
        if (!info->has_sec_cnt) {
            return LF_E_BOOT_SEC_CNT_MISSING;
        }
        if (info->sec_cnt < p_cnt) {
            return LF_E_BOOT_SEC_CNT_DOWNGRADE;
        }
    }
    return LF_OK;
}

int lf_boot_check_secondary(struct lf_boot_ctx *ctx, uint8_t type, struct lf_boot_op *op,
                            struct lf_boot_result *res, uint8_t *verdict)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    const struct lf_flash_area *sec = c->secondary;
    /* V1: an erased header word means no image at all. */
    uint8_t magic[4];
    int err = lf_flash_area_read(sec, 0, magic, sizeof(magic));
    if (err) {
        return lf_check_reject(res, verdict, err);
    }
    uint8_t ev = lf_flash_area_erased_val(sec);
    if (magic[0] == ev && magic[1] == ev && magic[2] == ev && magic[3] == ev) {
        res->reason = LF_E_BOOT_NO_SECONDARY;
        *verdict = LF_CHECK_EMPTY;
        return LF_OK;
    }
    /* V2 */
    struct lf_image_header hdr;
    uint32_t ext;
    err = lf_boot_image_extent(sec, &hdr, &ext);
    if (err) {
        return lf_check_reject(res, verdict, err);
    }
    res->other_ver = hdr.version;
    /* V3 */
    if (type != LF_SWAP_REVERT && c->classify) {
        int reason = LF_E_BOOT_FOREIGN_IMAGE;
        int cls = c->classify(c->hook_ctx, c->image_num, sec, &hdr, &reason);
        if (cls < 0) {
            res->reason = cls;
            *verdict = LF_CHECK_SKIP;
            return LF_OK;
        }
        if (cls == LF_BOOT_CLASS_HANDLED) {
            *verdict = LF_CHECK_HANDLED;
            return LF_OK;
        }
        if (cls == LF_BOOT_CLASS_CONSUMED) {
            *verdict = LF_CHECK_CONSUMED;
            return LF_OK;
        }
        if (cls != LF_BOOT_CLASS_APP) {
            return lf_check_reject(res, verdict, reason < 0 ? reason : LF_E_BOOT_FOREIGN_IMAGE);
        }
    }
    /* V4: linked for somewhere else. */
    if ((hdr.flags & LF_IMAGE_F_RAM_LOAD) ||
        ((hdr.flags & LF_IMAGE_F_ROM_FIXED) &&
         (lf_flash_area_addr(c->primary) == LF_FLASH_NOT_MAPPED ||
          hdr.load_addr != lf_flash_area_addr(c->primary)))) {
        return lf_check_reject(res, verdict, LF_E_BOOT_FOREIGN_IMAGE);
    }
    /* V5 */
    if (ext > ctx->layout.app_max) {
        return lf_check_reject(res, verdict, LF_E_BOOT_IMAGE_TOO_LARGE);
    }
    /* V6 */
    struct lf_image_info info;
    int LF_FIH_VOL v6 = (c->validate ? c->validate : lf_image_validate)(sec, 0, c->keys, &info);
    err = v6;
    if (err) {
        return lf_check_reject(res, verdict, err);
    }
    LF_FIH_CHECK(v6 == LF_OK); /* V6 a second time, and the hardened verdict */
    lf_fih_require(&info.fih);
    /* V7..V9 */
    struct lf_image_header phdr;
    uint32_t pext = 0;
    bool LF_FIH_VOL pri_ok = lf_boot_image_extent(c->primary, &phdr, &pext) == LF_OK;
    int LF_FIH_VOL v7 = lf_check_rollback(ctx, type, &info, &phdr, pri_ok);
    err = v7;
    if (err) {
        return lf_check_reject(res, verdict, err);
    }
    LF_FIH_CHECK(v7 == LF_OK);
#if LF_FIH
    /* "No primary to compare with" lets any version in, and a version byte
     * not stored reads as older: one glitch in either header's decoding must
     * not make it so (docs/glitch.md, the downgrade hole). Both headers read
     * and judged again; the readings must agree. */
    struct lf_image_header phdr2;
    uint32_t pext2 = 0;
    bool LF_FIH_VOL pri_ok2 = lf_boot_image_extent(c->primary, &phdr2, &pext2) == LF_OK;
    LF_FIH_CHECK(pri_ok2 == pri_ok);
    struct lf_image_info info2 = info;
    LF_FIH_CHECK(lf_image_read_header(sec, 0, &info2.hdr) == LF_OK);
    LF_FIH_CHECK(memcmp(&info2.hdr.version, &info.hdr.version, sizeof(info.hdr.version)) == 0);
    LF_FIH_CHECK(!pri_ok2 || memcmp(&phdr2.version, &phdr.version, sizeof(phdr.version)) == 0);
    LF_FIH_CHECK(lf_check_rollback(ctx, type, &info2, &phdr2, pri_ok2) == LF_OK);
#endif
    if (type == LF_SWAP_REVERT && pri_ok) {
        res->other_ver = phdr.version; /* the record says what was abandoned */
    }
    /* V10: a swap must be able to put the old image back. */
    op->swap_size = ext;
    if (c->strategy->can_revert && pri_ok) {
        if (pext > ctx->layout.app_max) {
            return lf_check_reject(res, verdict, LF_E_BOOT_PRIMARY_TOO_LARGE);
        }
        op->swap_size = pext > ext ? pext : ext;
    }
    lf_fih_require(&info.fih);
    *verdict = LF_CHECK_ACCEPT;
    return LF_OK;
}

int lf_boot_clear_request(struct lf_boot_ctx *ctx)
{
    return lf_boot_erase_tail_if_needed(ctx->cfg->secondary, ctx->layout.sec_trailer_off);
}

int lf_boot_reject_secondary(struct lf_boot_ctx *ctx, struct lf_boot_result *res)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    /* The request dies first, then the header, so a cut in between leaves an
     * inert invalid image rather than a request for it. */
    int err = lf_boot_clear_request(ctx);
    uint32_t start = 0;
    uint32_t size = 0;
    if (!err) {
        err = lf_flash_area_sector_at(c->secondary, 0, &start, &size);
    }
    if (!err && size <= ctx->layout.sec_trailer_off) {
        err = lf_flash_area_erase(c->secondary, 0, size);
    }
    /* MCUboot's FAIL: a trial image stays, as there is nothing to revert to. */
    struct lf_trailer pt;
    if (!err) {
        err = lf_trailer_read(c->primary, &pt);
    }
    if (!err && pt.magic == LF_MAGIC_GOOD && pt.image_ok != LF_FLAG_SET) {
        err = lf_trailer_write_image_ok(c->primary);
        res->flags |= LF_BOOT_RF_CONFIRMED_ON_REJECT;
    }
    return err;
}
