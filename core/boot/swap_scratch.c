/*
 * Swap using scratch (docs/reference/mcuboot.md 3.1; docs/upgrade-engine.md section 5): regions
 * bounded by sector boundaries common to both slots, at most one scratch
 * area wide, are rotated secondary -> scratch, primary -> secondary,
 * scratch -> primary, from the highest region down. Works with unequal
 * sector sizes (internal 4 KiB pages against 64 KiB NOR blocks).
 *
 * Unlike MCUboot, the region holding a trailer is never swapped (app_max
 * stops below it), so the status always stays in the primary trailer.
 */
#include "boot_int.h"

#include "lf/err.h"

/* Low end of the region whose high end is `hi` (> 0). L6 guarantees a
 * common boundary within one scratch size below hi. */
static uint32_t lf_region_lo(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                             uint32_t scratch_size, uint32_t hi)
{
    return lf_boot_common_up(pri, sec, hi > scratch_size ? hi - scratch_size : 0);
}

static uint32_t lf_region_count(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                                uint32_t scratch_size, uint32_t swap_size)
{
    uint32_t n = 0;
    for (uint32_t hi = lf_boot_common_up(pri, sec, swap_size); hi > 0; n++) {
        uint32_t lo = lf_region_lo(pri, sec, scratch_size, hi);
        if (lo >= hi) {
            return 0; /* cannot happen after L6; refuse rather than loop */
        }
        hi = lo;
    }
    return n;
}

/* Rows L1, L5, L6, L7. */
static int lf_scratch_layout(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                             const struct lf_flash_area *scratch, struct lf_boot_layout *out)
{
    if (scratch == NULL) {
        return LF_E_BOOT_LAYOUT_NO_AREA; /* L1 */
    }
    if (pri->size != sec->size) {
        return LF_E_BOOT_LAYOUT_SIZE; /* L6 */
    }
    uint32_t wp = lf_flash_area_align(pri);
    uint32_t ws = lf_flash_area_align(scratch);
    out->status_kind = LF_STATUS_SCRATCH;
    out->status_w = (uint8_t)(wp > ws ? wp : ws);
    out->trailer_size = lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, out->status_w);
    if (out->trailer_size >= pri->size) {
        return LF_E_BOOT_LAYOUT_SIZE;
    }
    /* L6: every run between consecutive common boundaries fits the scratch. */
    uint32_t biggest = lf_flash_area_max_sector(pri);
    uint32_t sec_max = lf_flash_area_max_sector(sec);
    biggest = sec_max > biggest ? sec_max : biggest;
    for (uint32_t b = 0; b < pri->size;) {
        uint32_t nb = lf_boot_common_up(pri, sec, b + 1u);
        if (nb - b > scratch->size) {
            return nb - b > biggest ? LF_E_BOOT_LAYOUT_INCOMPATIBLE : LF_E_BOOT_LAYOUT_SCRATCH;
        }
        b = nb;
    }
    out->pri_trailer_off = lf_boot_boundary_down(pri, pri->size - out->trailer_size);
    out->sec_trailer_off = lf_boot_boundary_down(sec, sec->size - out->trailer_size);
    uint32_t top =
        out->pri_trailer_off < out->sec_trailer_off ? out->pri_trailer_off : out->sec_trailer_off;
    out->app_max = lf_boot_common_down(pri, sec, top);
    uint32_t regions = lf_region_count(pri, sec, scratch->size, out->app_max);
    if (regions > LF_BOOT_MAX_IMG_SECTORS) {
        return LF_E_BOOT_LAYOUT_TOO_MANY; /* L5 */
    }
    out->units = (uint16_t)regions;
    out->sector_size = 0;
    return LF_OK;
}

static int lf_scratch_units(const struct lf_boot_ctx *ctx, uint32_t swap_size, uint32_t *n)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    *n = lf_region_count(c->primary, c->secondary, c->scratch->size, swap_size);
    return *n ? LF_OK : LF_E_BOOT_LAYOUT_INCOMPATIBLE;
}

/* docs/trailer.md section 3, swap-scratch row. */
static int lf_scratch_step(struct lf_boot_ctx *ctx, const struct lf_boot_op *op, uint32_t e)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    uint32_t r = e / 3u;
    uint32_t hi = lf_boot_common_up(c->primary, c->secondary, op->swap_size);
    for (uint32_t i = 0; i < r; i++) {
        hi = lf_region_lo(c->primary, c->secondary, c->scratch->size, hi);
    }
    uint32_t lo = lf_region_lo(c->primary, c->secondary, c->scratch->size, hi);
    uint32_t len = hi - lo;
    /* Erase whole regions but copy only up to the end of the larger image:
     * nothing past it belongs to either image (a 64 KiB NOR region holding
     * a 10 KiB image costs 10 KiB of programming, not 64). */
    uint32_t copy = (op->swap_size < hi ? op->swap_size : hi) - lo;
    const struct lf_flash_area *dst;
    const struct lf_flash_area *src;
    uint32_t dst_off = lo;
    uint32_t src_off = lo;
    switch (e % 3u) {
    case 0: /* state 1: secondary -> scratch */
        dst = c->scratch;
        dst_off = 0;
        src = c->secondary;
        break;
    case 1: /* state 2: primary -> secondary */
        dst = c->secondary;
        src = c->primary;
        break;
    default: /* state 3: scratch -> primary */
        dst = c->primary;
        src = c->scratch;
        src_off = 0;
        break;
    }
    int err = lf_boot_erase(dst, dst_off, len);
    if (err) {
        return err;
    }
    return lf_boot_copy(ctx, dst, dst_off, src, src_off, copy);
}

const struct lf_boot_strategy lf_boot_strategy_swap_scratch = {
    .name = "swap-scratch",
    .id = LF_BOOT_STRATEGY_SWAP_SCRATCH,
    .status_kind = LF_STATUS_SCRATCH,
    .can_revert = true,
    .layout = lf_scratch_layout,
    .units = lf_scratch_units,
    .step = lf_scratch_step,
    .apply = NULL,
};
