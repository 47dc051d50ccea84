/*
 * Checked flash device access. Every rule of the geometry is checked here,
 * before the driver is called, so a driver only ever sees legal requests and
 * a refused request never touches flash.
 */
#include "lf/flash.h"

#include "lf/err.h"

static bool lf_is_pow2(uint32_t v)
{
    return v != 0 && (v & (v - 1)) == 0;
}

int lf_flash_geometry_check(const struct lf_flash_geometry *geo)
{
    if (!geo || geo->run_count == 0 || geo->run_count > LF_FLASH_MAX_SECTOR_RUNS) {
        return LF_E_FLASH_GEOMETRY;
    }
    if (geo->erase_value != 0xFF && geo->erase_value != 0x00) {
        return LF_E_FLASH_GEOMETRY;
    }
    if (!lf_is_pow2(geo->write_align)) {
        return LF_E_FLASH_GEOMETRY;
    }
    if (geo->program_page != 0 &&
        (!lf_is_pow2(geo->program_page) || geo->program_page < geo->write_align)) {
        return LF_E_FLASH_GEOMETRY;
    }
    if (geo->max_program != 0 && (geo->max_program % geo->write_align) != 0) {
        return LF_E_FLASH_GEOMETRY;
    }
    uint64_t total = 0;
    for (uint8_t i = 0; i < geo->run_count; i++) {
        const struct lf_flash_sector_run *r = &geo->runs[i];
        if (r->count == 0 || r->size == 0 || (r->size % geo->write_align) != 0) {
            return LF_E_FLASH_GEOMETRY;
        }
        total += (uint64_t)r->count * r->size;
    }
    if (total != geo->size) {
        return LF_E_FLASH_GEOMETRY;
    }
    return LF_OK;
}

int lf_flash_geometry_sector_at(const struct lf_flash_geometry *geo, uint32_t off,
                                uint32_t *sector_start, uint32_t *sector_size)
{
    uint32_t base = 0;
    for (uint8_t i = 0; i < geo->run_count; i++) {
        const struct lf_flash_sector_run *r = &geo->runs[i];
        uint32_t run_len = r->count * r->size;
        if (off - base < run_len) {
            uint32_t idx = (off - base) / r->size;
            *sector_start = base + idx * r->size;
            *sector_size = r->size;
            return LF_OK;
        }
        base += run_len;
    }
    return LF_E_FLASH_OUT_OF_BOUNDS;
}

bool lf_flash_geometry_is_sector_boundary(const struct lf_flash_geometry *geo, uint32_t off)
{
    if (off == geo->size) {
        return true;
    }
    uint32_t start;
    uint32_t size;
    if (lf_flash_geometry_sector_at(geo, off, &start, &size) != LF_OK) {
        return false;
    }
    return start == off;
}

/* [off, off+len) inside [0, size) without overflow. */
static bool lf_range_ok(uint32_t off, uint32_t len, uint32_t size)
{
    return off <= size && len <= size - off;
}

int lf_flash_read(const struct lf_flash_dev *dev, uint32_t off, void *buf, uint32_t len)
{
    if (!lf_range_ok(off, len, dev->geo->size)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if (len == 0) {
        return LF_OK;
    }
    return dev->ops->read(dev->ctx, off, buf, len);
}

int lf_flash_program(const struct lf_flash_dev *dev, uint32_t off, const void *buf, uint32_t len)
{
    const struct lf_flash_geometry *geo = dev->geo;
    if (!lf_range_ok(off, len, geo->size)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if ((off % geo->write_align) != 0 || (len % geo->write_align) != 0) {
        return LF_E_FLASH_MISALIGNED;
    }
    if (geo->max_program != 0 && len > geo->max_program) {
        return LF_E_FLASH_TOO_LONG;
    }
    if (geo->program_page != 0 && len != 0 &&
        (off / geo->program_page) != ((off + len - 1) / geo->program_page)) {
        return LF_E_FLASH_PAGE_CROSS;
    }
    if (len == 0) {
        return LF_OK;
    }
    return dev->ops->program(dev->ctx, off, buf, len);
}

int lf_flash_erase(const struct lf_flash_dev *dev, uint32_t off, uint32_t len)
{
    const struct lf_flash_geometry *geo = dev->geo;
    if (!lf_range_ok(off, len, geo->size)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if (geo->flags & LF_FLASH_F_OTP) {
        return LF_E_FLASH_NO_ERASE;
    }
    if (!lf_flash_geometry_is_sector_boundary(geo, off) ||
        !lf_flash_geometry_is_sector_boundary(geo, off + len)) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    uint32_t end = off + len;
    while (off < end) {
        uint32_t start;
        uint32_t size;
        int err = lf_flash_geometry_sector_at(geo, off, &start, &size);
        if (err) {
            return err;
        }
        err = dev->ops->erase(dev->ctx, start, size);
        if (err) {
            return err;
        }
        off = start + size;
    }
    return LF_OK;
}
