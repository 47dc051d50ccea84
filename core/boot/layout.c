/*
 * Layout checks (rows L of docs/upgrade-engine.md): the rules every strategy
 * shares, then the strategy's own. Geometry only; no flash access, so the
 * same code runs at start-up and, on a board description, at build time.
 */
#include "boot_int.h"

#include <string.h>

#include "lf/err.h"

int lf_boot_layout_check(const struct lf_boot_strategy *s, const struct lf_flash_area *pri,
                         const struct lf_flash_area *sec, const struct lf_flash_area *scratch,
                         struct lf_boot_layout *out)
{
    memset(out, 0, sizeof(*out));
    /* L1 */
    if (s == NULL || pri == NULL || sec == NULL) {
        return LF_E_BOOT_LAYOUT_NO_AREA;
    }
    /* L2: trailer units are BOOT_MAX_ALIGN bytes; a larger write size
     * could not program one field alone. */
    if (lf_flash_area_align(pri) > LF_BOOT_MAX_ALIGN ||
        lf_flash_area_align(sec) > LF_BOOT_MAX_ALIGN ||
        (scratch && lf_flash_area_align(scratch) > LF_BOOT_MAX_ALIGN)) {
        return LF_E_BOOT_LAYOUT_ALIGN;
    }
    if (pri->size < 2u * lf_trailer_info_size() || sec->size < 2u * lf_trailer_info_size()) {
        return LF_E_BOOT_LAYOUT_SIZE;
    }
    int err = s->layout(pri, sec, scratch, out);
    if (err) {
        return err;
    }
    /* L7 */
    return out->app_max > 0 ? LF_OK : LF_E_BOOT_LAYOUT_SIZE;
}

/* A board area bound to a geometry-only device (no driver: never accessed). */
static const struct lf_flash_area *lf_board_area(const struct lf_board *b, uint8_t id,
                                                 struct lf_flash_dev *dev, struct lf_flash_area *fa)
{
    const struct lf_board_area *ba = &b->areas[id];
    if (ba->size == 0 || ba->dev >= LF_DEV_COUNT || b->dev_geo[ba->dev] == NULL) {
        return NULL;
    }
    dev->geo = b->dev_geo[ba->dev];
    dev->ops = NULL;
    dev->ctx = NULL;
    dev->map_addr = b->dev_map_addr[ba->dev];
    fa->id = id;
    fa->dev = dev;
    fa->off = ba->off;
    fa->size = ba->size;
    return lf_flash_area_check(fa) == LF_OK ? fa : NULL;
}

int lf_boot_layout_check_board(const struct lf_boot_strategy *s, const struct lf_board *board,
                               struct lf_boot_layout *out)
{
    struct lf_flash_dev dev[3];
    struct lf_flash_area fa[3];
    const struct lf_flash_area *pri = lf_board_area(board, LF_AREA_APP_PRIMARY, &dev[0], &fa[0]);
    const struct lf_flash_area *sec = lf_board_area(board, LF_AREA_APP_SECONDARY, &dev[1], &fa[1]);
    const struct lf_flash_area *scr = lf_board_area(board, LF_AREA_SCRATCH, &dev[2], &fa[2]);
    return lf_boot_layout_check(s, pri, sec, scr, out);
}
