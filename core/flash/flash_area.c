/*
 * Flash areas: a window of one device. Offsets are area-relative and are
 * bounds-checked against the area before they are turned into device offsets,
 * so an area user can never reach a neighbouring area.
 */
#include "lf/flash.h"

#include <string.h>

#include "lf/err.h"

/* Chunk used by the erased-check; small because it lives on the stack. */
#define LF_FLASH_AREA_SCAN_CHUNK 64u

static bool lf_area_range_ok(const struct lf_flash_area *fa, uint32_t off, uint32_t len)
{
    return off <= fa->size && len <= fa->size - off;
}

int lf_flash_area_check(const struct lf_flash_area *fa)
{
    const struct lf_flash_geometry *geo = fa->dev->geo;
    if (fa->off > geo->size || fa->size > geo->size - fa->off || fa->size == 0) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if (!lf_flash_geometry_is_sector_boundary(geo, fa->off) ||
        !lf_flash_geometry_is_sector_boundary(geo, fa->off + fa->size)) {
        return LF_E_FLASH_NOT_SECTOR;
    }
    return LF_OK;
}

int lf_flash_area_read(const struct lf_flash_area *fa, uint32_t off, void *buf, uint32_t len)
{
    if (!lf_area_range_ok(fa, off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    return lf_flash_read(fa->dev, fa->off + off, buf, len);
}

int lf_flash_area_program(const struct lf_flash_area *fa, uint32_t off, const void *buf,
                          uint32_t len)
{
    if (!lf_area_range_ok(fa, off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    return lf_flash_program(fa->dev, fa->off + off, buf, len);
}

int lf_flash_area_write(const struct lf_flash_area *fa, uint32_t off, const void *buf, uint32_t len)
{
    const struct lf_flash_geometry *geo = fa->dev->geo;
    if (!lf_area_range_ok(fa, off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    if ((off % geo->write_align) != 0 || (len % geo->write_align) != 0) {
        return LF_E_FLASH_MISALIGNED;
    }
    const uint8_t *src = buf;
    uint32_t dev_off = fa->off + off;
    while (len > 0) {
        uint32_t n = len;
        if (geo->program_page != 0) {
            uint32_t to_page_end = geo->program_page - (dev_off % geo->program_page);
            n = n < to_page_end ? n : to_page_end;
        }
        if (geo->max_program != 0 && n > geo->max_program) {
            n = geo->max_program;
        }
        int err = lf_flash_program(fa->dev, dev_off, src, n);
        if (err) {
            return err;
        }
        src += n;
        dev_off += n;
        len -= n;
    }
    return LF_OK;
}

int lf_flash_area_erase(const struct lf_flash_area *fa, uint32_t off, uint32_t len)
{
    if (!lf_area_range_ok(fa, off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    return lf_flash_erase(fa->dev, fa->off + off, len);
}

int lf_flash_area_sector_at(const struct lf_flash_area *fa, uint32_t off, uint32_t *sector_start,
                            uint32_t *sector_size)
{
    if (off >= fa->size) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    uint32_t start;
    int err = lf_flash_geometry_sector_at(fa->dev->geo, fa->off + off, &start, sector_size);
    if (err) {
        return err;
    }
    *sector_start = start - fa->off;
    return LF_OK;
}

uint32_t lf_flash_area_sector_count(const struct lf_flash_area *fa)
{
    uint32_t count = 0;
    uint32_t off = 0;
    while (off < fa->size) {
        uint32_t start;
        uint32_t size;
        if (lf_flash_area_sector_at(fa, off, &start, &size) != LF_OK) {
            break;
        }
        off = start + size;
        count++;
    }
    return count;
}

uint32_t lf_flash_area_max_sector(const struct lf_flash_area *fa)
{
    uint32_t max = 0;
    uint32_t off = 0;
    while (off < fa->size) {
        uint32_t start;
        uint32_t size;
        if (lf_flash_area_sector_at(fa, off, &start, &size) != LF_OK) {
            break;
        }
        max = size > max ? size : max;
        off = start + size;
    }
    return max;
}

uint32_t lf_flash_area_align(const struct lf_flash_area *fa)
{
    return fa->dev->geo->write_align;
}

uint8_t lf_flash_area_erased_val(const struct lf_flash_area *fa)
{
    return fa->dev->geo->erase_value;
}

uint32_t lf_flash_area_addr(const struct lf_flash_area *fa)
{
    if (fa->dev->map_addr == LF_FLASH_NOT_MAPPED) {
        return LF_FLASH_NOT_MAPPED;
    }
    return fa->dev->map_addr + fa->off;
}

int lf_flash_area_is_erased(const struct lf_flash_area *fa, uint32_t off, uint32_t len,
                            bool *erased)
{
    uint8_t chunk[LF_FLASH_AREA_SCAN_CHUNK];
    uint8_t ev = lf_flash_area_erased_val(fa);
    if (!lf_area_range_ok(fa, off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    *erased = false;
    while (len > 0) {
        uint32_t n = len < sizeof(chunk) ? len : (uint32_t)sizeof(chunk);
        int err = lf_flash_area_read(fa, off, chunk, n);
        if (err) {
            return err;
        }
        for (uint32_t i = 0; i < n; i++) {
            if (chunk[i] != ev) {
                return LF_OK;
            }
        }
        off += n;
        len -= n;
    }
    *erased = true;
    return LF_OK;
}

int lf_flash_area_copy(const struct lf_flash_area *dst, uint32_t dst_off,
                       const struct lf_flash_area *src, uint32_t src_off, uint32_t len,
                       uint8_t *buf, uint32_t buf_len)
{
    uint32_t align = lf_flash_area_align(dst);
    if (buf_len < align) {
        return LF_E_INVAL;
    }
    /* Whole multiples of the destination alignment per step. */
    uint32_t step_max = buf_len - (buf_len % align);
    uint32_t padded = len + ((align - (len % align)) % align);
    if (padded < len || !lf_area_range_ok(dst, dst_off, padded) ||
        !lf_area_range_ok(src, src_off, len)) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    uint32_t done = 0;
    while (done < padded) {
        uint32_t n = padded - done < step_max ? padded - done : step_max;
        uint32_t from_src = len - done < n ? len - done : n;
        int err = lf_flash_area_read(src, src_off + done, buf, from_src);
        if (err) {
            return err;
        }
        memset(buf + from_src, lf_flash_area_erased_val(dst), n - from_src);
        err = lf_flash_area_write(dst, dst_off + done, buf, n);
        if (err) {
            return err;
        }
        done += n;
    }
    return LF_OK;
}
