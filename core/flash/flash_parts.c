/*
 * Geometry of every flash part Leapfrog knows. A new part is a new entry
 * here (and in lf_flash_parts[]); nothing else changes.
 */
#include "lf/flash.h"

#include <stddef.h>

/* nRF52840 NVMC: 1 MiB, 256 pages of 4 KiB, 32-bit word writes, erased 0xFF. */
const struct lf_flash_geometry lf_flash_part_nrf52840_nvmc = {
    .part = "nrf52840-nvmc",
    .size = 1024u * 1024u,
    .run_count = 1,
    .erase_value = 0xFF,
    .write_align = 4,
    .program_page = 0,
    .max_program = 0,
    .runs = {{256, 4096}},
};

/* Macronix MX25R6435F: 8 MiB QSPI NOR, 4 KiB sectors, 64 KiB blocks,
 * 256-byte program pages (a program must stay inside one page). */
const struct lf_flash_geometry lf_flash_part_mx25r6435f = {
    .part = "mx25r6435f",
    .size = 8u * 1024u * 1024u,
    .run_count = 1,
    .erase_value = 0xFF,
    .write_align = 1,
    .program_page = 256,
    .max_program = 256,
    .block_size = 64u * 1024u,
    .runs = {{2048, 4096}},
};

/* One-time-programmable provision region: 4 KiB of 32-bit words, each
 * programmable once, never erasable. */
const struct lf_flash_geometry lf_flash_part_otp_4k = {
    .part = "otp-4k",
    .size = 4096,
    .run_count = 1,
    .erase_value = 0xFF,
    .flags = LF_FLASH_F_OTP,
    .write_align = 4,
    .runs = {{1, 4096}},
};

/* A NOR part that only erases 64 KiB blocks (a layout whose sectors differ
 * from the internal flash's 4 KiB pages). */
const struct lf_flash_geometry lf_flash_part_nor_64k = {
    .part = "nor-64k",
    .size = 8u * 1024u * 1024u,
    .run_count = 1,
    .erase_value = 0xFF,
    .write_align = 1,
    .program_page = 256,
    .max_program = 256,
    .runs = {{128, 64u * 1024u}},
};

static const struct lf_flash_geometry *const lf_flash_parts[] = {
    &lf_flash_part_nrf52840_nvmc,
    &lf_flash_part_mx25r6435f,
    &lf_flash_part_otp_4k,
    &lf_flash_part_nor_64k,
};

static bool lf_str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

const struct lf_flash_geometry *lf_flash_part_find(const char *part)
{
    for (size_t i = 0; i < sizeof(lf_flash_parts) / sizeof(lf_flash_parts[0]); i++) {
        if (lf_str_eq(lf_flash_parts[i]->part, part)) {
            return lf_flash_parts[i];
        }
    }
    return NULL;
}
