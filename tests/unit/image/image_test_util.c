#include "image_test_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "lf/err.h"

/* ---- RAM flash ----------------------------------------------------------- */

static int rf_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ram_flash *rf = ctx;
    memcpy(buf, rf->mem + off, len);
    return LF_OK;
}

static int rf_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ram_flash *rf = ctx;
    for (uint32_t i = 0; i < len; i++) {
        rf->mem[off + i] &= ((const uint8_t *)buf)[i];
    }
    return LF_OK;
}

static int rf_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct ram_flash *rf = ctx;
    memset(rf->mem + off, 0xff, len);
    return LF_OK;
}

static const struct lf_flash_ops rf_ops = {rf_read, rf_program, rf_erase};

void ram_flash_init(struct ram_flash *rf, uint32_t cap, uint32_t size)
{
    assert_true(cap > 0 && size <= cap);
    memset(rf, 0, sizeof(*rf));
    rf->mem = malloc(cap);
    assert_non_null(rf->mem);
    memset(rf->mem, 0xff, cap);
    rf->cap = cap;
    rf->geo.part = "test-ram";
    rf->geo.size = cap;
    rf->geo.run_count = 1;
    rf->geo.erase_value = 0xff;
    rf->geo.write_align = 1;
    rf->geo.runs[0].count = 1;
    rf->geo.runs[0].size = cap;
    assert_int_equal(lf_flash_geometry_check(&rf->geo), LF_OK);
    rf->dev.geo = &rf->geo;
    rf->dev.ops = &rf_ops;
    rf->dev.ctx = rf;
    rf->dev.map_addr = LF_FLASH_NOT_MAPPED;
    rf->area.dev = &rf->dev;
    rf->area.size = size;
}

void ram_flash_load(struct ram_flash *rf, const uint8_t *data, size_t len, uint32_t size)
{
    assert_true(len <= rf->cap && size <= rf->cap);
    memcpy(rf->mem, data, len);
    rf->area.size = size;
}

void ram_flash_free(struct ram_flash *rf)
{
    free(rf->mem);
    rf->mem = NULL;
}

/* ---- files and keys --------------------------------------------------------- */

uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail_msg("cannot open %s", path);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n >= 0);
    uint8_t *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    buf[n] = 0;
    *len = (size_t)n;
    return buf;
}

void load_key(const char *path, struct test_key *k)
{
    memset(k, 0, sizeof(*k));
    BIO *bio = BIO_new_file(path, "r");
    if (!bio) {
        fail_msg("cannot open key %s", path);
    }
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    if (pkey) {
        k->pkey = pkey;
    } else {
        (void)BIO_reset(bio);
        pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    assert_non_null(pkey);
    k->type = EVP_PKEY_is_a(pkey, "ED25519") ? LF_KEY_ED25519 : LF_KEY_ECDSA_P256;
    int n = i2d_PUBKEY(pkey, NULL);
    assert_true(n > 0 && (size_t)n <= sizeof(k->der));
    uint8_t *p = k->der;
    i2d_PUBKEY(pkey, &p);
    k->der_len = (uint16_t)n;
    if (!k->pkey) {
        EVP_PKEY_free(pkey);
    }
}

void free_key(struct test_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

/* ---- manifest.json (flat objects inside "images": [...]) ---------------------- */

/* Parse a JSON string at *p (at the opening quote) into out. */
static const char *json_string(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    assert_true(*p == '"');
    p++;
    while (*p && *p != '"') {
        char ch = *p++;
        if (ch == '\\') {
            ch = *p++;
            if (ch == 'n') {
                ch = '\n';
            } else if (ch == 't') {
                ch = '\t';
            } else if (ch == 'u') {
                ch = '?'; /* not used by the manifest's fields we read */
                p += 4;
            }
        }
        if (n + 1 < cap) {
            out[n++] = ch;
        }
    }
    assert_true(*p == '"');
    out[n] = 0;
    return p + 1;
}

/* Copy a field, failing the test if it does not fit. */
static void copy_field(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    assert_true(n < cap);
    memcpy(dst, src, n + 1);
}

int load_manifest(struct vector *out, int max)
{
    size_t len;
    char *text = (char *)read_file(VEC_DIR "/manifest.json", &len);
    const char *p = strstr(text, "\"images\"");
    assert_non_null(p);
    p = strchr(p, '[');
    assert_non_null(p);
    p++;
    int count = 0;
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',') {
            p++;
        }
        if (*p == ']') {
            break;
        }
        assert_true(*p == '{');
        p++;
        assert_true(count < max);
        struct vector *v = &out[count++];
        memset(v, 0, sizeof(*v));
        char expected[16] = "";
        while (*p && *p != '}') {
            while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t' || *p == ',') {
                p++;
            }
            if (*p == '}') {
                break;
            }
            char key[64];
            char val[600];
            p = json_string(p, key, sizeof(key));
            while (*p == ' ' || *p == ':') {
                p++;
            }
            bool is_null = false;
            if (*p == '"') {
                p = json_string(p, val, sizeof(val));
            } else {
                size_t n = 0;
                while (*p && *p != ',' && *p != '}' && *p != '\n' && n + 1 < sizeof(val)) {
                    val[n++] = *p++;
                }
                val[n] = 0;
                is_null = strcmp(val, "null") == 0;
            }
            if (strcmp(key, "name") == 0) {
                copy_field(v->name, sizeof(v->name), val);
            } else if (strcmp(key, "file") == 0) {
                copy_field(v->file, sizeof(v->file), val);
            } else if (strcmp(key, "verify_key") == 0) {
                copy_field(v->verify_key, sizeof(v->verify_key), val);
            } else if (strcmp(key, "command") == 0) {
                copy_field(v->command, sizeof(v->command), val);
            } else if (strcmp(key, "derived_from") == 0) {
                v->derived = !is_null;
            } else if (strcmp(key, "expected") == 0) {
                copy_field(expected, sizeof(expected), val);
            }
        }
        assert_true(*p == '}');
        p++;
        assert_true(strcmp(expected, "valid") == 0 || strcmp(expected, "invalid") == 0);
        v->valid = strcmp(expected, "valid") == 0;
        assert_true(v->name[0] && v->file[0] && v->verify_key[0]);
    }
    free(text);
    return count;
}

/* ---- image builder ------------------------------------------------------------ */

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

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

void tb_default(struct tb_image *t, const struct test_key *key)
{
    memset(t, 0, sizeof(*t));
    t->hdr_size = 0x200;
    t->version = (struct lf_image_version){1, 2, 3, 4};
    t->payload_len = 1024;
    t->key = key;
    t->unprot[0] = (struct tb_tlv){LF_TLV_SHA256, 32, NULL};
    t->unprot[1] = (struct tb_tlv){LF_TLV_KEYHASH, 32, NULL};
    if (key && key->type == LF_KEY_ED25519) {
        t->unprot[2] = (struct tb_tlv){LF_TLV_ED25519, 64, NULL};
    } else {
        t->unprot[2] = (struct tb_tlv){LF_TLV_ECDSA_SIG, 72, NULL};
    }
    t->nunprot = 3;
}

uint32_t tb_tlv_off(const struct tb_image *t)
{
    return (uint32_t)t->hdr_size + t->payload_len;
}

uint32_t tb_prot_size(const struct tb_image *t)
{
    if (t->nprot == 0) {
        return 0;
    }
    uint32_t n = LF_IMAGE_TLV_INFO_SIZE;
    for (int i = 0; i < t->nprot; i++) {
        n += 4u + t->prot[i].len;
    }
    return n;
}

/* Signature of digest by key into sig; returns its length. */
static size_t tb_sign(const struct test_key *key, const uint8_t digest[32], uint8_t *sig,
                      size_t cap)
{
    assert_non_null(key->pkey);
    size_t len = cap;
    if (key->type == LF_KEY_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestSignInit(md, NULL, NULL, NULL, key->pkey), 1);
        assert_int_equal(EVP_DigestSign(md, sig, &len, digest, 32), 1);
        EVP_MD_CTX_free(md);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key->pkey, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, digest, 32), 1);
        EVP_PKEY_CTX_free(ctx);
    }
    return len;
}

size_t tb_build(const struct tb_image *t, uint8_t *buf, size_t cap)
{
    uint32_t prot = tb_prot_size(t);
    size_t pos = tb_tlv_off(t);
    assert_true(pos + prot + 4 <= cap);
    memset(buf, 0xff, t->hdr_size);
    for (uint32_t i = 0; i < t->payload_len; i++) {
        buf[t->hdr_size + i] = (uint8_t)(i * 7 + 3);
    }
    put32(buf + 0, LF_IMAGE_MAGIC);
    put32(buf + 4, t->load_addr);
    put16(buf + 8, t->hdr_size);
    put16(buf + 10, prot);
    put32(buf + 12, t->payload_len);
    put32(buf + 16, t->flags);
    buf[20] = t->version.major;
    buf[21] = t->version.minor;
    put16(buf + 22, t->version.revision);
    put32(buf + 24, t->version.build);
    put32(buf + 28, 0);
    if (prot) {
        put16(buf + pos, LF_IMAGE_TLV_PROT_INFO);
        put16(buf + pos + 2, prot);
        pos += 4;
        for (int i = 0; i < t->nprot; i++) {
            put16(buf + pos, t->prot[i].type);
            put16(buf + pos + 2, t->prot[i].len);
            if (t->prot[i].data) {
                memcpy(buf + pos + 4, t->prot[i].data, t->prot[i].len);
            } else {
                memset(buf + pos + 4, 0, t->prot[i].len);
            }
            pos += 4u + t->prot[i].len;
        }
    }
    uint8_t digest[32];
    SHA256(buf, pos, digest);
    size_t info = pos;
    pos += 4;
    for (int i = 0; i < t->nunprot; i++) {
        const struct tb_tlv *e = &t->unprot[i];
        size_t len = e->len;
        uint8_t tmp[256];
        const uint8_t *data = e->data;
        if (!data) {
            memset(tmp, 0, sizeof(tmp));
            data = tmp;
            if (e->type == LF_TLV_SHA256) {
                memcpy(tmp, digest, len < 32 ? len : 32);
            } else if (e->type == LF_TLV_KEYHASH && t->key) {
                uint8_t kh[32];
                SHA256(t->key->der, t->key->der_len, kh);
                memcpy(tmp, kh, len < 32 ? len : 32);
            } else if (e->type == LF_TLV_PUBKEY && t->key) {
                len = t->key->der_len;
                memcpy(tmp, t->key->der, len);
            } else if ((e->type == LF_TLV_ECDSA_SIG || e->type == LF_TLV_ED25519) && t->key &&
                       t->key->pkey) {
                uint8_t sig[128];
                size_t n = tb_sign(t->key, digest, sig, sizeof(sig));
                if (e->type == LF_TLV_ECDSA_SIG) {
                    len = n; /* DER length as signed */
                }
                memcpy(tmp, sig, n < len ? n : len);
            }
        }
        assert_true(pos + 4 + len <= cap);
        put16(buf + pos, e->type);
        put16(buf + pos + 2, (uint32_t)len);
        memcpy(buf + pos + 4, data, len);
        pos += 4 + len;
    }
    put16(buf + info, LF_IMAGE_TLV_INFO);
    put16(buf + info + 2, (uint32_t)(pos - info));
    return pos;
}

void tb_refresh(uint8_t *buf, size_t len, const struct test_key *key)
{
    uint32_t hdr = get16(buf + 8);
    uint32_t prot = get16(buf + 10);
    uint32_t img = (uint32_t)buf[12] | (uint32_t)buf[13] << 8 | (uint32_t)buf[14] << 16 |
                   (uint32_t)buf[15] << 24;
    size_t prot_end = (size_t)hdr + img + prot;
    assert_true(prot_end + 4 <= len);
    uint8_t digest[32];
    SHA256(buf, prot_end, digest);
    size_t end = prot_end + get16(buf + prot_end + 2);
    assert_true(end <= len);
    for (size_t p = prot_end + 4; p + 4 <= end;) {
        uint16_t type = get16(buf + p);
        uint16_t tl = get16(buf + p + 2);
        if (type == LF_TLV_SHA256 && tl == 32) {
            memcpy(buf + p + 4, digest, 32);
        }
        if (key && (type == LF_TLV_ED25519 || type == LF_TLV_ECDSA_SIG)) {
            uint8_t sig[128];
            size_t n = tb_sign(key, digest, sig, sizeof(sig));
            /* keep the TLV length: ECDSA DER length varies (70..72), so
             * re-sign until it fits; a shorter one is zero-padded, which the
             * validator accepts as legacy --pad-sig padding */
            for (int tries = 0; n > tl && tries < 500; tries++) {
                n = tb_sign(key, digest, sig, sizeof(sig));
            }
            assert_true(n <= tl);
            memset(buf + p + 4, 0, tl);
            memcpy(buf + p + 4, sig, n);
        }
        p += 4u + tl;
    }
}

int validate_buf(const uint8_t *buf, size_t len, const struct lf_keyring *ring,
                 struct lf_image_info *info)
{
    struct ram_flash rf;
    ram_flash_init(&rf, len ? (uint32_t)len : 1, (uint32_t)len);
    ram_flash_load(&rf, buf, len, (uint32_t)len);
    struct lf_image_info local;
    int err = lf_image_validate(&rf.area, 0, ring, info ? info : &local);
    ram_flash_free(&rf);
    return err;
}

void ring_of(struct test_ring *r, const struct test_key *const *keys, int n)
{
    memset(r, 0, sizeof(*r));
    assert_true(n <= 4);
    for (int i = 0; i < n; i++) {
        r->pub[i].type = keys[i]->type;
        r->pub[i].der = keys[i]->der;
        r->pub[i].der_len = keys[i]->der_len;
    }
    r->ring.keys = r->pub;
    r->ring.count = (uint8_t)n;
    r->ring.algs = lf_image_sig_algs_all;
    r->ring.alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT;
}
