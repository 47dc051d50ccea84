/* One boot of the virtual device: stage 0 -> stage 1 -> (application). */
#include "chain.h"

#include <string.h>

#include "lf/err.h"
#include "lf/provision.h"

/* Stage 0's port hook: the virtual flash refuses program and erase in the
 * area until the device is reset (the nRF52840's ACL). */
static int chain_protect(void *ctx, const struct lf_flash_area *fa)
{
    struct lf_sim_device *dev = ctx;
    struct lf_sim_flash *f = lf_sim_device_flash_of(dev, fa);
    if (!f) {
        return LF_E_INVAL;
    }
    lf_sim_flash_lock(f, fa->off, fa->off + fa->size);
    return LF_OK;
}

static const struct lf_boot_strategy *chain_strategy(const struct lf_board *b)
{
    for (unsigned i = 0; i < LF_BOOT_STRATEGY_COUNT; i++) {
        if (lf_boot_strategies[i]->id == b->app_strategy) {
            return lf_boot_strategies[i];
        }
    }
    return NULL;
}

int lfsim_chain_boot(struct lf_sim_device *dev, const struct lf_log *log, struct lfsim_chain *c)
{
    memset(c, 0, sizeof(*c));
    const struct lf_stage0_platform p0 = {
        .map = &dev->map,
        .log = log,
        .algs = lf_image_sig_algs_all,
        .alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
        .protect = chain_protect,
        .ctx = dev,
        .err_name = lf_err_name,
    };
    c->stage0_err = lf_stage0_boot(&p0, &c->s0);
    if (c->stage0_err) {
        lf_logf(log, "stage0: safe state: %s (%s)", lf_err_name(c->stage0_err),
                lf_err_str(c->stage0_err));
        return LFSIM_BOOT_HALT;
    }
    /* The root keys by hash, for the application's early checks of stage-1
     * uploads (stage 0 checks again anyway). */
    const struct lf_flash_area *prov = lf_flash_map_area(&dev->map, LF_AREA_PROVISION);
    if (prov && lf_provision_read(prov, &c->prov) == LF_OK) {
        lf_provision_keyring(&c->prov, c->root_keys, lf_image_sig_algs_all,
                             LF_IMAGE_SIG_ALGS_ALL_COUNT, &c->root_ring);
    }
    /* "Jump" into stage 1: its application keys are the ones it was
     * linked with (s1_keys.h). */
    c->keys_err = lfsim_s1_keys_load(&c->keys, c->s0.area);
    if (c->keys_err) {
        lf_logf(log, "stage1: no application key table in s%u: %s", c->s0.handoff.slot,
                lf_err_str(c->keys_err));
    }
    const struct lf_keyring none = {NULL, 0, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
    const struct lf_boot_strategy *strategy = chain_strategy(dev->board);
    const struct lf_stage1_platform p1 = {
        .map = &dev->map,
        .log = log,
        .app_keys = c->keys_err ? &none : &c->keys.ring,
        .root_algs = lf_image_sig_algs_all,
        .root_alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
        .strategy = strategy,
        .confirm = dev->board->stage1_confirm,
        .boot_flags = LF_BOOT_F_DOWNGRADE_VERSION,
    };
    int err = lf_stage1_boot(&c->s1ctx, &p1, &c->s0.handoff, &c->s1);
    if (err) {
        lf_logf(log, "stage1: %s", lf_err_str(err));
        return LFSIM_BOOT_RECOVERY;
    }
    switch (c->s1.next) {
    case LF_STAGE1_JUMP:
        lf_logf(log, "app: running %u.%u.%u+%u", c->s1.engine.primary.hdr.version.major,
                c->s1.engine.primary.hdr.version.minor, c->s1.engine.primary.hdr.version.revision,
                (unsigned)c->s1.engine.primary.hdr.version.build);
        return LFSIM_BOOT_APP;
    case LF_STAGE1_RESET:
        return LFSIM_BOOT_RESET;
    default:
        return LFSIM_BOOT_RECOVERY;
    }
}
