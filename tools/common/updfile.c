/* The tools' reader of signed images and of the stage-1 update file
 * (docs/update-file.md): structure, bounds, ROM_FIXED addresses. */
#include <stdio.h>
#include <string.h>

#include "imgfile.h"

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Walk one TLV area [start, end) whose info header is at start; remember a
 * 32-byte SHA256 TLV. Returns 0 or -1. */
static int walk_tlvs(const uint8_t *p, uint32_t start, uint32_t end, struct lfm_img_info *info)
{
    uint32_t at = start + LF_IMAGE_TLV_INFO_SIZE;
    while (at < end) {
        uint16_t type;
        uint16_t n;
        if (end - at < LF_IMAGE_TLV_HDR_SIZE) {
            return -1;
        }
        type = le16(p + at);
        n = le16(p + at + 2);
        at += LF_IMAGE_TLV_HDR_SIZE;
        if (end - at < n) {
            return -1;
        }
        if (type == LF_TLV_SHA256 && n == 32u) {
            memcpy(info->hash, p + at, 32);
            info->has_hash = true;
        }
        at += n;
    }
    return 0;
}

int lfm_img_inspect(const uint8_t *p, size_t len, struct lfm_img_info *info, char *why, size_t cap)
{
    uint64_t tlv_off;
    uint64_t unprot;
    uint32_t tot;
    memset(info, 0, sizeof(*info));
    if (len < LF_IMAGE_HEADER_SIZE) {
        snprintf(why, cap, "shorter than an image header (%zu bytes)", len);
        return -1;
    }
    lf_image_header_decode(p, &info->hdr);
    if (info->hdr.magic != LF_IMAGE_MAGIC) {
        snprintf(why, cap, "not an MCUboot-format image (magic 0x%08x)", (unsigned)info->hdr.magic);
        return -1;
    }
    tlv_off = (uint64_t)info->hdr.hdr_size + info->hdr.img_size;
    if (info->hdr.hdr_size < LF_IMAGE_HEADER_SIZE || tlv_off > len) {
        snprintf(why, cap, "header announces %llu bytes of header and body, file has %zu",
                 (unsigned long long)tlv_off, len);
        return -1;
    }
    unprot = tlv_off;
    if (info->hdr.protect_tlv_size != 0) {
        if (len - tlv_off < LF_IMAGE_TLV_INFO_SIZE || le16(p + tlv_off) != LF_IMAGE_TLV_PROT_INFO ||
            le16(p + tlv_off + 2) != info->hdr.protect_tlv_size ||
            len - tlv_off < info->hdr.protect_tlv_size ||
            walk_tlvs(p, (uint32_t)tlv_off, (uint32_t)(tlv_off + info->hdr.protect_tlv_size),
                      info) != 0) {
            snprintf(why, cap, "bad protected TLV area");
            return -1;
        }
        unprot = tlv_off + info->hdr.protect_tlv_size;
    }
    if (len - unprot < LF_IMAGE_TLV_INFO_SIZE || le16(p + unprot) != LF_IMAGE_TLV_INFO) {
        snprintf(why, cap, "no TLV area after the image body");
        return -1;
    }
    tot = le16(p + unprot + 2);
    if (tot < LF_IMAGE_TLV_INFO_SIZE || len - unprot < tot ||
        walk_tlvs(p, (uint32_t)unprot, (uint32_t)(unprot + tot), info) != 0) {
        snprintf(why, cap, "bad TLV area");
        return -1;
    }
    info->total = (uint32_t)(unprot + tot);
    return 0;
}

bool lfm_upd_is(const uint8_t *p, size_t len)
{
    return len >= 4 && memcmp(p, LFM_UPD_MAGIC, 4) == 0;
}

int lfm_upd_parse(const uint8_t *p, size_t len, struct lfm_upd *u, char *why, size_t cap)
{
    unsigned n;
    unsigned i;
    uint32_t table_end;
    memset(u, 0, sizeof(*u));
    if (len < LFM_UPD_HDR_SIZE || !lfm_upd_is(p, len)) {
        snprintf(why, cap, "not an update file");
        return -1;
    }
    if (p[4] != LFM_UPD_VERSION) {
        snprintf(why, cap, "update file format version %u (this lfmgr reads version %u)", p[4],
                 LFM_UPD_VERSION);
        return -1;
    }
    n = p[5];
    if (n == 0 || n > LFM_UPD_MAX_ENTRIES || le16(p + 6) != LFM_UPD_ENTRY_SIZE ||
        le32(p + 12) != 0) {
        snprintf(why, cap, "bad update file header (entries %u, entry size %u)", n, le16(p + 6));
        return -1;
    }
    if (le32(p + 8) != len) {
        snprintf(why, cap, "update file truncated or padded: header says %u bytes, file has %zu",
                 (unsigned)le32(p + 8), len);
        return -1;
    }
    table_end = LFM_UPD_HDR_SIZE + n * LFM_UPD_ENTRY_SIZE;
    if (len < table_end) {
        snprintf(why, cap, "update file shorter than its entry table");
        return -1;
    }
    for (i = 0; i < n; i++) {
        const uint8_t *e = p + LFM_UPD_HDR_SIZE + i * LFM_UPD_ENTRY_SIZE;
        struct lfm_upd_entry *x = &u->e[i];
        struct lfm_img_info info;
        char sub[160];
        unsigned j;
        x->slot = e[0];
        x->image = e[1];
        x->load_addr = le32(e + 4);
        x->off = le32(e + 8);
        x->len = le32(e + 12);
        if (x->slot > 1u || le16(e + 2) != 0) {
            snprintf(why, cap, "entry %u: bad slot %u", i, x->slot);
            return -1;
        }
        if (x->off < table_end || x->off > len || x->len > len - x->off || x->len == 0) {
            snprintf(why, cap, "entry %u: image at %u+%u outside the file", i, (unsigned)x->off,
                     (unsigned)x->len);
            return -1;
        }
        for (j = 0; j < i; j++) {
            const struct lfm_upd_entry *y = &u->e[j];
            if (y->slot == x->slot && y->image == x->image) {
                snprintf(why, cap, "entries %u and %u are both for image %u slot S%u", j, i,
                         x->image, x->slot);
                return -1;
            }
            if (x->off < y->off + y->len && y->off < x->off + x->len) {
                snprintf(why, cap, "entries %u and %u overlap", j, i);
                return -1;
            }
        }
        if (lfm_img_inspect(p + x->off, x->len, &info, sub, sizeof(sub)) != 0) {
            snprintf(why, cap, "entry %u (S%u): %s", i, x->slot, sub);
            return -1;
        }
        if ((info.hdr.flags & LF_IMAGE_F_ROM_FIXED) == 0 || info.hdr.load_addr != x->load_addr) {
            snprintf(why, cap, "entry %u (S%u): the image is %s 0x%08x but the entry says 0x%08x",
                     i, x->slot,
                     (info.hdr.flags & LF_IMAGE_F_ROM_FIXED) ? "linked for" : "not ROM_FIXED, load",
                     (unsigned)info.hdr.load_addr, (unsigned)x->load_addr);
            return -1;
        }
    }
    u->count = n;
    return 0;
}
