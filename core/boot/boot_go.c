/*
 * The boot flow of stage 1's upgrade engine (rows B, R, D, E, F of
 * docs/upgrade-engine.md): one call per image per boot.
 */
#include "boot_int.h"

#include <string.h>

#include "lf/err.h"

static const char *const lf_swap_names[] = {"?", "none", "test", "perm", "revert"};

static const char *lf_swap_name(uint8_t type)
{
    return type <= LF_SWAP_REVERT ? lf_swap_names[type] : "?";
}

static uint8_t lf_action_of(const struct lf_boot_strategy *s, uint8_t type)
{
    if (s->apply) {
        return LF_BOOT_ACT_OVERWRITE;
    }
    return type == LF_SWAP_TEST   ? LF_BOOT_ACT_SWAP_TEST
           : type == LF_SWAP_PERM ? LF_BOOT_ACT_SWAP_PERM
                                  : LF_BOOT_ACT_REVERT;
}

static bool lf_is_op(uint8_t type)
{
    return type == LF_SWAP_TEST || type == LF_SWAP_PERM || type == LF_SWAP_REVERT;
}

/* Row R1: an interrupted swap recorded in the primary. */
static bool lf_boot_must_resume(const struct lf_boot_ctx *ctx, const struct lf_trailer *pt,
                                const struct lf_trailer *st)
{
    return ctx->cfg->strategy->status_kind != LF_STATUS_NONE && pt->magic == LF_MAGIC_GOOD &&
           pt->copy_done != LF_FLAG_SET && lf_is_op(pt->swap_type) &&
           pt->image_num == ctx->cfg->image_num && st->magic != LF_MAGIC_GOOD;
}

/* Act on a verdict of the V rows other than ACCEPT. */
static int lf_boot_not_accepted(struct lf_boot_ctx *ctx, uint8_t type, uint8_t verdict,
                                struct lf_boot_result *res)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    int err = LF_OK;
    switch (verdict) {
    case LF_CHECK_EMPTY: /* V1 */
        res->action = LF_BOOT_ACT_CLEARED;
        err = lf_boot_clear_request(ctx);
        if (!err && type == LF_SWAP_REVERT) {
            /* Nothing to revert to: the trial image stays. */
            err = lf_trailer_set_confirmed(c->primary);
            res->flags |= LF_BOOT_RF_CONFIRMED_ON_REJECT;
        }
        LF_BOOT_LOG(ctx, "boot: request without image in the secondary: cleared");
        break;
    case LF_CHECK_HANDLED: /* V3 */
        res->action = LF_BOOT_ACT_HANDED_OFF;
        LF_BOOT_LOG(ctx, "boot: secondary handed to the classify hook");
        break;
    case LF_CHECK_CONSUMED: /* V3 */
        res->action = LF_BOOT_ACT_HANDED_OFF;
        err = lf_boot_clear_request(ctx);
        LF_BOOT_LOG(ctx, "boot: secondary installed by the classify hook: request cleared");
        break;
    case LF_CHECK_SKIP:
        LF_BOOT_LOG(ctx, "boot: classify hook failed (%E): secondary left alone", res->reason);
        break;
    default: /* V-reject */
        res->action = LF_BOOT_ACT_REJECTED;
        LF_BOOT_LOG(ctx, "boot: secondary rejected: %E", res->reason);
        err = lf_boot_reject_secondary(ctx, res);
        break;
    }
    return err;
}

/* Rows R1, D1..D4, V, S / O. Returns flash and status errors only. */
static int lf_boot_decide(struct lf_boot_ctx *ctx, const struct lf_trailer *pt,
                          const struct lf_trailer *st, struct lf_boot_result *res)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    struct lf_boot_op op = {0};
    int err;
    if (lf_boot_must_resume(ctx, pt, st)) { /* R1 */
        res->flags |= LF_BOOT_RF_RESUMED;
        res->swap_type = pt->swap_type;
        res->action = lf_action_of(c->strategy, pt->swap_type);
        err = lf_swap_resume(ctx, pt, &op);
        if (err == LF_E_BOOT_BAD_STATUS) {
            res->action = LF_BOOT_ACT_STATUS_ERROR;
            res->reason = err;
        }
        return err;
    }
    uint8_t type = lf_swap_type_decide(pt, st, &res->row); /* D1 */
    if (type == LF_SWAP_PERM && st->swap_type == LF_SWAP_REVERT && st->image_num == c->image_num &&
        (pt->magic != LF_MAGIC_GOOD || pt->image_ok != LF_FLAG_SET)) {
        type = LF_SWAP_REVERT; /* D2: a committed revert fix-up (S1) */
    }
    if (type == LF_SWAP_REVERT && !c->strategy->can_revert) {
        type = LF_SWAP_NONE; /* D3 */
    }
    res->swap_type = type;
    if (type == LF_SWAP_NONE && st->magic == LF_MAGIC_BAD) {
        /* D4: a torn request or a torn clear; set_pending would refuse it. */
        res->action = LF_BOOT_ACT_CLEARED;
        res->reason = LF_E_BOOT_BAD_TRAILER;
        LF_BOOT_LOG(ctx, "boot: corrupt secondary trailer cleared");
        return lf_boot_clear_request(ctx);
    }
    if (type == LF_SWAP_NONE) {
        return LF_OK;
    }
    LF_BOOT_LOG(ctx, "boot: %s: row T%u asks %s", c->strategy->name, (unsigned)res->row,
                lf_swap_name(type));
    uint8_t LF_FIH_VOL verdict = 0;
    op.type = type;
    err = lf_boot_check_secondary(ctx, type, &op, res, (uint8_t *)&verdict);
    if (err) {
        return err;
    }
    if (verdict != LF_CHECK_ACCEPT) {
        return lf_boot_not_accepted(ctx, type, verdict, res);
    }
    /* Swapping a refused image in would make it the one the next boot runs
     * (a permanent swap, or a trial). The verdict read again. */
    LF_FIH_CHECK(LF_FIH_EQ(verdict, LF_CHECK_ACCEPT));
    res->action = lf_action_of(c->strategy, type);
    if (c->strategy->apply) {
        err = c->strategy->apply(ctx, &op); /* O1..O5 */
    } else {
        err = lf_swap_start(ctx, &op, st); /* S1..S5 */
    }
    if (!err) {
        LF_BOOT_LOG(ctx, "boot: %s done (%u bytes)", lf_boot_action_name(res->action),
                    (unsigned)op.swap_size);
    }
    return err;
}

/* F2: the stored counter follows confirmed images only (docs/reference/mcuboot.md 4.3). */
static void lf_boot_counter(struct lf_boot_ctx *ctx, struct lf_boot_result *res)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    uint32_t stored;
    if (!c->sec_cnt_get || c->sec_cnt_get(c->hook_ctx, c->image_num, &stored) != LF_OK) {
        if (c->sec_cnt_get) {
            res->flags |= LF_BOOT_RF_SEC_CNT_FAILED;
        }
        return;
    }
    res->sec_cnt = stored;
    struct lf_trailer pt;
    if (!c->sec_cnt_set || !res->primary.has_sec_cnt || res->primary.sec_cnt <= stored ||
        lf_trailer_read(c->primary, &pt) != LF_OK) {
        return;
    }
    if (pt.magic == LF_MAGIC_GOOD && pt.image_ok != LF_FLAG_SET) {
        return; /* on trial: not yet */
    }
    if (c->sec_cnt_set(c->hook_ctx, c->image_num, res->primary.sec_cnt) == LF_OK) {
        res->sec_cnt = res->primary.sec_cnt;
        res->flags |= LF_BOOT_RF_SEC_CNT_RAISED;
    } else {
        res->flags |= LF_BOOT_RF_SEC_CNT_FAILED;
    }
}

/* F3 */
static void lf_boot_write_record(struct lf_boot_ctx *ctx, const struct lf_boot_result *res,
                                 bool primary_valid)
{
    const struct lf_boot_cfg *c = ctx->cfg;
    if (!c->state) {
        return;
    }
    struct lf_boot_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.action = res->action;
    rec.flags = res->flags;
    rec.image_num = c->image_num;
    rec.strategy = c->strategy ? c->strategy->id : 0;
    rec.reason = (int16_t)res->reason;
    rec.swap_type = res->swap_type;
    rec.row = res->row;
    if (primary_valid) {
        rec.primary_ver = res->primary.hdr.version;
    }
    rec.other_ver = res->other_ver;
    rec.sec_cnt = res->sec_cnt;
    int err = lf_boot_record_append(c->state, &rec, NULL);
    if (err) {
        LF_BOOT_LOG(ctx, "boot: boot record not written: %E", err);
    }
}

int lf_boot_go(struct lf_boot_ctx *ctx, const struct lf_boot_cfg *cfg, struct lf_boot_result *res)
{
    memset(res, 0, sizeof(*res));
    ctx->cfg = cfg;
    res->action = LF_BOOT_ACT_NONE;
    res->swap_type = LF_SWAP_NONE;
    /* B1 */
    int err = lf_boot_layout_check(cfg->strategy, cfg->primary, cfg->secondary, cfg->scratch,
                                   &ctx->layout);
    if (err) {
        res->action = LF_BOOT_ACT_LAYOUT_ERROR;
        res->reason = err;
        LF_BOOT_LOG(ctx, "boot: layout unsuitable for %s: %E",
                    cfg->strategy ? cfg->strategy->name : "?", err);
        lf_boot_write_record(ctx, res, false);
        return err;
    }
    /* B2 */
    struct lf_trailer pt;
    struct lf_trailer st;
    err = lf_trailer_read(cfg->primary, &pt);
    if (err) {
        return err;
    }
    if (lf_trailer_read(cfg->secondary, &st) != LF_OK) {
        st.magic = LF_MAGIC_UNSET; /* unreadable secondary = empty (mcuboot.md 2.5) */
        st.image_ok = LF_FLAG_UNSET;
        st.copy_done = LF_FLAG_UNSET;
        st.swap_type = LF_SWAP_NONE;
        st.image_num = 0;
        st.swap_size = 0;
    }
    int op_err = lf_boot_decide(ctx, &pt, &st, res);
    if (op_err) {
        /* R2 / E1: the operation stopped (corrupt status, failing flash).
         * Whether the primary can still run is F1's call alone. */
        if (res->action != LF_BOOT_ACT_STATUS_ERROR) {
            res->action = LF_BOOT_ACT_FLASH_ERROR;
        }
        res->reason = op_err;
        LF_BOOT_LOG(ctx, "boot: %s: %E", lf_boot_action_name(res->action), op_err);
    }
    /* F1 */
    int LF_FIH_VOL f1 = (cfg->validate ? cfg->validate : lf_image_validate)(
        cfg->primary, 0, cfg->keys, &res->primary);
    err = f1;
    if (err) {
        if (!op_err) {
            res->action = LF_BOOT_ACT_NO_VALID_IMAGE;
            res->reason = err;
        }
        LF_BOOT_LOG(ctx, "boot: no valid image in the primary: %E", err);
        lf_boot_write_record(ctx, res, false);
        return LF_E_BOOT_NO_VALID_IMAGE;
    }
    /* F1 a second time: the result read again, the validator's hardened
     * verdict (a validator hook must write it too). */
    LF_FIH_CHECK(f1 == LF_OK);
    lf_fih_require(&res->primary.fih);
    lf_boot_counter(ctx, res); /* F2 */
    lf_boot_write_record(ctx, res, true);
    return LF_OK;
}
