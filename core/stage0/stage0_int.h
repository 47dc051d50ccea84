#ifndef LF_STAGE0_INT_H
#define LF_STAGE0_INT_H

/* Internals shared by the stage-0 sources (not a public API). */

#include "lf/stage0.h"
#include "lf/trailer.h"

/* A slot's trial state: rows of docs/stage0.md section 1. */
enum lf_stage0_state {
    LF_STAGE0_FACTORY = 1,   /* T1: no trailer, counts as confirmed */
    LF_STAGE0_CONFIRMED = 2, /* T4 */
    LF_STAGE0_PENDING = 3,   /* T5 */
    LF_STAGE0_ABANDONED = 4, /* T6 */
};

/* Everything stage 0 learned about one slot. */
struct lf_stage0_slot {
    int status;    /* LF_OK: a candidate (possibly abandoned); else why not */
    uint8_t state; /* enum lf_stage0_state, when status is LF_OK */
    struct lf_image_info info;
    lf_fih_t fih; /* hardened: success only for a candidate, re-checked (LF_FIH) */
};

/* Trailer -> state (T1-T6); LF_E_STAGE0_BAD_TRAILER for T2/T3. erased_word:
 * a 32-bit word of the slot's erased value (swap_size never written). */
int lf_stage0_trailer_state(const struct lf_trailer *tr, uint32_t erased_word, uint8_t *state);

/* The candidate checks of docs/stage0.md section 2, in order. Fills s. */
void lf_stage0_eval_slot(const struct lf_stage0_platform *p, const struct lf_flash_area *fa,
                         const struct lf_provision *prov, uint32_t counter,
                         struct lf_stage0_slot *s);

/* Short name of a state, for logs. */
const char *lf_stage0_state_name(uint8_t state);

#endif
