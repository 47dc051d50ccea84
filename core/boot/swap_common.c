/*
 * The frame every swap strategy shares (docs/upgrade-engine.md section 3):
 * start (rows S1..S4), the step loop with its status records (R4/S5), the
 * final flags (R5), and resumption from the primary's status (R2..R5).
 */
#include "boot_int.h"

#include "lf/err.h"

static void lf_swap_map(const struct lf_boot_ctx *ctx, const struct lf_boot_op *op,
                        struct lf_status_map *m)
{
    m->kind = ctx->layout.status_kind;
    m->w = ctx->layout.status_w;
    m->max = (uint16_t)LF_BOOT_MAX_IMG_SECTORS;
    m->off = ctx->cfg->primary->size - ctx->layout.trailer_size;
    m->n = op->n;
}

/* R4 / S5: steps from..end, each followed by its record. */
static int lf_swap_steps(struct lf_boot_ctx *ctx, const struct lf_boot_op *op, uint32_t from)
{
    struct lf_status_map m;
    lf_swap_map(ctx, op, &m);
    uint32_t steps = lf_status_steps(&m);
    for (uint32_t e = from; e < steps; e++) {
        int err = ctx->cfg->strategy->step(ctx, op, e);
        if (!err) {
            err = lf_status_write(ctx->cfg->primary, &m, e);
        }
        if (err) {
            return err;
        }
    }
    return LF_OK;
}

/* R5: image_ok for PERM and REVERT (before copy_done: a cut between them
 * must not leave a finished swap that T3 would revert), then copy_done. */
static int lf_swap_finish(struct lf_boot_ctx *ctx, const struct lf_boot_op *op)
{
    const struct lf_flash_area *pri = ctx->cfg->primary;
    struct lf_trailer tr;
    int err = lf_trailer_read(pri, &tr);
    if (err) {
        return err;
    }
    if ((op->type == LF_SWAP_PERM || op->type == LF_SWAP_REVERT) && tr.image_ok != LF_FLAG_SET) {
        err = lf_trailer_write_image_ok(pri);
    }
    if (!err && tr.copy_done != LF_FLAG_SET) {
        err = lf_trailer_write_copy_done(pri);
    }
    return err;
}

static int lf_swap_units(struct lf_boot_ctx *ctx, struct lf_boot_op *op)
{
    if (op->swap_size == 0 || op->swap_size > ctx->layout.app_max) {
        return LF_E_BOOT_BAD_STATUS;
    }
    int err = ctx->cfg->strategy->units(ctx, op->swap_size, &op->n);
    if (err) {
        return err;
    }
    return op->n == 0 || op->n > LF_BOOT_MAX_IMG_SECTORS ? LF_E_BOOT_BAD_STATUS : LF_OK;
}

int lf_swap_start(struct lf_boot_ctx *ctx, struct lf_boot_op *op, const struct lf_trailer *sec_tr)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    const struct lf_flash_area *pri = c->primary;
    const struct lf_flash_area *sec = c->secondary;
    int err = lf_swap_units(ctx, op);
    if (err) {
        return err;
    }
    /* S1: persist the revert in the secondary before the primary's trailer
     * (which is what says "revert") is erased. */
    if (op->type == LF_SWAP_REVERT &&
        !(sec_tr->magic == LF_MAGIC_GOOD && sec_tr->swap_type == LF_SWAP_REVERT)) {
        err = lf_boot_erase(sec, ctx->layout.sec_trailer_off,
                            sec->size - ctx->layout.sec_trailer_off);
        if (!err) {
            err = lf_trailer_write_image_ok(sec);
        }
        if (!err) {
            err = lf_trailer_write_swap_size(sec, op->swap_size);
        }
        if (!err) {
            err = lf_trailer_write_swap_info(sec, c->image_num, LF_SWAP_REVERT);
        }
        if (!err) {
            err = lf_trailer_write_magic(sec);
        }
    }
    /* S2: a clean primary trailer (status area included). */
    if (!err) {
        err = lf_boot_erase(pri, ctx->layout.pri_trailer_off,
                            pri->size - ctx->layout.pri_trailer_off);
    }
    /* S3: the status; magic commits it. */
    if (!err) {
        err = lf_trailer_write_swap_info(pri, c->image_num, op->type);
    }
    if (!err) {
        err = lf_trailer_write_swap_size(pri, op->swap_size);
    }
    if (!err) {
        err = lf_trailer_write_magic(pri);
    }
    /* S4: from here on the primary's status drives (row R1). */
    if (!err) {
        err = lf_boot_erase(sec, ctx->layout.sec_trailer_off,
                            sec->size - ctx->layout.sec_trailer_off);
    }
    if (!err) {
        err = lf_swap_steps(ctx, op, 0);
    }
    if (!err) {
        err = lf_swap_finish(ctx, op);
    }
    return err;
}

int lf_swap_resume(struct lf_boot_ctx *ctx, const struct lf_trailer *pri, struct lf_boot_op *op)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    op->type = pri->swap_type;
    op->swap_size = pri->swap_size;
    /* R2 */
    int err = lf_swap_units(ctx, op);
    struct lf_status_map m;
    uint32_t done = 0;
    if (!err) {
        lf_swap_map(ctx, op, &m);
        err = lf_status_read(c->primary, &m, ctx->buf, sizeof(ctx->buf), &done);
    }
    /* R3: a cut during S4 may have left part of the old request. */
    if (!err && done == 0) {
        err = lf_boot_erase_tail_if_needed(c->secondary, ctx->layout.sec_trailer_off);
    }
    if (!err) {
        LF_BOOT_LOG(ctx, "boot: resuming %s at step %u of %u", c->strategy->name, (unsigned)done,
                    (unsigned)lf_status_steps(&m));
        err = lf_swap_steps(ctx, op, done); /* R4 */
    }
    if (!err) {
        err = lf_swap_finish(ctx, op); /* R5 */
    }
    return err;
}
