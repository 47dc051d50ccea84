#ifndef LF_TRAILER_H
#define LF_TRAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"

/*
 * MCUboot image trailers (docs/reference/mcuboot.md section 2), written
 * and read exactly as MCUboot does, so that images padded by imgtool and
 * tools that read trailers agree with us.
 *
 * Every field sits in its own LF_BOOT_MAX_ALIGN-byte unit counted from the
 * end of the slot: magic (16 bytes) at S-16, image_ok, copy_done, swap_info,
 * swap_size below it, then the swap status area (see docs/trailer.md).
 * Unused bytes of a unit are written with the erased value.
 */

/* BOOT_MAX_ALIGN: MCUboot's default; selects the 16-byte "legacy" magic. */
#define LF_BOOT_MAX_ALIGN  8u
#define LF_BOOT_MAGIC_SIZE 16u

/* Sectors (swap-move) or regions (swap-scratch) the status area can track:
 * MCUboot's BOOT_MAX_IMG_SECTORS. 256 covers the largest slot we ship
 * (230 sectors of 4 KiB on nrf52840dk-qspi). */
#define LF_BOOT_MAX_IMG_SECTORS 256u

/* Decoded magic and flag states: MCUboot's constants. ANY is used only in
 * the decision table. */
enum lf_magic_state {
    LF_MAGIC_GOOD = 1,
    LF_MAGIC_BAD = 2,
    LF_MAGIC_UNSET = 3,
    LF_MAGIC_ANY = 4,
};

enum lf_flag_state {
    LF_FLAG_SET = 1,
    LF_FLAG_BAD = 2,
    LF_FLAG_UNSET = 3,
    LF_FLAG_ANY = 4,
};

/* Swap types (BOOT_SWAP_TYPE_*). */
enum lf_swap_type {
    LF_SWAP_NONE = 1,
    LF_SWAP_TEST = 2,
    LF_SWAP_PERM = 3,
    LF_SWAP_REVERT = 4,
    LF_SWAP_FAIL = 5,
    LF_SWAP_PANIC = 0xff,
};

/* The value written for a set flag. */
#define LF_BOOT_FLAG_SET 0x01u

struct lf_trailer {
    uint8_t magic;      /* enum lf_magic_state */
    uint8_t image_ok;   /* enum lf_flag_state */
    uint8_t copy_done;  /* enum lf_flag_state */
    uint8_t swap_type;  /* from swap_info; LF_SWAP_NONE when erased or > REVERT */
    uint8_t image_num;  /* from swap_info */
    uint32_t swap_size; /* raw value; erased value pattern when never written */
};

/* Offsets (area-relative) of each field in a slot of `fa`'s size
 * (fa->size >= lf_trailer_info_size()). */
uint32_t lf_trailer_magic_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_image_ok_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_copy_done_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_swap_info_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_swap_size_off(const struct lf_flash_area *fa);

/* Size of the info part (magic, flags, swap_size): 4*A + ALIGN_UP(16, A). */
uint32_t lf_trailer_info_size(void);

/* Whole trailer: status area (max_sectors * states * w bytes) + info part.
 * states = 3 for swap-move and swap-scratch, 0 for overwrite-only. */
uint32_t lf_trailer_size(uint32_t max_sectors, uint32_t states, uint32_t w);

/* Decode the trailer of a slot. Only flash errors (and LF_E_INVAL for an
 * area smaller than the info part) are returned; odd contents decode to
 * BAD / UNSET states. */
int lf_trailer_read(const struct lf_flash_area *fa, struct lf_trailer *tr);

/* Field writers. Each programs ALIGN_UP(field length, area write alignment)
 * bytes of its unit: the value first, erased padding after (MCUboot's
 * boot_write_trailer). Writing a field again with the same value completes
 * a torn write of it. The area's write alignment must be <= LF_BOOT_MAX_ALIGN
 * (LF_E_BOOT_LAYOUT_ALIGN otherwise). */
int lf_trailer_write_magic(const struct lf_flash_area *fa);
int lf_trailer_write_image_ok(const struct lf_flash_area *fa);
int lf_trailer_write_copy_done(const struct lf_flash_area *fa);
int lf_trailer_write_swap_info(const struct lf_flash_area *fa, uint8_t image_num,
                               uint8_t swap_type);
int lf_trailer_write_swap_size(const struct lf_flash_area *fa, uint32_t swap_size);

/*
 * The application-side API (MCUboot's boot_set_pending / boot_set_confirmed),
 * used by the SMP image group and by stage 1 for itself:
 * set_pending marks the SECONDARY slot of `image_num` for a test (permanent =
 * false) or permanent swap: magic UNSET -> write magic, [image_ok], swap_info;
 * magic GOOD -> nothing (already pending); magic BAD -> LF_E_BOOT_BAD_TRAILER.
 * set_confirmed marks the running PRIMARY image: magic GOOD and image_ok
 * UNSET -> write image_ok; magic UNSET -> nothing; magic BAD -> error.
 * Unlike MCUboot, an image_ok left BAD by a torn confirm is completed
 * (written again) when its bits can still become 0x01.
 */
int lf_trailer_set_pending(const struct lf_flash_area *secondary, uint8_t image_num,
                           bool permanent);
int lf_trailer_set_confirmed(const struct lf_flash_area *primary);

/* ---- swap-type decision (mcuboot.md 2.5; rows T1..T4 of docs/trailer.md) ------- */

/* One row: states to match (LF_*_ANY matches everything) and the result. */
struct lf_swap_row {
    uint8_t pri_magic;
    uint8_t sec_magic;
    uint8_t pri_image_ok;
    uint8_t sec_image_ok;
    uint8_t pri_copy_done;
    uint8_t result; /* enum lf_swap_type */
};

/* The table, top to bottom, and its length. */
extern const struct lf_swap_row lf_swap_table[];
extern const uint8_t lf_swap_table_len;

/* Result of the first matching row (LF_SWAP_NONE when none matches).
 * *row (may be NULL) receives the 1-based row number (T1..), or
 * lf_swap_table_len + 1 for "no row" (T4). */
uint8_t lf_swap_type_decide(const struct lf_trailer *pri, const struct lf_trailer *sec,
                            uint8_t *row);

/* ---- swap status area (docs/trailer.md section 3) -------------------------- */

/* Record placement schemes. */
enum lf_status_kind {
    LF_STATUS_NONE = 0,    /* overwrite-only: no status area */
    LF_STATUS_MOVE = 1,    /* swap-move: MAX move records, then 2 per sector */
    LF_STATUS_SCRATCH = 2, /* swap-scratch: 3 per region */
};

/* Where and how the records of one operation are stored. */
struct lf_status_map {
    uint8_t kind; /* enum lf_status_kind */
    uint8_t w;    /* bytes per record (1..LF_BOOT_MAX_ALIGN) */
    uint16_t max; /* sectors/regions the area covers (<= LF_BOOT_MAX_IMG_SECTORS) */
    uint32_t off; /* area offset of record 0 (S - trailer size) */
    uint32_t n;   /* sectors/regions this operation covers, 1..max */
};

/* Records per sector/region index for a kind (3, or 0 for NONE). */
uint32_t lf_status_states(uint8_t kind);
/* Number of steps (records) of the operation: 3n, or 0. */
uint32_t lf_status_steps(const struct lf_status_map *m);
/* Record index of step e (< steps) and the value written there. */
uint32_t lf_status_record(const struct lf_status_map *m, uint32_t step);
uint8_t lf_status_value(const struct lf_status_map *m, uint32_t step);

/*
 * Read the progress: *done = the number of leading steps whose records are
 * written. The whole area (max * states records) is scanned; any written
 * record that is not one of those steps' records is LF_E_BOOT_BAD_STATUS.
 * buf (>= m->w bytes) is a scratch buffer. A bad map (n = 0, n > max,
 * w = 0, area too small) is LF_E_INVAL.
 */
int lf_status_read(const struct lf_flash_area *fa, const struct lf_status_map *m, uint8_t *buf,
                   uint32_t buf_len, uint32_t *done);

/* Write the record of step e (value in the first byte, erased padding). */
int lf_status_write(const struct lf_flash_area *fa, const struct lf_status_map *m, uint32_t step);

#endif
