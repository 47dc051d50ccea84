/*
 * Stage 1's main, for any port (linked once for S0 and once for S1): the
 * upgrade engine through lf_stage1_boot, then the jump to the application,
 * a reset into a new stage 1's trial, or serial recovery (SMP on the UART)
 * when there is no valid application or the application asked for it.
 */
#include "fw.h"
#include "lf/boot.h"
#include "lf/err.h"
#include "lf/fih.h"
#include "lf/stage1.h"
#include "lf_cm.h"

/* Only the board's engine is linked (not every strategy the core has). */
static const struct lf_boot_strategy *strategy_of(uint8_t id)
{
    return id == LF_BOOT_STRATEGY_SWAP_MOVE ? &lf_boot_strategy_swap_move : NULL;
}

int main(void)
{
    uint32_t t_main = board_clock();
    board_init();
    struct fw_retained *r = board_retained();
    r->t_s1_main = t_main;
    const struct lf_flash_map *map = board_flash_map();
    const struct lf_stage0_handoff *h = &r->handoff;
    if (r->magic != FW_RETAINED_MAGIC || !lf_stage0_handoff_valid(h) || !map) {
        lf_logf(&fw_log, "stage1: no valid handoff from stage 0");
        board_reset();
    }
    lf_logf(&fw_log, "stage1: up s%u %u.%u.%u%s", h->slot, h->version.major, h->version.minor,
            h->version.revision, h->trial ? " (trial)" : "");
    if (r->recovery == FW_RECOVERY_REQUESTED) {
        r->recovery = 0;
        lf_logf(&fw_log, "stage1: serial recovery requested");
        fw_smp_serve(map, h, "stage1");
    }
    const struct lf_stage1_platform p = {
        .map = map,
        .log = &fw_log,
        .app_keys = fw_app_keys(),
        .root_algs = fw_algs,
        .root_alg_count = 1,
        .strategy = strategy_of(map->board->app_strategy),
        .confirm = map->board->stage1_confirm,
        .boot_flags = LF_BOOT_F_DOWNGRADE_VERSION,
    };
    static struct lf_stage1_ctx ctx;
    static struct lf_stage1_result res;
    int err = lf_stage1_boot(&ctx, &p, h, &res);
    if (err) {
        lf_logf(&fw_log, "stage1: %E: serial recovery", err);
        fw_smp_serve(map, h, "stage1");
    }
    if (res.next == LF_STAGE1_RESET) {
        lf_logf(&fw_log, "stage1: stage 1 installed in s%u: reset", res.install_slot);
        board_reset();
    }
    const struct lf_flash_area *app = lf_flash_map_area(map, LF_AREA_APP_PRIMARY);
    uint32_t base = app ? lf_flash_area_addr(app) : LF_FLASH_NOT_MAPPED;
    if (res.next != LF_STAGE1_JUMP || base == LF_FLASH_NOT_MAPPED) {
        lf_logf(&fw_log, "stage1: no valid application: serial recovery");
        fw_smp_serve(map, h, "stage1");
    }
    const struct lf_image_header *hdr = &res.engine.primary.hdr;
    r->stack_s1 = lf_cm_stack_used();
    r->ram_s1 = lf_cm_static_ram();
    lf_logf(&fw_log, "stage1: jump app %u.%u.%u at 0x%08x", hdr->version.major, hdr->version.minor,
            hdr->version.revision, (unsigned)(base + hdr->hdr_size));
    r->t_s1_jump = board_clock();
#if LF_FIH
    /* Just before the jump: the decision again (next, the hardened verdicts
     * of the result and of the primary, read twice) and the target equal to
     * the validated primary's entry (kept apart, as its complement). */
    uint32_t LF_FIH_VOL entry = base + hdr->hdr_size;
    const volatile struct lf_stage1_result *vr = &res;
    LF_FIH_CHECK(LF_FIH_EQ(vr->next, LF_STAGE1_JUMP));
    lf_fih_require(&res.fih);
    lf_fih_require(&res.engine.primary.fih);
    LF_FIH_CHECK(entry == ~vr->entry_inv);
    lf_fih_require(&res.fih);
    LF_FIH_CHECK(entry == ~vr->entry_inv && LF_FIH_EQ(vr->next, LF_STAGE1_JUMP));
    board_jump(entry);
#else
    board_jump(base + hdr->hdr_size);
#endif
}
