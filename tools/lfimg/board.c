#include "board.h"

#include <stdio.h>

#include "util.h"

const struct lf_board *lfimg_board(const char *cmd, const char *name)
{
    const struct lf_board *b = lf_board_find(name);
    if (b) {
        return b;
    }
    char known[256];
    size_t n = 0;
    known[0] = 0;
    for (unsigned i = 0; lf_board_at(i) && n < sizeof(known); i++) {
        int w = snprintf(known + n, sizeof(known) - n, "%s%s", i ? ", " : "", lf_board_at(i)->name);
        n += w > 0 ? (size_t)w : 0;
    }
    lfimg_err("%s: unknown board '%s' (known: %s)", cmd, name, known);
    return NULL;
}

bool lfimg_board_area_addr(const struct lf_board *b, uint8_t id, uint32_t *addr)
{
    if (id >= LF_AREA_COUNT || b->areas[id].size == 0) {
        return false;
    }
    const struct lf_board_area *a = &b->areas[id];
    uint32_t base = a->dev < LF_DEV_COUNT ? b->dev_map_addr[a->dev] : LF_FLASH_NOT_MAPPED;
    if (base == LF_FLASH_NOT_MAPPED || a->off > UINT32_MAX - base) {
        return false;
    }
    *addr = base + a->off;
    return true;
}
