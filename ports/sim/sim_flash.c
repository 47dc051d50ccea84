/*
 * File-backed flash models: nRF52840 NVMC, QSPI NOR, OTP, and any geometry
 * given as data. The power-cut controller is consulted before every program
 * and every sector erase.
 */
#include "sim_flash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lf/err.h"

#define LF_SIM_META_MAGIC 0x4c46534du /* "LFSM" */

/* Metadata file layout: header, then one u32 erase counter per sector, then
 * (OTP parts) one bit per write unit: set once that unit was programmed. */
struct lf_sim_meta_hdr {
    uint32_t magic;
    uint32_t sector_count;
    uint32_t flash_size;
    uint32_t reserved;
    struct lf_sim_flash_stats stats;
};

static uint32_t lf_sim_sector_count(const struct lf_flash_geometry *geo)
{
    uint32_t n = 0;
    for (uint8_t i = 0; i < geo->run_count; i++) {
        n += geo->runs[i].count;
    }
    return n;
}

static struct lf_sim_meta_hdr *lf_sim_meta(const struct lf_sim_flash *f)
{
    return (struct lf_sim_meta_hdr *)(void *)f->meta;
}

static uint32_t *lf_sim_erase_counters(const struct lf_sim_flash *f)
{
    return (uint32_t *)(void *)(f->meta + sizeof(struct lf_sim_meta_hdr));
}

static uint8_t *lf_sim_otp_bitmap(const struct lf_sim_flash *f)
{
    return f->meta + sizeof(struct lf_sim_meta_hdr) +
           sizeof(uint32_t) * lf_sim_sector_count(f->geo);
}

/* Index of the sector containing off (the geometry was checked at open). */
static uint32_t lf_sim_sector_index(const struct lf_flash_geometry *geo, uint32_t off)
{
    uint32_t base = 0;
    uint32_t idx = 0;
    for (uint8_t i = 0; i < geo->run_count; i++) {
        uint32_t run_len = geo->runs[i].count * geo->runs[i].size;
        if (off - base < run_len) {
            return idx + (off - base) / geo->runs[i].size;
        }
        base += run_len;
        idx += geo->runs[i].count;
    }
    return idx;
}

/* xorshift32: deterministic torn patterns from (seed, operation number). */
static uint32_t lf_sim_rand(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9e3779b9u;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

/* Result of programming `new_val` over `old` on a part with this erased value. */
static uint8_t lf_sim_program_result(uint8_t erase_value, uint8_t old, uint8_t new_val)
{
    return erase_value == 0xFF ? (uint8_t)(old & new_val) : (uint8_t)(old | new_val);
}

enum lf_sim_gate {
    LF_SIM_GO,   /* perform the operation normally */
    LF_SIM_CUT,  /* lose power before the operation starts */
    LF_SIM_TEAR, /* perform it torn, then lose power */
    LF_SIM_DEAD, /* power is already gone: do nothing */
};

/* Count one operation; decide whether power is lost on it. */
static enum lf_sim_gate lf_sim_gate(struct lf_sim_flash *f)
{
    struct lf_sim_powercut *pc = f->pc;
    if (!pc) {
        return LF_SIM_GO;
    }
    if (pc->fired) {
        return LF_SIM_DEAD;
    }
    pc->ops++;
    if (pc->cut_at == 0 || pc->ops != pc->cut_at) {
        return LF_SIM_GO;
    }
    pc->fired = true;
    return pc->kind == LF_SIM_CUT_TORN ? LF_SIM_TEAR : LF_SIM_CUT;
}

static void lf_sim_power_lost(struct lf_sim_flash *f)
{
    /* Data is in the shared mapping already; nothing to flush. */
    if (f->pc->on_cut) {
        f->pc->on_cut(f->pc->on_cut_arg);
        return;
    }
    _exit(LF_SIM_CUT_EXIT);
}

static int lf_sim_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct lf_sim_flash *f = ctx;
    memcpy(buf, f->mem + off, len);
    return LF_OK;
}

static bool lf_sim_locked(const struct lf_sim_flash *f, uint32_t off, uint32_t len)
{
    return f->lock_end > f->lock_start && off < f->lock_end && f->lock_start < off + len;
}

static int lf_sim_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct lf_sim_flash *f = ctx;
    const uint8_t *src = buf;
    uint8_t ev = f->geo->erase_value;
    if (lf_sim_locked(f, off, len)) {
        return LF_E_FLASH_LOCKED;
    }
    if (f->geo->flags & LF_FLASH_F_OTP) {
        uint8_t *bits = lf_sim_otp_bitmap(f);
        for (uint32_t u = off / f->geo->write_align; u < (off + len) / f->geo->write_align; u++) {
            if (bits[u / 8] & (1u << (u % 8))) {
                return LF_E_FLASH_OTP_REWRITE;
            }
        }
    }
    if (f->strict) {
        for (uint32_t i = 0; i < len; i++) {
            if (lf_sim_program_result(ev, f->mem[off + i], src[i]) != src[i]) {
                return LF_E_FLASH_BIT_SET;
            }
        }
    }
    enum lf_sim_gate gate = lf_sim_gate(f);
    if (gate == LF_SIM_CUT) {
        lf_sim_power_lost(f);
    }
    if (gate == LF_SIM_CUT || gate == LF_SIM_DEAD) {
        return LF_E_FLASH_DEVICE;
    }
    if (gate == LF_SIM_TEAR) {
        /* Only some of the bits that should change do change. */
        uint32_t rng = f->pc->seed ^ (uint32_t)(f->pc->ops * 2654435761u);
        bool some_taken = false;
        bool some_left = false;
        for (uint32_t i = 0; i < len; i++) {
            uint8_t target = lf_sim_program_result(ev, f->mem[off + i], src[i]);
            uint8_t changing = (uint8_t)(f->mem[off + i] ^ target);
            uint8_t take = (uint8_t)lf_sim_rand(&rng);
            f->mem[off + i] ^= (uint8_t)(changing & take);
            some_taken = some_taken || (changing & take) != 0;
            some_left = some_left || (changing & (uint8_t)~take) != 0;
        }
        f->pc->torn_partial = some_taken && some_left;
        lf_sim_power_lost(f);
        return LF_E_FLASH_DEVICE;
    }
    for (uint32_t i = 0; i < len; i++) {
        uint8_t old = f->mem[off + i];
        f->mem[off + i] = lf_sim_program_result(ev, old, src[i]);
        if (f->drop_armed && off + i == f->drop_off) {
            /* the masked bits keep their old value */
            uint8_t keep = (uint8_t)((old ^ f->mem[off + i]) & f->drop_mask);
            f->mem[off + i] ^= keep;
            f->drop_armed = false;
            f->drop_fired += keep != 0;
        }
    }
    if (f->geo->flags & LF_FLASH_F_OTP) {
        uint8_t *bits = lf_sim_otp_bitmap(f);
        for (uint32_t u = off / f->geo->write_align; u < (off + len) / f->geo->write_align; u++) {
            bits[u / 8] |= (uint8_t)(1u << (u % 8));
        }
    }
    struct lf_sim_meta_hdr *m = lf_sim_meta(f);
    m->stats.programs++;
    m->stats.bytes_programmed += len;
    return LF_OK;
}

static int lf_sim_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct lf_sim_flash *f = ctx;
    uint8_t ev = f->geo->erase_value;
    if (f->geo->flags & LF_FLASH_F_OTP) {
        return LF_E_FLASH_NO_ERASE;
    }
    if (lf_sim_locked(f, off, len)) {
        return LF_E_FLASH_LOCKED;
    }
    enum lf_sim_gate gate = lf_sim_gate(f);
    if (gate == LF_SIM_CUT) {
        lf_sim_power_lost(f);
    }
    if (gate == LF_SIM_CUT || gate == LF_SIM_DEAD) {
        return LF_E_FLASH_DEVICE;
    }
    if (gate == LF_SIM_TEAR) {
        /* A half-erased sector: some bytes erased, some old, some with only
         * part of their bits back at the erased value. */
        uint32_t rng = f->pc->seed ^ (uint32_t)(f->pc->ops * 2654435761u);
        bool some_erased = false;
        bool some_left = false;
        for (uint32_t i = 0; i < len; i++) {
            uint32_t r = lf_sim_rand(&rng);
            uint8_t before = f->mem[off + i];
            switch (r % 3) {
            case 0:
                f->mem[off + i] = ev;
                break;
            case 1:
                break;
            default: {
                uint8_t toward = (uint8_t)(r >> 8);
                f->mem[off + i] = ev == 0xFF ? (uint8_t)(f->mem[off + i] | toward)
                                             : (uint8_t)(f->mem[off + i] & ~toward);
                break;
            }
            }
            some_erased = some_erased || f->mem[off + i] != before;
            some_left = some_left || f->mem[off + i] != ev;
        }
        f->pc->torn_partial = some_erased && some_left;
        lf_sim_power_lost(f);
        return LF_E_FLASH_DEVICE;
    }
    memset(f->mem + off, ev, len);
    lf_sim_erase_counters(f)[lf_sim_sector_index(f->geo, off)]++;
    lf_sim_meta(f)->stats.sector_erases++;
    return LF_OK;
}

static const struct lf_flash_ops lf_sim_flash_ops = {
    .read = lf_sim_read,
    .program = lf_sim_program,
    .erase = lf_sim_erase,
};

static void *lf_sim_map_file(const char *path, size_t len, bool create, uint8_t fill, int *err)
{
    int fd = open(path, O_RDWR | (create ? O_CREAT | O_TRUNC : 0), 0644);
    if (fd < 0) {
        *err = LF_E_IO;
        return NULL;
    }
    struct stat st;
    if (create) {
        if (ftruncate(fd, (off_t)len) != 0) {
            close(fd);
            *err = LF_E_IO;
            return NULL;
        }
    } else if (fstat(fd, &st) != 0 || (size_t)st.st_size != len) {
        close(fd);
        *err = LF_E_FLASH_GEOMETRY;
        return NULL;
    }
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        *err = LF_E_IO;
        return NULL;
    }
    if (create) {
        memset(p, fill, len);
    }
    *err = LF_OK;
    return p;
}

int lf_sim_flash_open(struct lf_sim_flash *f, const char *path, const struct lf_flash_geometry *geo,
                      bool create)
{
    int err = lf_flash_geometry_check(geo);
    if (err) {
        return err;
    }
    memset(f, 0, sizeof(*f));
    f->geo = geo;
    f->strict = true;
    uint32_t sectors = lf_sim_sector_count(geo);
    f->meta_len = sizeof(struct lf_sim_meta_hdr) + sizeof(uint32_t) * sectors;
    if (geo->flags & LF_FLASH_F_OTP) {
        f->meta_len += (geo->size / geo->write_align + 7) / 8;
    }
    char meta_path[4096];
    if (snprintf(meta_path, sizeof(meta_path), "%s.meta", path) >= (int)sizeof(meta_path)) {
        return LF_E_INVAL;
    }
    f->mem = lf_sim_map_file(path, geo->size, create, geo->erase_value, &err);
    if (err) {
        return err;
    }
    f->meta = lf_sim_map_file(meta_path, f->meta_len, create, 0, &err);
    if (err) {
        munmap(f->mem, geo->size);
        return err;
    }
    struct lf_sim_meta_hdr *m = lf_sim_meta(f);
    if (create) {
        m->magic = LF_SIM_META_MAGIC;
        m->sector_count = sectors;
        m->flash_size = geo->size;
    } else if (m->magic != LF_SIM_META_MAGIC || m->sector_count != sectors ||
               m->flash_size != geo->size) {
        lf_sim_flash_close(f);
        return LF_E_FLASH_GEOMETRY;
    }
    f->dev.geo = geo;
    f->dev.ops = &lf_sim_flash_ops;
    f->dev.ctx = f;
    f->dev.map_addr = LF_FLASH_NOT_MAPPED;
    return LF_OK;
}

void lf_sim_flash_close(struct lf_sim_flash *f)
{
    if (f->mem) {
        munmap(f->mem, f->geo->size);
    }
    if (f->meta) {
        munmap(f->meta, f->meta_len);
    }
    f->mem = NULL;
    f->meta = NULL;
}

void lf_sim_flash_lock(struct lf_sim_flash *f, uint32_t start, uint32_t end)
{
    if (f->lock_end <= f->lock_start) {
        f->lock_start = start;
        f->lock_end = end;
        return;
    }
    f->lock_start = start < f->lock_start ? start : f->lock_start;
    f->lock_end = end > f->lock_end ? end : f->lock_end;
}

void lf_sim_flash_drop_bits(struct lf_sim_flash *f, uint32_t off, uint8_t mask)
{
    f->drop_armed = true;
    f->drop_off = off;
    f->drop_mask = mask;
}

void lf_sim_flash_get_stats(const struct lf_sim_flash *f, struct lf_sim_flash_stats *st)
{
    *st = lf_sim_meta(f)->stats;
}

void lf_sim_flash_reset_stats(struct lf_sim_flash *f)
{
    memset(&lf_sim_meta(f)->stats, 0, sizeof(struct lf_sim_flash_stats));
}

uint32_t lf_sim_flash_erase_count(const struct lf_sim_flash *f, uint32_t off)
{
    if (off >= f->geo->size) {
        return 0;
    }
    return lf_sim_erase_counters(f)[lf_sim_sector_index(f->geo, off)];
}

int lf_sim_flash_load(struct lf_sim_flash *f, uint32_t off, const void *data, uint32_t len)
{
    if (off > f->geo->size || len > f->geo->size - off) {
        return LF_E_FLASH_OUT_OF_BOUNDS;
    }
    memcpy(f->mem + off, data, len);
    if (f->geo->flags & LF_FLASH_F_OTP) {
        /* A programmer writes each OTP word that is not blank, once: those
         * words are used up, as after a program through the driver. */
        uint32_t w = f->geo->write_align;
        uint8_t *bits = lf_sim_otp_bitmap(f);
        for (uint32_t u = off / w; u < (off + len + w - 1) / w; u++) {
            for (uint32_t i = u * w; i < (u + 1) * w && i < f->geo->size; i++) {
                if (f->mem[i] != f->geo->erase_value) {
                    bits[u / 8] |= (uint8_t)(1u << (u % 8));
                    break;
                }
            }
        }
    }
    return LF_OK;
}
