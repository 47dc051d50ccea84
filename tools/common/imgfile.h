#ifndef LFMGR_IMGFILE_H
#define LFMGR_IMGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/image.h"

/*
 * Input files of lfmgr: signed MCUboot-format images and the combined
 * stage-1 update file (docs/update-file.md). Host-side structural checks
 * only (the device validates signatures); every offset and length from the
 * file is bounds-checked.
 */

/* What lfmgr needs to know about a signed image held in memory. */
struct lfm_img_info {
    struct lf_image_header hdr;
    uint8_t hash[32]; /* the SHA256 TLV: what `image list` shows and `image test` takes */
    bool has_hash;
    uint32_t total; /* header + body + both TLV areas */
};

/* Inspect the image at p[0..len). Returns 0, or -1 with a reason in why. */
int lfm_img_inspect(const uint8_t *p, size_t len, struct lfm_img_info *info, char *why, size_t cap);

/* ---- the combined update file ---------------------------------------------------- */

#define LFM_UPD_MAGIC       "LFUP"
#define LFM_UPD_VERSION     1u
#define LFM_UPD_HDR_SIZE    16u
#define LFM_UPD_ENTRY_SIZE  16u
#define LFM_UPD_MAX_ENTRIES 8u

struct lfm_upd_entry {
    uint8_t slot;  /* 0 = S0, 1 = S1 */
    uint8_t image; /* SMP image number to upload to (1 = stage 1) */
    uint32_t load_addr;
    uint32_t off;
    uint32_t len;
};

struct lfm_upd {
    unsigned count;
    struct lfm_upd_entry e[LFM_UPD_MAX_ENTRIES];
};

/* True if p[0..len) starts with the update file magic. */
bool lfm_upd_is(const uint8_t *p, size_t len);

/* Parse and check the container and each entry's image (magic, ROM_FIXED,
 * load address equal to the entry's, size within the entry). Returns 0, or
 * -1 with a reason in why. */
int lfm_upd_parse(const uint8_t *p, size_t len, struct lfm_upd *u, char *why, size_t cap);

#endif
