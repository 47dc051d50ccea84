/*
 * Stage 1 without serial recovery (LF_FW_STAGE1_RECOVERY=OFF): the SMP
 * server is not linked, so the boot path fits a small S slot (the nRF52840
 * DK's 32 KiB; docs/nrf52840.md). Where stage 1 would serve SMP (no valid
 * application, an error, or a recovery request) it stops in the safe state
 * instead; a reset boots again (a recovery request is not kept), and a
 * debugger can reprogram the application.
 */
#include "fw.h"

void fw_smp_serve(const struct lf_flash_map *map, const struct lf_stage0_handoff *handoff,
                  const char *who)
{
    (void)map;
    (void)handoff;
    lf_logf(&fw_log, "%s: no serial recovery in this build: safe state", who);
    board_halt(5);
}
