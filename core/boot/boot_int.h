/* Internals shared by the engine's files (not a public API). */
#ifndef LF_BOOT_INT_H
#define LF_BOOT_INT_H

#include "lf/boot.h"
#include "lf/boot_record.h"

/* ---- flash helpers (boot_flash.c) ---------------------------------------- */

/* Erase every sector of fa that intersects [off, off+len). len may be 0. */
int lf_boot_erase(const struct lf_flash_area *fa, uint32_t off, uint32_t len);
/* Erase [off, fa->size) only if some byte there is not erased. */
int lf_boot_erase_tail_if_needed(const struct lf_flash_area *fa, uint32_t off);
/* Copy through ctx->buf (destination range must be erased). */
int lf_boot_copy(struct lf_boot_ctx *ctx, const struct lf_flash_area *dst, uint32_t dst_off,
                 const struct lf_flash_area *src, uint32_t src_off, uint32_t len);

/* Smallest sector boundary of fa >= off (off <= fa->size). */
uint32_t lf_boot_boundary_up(const struct lf_flash_area *fa, uint32_t off);
/* Largest sector boundary of fa <= off. */
uint32_t lf_boot_boundary_down(const struct lf_flash_area *fa, uint32_t off);
/* The same for boundaries common to both areas (equal sizes assumed). */
uint32_t lf_boot_common_up(const struct lf_flash_area *a, const struct lf_flash_area *b,
                           uint32_t off);
uint32_t lf_boot_common_down(const struct lf_flash_area *a, const struct lf_flash_area *b,
                             uint32_t off);
/* True when every sector of fa has the same size; *size receives it. */
bool lf_boot_uniform(const struct lf_flash_area *fa, uint32_t *size);

/* Header and extent (header + payload + both TLV areas) of the image at
 * offset 0 of fa. Structural checks only (no hashing). */
int lf_boot_image_extent(const struct lf_flash_area *fa, struct lf_image_header *hdr,
                         uint32_t *extent);

/* ---- swap strategies' common frame (swap_common.c) ------------------------ */

/* Rows S1..S5: start a new swap of op (op->n is filled in). sec is the
 * secondary trailer read at B2. */
int lf_swap_start(struct lf_boot_ctx *ctx, struct lf_boot_op *op, const struct lf_trailer *sec);
/* Rows R2..R5: finish the operation recorded in the primary trailer. */
int lf_swap_resume(struct lf_boot_ctx *ctx, const struct lf_trailer *pri, struct lf_boot_op *op);

/* ---- secondary checks (boot_check.c) -------------------------------------- */

/* Outcome of rows V1..V10. */
enum lf_check_verdict {
    LF_CHECK_ACCEPT = 1,   /* swap it: op->swap_size is set */
    LF_CHECK_EMPTY = 2,    /* V1: no image behind the request */
    LF_CHECK_HANDLED = 3,  /* V3: the classify hook took it */
    LF_CHECK_REJECT = 4,   /* *reason says why */
    LF_CHECK_SKIP = 5,     /* the hook failed: leave everything as it is */
    LF_CHECK_CONSUMED = 6, /* V3: the hook installed it elsewhere: clear the request */
};

/* Check the secondary for an operation of `type`. *verdict is set only when
 * LF_OK is returned (flash errors are returned as such). */
int lf_boot_check_secondary(struct lf_boot_ctx *ctx, uint8_t type, struct lf_boot_op *op,
                            struct lf_boot_result *res, uint8_t *verdict);
/* V-reject: clear the secondary; write primary image_ok if needed. */
int lf_boot_reject_secondary(struct lf_boot_ctx *ctx, struct lf_boot_result *res);
/* V1: erase the secondary's trailer sectors only. */
int lf_boot_clear_request(struct lf_boot_ctx *ctx);

/* ---- logging ---------------------------------------------------------------- */
#define LF_BOOT_LOG(ctx, ...) lf_logf((ctx)->cfg->log, __VA_ARGS__)

#endif
