/*
 * imgtool-compatible image layout (docs/reference/mcuboot.md 1.1, 1.11, 2.1, 2.2): header with
 * padding, payload, protected TLVs (SEC_CNT, then custom TLVs in command-line
 * order), unprotected TLVs (SHA256, KEYHASH or PUBKEY, signature) and, with
 * --pad, the trailer at the end of the slot.
 */
#ifndef LFIMG_LAYOUT_H
#define LFIMG_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "lf/image.h"

#define LFIMG_MAX_CUSTOM_TLVS     16
#define LFIMG_DEFAULT_MAX_SECTORS 128u
#define LFIMG_MAGIC_SIZE          16u

/* Which bootloader limit the fit check applies on top of imgtool's. */
enum lfimg_strategy {
    LFIMG_STRATEGY_IMGTOOL = 0, /* imgtool's check only: image + trailer <= slot */
    LFIMG_STRATEGY_SWAP_SCRATCH,
    LFIMG_STRATEGY_SWAP_MOVE,
    LFIMG_STRATEGY_SWAP_OFFSET,
    LFIMG_STRATEGY_OVERWRITE_ONLY,
};

struct lfimg_custom_tlv {
    uint16_t tag;
    uint16_t len;
    uint8_t *val; /* malloc'd */
};

struct lfimg_sign_opts {
    uint32_t header_size;
    bool pad_header;
    uint32_t align;     /* --align: flash write size W */
    uint32_t max_align; /* --max-align A (0 = max(8, align)) */
    struct lf_image_version version;
    bool has_sec_cnt;
    uint32_t sec_cnt;
    uint32_t slot_size;
    bool pad;
    bool confirm;
    bool pubkey_full;   /* --public-key-format full: PUBKEY instead of KEYHASH */
    uint32_t rom_fixed; /* 0 = not ROM-fixed */
    uint32_t load_addr; /* 0 = not RAM-load */
    bool overwrite_only;
    uint32_t max_sectors;
    bool pad_sig;
    bool non_bootable;
    uint8_t erased_val;
    struct lfimg_custom_tlv custom[LFIMG_MAX_CUSTOM_TLVS];
    int ncustom;
    enum lfimg_strategy strategy;
    uint32_t sector_size;
};

/* Effective --max-align. */
uint32_t lfimg_max_align(const struct lfimg_sign_opts *o);

/* imgtool's trailer size for the options (mcuboot.md 1.11). */
uint32_t lfimg_trailer_size(uint32_t align, uint32_t max_align, uint32_t max_sectors,
                            bool overwrite_only);

/* The 16-byte boot magic for max-align A (mcuboot.md 2.2). */
void lfimg_boot_magic(uint32_t max_align, uint8_t magic[LFIMG_MAGIC_SIZE]);

/*
 * Build the signed image from the raw payload (which, without pad_header,
 * must begin with header_size zero bytes, as with imgtool). On success
 * *out is malloc'd. Errors are printed; returns 0 or -1.
 */
int lfimg_build(const struct lfimg_sign_opts *o, const struct lfimg_key *key,
                const uint8_t *payload, size_t payload_len, uint8_t **out, size_t *out_len);

#endif
