#ifndef LF_PROVISION_H
#define LF_PROVISION_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"
#include "lf/image.h"
#include "lf/sha256.h"

/*
 * The provision area (docs/provision.md): root-key hashes, revocation marks
 * and write-once security-counter slots on a one-time-programmable device.
 * Nothing is ever rewritten: every change programs words that were erased.
 *
 * All functions take the provision flash area; every value read from it is
 * treated as outside input and checked.
 */

#define LF_PROVISION_MAGIC      0x4150464Cu /* bytes "LFPA" */
#define LF_PROVISION_VERSION    1u
#define LF_PROVISION_MAX_KEYS   4u
#define LF_PROVISION_WORD       4u /* program unit the layout is built from */
#define LF_PROVISION_LAYOUT_OFF 0x004u
#define LF_PROVISION_TYPES_OFF  0x008u
#define LF_PROVISION_CHECK_OFF  0x00Cu
#define LF_PROVISION_KEYS_OFF   0x010u
#define LF_PROVISION_REVOKE_OFF (LF_PROVISION_KEYS_OFF + LF_PROVISION_MAX_KEYS * LF_SHA256_SIZE)
#define LF_PROVISION_SLOTS_OFF  (LF_PROVISION_REVOKE_OFF + LF_PROVISION_MAX_KEYS * LF_PROVISION_WORD)
#define LF_PROVISION_SLOT_SIZE  8u /* value, ~value */
/* Bytes used by a layout with `slots` counter slots. */
#define LF_PROVISION_SIZE(slots) \
    (LF_PROVISION_SLOTS_OFF + LF_PROVISION_SLOT_SIZE * (uint32_t)(slots))
/* The value stage 0 programs into a revocation word (any non-erased value revokes). */
#define LF_PROVISION_REVOKED 0x00000000u

/* What provisioning writes. */
struct lf_provision_settings {
    uint8_t key_count;                         /* 1..LF_PROVISION_MAX_KEYS */
    uint8_t key_type[LF_PROVISION_MAX_KEYS];   /* enum lf_key_type, for i < key_count */
    const uint8_t (*key_hash)[LF_SHA256_SIZE]; /* key_count hashes: SHA-256 of each DER SPKI */
    uint16_t counter_slots;                    /* >= 1; the board's counter_slots */
    uint32_t initial_counter;                  /* written into slot 0 */
};

/* The parsed, checked header, key table and revocation marks. */
struct lf_provision {
    uint8_t key_count;
    uint16_t counter_slots;
    uint8_t key_type[LF_PROVISION_MAX_KEYS];
    uint8_t key_hash[LF_PROVISION_MAX_KEYS][LF_SHA256_SIZE];
    uint8_t revoked; /* bit i set: key i revoked */
};

/* The security counter as read from the slots. */
struct lf_provision_counter {
    uint32_t value; /* the largest value of a valid slot */
    uint16_t used;  /* slots consumed (valid or torn): 1 + index of the last one */
    uint16_t left;  /* counter_slots - used: increases still possible */
};

/*
 * LF_OK when a layout with key_count keys and `slots` counter slots is well
 * formed and fits an area of area_size bytes; LF_E_PROVISION_KEYS (key_count
 * 0 or above the maximum) or LF_E_PROVISION_NO_FIT (slots 0, or too many).
 */
int lf_provision_layout_check(uint32_t area_size, uint32_t key_count, uint32_t slots);

/*
 * The 32-bit word at byte offset `off` (a multiple of 4) of the area that
 * provisioning with `s` produces; erased words read 0xFFFFFFFF. Pure: host
 * tools build an image of the area with it (lf_provision_layout), devices
 * program it (lf_provision_write). `s` must have passed lf_provision_check_settings.
 */
uint32_t lf_provision_word(const struct lf_provision_settings *s, uint32_t off);

/* Settings sane (key count, types, hashes non-NULL, layout fits area_size)?
 * LF_OK, LF_E_INVAL, LF_E_PROVISION_KEYS or LF_E_PROVISION_NO_FIT. */
int lf_provision_check_settings(const struct lf_provision_settings *s, uint32_t area_size);

/*
 * Lay the area out into buf (len bytes: the whole area, a multiple of 4):
 * the bytes a factory programmer writes. Little-endian words; 0xFF where
 * nothing is programmed.
 */
int lf_provision_layout(const struct lf_provision_settings *s, uint8_t *buf, uint32_t len);

/*
 * Provision a blank area: programs every non-erased word, the magic last, so
 * a cut leaves either a blank-looking or a bad-magic area, never a partial
 * trusted one. LF_E_PROVISION_NOT_BLANK if any byte is already programmed.
 */
int lf_provision_write(const struct lf_flash_area *fa, const struct lf_provision_settings *s);

/*
 * Read and check the header (rows P1-P7 of docs/provision.md), the key
 * hashes and the revocation marks into *p. Returns LF_OK or the row's error.
 */
int lf_provision_read(const struct lf_flash_area *fa, struct lf_provision *p);

/* Read the counter slots (rows C1-C3). LF_E_PROVISION_NO_COUNTER when no
 * slot is valid. p: from lf_provision_read on the same area. */
int lf_provision_counter_read(const struct lf_flash_area *fa, const struct lf_provision *p,
                              struct lf_provision_counter *c);

/*
 * Make the stored counter at least `value` (rows A1-A3): nothing is written
 * when value <= the counter; otherwise one slot is appended, or
 * LF_E_PROVISION_COUNTER_FULL when none is left. *c (may be NULL) receives
 * the counter as read after the operation.
 */
int lf_provision_counter_advance(const struct lf_flash_area *fa, const struct lf_provision *p,
                                 uint32_t value, struct lf_provision_counter *c);

/* Revoke key `index` (< p->key_count) for ever, updating p->revoked. Already
 * revoked: nothing written, LF_OK. */
/*
 * The provisioned root keys as key entries known by hash only (a stage-1
 * image carries its full key in a PUBKEY TLV, matched by its SHA-256): fills
 * keys[0..p->key_count) and *ring over them with the given algorithms. The
 * ring points into keys and p, which must outlive it.
 */
void lf_provision_keyring(const struct lf_provision *p,
                          struct lf_pubkey keys[LF_PROVISION_MAX_KEYS],
                          const struct lf_image_sig_alg *const *algs, uint8_t alg_count,
                          struct lf_keyring *ring);

int lf_provision_revoke(const struct lf_flash_area *fa, struct lf_provision *p, uint8_t index);

#endif
