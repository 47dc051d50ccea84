/* The stage-1 key table of the virtual device (s1_keys.h). */
#include "s1_keys.h"

#include <string.h>

#include "lf/err.h"

static const uint8_t s1_magic[4] = {'L', 'F', 'K', '1'};

static size_t s1_pad4(size_t n)
{
    return (n + 3u) & ~(size_t)3u;
}

int lfsim_s1_keys_parse(struct lfsim_s1_keys *k, const uint8_t *buf, size_t len)
{
    memset(k, 0, sizeof(*k));
    if (len > sizeof(k->table)) {
        len = sizeof(k->table); /* a table never needs more */
    }
    if (len < 8u || memcmp(buf, s1_magic, sizeof(s1_magic)) != 0) {
        return LF_E_CORRUPT;
    }
    memcpy(k->table, buf, len);
    uint8_t count = k->table[4];
    if (count == 0 || count > LFSIM_S1_KEYS_MAX) {
        return LF_E_CORRUPT;
    }
    size_t off = 8;
    for (uint8_t i = 0; i < count; i++) {
        if (len - off < 4u) {
            return LF_E_CORRUPT;
        }
        uint8_t type = k->table[off];
        uint16_t der_len = (uint16_t)(k->table[off + 2] | (k->table[off + 3] << 8));
        off += 4;
        if ((type != LF_KEY_ECDSA_P256 && type != LF_KEY_ED25519) || der_len == 0 ||
            der_len > LFSIM_S1_KEY_DER_MAX || der_len > len - off) {
            return LF_E_CORRUPT;
        }
        k->keys[i] = (struct lf_pubkey){type, der_len, &k->table[off], NULL};
        off += s1_pad4(der_len);
        if (off > len) {
            off = len; /* the last key's padding may be cut off */
        }
    }
    k->ring =
        (struct lf_keyring){k->keys, count, lf_image_sig_algs_all, LF_IMAGE_SIG_ALGS_ALL_COUNT};
    return LF_OK;
}

int lfsim_s1_keys_load(struct lfsim_s1_keys *k, const struct lf_flash_area *fa)
{
    struct lf_image_header hdr;
    int err = lf_image_read_header(fa, 0, &hdr);
    if (err) {
        return err;
    }
    uint8_t buf[LFSIM_S1_TABLE_MAX];
    uint32_t n = hdr.img_size < sizeof(buf) ? hdr.img_size : (uint32_t)sizeof(buf);
    err = lf_flash_area_read(fa, hdr.hdr_size, buf, n);
    if (err) {
        return err;
    }
    return lfsim_s1_keys_parse(k, buf, n);
}

size_t lfsim_s1_keys_encode(const struct lf_pubkey *keys, unsigned n, uint8_t *out, size_t cap)
{
    if (n == 0 || n > LFSIM_S1_KEYS_MAX || cap < 8u) {
        return 0;
    }
    memset(out, 0, cap);
    memcpy(out, s1_magic, sizeof(s1_magic));
    out[4] = (uint8_t)n;
    size_t off = 8;
    for (unsigned i = 0; i < n; i++) {
        size_t need = 4u + s1_pad4(keys[i].der_len);
        if (keys[i].der_len == 0 || keys[i].der_len > LFSIM_S1_KEY_DER_MAX || cap - off < need) {
            return 0;
        }
        out[off] = keys[i].type;
        out[off + 2] = (uint8_t)keys[i].der_len;
        out[off + 3] = (uint8_t)(keys[i].der_len >> 8);
        memcpy(&out[off + 4], keys[i].der, keys[i].der_len);
        off += need;
    }
    return off;
}
