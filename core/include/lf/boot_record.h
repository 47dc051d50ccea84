#ifndef LF_BOOT_RECORD_H
#define LF_BOOT_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"
#include "lf/image.h"

/*
 * The persisted boot record: what stage 1's engine did at a boot and why,
 * kept in the STATE area as an append-only log over two or more sectors
 * (docs/upgrade-engine.md section 7). Written by lf_boot_go; read by the SMP
 * server ("why did it roll back?") and by tools from a device image.
 */

/* What the boot did. */
enum lf_boot_action {
    LF_BOOT_ACT_NONE = 0,            /* nothing to do; booted the primary */
    LF_BOOT_ACT_SWAP_TEST = 1,       /* swapped the secondary in for a trial */
    LF_BOOT_ACT_SWAP_PERM = 2,       /* swapped the secondary in permanently */
    LF_BOOT_ACT_REVERT = 3,          /* trial not confirmed: swapped the old image back */
    LF_BOOT_ACT_OVERWRITE = 4,       /* overwrite-only: copied the secondary over the primary */
    LF_BOOT_ACT_REJECTED = 5,        /* refused the secondary (reason) and cleared it */
    LF_BOOT_ACT_CLEARED = 6,         /* a request without image was cleared */
    LF_BOOT_ACT_HANDED_OFF = 7,      /* the classify hook took the secondary */
    LF_BOOT_ACT_LAYOUT_ERROR = 8,    /* slots unsuitable for the strategy (reason) */
    LF_BOOT_ACT_STATUS_ERROR = 9,    /* swap status corrupt (reason) */
    LF_BOOT_ACT_NO_VALID_IMAGE = 10, /* the primary image is not valid (reason) */
    LF_BOOT_ACT_FLASH_ERROR = 11,    /* a flash error stopped the operation (reason) */
    LF_BOOT_ACT_COUNT
};

/* Flags. */
#define LF_BOOT_RF_RESUMED             0x01u /* an interrupted operation was finished */
#define LF_BOOT_RF_SEC_CNT_RAISED      0x02u /* the stored security counter advanced */
#define LF_BOOT_RF_SEC_CNT_FAILED      0x04u /* ... or could not be stored */
#define LF_BOOT_RF_CONFIRMED_ON_REJECT 0x08u /* primary image_ok set after a rejection */

#define LF_BOOT_RECORD_SIZE  40u
#define LF_BOOT_RECORD_MAGIC 0x5242464cu /* "LFBR" */

struct lf_boot_record {
    uint32_t seq;   /* assigned by lf_boot_record_append: newest + 1 */
    uint8_t action; /* enum lf_boot_action */
    uint8_t flags;  /* LF_BOOT_RF_* */
    uint8_t image_num;
    uint8_t strategy;                    /* enum lf_boot_strategy_id (lf/boot.h) */
    int16_t reason;                      /* lf_err code, 0 if none */
    uint8_t swap_type;                   /* LF_SWAP_* the trailers asked for */
    uint8_t row;                         /* decision-table row, 0 when resumed / not evaluated */
    struct lf_image_version primary_ver; /* image now in the primary (zero if none) */
    struct lf_image_version other_ver;   /* the other image involved (zero if none) */
    uint32_t sec_cnt;                    /* stored security counter after the boot */
};

/* Encode / decode one record (decode checks magic and CRC: LF_E_CORRUPT). */
void lf_boot_record_encode(const struct lf_boot_record *rec, uint8_t out[LF_BOOT_RECORD_SIZE]);
int lf_boot_record_decode(const uint8_t in[LF_BOOT_RECORD_SIZE], struct lf_boot_record *rec);

/*
 * The record `age` boots back (0 = newest). fa is the STATE area: at least two
 * sectors, each holding at least one record. Returns LF_OK,
 * LF_E_BOOT_NO_RECORD (no such record), LF_E_BOOT_STATE_AREA or a flash error.
 */
int lf_boot_record_read(const struct lf_flash_area *fa, uint32_t age, struct lf_boot_record *rec);

/*
 * Append rec (rec->seq is set to newest + 1). When rec equals the newest
 * record in everything but seq, nothing is written (*written = false) and
 * rec->seq is the newest's. written may be NULL. Power-safe: the newest valid
 * record is never erased or overwritten.
 */
int lf_boot_record_append(const struct lf_flash_area *fa, struct lf_boot_record *rec,
                          bool *written);

/* "none", "swap-test", ... ("?" when out of range). */
const char *lf_boot_action_name(uint8_t action);

#endif
