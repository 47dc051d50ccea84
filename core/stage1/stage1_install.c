/*
 * The SDK-compatible stage-1 path (docs/stage1.md section 3): a stage-1
 * image uploaded as an application update sits in the application's
 * secondary slot. The engine asks this hook at row V3; the hook installs the
 * image into the inactive S slot. Rows I1..I8 of the doc's table.
 *
 * Power safety: the secondary keeps its request until the copy is verified
 * and marked pending (the engine clears the request only after CONSUMED), so
 * a cut anywhere repeats the install from the start (I6) or finds it done
 * (I3, I4).
 */
#include <string.h>

#include "lf/err.h"
#include "lf/provision.h"
#include "lf/stage1.h"
#include "lf/trailer.h"

#define S1_COPY_BUF 256u

/* I2: the image is signed by a provisioned, unrevoked root key (the same
 * validator and hash-only key entries as stage 0). */
static int s1_validate_root(const struct lf_stage1_ctx *c, const struct lf_flash_area *fa,
                            struct lf_image_info *info)
{
    const struct lf_flash_area *prov = lf_flash_map_area(c->p->map, LF_AREA_PROVISION);
    if (!prov) {
        return LF_E_STAGE1_NO_AREAS;
    }
    struct lf_provision pv;
    int err = lf_provision_read(prov, &pv);
    if (err) {
        return err;
    }
    struct lf_pubkey keys[LF_PROVISION_MAX_KEYS];
    struct lf_keyring ring;
    lf_provision_keyring(&pv, keys, c->p->root_algs, c->p->root_alg_count, &ring);
    err = lf_image_validate(fa, 0, &ring, info);
    if (err) {
        return err;
    }
    if (info->key_index >= pv.key_count || (pv.revoked & (1u << info->key_index))) {
        return LF_E_PROVISION_KEY_REVOKED;
    }
    return LF_OK;
}

/* I3/I4: `fa` already holds the image with this hash, marked (magic written
 * only after a verified copy). In the other slot it must still be pending:
 * a copy whose trial was cut short is abandoned (copy_done written), stage 0
 * never boots it again, so it has to be copied and tried afresh. */
static bool s1_holds(const struct lf_flash_area *fa, const uint8_t hash[LF_SHA256_SIZE],
                     bool running)
{
    uint8_t h[LF_SHA256_SIZE];
    struct lf_trailer tr;
    return lf_image_get_hash(fa, 0, h) == LF_OK && memcmp(h, hash, sizeof(h)) == 0 &&
           lf_trailer_read(fa, &tr) == LF_OK && tr.magic == LF_MAGIC_GOOD &&
           (running || (tr.copy_done == LF_FLAG_UNSET && tr.image_ok != LF_FLAG_SET));
}

static int s1_refuse(struct lf_stage1_ctx *c, int *reason, int why)
{
    c->install = LF_STAGE1_INSTALL_REFUSED;
    c->install_reason = why;
    *reason = why;
    lf_logf(c->p->log, "stage1: stage-1 update in the application's secondary refused: %E", why);
    return LF_BOOT_CLASS_FOREIGN;
}

/* I6..I8: erase + mark "in progress", copy, verify, mark pending. */
static int s1_copy(struct lf_stage1_ctx *c, const struct lf_flash_area *target,
                   const struct lf_flash_area *sec, const struct lf_image_info *info)
{
    uint8_t buf[S1_COPY_BUF];
    int err = lf_stage0_upload_begin(target);
    if (!err) {
        err = lf_flash_area_copy(target, 0, sec, 0, info->tlv_end, buf, sizeof(buf));
    }
    if (err) {
        return err;
    }
    struct lf_image_info copied;
    err = s1_validate_root(c, target, &copied);
    if (err || memcmp(copied.hash, info->hash, sizeof(copied.hash)) != 0) {
        return LF_E_STAGE1_COPY_MISMATCH;
    }
    return lf_trailer_set_pending(target, 1, false);
}

int lf_stage1_classify(void *hook_ctx, uint8_t image_num, const struct lf_flash_area *secondary,
                       const struct lf_image_header *hdr, int *reason)
{
    struct lf_stage1_ctx *c = hook_ctx;
    const struct lf_flash_map *map = c->p->map;
    uint32_t addr;
    if (image_num != 0 || lf_image_rom_fixed_addr(hdr, &addr) != LF_OK) {
        return LF_BOOT_CLASS_APP; /* I1: not linked for an S slot */
    }
    uint8_t slot = LF_STAGE0_SLOTS;
    for (uint8_t i = 0; i < LF_STAGE0_SLOTS; i++) {
        const struct lf_flash_area *s = lf_stage0_slot_area(map, i);
        if (s && lf_flash_area_addr(s) == addr) {
            slot = i;
        }
    }
    if (slot == LF_STAGE0_SLOTS) {
        return LF_BOOT_CLASS_APP; /* I1 */
    }
    const struct lf_flash_area *target = lf_stage0_slot_area(map, slot);
    c->install_slot = slot;
    c->install_ver = hdr->version;
    lf_logf(c->p->log, "stage1: application secondary holds a stage 1 for s%u (%u.%u.%u+%u)", slot,
            hdr->version.major, hdr->version.minor, hdr->version.revision,
            (unsigned)hdr->version.build);
    struct lf_image_info info;
    int err = s1_validate_root(c, secondary, &info);
    if (err) {
        return s1_refuse(c, reason, err); /* I2 */
    }
    if (s1_holds(target, info.hash, slot == c->h->slot)) {
        /* I3 (the other slot) / I4 (the running one, after its trial): a cut
         * came between the mark and the clear. */
        c->install = LF_STAGE1_INSTALL_PRESENT;
        lf_logf(c->p->log, "stage1: s%u already holds it: request cleared", slot);
        return LF_BOOT_CLASS_CONSUMED;
    }
    if (slot == c->h->slot) {
        return s1_refuse(c, reason, LF_E_STAGE0_WRONG_SLOT); /* I5 */
    }
    err = lf_stage0_check_upload(map, c->h, hdr, NULL); /* I5: trial, newer */
    if (!err && info.tlv_end > lf_trailer_swap_size_off(target)) {
        err = LF_E_STAGE0_OVERLAPS_TRAILER;
    }
    if (!err) {
        err = lf_stage0_check_counter_after(lf_flash_map_area(map, LF_AREA_PROVISION), c->h,
                                            info.sec_cnt, NULL);
    }
    if (err) {
        return s1_refuse(c, reason, err);
    }
    err = s1_copy(c, target, secondary, &info);
    if (err == LF_E_STAGE1_COPY_MISMATCH) {
        return s1_refuse(c, reason, err);
    }
    if (err) {
        /* A flash error: leave the request so the next boot tries again. */
        c->install = LF_STAGE1_INSTALL_FAILED;
        c->install_reason = err;
        lf_logf(c->p->log, "stage1: copy into s%u failed: %E", slot, err);
        return err;
    }
    c->install = LF_STAGE1_INSTALL_COPIED;
    lf_logf(c->p->log, "stage1: copied into s%u, verified, marked pending", slot);
    return LF_BOOT_CLASS_CONSUMED;
}
