/*
 * Overwrite-only (docs/reference/mcuboot.md 3.4; rows O1..O5 of docs/upgrade-engine.md): copy the
 * secondary over the primary, then clear the secondary. No status area: the
 * request in the secondary stays until the copy is complete, so a cut at
 * any point means "do it again".
 */
#include "boot_int.h"

#include "lf/err.h"

static int lf_ow_layout(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                        const struct lf_flash_area *scratch, struct lf_boot_layout *out)
{
    (void)scratch;
    out->status_kind = LF_STATUS_NONE;
    out->status_w = (uint8_t)lf_flash_area_align(pri);
    out->trailer_size = lf_trailer_info_size();
    out->pri_trailer_off = lf_boot_boundary_down(pri, pri->size - out->trailer_size);
    out->sec_trailer_off = lf_boot_boundary_down(sec, sec->size - out->trailer_size);
    /* The image may run up to swap_info (mcuboot.md 2.1): set_pending writes
     * swap_info, image_ok and magic, nothing below. */
    out->app_max = lf_trailer_swap_info_off(pri->size < sec->size ? pri : sec);
    out->sector_size = 0;
    out->units = 0;
    return LF_OK;
}

static int lf_ow_apply(struct lf_boot_ctx *ctx, const struct lf_boot_op *op)
{
    const struct lf_flash_area *pri = ctx->cfg->primary;
    const struct lf_flash_area *sec = ctx->cfg->secondary;
    /* O1: the sectors the image needs, then the trailer sectors. */
    uint32_t img_end = lf_boot_boundary_up(pri, op->swap_size);
    int err = lf_boot_erase(pri, 0, img_end);
    if (!err && img_end < pri->size) {
        uint32_t t = ctx->layout.pri_trailer_off > img_end ? ctx->layout.pri_trailer_off : img_end;
        err = lf_boot_erase(pri, t, pri->size - t);
    }
    /* O2 */
    if (!err) {
        err = lf_boot_copy(ctx, pri, 0, sec, 0, op->swap_size);
    }
    /* O3: the primary shows a confirmed image; magic last. */
    if (!err) {
        err = lf_trailer_write_image_ok(pri);
    }
    if (!err) {
        err = lf_trailer_write_copy_done(pri);
    }
    if (!err) {
        err = lf_trailer_write_magic(pri);
    }
    /* O4: header first, so a cut before O5 leaves a request without image
     * (row V1 clears it) rather than a second copy. */
    uint32_t first_start = 0;
    uint32_t first_size = 0;
    if (!err) {
        err = lf_flash_area_sector_at(sec, 0, &first_start, &first_size);
    }
    if (!err) {
        err = lf_flash_area_erase(sec, 0, first_size);
    }
    /* O5 */
    if (!err && ctx->layout.sec_trailer_off >= first_size) {
        err = lf_boot_erase(sec, ctx->layout.sec_trailer_off,
                            sec->size - ctx->layout.sec_trailer_off);
    }
    return err;
}

const struct lf_boot_strategy lf_boot_strategy_overwrite = {
    .name = "overwrite-only",
    .id = LF_BOOT_STRATEGY_OVERWRITE,
    .status_kind = LF_STATUS_NONE,
    .can_revert = false,
    .layout = lf_ow_layout,
    .units = NULL,
    .step = NULL,
    .apply = lf_ow_apply,
};
