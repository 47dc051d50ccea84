#ifndef LF_BOOT_H
#define LF_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"
#include "lf/flash_map.h"
#include "lf/image.h"
#include "lf/log.h"
#include "lf/trailer.h"

/*
 * Stage 1's upgrade engine: at every boot, for one image (the application),
 * resume an interrupted operation or decide from the trailers what to do,
 * check the secondary image, swap / overwrite / revert, validate the primary,
 * advance the security counter and append a boot record. docs/upgrade-engine.md
 * has the state machine as tables; the code names its rows.
 *
 * No state survives a call except what is on flash: the caller owns the
 * context (RAM buffer included) and may place it anywhere.
 */

/* RAM buffer for copies and scans. Copies between devices go through it. */
#define LF_BOOT_BUF_SIZE 1024u

enum lf_boot_strategy_id {
    LF_BOOT_STRATEGY_SWAP_MOVE = 1,
    LF_BOOT_STRATEGY_SWAP_SCRATCH = 2,
    LF_BOOT_STRATEGY_OVERWRITE = 3,
};

/* What a layout check derives for a (strategy, slots) pair. */
struct lf_boot_layout {
    uint32_t app_max;         /* largest image extent (header + payload + TLVs) accepted */
    uint32_t trailer_size;    /* bytes of the trailer: status area + info part */
    uint32_t pri_trailer_off; /* first byte of the primary sectors holding the trailer */
    uint32_t sec_trailer_off; /* same in the secondary */
    uint32_t sector_size;     /* swap-move: the one sector size; 0 otherwise */
    uint16_t units;           /* swap-move: sectors of the primary; swap-scratch: regions
                                 covering app_max; 0 for overwrite-only */
    uint8_t status_w;         /* bytes per status record (W) */
    uint8_t status_kind;      /* enum lf_status_kind */
};

struct lf_boot_ctx;

/* One operation: its type and extent. */
struct lf_boot_op {
    uint8_t type;       /* LF_SWAP_TEST, LF_SWAP_PERM or LF_SWAP_REVERT */
    uint32_t swap_size; /* bytes covered: the larger image extent (swap), the new
                           image's extent (overwrite) */
    uint32_t n;         /* sectors / regions covered (swap strategies) */
};

/*
 * A strategy: data plus a few functions. Swap strategies provide units and
 * step (the engine runs the step loop and writes the status records);
 * overwrite-only provides apply. Unused members are NULL.
 */
struct lf_boot_strategy {
    const char *name; /* "swap-move", "swap-scratch", "overwrite-only" */
    uint8_t id;       /* enum lf_boot_strategy_id */
    uint8_t status_kind;
    bool can_revert;
    /* Rows L of docs/upgrade-engine.md. scratch may be NULL. */
    int (*layout)(const struct lf_flash_area *pri, const struct lf_flash_area *sec,
                  const struct lf_flash_area *scratch, struct lf_boot_layout *out);
    /* Sectors / regions covering swap_size bytes (1 <= swap_size <= app_max). */
    int (*units)(const struct lf_boot_ctx *ctx, uint32_t swap_size, uint32_t *n);
    /* Data step e (< 3n) of op: erase the destination and copy. */
    int (*step)(struct lf_boot_ctx *ctx, const struct lf_boot_op *op, uint32_t e);
    /* Whole operation, for strategies without a status area. */
    int (*apply)(struct lf_boot_ctx *ctx, const struct lf_boot_op *op);
};

extern const struct lf_boot_strategy lf_boot_strategy_swap_move;
extern const struct lf_boot_strategy lf_boot_strategy_swap_scratch;
extern const struct lf_boot_strategy lf_boot_strategy_overwrite;

/* The strategies, for host tools and tests (links all three). */
#define LF_BOOT_STRATEGY_COUNT 3u
extern const struct lf_boot_strategy *const lf_boot_strategies[LF_BOOT_STRATEGY_COUNT];
/* By name; NULL if unknown. */
const struct lf_boot_strategy *lf_boot_strategy_find(const char *name);

/*
 * Check that the slots suit the strategy (rows L1..L7) and derive the
 * layout. Touches no flash (geometry only). scratch may be NULL.
 * Returns LF_OK or a distinct LF_E_BOOT_LAYOUT_* code.
 */
int lf_boot_layout_check(const struct lf_boot_strategy *s, const struct lf_flash_area *pri,
                         const struct lf_flash_area *sec, const struct lf_flash_area *scratch,
                         struct lf_boot_layout *out);

/* The same rules on a board description (no drivers needed): the build-time
 * check. Uses the board's APP_PRIMARY, APP_SECONDARY and SCRATCH areas. */
int lf_boot_layout_check_board(const struct lf_boot_strategy *s, const struct lf_board *board,
                               struct lf_boot_layout *out);

/* ---- configuration and hooks ---------------------------------------------- */

/* classify hook answers (row V3). */
enum lf_boot_class {
    LF_BOOT_CLASS_APP = 0,      /* an application update: check and swap it */
    LF_BOOT_CLASS_HANDLED = 1,  /* the hook dealt with it; leave the secondary alone */
    LF_BOOT_CLASS_FOREIGN = 2,  /* not for this slot: reject (with *reason) and clear */
    LF_BOOT_CLASS_CONSUMED = 3, /* the hook installed it elsewhere: clear the request */
};

/* Downgrade prevention (rows V8, V9). */
#define LF_BOOT_F_DOWNGRADE_VERSION 0x01u /* refuse version(new) < version(primary) */
#define LF_BOOT_F_DOWNGRADE_SEC_CNT 0x02u /* refuse SEC_CNT(new) < SEC_CNT(primary) */

struct lf_boot_cfg {
    const struct lf_boot_strategy *strategy;
    const struct lf_flash_area *primary;
    const struct lf_flash_area *secondary;
    const struct lf_flash_area *scratch; /* swap-scratch only; may be NULL otherwise */
    const struct lf_flash_area *state;   /* boot-record area; NULL: no record kept */
    const struct lf_keyring *keys;       /* application keys */
    uint8_t image_num;                   /* 0..14, written in swap_info */
    uint8_t flags;                       /* LF_BOOT_F_* */
    const struct lf_log *log;            /* may be NULL */
    void *hook_ctx;                      /* passed to every hook */
    /* Validator (rows V6, F1); NULL = lf_image_validate. */
    int (*validate)(const struct lf_flash_area *fa, uint32_t off, const struct lf_keyring *keys,
                    struct lf_image_info *info);
    /* Row V3, TEST/PERM only; NULL = every image is an application update.
     * Returns an enum lf_boot_class, or a negative error (the secondary is
     * then left alone and the boot goes on with NONE). For FOREIGN the hook
     * may set *reason (preset to LF_E_BOOT_FOREIGN_IMAGE) to the precise
     * refusal the boot record keeps. */
    int (*classify)(void *hook_ctx, uint8_t image_num, const struct lf_flash_area *secondary,
                    const struct lf_image_header *hdr, int *reason);
    /* Stored security counter (rows V7, F2); both NULL = not used.
     * set is called only with a value above the one get returned. */
    int (*sec_cnt_get)(void *hook_ctx, uint8_t image_num, uint32_t *value);
    int (*sec_cnt_set)(void *hook_ctx, uint8_t image_num, uint32_t value);
};

/* Everything the engine needs in RAM; caller-owned. */
struct lf_boot_ctx {
    const struct lf_boot_cfg *cfg;
    struct lf_boot_layout layout;
    uint8_t buf[LF_BOOT_BUF_SIZE];
};

/* What the boot did (mirrors the boot record, lf/boot_record.h). */
struct lf_boot_result {
    uint8_t action;    /* enum lf_boot_action */
    uint8_t flags;     /* LF_BOOT_RF_* */
    uint8_t swap_type; /* what the trailers asked for (LF_SWAP_*) */
    uint8_t row;       /* decision-table row (1..4), 0 when resumed / not evaluated */
    int reason;        /* lf_err code explaining a rejection or failure, 0 if none */
    struct lf_image_version other_ver; /* the secondary image involved, if any */
    uint32_t sec_cnt;                  /* stored counter after this boot */
    struct lf_image_info primary;      /* the image to boot; valid only on LF_OK */
};

/*
 * Run the engine for cfg->image_num. Returns LF_OK when the primary slot
 * holds a valid image to boot (res->primary describes it; it starts at
 * primary offset 0, payload at hdr.hdr_size), even if the operation itself
 * stopped on a corrupt status or a flash error (res->action and res->reason
 * say so). Otherwise: a LF_E_BOOT_LAYOUT_* error (nothing was done; the
 * primary was not validated), LF_E_BOOT_NO_VALID_IMAGE, or a read error of
 * the primary's trailer. res is filled in every case. The boot record is
 * appended when cfg->state is set (a failure to append is only logged).
 */
int lf_boot_go(struct lf_boot_ctx *ctx, const struct lf_boot_cfg *cfg, struct lf_boot_result *res);

#endif
