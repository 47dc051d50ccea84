#ifndef LF_TRAILER_H
#define LF_TRAILER_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"

/*
 * MCUboot image trailers (../shared/spec/boot-chain.md section 2), written
 * and read exactly as MCUboot does, so that images padded by imgtool and
 * tools that read trailers agree with us.
 *
 * Every field sits in its own LF_BOOT_MAX_ALIGN-byte unit counted from the
 * end of the slot: magic (16 bytes) at S-16, image_ok, copy_done, swap_info,
 * swap_size below it, then the swap status area (see docs/trailer.md).
 * Unused bytes of a unit are written with the erased value.
 */

/* BOOT_MAX_ALIGN: MCUboot's default; selects the 16-byte "legacy" magic. */
#define LF_BOOT_MAX_ALIGN 8u
#define LF_BOOT_MAGIC_SIZE 16u

/* Decoded magic and flag states: MCUboot's constants. */
enum lf_magic_state {
    LF_MAGIC_GOOD = 1,
    LF_MAGIC_BAD = 2,
    LF_MAGIC_UNSET = 3,
};

enum lf_flag_state {
    LF_FLAG_SET = 1,
    LF_FLAG_BAD = 2,
    LF_FLAG_UNSET = 3,
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
    uint8_t magic;     /* enum lf_magic_state */
    uint8_t image_ok;  /* enum lf_flag_state */
    uint8_t copy_done; /* enum lf_flag_state */
    uint8_t swap_type; /* from swap_info; LF_SWAP_NONE when erased or > REVERT */
    uint8_t image_num; /* from swap_info */
    uint32_t swap_size; /* raw value; erased value pattern when never written */
};

/* Offsets (area-relative) of each field in a slot of `fa`'s size. */
uint32_t lf_trailer_magic_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_image_ok_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_copy_done_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_swap_info_off(const struct lf_flash_area *fa);
uint32_t lf_trailer_swap_size_off(const struct lf_flash_area *fa);

/* Size of the info part (magic, flags, swap_size): 4*A + ALIGN_UP(16, A). */
uint32_t lf_trailer_info_size(void);

/* Decode the trailer of a slot. Only flash errors are returned; odd contents
 * decode to BAD / UNSET states. */
int lf_trailer_read(const struct lf_flash_area *fa, struct lf_trailer *tr);

/* Field writers. Each writes one whole unit (value first, erased padding). */
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
 */
int lf_trailer_set_pending(const struct lf_flash_area *secondary, uint8_t image_num,
                           bool permanent);
int lf_trailer_set_confirmed(const struct lf_flash_area *primary);

#endif
