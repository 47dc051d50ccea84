/*
 * Security counter slots (docs/provision.md section 3): each slot is
 * {value, ~value}, written once; the counter is the largest valid value, and
 * only an increase appends a slot.
 */
#include "lf/provision.h"

#include "lf/err.h"

#define LF_PROVISION_ERASED 0xFFFFFFFFu

static uint32_t lf_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

int lf_provision_counter_read(const struct lf_flash_area *fa, const struct lf_provision *p,
                              struct lf_provision_counter *c)
{
    if (!fa || !p || !c || p->counter_slots == 0 ||
        LF_PROVISION_SIZE(p->counter_slots) > fa->size) {
        return LF_E_INVAL;
    }
    bool found = false;
    uint32_t max = 0;
    uint16_t used = 0;
    for (uint16_t j = 0; j < p->counter_slots; j++) {
        uint8_t raw[LF_PROVISION_SLOT_SIZE];
        int err = lf_flash_area_read(fa, LF_PROVISION_SLOTS_OFF + LF_PROVISION_SLOT_SIZE * j, raw,
                                     sizeof(raw));
        if (err) {
            return err;
        }
        uint32_t value = lf_le32(&raw[0]);
        uint32_t inv = lf_le32(&raw[4]);
        if (value == LF_PROVISION_ERASED && inv == LF_PROVISION_ERASED) {
            continue; /* C1: free */
        }
        used = (uint16_t)(j + 1u);
        if (inv != (uint32_t)~value) {
            continue; /* C3: torn, skipped for ever */
        }
        if (!found || value > max) { /* C2 */
            max = value;
        }
        found = true;
    }
    if (!found) {
        return LF_E_PROVISION_NO_COUNTER;
    }
    c->value = max;
    c->used = used;
    c->left = (uint16_t)(p->counter_slots - used);
    return LF_OK;
}

int lf_provision_counter_advance(const struct lf_flash_area *fa, const struct lf_provision *p,
                                 uint32_t value, struct lf_provision_counter *c)
{
    struct lf_provision_counter cur;
    int err = lf_provision_counter_read(fa, p, &cur);
    if (err) {
        return err;
    }
    if (c) {
        *c = cur;
    }
    if (value <= cur.value) {
        return LF_OK; /* A1: only increases use a slot */
    }
    if (cur.left == 0) {
        return LF_E_PROVISION_COUNTER_FULL; /* A2 */
    }
    uint8_t raw[LF_PROVISION_SLOT_SIZE]; /* A3: append after the last used slot */
    uint32_t inv = ~value;
    for (unsigned i = 0; i < 4; i++) {
        raw[i] = (uint8_t)(value >> (8u * i));
        raw[4 + i] = (uint8_t)(inv >> (8u * i));
    }
    err = lf_flash_area_write(fa, LF_PROVISION_SLOTS_OFF + LF_PROVISION_SLOT_SIZE * cur.used, raw,
                              sizeof(raw));
    if (err) {
        return err;
    }
    /* Read back: the program reported success, the slots must now say so. */
    err = lf_provision_counter_read(fa, p, &cur);
    if (err) {
        return err;
    }
    if (c) {
        *c = cur;
    }
    return cur.value == value ? LF_OK : LF_E_IO;
}
