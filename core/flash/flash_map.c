#include "lf/flash_map.h"

#include <stddef.h>
#include <string.h>

#include "lf/err.h"

static const char *const lf_area_names[LF_AREA_COUNT] = {
    [LF_AREA_STAGE0] = "stage0",
    [LF_AREA_PROVISION] = "provision",
    [LF_AREA_S0] = "s0",
    [LF_AREA_S1] = "s1",
    [LF_AREA_STATE] = "state",
    [LF_AREA_SCRATCH] = "scratch",
    [LF_AREA_APP_PRIMARY] = "app-primary",
    [LF_AREA_APP_SECONDARY] = "app-secondary",
    [LF_AREA_SMP_STATE] = "smp-state",
};

const char *lf_area_name(uint8_t id)
{
    return id < LF_AREA_COUNT ? lf_area_names[id] : "?";
}

int lf_flash_map_init(struct lf_flash_map *map, const struct lf_board *board,
                      const struct lf_flash_dev *const devs[LF_DEV_COUNT])
{
    memset(map, 0, sizeof(*map));
    map->board = board;
    for (uint8_t d = 0; d < LF_DEV_COUNT; d++) {
        if (board->dev_geo[d] == NULL) {
            continue;
        }
        if (devs[d] == NULL) {
            return LF_E_INVAL;
        }
        /* The driver must describe the same part the board was laid out for. */
        if (devs[d]->geo->size != board->dev_geo[d]->size ||
            devs[d]->geo->write_align != board->dev_geo[d]->write_align) {
            return LF_E_FLASH_GEOMETRY;
        }
    }
    for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
        const struct lf_board_area *ba = &board->areas[id];
        if (ba->size == 0) {
            continue;
        }
        if (ba->dev >= LF_DEV_COUNT || devs[ba->dev] == NULL) {
            return LF_E_INVAL;
        }
        struct lf_flash_area *fa = &map->areas[id];
        fa->id = id;
        fa->dev = devs[ba->dev];
        fa->off = ba->off;
        fa->size = ba->size;
        int err = lf_flash_area_check(fa);
        if (err) {
            return err;
        }
        for (uint8_t other = 0; other < id; other++) {
            const struct lf_flash_area *o = &map->areas[other];
            if (o->size == 0 || o->dev != fa->dev) {
                continue;
            }
            if (fa->off < o->off + o->size && o->off < fa->off + fa->size) {
                return LF_E_INVAL;
            }
        }
    }
    return LF_OK;
}

const struct lf_flash_area *lf_flash_map_area(const struct lf_flash_map *map, uint8_t id)
{
    if (id >= LF_AREA_COUNT || map->areas[id].size == 0) {
        return NULL;
    }
    return &map->areas[id];
}
