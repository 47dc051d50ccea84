/*
 * Provision area: layout, provisioning, header/key/revocation reading and
 * revocation (docs/provision.md sections 1-2). The counter slots are in
 * provision_counter.c.
 */
#include "lf/provision.h"

#include <string.h>

#include "lf/err.h"
#include "lf/image.h"

#define LF_PROVISION_ERASED   0xFFFFFFFFu
#define LF_PROVISION_HDR_SIZE 16u

static uint32_t lf_le32(const uint8_t *b)
{
    return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}

static void lf_put_le32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
    b[2] = (uint8_t)(v >> 16);
    b[3] = (uint8_t)(v >> 24);
}

static bool lf_key_type_known(uint8_t type)
{
    return type == LF_KEY_ECDSA_P256 || type == LF_KEY_ED25519;
}

int lf_provision_layout_check(uint32_t area_size, uint32_t key_count, uint32_t slots)
{
    if (key_count == 0 || key_count > LF_PROVISION_MAX_KEYS) {
        return LF_E_PROVISION_KEYS;
    }
    /* Divide rather than multiply: no overflow whatever `slots` is. */
    if (slots == 0 || slots > 0xFFFFu || area_size < LF_PROVISION_SLOTS_OFF ||
        (area_size - LF_PROVISION_SLOTS_OFF) / LF_PROVISION_SLOT_SIZE < slots) {
        return LF_E_PROVISION_NO_FIT;
    }
    return LF_OK;
}

int lf_provision_check_settings(const struct lf_provision_settings *s, uint32_t area_size)
{
    if (!s) {
        return LF_E_INVAL;
    }
    int err = lf_provision_layout_check(area_size, s->key_count, s->counter_slots);
    if (err) {
        return err;
    }
    if (!s->key_hash) {
        return LF_E_INVAL;
    }
    for (uint8_t i = 0; i < s->key_count; i++) {
        if (!lf_key_type_known(s->key_type[i])) {
            return LF_E_PROVISION_KEYS;
        }
    }
    return LF_OK;
}

static uint32_t lf_provision_layout_word(const struct lf_provision_settings *s)
{
    return LF_PROVISION_VERSION | ((uint32_t)s->key_count << 8) |
           ((uint32_t)s->counter_slots << 16);
}

static uint32_t lf_provision_types_word(const struct lf_provision_settings *s)
{
    uint32_t w = 0;
    for (uint8_t i = 0; i < s->key_count; i++) {
        w |= (uint32_t)s->key_type[i] << (8u * i);
    }
    return w;
}

uint32_t lf_provision_word(const struct lf_provision_settings *s, uint32_t off)
{
    uint32_t layout = lf_provision_layout_word(s);
    uint32_t types = lf_provision_types_word(s);
    if (off == 0) {
        return LF_PROVISION_MAGIC;
    }
    if (off == LF_PROVISION_LAYOUT_OFF) {
        return layout;
    }
    if (off == LF_PROVISION_TYPES_OFF) {
        return types;
    }
    if (off == LF_PROVISION_CHECK_OFF) {
        return ~(LF_PROVISION_MAGIC ^ layout ^ types);
    }
    if (off >= LF_PROVISION_KEYS_OFF && off < LF_PROVISION_REVOKE_OFF) {
        uint32_t rel = off - LF_PROVISION_KEYS_OFF;
        uint32_t key = rel / LF_SHA256_SIZE;
        return key < s->key_count ? lf_le32(&s->key_hash[key][rel % LF_SHA256_SIZE])
                                  : LF_PROVISION_ERASED;
    }
    if (off == LF_PROVISION_SLOTS_OFF) {
        return s->initial_counter;
    }
    if (off == LF_PROVISION_SLOTS_OFF + 4u) {
        return ~s->initial_counter;
    }
    return LF_PROVISION_ERASED; /* revocation marks, later slots, the rest */
}

int lf_provision_layout(const struct lf_provision_settings *s, uint8_t *buf, uint32_t len)
{
    if (!buf || len % LF_PROVISION_WORD) {
        return LF_E_INVAL;
    }
    int err = lf_provision_check_settings(s, len);
    if (err) {
        return err;
    }
    for (uint32_t off = 0; off < len; off += LF_PROVISION_WORD) {
        lf_put_le32(&buf[off], lf_provision_word(s, off));
    }
    return LF_OK;
}

static int lf_provision_program_word(const struct lf_flash_area *fa, uint32_t off, uint32_t w)
{
    uint8_t raw[LF_PROVISION_WORD];
    lf_put_le32(raw, w);
    return lf_flash_area_write(fa, off, raw, sizeof(raw));
}

int lf_provision_write(const struct lf_flash_area *fa, const struct lf_provision_settings *s)
{
    if (!fa || lf_flash_area_erased_val(fa) != 0xFF) {
        return LF_E_INVAL;
    }
    int err = lf_provision_check_settings(s, fa->size);
    if (err) {
        return err;
    }
    uint32_t end = LF_PROVISION_SIZE(s->counter_slots);
    bool blank = false;
    err = lf_flash_area_is_erased(fa, 0, end, &blank);
    if (err) {
        return err;
    }
    if (!blank) {
        return LF_E_PROVISION_NOT_BLANK;
    }
    /* Everything but the magic first (P1 until the last program). */
    for (uint32_t off = LF_PROVISION_WORD; off < end; off += LF_PROVISION_WORD) {
        uint32_t w = lf_provision_word(s, off);
        if (w == LF_PROVISION_ERASED) {
            continue;
        }
        err = lf_provision_program_word(fa, off, w);
        if (err) {
            return err;
        }
    }
    return lf_provision_program_word(fa, 0, LF_PROVISION_MAGIC);
}

int lf_provision_read(const struct lf_flash_area *fa, struct lf_provision *p)
{
    if (!fa || !p || lf_flash_area_erased_val(fa) != 0xFF) {
        return LF_E_INVAL;
    }
    uint8_t hdr[LF_PROVISION_HDR_SIZE];
    int err = lf_flash_area_read(fa, 0, hdr, sizeof(hdr));
    if (err) {
        return err;
    }
    uint32_t magic = lf_le32(&hdr[0]);
    uint32_t layout = lf_le32(&hdr[LF_PROVISION_LAYOUT_OFF]);
    uint32_t types = lf_le32(&hdr[LF_PROVISION_TYPES_OFF]);
    uint32_t check = lf_le32(&hdr[LF_PROVISION_CHECK_OFF]);
    if (magic == LF_PROVISION_ERASED) {
        return LF_E_PROVISION_BLANK; /* P1 */
    }
    if (magic != LF_PROVISION_MAGIC) {
        return LF_E_PROVISION_MAGIC; /* P2 */
    }
    if (check != ~(magic ^ layout ^ types)) {
        return LF_E_PROVISION_HEADER; /* P3 */
    }
    if ((layout & 0xFFu) != LF_PROVISION_VERSION) {
        return LF_E_PROVISION_VERSION; /* P4 */
    }
    uint8_t key_count = (uint8_t)(layout >> 8);
    uint16_t slots = (uint16_t)(layout >> 16);
    err = lf_provision_layout_check(fa->size, key_count, slots); /* P5, P6 */
    if (err) {
        return err;
    }
    memset(p, 0, sizeof(*p));
    p->key_count = key_count;
    p->counter_slots = slots;
    for (uint8_t i = 0; i < key_count; i++) {
        p->key_type[i] = (uint8_t)(types >> (8u * i));
        if (!lf_key_type_known(p->key_type[i])) {
            return LF_E_PROVISION_KEYS; /* P5 */
        }
    }
    err = lf_flash_area_read(fa, LF_PROVISION_KEYS_OFF, p->key_hash,
                             (uint32_t)key_count * LF_SHA256_SIZE);
    if (err) {
        return err;
    }
    uint8_t marks[LF_PROVISION_MAX_KEYS * LF_PROVISION_WORD];
    err = lf_flash_area_read(fa, LF_PROVISION_REVOKE_OFF, marks, sizeof(marks));
    if (err) {
        return err;
    }
    for (uint8_t i = 0; i < key_count; i++) {
        if (lf_le32(&marks[i * LF_PROVISION_WORD]) != LF_PROVISION_ERASED) {
            p->revoked |= (uint8_t)(1u << i); /* K2: any programmed bit revokes */
        }
    }
    return LF_OK; /* P7 */
}

int lf_provision_revoke(const struct lf_flash_area *fa, struct lf_provision *p, uint8_t index)
{
    if (!fa || !p || index >= p->key_count) {
        return LF_E_INVAL;
    }
    if (p->revoked & (1u << index)) {
        return LF_OK;
    }
    int err = lf_provision_program_word(fa, LF_PROVISION_REVOKE_OFF + LF_PROVISION_WORD * index,
                                        LF_PROVISION_REVOKED);
    if (err) {
        return err;
    }
    p->revoked |= (uint8_t)(1u << index);
    return LF_OK;
}

void lf_provision_keyring(const struct lf_provision *p,
                          struct lf_pubkey keys[LF_PROVISION_MAX_KEYS],
                          const struct lf_image_sig_alg *const *algs, uint8_t alg_count,
                          struct lf_keyring *ring)
{
    memset(keys, 0, LF_PROVISION_MAX_KEYS * sizeof(keys[0]));
    uint8_t n = p->key_count <= LF_PROVISION_MAX_KEYS ? p->key_count : LF_PROVISION_MAX_KEYS;
    for (uint8_t i = 0; i < n; i++) {
        keys[i].type = p->key_type[i];
        keys[i].hash = p->key_hash[i];
    }
    *ring = (struct lf_keyring){keys, n, algs, alg_count};
}
