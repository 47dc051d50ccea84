#include "layout.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "util.h"

/* Legacy ECDSA signature length of imgtool --pad-sig (zero-padded DER). */
#define LFIMG_PAD_SIG_LEN 72u

static uint32_t lfimg_align_up(uint32_t v, uint32_t a)
{
    return (v + a - 1) / a * a;
}

uint32_t lfimg_max_align(const struct lfimg_sign_opts *o)
{
    if (o->max_align) {
        return o->max_align;
    }
    return o->align > 8 ? o->align : 8;
}

uint32_t lfimg_trailer_size(uint32_t align, uint32_t max_align, uint32_t max_sectors,
                            bool overwrite_only)
{
    uint32_t magic = lfimg_align_up(LFIMG_MAGIC_SIZE, max_align);
    if (overwrite_only) {
        return 2 * max_align + magic;
    }
    /* status area (3 records per sector) + image_ok, copy_done, swap_info,
     * swap_size + magic */
    return max_sectors * 3 * align + 4 * max_align + magic;
}

void lfimg_boot_magic(uint32_t max_align, uint8_t magic[LFIMG_MAGIC_SIZE])
{
    static const uint8_t legacy[LFIMG_MAGIC_SIZE] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2,
                                                     0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f,
                                                     0x2c, 0xb6, 0x79, 0x80};
    static const uint8_t tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                     0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};
    if (max_align == 8) {
        memcpy(magic, legacy, LFIMG_MAGIC_SIZE);
        return;
    }
    lfimg_put_le16(magic, (uint16_t)max_align);
    memcpy(magic + 2, tail, sizeof(tail));
}

/* Append one TLV entry; the caller sized buf. */
static size_t lfimg_put_tlv(uint8_t *buf, uint16_t type, const uint8_t *val, uint16_t len)
{
    lfimg_put_le16(buf, type);
    lfimg_put_le16(buf + 2, len);
    memcpy(buf + 4, val, len);
    return 4u + len;
}

/* Largest image (header .. end of TLVs) the strategy's bootloader accepts
 * in a slot of the given size (docs/reference/mcuboot.md 2.1, 3.8). */
static uint64_t lfimg_strategy_limit(const struct lfimg_sign_opts *o, const char **name)
{
    uint32_t a = lfimg_max_align(o);
    uint32_t w = o->align;
    uint32_t magic = lfimg_align_up(LFIMG_MAGIC_SIZE, a);
    uint64_t s = o->slot_size;
    uint64_t sec = o->sector_size;
    uint64_t t;
    switch (o->strategy) {
    case LFIMG_STRATEGY_SWAP_SCRATCH:
        *name = "swap-scratch";
        t = (uint64_t)o->max_sectors * 3 * w + 4 * a + magic;
        return s > t ? s - t : 0;
    case LFIMG_STRATEGY_SWAP_MOVE:
        /* one sector of the primary slot is the move space */
        *name = "swap-move";
        t = (uint64_t)o->max_sectors * 3 * w + 4 * a + magic;
        t = (t + sec - 1) / sec * sec;
        return s > t + sec ? s - t - sec : 0;
    case LFIMG_STRATEGY_SWAP_OFFSET:
        /* 2 status records per sector, one more info field; the secondary
         * copy sits one sector higher */
        *name = "swap-offset";
        t = (uint64_t)o->max_sectors * 2 * w + 5 * a + magic;
        t = (t + sec - 1) / sec * sec;
        return s > t + sec ? s - t - sec : 0;
    case LFIMG_STRATEGY_OVERWRITE_ONLY:
        /* MCUboot lets the image run up to the swap_info field */
        *name = "overwrite-only";
        t = magic + 3 * (uint64_t)a;
        return s > t ? s - t : 0;
    case LFIMG_STRATEGY_IMGTOOL:
    default:
        *name = "imgtool";
        return s;
    }
}

static int lfimg_check_fit(const struct lfimg_sign_opts *o, size_t image_len)
{
    uint32_t a = lfimg_max_align(o);
    uint64_t tsize = lfimg_trailer_size(o->align, a, o->max_sectors, o->overwrite_only);
    if ((uint64_t)image_len + tsize > o->slot_size) {
        lfimg_err("image (0x%zx bytes) + trailer (0x%llx) exceed the slot size 0x%x by %llu bytes",
                  image_len, (unsigned long long)tsize, o->slot_size,
                  (unsigned long long)(image_len + tsize - o->slot_size));
        return -1;
    }
    if (o->strategy != LFIMG_STRATEGY_IMGTOOL) {
        const char *name;
        uint64_t limit = lfimg_strategy_limit(o, &name);
        if (image_len > limit) {
            lfimg_err("image (0x%zx bytes) is %llu bytes too big for a 0x%x-byte slot with %s "
                      "(largest image 0x%llx)",
                      image_len, (unsigned long long)(image_len - limit), o->slot_size, name,
                      (unsigned long long)limit);
            return -1;
        }
    }
    return 0;
}

static void lfimg_put_header(uint8_t *img, const struct lfimg_sign_opts *o, uint32_t img_size,
                             uint16_t prot_size)
{
    uint32_t flags = 0;
    if (o->load_addr) {
        flags |= LF_IMAGE_F_RAM_LOAD;
    }
    if (o->rom_fixed) {
        flags |= LF_IMAGE_F_ROM_FIXED;
    }
    if (o->non_bootable) {
        flags |= LF_IMAGE_F_NON_BOOTABLE;
    }
    lfimg_put_le32(img + 0, LF_IMAGE_MAGIC);
    lfimg_put_le32(img + 4, o->rom_fixed ? o->rom_fixed : o->load_addr);
    lfimg_put_le16(img + 8, (uint16_t)o->header_size);
    lfimg_put_le16(img + 10, prot_size);
    lfimg_put_le32(img + 12, img_size);
    lfimg_put_le32(img + 16, flags);
    img[20] = o->version.major;
    img[21] = o->version.minor;
    lfimg_put_le16(img + 22, o->version.revision);
    lfimg_put_le32(img + 24, o->version.build);
    lfimg_put_le32(img + 28, 0);
}

int lfimg_build(const struct lfimg_sign_opts *o, const struct lfimg_key *key,
                const uint8_t *payload, size_t payload_len, uint8_t **out, size_t *out_len)
{
    size_t body_len = o->pad_header ? payload_len + o->header_size : payload_len;
    if (!o->pad_header) {
        if (payload_len < o->header_size) {
            lfimg_err("input (%zu bytes) is shorter than the header size 0x%x", payload_len,
                      o->header_size);
            return -1;
        }
        for (size_t i = 0; i < o->header_size; i++) {
            if (payload[i] != 0) {
                lfimg_err("the input does not start with 0x%x zero bytes for the header; "
                          "use --pad-header",
                          o->header_size);
                return -1;
            }
        }
    }
    if (body_len - o->header_size > UINT32_MAX) {
        lfimg_err("payload too large");
        return -1;
    }

    /* Protected TLV area. */
    size_t prot_len = 0;
    if (o->has_sec_cnt) {
        prot_len += 4 + 4;
    }
    for (int i = 0; i < o->ncustom; i++) {
        prot_len += 4u + o->custom[i].len;
    }
    if (prot_len) {
        prot_len += LF_IMAGE_TLV_INFO_SIZE;
    }
    if (prot_len > UINT16_MAX) {
        lfimg_err("protected TLV area too large (%zu bytes)", prot_len);
        return -1;
    }
    /* Unprotected area: info + SHA256 + key + signature (at most 72 bytes). */
    size_t key_tlv = o->pubkey_full ? key->spki_len : 32;
    size_t unprot_max = LF_IMAGE_TLV_INFO_SIZE + (4 + 32) + (4 + key_tlv) + (4 + 72);
    size_t cap = body_len + prot_len + unprot_max;
    uint8_t *img = malloc(cap);
    if (!img) {
        lfimg_err("out of memory");
        return -1;
    }
    if (o->pad_header) {
        /* imgtool fills the header gap with the erased value */
        memset(img, o->erased_val, o->header_size);
        memcpy(img + o->header_size, payload, payload_len);
    } else {
        memcpy(img, payload, payload_len);
    }
    lfimg_put_header(img, o, (uint32_t)(body_len - o->header_size), (uint16_t)prot_len);

    size_t pos = body_len;
    if (prot_len) {
        lfimg_put_le16(img + pos, LF_IMAGE_TLV_PROT_INFO);
        lfimg_put_le16(img + pos + 2, (uint16_t)prot_len);
        pos += 4;
        if (o->has_sec_cnt) {
            uint8_t v[4];
            lfimg_put_le32(v, o->sec_cnt);
            pos += lfimg_put_tlv(img + pos, LF_TLV_SEC_CNT, v, 4);
        }
        for (int i = 0; i < o->ncustom; i++) {
            pos += lfimg_put_tlv(img + pos, o->custom[i].tag, o->custom[i].val, o->custom[i].len);
        }
    }

    uint8_t digest[32];
    SHA256(img, pos, digest);
    uint8_t sig[LFIMG_PAD_SIG_LEN + 8];
    size_t sig_len = sizeof(sig);
    if (lfimg_key_sign(key, digest, sig, &sig_len) != 0) {
        free(img);
        return -1;
    }
    if (sig_len > LFIMG_PAD_SIG_LEN) {
        lfimg_err("unexpected signature length %zu", sig_len);
        free(img);
        return -1;
    }
    if (o->pad_sig && key->type == LF_KEY_ECDSA_P256) {
        memset(sig + sig_len, 0, LFIMG_PAD_SIG_LEN - sig_len);
        sig_len = LFIMG_PAD_SIG_LEN;
    }

    size_t info = pos;
    pos += 4;
    pos += lfimg_put_tlv(img + pos, LF_TLV_SHA256, digest, 32);
    if (o->pubkey_full) {
        pos += lfimg_put_tlv(img + pos, LF_TLV_PUBKEY, key->spki, (uint16_t)key->spki_len);
    } else {
        pos += lfimg_put_tlv(img + pos, LF_TLV_KEYHASH, key->spki_hash, 32);
    }
    uint16_t sig_type = key->type == LF_KEY_ED25519 ? LF_TLV_ED25519 : LF_TLV_ECDSA_SIG;
    pos += lfimg_put_tlv(img + pos, sig_type, sig, (uint16_t)sig_len);
    lfimg_put_le16(img + info, LF_IMAGE_TLV_INFO);
    lfimg_put_le16(img + info + 2, (uint16_t)(pos - info));

    if (lfimg_check_fit(o, pos) != 0) {
        free(img);
        return -1;
    }
    if (o->pad) {
        uint32_t a = lfimg_max_align(o);
        uint8_t *padded = realloc(img, o->slot_size);
        if (!padded) {
            free(img);
            lfimg_err("out of memory");
            return -1;
        }
        img = padded;
        memset(img + pos, o->erased_val, o->slot_size - pos);
        lfimg_boot_magic(a, img + o->slot_size - LFIMG_MAGIC_SIZE);
        if (o->confirm && !o->overwrite_only) {
            /* image_ok: first byte of the A-byte unit before the magic unit */
            img[o->slot_size - lfimg_align_up(LFIMG_MAGIC_SIZE, a) - a] = 0x01;
        }
        pos = o->slot_size;
    }
    *out = img;
    *out_len = pos;
    return 0;
}
