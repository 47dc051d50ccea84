#ifndef LFMGR_UPLOAD_H
#define LFMGR_UPLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include "lfmgr.h"

#define LFM_WINDOW_MAX 8u

/* Exit status of an upload stopped by Ctrl-C (SIGINT) or SIGTERM: the shell's
 * 128 + SIGINT; the device keeps what it received and a rerun resumes. */
#define LFM_EXIT_INTERRUPTED 130

struct lfm_upload_opts {
    uint32_t image;
    bool upgrade;
    unsigned window; /* requests in flight, 1..LFM_WINDOW_MAX; 0 = from buf_count */
    uint16_t align;  /* chunk data lengths are multiples of this (but the last) */
    bool progress;   /* progress bar when stderr is a terminal */
    const char *label;
};

struct lfm_upload_stats {
    uint32_t len;         /* file length */
    uint32_t resumed_off; /* bytes the device already had (resume), else 0 */
    double seconds;       /* from the first request to the last reply */
    uint64_t data_sent;   /* data bytes sent, resends included */
    uint32_t requests;    /* upload requests sent */
    uint32_t timeouts;    /* waits that ended without a reply */
    uint32_t resyncs;     /* replies with an offset other than the one expected */
    uint32_t restarts;    /* mid-transfer replies of offset 0 (session lost) */
    uint32_t chunk_max;   /* largest data length sent */
    size_t budget;        /* largest SMP message allowed */
    unsigned window;
    bool match; /* the device confirmed the data against the sha */
};

/*
 * Upload file[0..len) to image o->image: reads OS params, sizes the chunks
 * from buf_size and the transport, sends with the first-chunk fields (len,
 * sha = SHA-256 of the file, image, upgrade) so that a device holding a
 * session for the same file answers with its offset (resume), and always
 * continues from the offset the device returns. Returns an LF_EXIT_* code,
 * with a message on stderr on failure; *st is filled as far as it got.
 */
int lfm_upload(struct lfm_session *s, const uint8_t *file, uint32_t len,
               const struct lfm_upload_opts *o, struct lfm_upload_stats *st);

#endif
