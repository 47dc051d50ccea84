#ifndef LF_FLASH_MAP_H
#define LF_FLASH_MAP_H

#include <stdint.h>

#include "lf/flash.h"

/*
 * A board's flash layout, declared once in boards/<board>.def and turned into
 * a const struct lf_board. The firmware, the virtual device, the linker
 * scripts and the tools' defaults all derive from that one declaration.
 *
 * lf_flash_map binds a board's layout to the drivers of one concrete device
 * (a real chip, or the virtual device's files).
 */

enum lf_dev_id {
    LF_DEV_INTERNAL = 0, /* on-chip flash, executable */
    LF_DEV_EXTERNAL = 1, /* external NOR (QSPI), not executable */
    LF_DEV_OTP = 2,      /* one-time-programmable provision storage */
    LF_DEV_COUNT
};

enum lf_area_id {
    LF_AREA_STAGE0 = 0,        /* immutable first stage */
    LF_AREA_PROVISION = 1,     /* root key hashes, revocation, counter slots */
    LF_AREA_S0 = 2,            /* stage-1 slot 0 */
    LF_AREA_S1 = 3,            /* stage-1 slot 1 */
    LF_AREA_STATE = 4,         /* stage 1's boot record (the upload session is in SMP_STATE) */
    LF_AREA_SCRATCH = 5,       /* swap-scratch scratch area */
    LF_AREA_APP_PRIMARY = 6,   /* application, executes here */
    LF_AREA_APP_SECONDARY = 7, /* application update slot */
    LF_AREA_SMP_STATE = 8,     /* the SMP server's persisted upload session (resume after reset) */
    LF_AREA_COUNT
};

struct lf_board_area {
    uint8_t dev;   /* enum lf_dev_id; meaningful when size != 0 */
    uint32_t off;  /* device offset */
    uint32_t size; /* 0 = the board has no such area */
};

struct lf_board {
    const char *name;
    const struct lf_flash_geometry *dev_geo[LF_DEV_COUNT]; /* NULL = device absent */
    uint32_t dev_map_addr[LF_DEV_COUNT];                   /* or LF_FLASH_NOT_MAPPED */
    struct lf_board_area areas[LF_AREA_COUNT];
    uint16_t counter_slots;     /* write-once security-counter slots in the provision area */
    uint16_t image_header_size; /* ih_hdr_size the build uses (MCUboot pad) */
    uint8_t app_strategy;       /* stage 1's engine: enum lf_boot_strategy_id (lf/boot.h) */
    uint8_t stage1_confirm;     /* LF_STAGE1_CONFIRM_*: who confirms a stage 1 on trial */
};

/* Stage 1 on trial confirms itself once it has handed over to a valid
 * application (AUTO), or waits for an SMP `image confirm` of image 1 (SMP). */
#define LF_STAGE1_CONFIRM_AUTO 0u
#define LF_STAGE1_CONFIRM_SMP  1u

struct lf_flash_map {
    const struct lf_board *board;
    struct lf_flash_area areas[LF_AREA_COUNT];
};

/*
 * Bind `board` to concrete devices: devs[i] drives device i (NULL where the
 * board has no such device). Checks every area (inside its device, on sector
 * boundaries) and that no two areas of one device overlap.
 * Returns LF_OK, LF_E_FLASH_GEOMETRY (a device's geometry differs from the
 * board's), LF_E_FLASH_OUT_OF_BOUNDS, LF_E_FLASH_NOT_SECTOR or LF_E_INVAL.
 */
int lf_flash_map_init(struct lf_flash_map *map, const struct lf_board *board,
                      const struct lf_flash_dev *const devs[LF_DEV_COUNT]);

/* The area with this id, or NULL if the board has none. */
const struct lf_flash_area *lf_flash_map_area(const struct lf_flash_map *map, uint8_t id);

/* Short name of an area id ("s0", "app-primary", ...), for logs and tools. */
const char *lf_area_name(uint8_t id);

#endif
