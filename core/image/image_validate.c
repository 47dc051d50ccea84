/*
 * Image validation (docs/reference/mcuboot.md 1.5-1.9), strict variant: exactly one SHA256, one key
 * and one signature TLV, in that order of dependency, and nothing else in the
 * unprotected area. The order of the checks is the table in
 * docs/image-format.md: structure first (cheap, no crypto), then the hash,
 * then the key, then the signature.
 */
#include "lf/image.h"

#include <string.h>

#include "lf/err.h"

/* Stack buffer for streaming the hashed range out of flash. */
#define LF_IMAGE_READ_CHUNK 128u

/* The TLVs the validator needs, found by one walk over both areas. */
struct lf_tlv_scan {
    bool has_hash;
    bool has_key;
    bool has_sig;
    bool has_sec_cnt;
    struct lf_image_tlv hash;
    struct lf_image_tlv key; /* KEYHASH or PUBKEY */
    struct lf_image_tlv sig;
    uint32_t sec_cnt;
};

/* Types that carry the hash, the key or a signature (or an encrypted image
 * key): their place is the unprotected area. */
static bool lf_is_auth_type(uint16_t type)
{
    return type == LF_TLV_KEYHASH || type == LF_TLV_PUBKEY ||
           (type >= LF_TLV_SHA256 && type <= LF_TLV_SHA512) ||
           (type >= LF_TLV_RSA2048_PSS && type <= LF_TLV_SIG_PURE) ||
           (type >= LF_TLV_ENC_RSA2048 && type <= LF_TLV_ENC_X25519_SHA512);
}

static int lf_scan_protected(const struct lf_image_tlv_iter *it, const struct lf_image_tlv *t,
                             struct lf_tlv_scan *s)
{
    if (lf_is_auth_type(t->type)) {
        return LF_E_IMG_TLV_MISPLACED;
    }
    if (t->type != LF_TLV_SEC_CNT) {
        return LF_OK; /* dependency, boot record, vendor...: not ours to judge */
    }
    if (s->has_sec_cnt) {
        return LF_E_IMG_DUP_SEC_CNT;
    }
    if (t->len != 4) {
        return LF_E_IMG_SEC_CNT_LEN;
    }
    uint8_t raw[4];
    int err = lf_image_tlv_read(it, t, 0, raw, sizeof(raw));
    if (err) {
        return err;
    }
    s->sec_cnt = (uint32_t)raw[0] | ((uint32_t)raw[1] << 8) | ((uint32_t)raw[2] << 16) |
                 ((uint32_t)raw[3] << 24);
    s->has_sec_cnt = true;
    return LF_OK;
}

static int lf_scan_unprotected(const struct lf_image_tlv *t, struct lf_tlv_scan *s)
{
    switch (t->type) {
    case LF_TLV_SHA256:
        if (s->has_hash) {
            return LF_E_IMG_DUP_HASH;
        }
        if (t->len != LF_SHA256_SIZE) {
            return LF_E_IMG_HASH_LEN;
        }
        s->hash = *t;
        s->has_hash = true;
        return LF_OK;
    case LF_TLV_KEYHASH:
    case LF_TLV_PUBKEY:
        if (s->has_key) {
            return LF_E_IMG_DUP_KEY;
        }
        if (t->type == LF_TLV_KEYHASH && t->len != LF_IMAGE_KEYHASH_SIZE) {
            return LF_E_IMG_KEYHASH_LEN;
        }
        if (t->type == LF_TLV_PUBKEY && (t->len == 0 || t->len > LF_IMAGE_MAX_PUBKEY_SIZE)) {
            return LF_E_IMG_PUBKEY_LEN;
        }
        s->key = *t;
        s->has_key = true;
        return LF_OK;
    case LF_TLV_ECDSA_SIG:
    case LF_TLV_ED25519:
        if (s->has_sig) {
            return LF_E_IMG_DUP_SIG;
        }
        /* MCUboot pairs a signature with the key TLV before it; one that
         * comes first is never verified there, so the image is not valid. */
        if (!s->has_key) {
            return LF_E_IMG_SIG_BEFORE_KEY;
        }
        s->sig = *t;
        s->has_sig = true;
        return LF_OK;
    default:
        return lf_is_auth_type(t->type) ? LF_E_IMG_TLV_UNSUPPORTED : LF_E_IMG_TLV_NOT_ALLOWED;
    }
}

/* Header, TLV structure and the walk over every entry. */
static int lf_image_scan(const struct lf_flash_area *fa, uint32_t off, struct lf_image_header *hdr,
                         struct lf_image_tlv_iter *it, struct lf_tlv_scan *s)
{
    int err = lf_image_read_header(fa, off, hdr);
    if (err) {
        return err;
    }
    err = lf_image_tlv_iter_begin(it, fa, off, hdr);
    if (err) {
        return err;
    }
    memset(s, 0, sizeof(*s));
    struct lf_image_tlv_iter walk = *it;
    for (;;) {
        struct lf_image_tlv t;
        int rc = lf_image_tlv_iter_next(&walk, &t);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            break;
        }
        err = t.prot ? lf_scan_protected(&walk, &t, s) : lf_scan_unprotected(&t, s);
        if (err) {
            return err;
        }
    }
    /* The walk ended at the end of the unprotected area, not earlier. */
    LF_FIH_CHECK(*(volatile uint32_t *)&walk.cur == *(volatile uint32_t *)&walk.end);
    if (!s->has_hash) {
        return LF_E_IMG_NO_HASH;
    }
    return LF_OK;
}

int lf_image_get_hash(const struct lf_flash_area *fa, uint32_t off, uint8_t hash[LF_SHA256_SIZE])
{
    struct lf_image_header hdr;
    struct lf_image_tlv_iter it;
    struct lf_tlv_scan s;
    int err = lf_image_scan(fa, off, &hdr, &it, &s);
    if (err) {
        return err;
    }
    return lf_image_tlv_read(&it, &s.hash, 0, hash, LF_SHA256_SIZE);
}

int lf_image_get_sec_cnt(const struct lf_flash_area *fa, uint32_t off, uint32_t *sec_cnt)
{
    struct lf_image_header hdr;
    struct lf_image_tlv_iter it;
    struct lf_tlv_scan s;
    int err = lf_image_scan(fa, off, &hdr, &it, &s);
    *sec_cnt = !err && s.has_sec_cnt ? s.sec_cnt : 0;
    return err;
}

/* SHA-256 of image bytes [0, len). */
static int lf_image_hash(const struct lf_flash_area *fa, uint32_t off, uint32_t len,
                         uint8_t digest[LF_SHA256_SIZE])
{
    struct lf_sha256 ctx;
    uint8_t buf[LF_IMAGE_READ_CHUNK];
    struct lf_fih_ctr chunks;
    lf_fih_ctr_init(&chunks);
    lf_sha256_init(&ctx);
    uint32_t pos = 0;
    while (pos < len) {
        uint32_t n = len - pos < sizeof(buf) ? len - pos : (uint32_t)sizeof(buf);
        int err = lf_flash_area_read(fa, off + pos, buf, n);
        if (err) {
            return err;
        }
        lf_sha256_update(&ctx, buf, n);
        pos += n;
        lf_fih_ctr_step(&chunks);
    }
    /* Counted loop: every chunk of [0, len) was hashed. */
    lf_fih_ctr_check(&chunks, len / LF_IMAGE_READ_CHUNK + (len % LF_IMAGE_READ_CHUNK != 0));
    lf_sha256_final(&ctx, digest);
    return LF_OK;
}

/* Compare without an early exit, so timing says nothing about where two
 * digests differ. */
static bool lf_digest_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= (uint8_t)(a[i] ^ b[i]);
    }
    return diff == 0;
}

/* The SHA-256 of a trusted key's DER: given, or computed into `tmp`. */
static const uint8_t *lf_key_hash(const struct lf_pubkey *k, uint8_t tmp[LF_SHA256_SIZE])
{
    if (k->hash) {
        return k->hash;
    }
    lf_sha256(k->der, k->der_len, tmp);
    return tmp;
}

/*
 * Find the trusted key named by the key TLV. On success *spki points at the
 * key's DER: the trusted copy for KEYHASH, the image's copy (read into
 * der_buf, equal to the trusted one by hash) for PUBKEY.
 */
static int lf_image_find_key(const struct lf_image_tlv_iter *it, const struct lf_image_tlv *t,
                             const struct lf_keyring *keys,
                             uint8_t der_buf[LF_IMAGE_MAX_PUBKEY_SIZE], const uint8_t **spki,
                             size_t *spki_len, uint8_t *index)
{
    uint8_t wanted[LF_SHA256_SIZE];
    uint8_t tmp[LF_SHA256_SIZE];
    bool by_pubkey = t->type == LF_TLV_PUBKEY;
    int err;
    if (by_pubkey) {
        err = lf_image_tlv_read(it, t, 0, der_buf, t->len);
        if (err) {
            return err;
        }
        lf_sha256(der_buf, t->len, wanted);
    } else {
        err = lf_image_tlv_read(it, t, 0, wanted, LF_SHA256_SIZE);
        if (err) {
            return err;
        }
    }
    for (uint8_t i = 0; i < keys->count; i++) {
        const struct lf_pubkey *k = &keys->keys[i];
        if (!k->der && (!by_pubkey || !k->hash)) {
            continue; /* known by hash only: needs the key from the image */
        }
        const uint8_t *khash = lf_key_hash(k, tmp);
        if (!lf_digest_equal(khash, wanted, LF_SHA256_SIZE)) {
            continue;
        }
#if LF_FIH
        lf_fih_t match = lf_fih_memeq(khash, wanted, LF_SHA256_SIZE);
        lf_fih_require(&match); /* the second comparison, other code */
#endif
        *spki = by_pubkey ? der_buf : k->der;
        *spki_len = by_pubkey ? t->len : k->der_len;
        *index = i;
        return LF_OK;
    }
    return LF_E_IMG_UNKNOWN_KEY;
}

static const struct lf_image_sig_alg *lf_find_alg(const struct lf_keyring *keys, uint8_t key_type)
{
    for (uint8_t i = 0; i < keys->alg_count; i++) {
        if (keys->algs[i] && keys->algs[i]->key_type == key_type) {
            return keys->algs[i];
        }
    }
    return NULL;
}

int lf_image_validate(const struct lf_flash_area *fa, uint32_t off, const struct lf_keyring *keys,
                      struct lf_image_info *info)
{
    if (!fa || !keys || !info || (keys->count && !keys->keys) || (keys->alg_count && !keys->algs)) {
        return LF_E_INVAL;
    }
    lf_fih_set(&info->fih, LF_FIH_FAILURE);
    struct lf_fih_ctr steps; /* one step per gate passed, checked before success */
    lf_fih_ctr_init(&steps);
    struct lf_image_header hdr;
    struct lf_image_tlv_iter it;
    struct lf_tlv_scan s;
    int LF_FIH_VOL err = lf_image_scan(fa, off, &hdr, &it, &s);
    if (err) {
        return err;
    }
    LF_FIH_CHECK(err == LF_OK);
    lf_fih_ctr_step(&steps); /* 1: header and TLV structure */
    if (!s.has_key) {
        return LF_E_IMG_NO_KEY;
    }
    if (!s.has_sig) {
        return LF_E_IMG_NO_SIG;
    }

    uint8_t digest[LF_SHA256_SIZE];
    uint8_t expected[LF_SHA256_SIZE];
    err = lf_image_hash(fa, off, it.prot_end, digest);
    if (err) {
        return err;
    }
    err = lf_image_tlv_read(&it, &s.hash, 0, expected, LF_SHA256_SIZE);
    if (err) {
        return err;
    }
    if (!lf_digest_equal(digest, expected, LF_SHA256_SIZE)) {
        return LF_E_IMG_HASH_MISMATCH;
    }
#if LF_FIH
    lf_fih_t hash_ok = lf_fih_memeq(digest, expected, LF_SHA256_SIZE);
    lf_fih_require(&hash_ok);
#endif
    lf_fih_ctr_step(&steps); /* 2: the hash */

    uint8_t der_buf[LF_IMAGE_MAX_PUBKEY_SIZE];
    const uint8_t *spki = NULL;
    size_t spki_len = 0;
    uint8_t key_index = 0;
    err = lf_image_find_key(&it, &s.key, keys, der_buf, &spki, &spki_len, &key_index);
    if (err) {
        return err;
    }
    LF_FIH_CHECK(err == LF_OK);
    lf_fih_ctr_step(&steps); /* 3: a trusted key */
    const struct lf_image_sig_alg *alg = lf_find_alg(keys, keys->keys[key_index].type);
    if (!alg) {
        return LF_E_IMG_NO_SIG_ALG;
    }
    if (s.sig.type != alg->tlv_type) {
        return LF_E_IMG_SIG_TYPE_MISMATCH;
    }
    if (s.sig.len < alg->sig_min || s.sig.len > alg->sig_max || s.sig.len > LF_IMAGE_MAX_SIG_SIZE) {
        return LF_E_IMG_SIG_LEN;
    }
    uint8_t sig[LF_IMAGE_MAX_SIG_SIZE];
    err = lf_image_tlv_read(&it, &s.sig, 0, sig, s.sig.len);
    if (err) {
        return err;
    }
    /* The only path to LF_OK: the verifier said so. Anything else, even a
     * stray positive value, is a rejection. */
    int LF_FIH_VOL verdict = alg->verify(spki, spki_len, digest, sig, s.sig.len);
    if (verdict != LF_OK) {
        return verdict < 0 ? verdict : LF_E_IMG_BAD_SIGNATURE;
    }
    LF_FIH_CHECK(verdict == LF_OK);
    lf_fih_ctr_step(&steps); /* 4: the signature */

    info->hdr = hdr;
    info->tlv_off = (uint32_t)hdr.hdr_size + hdr.img_size;
    info->prot_end = it.prot_end;
    info->tlv_end = it.end;
    memcpy(info->hash, digest, LF_SHA256_SIZE);
    info->has_sec_cnt = s.has_sec_cnt;
    info->sec_cnt = s.has_sec_cnt ? s.sec_cnt : 0;
    info->key_index = key_index;
#if LF_FIH
    /* Every gate passed, each tested twice; the header that gates the
     * decision read once more. Only then the hardened success. */
    const volatile struct lf_image_header *vh = &hdr;
    LF_FIH_CHECK(LF_FIH_EQ(vh->magic, LF_IMAGE_MAGIC));
    LF_FIH_CHECK(vh->hdr_size >= LF_IMAGE_HEADER_SIZE && vh->hdr_size <= LF_IMAGE_MAX_HDR_SIZE);
    LF_FIH_CHECK((vh->flags & (LF_IMAGE_F_NON_BOOTABLE | LF_IMAGE_F_ENCRYPTED_MASK |
                               LF_IMAGE_F_COMPRESSED_MASK)) == 0);
    LF_FIH_CHECK(verdict == LF_OK);
    lf_fih_ctr_check(&steps, 4);
    lf_fih_set(&info->fih, LF_FIH_SUCCESS);
#endif
    return verdict;
}
