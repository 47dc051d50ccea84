/*
 * One S slot: its trial state (docs/stage0.md section 1) and the candidate
 * checks (section 2). The signature is checked by the one image validator,
 * with the provisioned root keys as hash-only key entries.
 */
#include <string.h>

#include "lf/err.h"
#include "stage0_int.h"

int lf_stage0_trailer_state(const struct lf_trailer *tr, uint32_t erased_word, uint8_t *state)
{
    if (tr->magic == LF_MAGIC_UNSET) {
        /* swap_size written = an upload in progress (lf_stage0_upload_begin). */
        if (tr->image_ok != LF_FLAG_UNSET || tr->copy_done != LF_FLAG_UNSET ||
            tr->swap_size != erased_word) {
            return LF_E_STAGE0_BAD_TRAILER; /* T2 */
        }
        *state = LF_STAGE0_FACTORY; /* T1 */
        return LF_OK;
    }
    if (tr->magic != LF_MAGIC_GOOD) {
        return LF_E_STAGE0_BAD_TRAILER; /* T3 */
    }
    if (tr->image_ok == LF_FLAG_SET) {
        *state = LF_STAGE0_CONFIRMED; /* T4 */
        return LF_OK;
    }
    /* T5 / T6: only an exactly erased copy_done still has its trial. */
    *state = tr->copy_done == LF_FLAG_UNSET ? LF_STAGE0_PENDING : LF_STAGE0_ABANDONED;
    return LF_OK;
}

const char *lf_stage0_state_name(uint8_t state)
{
    static const char *const names[] = {"?", "factory", "confirmed", "pending", "abandoned"};
    return state < sizeof(names) / sizeof(names[0]) ? names[state] : names[0];
}

static int lf_stage0_check_slot(const struct lf_stage0_platform *p, const struct lf_flash_area *fa,
                                const struct lf_provision *prov, uint32_t counter,
                                struct lf_stage0_slot *s)
{
    struct lf_trailer tr;
    int err = lf_trailer_read(fa, &tr);
    if (err) {
        return err;
    }
    err = lf_stage0_trailer_state(&tr, lf_flash_area_erased_val(fa) * 0x01010101u,
                                  &s->state); /* check 1 */
    if (err) {
        return err;
    }
    struct lf_image_header hdr;
    err = lf_image_read_header(fa, 0, &hdr); /* 2 */
    if (err) {
        return err;
    }
    uint32_t addr;
    err = lf_image_rom_fixed_addr(&hdr, &addr); /* 3 */
    if (err) {
        return err;
    }
    if (addr != lf_flash_area_addr(fa)) {
        return LF_E_STAGE0_WRONG_ADDR; /* 4 */
    }
    /* 5: known by hash only, each key matches just an image carrying the
     * full key (PUBKEY TLV) whose SHA-256 is the provisioned one. */
    struct lf_pubkey keys[LF_PROVISION_MAX_KEYS];
    struct lf_keyring ring;
    lf_provision_keyring(prov, keys, p->algs, p->alg_count, &ring);
    err = lf_image_validate(fa, 0, &ring, &s->info);
    if (err) {
        return err;
    }
    if (s->info.tlv_end > lf_trailer_swap_size_off(fa)) {
        return LF_E_STAGE0_OVERLAPS_TRAILER; /* 6 */
    }
    if (s->info.key_index >= prov->key_count || (prov->revoked & (1u << s->info.key_index))) {
        return LF_E_PROVISION_KEY_REVOKED; /* 7 */
    }
    if (s->info.sec_cnt < counter) { /* 8: no SEC_CNT reads as 0 */
        return LF_E_STAGE0_ROLLBACK;
    }
    return LF_OK;
}

void lf_stage0_eval_slot(const struct lf_stage0_platform *p, const struct lf_flash_area *fa,
                         const struct lf_provision *prov, uint32_t counter,
                         struct lf_stage0_slot *s)
{
    memset(&s->info, 0, sizeof(s->info));
    s->state = 0;
    lf_fih_set(&s->fih, LF_FIH_FAILURE);
    int LF_FIH_VOL status = lf_stage0_check_slot(p, fa, prov, counter, s);
    s->status = status;
#if LF_FIH
    if (status == LF_OK) {
        /* The candidate checks that gate the boot, a second time from what
         * validation recorded (volatile reads): the validator's hardened
         * verdict, the address (4), the trailer gap (6), the key (7), the
         * counter (8). Only then the slot's own hardened verdict. */
        const volatile struct lf_image_info *vi = &s->info;
        const volatile struct lf_provision *vp = prov;
        LF_FIH_CHECK(status == LF_OK);
        lf_fih_require(&s->info.fih);
        LF_FIH_CHECK((vi->hdr.flags & LF_IMAGE_F_ROM_FIXED) &&
                     vi->hdr.load_addr == lf_flash_area_addr(fa));
        LF_FIH_CHECK(vi->tlv_end <= lf_trailer_swap_size_off(fa));
        LF_FIH_CHECK(vi->key_index < vp->key_count && !(vp->revoked & (1u << vi->key_index)));
        LF_FIH_CHECK(vi->sec_cnt >= counter);
        lf_fih_set(&s->fih, LF_FIH_SUCCESS);
    }
#endif
}

static int lf_cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

int lf_stage0_version_cmp(const struct lf_image_version *a, const struct lf_image_version *b)
{
    int c = lf_cmp_u32(a->major, b->major);
    if (!c) {
        c = lf_cmp_u32(a->minor, b->minor);
    }
    if (!c) {
        c = lf_cmp_u32(a->revision, b->revision);
    }
    if (!c) {
        c = lf_cmp_u32(a->build, b->build);
    }
    return c;
}
