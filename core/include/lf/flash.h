#ifndef LF_FLASH_H
#define LF_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Flash devices and flash areas.
 *
 * A device is a driver (three function pointers and a context) plus its
 * geometry as data: a sector map made of runs of equal sectors (so non-uniform
 * parts are just more runs), the program alignment, the program page a single
 * program must not cross, the longest single program, and the erased value.
 * Adding a new part is a new geometry table entry (core/flash/flash_parts.c),
 * never a new code path.
 *
 * Every checked entry point below validates bounds, alignment, page crossing
 * and sector boundaries first and returns a distinct negative error without
 * calling the driver when a rule is broken.
 *
 * An area is a window (offset, size) of one device with an id; areas start and
 * end on sector boundaries. All area offsets are relative to the area start.
 */

#define LF_FLASH_MAX_SECTOR_RUNS 4
#define LF_FLASH_NOT_MAPPED      0xFFFFFFFFu /* map_addr of a device the CPU cannot execute from */

/* A run of `count` consecutive sectors of `size` bytes each. */
struct lf_flash_sector_run {
    uint32_t count;
    uint32_t size;
};

/* Geometry flags. */
#define LF_FLASH_F_OTP 0x01u /* no erase; each write unit may be programmed once */

struct lf_flash_geometry {
    const char *part;    /* part name, for logs and tools */
    uint32_t size;       /* total bytes; equals the sum of the runs */
    uint8_t run_count;   /* 1..LF_FLASH_MAX_SECTOR_RUNS */
    uint8_t erase_value; /* value of every byte after an erase (0xFF or 0x00) */
    uint8_t flags;       /* LF_FLASH_F_* */
    uint8_t reserved;
    uint16_t write_align;  /* program offset and length are multiples of this (power of 2) */
    uint16_t program_page; /* a program must not cross a multiple of this; 0 = no limit */
    uint32_t max_program;  /* longest single program in bytes; 0 = no limit */
    uint32_t block_size;   /* optional larger erase unit (e.g. 64 KiB NOR block); 0 = none */
    struct lf_flash_sector_run runs[LF_FLASH_MAX_SECTOR_RUNS];
};

/*
 * Driver operations. The core calls them only with requests that passed the
 * geometry checks: read within bounds; program aligned, within one program
 * page and at most max_program long; erase exactly one sector (or one block).
 * Each returns LF_OK or a negative lf_err.
 */
struct lf_flash_ops {
    int (*read)(void *ctx, uint32_t off, void *buf, uint32_t len);
    int (*program)(void *ctx, uint32_t off, const void *buf, uint32_t len);
    int (*erase)(void *ctx, uint32_t off, uint32_t len);
};

struct lf_flash_dev {
    const struct lf_flash_geometry *geo;
    const struct lf_flash_ops *ops;
    void *ctx;         /* driver state, passed back to every op */
    uint32_t map_addr; /* CPU address of offset 0, or LF_FLASH_NOT_MAPPED */
};

struct lf_flash_area {
    uint8_t id; /* board-wide area id (lf/flash_map.h) */
    const struct lf_flash_dev *dev;
    uint32_t off;  /* device offset of the area's first byte (sector-aligned) */
    uint32_t size; /* bytes (ends on a sector boundary) */
};

/* ---- geometry ---------------------------------------------------------- */

/* Check a geometry for consistency (runs sum to size, power-of-2 alignment, ...).
 * Returns LF_OK or LF_E_FLASH_GEOMETRY. */
int lf_flash_geometry_check(const struct lf_flash_geometry *geo);

/* Sector containing device offset `off`: its start and size.
 * Returns LF_OK or LF_E_FLASH_OUT_OF_BOUNDS. */
int lf_flash_geometry_sector_at(const struct lf_flash_geometry *geo, uint32_t off,
                                uint32_t *sector_start, uint32_t *sector_size);

/* True when `off` is the first byte of a sector, or equals the device size. */
bool lf_flash_geometry_is_sector_boundary(const struct lf_flash_geometry *geo, uint32_t off);

/* ---- checked device access --------------------------------------------- */

int lf_flash_read(const struct lf_flash_dev *dev, uint32_t off, void *buf, uint32_t len);
/* One program operation. Errors: OUT_OF_BOUNDS, MISALIGNED, PAGE_CROSS, TOO_LONG. */
int lf_flash_program(const struct lf_flash_dev *dev, uint32_t off, const void *buf, uint32_t len);
/* Erase [off, off+len): both ends on sector boundaries (NOT_SECTOR otherwise);
 * one driver erase per sector. OTP devices answer NO_ERASE. */
int lf_flash_erase(const struct lf_flash_dev *dev, uint32_t off, uint32_t len);

/* ---- areas --------------------------------------------------------------- */

/* Area sanity: inside its device, starting and ending on sector boundaries. */
int lf_flash_area_check(const struct lf_flash_area *fa);

int lf_flash_area_read(const struct lf_flash_area *fa, uint32_t off, void *buf, uint32_t len);
/* Exactly one program operation (all device rules apply). */
int lf_flash_area_program(const struct lf_flash_area *fa, uint32_t off, const void *buf,
                          uint32_t len);
/* Program any aligned range, split into as many legal program operations as
 * the device needs (page boundaries, max_program). off and len must be
 * multiples of the write alignment. */
int lf_flash_area_write(const struct lf_flash_area *fa, uint32_t off, const void *buf,
                        uint32_t len);
/* Erase [off, off+len); both ends on sector boundaries of the area. */
int lf_flash_area_erase(const struct lf_flash_area *fa, uint32_t off, uint32_t len);

/* Sector of the area containing area offset `off` (start relative to the area). */
int lf_flash_area_sector_at(const struct lf_flash_area *fa, uint32_t off, uint32_t *sector_start,
                            uint32_t *sector_size);
/* Number of sectors in the area. */
uint32_t lf_flash_area_sector_count(const struct lf_flash_area *fa);
/* Largest sector size in the area. */
uint32_t lf_flash_area_max_sector(const struct lf_flash_area *fa);

uint32_t lf_flash_area_align(const struct lf_flash_area *fa);
uint8_t lf_flash_area_erased_val(const struct lf_flash_area *fa);
/* CPU address of the area's first byte, or LF_FLASH_NOT_MAPPED. */
uint32_t lf_flash_area_addr(const struct lf_flash_area *fa);

/* *erased = every byte of [off, off+len) equals the erased value.
 * Reads in small chunks through the driver. */
int lf_flash_area_is_erased(const struct lf_flash_area *fa, uint32_t off, uint32_t len,
                            bool *erased);

/* Copy len bytes from one area to another (possibly on another device)
 * through a caller-supplied RAM buffer (buf_len >= the destination's write
 * alignment). dst range must be erased; len is rounded up to the destination
 * alignment, the tail padded with the erased value. */
int lf_flash_area_copy(const struct lf_flash_area *dst, uint32_t dst_off,
                       const struct lf_flash_area *src, uint32_t src_off, uint32_t len,
                       uint8_t *buf, uint32_t buf_len);

/* ---- the known parts (core/flash/flash_parts.c) ---------------------------- */

extern const struct lf_flash_geometry lf_flash_part_nrf52840_nvmc;
extern const struct lf_flash_geometry lf_flash_part_mx25r6435f;
extern const struct lf_flash_geometry lf_flash_part_otp_4k;
/* A NOR part erased in 64 KiB blocks only (unequal sectors vs internal flash). */
extern const struct lf_flash_geometry lf_flash_part_nor_64k;

/* Look a part up by name ("nrf52840-nvmc", "mx25r6435f", ...); NULL if unknown. */
const struct lf_flash_geometry *lf_flash_part_find(const char *part);

#endif
