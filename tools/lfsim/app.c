/* The virtual device's application: the SMP server (app.h). */
#include "app.h"

#include <string.h>

#include "lf/boot_record.h"
#include "lf/err.h"
#include "lf/version.h"

static const struct lf_smp_group *const app_groups[] = {&lf_smp_group_os, &lf_smp_group_img};

/* MCUboot's mode numbers for bootloader info (docs/reference/smp.md 2.1). */
static int8_t app_boot_mode(uint8_t strategy)
{
    switch (strategy) {
    case LF_BOOT_STRATEGY_SWAP_SCRATCH:
        return 1;
    case LF_BOOT_STRATEGY_OVERWRITE:
        return 2;
    default:
        return 3; /* swap-move */
    }
}

/* "Why did it roll back?": the engine's newest boot record. */
static int app_boot_record(void *ctx, struct lf_boot_record *rec)
{
    struct lfsim_app *a = ctx;
    const struct lf_flash_area *fa = lf_sim_device_area(a->dev, LF_AREA_STATE);
    return fa ? lf_boot_record_read(fa, 0, rec) : LF_E_NOT_FOUND;
}

int lfsim_app_init(struct lfsim_app *a, struct lf_sim_device *dev, const struct lfsim_chain *c,
                   const struct lf_log *log, uint32_t buf_size, bool legacy)
{
    memset(a, 0, sizeof(*a));
    a->dev = dev;
    a->info = (struct lf_smp_os_info){
        .nodename = "lfsim",
        .release = LF_VERSION_STRING,
        .machine = "host",
        .processor = "sim",
        .platform = dev->board->name,
        .os = "Leapfrog",
    };
    a->cfg.groups = app_groups;
    a->cfg.group_count = 2;
    a->cfg.rsp_buf = a->rsp_buf;
    a->cfg.rsp_cap = buf_size > LF_SMP_RSP_MIN ? buf_size : LF_SMP_RSP_MIN;
    a->cfg.buf_size = (uint16_t)buf_size;
    a->cfg.buf_count = 4; /* the kernel queues datagrams and tty bytes: pipelining is safe */
    a->cfg.boot_mode = app_boot_mode(dev->board->app_strategy);
    /* Stage 1's engine refuses older versions; without a running stage 1
     * (lfsim run --no-boot: no key table) nothing does. */
    a->cfg.no_downgrade = c->keys_err == LF_OK;
    a->cfg.legacy_rc = legacy;
    a->cfg.verbose_err = true;
    a->plat.map = &dev->map;
    a->plat.log = log;
    a->plat.handoff = &c->s0.handoff;
    a->plat.keys[0] = c->keys_err ? NULL : &c->keys.ring;
    a->plat.keys[1] = c->root_ring.count ? &c->root_ring : NULL;
    a->plat.os_info = &a->info;
    a->plat.ctx = a;
    a->plat.boot_record = app_boot_record;
    return lf_smp_server_init(&a->srv, &a->cfg, &a->plat);
}
