/*
 * The stage-1 update file (docs/update-file.md): a 16-byte header, a table
 * of 16-byte entries, then each entry's signed image at a 16-byte aligned
 * offset. lfimg's own writer and reader (lfmgr has its own reader; the
 * tests check that the two agree).
 */
#ifndef LFIMG_LFUP_H
#define LFIMG_LFUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "imginfo.h"

#define LFUP_MAGIC       "LFUP"
#define LFUP_VERSION     1u
#define LFUP_HDR_SIZE    16u
#define LFUP_ENTRY_SIZE  16u
#define LFUP_MAX_ENTRIES 8u
#define LFUP_ALIGN       16u /* image offsets */
#define LFUP_IMAGE_S1    1u  /* SMP image number of stage 1 */

struct lfup_entry {
    uint8_t slot;  /* 0 = S0, 1 = S1 */
    uint8_t image; /* SMP image number (1) */
    uint32_t load_addr;
    uint32_t off; /* file offset of the image */
    uint32_t len; /* image bytes */
};

struct lfup {
    uint8_t version;
    unsigned count; /* entries read (all of them when parsing succeeded) */
    uint32_t total; /* the header's file length */
    struct lfup_entry e[LFUP_MAX_ENTRIES];
    struct lfimg_imginfo info[LFUP_MAX_ENTRIES]; /* each entry's image, after parsing */
};

/* True when buf starts with the magic. */
bool lfup_is(const uint8_t *buf, size_t len);

/*
 * Build a file of n (1..LFUP_MAX_ENTRIES) entries: e[i].slot, .image and
 * .load_addr are given, .off and .len are filled in; img[i] holds e[i]'s
 * image of len[i] bytes. *out is malloc'd. 0, or -1 (too many, too large).
 */
int lfup_build(struct lfup_entry *e, const uint8_t *const img[], const uint32_t len[], unsigned n,
               uint8_t **out, size_t *out_len);

/*
 * Read and check a file (the reader checks 1-4 of docs/update-file.md, and
 * each image's SHA256 TLV against its contents). Returns 0, or -1 with the
 * reason in why; u then holds the header and the entries read so far.
 */
int lfup_parse(uint8_t *buf, size_t len, struct lfup *u, char *why, size_t cap);

/* lfimg dump of an update file: header, entries, each image's version,
 * counter and hash (text or JSON). Exit code: 0, or 1 when broken. */
int lfup_dump(const char *path, uint8_t *buf, size_t len, bool json);

#endif
