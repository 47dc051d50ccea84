#include "lfup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "util.h"

bool lfup_is(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, LFUP_MAGIC, 4) == 0;
}

int lfup_build(struct lfup_entry *e, const uint8_t *const img[], const uint32_t len[], unsigned n,
               uint8_t **out, size_t *out_len)
{
    if (n == 0 || n > LFUP_MAX_ENTRIES) {
        return -1;
    }
    /* 64-bit sums: a file above 4 GiB is refused, never wrapped. */
    uint64_t at = LFUP_HDR_SIZE + (uint64_t)n * LFUP_ENTRY_SIZE;
    for (unsigned i = 0; i < n; i++) {
        at = (at + LFUP_ALIGN - 1u) / LFUP_ALIGN * LFUP_ALIGN;
        e[i].off = (uint32_t)at;
        e[i].len = len[i];
        at += len[i];
        if (at > UINT32_MAX || len[i] == 0) {
            return -1;
        }
    }
    uint8_t *f = calloc(1, (size_t)at); /* gaps and reserved fields are 0 */
    if (!f) {
        return -1;
    }
    memcpy(f, LFUP_MAGIC, 4);
    f[4] = LFUP_VERSION;
    f[5] = (uint8_t)n;
    lfimg_put_le16(f + 6, LFUP_ENTRY_SIZE);
    lfimg_put_le32(f + 8, (uint32_t)at);
    for (unsigned i = 0; i < n; i++) {
        uint8_t *t = f + LFUP_HDR_SIZE + i * LFUP_ENTRY_SIZE;
        t[0] = e[i].slot;
        t[1] = e[i].image;
        lfimg_put_le32(t + 4, e[i].load_addr);
        lfimg_put_le32(t + 8, e[i].off);
        lfimg_put_le32(t + 12, e[i].len);
        memcpy(f + e[i].off, img[i], len[i]);
    }
    *out = f;
    *out_len = (size_t)at;
    return 0;
}

/* Checks 3 and 4 for entry i (entries before it already accepted). */
static int lfup_check_entry(uint8_t *buf, size_t len, struct lfup *u, unsigned i,
                            uint32_t table_end, char *why, size_t cap)
{
    const struct lfup_entry *x = &u->e[i];
    if (x->slot > 1u) {
        snprintf(why, cap, "entry %u: slot %u (only 0 = S0 and 1 = S1 exist)", i, x->slot);
        return -1;
    }
    if (x->len == 0 || x->off < table_end || x->off > len || x->len > len - x->off) {
        snprintf(why, cap, "entry %u: image at 0x%x, 0x%x bytes, is not inside the file", i,
                 (unsigned)x->off, (unsigned)x->len);
        return -1;
    }
    for (unsigned j = 0; j < i; j++) {
        const struct lfup_entry *y = &u->e[j];
        if (y->slot == x->slot && y->image == x->image) {
            snprintf(why, cap, "entries %u and %u are both for image %u slot S%u", j, i, x->image,
                     x->slot);
            return -1;
        }
        if (x->off < y->off + y->len && y->off < x->off + x->len) {
            snprintf(why, cap, "the images of entries %u and %u overlap", j, i);
            return -1;
        }
    }
    struct lfimg_imginfo *ii = &u->info[i];
    int err = lfimg_imginfo_read(buf + x->off, x->len, ii);
    if (err) {
        snprintf(why, cap, "entry %u (S%u): not a valid image: %s", i, x->slot, lf_err_str(err));
        return -1;
    }
    if (ii->end != x->len) {
        snprintf(why, cap, "entry %u (S%u): the image is 0x%x bytes, the entry says 0x%x", i,
                 x->slot, (unsigned)ii->end, (unsigned)x->len);
        return -1;
    }
    if (!ii->hash_ok) {
        snprintf(why, cap, "entry %u (S%u): the image does not match its SHA256 (corrupt)", i,
                 x->slot);
        return -1;
    }
    if (!ii->rom_fixed || ii->rom_addr != x->load_addr) {
        snprintf(why, cap, "entry %u (S%u): the image is %s 0x%08x, the entry says 0x%08x", i,
                 x->slot, ii->rom_fixed ? "linked for" : "not ROM_FIXED, load address",
                 (unsigned)ii->hdr.load_addr, (unsigned)x->load_addr);
        return -1;
    }
    return 0;
}

int lfup_parse(uint8_t *buf, size_t len, struct lfup *u, char *why, size_t cap)
{
    memset(u, 0, sizeof(*u));
    if (len < LFUP_HDR_SIZE || !lfup_is(buf, len)) {
        snprintf(why, cap, "not an update file (no LFUP header)");
        return -1;
    }
    u->version = buf[4];
    u->total = lfimg_le32(buf + 8);
    unsigned n = buf[5];
    if (u->version != LFUP_VERSION) {
        snprintf(why, cap, "format version %u (lfimg reads version %u)", u->version, LFUP_VERSION);
        return -1;
    }
    if (n == 0 || n > LFUP_MAX_ENTRIES || lfimg_le16(buf + 6) != LFUP_ENTRY_SIZE ||
        lfimg_le32(buf + 12) != 0) {
        snprintf(why, cap, "bad header: %u entries of %u bytes, reserved 0x%08x", n,
                 lfimg_le16(buf + 6), (unsigned)lfimg_le32(buf + 12));
        return -1;
    }
    if (u->total != len) {
        snprintf(why, cap, "truncated or padded: the header says %u bytes, the file has %zu",
                 (unsigned)u->total, len);
        return -1;
    }
    uint32_t table_end = LFUP_HDR_SIZE + n * LFUP_ENTRY_SIZE;
    if (len < table_end) {
        snprintf(why, cap, "shorter than its entry table");
        return -1;
    }
    for (unsigned i = 0; i < n; i++) {
        const uint8_t *t = buf + LFUP_HDR_SIZE + i * LFUP_ENTRY_SIZE;
        struct lfup_entry *x = &u->e[i];
        x->slot = t[0];
        x->image = t[1];
        x->load_addr = lfimg_le32(t + 4);
        x->off = lfimg_le32(t + 8);
        x->len = lfimg_le32(t + 12);
        u->count = i + 1;
        if (lfimg_le16(t + 2) != 0) {
            snprintf(why, cap, "entry %u: reserved field not 0", i);
            return -1;
        }
        if (lfup_check_entry(buf, len, u, i, table_end, why, cap) != 0) {
            return -1;
        }
    }
    return 0;
}
