/*
 * Flash helpers of the engine: sector-wise erases, buffered copies, sector
 * boundary arithmetic over one or two areas, and image extents.
 */
#include "boot_int.h"

#include "lf/err.h"

int lf_boot_erase(const struct lf_flash_area *fa, uint32_t off, uint32_t len)
{
    if (off > fa->size || len > fa->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    uint32_t end = off + len;
    while (off < end) {
        uint32_t start;
        uint32_t size;
        int err = lf_flash_area_sector_at(fa, off, &start, &size);
        if (!err) {
            err = lf_flash_area_erase(fa, start, size);
        }
        if (err) {
            return err;
        }
        off = start + size;
    }
    return LF_OK;
}

int lf_boot_erase_tail_if_needed(const struct lf_flash_area *fa, uint32_t off)
{
    bool erased;
    if (off > fa->size) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    int err = lf_flash_area_is_erased(fa, off, fa->size - off, &erased);
    if (err || erased) {
        return err;
    }
    return lf_boot_erase(fa, off, fa->size - off);
}

int lf_boot_copy(struct lf_boot_ctx *ctx, const struct lf_flash_area *dst, uint32_t dst_off,
                 const struct lf_flash_area *src, uint32_t src_off, uint32_t len)
{
    return lf_flash_area_copy(dst, dst_off, src, src_off, len, ctx->buf, sizeof(ctx->buf));
}

uint32_t lf_boot_boundary_up(const struct lf_flash_area *fa, uint32_t off)
{
    uint32_t start;
    uint32_t size;
    if (off >= fa->size || lf_flash_area_sector_at(fa, off, &start, &size) != LF_OK) {
        return fa->size;
    }
    return start == off ? off : start + size;
}

uint32_t lf_boot_boundary_down(const struct lf_flash_area *fa, uint32_t off)
{
    uint32_t start;
    uint32_t size;
    if (off >= fa->size) {
        return fa->size;
    }
    if (lf_flash_area_sector_at(fa, off, &start, &size) != LF_OK) {
        return 0;
    }
    return start;
}

uint32_t lf_boot_common_up(const struct lf_flash_area *a, const struct lf_flash_area *b,
                           uint32_t off)
{
    /* Alternate until both agree; each turn only moves up, and both sizes
     * end on a boundary, so this stops at the latest at the size. */
    for (;;) {
        uint32_t x = lf_boot_boundary_up(a, off);
        uint32_t y = lf_boot_boundary_up(b, x);
        if (x == y) {
            return x;
        }
        off = y;
    }
}

uint32_t lf_boot_common_down(const struct lf_flash_area *a, const struct lf_flash_area *b,
                             uint32_t off)
{
    for (;;) {
        uint32_t x = lf_boot_boundary_down(a, off);
        uint32_t y = lf_boot_boundary_down(b, x);
        if (x == y) {
            return x;
        }
        off = y;
    }
}

bool lf_boot_uniform(const struct lf_flash_area *fa, uint32_t *size)
{
    uint32_t max = lf_flash_area_max_sector(fa);
    *size = max;
    return max != 0 && lf_flash_area_sector_count(fa) * max == fa->size;
}

int lf_boot_image_extent(const struct lf_flash_area *fa, struct lf_image_header *hdr,
                         uint32_t *extent)
{
    int err = lf_image_read_header(fa, 0, hdr);
    if (err) {
        return err;
    }
    struct lf_image_tlv_iter it;
    err = lf_image_tlv_iter_begin(&it, fa, 0, hdr);
    if (err) {
        return err;
    }
    *extent = it.end;
    return LF_OK;
}
