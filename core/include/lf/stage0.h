#ifndef LF_STAGE0_H
#define LF_STAGE0_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/fih.h"
#include "lf/flash_map.h"
#include "lf/image.h"
#include "lf/log.h"
#include "lf/provision.h"

/*
 * Stage 0: the immutable first stage (docs/stage0.md). It picks the stage 1
 * to run from S0/S1, trials new ones MCUboot direct-XIP style, advances the
 * security counter and revokes old root keys for confirmed images, locks
 * itself and the provision area, and hands a decision to the port, which
 * jumps (or halts in the safe state).
 */

#define LF_STAGE0_SLOTS         2u          /* S0 and S1 */
#define LF_STAGE0_HANDOFF_MAGIC 0x3048534Cu /* "LSH0" */

/* The platform stage 0 runs on. */
struct lf_stage0_platform {
    /* The board's areas; needs STAGE0, PROVISION, S0 and S1. */
    const struct lf_flash_map *map;
    /* Decision log (may be NULL). */
    const struct lf_log *log;
    /* The signature algorithms this stage 0 links (e.g. only P-256). */
    const struct lf_image_sig_alg *const *algs;
    uint8_t alg_count;
    /* Write-protect `fa` until the next reset (nRF52840 ACL). Called for the
     * stage-0 area and the provision area after every write of this boot and
     * before returning LF_OK. Returns LF_OK or a negative error. */
    int (*protect)(void *ctx, const struct lf_flash_area *fa);
    void *ctx;
    /* Name of an error code for the log (lf_err_name on hosts). May be NULL:
     * a device that does not link the error table logs numbers only. */
    const char *(*err_name)(int err);
};

/*
 * What stage 0 tells stage 1 (through the port: retained RAM on a device, the
 * next stage's argument on the virtual device). Plain data.
 */
struct lf_stage0_handoff {
    uint32_t magic;         /* LF_STAGE0_HANDOFF_MAGIC once filled */
    uint8_t slot;           /* 0 = S0, 1 = S1: the active slot (SMP active_b0_slot) */
    uint8_t key_index;      /* provisioned root key that signed the image */
    bool trial;             /* this boot is the image's one trial: confirm or be abandoned */
    bool last_resort;       /* an abandoned image, booted because nothing else is bootable */
    bool counter_exhausted; /* no counter slot left: no further increase possible */
    bool counter_behind;    /* the image's counter is above the stored one and could
                               not be stored (slots exhausted or write failed) */
    uint16_t counter_slots_used;
    uint16_t counter_slots_left;
    struct lf_image_version version; /* of the booted image */
    uint32_t image_sec_cnt;          /* its SEC_CNT (0 when absent) */
    uint32_t counter;                /* stored security counter after this boot */
    uint32_t entry;                  /* CPU address of the vector table: slot + ih_hdr_size */
};

struct lf_stage0_decision {
    struct lf_stage0_handoff handoff; /* meaningful only when lf_stage0_boot returned LF_OK */
    const struct lf_flash_area *area; /* the slot to jump into; NULL in the safe state */
    /* Per slot (0 = S0, 1 = S1): LF_OK for a candidate, LF_E_STAGE0_ABANDONED
     * for an abandoned one, otherwise the reason it was rejected. */
    int slot_status[LF_STAGE0_SLOTS];
    /* Hardened build (LF_FIH, docs/glitch.md): the decision's verdict,
     * LF_FIH_SUCCESS written last and only on LF_OK (failure otherwise), and
     * the complement of the chosen slot's entry, derived from its validated
     * header apart from handoff.entry. Untouched when LF_FIH is 0. */
    lf_fih_t fih;
    uint32_t entry_inv;
};

/*
 * Decide what to boot, do this boot's writes (trial mark, counter advance,
 * revocation), protect stage 0 and the provision area, and fill *out.
 * Returns LF_OK: jump to out->handoff.entry in out->area. Any other value is
 * the safe state and its reason (docs/stage0.md section 5): never jump.
 */
int lf_stage0_boot(const struct lf_stage0_platform *p, struct lf_stage0_decision *out);

/*
 * The port's re-derivation just before the jump (hardened build): d's verdict
 * read twice, its slot area the map's S slot of handoff.slot, the slot a
 * candidate (or the last resort), the entry its complement's complement and
 * inside the slot's header. LF_FIH_SUCCESS, or lf_fih_panic on any
 * inconsistency (failure if d is not a success). With LF_FIH 0: success
 * without checks (the unhardened port does not call it).
 */
lf_fih_t lf_stage0_decision_check(const struct lf_flash_map *map,
                                  const struct lf_stage0_decision *d);

/* True when h was filled by a successful lf_stage0_boot. */
bool lf_stage0_handoff_valid(const struct lf_stage0_handoff *h);

/* The S area of slot index 0/1, or NULL. */
const struct lf_flash_area *lf_stage0_slot_area(const struct lf_flash_map *map, uint8_t slot);

/*
 * Stage 1 confirms itself: image_ok in the trailer of the slot it runs from
 * (h->slot). Idempotent. LF_E_STAGE0_HANDOFF when h is not a valid handoff;
 * otherwise lf_trailer_set_confirmed's result.
 */
int lf_stage0_confirm(const struct lf_flash_map *map, const struct lf_stage0_handoff *h);

/*
 * Has the stage 1 that handoff h booted been confirmed since that boot
 * (image_ok of its slot exactly set, by itself or an SMP confirm)? LF_OK if
 * so, LF_E_STAGE0_ACTIVE_ON_TRIAL if not, LF_E_STAGE0_NO_SLOT or a flash
 * error. h must be valid. The one reading of "still on trial" that stage 0's
 * upload rule, stage 1 and the SMP server share.
 */
int lf_stage0_running_confirmed(const struct lf_flash_map *map, const struct lf_stage0_handoff *h);

/*
 * May an image with header `hdr` be uploaded to stage 1's inactive slot?
 * Checks, in order: h valid (LF_E_STAGE0_HANDOFF), the active stage 1 is not
 * on trial (LF_E_STAGE0_ACTIVE_ON_TRIAL: h->trial or h->last_resort, and the
 * active slot's trailer does not yet hold a set image_ok; reads the flash, so
 * a confirm since this boot counts at once), ROM_FIXED (LF_E_IMG_NOT_ROM_FIXED)
 * with the inactive slot's address (LF_E_STAGE0_WRONG_SLOT), version
 * (including the build number) newer than the active image's
 * (LF_E_STAGE0_NOT_NEWER). *target (may be NULL) receives the slot to write.
 */
int lf_stage0_check_upload(const struct lf_flash_map *map, const struct lf_stage0_handoff *h,
                           const struct lf_image_header *hdr, const struct lf_flash_area **target);

/*
 * Start writing a stage-1 image into `slot` (the target from
 * lf_stage0_check_upload): erase the slot from its first sector upwards (so a
 * cut leaves no complete older image behind a cleared trailer), then write
 * the trailer's swap_size unit, which marks "upload in progress" (row T2 of
 * docs/stage0.md): until `image test` writes the magic (lf_trailer_set_pending)
 * the slot is never booted, even once the image is complete.
 */
int lf_stage0_upload_begin(const struct lf_flash_area *slot);

/*
 * Is a stage-1 image with security counter sec_cnt acceptable (>= the stored
 * counter, else LF_E_STAGE0_ROLLBACK) and affordable (if higher, a counter
 * slot is left, else LF_E_PROVISION_COUNTER_FULL)? Reads the provision area
 * fresh; *c (may be NULL) receives the counter.
 */
int lf_stage0_check_counter(const struct lf_flash_area *provision, uint32_t sec_cnt,
                            struct lf_provision_counter *c);

/*
 * The same for an upload while the stage 1 of handoff h runs (h may be NULL
 * or invalid: then exactly lf_stage0_check_counter). A confirmed running
 * stage 1 whose counter is above the stored one has its counter stored at
 * the next boot, before the new image's trial: that counter is the floor the
 * new image must reach, and its slot is one fewer left. So two increases in a
 * row are refused up front when only one slot is left.
 */
int lf_stage0_check_counter_after(const struct lf_flash_area *provision,
                                  const struct lf_stage0_handoff *h, uint32_t sec_cnt,
                                  struct lf_provision_counter *c);

/* -1, 0, +1: major, minor, revision, then build number. */
int lf_stage0_version_cmp(const struct lf_image_version *a, const struct lf_image_version *b);

#endif
