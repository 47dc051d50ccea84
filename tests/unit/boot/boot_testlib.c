#include "boot_testlib.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/x509.h>

#include "lf/err.h"

int bt_key_load(struct bt_key *k, const char *name)
{
    char path[1024];
    memset(k, 0, sizeof(*k));
    snprintf(path, sizeof(path), "%s/imgtool/keys/%s", LF_VECTORS_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bt_key_load: cannot open %s\n", path);
        return -1;
    }
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!pkey) {
        return -1;
    }
    k->pkey = pkey;
    k->type = EVP_PKEY_get_id(pkey) == EVP_PKEY_ED25519 ? LF_KEY_ED25519 : LF_KEY_ECDSA_P256;
    int n = i2d_PUBKEY(pkey, NULL);
    if (n <= 0 || n > (int)sizeof(k->der)) {
        return -1;
    }
    uint8_t *p = k->der;
    i2d_PUBKEY(pkey, &p);
    k->der_len = (uint16_t)n;
    return 0;
}

void bt_key_free(struct bt_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

void bt_keyring_init(struct bt_keyring *kr, const struct bt_key *k)
{
    kr->key.type = k->type;
    kr->key.der_len = k->der_len;
    kr->key.der = k->der;
    kr->key.hash = NULL;
    kr->ring.keys = &kr->key;
    kr->ring.count = 1;
    kr->ring.algs = lf_image_sig_algs_all;
    kr->ring.alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT;
}

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static int bt_sign(const struct bt_key *k, const uint8_t digest[32], uint8_t *sig, size_t *sig_len)
{
    int ok = 0;
    if (k->type == LF_KEY_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(md, sig, sig_len, digest, 32) == 1;
        EVP_MD_CTX_free(md);
    } else {
        /* ECDSA over the image digest as the message hash (docs/reference/mcuboot.md 1.7). */
        EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new(k->pkey, NULL);
        ok = pc && EVP_PKEY_sign_init(pc) == 1 && EVP_PKEY_sign(pc, sig, sig_len, digest, 32) == 1;
        EVP_PKEY_CTX_free(pc);
    }
    return ok ? 0 : -1;
}

int bt_image_make(const struct bt_image_spec *s, struct bt_image *img)
{
    uint32_t hdr_size = s->hdr_size ? s->hdr_size : 0x200;
    uint32_t prot = s->has_sec_cnt ? 4 + 8 : 0;
    uint32_t cap = hdr_size + s->payload_len + prot + 4 + 36 + 36 + 4 + 80;
    uint8_t *b = calloc(1, cap);
    if (!b) {
        return -1;
    }
    put32(b, LF_IMAGE_MAGIC);
    put32(b + 4, s->load_addr);
    put16(b + 8, hdr_size);
    put16(b + 10, prot);
    put32(b + 12, s->payload_len);
    put32(b + 16, s->flags);
    b[20] = s->ver.major;
    b[21] = s->ver.minor;
    put16(b + 22, s->ver.revision);
    put32(b + 24, s->ver.build);
    uint32_t x = s->seed * 2654435761u + 1u;
    for (uint32_t i = 0; i < s->payload_len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[hdr_size + i] = (uint8_t)x;
    }
    uint32_t off = hdr_size + s->payload_len;
    if (s->has_sec_cnt) {
        put16(b + off, LF_IMAGE_TLV_PROT_INFO);
        put16(b + off + 2, prot);
        put16(b + off + 4, LF_TLV_SEC_CNT);
        put16(b + off + 6, 4);
        put32(b + off + 8, s->sec_cnt);
        off += prot;
    }
    uint8_t digest[32];
    SHA256(b, off, digest);
    uint8_t keyhash[32];
    SHA256(s->key->der, s->key->der_len, keyhash);
    uint8_t sig[80];
    size_t sig_len = sizeof(sig);
    if (bt_sign(s->key, digest, sig, &sig_len) != 0) {
        free(b);
        return -1;
    }
    uint32_t info = off;
    off += 4;
    put16(b + off, LF_TLV_SHA256);
    put16(b + off + 2, 32);
    memcpy(b + off + 4, digest, 32);
    off += 36;
    put16(b + off, LF_TLV_KEYHASH);
    put16(b + off + 2, 32);
    memcpy(b + off + 4, keyhash, 32);
    off += 36;
    put16(b + off, s->key->type == LF_KEY_ED25519 ? LF_TLV_ED25519 : LF_TLV_ECDSA_SIG);
    put16(b + off + 2, (uint32_t)sig_len);
    memcpy(b + off + 4, sig, sig_len);
    off += 4 + (uint32_t)sig_len;
    put16(b + info, LF_IMAGE_TLV_INFO);
    put16(b + info + 2, off - info);
    img->data = b;
    img->len = off;
    return 0;
}

void bt_image_free(struct bt_image *img)
{
    free(img->data);
    img->data = NULL;
}

int bt_dev_create(struct lf_sim_device *d, const char *name, const struct lf_board *board)
{
    char dir[LF_SIM_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s/boot-test/%s", LF_BINARY_DIR, name);
    return lf_sim_device_create(d, dir, board);
}

int bt_dev_load(struct lf_sim_device *d, uint8_t area, uint32_t off, const void *data, uint32_t len)
{
    const struct lf_flash_area *fa = lf_sim_device_area(d, area);
    if (!fa || off > fa->size || len > fa->size - off) {
        return LF_E_RANGE;
    }
    return lf_sim_flash_load(lf_sim_device_flash_of(d, fa), fa->off + off, data, len);
}

int bt_area_write(const struct lf_flash_area *fa, uint32_t off, const void *data, uint32_t len)
{
    uint32_t align = lf_flash_area_align(fa);
    uint32_t padded = (len + align - 1) / align * align;
    uint8_t *tmp = malloc(padded ? padded : 1);
    if (!tmp) {
        return LF_E_NOSPACE;
    }
    memset(tmp, lf_flash_area_erased_val(fa), padded);
    memcpy(tmp, data, len);
    int err = lf_flash_area_write(fa, off, tmp, padded);
    free(tmp);
    return err;
}

bool bt_area_has(const struct lf_flash_area *fa, uint32_t off, const void *data, uint32_t len)
{
    uint8_t *tmp = malloc(len ? len : 1);
    bool same =
        tmp && lf_flash_area_read(fa, off, tmp, len) == LF_OK && memcmp(tmp, data, len) == 0;
    free(tmp);
    return same;
}

bool bt_area_erased(const struct lf_flash_area *fa, uint32_t off, uint32_t len)
{
    bool erased = false;
    return lf_flash_area_is_erased(fa, off, len, &erased) == LF_OK && erased;
}

static void bt_log_line(void *ctx, const char *line)
{
    (void)ctx;
    printf("  | %s\n", line);
}

int bt_boot(struct lf_sim_device *d, const struct bt_boot_opts *o, struct lf_boot_result *res)
{
    static const struct lf_log log = {bt_log_line, NULL, lf_err_name};
    struct lf_boot_cfg cfg = {
        .strategy = o->strategy,
        .primary = lf_sim_device_area(d, LF_AREA_APP_PRIMARY),
        .secondary = lf_sim_device_area(d, LF_AREA_APP_SECONDARY),
        .scratch = lf_sim_device_area(d, LF_AREA_SCRATCH),
        .state = o->no_record ? NULL : lf_sim_device_area(d, LF_AREA_STATE),
        .keys = o->keys,
        .image_num = 0,
        .flags = o->flags,
        .log = o->log ? &log : NULL,
        .hook_ctx = o->hook_ctx,
        .validate = NULL,
        .classify = o->classify,
        .sec_cnt_get = o->sec_cnt_get,
        .sec_cnt_set = o->sec_cnt_set,
    };
    struct lf_boot_ctx *ctx = malloc(sizeof(*ctx));
    if (!ctx) {
        return LF_E_NOSPACE;
    }
    int err = lf_boot_go(ctx, &cfg, res);
    free(ctx);
    return err;
}

struct lf_trailer bt_trailer(const struct lf_flash_area *fa)
{
    struct lf_trailer tr;
    memset(&tr, 0, sizeof(tr));
    if (lf_trailer_read(fa, &tr) != LF_OK) {
        memset(&tr, 0, sizeof(tr));
    }
    return tr;
}
