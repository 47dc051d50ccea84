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

/*
 * Build-time log level (LF_LOG_LEVEL, default 2), so that an image pays only
 * for what it prints:
 *   2  full: the lines as written
 *   1  numbers only: no format string is linked; a line is "@<pc> <a1> <a2>..."
 *      with the call site's address (arm-none-eabi-addr2line -e IMAGE.elf <pc>
 *      gives file and line) and each argument as a 32-bit hex number
 *   0  off: no format string, no formatter, no code: the arguments are
 *      type-checked but not evaluated, so a log argument must have no side
 *      effect (none has: each is a value or a pure lookup)
 * Up to 15 arguments after the format.
 */
#ifndef LF_LOG_LEVEL
#define LF_LOG_LEVEL 2
#endif
#if LF_LOG_LEVEL < 2
#define LF_LOG_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, N, \
                      ...)                                                                      \
    N
/* Arguments after the format (the format itself is dropped). */
#define LF_LOG_NARGS(...) \
    LF_LOG_NARGS_(__VA_ARGS__, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0)
#define LF_LOG_DROP1_(fmt, ...) __VA_ARGS__
/* n arguments follow (then one padding 0). */
void lf_log_numbers(const struct lf_log *log, unsigned n, ...);
static inline void lf_log_none(const struct lf_log *log, unsigned n, ...)
{
    (void)log;
    (void)n;
}
#if LF_LOG_LEVEL == 1
#define lf_logf(log, ...) \
    lf_log_numbers((log), LF_LOG_NARGS(__VA_ARGS__), LF_LOG_DROP1_(__VA_ARGS__, 0))
#else
/* if (0): the arguments are type-checked (and count as used), never run. */
#define lf_logf(log, ...)                                                                 \
    do {                                                                                  \
        if (0) {                                                                          \
            lf_log_none((log), LF_LOG_NARGS(__VA_ARGS__), LF_LOG_DROP1_(__VA_ARGS__, 0)); \
        }                                                                                 \
    } while (0)
#endif
#endif

/* Format into buf (always NUL-terminated when len > 0); returns the length
 * written, excluding the NUL. */
unsigned lf_vformat(char *buf, unsigned len, const char *fmt, va_list ap);
unsigned lf_format(char *buf, unsigned len, const char *fmt, ...);

#endif
