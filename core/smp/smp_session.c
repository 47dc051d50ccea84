/*
 * The persisted upload session log (docs/smp-upload.md section 3, rows S1-S6
 * of its table). Two pages; the live page starts with the newest valid
 * BEGIN and continues with 16-byte PROGRESS and END records up to the first
 * erased unit. Records are checked with a 32-bit SHA-256 prefix, so torn
 * ones read as garbage and are skipped; nothing is ever rewritten in place.
 */
#include "lf/smp_session.h"

#include <string.h>

#include "lf/err.h"
#include "lf/sha256.h"

#define MAGIC_BEGIN    0x4253464Cu /* "LFSB" */
#define MAGIC_PROGRESS 0x5053464Cu /* "LFSP" */
#define MAGIC_END      0x4553464Cu /* "LFSE" */

/* BEGIN layout (little-endian):
 *   0 magic  4 seq  8 image  9 area_id  10 sha_len  11 0xFF  12 len  16 progress
 *   20 sha[32]  52 reserved (8 x 0xFF)  60 check
 * PROGRESS / END layout: 0 magic  4 seq  8 value  12 check */
#define B_SEQ      4u
#define B_IMAGE    8u
#define B_AREA     9u
#define B_SHA_LEN  10u
#define B_LEN      12u
#define B_PROGRESS 16u
#define B_SHA      20u
#define B_CHECK    60u
#define R_SEQ      4u
#define R_VALUE    8u
#define R_CHECK    12u

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* 32-bit check over rec[0..n): the first four bytes of its SHA-256. A torn
 * record, an erased one and an all-zero one all fail it. */
static uint32_t check_of(const uint8_t *rec, size_t n)
{
    uint8_t d[LF_SHA256_SIZE];
    lf_sha256(rec, n, d);
    return get32(d);
}

/* Newer in serial-number arithmetic (sequence numbers may wrap). */
static bool seq_newer(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}

static int geometry(const struct lf_flash_area *fa, uint32_t *page_size)
{
    if (!fa || fa->size % 2u) {
        return LF_E_SMP_STATE_AREA;
    }
    uint32_t half = fa->size / 2u;
    uint32_t align = lf_flash_area_align(fa);
    uint32_t start, size;
    if (half < LF_SMP_SESSION_PAGE_MIN || align == 0 || LF_SMP_SESSION_UNIT % align ||
        lf_flash_area_sector_at(fa, half, &start, &size) || start != half) {
        return LF_E_SMP_STATE_AREA;
    }
    *page_size = half;
    return LF_OK;
}

static bool all_erased(const uint8_t *p, size_t n, uint8_t ev)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != ev) {
            return false;
        }
    }
    return true;
}

/* Read the BEGIN of page `pg`; true when valid. */
static bool read_begin(const struct lf_flash_area *fa, uint32_t page_size, uint8_t pg,
                       struct lf_smp_session *s, int *err)
{
    uint8_t b[LF_SMP_SESSION_BEGIN];
    *err = lf_flash_area_read(fa, pg * page_size, b, sizeof(b));
    if (*err || get32(b) != MAGIC_BEGIN || get32(b + B_CHECK) != check_of(b, B_CHECK) ||
        b[B_SHA_LEN] > LF_SMP_SESSION_SHA_MAX) {
        return false;
    }
    memset(s, 0, sizeof(*s));
    s->seq = get32(b + B_SEQ);
    s->image = b[B_IMAGE];
    s->area_id = b[B_AREA];
    s->sha_len = b[B_SHA_LEN];
    s->len = get32(b + B_LEN);
    s->progress = get32(b + B_PROGRESS);
    memcpy(s->sha, b + B_SHA, LF_SMP_SESSION_SHA_MAX);
    return s->progress <= s->len;
}

/* Scan the records after the BEGIN of the live page: progress, end and the
 * first erased unit (the write position). */
static int scan_records(struct lf_smp_session_log *log)
{
    const struct lf_flash_area *fa = log->fa;
    uint8_t ev = lf_flash_area_erased_val(fa);
    uint32_t base = log->page * log->page_size;
    uint32_t pos = LF_SMP_SESSION_BEGIN;
    while (pos + LF_SMP_SESSION_UNIT <= log->page_size) {
        uint8_t r[LF_SMP_SESSION_UNIT];
        int err = lf_flash_area_read(fa, base + pos, r, sizeof(r));
        if (err) {
            return err;
        }
        if (all_erased(r, sizeof(r), ev)) {
            break; /* records are appended in order: the rest is free */
        }
        pos += LF_SMP_SESSION_UNIT;
        if (get32(r + R_SEQ) != log->s.seq || get32(r + R_CHECK) != check_of(r, R_CHECK)) {
            continue; /* torn or foreign: skipped, never reused */
        }
        uint32_t magic = get32(r), v = get32(r + R_VALUE);
        if (magic == MAGIC_PROGRESS && v > log->s.progress && v <= log->s.len) {
            log->s.progress = v;
        } else if (magic == MAGIC_END) {
            log->s.ended = true;
        }
    }
    log->pos = pos;
    return LF_OK;
}

int lf_smp_session_load(struct lf_smp_session_log *log, const struct lf_flash_area *fa)
{
    memset(log, 0, sizeof(*log));
    log->fa = fa;
    int err = geometry(fa, &log->page_size);
    if (err) {
        return err;
    }
    struct lf_smp_session s[2];
    bool ok[2];
    for (uint8_t pg = 0; pg < 2; pg++) {
        ok[pg] = read_begin(fa, log->page_size, pg, &s[pg], &err);
        if (err) {
            return err;
        }
    }
    if (!ok[0] && !ok[1]) {
        return LF_OK;
    }
    log->page = (ok[1] && (!ok[0] || seq_newer(s[1].seq, s[0].seq))) ? 1u : 0u;
    log->have = true;
    log->s = s[log->page];
    return scan_records(log);
}

/* Make page pg erased (skipping the erase when it already is). */
static int page_clear(const struct lf_smp_session_log *log, uint8_t pg)
{
    bool erased = false;
    uint32_t off = pg * log->page_size;
    int err = lf_flash_area_is_erased(log->fa, off, log->page_size, &erased);
    if (err || erased) {
        return err;
    }
    return lf_flash_area_erase(log->fa, off, log->page_size);
}

int lf_smp_session_begin(struct lf_smp_session_log *log, const struct lf_smp_session *s)
{
    uint32_t page_size;
    int err = geometry(log->fa, &page_size);
    if (err) {
        return err;
    }
    if (s->sha_len > LF_SMP_SESSION_SHA_MAX || s->progress > s->len) {
        return LF_E_INVAL;
    }
    /* The target page: the other one when a session is live, so the live
     * BEGIN survives until the new one is complete. */
    uint8_t pg = log->have ? (uint8_t)(log->page ^ 1u) : 0u;
    uint32_t seq = log->have ? log->s.seq + 1u : 1u;
    err = page_clear(log, pg);
    if (err) {
        return err;
    }
    uint8_t b[LF_SMP_SESSION_BEGIN];
    memset(b, 0xFF, sizeof(b));
    put32(b, MAGIC_BEGIN);
    put32(b + B_SEQ, seq);
    b[B_IMAGE] = s->image;
    b[B_AREA] = s->area_id;
    b[B_SHA_LEN] = s->sha_len;
    put32(b + B_LEN, s->len);
    put32(b + B_PROGRESS, s->progress);
    memset(b + B_SHA, 0, LF_SMP_SESSION_SHA_MAX);
    memcpy(b + B_SHA, s->sha, s->sha_len);
    put32(b + B_CHECK, check_of(b, B_CHECK));
    err = lf_flash_area_write(log->fa, pg * page_size, b, sizeof(b));
    if (err) {
        return err;
    }
    log->page_size = page_size;
    log->page = pg;
    log->have = true;
    log->pos = LF_SMP_SESSION_BEGIN;
    log->s = *s;
    log->s.seq = seq;
    log->s.ended = false;
    return LF_OK;
}

static int append(struct lf_smp_session_log *log, uint32_t magic, uint32_t value)
{
    uint8_t r[LF_SMP_SESSION_UNIT];
    put32(r, magic);
    put32(r + R_SEQ, log->s.seq);
    put32(r + R_VALUE, value);
    put32(r + R_CHECK, check_of(r, R_CHECK));
    int err = lf_flash_area_write(log->fa, log->page * log->page_size + log->pos, r, sizeof(r));
    /* Whatever happened, that unit is used now (a failed write may have
     * programmed part of it). */
    log->pos += LF_SMP_SESSION_UNIT;
    return err;
}

int lf_smp_session_progress(struct lf_smp_session_log *log, uint32_t progress)
{
    if (!log->have || log->s.ended || progress <= log->s.progress) {
        return LF_OK;
    }
    if (progress > log->s.len) {
        return LF_E_RANGE;
    }
    /* Keep the last unit of a page for END: roll over before it. */
    if (log->pos + 2u * LF_SMP_SESSION_UNIT > log->page_size) {
        struct lf_smp_session s = log->s;
        s.progress = progress;
        return lf_smp_session_begin(log, &s);
    }
    int err = append(log, MAGIC_PROGRESS, progress);
    if (err) {
        return err;
    }
    log->s.progress = progress;
    return LF_OK;
}

int lf_smp_session_end(struct lf_smp_session_log *log)
{
    if (!log->have || log->s.ended) {
        return LF_OK;
    }
    int err;
    if (log->pos + LF_SMP_SESSION_UNIT > log->page_size) {
        /* Only torn records can fill the unit PROGRESS keeps free: carry
         * the session over to the other page first. */
        struct lf_smp_session s = log->s;
        err = lf_smp_session_begin(log, &s);
        if (err) {
            return err;
        }
    }
    err = append(log, MAGIC_END, log->s.progress);
    if (err) {
        return err;
    }
    log->s.ended = true;
    return LF_OK;
}
