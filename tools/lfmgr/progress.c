/* lfmgr: a progress bar on stderr (only when stderr is a terminal). */
#include <stdio.h>
#include <unistd.h>

#include "progress.h"

void lfm_progress_start(struct lfm_progress *p, const char *label, uint64_t total, uint64_t done,
                        bool enable)
{
    p->label = label;
    p->total = total;
    p->start_done = done;
    p->start_ms = lfm_now_ms();
    p->last_ms = 0;
    p->shown = false;
    p->enabled = enable && isatty(STDERR_FILENO);
}

static void fmt_time(char *buf, size_t cap, double s)
{
    unsigned long t = s > 0 && s < 360000.0 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600) {
        snprintf(buf, cap, "%lu:%02lu:%02lu", t / 3600, (t / 60) % 60, t % 60);
    } else {
        snprintf(buf, cap, "%lu:%02lu", t / 60, t % 60);
    }
}

void lfm_progress_update(struct lfm_progress *p, uint64_t done, bool force)
{
    int64_t now = lfm_now_ms();
    double secs = (double)(now - p->start_ms) / 1000.0;
    double rate = 0;
    char eta[32] = "--:--";
    int pct;
    int i;
    int fill;
    if (!p->enabled || (!force && now - p->last_ms < 100)) {
        return;
    }
    p->last_ms = now;
    if (done > p->total) {
        done = p->total;
    }
    pct = p->total ? (int)(done * 100 / p->total) : 100;
    if (secs > 0.05 && done > p->start_done) {
        rate = (double)(done - p->start_done) / secs;
        fmt_time(eta, sizeof(eta), (double)(p->total - done) / rate);
    }
    fill = pct * 30 / 100;
    fprintf(stderr, "\r%s [", p->label);
    for (i = 0; i < 30; i++) {
        fputc(i < fill ? '#' : ' ', stderr);
    }
    fprintf(stderr, "] %3d%%  %7.1f KiB/s  ETA %s ", pct, rate / 1024.0, eta);
    fflush(stderr);
    p->shown = true;
}

void lfm_progress_end(struct lfm_progress *p)
{
    if (p->enabled && p->shown) {
        fputc('\n', stderr);
    }
    p->shown = false;
}
