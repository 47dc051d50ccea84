/*
 * Image header: decoding and the acceptance checks made before anything is
 * hashed (docs/reference/mcuboot.md 1.2-1.4).
 */
#include "lf/image.h"

#include "lf/err.h"

static uint16_t lf_get_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t lf_get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void lf_image_header_decode(const uint8_t raw[LF_IMAGE_HEADER_SIZE], struct lf_image_header *hdr)
{
    hdr->magic = lf_get_le32(raw + 0);
    hdr->load_addr = lf_get_le32(raw + 4);
    hdr->hdr_size = lf_get_le16(raw + 8);
    hdr->protect_tlv_size = lf_get_le16(raw + 10);
    hdr->img_size = lf_get_le32(raw + 12);
    hdr->flags = lf_get_le32(raw + 16);
    hdr->version.major = raw[20];
    hdr->version.minor = raw[21];
    hdr->version.revision = lf_get_le16(raw + 22);
    hdr->version.build = lf_get_le32(raw + 24);
}

int lf_image_header_check(const struct lf_image_header *hdr, uint32_t avail)
{
    if (hdr->magic != LF_IMAGE_MAGIC) {
        return LF_E_IMG_BAD_MAGIC;
    }
    if (hdr->hdr_size < LF_IMAGE_HEADER_SIZE) {
        return LF_E_IMG_HDR_TOO_SMALL;
    }
    if (hdr->hdr_size > LF_IMAGE_MAX_HDR_SIZE) {
        return LF_E_IMG_HDR_TOO_LARGE;
    }
    if (hdr->flags & LF_IMAGE_F_NON_BOOTABLE) {
        return LF_E_IMG_NON_BOOTABLE;
    }
    if (hdr->flags & LF_IMAGE_F_ENCRYPTED_MASK) {
        return LF_E_IMG_ENCRYPTED;
    }
    if (hdr->flags & LF_IMAGE_F_COMPRESSED_MASK) {
        return LF_E_IMG_COMPRESSED;
    }
    /* hdr_size and protect_tlv_size are 16-bit, so the sum below cannot
     * wrap in 64 bits; compare against avail only after summing. The
     * unprotected TLV info must fit after the protected area. */
    uint64_t end =
        (uint64_t)hdr->hdr_size + hdr->img_size + hdr->protect_tlv_size + LF_IMAGE_TLV_INFO_SIZE;
    if (end > avail) {
        return LF_E_IMG_TOO_BIG;
    }
    return LF_OK;
}

int lf_image_read_header(const struct lf_flash_area *fa, uint32_t off, struct lf_image_header *hdr)
{
    uint8_t raw[LF_IMAGE_HEADER_SIZE];
    if (off > fa->size || fa->size - off < LF_IMAGE_HEADER_SIZE) {
        return LF_E_IMG_TOO_BIG;
    }
    int err = lf_flash_area_read(fa, off, raw, sizeof(raw));
    if (err) {
        return err;
    }
    lf_image_header_decode(raw, hdr);
    return lf_image_header_check(hdr, fa->size - off);
}

int lf_image_rom_fixed_addr(const struct lf_image_header *hdr, uint32_t *addr)
{
    if (!(hdr->flags & LF_IMAGE_F_ROM_FIXED)) {
        return LF_E_IMG_NOT_ROM_FIXED;
    }
    *addr = hdr->load_addr;
    return LF_OK;
}

static int lf_cmp_u32(uint32_t a, uint32_t b)
{
    return (a > b) - (a < b);
}

int lf_image_version_cmp(const struct lf_image_version *a, const struct lf_image_version *b)
{
    int c = lf_cmp_u32(a->major, b->major);
    if (c == 0) {
        c = lf_cmp_u32(a->minor, b->minor);
    }
    if (c == 0) {
        c = lf_cmp_u32(a->revision, b->revision);
    }
    return c;
}
