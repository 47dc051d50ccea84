#include "lf/log.h"

#include <stddef.h>
#include <stdint.h>

struct lf_out {
    char *buf;
    unsigned len;
    unsigned pos;
};

static void lf_put(struct lf_out *o, char c)
{
    if (o->pos + 1 < o->len) {
        o->buf[o->pos++] = c;
    }
}

static void lf_put_uint(struct lf_out *o, uint32_t v, unsigned base, unsigned width, char pad)
{
    char digits[12];
    unsigned n = 0;
    do {
        unsigned d = v % base;
        digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0 && n < sizeof(digits));
    while (width > n) {
        lf_put(o, pad);
        width--;
    }
    while (n > 0) {
        lf_put(o, digits[--n]);
    }
}

static unsigned lf_vformat_names(char *buf, unsigned len, const char *fmt, va_list ap,
                                 const char *(*err_name)(int err))
{
    struct lf_out o = {buf, len, 0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            lf_put(&o, *p);
            continue;
        }
        p++;
        char pad = ' ';
        unsigned width = 0;
        if (*p == '0') {
            pad = '0';
            p++;
        }
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (unsigned)(*p - '0');
            p++;
        }
        switch (*p) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++) {
                lf_put(&o, *s);
            }
            break;
        }
        case 'c':
            lf_put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            int v = va_arg(ap, int);
            uint32_t mag = v < 0 ? (uint32_t)0 - (uint32_t)v : (uint32_t)v;
            if (v < 0) {
                lf_put(&o, '-');
                width = width ? width - 1 : 0;
            }
            lf_put_uint(&o, mag, 10, width, pad);
            break;
        }
        case 'u':
            lf_put_uint(&o, va_arg(ap, unsigned), 10, width, pad);
            break;
        case 'x':
            lf_put_uint(&o, va_arg(ap, unsigned), 16, width, pad);
            break;
        case 'E': {
            int err = va_arg(ap, int);
            const char *name = err_name ? err_name(err) : NULL;
            if (name) {
                for (; *name; name++) {
                    lf_put(&o, *name);
                }
            } else {
                for (const char *w = "error -"; *w; w++) {
                    lf_put(&o, *w);
                }
                lf_put_uint(&o, err < 0 ? (uint32_t)0 - (uint32_t)err : (uint32_t)err, 10, 0, ' ');
            }
            break;
        }
        case '%':
            lf_put(&o, '%');
            break;
        case '\0':
            p--;
            break;
        default:
            lf_put(&o, '?');
            break;
        }
    }
    if (len > 0) {
        buf[o.pos] = '\0';
    }
    return o.pos;
}

unsigned lf_vformat(char *buf, unsigned len, const char *fmt, va_list ap)
{
    return lf_vformat_names(buf, len, fmt, ap, NULL);
}

unsigned lf_format(char *buf, unsigned len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    unsigned n = lf_vformat(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

void lf_vlogf(const struct lf_log *log, const char *fmt, va_list ap)
{
    if (!log || !log->write) {
        return;
    }
    char line[LF_LOG_LINE_MAX];
    lf_vformat_names(line, sizeof(line), fmt, ap, log->err_name);
    log->write(log->ctx, line);
}

/* (lf_logf): the full function, also when LF_LOG_LEVEL makes lf_logf a macro. */
void(lf_logf)(const struct lf_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    lf_vlogf(log, fmt, ap);
    va_end(ap);
}

#if LF_LOG_LEVEL < 2
#if UINTPTR_MAX > 0xFFFFFFFFu
#error "LF_LOG_LEVEL 0 and 1 are for 32-bit targets (arguments are read as 32-bit words)"
#endif
void lf_log_numbers(const struct lf_log *log, unsigned n, ...)
{
    if (!log || !log->write) {
        return;
    }
    static const char hex[] = "0123456789abcdef";
    char line[4u + 16u * 9u];
    unsigned k = 0;
    uint32_t v = (uint32_t)(uintptr_t)__builtin_return_address(0);
    va_list ap;
    va_start(ap, n);
    for (unsigned i = 0;; i++) {
        line[k++] = i ? ' ' : '@';
        for (int s = 28; s >= 0; s -= 4) {
            line[k++] = hex[(v >> s) & 0xFu];
        }
        if (i == n || i == 15u) {
            break;
        }
        v = va_arg(ap, uint32_t);
    }
    va_end(ap);
    line[k] = '\0';
    log->write(log->ctx, line);
}
#endif
