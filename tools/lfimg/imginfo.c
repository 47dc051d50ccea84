#include "imginfo.h"

#include <stdio.h>
#include <string.h>

#include <openssl/sha.h>

#include "lf/err.h"
#include "ramflash.h"

int lfimg_imginfo_read(uint8_t *buf, size_t len, struct lfimg_imginfo *ii)
{
    memset(ii, 0, sizeof(*ii));
    if (len < LF_IMAGE_HEADER_SIZE) {
        return LF_E_IMG_TOO_BIG; /* what the core says of an image larger than its area */
    }
    struct lfimg_ramflash rf;
    if (lfimg_ramflash_init(&rf, buf, len) != 0) {
        return LF_E_INVAL;
    }
    int err = lf_image_read_header(&rf.area, 0, &ii->hdr);
    if (err) {
        return err;
    }
    struct lf_image_tlv_iter it;
    err = lf_image_tlv_iter_begin(&it, &rf.area, 0, &ii->hdr);
    if (err) {
        return err;
    }
    ii->end = it.end;
    ii->prot_end = it.prot_end;
    struct lf_image_tlv t;
    int rc;
    while ((rc = lf_image_tlv_iter_next(&it, &t)) > 0) {
        if (t.prot && t.type == LF_TLV_SEC_CNT && t.len == 4) {
            uint8_t v[4];
            err = lf_image_tlv_read(&it, &t, 0, v, 4);
            if (err) {
                return err;
            }
            ii->has_sec_cnt = true;
            ii->sec_cnt = (uint32_t)v[0] | ((uint32_t)v[1] << 8) | ((uint32_t)v[2] << 16) |
                          ((uint32_t)v[3] << 24);
        }
    }
    if (rc < 0) {
        return rc;
    }
    /* Exactly one well-formed SHA256 TLV, as the validator demands. */
    err = lf_image_get_hash(&rf.area, 0, ii->hash);
    if (err) {
        return err;
    }
    uint8_t digest[32];
    SHA256(buf, ii->prot_end, digest);
    ii->hash_ok = memcmp(digest, ii->hash, sizeof(digest)) == 0;
    ii->rom_fixed = lf_image_rom_fixed_addr(&ii->hdr, &ii->rom_addr) == LF_OK;
    return LF_OK;
}

void lfimg_version_str(const struct lf_image_version *v, char *out, size_t cap)
{
    snprintf(out, cap, "%u.%u.%u+%u", v->major, v->minor, v->revision, (unsigned)v->build);
}
