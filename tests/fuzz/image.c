/*
 * Fuzz target: MCUboot-format image parsing and validation (core/image).
 * The input is the content of a slot, presented as a RAM flash area of
 * exactly its size. Validation runs with a fixed keyring (the imgtool vector
 * keys, so seeds from tests/vectors/imgtool reach the signature code);
 * when it fails only on the hash, the SHA256 TLV is rewritten and validation
 * runs again, so mutations of the header and protected TLVs also reach the
 * key and signature stages. Invariants are checked with abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "lf/image.h"

static const uint8_t fuzz_key_ec[91] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04, 0x3f, 0x72, 0x94, 0x10, 0xc1,
    0x75, 0xab, 0x9c, 0xff, 0x92, 0x74, 0x4b, 0x51, 0x7b, 0xe7, 0xf7, 0x1d, 0x7a, 0x94, 0xec, 0xc9,
    0xc5, 0xc8, 0xf7, 0xeb, 0x18, 0xcd, 0xdb, 0x28, 0x8b, 0xdc, 0xbc, 0xd6, 0xd1, 0x7b, 0x90, 0x42,
    0x17, 0x31, 0x66, 0x5d, 0xd5, 0xd3, 0xec, 0x04, 0xc7, 0x1e, 0xa7, 0x3c, 0xe8, 0x75, 0xb8, 0xec,
    0xc1, 0x26, 0x94, 0xae, 0xc8, 0xcb, 0xc0, 0x9f, 0x0e, 0x41, 0xd8,
};

static const uint8_t fuzz_key_ed[44] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00, 0xbf, 0x72, 0x6f,
    0x52, 0xa4, 0xa0, 0xcb, 0x40, 0x36, 0x0c, 0x6d, 0x94, 0x8e, 0xeb, 0x22, 0xb1, 0x62, 0xd4,
    0x9d, 0x95, 0xcb, 0xce, 0xdc, 0x7e, 0xbb, 0xba, 0x90, 0xfa, 0xac, 0xa2, 0x0a, 0xab,
};

static const struct lf_pubkey fuzz_keys[2] = {
    {.type = LF_KEY_ECDSA_P256, .der_len = sizeof(fuzz_key_ec), .der = fuzz_key_ec},
    {.type = LF_KEY_ED25519, .der_len = sizeof(fuzz_key_ed), .der = fuzz_key_ed},
};

static const struct lf_keyring fuzz_ring = {
    .keys = fuzz_keys,
    .count = 2,
    .algs = lf_image_sig_algs_all,
    .alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
};

struct fuzz_mem {
    uint8_t *buf;
    uint32_t len;
};

static int fuzz_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct fuzz_mem *m = ctx;
    if (off > m->len || len > m->len - off) {
        abort(); /* the flash layer must have refused this */
    }
    memcpy(buf, m->buf + off, len);
    return LF_OK;
}

static int fuzz_no_write(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    (void)ctx;
    (void)off;
    (void)buf;
    (void)len;
    abort(); /* validation never writes */
}

static int fuzz_no_erase(void *ctx, uint32_t off, uint32_t len)
{
    (void)ctx;
    (void)off;
    (void)len;
    abort();
}

static const struct lf_flash_ops fuzz_ops = {fuzz_read, fuzz_no_write, fuzz_no_erase};

/* Structural walk: every entry inside the image, in increasing order. */
static void fuzz_walk(const struct lf_flash_area *fa, uint32_t len)
{
    struct lf_image_header h;
    if (lf_image_read_header(fa, 0, &h) != LF_OK) {
        return;
    }
    struct lf_image_tlv_iter it;
    if (lf_image_tlv_iter_begin(&it, fa, 0, &h) != LF_OK) {
        return;
    }
    if (it.end > len || it.prot_end > it.end) {
        abort();
    }
    struct lf_image_tlv t;
    uint32_t last = 0;
    int rc;
    while ((rc = lf_image_tlv_iter_next(&it, &t)) == 1) {
        if (t.off < last || t.off > it.end || t.len > it.end - t.off) {
            abort();
        }
        if (t.prot != (t.off < it.prot_end)) {
            abort();
        }
        uint8_t b;
        if (t.len > 0 && lf_image_tlv_read(&it, &t, t.len - 1u, &b, 1) != LF_OK) {
            abort();
        }
        last = t.off + t.len;
    }
    if (rc < 0 && rc != LF_E_IMG_TLV_ENTRY_OVERFLOW) {
        abort();
    }
}

/* Rewrite the SHA256 TLV with the digest of [0, prot_end); 0 if done. */
static int fuzz_fix_hash(const struct lf_flash_area *fa, struct fuzz_mem *m)
{
    struct lf_image_header h;
    struct lf_image_tlv_iter it;
    struct lf_image_tlv t;
    if (lf_image_read_header(fa, 0, &h) != LF_OK ||
        lf_image_tlv_iter_begin(&it, fa, 0, &h) != LF_OK) {
        return -1;
    }
    while (lf_image_tlv_iter_next(&it, &t) == 1) {
        if (!t.prot && t.type == LF_TLV_SHA256 && t.len == LF_SHA256_SIZE) {
            lf_sha256(m->buf, it.prot_end, m->buf + t.off);
            return 0;
        }
    }
    return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > (1u << 20)) {
        return 0;
    }
    struct fuzz_mem m = {malloc(size), (uint32_t)size};
    if (!m.buf) {
        return 0;
    }
    memcpy(m.buf, data, size);
    struct lf_flash_geometry geo = {
        .part = "fuzz",
        .size = (uint32_t)size,
        .run_count = 1,
        .erase_value = 0xff,
        .write_align = 1,
        .runs = {{1, (uint32_t)size}},
    };
    struct lf_flash_dev dev = {&geo, &fuzz_ops, &m, LF_FLASH_NOT_MAPPED};
    struct lf_flash_area fa = {.id = 0, .dev = &dev, .off = 0, .size = (uint32_t)size};

    fuzz_walk(&fa, (uint32_t)size);
    uint8_t hash[LF_SHA256_SIZE];
    (void)lf_image_get_hash(&fa, 0, hash);

    for (int round = 0; round < 2; round++) {
        struct lf_image_info info;
        int err = lf_image_validate(&fa, 0, &fuzz_ring, &info);
        if (err > 0) {
            abort();
        }
        if (err == LF_OK) {
            if (info.tlv_end > size || info.prot_end > info.tlv_end ||
                info.tlv_off > info.prot_end || info.key_index >= 2) {
                abort();
            }
            break;
        }
        if (err != LF_E_IMG_HASH_MISMATCH) {
            break;
        }
        if (round == 1 || fuzz_fix_hash(&fa, &m) != 0) {
            abort(); /* a rewritten hash must match */
        }
    }
    free(m.buf);
    return 0;
}
