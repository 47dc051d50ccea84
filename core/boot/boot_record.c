/*
 * The boot record log in the STATE area (docs/upgrade-engine.md section 7):
 * fixed-size records appended to the sector holding the newest one; when it
 * is full the next sector is erased and used. The newest valid record is
 * never erased or overwritten, so a cut at any instant leaves it readable.
 */
#include "lf/boot_record.h"

#include <string.h>

#include "lf/err.h"

/* Where a scan found things. */
struct lf_rec_scan {
    bool found;
    uint32_t seq;      /* newest seq */
    uint32_t sector;   /* sector index of the newest */
    uint32_t slot;     /* slot index of the newest */
    uint32_t nsectors; /* sectors in the area */
};

static uint32_t lf_crc32(const uint8_t *p, uint32_t len)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return ~crc;
}

static void lf_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t lf_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static void lf_put_ver(uint8_t *p, const struct lf_image_version *v)
{
    p[0] = v->major;
    p[1] = v->minor;
    p[2] = (uint8_t)v->revision;
    p[3] = (uint8_t)(v->revision >> 8);
    lf_put32(p + 4, v->build);
}

static void lf_get_ver(const uint8_t *p, struct lf_image_version *v)
{
    v->major = p[0];
    v->minor = p[1];
    v->revision = (uint16_t)(p[2] | (p[3] << 8));
    v->build = lf_get32(p + 4);
}

void lf_boot_record_encode(const struct lf_boot_record *rec, uint8_t out[LF_BOOT_RECORD_SIZE])
{
    lf_put32(out, LF_BOOT_RECORD_MAGIC);
    lf_put32(out + 4, rec->seq);
    out[8] = rec->action;
    out[9] = rec->flags;
    out[10] = rec->image_num;
    out[11] = rec->strategy;
    uint16_t reason = (uint16_t)rec->reason;
    out[12] = (uint8_t)reason;
    out[13] = (uint8_t)(reason >> 8);
    out[14] = rec->swap_type;
    out[15] = rec->row;
    lf_put_ver(out + 16, &rec->primary_ver);
    lf_put_ver(out + 24, &rec->other_ver);
    lf_put32(out + 32, rec->sec_cnt);
    lf_put32(out + 36, lf_crc32(out, 36));
}

int lf_boot_record_decode(const uint8_t in[LF_BOOT_RECORD_SIZE], struct lf_boot_record *rec)
{
    if (lf_get32(in) != LF_BOOT_RECORD_MAGIC || lf_get32(in + 36) != lf_crc32(in, 36)) {
        return LF_E_CORRUPT;
    }
    rec->seq = lf_get32(in + 4);
    rec->action = in[8];
    rec->flags = in[9];
    rec->image_num = in[10];
    rec->strategy = in[11];
    rec->reason = (int16_t)(uint16_t)(in[12] | (in[13] << 8));
    rec->swap_type = in[14];
    rec->row = in[15];
    lf_get_ver(in + 16, &rec->primary_ver);
    lf_get_ver(in + 24, &rec->other_ver);
    rec->sec_cnt = lf_get32(in + 32);
    return LF_OK;
}

/* Geometry of sector `s`: start and number of record slots. */
static int lf_rec_sector(const struct lf_flash_area *fa, uint32_t s, uint32_t *start,
                         uint32_t *slots)
{
    uint32_t off = 0;
    for (uint32_t i = 0;; i++) {
        uint32_t st;
        uint32_t sz;
        int err = lf_flash_area_sector_at(fa, off, &st, &sz);
        if (err) {
            return err;
        }
        if (i == s) {
            *start = st;
            *slots = sz / LF_BOOT_RECORD_SIZE;
            return LF_OK;
        }
        off = st + sz;
    }
}

static int lf_rec_check_area(const struct lf_flash_area *fa, uint32_t *nsectors)
{
    uint32_t n = lf_flash_area_sector_count(fa);
    if (n < 2 || (LF_BOOT_RECORD_SIZE % lf_flash_area_align(fa)) != 0) {
        return LF_E_BOOT_STATE_AREA;
    }
    for (uint32_t s = 0; s < n; s++) {
        uint32_t start;
        uint32_t slots;
        int err = lf_rec_sector(fa, s, &start, &slots);
        if (err) {
            return err;
        }
        if (slots == 0) {
            return LF_E_BOOT_STATE_AREA;
        }
    }
    *nsectors = n;
    return LF_OK;
}

/* Read slot (s, i): *valid and the record when valid, *erased when blank. */
static int lf_rec_slot(const struct lf_flash_area *fa, uint32_t start, uint32_t i,
                       struct lf_boot_record *rec, bool *valid, bool *erased)
{
    uint8_t raw[LF_BOOT_RECORD_SIZE];
    int err = lf_flash_area_read(fa, start + i * LF_BOOT_RECORD_SIZE, raw, sizeof(raw));
    if (err) {
        return err;
    }
    uint8_t ev = lf_flash_area_erased_val(fa);
    *erased = true;
    for (uint32_t k = 0; k < sizeof(raw); k++) {
        *erased = *erased && raw[k] == ev;
    }
    *valid = lf_boot_record_decode(raw, rec) == LF_OK;
    return LF_OK;
}

/* Newest record with seq < bound (bound = 2^32 for the newest of all). */
static int lf_rec_find(const struct lf_flash_area *fa, uint64_t bound, struct lf_rec_scan *sc,
                       struct lf_boot_record *out)
{
    int err = lf_rec_check_area(fa, &sc->nsectors);
    if (err) {
        return err;
    }
    sc->found = false;
    for (uint32_t s = 0; s < sc->nsectors; s++) {
        uint32_t start;
        uint32_t slots;
        err = lf_rec_sector(fa, s, &start, &slots);
        for (uint32_t i = 0; !err && i < slots; i++) {
            struct lf_boot_record r;
            bool valid;
            bool erased;
            err = lf_rec_slot(fa, start, i, &r, &valid, &erased);
            if (!err && valid && r.seq < bound && (!sc->found || r.seq > sc->seq)) {
                sc->found = true;
                sc->seq = r.seq;
                sc->sector = s;
                sc->slot = i;
                *out = r;
            }
        }
        if (err) {
            return err;
        }
    }
    return LF_OK;
}

int lf_boot_record_read(const struct lf_flash_area *fa, uint32_t age, struct lf_boot_record *rec)
{
    uint64_t bound = (uint64_t)1 << 32;
    for (uint32_t a = 0;; a++) {
        struct lf_rec_scan sc;
        int err = lf_rec_find(fa, bound, &sc, rec);
        if (err) {
            return err;
        }
        if (!sc.found) {
            return LF_E_BOOT_NO_RECORD;
        }
        if (a == age) {
            return LF_OK;
        }
        bound = sc.seq;
    }
}

static bool lf_rec_same(const struct lf_boot_record *a, const struct lf_boot_record *b)
{
    uint8_t ea[LF_BOOT_RECORD_SIZE];
    uint8_t eb[LF_BOOT_RECORD_SIZE];
    struct lf_boot_record x = *a;
    x.seq = b->seq;
    lf_boot_record_encode(&x, ea);
    lf_boot_record_encode(b, eb);
    return memcmp(ea, eb, sizeof(ea)) == 0;
}

int lf_boot_record_append(const struct lf_flash_area *fa, struct lf_boot_record *rec, bool *written)
{
    struct lf_rec_scan sc;
    struct lf_boot_record newest;
    if (written) {
        *written = false;
    }
    int err = lf_rec_find(fa, (uint64_t)1 << 32, &sc, &newest);
    if (err) {
        return err;
    }
    if (sc.found && lf_rec_same(rec, &newest)) {
        rec->seq = newest.seq; /* nothing new to say */
        return LF_OK;
    }
    rec->seq = sc.found ? sc.seq + 1u : 1u;
    uint32_t sector = sc.found ? sc.sector : 0;
    uint32_t start;
    uint32_t slots;
    err = lf_rec_sector(fa, sector, &start, &slots);
    if (err) {
        return err;
    }
    /* First slot after the last used one (a torn record counts as used). */
    uint32_t pos = 0;
    for (uint32_t i = 0; i < slots; i++) {
        struct lf_boot_record r;
        bool valid;
        bool erased;
        err = lf_rec_slot(fa, start, i, &r, &valid, &erased);
        if (err) {
            return err;
        }
        if (!erased) {
            pos = i + 1;
        }
    }
    if (pos >= slots) {
        /* Full: the next sector holds only older records. */
        sector = (sector + 1u) % sc.nsectors;
        err = lf_rec_sector(fa, sector, &start, &slots);
        if (!err) {
            uint32_t st;
            uint32_t sz;
            err = lf_flash_area_sector_at(fa, start, &st, &sz);
            if (!err) {
                err = lf_flash_area_erase(fa, st, sz);
            }
        }
        if (err) {
            return err;
        }
        pos = 0;
    }
    uint8_t raw[LF_BOOT_RECORD_SIZE];
    lf_boot_record_encode(rec, raw);
    err = lf_flash_area_write(fa, start + pos * LF_BOOT_RECORD_SIZE, raw, sizeof(raw));
    if (!err && written) {
        *written = true;
    }
    return err;
}

const char *lf_boot_action_name(uint8_t action)
{
    static const char *const names[LF_BOOT_ACT_COUNT] = {
        "none",    "swap-test",  "swap-perm",    "revert",       "overwrite",      "rejected",
        "cleared", "handed-off", "layout-error", "status-error", "no-valid-image", "flash-error",
    };
    return action < LF_BOOT_ACT_COUNT ? names[action] : "?";
}
