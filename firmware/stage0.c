/*
 * Stage 0's main, for any port: lf_stage0_boot on the board's flash, the
 * handoff into retained RAM, the jump into the chosen S slot.
 */
#include <string.h>

#include "fw.h"
#include "lf/err.h"
#include "lf/fih.h"
#include "lf_cm.h"

static int protect(void *ctx, const struct lf_flash_area *fa)
{
    (void)ctx;
    return board_protect(fa);
}

int main(void)
{
    uint32_t t_main = board_clock();
    board_init();
    struct fw_retained *r = board_retained();
    if (r->magic != FW_RETAINED_MAGIC) {
        memset(r, 0, sizeof(*r)); /* power-on: RAM holds nothing yet */
        r->magic = FW_RETAINED_MAGIC;
    }
    memset(&r->handoff, 0, sizeof(r->handoff));
    r->t_s0_main = t_main;
    lf_logf(&fw_log, "stage0: up on %s", board_name());
    const struct lf_flash_map *map = board_flash_map();
    if (!map) {
        lf_logf(&fw_log, "stage0: safe state: the board's flash map does not bind");
        board_halt(4);
    }
    const struct lf_stage0_platform p = {
        .map = map,
        .log = &fw_log,
        .algs = fw_algs,
        .alg_count = 1,
        .protect = protect,
    };
    static struct lf_stage0_decision d;
    int LF_FIH_VOL err = lf_stage0_boot(&p, &d);
    if (err) {
        lf_logf(&fw_log, "stage0: safe state: %E", err);
        board_halt(4);
    }
#if LF_FIH
    /* The decision re-derived: the result read again, the hardened verdict
     * and the slot and entry checked against the map (docs/glitch.md). */
    LF_FIH_CHECK(err == LF_OK);
    lf_fih_t ok = lf_stage0_decision_check(map, &d);
    lf_fih_require(&ok);
#endif
    r->handoff = d.handoff;
    r->stack_s0 = lf_cm_stack_used();
    r->ram_s0 = lf_cm_static_ram();
    lf_logf(&fw_log, "stage0: jump s%u %u.%u.%u at 0x%08x%s", d.handoff.slot,
            d.handoff.version.major, d.handoff.version.minor, d.handoff.version.revision,
            (unsigned)d.handoff.entry, d.handoff.trial ? " (trial)" : "");
    r->t_s0_jump = board_clock();
#if LF_FIH
    /* Just before the jump: the verdict twice more, the target equal to
     * the validated slot's entry (kept apart, as its complement). */
    uint32_t LF_FIH_VOL entry = d.handoff.entry;
    lf_fih_require(&d.fih);
    LF_FIH_CHECK(entry == ~d.entry_inv);
    lf_fih_require(&ok);
    LF_FIH_CHECK(entry == ~d.entry_inv && entry == r->handoff.entry);
    board_jump(entry);
#else
    board_jump(d.handoff.entry);
#endif
}
