/*
 * Image group (group 1): the slots, what their trailers mean, and the group
 * table. docs/smp-server.md section 4.1 has the flag tables implemented by
 * image0_flags() (Zephyr's reading of MCUboot swap types) and image1_flags()
 * (stage 0's trial states).
 */
#include <string.h>

#include "lf/err.h"
#include "lf/stage0.h"
#include "smp_img_int.h"

const struct lf_flash_area *smp_img_area(const struct lf_smp_server *s, uint8_t image, uint8_t slot)
{
    static const uint8_t ids[LF_SMP_IMAGES][2] = {
        {LF_AREA_APP_PRIMARY, LF_AREA_APP_SECONDARY},
        {LF_AREA_S0, LF_AREA_S1},
    };
    if (image >= LF_SMP_IMAGES || slot > 1u) {
        return NULL;
    }
    return lf_flash_map_area(s->plat->map, ids[image][slot]);
}

static void slot_read(const struct lf_flash_area *fa, struct smp_slot *sl)
{
    memset(sl, 0, sizeof(*sl));
    sl->fa = fa;
    sl->tr.magic = LF_MAGIC_UNSET;
    sl->tr.image_ok = LF_FLAG_UNSET;
    sl->tr.copy_done = LF_FLAG_UNSET;
    sl->tr.swap_type = LF_SWAP_NONE;
    sl->tr.swap_size = 0xFFFFFFFFu;
    if (!fa) {
        return;
    }
    if (lf_trailer_read(fa, &sl->tr) != LF_OK) {
        sl->tr.magic = LF_MAGIC_BAD; /* unreadable: never treated as free or pending */
    }
    sl->present = lf_image_read_header(fa, 0, &sl->hdr) == LF_OK &&
                  lf_image_get_hash(fa, 0, sl->hash) == LF_OK;
}

bool smp_img_handoff(const struct lf_smp_server *s, struct lf_stage0_handoff *h)
{
    const struct lf_stage0_handoff *p = s->plat->handoff;
    if (!lf_stage0_handoff_valid(p)) {
        return false;
    }
    *h = *p;
    /* Stage 1 confirms itself once it has handed over to the application:
     * the trailer, not the boot-time handoff, says whether it still is on
     * trial. */
    if (h->trial && lf_stage0_running_confirmed(s->plat->map, h) == LF_OK) {
        h->trial = false;
    }
    return true;
}

/* Stage 0's trial state of an S slot (docs/stage0.md rows T1-T6). The one
 * deviation: T2 with only swap_size written is lf_stage0_upload_begin's
 * "upload in progress" mark, reported as SMP_S_BAD here too (not bootable,
 * but `image test` may mark it). */
static uint8_t s_state(const struct smp_slot *sl)
{
    const struct lf_trailer *t = &sl->tr;
    if (t->magic == LF_MAGIC_UNSET) {
        bool clean = t->image_ok == LF_FLAG_UNSET && t->copy_done == LF_FLAG_UNSET;
        uint32_t erased = lf_flash_area_erased_val(sl->fa) * 0x01010101u;
        return clean && t->swap_size == erased ? SMP_S_FACTORY : SMP_S_BAD;
    }
    if (t->magic != LF_MAGIC_GOOD) {
        return SMP_S_BAD;
    }
    if (t->image_ok == LF_FLAG_SET) {
        return SMP_S_CONFIRMED;
    }
    return t->copy_done == LF_FLAG_UNSET ? SMP_S_PENDING : SMP_S_ABANDONED;
}

/* Image 0: Zephyr's reading of the swap type the trailers request
 * (docs/reference/smp.md 2.2): the next boot slot and its kind give both slots' flags. */
static void image0_flags(struct smp_image *im)
{
    im->swap_type = lf_swap_type_decide(&im->slot[0].tr, &im->slot[1].tr, NULL);
    uint8_t t = im->swap_type;
    im->flags[0] = SMP_F_ACTIVE | (t == LF_SWAP_REVERT ? 0u : SMP_F_CONFIRMED);
    im->flags[1] = t == LF_SWAP_TEST     ? SMP_F_PENDING
                   : t == LF_SWAP_PERM   ? (SMP_F_PENDING | SMP_F_PERMANENT)
                   : t == LF_SWAP_REVERT ? SMP_F_CONFIRMED
                                         : 0u;
    im->in_use[0] = true;
    im->in_use[1] = t != LF_SWAP_NONE;
}

/* Image 1: the active slot is the handoff's; the other one is pending when
 * marked for a trial, the fallback (confirmed) while the active one is on
 * trial, and pending-permanent when it is a newer confirmed image that stage
 * 0 will pick by itself. */
static void image1_flags(struct smp_image *im, const struct lf_stage0_handoff *h)
{
    uint8_t a = im->active, o = (uint8_t)(a ^ 1u);
    im->s_state[0] = s_state(&im->slot[0]);
    im->s_state[1] = s_state(&im->slot[1]);
    bool a_confirmed = !h->trial && !h->last_resort;
    im->flags[a] = SMP_F_ACTIVE | (a_confirmed ? SMP_F_CONFIRMED : 0u);
    im->flags[o] = 0;
    uint8_t so = im->s_state[o];
    if (so == SMP_S_PENDING) {
        im->flags[o] = SMP_F_PENDING;
    } else if (so == SMP_S_FACTORY || so == SMP_S_CONFIRMED) {
        if (!a_confirmed) {
            im->flags[o] = SMP_F_CONFIRMED;
        } else if (im->slot[o].present && im->slot[a].present &&
                   lf_stage0_version_cmp(&im->slot[o].hdr.version, &im->slot[a].hdr.version) > 0) {
            im->flags[o] = SMP_F_PENDING | SMP_F_PERMANENT;
        }
    }
    im->in_use[a] = true;
    im->in_use[o] = im->slot[o].present && im->flags[o] != 0;
}

void smp_img_load(const struct lf_smp_server *s, uint8_t image, struct smp_image *im)
{
    struct lf_stage0_handoff h;
    memset(im, 0, sizeof(*im));
    im->image = image;
    if (image == 1) {
        im->served = smp_img_handoff(s, &h);
        if (!im->served) {
            return;
        }
        im->active = h.slot;
    } else {
        im->served = true;
    }
    slot_read(smp_img_area(s, image, 0), &im->slot[0]);
    slot_read(smp_img_area(s, image, 1), &im->slot[1]);
    /* A slot an unfinished upload is writing holds the new header over what
     * is left of the old image (its TLVs, its hash): not an image. Zephyr
     * skips it the same way (its state read lists only slots whose image
     * info reads back complete). */
    for (uint8_t sl = 0; sl < 2; sl++) {
        const struct lf_flash_area *fa = im->slot[sl].fa;
        if (s->up.active && fa && s->up.area_id == fa->id) {
            im->slot[sl].present = false;
            im->incomplete[sl] = true;
        }
    }
    if (image == 0) {
        image0_flags(im);
    } else {
        image1_flags(im, &h);
    }
}

static uint32_t align_up(uint32_t v, uint32_t a)
{
    return a ? ((v + a - 1u) / a) * a : v;
}

static uint32_t sub_or_zero(uint32_t a, uint32_t b)
{
    return a > b ? a - b : 0u;
}

static uint32_t min_u32(uint32_t a, uint32_t b)
{
    return a < b ? a : b;
}

uint32_t smp_img_max_size(const struct lf_smp_server *s, uint8_t image,
                          const struct lf_flash_area *target)
{
    if (image == 1) {
        /* Below the trailer units stage 0 and the uploader write: swap_size
         * (lf_stage0_upload_begin's mark) and everything above it. */
        return lf_trailer_swap_size_off(target);
    }
    if (s->cfg->app_max_image_size) {
        return min_u32(s->cfg->app_max_image_size, target->size);
    }
    /* MCUboot's limits (docs/reference/mcuboot.md 3.8 and 2.1) from the layout. */
    const struct lf_flash_area *pri = smp_img_area(s, 0, 0);
    const struct lf_flash_area *sec = target;
    if (!pri) {
        return 0;
    }
    uint32_t w = lf_flash_area_align(pri) > lf_flash_area_align(sec) ? lf_flash_area_align(pri)
                                                                     : lf_flash_area_align(sec);
    uint32_t tsz = lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, w);
    uint32_t sp = lf_flash_area_max_sector(pri), ss = lf_flash_area_max_sector(sec);
    uint32_t tp = align_up(tsz, sp), ts = align_up(tsz, ss);
    switch (s->cfg->boot_mode) {
    case 3: /* swap-move: the primary needs one free sector to move up into */
        return min_u32(sub_or_zero(pri->size, tp + sp), sub_or_zero(sec->size, ts));
    case 9: /* swap-offset: the secondary holds the image one sector up */
        return min_u32(sub_or_zero(pri->size, tp), sub_or_zero(sec->size, ts + ss));
    case 1: /* swap-scratch */
        return min_u32(sub_or_zero(pri->size, tsz), sub_or_zero(sec->size, tsz));
    default: /* overwrite-only and the rest: below the trailer's flags */
        return min_u32(lf_trailer_swap_info_off(pri), lf_trailer_swap_info_off(sec));
    }
}

int smp_img_sec_cnt(const struct lf_flash_area *fa, const struct lf_image_header *hdr,
                    uint32_t *cnt)
{
    struct lf_image_tlv_iter it;
    struct lf_image_tlv t;
    bool found = false;
    int err = lf_image_tlv_iter_begin(&it, fa, 0, hdr);
    *cnt = 0;
    while (!err && (err = lf_image_tlv_iter_next(&it, &t)) == 1) {
        err = LF_OK;
        if (!t.prot || t.type != LF_TLV_SEC_CNT) {
            continue;
        }
        if (found) {
            return LF_E_IMG_DUP_SEC_CNT;
        }
        if (t.len != 4) {
            return LF_E_IMG_SEC_CNT_LEN;
        }
        uint8_t b[4];
        err = lf_image_tlv_read(&it, &t, 0, b, sizeof(b));
        *cnt = (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) |
               ((uint32_t)b[3] << 24);
        found = true;
    }
    return err;
}

int smp_img_check_counter(struct lf_smp_ctx *c, uint32_t cnt)
{
    const struct lf_flash_area *prov = lf_flash_map_area(c->srv->plat->map, LF_AREA_PROVISION);
    int err = prov ? lf_stage0_check_counter_after(prov, c->srv->plat->handoff, cnt, NULL)
                   : LF_E_PROVISION_BLANK;
    if (err == LF_E_STAGE0_ROLLBACK) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER,
                                 "security counter below the device's stored counter");
    }
    if (err == LF_E_PROVISION_COUNTER_FULL) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_MEMORY,
                                 "no security-counter slot left for this higher counter");
    }
    if (err) {
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_UNKNOWN, "security counter unreadable");
    }
    return 0;
}

int smp_img_stage0_refusal(struct lf_smp_ctx *c, int err)
{
    struct lf_stage0_handoff h;
    bool s1_needed = smp_img_handoff(c->srv, &h) && h.slot == 0;
    switch (err) {
    case LF_E_STAGE0_WRONG_SLOT:
        /* Name the variant this device needs (docs/design.md section 2). */
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS,
                                 s1_needed
                                     ? "wrong stage-1 variant: S0 is active, send the S1 variant"
                                     : "wrong stage-1 variant: S1 is active, send the S0 variant");
    case LF_E_IMG_NOT_ROM_FIXED:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS,
                                 "not a stage-1 image: not ROM_FIXED");
    case LF_E_STAGE0_NOT_NEWER:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER,
                                 "stage 1 must be newer than the active one");
    case LF_E_STAGE0_ACTIVE_ON_TRIAL:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_NO_FREE_SLOT,
                                 "active stage 1 on trial: the other slot is its fallback");
    case LF_E_STAGE0_HANDOFF:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_ACTIVE_SLOT_NOT_KNOWN, "active S slot unknown");
    default:
        return lf_smp_fail_group(c, LF_SMP_IMG_ERR_FLASH_OPEN_FAILED, "no S slot");
    }
}

/* A validation error as the closest image-group code. */
static uint16_t validate_code(int err)
{
    switch (err) {
    case LF_E_IMG_BAD_MAGIC:
        return LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER_MAGIC;
    case LF_E_IMG_NO_HASH:
        return LF_SMP_IMG_ERR_HASH_NOT_FOUND;
    case LF_E_IMG_DUP_HASH:
        return LF_SMP_IMG_ERR_TLV_MULTIPLE_HASHES_FOUND;
    case LF_E_IMG_HASH_LEN:
        return LF_SMP_IMG_ERR_TLV_INVALID_SIZE;
    case LF_E_IMG_TLV_INFO_MAGIC:
        return LF_SMP_IMG_ERR_NO_TLVS;
    default:
        return LF_SMP_IMG_ERR_INVALID_TLV;
    }
}

int smp_img_validate(struct lf_smp_ctx *c, uint8_t image, const struct lf_flash_area *fa)
{
    const struct lf_keyring *keys = c->srv->plat->keys[image ? 1 : 0];
    struct lf_image_header hdr;
    if (image == 0 && lf_image_read_header(fa, 0, &hdr) == LF_OK) {
        /* A stage-1 image sent to image 0 (the SDK-compatible path) is
         * linked for S0 or S1 and signed with the root keys. */
        uint32_t addr;
        for (uint8_t sl = 0; sl < 2; sl++) {
            const struct lf_flash_area *s = smp_img_area(c->srv, 1, sl);
            if (s && lf_image_rom_fixed_addr(&hdr, &addr) == LF_OK &&
                addr == lf_flash_area_addr(s)) {
                keys = c->srv->plat->keys[1];
            }
        }
    }
    if (!keys) {
        return 0;
    }
    struct lf_image_info info;
    int err = lf_image_validate(fa, 0, keys, &info);
    if (err) {
        return lf_smp_fail_group(c, validate_code(err), lf_err_str(err));
    }
    return 0;
}

int smp_img_erase_range(const struct lf_flash_area *fa, uint32_t off, uint32_t len)
{
    uint32_t end = off + len;
    while (off < end) {
        uint32_t start, size;
        bool erased;
        int err = lf_flash_area_sector_at(fa, off, &start, &size);
        if (!err) {
            err = lf_flash_area_is_erased(fa, start, size, &erased);
        }
        if (!err && !erased) {
            err = lf_flash_area_erase(fa, start, size);
        }
        if (err) {
            return err;
        }
        off = start + size;
    }
    return LF_OK;
}

int smp_img_v1_rc(uint16_t e)
{
    switch (e) {
    case LF_SMP_IMG_ERR_NO_IMAGE:
    case LF_SMP_IMG_ERR_NO_TLVS:
        return LF_SMP_RC_ENOENT;
    case LF_SMP_IMG_ERR_NO_FREE_SLOT:
    case LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER:
    case LF_SMP_IMG_ERR_IMAGE_ALREADY_PENDING:
        return LF_SMP_RC_EBADSTATE;
    case LF_SMP_IMG_ERR_NO_FREE_MEMORY:
        return LF_SMP_RC_ENOMEM;
    case LF_SMP_IMG_ERR_INVALID_SLOT:
    case LF_SMP_IMG_ERR_INVALID_PAGE_OFFSET:
    case LF_SMP_IMG_ERR_INVALID_OFFSET:
    case LF_SMP_IMG_ERR_INVALID_LENGTH:
    case LF_SMP_IMG_ERR_INVALID_IMAGE_HEADER:
    case LF_SMP_IMG_ERR_INVALID_HASH:
    case LF_SMP_IMG_ERR_INVALID_FLASH_ADDRESS:
        return LF_SMP_RC_EINVAL;
    default:
        return LF_SMP_RC_EUNKNOWN;
    }
}

/* clang-format off */
static const struct lf_smp_handler img_handlers[] = {
    [LF_SMP_IMG_ID_STATE]     = {smp_img_state_read, smp_img_state_write},
    [LF_SMP_IMG_ID_UPLOAD]    = {NULL, smp_img_upload},
    [LF_SMP_IMG_ID_FILE]      = {NULL, NULL},
    [LF_SMP_IMG_ID_CORELIST]  = {NULL, NULL},
    [LF_SMP_IMG_ID_CORELOAD]  = {NULL, NULL},
    [LF_SMP_IMG_ID_ERASE]     = {NULL, smp_img_erase},
    [LF_SMP_IMG_ID_SLOT_INFO] = {smp_img_slot_info, NULL},
};
/* clang-format on */

const struct lf_smp_group lf_smp_group_img = {
    .id = LF_SMP_GROUP_IMAGE,
    .count = sizeof(img_handlers) / sizeof(img_handlers[0]),
    .handlers = img_handlers,
    .v1_rc = smp_img_v1_rc,
    .init = smp_img_upload_init,
};
