/*
 * What stage 1 and the SMP server ask of stage 0's state (docs/stage0.md
 * section 6): confirm the running stage 1, and check an upload to the
 * inactive slot before writing a byte of it. Linked into stage 1 and the
 * application, not into stage 0.
 */
#include "lf/err.h"
#include "lf/trailer.h"
#include "stage0_int.h"

const struct lf_flash_area *lf_stage0_slot_area(const struct lf_flash_map *map, uint8_t slot)
{
    if (!map || slot >= LF_STAGE0_SLOTS) {
        return NULL;
    }
    return lf_flash_map_area(map, slot == 0 ? LF_AREA_S0 : LF_AREA_S1);
}

#if LF_FIH
/* A second, independent reading of what one glitch in the provision reads or
 * in the image's SEC_CNT read could have turned (docs/glitch.md, the
 * campaign's revoked-key and old-counter holes): the chosen key is
 * provisioned and not revoked, and the image's counter, read again, is the
 * one decided on and not below the stored counter, read again. */
static void lf_stage0_recheck_provision(const struct lf_flash_map *map,
                                        const volatile struct lf_stage0_decision *vd,
                                        const struct lf_flash_area *slot)
{
    const struct lf_flash_area *prov_fa = lf_flash_map_area(map, LF_AREA_PROVISION);
    struct lf_provision prov;
    struct lf_provision_counter ctr;
    uint32_t sec_cnt = 0;
    LF_FIH_CHECK(prov_fa != NULL);
    LF_FIH_CHECK(lf_provision_read(prov_fa, &prov) == LF_OK);
    LF_FIH_CHECK(lf_provision_counter_read(prov_fa, &prov, &ctr) == LF_OK);
    const volatile struct lf_provision *vp = &prov;
    uint8_t key = vd->handoff.key_index;
    LF_FIH_CHECK(key < vp->key_count && (vp->revoked & (1u << key)) == 0);
    LF_FIH_CHECK(lf_image_get_sec_cnt(slot, 0, &sec_cnt) == LF_OK);
    const volatile uint32_t *vs = &sec_cnt;
    const volatile uint32_t *vc = &ctr.value;
    LF_FIH_CHECK(*vs == vd->handoff.image_sec_cnt && *vs >= *vc);
}
#endif

lf_fih_t lf_stage0_decision_check(const struct lf_flash_map *map,
                                  const struct lf_stage0_decision *d)
{
    lf_fih_t r = LF_FIH_INIT_FAILURE;
#if LF_FIH
    if (!lf_fih_ok(d->fih)) {
        return r;
    }
    lf_fih_require(&d->fih);
    const volatile struct lf_stage0_decision *vd = d;
    uint8_t slot = vd->handoff.slot;
    LF_FIH_CHECK(LF_FIH_EQ(vd->handoff.magic, LF_STAGE0_HANDOFF_MAGIC) && slot < LF_STAGE0_SLOTS);
    const struct lf_flash_area *fa = lf_stage0_slot_area(map, slot);
    LF_FIH_CHECK(fa != NULL && fa == vd->area);
    int status = vd->slot_status[slot];
    LF_FIH_CHECK(status == LF_OK || (status == LF_E_STAGE0_ABANDONED && vd->handoff.last_resort));
    uint32_t entry = vd->handoff.entry;
    uint32_t base = lf_flash_area_addr(fa);
    LF_FIH_CHECK(entry == ~vd->entry_inv);
    LF_FIH_CHECK(entry - base >= LF_IMAGE_HEADER_SIZE && entry - base <= LF_IMAGE_MAX_HDR_SIZE);
    lf_stage0_recheck_provision(map, vd, fa);
    lf_fih_require(&d->fih);
#else
    (void)map;
    (void)d;
#endif
    lf_fih_set(&r, LF_FIH_SUCCESS);
#if !LF_FIH
    r.v = LF_FIH_SUCCESS;
#endif
    return r;
}

bool lf_stage0_handoff_valid(const struct lf_stage0_handoff *h)
{
    return h && h->magic == LF_STAGE0_HANDOFF_MAGIC && h->slot < LF_STAGE0_SLOTS;
}

int lf_stage0_confirm(const struct lf_flash_map *map, const struct lf_stage0_handoff *h)
{
    if (!lf_stage0_handoff_valid(h)) {
        return LF_E_STAGE0_HANDOFF;
    }
    const struct lf_flash_area *fa = lf_stage0_slot_area(map, h->slot);
    if (!fa) {
        return LF_E_STAGE0_NO_SLOT;
    }
    return lf_trailer_set_confirmed(fa);
}

/*
 * The inactive slot is the running image's only fallback while it is on
 * trial (or booted as a last resort): never overwrite it before the confirm.
 * The handoff says how this boot started; image_ok in the active slot's
 * trailer says whether the image has been confirmed since (stage 1 itself,
 * or an SMP `image confirm`), so a confirm counts at once, without a reset.
 * Only an exactly set image_ok counts (row T4 of docs/stage0.md).
 */
static int lf_stage0_check_not_on_trial(const struct lf_flash_map *map,
                                        const struct lf_stage0_handoff *h)
{
    if (!h->trial && !h->last_resort) {
        return LF_OK;
    }
    return lf_stage0_running_confirmed(map, h);
}

int lf_stage0_running_confirmed(const struct lf_flash_map *map, const struct lf_stage0_handoff *h)
{
    const struct lf_flash_area *active = lf_stage0_slot_area(map, h->slot);
    if (!active) {
        return LF_E_STAGE0_NO_SLOT;
    }
    struct lf_trailer tr;
    int err = lf_trailer_read(active, &tr);
    if (err) {
        return err;
    }
    if (tr.magic == LF_MAGIC_GOOD && tr.image_ok == LF_FLAG_SET) {
        return LF_OK;
    }
    return LF_E_STAGE0_ACTIVE_ON_TRIAL;
}

int lf_stage0_check_upload(const struct lf_flash_map *map, const struct lf_stage0_handoff *h,
                           const struct lf_image_header *hdr, const struct lf_flash_area **target)
{
    if (!hdr) {
        return LF_E_INVAL;
    }
    if (!lf_stage0_handoff_valid(h)) {
        return LF_E_STAGE0_HANDOFF;
    }
    const struct lf_flash_area *fa = lf_stage0_slot_area(map, (uint8_t)(h->slot ^ 1u));
    if (!fa) {
        return LF_E_STAGE0_NO_SLOT;
    }
    int err = lf_stage0_check_not_on_trial(map, h);
    if (err) {
        return err;
    }
    uint32_t addr;
    err = lf_image_rom_fixed_addr(hdr, &addr);
    if (err) {
        return err;
    }
    if (addr != lf_flash_area_addr(fa)) {
        return LF_E_STAGE0_WRONG_SLOT;
    }
    /* Stage 0 boots the newest: an image that is not newer would never run. */
    if (lf_stage0_version_cmp(&hdr->version, &h->version) <= 0) {
        return LF_E_STAGE0_NOT_NEWER;
    }
    if (target) {
        *target = fa;
    }
    return LF_OK;
}

int lf_stage0_upload_begin(const struct lf_flash_area *slot)
{
    if (!slot) {
        return LF_E_INVAL;
    }
    /* The header's sector first: from then on no cut can leave a complete
     * older image (say an abandoned one) behind an already erased trailer,
     * which would read as a factory image. */
    uint32_t start;
    uint32_t first;
    int err = lf_flash_area_sector_at(slot, 0, &start, &first);
    if (!err) {
        err = lf_flash_area_erase(slot, 0, first);
    }
    if (!err && first < slot->size) {
        err = lf_flash_area_erase(slot, first, slot->size - first);
    }
    if (err) {
        return err;
    }
    return lf_trailer_write_swap_size(slot, 0);
}

int lf_stage0_check_counter(const struct lf_flash_area *provision, uint32_t sec_cnt,
                            struct lf_provision_counter *c)
{
    struct lf_provision prov;
    struct lf_provision_counter cur;
    int err = lf_provision_read(provision, &prov);
    if (err) {
        return err;
    }
    err = lf_provision_counter_read(provision, &prov, &cur);
    if (err) {
        return err;
    }
    if (c) {
        *c = cur;
    }
    if (sec_cnt < cur.value) {
        return LF_E_STAGE0_ROLLBACK;
    }
    if (sec_cnt > cur.value && cur.left == 0) {
        return LF_E_PROVISION_COUNTER_FULL;
    }
    return LF_OK;
}

int lf_stage0_check_counter_after(const struct lf_flash_area *provision,
                                  const struct lf_stage0_handoff *h, uint32_t sec_cnt,
                                  struct lf_provision_counter *c)
{
    struct lf_provision_counter cur;
    int err = lf_stage0_check_counter(provision, sec_cnt, &cur);
    if (c) {
        *c = cur;
    }
    if (err || !lf_stage0_handoff_valid(h) || h->image_sec_cnt <= cur.value || cur.left == 0) {
        return err;
    }
    /* the running stage 1's counter is stored first, in one more slot */
    if (sec_cnt < h->image_sec_cnt) {
        return LF_E_STAGE0_ROLLBACK;
    }
    if (sec_cnt > h->image_sec_cnt && cur.left < 2u) {
        return LF_E_PROVISION_COUNTER_FULL;
    }
    return LF_OK;
}
