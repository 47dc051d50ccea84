/*
 * The swap-type decision table of docs/reference/mcuboot.md 2.5 as data (docs/trailer.md
 * section 2, rows T1..T4). Evaluated top to bottom for a new operation only;
 * a resumed operation takes its type from the status's swap_info.
 */
#include "lf/trailer.h"

#include <stddef.h>

/* clang-format off */
const struct lf_swap_row lf_swap_table[] = {
    /*         pri magic      sec magic      pri image_ok   sec image_ok   pri copy_done  result */
    /* T1 */ {LF_MAGIC_ANY,  LF_MAGIC_GOOD, LF_FLAG_ANY,   LF_FLAG_UNSET, LF_FLAG_ANY,   LF_SWAP_TEST},
    /* T2 */ {LF_MAGIC_ANY,  LF_MAGIC_GOOD, LF_FLAG_ANY,   LF_FLAG_SET,   LF_FLAG_ANY,   LF_SWAP_PERM},
    /* T3 */ {LF_MAGIC_GOOD, LF_MAGIC_ANY,  LF_FLAG_UNSET, LF_FLAG_ANY,   LF_FLAG_SET,   LF_SWAP_REVERT},
};
/* clang-format on */

const uint8_t lf_swap_table_len = (uint8_t)(sizeof(lf_swap_table) / sizeof(lf_swap_table[0]));

static bool lf_match(uint8_t want, uint8_t any, uint8_t have)
{
    return want == any || want == have;
}

uint8_t lf_swap_type_decide(const struct lf_trailer *pri, const struct lf_trailer *sec,
                            uint8_t *row)
{
    for (uint8_t i = 0; i < lf_swap_table_len; i++) {
        const struct lf_swap_row *r = &lf_swap_table[i];
        if (lf_match(r->pri_magic, LF_MAGIC_ANY, pri->magic) &&
            lf_match(r->sec_magic, LF_MAGIC_ANY, sec->magic) &&
            lf_match(r->pri_image_ok, LF_FLAG_ANY, pri->image_ok) &&
            lf_match(r->sec_image_ok, LF_FLAG_ANY, sec->image_ok) &&
            lf_match(r->pri_copy_done, LF_FLAG_ANY, pri->copy_done)) {
            if (row) {
                *row = (uint8_t)(i + 1u);
            }
            return r->result;
        }
    }
    if (row) {
        *row = (uint8_t)(lf_swap_table_len + 1u); /* T4 */
    }
    return LF_SWAP_NONE;
}
