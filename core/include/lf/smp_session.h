#ifndef LF_SMP_SESSION_H
#define LF_SMP_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/flash.h"

/*
 * The SMP server's persisted upload session (docs/smp-upload.md): what lets
 * an upload resume after a device reset. Kept in the SMP_STATE area as a
 * power-safe, append-only log over two pages:
 *
 *   page = BEGIN record (64 bytes) followed by 16-byte records:
 *          PROGRESS (bytes [0, off) of the slot hold the upload's data)
 *          END      (the session is over: completed, erased or abandoned)
 *
 * A new session (or a full page) erases the other page and writes a BEGIN
 * with the next sequence number there; the page whose BEGIN is valid and
 * newest is the live one. Every record carries a 32-bit check (SHA-256
 * prefix), so a torn record is recognised and skipped. A power cut at any
 * instant leaves either the previous state or the new one readable.
 *
 * The area must split into two halves on sector boundaries, each at least
 * LF_SMP_SESSION_PAGE_MIN bytes, with a write alignment dividing
 * LF_SMP_SESSION_UNIT; otherwise every call returns LF_E_SMP_STATE_AREA.
 */

#define LF_SMP_SESSION_UNIT     16u  /* record granule (PROGRESS, END) */
#define LF_SMP_SESSION_BEGIN    64u  /* BEGIN record size */
#define LF_SMP_SESSION_PAGE_MIN 256u /* smallest usable page */
#define LF_SMP_SESSION_SHA_MAX  32u

/* A session as stored. */
struct lf_smp_session {
    uint32_t seq;      /* sequence number of the BEGIN it comes from */
    uint8_t image;     /* SMP image number */
    uint8_t area_id;   /* enum lf_area_id of the slot being written */
    uint8_t sha_len;   /* 0..32: the client's "sha" (any length it chose) */
    bool ended;        /* an END record follows: no upload in progress */
    uint32_t len;      /* total upload length */
    uint32_t progress; /* bytes [0, progress) of the slot are the upload's data */
    uint8_t sha[LF_SMP_SESSION_SHA_MAX];
};

/* Where the next record goes (fields internal; filled by lf_smp_session_load). */
struct lf_smp_session_log {
    const struct lf_flash_area *fa;
    uint32_t page_size; /* half the area */
    uint8_t page;       /* live page, 0 or 1 */
    bool have;          /* a valid BEGIN exists (s is meaningful) */
    uint32_t pos;       /* page offset of the next free record */
    struct lf_smp_session s;
};

/*
 * Scan the area and fill *log (log->s is the newest session, log->have false
 * when no BEGIN is valid). Never fails on contents: torn and foreign bytes
 * read as "no record". Returns LF_OK, LF_E_SMP_STATE_AREA or a flash error.
 */
int lf_smp_session_load(struct lf_smp_session_log *log, const struct lf_flash_area *fa);

/*
 * Start a new session: s->progress is the starting progress (0 for a new
 * upload), s->ended must be false; s->seq is assigned. Erases the other page
 * and writes the BEGIN there; until that write completes the previous state
 * stays the live one.
 */
int lf_smp_session_begin(struct lf_smp_session_log *log, const struct lf_smp_session *s);

/* Record progress (> the stored progress, <= len); rolls over to the other
 * page when the live one is full. No-op when progress is not larger. */
int lf_smp_session_progress(struct lf_smp_session_log *log, uint32_t progress);

/* Close the live session (no-op when there is none or it is ended). */
int lf_smp_session_end(struct lf_smp_session_log *log);

#endif
