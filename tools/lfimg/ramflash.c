#include "ramflash.h"

#include <string.h>

#include "lf/err.h"

static int lfimg_rf_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct lfimg_ramflash *rf = ctx;
    memcpy(buf, rf->buf + off, len);
    return LF_OK;
}

static int lfimg_rf_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct lfimg_ramflash *rf = ctx;
    memcpy(rf->buf + off, buf, len);
    return LF_OK;
}

static int lfimg_rf_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct lfimg_ramflash *rf = ctx;
    memset(rf->buf + off, 0xff, len);
    return LF_OK;
}

static const struct lf_flash_ops lfimg_rf_ops = {
    .read = lfimg_rf_read,
    .program = lfimg_rf_program,
    .erase = lfimg_rf_erase,
};

int lfimg_ramflash_init(struct lfimg_ramflash *rf, uint8_t *buf, size_t len)
{
    if (len == 0 || len > UINT32_MAX) {
        return -1;
    }
    memset(rf, 0, sizeof(*rf));
    rf->buf = buf;
    rf->geo.part = "file";
    rf->geo.size = (uint32_t)len;
    rf->geo.run_count = 1;
    rf->geo.erase_value = 0xff;
    rf->geo.write_align = 1;
    rf->geo.runs[0].count = 1;
    rf->geo.runs[0].size = (uint32_t)len;
    rf->dev.geo = &rf->geo;
    rf->dev.ops = &lfimg_rf_ops;
    rf->dev.ctx = rf;
    rf->dev.map_addr = LF_FLASH_NOT_MAPPED;
    rf->area.dev = &rf->dev;
    rf->area.off = 0;
    rf->area.size = (uint32_t)len;
    return lf_flash_geometry_check(&rf->geo) == LF_OK ? 0 : -1;
}
