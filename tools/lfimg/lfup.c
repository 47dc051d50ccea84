#include "lfup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imgfile.h"
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

/* lfimg's checks of entry i beyond the shared reader's: the image parses,
 * fills the entry exactly and matches its SHA256 TLV. */
static int lfup_check_image(uint8_t *buf, struct lfup *u, unsigned i, char *why, size_t cap)
{
    const struct lfup_entry *x = &u->e[i];
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
    return 0;
}

int lfup_parse(uint8_t *buf, size_t len, struct lfup *u, char *why, size_t cap)
{
    memset(u, 0, sizeof(*u));
    if (len >= LFUP_HDR_SIZE && lfup_is(buf, len)) {
        u->version = buf[4];
        u->total = lfimg_le32(buf + 8);
    }
    /* The container, its entries and their addresses: the tools' one reader
     * (tools/common), the same lfmgr uses before it sends a variant. */
    struct lfm_upd m;
    if (lfm_upd_parse(buf, len, &m, why, cap) != 0) {
        return -1;
    }
    for (unsigned i = 0; i < m.count; i++) {
        u->e[i] = (struct lfup_entry){m.e[i].slot, m.e[i].image, m.e[i].load_addr, m.e[i].off,
                                      m.e[i].len};
        u->count = i + 1;
        if (lfup_check_image(buf, u, i, why, cap) != 0) {
            return -1;
        }
    }
    return 0;
}
