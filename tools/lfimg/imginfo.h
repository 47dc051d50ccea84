/*
 * What lfimg pack and dump need to know about a signed image held in
 * memory: the structure is walked with the core's own header check and TLV
 * iterator (so "broken" means what the bootloader would reject), and the
 * SHA256 TLV is recomputed with OpenSSL (an independent check of integrity;
 * the signature needs keys and is lfimg verify's job).
 */
#ifndef LFIMG_IMGINFO_H
#define LFIMG_IMGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/image.h"

struct lfimg_imginfo {
    struct lf_image_header hdr;
    uint32_t end;      /* header + body + both TLV areas: the image's length */
    uint32_t prot_end; /* end of what the SHA256 TLV covers */
    bool has_sec_cnt;  /* protected SEC_CNT TLV present */
    uint32_t sec_cnt;
    uint8_t hash[32]; /* the SHA256 TLV */
    bool hash_ok;     /* it equals SHA-256 of bytes [0, prot_end) */
    bool rom_fixed;
    uint32_t rom_addr; /* ih_load_addr when rom_fixed */
};

/*
 * Parse the image at buf[0..len) (only read; non-const for the flash
 * adapter). Returns LF_OK (with hash_ok telling whether the contents match
 * the hash) or the core's LF_E_IMG_* error for a broken structure.
 */
int lfimg_imginfo_read(uint8_t *buf, size_t len, struct lfimg_imginfo *ii);

/* "M.m.r+b" into out (>= 24 bytes). */
void lfimg_version_str(const struct lf_image_version *v, char *out, size_t cap);

#endif
