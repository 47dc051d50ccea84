/* A byte buffer presented to the core as a flash area (one sector the size
 * of the buffer, byte-writable), so lfimg checks files with the same
 * validator the firmware runs. */
#ifndef LFIMG_RAMFLASH_H
#define LFIMG_RAMFLASH_H

#include <stddef.h>
#include <stdint.h>

#include "lf/flash.h"

struct lfimg_ramflash {
    uint8_t *buf; /* borrowed; must outlive the area */
    struct lf_flash_geometry geo;
    struct lf_flash_dev dev;
    struct lf_flash_area area;
};

/* len must be > 0 and < 4 GiB. Returns 0 or -1. */
int lfimg_ramflash_init(struct lfimg_ramflash *rf, uint8_t *buf, size_t len);

#endif
