/*
 * TLV areas (docs/reference/mcuboot.md 1.5): the two info headers and a cursor over the entries.
 * Every position is an image offset below `end`, and `end` is checked against
 * the flash area once, in lf_image_tlv_iter_begin, so later reads cannot
 * leave the area. Sums are done in 64 bits where the operands come from flash.
 */
#include "lf/image.h"

#include "lf/err.h"

struct lf_tlv_info {
    uint16_t magic;
    uint16_t tot;
};

static int lf_read_info(const struct lf_flash_area *fa, uint32_t img_off, uint32_t pos,
                        struct lf_tlv_info *info)
{
    uint8_t raw[LF_IMAGE_TLV_INFO_SIZE];
    int err = lf_flash_area_read(fa, img_off + pos, raw, sizeof(raw));
    if (err) {
        return err;
    }
    info->magic = (uint16_t)(raw[0] | (raw[1] << 8));
    info->tot = (uint16_t)(raw[2] | (raw[3] << 8));
    return LF_OK;
}

int lf_image_tlv_iter_begin(struct lf_image_tlv_iter *it, const struct lf_flash_area *fa,
                            uint32_t img_off, const struct lf_image_header *hdr)
{
    if (img_off > fa->size) {
        return LF_E_IMG_TOO_BIG;
    }
    uint64_t avail = fa->size - img_off;
    uint64_t tlv_off = (uint64_t)hdr->hdr_size + hdr->img_size;
    uint64_t prot_end = tlv_off + hdr->protect_tlv_size;
    if (prot_end + LF_IMAGE_TLV_INFO_SIZE > avail) {
        return LF_E_IMG_TOO_BIG;
    }
    /* From here every value below is < avail <= UINT32_MAX. */
    struct lf_tlv_info info;
    int err = lf_read_info(fa, img_off, (uint32_t)tlv_off, &info);
    if (err) {
        return err;
    }
    if (hdr->protect_tlv_size != 0) {
        if (info.magic != LF_IMAGE_TLV_PROT_INFO) {
            return LF_E_IMG_PROT_INFO_MAGIC;
        }
        if (hdr->protect_tlv_size < LF_IMAGE_TLV_INFO_SIZE) {
            return LF_E_IMG_TLV_INFO_SIZE;
        }
        if (info.tot != hdr->protect_tlv_size) {
            return LF_E_IMG_PROT_SIZE_MISMATCH;
        }
        err = lf_read_info(fa, img_off, (uint32_t)prot_end, &info);
        if (err) {
            return err;
        }
    } else if (info.magic == LF_IMAGE_TLV_PROT_INFO) {
        /* A protected area the header does not account for would be left
         * out of the hash: refuse it rather than skip it. */
        return LF_E_IMG_PROT_SIZE_MISMATCH;
    }
    if (info.magic != LF_IMAGE_TLV_INFO) {
        return LF_E_IMG_TLV_INFO_MAGIC;
    }
    if (info.tot < LF_IMAGE_TLV_INFO_SIZE) {
        return LF_E_IMG_TLV_INFO_SIZE;
    }
    if (prot_end + info.tot > avail) {
        return LF_E_IMG_TLV_AREA_OVERFLOW;
    }
    it->fa = fa;
    it->img_off = img_off;
    it->prot_end = (uint32_t)prot_end;
    it->unprot_first = (uint32_t)prot_end + LF_IMAGE_TLV_INFO_SIZE;
    it->end = (uint32_t)prot_end + info.tot;
    it->cur =
        hdr->protect_tlv_size != 0 ? (uint32_t)tlv_off + LF_IMAGE_TLV_INFO_SIZE : it->unprot_first;
    return LF_OK;
}

int lf_image_tlv_iter_next(struct lf_image_tlv_iter *it, struct lf_image_tlv *tlv)
{
    /* The protected entries end exactly at prot_end (anything else is an
     * overflow below); the unprotected info header sits there. */
    if (it->cur == it->prot_end) {
        it->cur = it->unprot_first;
    }
    if (it->cur >= it->end) {
        return 0;
    }
    bool prot = it->cur < it->prot_end;
    uint32_t section_end = prot ? it->prot_end : it->end;
    if (section_end - it->cur < LF_IMAGE_TLV_HDR_SIZE) {
        return LF_E_IMG_TLV_ENTRY_OVERFLOW;
    }
    uint8_t raw[LF_IMAGE_TLV_HDR_SIZE];
    int err = lf_flash_area_read(it->fa, it->img_off + it->cur, raw, sizeof(raw));
    if (err) {
        return err;
    }
    uint16_t type = (uint16_t)(raw[0] | (raw[1] << 8));
    uint16_t len = (uint16_t)(raw[2] | (raw[3] << 8));
    if (len > section_end - it->cur - LF_IMAGE_TLV_HDR_SIZE) {
        return LF_E_IMG_TLV_ENTRY_OVERFLOW;
    }
    tlv->type = type;
    tlv->len = len;
    tlv->off = it->cur + LF_IMAGE_TLV_HDR_SIZE;
    tlv->prot = prot;
    it->cur = tlv->off + len;
    return 1;
}

int lf_image_tlv_read(const struct lf_image_tlv_iter *it, const struct lf_image_tlv *tlv,
                      uint32_t at, void *buf, uint32_t len)
{
    if (at > tlv->len || len > tlv->len - at) {
        return LF_E_RANGE;
    }
    return lf_flash_area_read(it->fa, it->img_off + tlv->off + at, buf, len);
}
