/*
 * One boot of stage 1 (docs/stage1.md section 2): run the engine for the
 * application, then decide what the port does next, confirming this stage 1
 * if it is on trial and has reached a valid application.
 */
#include <string.h>

#include "lf/err.h"
#include "lf/stage1.h"

static const char *const s1_next_names[] = {"?", "jump to the application",
                                            "reset into the stage-1 trial", "serial recovery"};

/* B3..B5: a trial ends in a confirm only once the application is valid. */
static void s1_confirm_self(const struct lf_stage1_ctx *ctx, struct lf_stage1_result *out)
{
    const struct lf_stage1_platform *p = ctx->p;
    if (!ctx->h->trial || lf_stage0_running_confirmed(p->map, ctx->h) == LF_OK) {
        return;
    }
    if (out->next != LF_STAGE1_JUMP) {
        lf_logf(p->log, "stage1: on trial without a valid application: not confirming");
        return;
    }
    if (p->confirm == LF_STAGE1_CONFIRM_SMP) {
        out->awaiting_confirm = true;
        lf_logf(p->log, "stage1: on trial: waiting for an SMP confirm of image 1");
        return;
    }
    int err = lf_stage0_confirm(p->map, ctx->h);
    if (err) {
        /* Not fatal: stage 0 abandons this trial at the next reset. */
        lf_logf(p->log, "stage1: self-confirm failed: %E", err);
        return;
    }
    out->confirmed_self = true;
    lf_logf(p->log, "stage1: confirmed itself in s%u", ctx->h->slot);
}

int lf_stage1_boot(struct lf_stage1_ctx *ctx, const struct lf_stage1_platform *p,
                   const struct lf_stage0_handoff *h, struct lf_stage1_result *out)
{
    memset(out, 0, sizeof(*out));
    lf_fih_set(&out->fih, LF_FIH_FAILURE);
    memset(ctx, 0, sizeof(*ctx));
    if (!lf_stage0_handoff_valid(h)) {
        return LF_E_STAGE0_HANDOFF;
    }
    ctx->p = p;
    ctx->h = h;
    const struct lf_flash_map *map = p->map;
    ctx->cfg = (struct lf_boot_cfg){
        .strategy = p->strategy,
        .primary = lf_flash_map_area(map, LF_AREA_APP_PRIMARY),
        .secondary = lf_flash_map_area(map, LF_AREA_APP_SECONDARY),
        .scratch = lf_flash_map_area(map, LF_AREA_SCRATCH),
        .state = lf_flash_map_area(map, LF_AREA_STATE),
        .keys = p->app_keys,
        .image_num = 0,
        .flags = p->boot_flags,
        .log = p->log,
        .hook_ctx = ctx,
        .classify = lf_stage1_classify,
    };
    lf_logf(p->log, "stage1: running from s%u (%u.%u.%u+%u)%s", h->slot, h->version.major,
            h->version.minor, h->version.revision, (unsigned)h->version.build,
            h->trial ? ", on trial" : "");
    int LF_FIH_VOL engine_err = lf_boot_go(&ctx->boot, &ctx->cfg, &out->engine);
    out->engine_err = engine_err;
    out->install = ctx->install;
    out->install_reason = ctx->install_reason;
    out->install_slot = ctx->install_slot;
    out->install_ver = ctx->install_ver;
    if (ctx->install == LF_STAGE1_INSTALL_COPIED) {
        out->next = LF_STAGE1_RESET; /* I8: straight into the new stage 1's trial */
    } else if (out->engine_err == LF_OK) {
        out->next = LF_STAGE1_JUMP;
    } else {
        out->next = LF_STAGE1_RECOVERY;
        lf_logf(p->log, "stage1: no application to boot: %E", out->engine_err);
    }
    s1_confirm_self(ctx, out);
#if LF_FIH
    if (out->next == LF_STAGE1_JUMP) {
        /* The jump decided again: the engine's result read a second time,
         * the primary's hardened verdict, then the entry kept apart. */
        const volatile struct lf_stage1_result *vo = out;
        LF_FIH_CHECK(engine_err == LF_OK && ctx->install != LF_STAGE1_INSTALL_COPIED);
        lf_fih_require(&out->engine.primary.fih);
        LF_FIH_CHECK(LF_FIH_EQ(vo->next, LF_STAGE1_JUMP));
        out->entry_inv = ~(lf_flash_area_addr(ctx->cfg.primary) + vo->engine.primary.hdr.hdr_size);
        lf_fih_set(&out->fih, LF_FIH_SUCCESS);
    }
#endif
    lf_logf(p->log, "stage1: %s", s1_next_names[out->next]);
    return LF_OK;
}
