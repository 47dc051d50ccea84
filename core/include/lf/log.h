#ifndef LF_LOG_H
#define LF_LOG_H

#include <stdarg.h>

/*
 * The board's log channel: one callback that receives whole lines (no
 * trailing newline). The core formats with a tiny formatter of its own
 * (%s %c %d %u %x, with optional zero-padded width like %08x, and %%), into a
 * bounded stack buffer: long lines are truncated, never overflowed.
 * %E takes an lf_err code: its name through the log's err_name (hosts pass
 * lf_err_name), or "error -N" when there is none, so a device's stage 0/1
 * need not link the table of error names and reasons.
 */
#define LF_LOG_LINE_MAX 160

struct lf_log {
    void (*write)(void *ctx, const char *line);
    void *ctx;
    const char *(*err_name)(int err); /* for %E; may be NULL */
};

/* log may be NULL or have a NULL write: then nothing happens. */
void lf_logf(const struct lf_log *log, const char *fmt, ...);
void lf_vlogf(const struct lf_log *log, const char *fmt, va_list ap);

/* Format into buf (always NUL-terminated when len > 0); returns the length
 * written, excluding the NUL. */
unsigned lf_vformat(char *buf, unsigned len, const char *fmt, va_list ap);
unsigned lf_format(char *buf, unsigned len, const char *fmt, ...);

#endif
