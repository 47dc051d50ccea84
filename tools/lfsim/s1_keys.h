/*
 * The application keys a stage 1 is linked with, as the virtual device keeps
 * them: on a real board they are compiled into stage 1; the virtual device
 * runs one host build of stage 1 for every image, so each stage-1 image
 * carries its key table at the start of its payload (docs/lfsim.md section 3).
 * Rotating application keys therefore still means shipping a new stage 1.
 *
 * Table, at image offset ih_hdr_size, little-endian:
 *   "LFK1" | u8 count (1..LFSIM_S1_KEYS_MAX) | 3 reserved bytes |
 *   count x { u8 key type (enum lf_key_type) | u8 0 | u16 der_len | SPKI DER,
 *             padded with zeros to a multiple of 4 }
 */
#ifndef LFSIM_S1_KEYS_H
#define LFSIM_S1_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "lf/flash.h"
#include "lf/image.h"

#define LFSIM_S1_KEYS_MAX    4u
#define LFSIM_S1_KEY_DER_MAX 128u
#define LFSIM_S1_TABLE_MAX   (8u + LFSIM_S1_KEYS_MAX * (4u + LFSIM_S1_KEY_DER_MAX))

struct lfsim_s1_keys {
    uint8_t table[LFSIM_S1_TABLE_MAX]; /* the raw table; keys point into it */
    struct lf_pubkey keys[LFSIM_S1_KEYS_MAX];
    struct lf_keyring ring;
};

/* Parse a table from buf[0..len) (outside bytes: every length checked).
 * Returns LF_OK with k->ring ready (all algorithms), or LF_E_CORRUPT. */
int lfsim_s1_keys_parse(struct lfsim_s1_keys *k, const uint8_t *buf, size_t len);

/* Read the table of the stage 1 at the start of `fa` (header at 0). */
int lfsim_s1_keys_load(struct lfsim_s1_keys *k, const struct lf_flash_area *fa);

/* Encode a table of n keys into out[0..cap); returns its length, or 0 if it
 * does not fit or a key is malformed. */
size_t lfsim_s1_keys_encode(const struct lf_pubkey *keys, unsigned n, uint8_t *out, size_t cap);

#endif
