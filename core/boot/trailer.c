/*
 * Trailer fields: placement, decoding and the single-field writers
 * (docs/trailer.md section 1), plus the application-side pending / confirm
 * requests (docs/reference/mcuboot.md 2.6).
 */
#include "lf/trailer.h"

#include <string.h>

#include "lf/err.h"

#define A LF_BOOT_MAX_ALIGN

/* The legacy magic (BOOT_MAX_ALIGN == 8). */
static const uint8_t lf_boot_magic[LF_BOOT_MAGIC_SIZE] = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80,
};

uint32_t lf_trailer_info_size(void)
{
    return 4u * A + LF_BOOT_MAGIC_SIZE; /* ALIGN_UP(16, 8) == 16 */
}

uint32_t lf_trailer_size(uint32_t max_sectors, uint32_t states, uint32_t w)
{
    return max_sectors * states * w + lf_trailer_info_size();
}

uint32_t lf_trailer_magic_off(const struct lf_flash_area *fa)
{
    return fa->size - LF_BOOT_MAGIC_SIZE;
}

uint32_t lf_trailer_image_ok_off(const struct lf_flash_area *fa)
{
    return lf_trailer_magic_off(fa) - A;
}

uint32_t lf_trailer_copy_done_off(const struct lf_flash_area *fa)
{
    return lf_trailer_image_ok_off(fa) - A;
}

uint32_t lf_trailer_swap_info_off(const struct lf_flash_area *fa)
{
    return lf_trailer_copy_done_off(fa) - A;
}

uint32_t lf_trailer_swap_size_off(const struct lf_flash_area *fa)
{
    return lf_trailer_swap_info_off(fa) - A;
}

static uint8_t lf_flag_decode(uint8_t b, uint8_t erased)
{
    if (b == erased) {
        return LF_FLAG_UNSET;
    }
    return b == LF_BOOT_FLAG_SET ? LF_FLAG_SET : LF_FLAG_BAD;
}

int lf_trailer_read(const struct lf_flash_area *fa, struct lf_trailer *tr)
{
    /* One read of the whole info part: swap_size unit .. end of magic. */
    uint8_t raw[4u * A + LF_BOOT_MAGIC_SIZE];
    if (fa->size < sizeof(raw)) {
        return LF_E_INVAL;
    }
    uint32_t base = lf_trailer_swap_size_off(fa);
    int err = lf_flash_area_read(fa, base, raw, sizeof(raw));
    if (err) {
        return err;
    }
    uint8_t ev = lf_flash_area_erased_val(fa);
    const uint8_t *magic = raw + (lf_trailer_magic_off(fa) - base);
    bool erased = true;
    for (uint32_t i = 0; i < LF_BOOT_MAGIC_SIZE; i++) {
        erased = erased && magic[i] == ev;
    }
    if (erased) {
        tr->magic = LF_MAGIC_UNSET;
    } else {
        tr->magic =
            memcmp(magic, lf_boot_magic, LF_BOOT_MAGIC_SIZE) == 0 ? LF_MAGIC_GOOD : LF_MAGIC_BAD;
    }
    tr->image_ok = lf_flag_decode(raw[lf_trailer_image_ok_off(fa) - base], ev);
    tr->copy_done = lf_flag_decode(raw[lf_trailer_copy_done_off(fa) - base], ev);
    uint8_t info = raw[lf_trailer_swap_info_off(fa) - base];
    if (info == ev || (info & 0x0Fu) > LF_SWAP_REVERT) {
        tr->swap_type = LF_SWAP_NONE;
        tr->image_num = 0;
    } else {
        tr->swap_type = (uint8_t)(info & 0x0Fu);
        tr->image_num = (uint8_t)(info >> 4);
    }
    const uint8_t *sz = raw + (lf_trailer_swap_size_off(fa) - base);
    tr->swap_size = (uint32_t)sz[0] | ((uint32_t)sz[1] << 8) | ((uint32_t)sz[2] << 16) |
                    ((uint32_t)sz[3] << 24);
    return LF_OK;
}

/* Program `len` value bytes at `off`, padded with the erased value up to the
 * area's write alignment. */
static int lf_trailer_write_unit(const struct lf_flash_area *fa, uint32_t off, const uint8_t *val,
                                 uint32_t len)
{
    uint8_t unit[LF_BOOT_MAGIC_SIZE];
    uint32_t align = lf_flash_area_align(fa);
    if (align > A) {
        return LF_E_BOOT_LAYOUT_ALIGN;
    }
    uint32_t n = (len + align - 1u) & ~(align - 1u);
    memset(unit, lf_flash_area_erased_val(fa), sizeof(unit));
    memcpy(unit, val, len);
    return lf_flash_area_write(fa, off, unit, n);
}

int lf_trailer_write_magic(const struct lf_flash_area *fa)
{
    return lf_trailer_write_unit(fa, lf_trailer_magic_off(fa), lf_boot_magic, LF_BOOT_MAGIC_SIZE);
}

int lf_trailer_write_image_ok(const struct lf_flash_area *fa)
{
    const uint8_t v = LF_BOOT_FLAG_SET;
    return lf_trailer_write_unit(fa, lf_trailer_image_ok_off(fa), &v, 1);
}

int lf_trailer_write_copy_done(const struct lf_flash_area *fa)
{
    const uint8_t v = LF_BOOT_FLAG_SET;
    return lf_trailer_write_unit(fa, lf_trailer_copy_done_off(fa), &v, 1);
}

int lf_trailer_write_swap_info(const struct lf_flash_area *fa, uint8_t image_num, uint8_t swap_type)
{
    if (image_num > 0x0Eu || swap_type > 0x0Eu) {
        return LF_E_RANGE;
    }
    const uint8_t v = (uint8_t)((image_num << 4) | swap_type);
    return lf_trailer_write_unit(fa, lf_trailer_swap_info_off(fa), &v, 1);
}

int lf_trailer_write_swap_size(const struct lf_flash_area *fa, uint32_t swap_size)
{
    const uint8_t v[4] = {(uint8_t)swap_size, (uint8_t)(swap_size >> 8), (uint8_t)(swap_size >> 16),
                          (uint8_t)(swap_size >> 24)};
    return lf_trailer_write_unit(fa, lf_trailer_swap_size_off(fa), v, sizeof(v));
}

int lf_trailer_set_pending(const struct lf_flash_area *secondary, uint8_t image_num, bool permanent)
{
    struct lf_trailer tr;
    int err = lf_trailer_read(secondary, &tr);
    if (err) {
        return err;
    }
    if (tr.magic == LF_MAGIC_GOOD) {
        return LF_OK; /* already pending */
    }
    if (tr.magic == LF_MAGIC_BAD) {
        return LF_E_BOOT_BAD_TRAILER;
    }
    /* Magic first (mcuboot.md 2.6): a cut before image_ok leaves a test request,
     * the safe degradation of a permanent one. */
    err = lf_trailer_write_magic(secondary);
    if (!err && permanent) {
        err = lf_trailer_write_image_ok(secondary);
    }
    if (!err) {
        err = lf_trailer_write_swap_info(secondary, image_num,
                                         permanent ? LF_SWAP_PERM : LF_SWAP_TEST);
    }
    return err;
}

int lf_trailer_set_confirmed(const struct lf_flash_area *primary)
{
    struct lf_trailer tr;
    int err = lf_trailer_read(primary, &tr);
    if (err) {
        return err;
    }
    if (tr.magic == LF_MAGIC_BAD) {
        return LF_E_BOOT_BAD_TRAILER;
    }
    if (tr.magic == LF_MAGIC_UNSET || tr.image_ok == LF_FLAG_SET) {
        return LF_OK; /* no trailer (cannot be reverted), or already confirmed */
    }
    if (tr.image_ok == LF_FLAG_BAD) {
        /* MCUboot leaves a BAD flag alone. A torn confirm (some of 0x01's
         * bits programmed) can still be completed: programming 0x01 again
         * only moves bits away from the erased value. Anything else stays. */
        uint8_t b;
        err = lf_flash_area_read(primary, lf_trailer_image_ok_off(primary), &b, 1);
        uint8_t ev = lf_flash_area_erased_val(primary);
        bool reachable = ev == 0xFF ? (b & LF_BOOT_FLAG_SET) == LF_BOOT_FLAG_SET
                                    : (b | LF_BOOT_FLAG_SET) == LF_BOOT_FLAG_SET;
        if (err || !reachable) {
            return err;
        }
    }
    return lf_trailer_write_image_ok(primary);
}
