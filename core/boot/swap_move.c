/*
 * Swap using move (docs/reference/mcuboot.md 3.2; docs/upgrade-engine.md section 5): the primary's
 * image is first moved up one sector, then each sector i is swapped through
 * the free sector above it. No scratch area; needs uniform, equal sectors.
 */
#include "boot_int.h"

#include "lf/err.h"

/* Rows L3..L5, L7. */
static int lf_move_layout(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                          const struct lf_flash_area *scratch, struct lf_boot_layout *out)
{
    (void)scratch;
    uint32_t sz;
    uint32_t sz_sec;
    if (!lf_boot_uniform(pri, &sz) || !lf_boot_uniform(sec, &sz_sec) || sz != sz_sec) {
        return LF_E_BOOT_LAYOUT_SECTORS; /* L3 */
    }
    uint32_t n_pri = pri->size / sz;
    uint32_t n_sec = sec->size / sz;
    if (n_pri != n_sec && n_pri != n_sec + 1u) {
        return LF_E_BOOT_LAYOUT_COUNT; /* L4 */
    }
    if (n_pri > LF_BOOT_MAX_IMG_SECTORS) {
        return LF_E_BOOT_LAYOUT_TOO_MANY; /* L5 */
    }
    out->status_kind = LF_STATUS_MOVE;
    out->status_w = (uint8_t)lf_flash_area_align(pri);
    out->trailer_size = lf_trailer_size(LF_BOOT_MAX_IMG_SECTORS, 3, out->status_w);
    uint32_t t = (out->trailer_size + sz - 1u) / sz * sz;
    if (n_sec * sz <= t || n_pri * sz <= t + sz) {
        return LF_E_BOOT_LAYOUT_SIZE; /* L7 */
    }
    uint32_t max_pri = n_pri * sz - t - sz; /* one free sector for the move */
    uint32_t max_sec = n_sec * sz - t;
    out->app_max = max_pri < max_sec ? max_pri : max_sec;
    out->pri_trailer_off = pri->size - t;
    out->sec_trailer_off = sec->size - t;
    out->sector_size = sz;
    out->units = (uint16_t)n_pri;
    return LF_OK;
}

static int lf_move_units(const struct lf_boot_ctx *ctx, uint32_t swap_size, uint32_t *n)
{
    uint32_t sz = ctx->layout.sector_size;
    *n = swap_size / sz + (swap_size % sz != 0);
    return LF_OK;
}

/* docs/trailer.md section 3, swap-move row. */
static int lf_move_step(struct lf_boot_ctx *ctx, const struct lf_boot_op *op, uint32_t e)
{
    const struct lf_flash_area *pri = ctx->cfg->primary;
    const struct lf_flash_area *sec = ctx->cfg->secondary;
    uint32_t sz = ctx->layout.sector_size;
    const struct lf_flash_area *dst;
    const struct lf_flash_area *src;
    uint32_t dst_off;
    uint32_t src_off;
    if (e < op->n) {
        /* Move phase, top sector first: P[k-1] -> P[k]. */
        uint32_t k = op->n - e;
        dst = pri;
        dst_off = k * sz;
        src = pri;
        src_off = (k - 1u) * sz;
    } else {
        uint32_t j = e - op->n;
        uint32_t i = j / 2u;
        if (j % 2u == 0) {
            /* state 1: the new sector in: Q[i] -> P[i] */
            dst = pri;
            dst_off = i * sz;
            src = sec;
            src_off = i * sz;
        } else {
            /* state 2: the old sector out: P[i+1] (moved up) -> Q[i] */
            dst = sec;
            dst_off = i * sz;
            src = pri;
            src_off = (i + 1u) * sz;
        }
    }
    int err = lf_flash_area_erase(dst, dst_off, sz);
    if (err) {
        return err;
    }
    return lf_boot_copy(ctx, dst, dst_off, src, src_off, sz);
}

const struct lf_boot_strategy lf_boot_strategy_swap_move = {
    .name = "swap-move",
    .id = LF_BOOT_STRATEGY_SWAP_MOVE,
    .status_kind = LF_STATUS_MOVE,
    .can_revert = true,
    .layout = lf_move_layout,
    .units = lf_move_units,
    .step = lf_move_step,
    .apply = NULL,
};
