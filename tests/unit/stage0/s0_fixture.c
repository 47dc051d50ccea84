#include "s0_fixture.h"

#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "lf/err.h"
#include "lf/image.h"
#include "lf/provision.h"
#include "lf/trailer.h"

int s0_key_gen(struct s0_key *k, uint8_t type)
{
    memset(k, 0, sizeof(*k));
    k->type = type;
    k->pkey = type == LF_KEY_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                     : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!k->pkey) {
        return -1;
    }
    unsigned char *p = k->der;
    k->der_len = i2d_PUBKEY(k->pkey, NULL);
    if (k->der_len <= 0 || k->der_len > (int)sizeof(k->der)) {
        return -1;
    }
    i2d_PUBKEY(k->pkey, &p);
    SHA256(k->der, (size_t)k->der_len, k->hash);
    return 0;
}

void s0_key_free(struct s0_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

static void put16(uint8_t *b, uint16_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, uint32_t v)
{
    put16(b, (uint16_t)v);
    put16(b + 2, (uint16_t)(v >> 16));
}

/* Signature over the 32-byte image digest (docs/reference/mcuboot.md 1.7: the digest is the
 * ECDSA hash value and the Ed25519 message). */
static int s0_sign_digest(const struct s0_key *k, const uint8_t digest[32], uint8_t *sig,
                          size_t *sig_len)
{
    int ok = 0;
    if (k->type == LF_KEY_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(md, sig, sig_len, digest, 32) == 1;
        EVP_MD_CTX_free(md);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
        ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_sign(ctx, sig, sig_len, digest, 32) == 1;
        EVP_PKEY_CTX_free(ctx);
    }
    return ok ? 0 : -1;
}

static uint8_t *tlv(uint8_t *p, uint16_t type, const void *data, uint16_t len)
{
    put16(p, type);
    put16(p + 2, len);
    memcpy(p + 4, data, len);
    return p + 4 + len;
}

int s0_img_sign(const struct s0_img_spec *s, struct s0_img *out)
{
    uint32_t payload = s->payload_len ? s->payload_len : 1024u;
    uint16_t prot = s->no_sec_cnt ? 0 : 12;
    if (S0_HDR_SIZE + payload + prot + 256u > sizeof(out->bytes)) {
        return -1;
    }
    uint8_t *b = out->bytes;
    memset(b, 0, sizeof(out->bytes));
    put32(b + 0, LF_IMAGE_MAGIC);
    put32(b + 4, s->load_addr);
    put16(b + 8, S0_HDR_SIZE);
    put16(b + 10, prot);
    put32(b + 12, payload);
    put32(b + 16, s->not_rom_fixed ? 0 : LF_IMAGE_F_ROM_FIXED);
    b[20] = s->major;
    b[21] = s->minor;
    put16(b + 22, s->revision);
    put32(b + 24, s->build);
    uint32_t x = 0x9e3779b9u ^ s->seed; /* payload: a vector table would go here */
    for (uint32_t i = 0; i < payload; i++) {
        x = x * 1103515245u + 12345u;
        b[S0_HDR_SIZE + i] = (uint8_t)(x >> 16);
    }
    uint8_t *p = b + S0_HDR_SIZE + payload;
    if (prot) {
        uint8_t cnt[4];
        put32(cnt, s->sec_cnt);
        put16(p, LF_IMAGE_TLV_PROT_INFO);
        put16(p + 2, prot);
        p = tlv(p + 4, LF_TLV_SEC_CNT, cnt, 4);
    }
    uint32_t prot_end = (uint32_t)(p - b);
    uint8_t digest[32];
    SHA256(b, prot_end, digest);
    uint8_t sig[128];
    size_t sig_len = sizeof(sig);
    if (s0_sign_digest(s->key, digest, sig, &sig_len) != 0) {
        return -1;
    }
    uint8_t *info = p;
    p = tlv(p + 4, LF_TLV_SHA256, digest, 32);
    p = s->keyhash ? tlv(p, LF_TLV_KEYHASH, s->key->hash, 32)
                   : tlv(p, LF_TLV_PUBKEY, s->key->der, (uint16_t)s->key->der_len);
    p = tlv(p, s->key->type == LF_KEY_ED25519 ? LF_TLV_ED25519 : LF_TLV_ECDSA_SIG, sig,
            (uint16_t)sig_len);
    put16(info, LF_IMAGE_TLV_INFO);
    put16(info + 2, (uint16_t)(p - info));
    out->len = (uint32_t)(p - b);
    while (out->len % 4) {
        b[out->len++] = 0xFF;
    }
    return 0;
}

uint32_t s0_slot_addr(const struct lf_board *board, int slot)
{
    const struct lf_board_area *a = &board->areas[slot ? LF_AREA_S1 : LF_AREA_S0];
    return board->dev_map_addr[a->dev] + a->off;
}

const struct lf_flash_area *s0_slot(struct lf_sim_device *d, int slot)
{
    return lf_sim_device_area(d, slot ? LF_AREA_S1 : LF_AREA_S0);
}

int s0_dev_create(struct lf_sim_device *d, const char *dir, const struct lf_board *board,
                  const struct s0_key *keys, int nkeys, uint16_t slots, uint32_t initial)
{
    int err = lf_sim_device_create(d, dir, board);
    if (err) {
        return err;
    }
    uint8_t hashes[LF_PROVISION_MAX_KEYS][32];
    struct lf_provision_settings s = {
        .key_count = (uint8_t)nkeys,
        .key_hash = (const uint8_t(*)[32])hashes,
        .counter_slots = slots,
        .initial_counter = initial,
    };
    for (int i = 0; i < nkeys && i < (int)LF_PROVISION_MAX_KEYS; i++) {
        memcpy(hashes[i], keys[i].hash, 32);
        s.key_type[i] = keys[i].type;
    }
    return lf_provision_write(lf_sim_device_area(d, LF_AREA_PROVISION), &s);
}

int s0_slot_erase(struct lf_sim_device *d, int slot)
{
    const struct lf_flash_area *fa = s0_slot(d, slot);
    return lf_flash_area_erase(fa, 0, fa->size);
}

int s0_slot_put(struct lf_sim_device *d, int slot, const struct s0_img *img)
{
    int err = s0_slot_erase(d, slot);
    if (err) {
        return err;
    }
    return lf_flash_area_write(s0_slot(d, slot), 0, img->bytes, img->len);
}

int s0_slot_pending(struct lf_sim_device *d, int slot)
{
    return lf_trailer_set_pending(s0_slot(d, slot), 1, false);
}

static void s0_log_write(void *ctx, const char *line)
{
    struct s0_log *l = ctx;
    if (l->echo) {
        printf("    | %s\n", line);
    }
    if (l->n < S0_LOG_LINES) {
        snprintf(l->lines[l->n++], LF_LOG_LINE_MAX, "%s", line);
    }
}

void s0_log_init(struct s0_log *l)
{
    memset(l, 0, sizeof(*l));
    l->log.write = s0_log_write;
    l->log.ctx = l;
}

bool s0_log_has(const struct s0_log *l, const char *needle)
{
    for (unsigned i = 0; i < l->n; i++) {
        if (strstr(l->lines[i], needle)) {
            return true;
        }
    }
    return false;
}

void s0_log_dump(const struct s0_log *l)
{
    for (unsigned i = 0; i < l->n; i++) {
        printf("    log: %s\n", l->lines[i]);
    }
}

void s0_reset(struct lf_sim_device *d)
{
    for (int i = 0; i < LF_DEV_COUNT; i++) {
        d->flash[i].lock_start = 0;
        d->flash[i].lock_end = 0;
    }
}

int s0_protect(void *ctx, const struct lf_flash_area *fa)
{
    struct lf_sim_device *d = ctx;
    struct lf_sim_flash *f = lf_sim_device_flash_of(d, fa);
    if (!f) {
        return LF_E_INVAL;
    }
    lf_sim_flash_lock(f, fa->off, fa->off + fa->size);
    return LF_OK;
}

struct lf_stage0_platform s0_platform(struct lf_sim_device *d, struct s0_log *l)
{
    l->log.write = s0_log_write;
    l->log.ctx = l;
    const struct lf_stage0_platform p = {
        .map = &d->map,
        .log = &l->log,
        .algs = lf_image_sig_algs_all,
        .alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
        .protect = s0_protect,
        .ctx = d,
        .err_name = lf_err_name,
    };
    return p;
}

int s0_boot(struct lf_sim_device *d, struct s0_log *l, struct lf_stage0_decision *dec)
{
    s0_reset(d);
    l->n = 0;
    const struct lf_stage0_platform p = s0_platform(d, l);
    return lf_stage0_boot(&p, dec);
}

int s0_counter(struct lf_sim_device *d, struct lf_provision_counter *c)
{
    const struct lf_flash_area *fa = lf_sim_device_area(d, LF_AREA_PROVISION);
    struct lf_provision p;
    int err = lf_provision_read(fa, &p);
    return err ? err : lf_provision_counter_read(fa, &p, c);
}

int s0_counter_slots_increasing(struct lf_sim_device *d)
{
    const struct lf_flash_area *fa = lf_sim_device_area(d, LF_AREA_PROVISION);
    struct lf_provision p;
    int err = lf_provision_read(fa, &p);
    if (err) {
        return err;
    }
    bool any = false;
    uint32_t last = 0;
    for (uint16_t j = 0; j < p.counter_slots; j++) {
        uint8_t raw[8];
        err = lf_flash_area_read(fa, LF_PROVISION_SLOTS_OFF + 8u * j, raw, 8);
        if (err) {
            return err;
        }
        uint32_t v = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 |
                     (uint32_t)raw[3] << 24;
        uint32_t inv = (uint32_t)raw[4] | (uint32_t)raw[5] << 8 | (uint32_t)raw[6] << 16 |
                       (uint32_t)raw[7] << 24;
        if (inv != ~v) {
            continue;
        }
        if (any && v <= last) {
            return -1;
        }
        any = true;
        last = v;
    }
    return any ? 0 : -1;
}
