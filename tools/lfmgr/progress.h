#ifndef LFMGR_PROGRESS_H
#define LFMGR_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#include "lfmgr.h"

/* A one-line progress bar on stderr: percentage, bytes/s and ETA, redrawn at
 * most ten times a second. Silent unless enabled and stderr is a terminal. */
struct lfm_progress {
    const char *label;
    uint64_t total;
    uint64_t start_done; /* bytes already on the device when this run started */
    int64_t start_ms;
    int64_t last_ms;
    bool enabled;
    bool shown;
};

void lfm_progress_start(struct lfm_progress *p, const char *label, uint64_t total, uint64_t done,
                        bool enable);
void lfm_progress_update(struct lfm_progress *p, uint64_t done, bool force);
void lfm_progress_end(struct lfm_progress *p);

#endif
