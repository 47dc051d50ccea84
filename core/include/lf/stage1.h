#ifndef LF_STAGE1_H
#define LF_STAGE1_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/boot.h"
#include "lf/flash_map.h"
#include "lf/image.h"
#include "lf/log.h"
#include "lf/stage0.h"

/*
 * Stage 1, the upgradable bootloader (docs/stage1.md): given stage 0's
 * handoff, it runs the upgrade engine for the application (with the
 * SDK-compatible stage-1 path as the engine's classify hook), confirms
 * itself when it was on trial and the board lets it, and tells the port
 * what to do next: jump to the application, reset into a stage-1 trial, or
 * serve SMP for recovery.
 */

/* What the port does after lf_stage1_boot. */
enum lf_stage1_next {
    LF_STAGE1_JUMP = 1,     /* a valid application: protect and jump to it */
    LF_STAGE1_RESET = 2,    /* a stage-1 update was installed in the other S slot:
                               reset so stage 0 trial-boots it */
    LF_STAGE1_RECOVERY = 3, /* no valid application: serve SMP serial recovery */
};

/* The SDK-compatible path's outcome at this boot (docs/stage1.md section 3). */
enum lf_stage1_install {
    LF_STAGE1_INSTALL_NONE = 0,    /* no stage-1 image in the application's secondary */
    LF_STAGE1_INSTALL_COPIED = 1,  /* copied into the other S slot and marked pending */
    LF_STAGE1_INSTALL_PRESENT = 2, /* already installed (a cut came before the clear) */
    LF_STAGE1_INSTALL_REFUSED = 3, /* refused (install_reason) and cleared */
    LF_STAGE1_INSTALL_FAILED = 4,  /* a flash error stopped the copy; the request stays */
};

struct lf_stage1_platform {
    const struct lf_flash_map *map;    /* S0, S1, PROVISION, STATE and the application slots */
    const struct lf_log *log;          /* may be NULL */
    const struct lf_keyring *app_keys; /* the application keys linked into stage 1 */
    /* Algorithms for stage-1 images (root keys come from the provision area). */
    const struct lf_image_sig_alg *const *root_algs;
    uint8_t root_alg_count;
    const struct lf_boot_strategy *strategy; /* the board's engine */
    uint8_t confirm;                         /* LF_STAGE1_CONFIRM_* (the board's setting) */
    uint8_t boot_flags;                      /* LF_BOOT_F_* downgrade rules */
};

/* Caller-owned RAM: the engine's context and a copy buffer. */
struct lf_stage1_ctx {
    struct lf_boot_ctx boot;
    struct lf_boot_cfg cfg;
    const struct lf_stage1_platform *p;
    const struct lf_stage0_handoff *h;
    uint8_t install;    /* enum lf_stage1_install */
    int install_reason; /* why refused / failed, 0 otherwise */
    uint8_t install_slot;
    struct lf_image_version install_ver;
};

struct lf_stage1_result {
    uint8_t next;          /* enum lf_stage1_next */
    bool confirmed_self;   /* this boot wrote image_ok of the running stage 1 */
    bool awaiting_confirm; /* on trial and the board waits for an SMP confirm */
    uint8_t install;       /* enum lf_stage1_install */
    int install_reason;    /* lf_err for REFUSED / FAILED */
    uint8_t install_slot;  /* S slot written (COPIED / PRESENT) */
    struct lf_image_version install_ver;
    int engine_err; /* lf_boot_go's return */
    struct lf_boot_result engine;
    /* Hardened build (LF_FIH, docs/glitch.md): LF_FIH_SUCCESS only when next
     * is LF_STAGE1_JUMP to a primary with its hardened verdict (written
     * last; failure otherwise), and the complement of the application's
     * entry (primary area address + its validated hdr_size). Untouched
     * when LF_FIH is 0. */
    lf_fih_t fih;
    uint32_t entry_inv;
};

/*
 * One boot of stage 1. h is stage 0's handoff (must be valid: else
 * LF_E_STAGE0_HANDOFF and nothing is done). Fills *out and returns LF_OK
 * except for that argument error; out->next says what the port does.
 */
int lf_stage1_boot(struct lf_stage1_ctx *ctx, const struct lf_stage1_platform *p,
                   const struct lf_stage0_handoff *h, struct lf_stage1_result *out);

/*
 * The classify hook of the SDK-compatible path (engine row V3), exposed for
 * tests: hook_ctx is the struct lf_stage1_ctx. A secondary image linked for
 * S0 or S1 is a stage-1 update: it is validated with the provisioned root
 * keys and the stored counter, copied into the inactive S slot, verified and
 * marked pending (CONSUMED), or refused with a precise reason (FOREIGN).
 */
int lf_stage1_classify(void *hook_ctx, uint8_t image_num, const struct lf_flash_area *secondary,
                       const struct lf_image_header *hdr, int *reason);

#endif
