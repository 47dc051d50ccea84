/*
 * The virtual device's boot chain: the real stage 0 and stage 1 code run on
 * the device's flash files, as on the board (docs/design.md section 5). One call is
 * one boot from reset; the caller runs it in a fresh process.
 */
#ifndef LFSIM_CHAIN_H
#define LFSIM_CHAIN_H

#include "lf/log.h"
#include "lf/provision.h"
#include "lf/stage0.h"
#include "lf/stage1.h"
#include "s1_keys.h"
#include "sim_device.h"

enum lfsim_boot_end {
    LFSIM_BOOT_APP = 1,      /* stage 1 jumped to a valid application */
    LFSIM_BOOT_RECOVERY = 2, /* no valid application: stage 1 serves SMP recovery */
    LFSIM_BOOT_RESET = 3,    /* stage 1 installed a stage-1 update: reset now */
    LFSIM_BOOT_HALT = 4,     /* stage 0 found nothing to boot: safe state (halt) */
};

struct lfsim_chain {
    int stage0_err; /* lf_stage0_boot's verdict */
    struct lf_stage0_decision s0;
    int keys_err;              /* reading the running stage 1's key table */
    struct lfsim_s1_keys keys; /* application keys of the running stage 1 */
    struct lf_provision prov;  /* the provision area as read after stage 0 */
    struct lf_pubkey root_keys[LF_PROVISION_MAX_KEYS];
    struct lf_keyring root_ring; /* root keys by hash (count 0 if unreadable) */
    struct lf_stage1_ctx s1ctx;
    struct lf_stage1_result s1;
};

/* Boot dev once: stage 0, then stage 1. Returns an enum lfsim_boot_end;
 * decisions are logged on log (may be NULL). */
int lfsim_chain_boot(struct lf_sim_device *dev, const struct lf_log *log, struct lfsim_chain *c);

#endif
