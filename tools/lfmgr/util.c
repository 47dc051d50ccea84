/* lfmgr: messages, JSON and hex output, CBOR diagnostic notation, parsing. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lfmgr.h"

char lfm_error_text[LFM_ERROR_TEXT];
volatile sig_atomic_t lfm_interrupted;
char lfm_json_extra[LFM_JSON_EXTRA];

void lfm_err(const char *fmt, ...)
{
    va_list ap;
    char msg[LFM_ERROR_TEXT];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    fprintf(stderr, "lfmgr: %s\n", msg);
    /* The first error (not a warning) is the cause: what --json reports. */
    if (lfm_error_text[0] == '\0' && strncmp(msg, "warning", 7) != 0) {
        snprintf(lfm_error_text, sizeof(lfm_error_text), "%s", msg);
    }
}

void lfm_json_extra_add(const char *fmt, ...)
{
    va_list ap;
    size_t n = strlen(lfm_json_extra);
    if (n + 2 >= sizeof(lfm_json_extra)) {
        return;
    }
    va_start(ap, fmt);
    int w = vsnprintf(lfm_json_extra + n, sizeof(lfm_json_extra) - n, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= sizeof(lfm_json_extra) - n) {
        lfm_json_extra[n] = '\0'; /* never a cut field: drop it */
    }
}

void lfm_log(const struct lfm_session *s, const char *fmt, ...)
{
    va_list ap;
    if (s->verbose <= 0) {
        return;
    }
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int64_t lfm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double lfm_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- CBOR diagnostic notation ----------------------------------------------------- */

struct diag {
    char *out;
    size_t cap;
    size_t pos;
};

static void put(struct diag *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct diag *g, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (g->pos + 1 >= g->cap) {
        return;
    }
    va_start(ap, fmt);
    n = vsnprintf(g->out + g->pos, g->cap - g->pos, fmt, ap);
    va_end(ap);
    if (n > 0) {
        g->pos += (size_t)n;
        if (g->pos >= g->cap) {
            g->pos = g->cap - 1;
        }
    }
}

static void diag_item(struct lf_cbor_dec *d, struct diag *g, int depth)
{
    struct lf_cbor_str s;
    uint64_t u;
    int64_t i;
    bool b;
    size_t k;
    switch (lf_cbor_peek(d)) {
    case LF_CBOR_T_UINT:
        lf_cbor_read_uint(d, &u);
        put(g, "%" PRIu64, u);
        break;
    case LF_CBOR_T_NINT:
        if (lf_cbor_read_int(d, &i) == 0) {
            put(g, "%" PRId64, i);
        } else {
            put(g, "-big");
        }
        break;
    case LF_CBOR_T_BYTES:
        if (lf_cbor_read_bytes(d, &s) != 0) {
            break;
        }
        if (s.len > 16) {
            put(g, "h'%02x%02x..'(%zu bytes)", s.ptr[0], s.ptr[1], s.len);
        } else {
            put(g, "h'");
            for (k = 0; k < s.len; k++) {
                put(g, "%02x", s.ptr[k]);
            }
            put(g, "'");
        }
        break;
    case LF_CBOR_T_TEXT:
        if (lf_cbor_read_text(d, &s) == 0) {
            put(g, "\"%.*s\"", (int)(s.len > 200 ? 200 : s.len), (const char *)s.ptr);
        }
        break;
    case LF_CBOR_T_ARRAY:
        if (depth > 6) {
            lf_cbor_skip(d);
            put(g, "[...]");
            break;
        }
        lf_cbor_enter_array(d, NULL);
        put(g, "[");
        for (k = 0; lf_cbor_dec_more(d); k++) {
            put(g, k ? ", " : "");
            diag_item(d, g, depth + 1);
        }
        lf_cbor_leave(d);
        put(g, "]");
        break;
    case LF_CBOR_T_MAP:
        if (depth > 6) {
            lf_cbor_skip(d);
            put(g, "{...}");
            break;
        }
        lf_cbor_enter_map(d, NULL);
        put(g, "{");
        for (k = 0; lf_cbor_dec_more(d); k++) {
            put(g, k % 2 ? ": " : (k ? ", " : ""));
            diag_item(d, g, depth + 1);
        }
        lf_cbor_leave(d);
        put(g, "}");
        break;
    case LF_CBOR_T_BOOL:
        lf_cbor_read_bool(d, &b);
        put(g, b ? "true" : "false");
        break;
    case LF_CBOR_T_NULL:
        lf_cbor_read_null(d);
        put(g, "null");
        break;
    case LF_CBOR_T_END:
        break;
    default:
        lf_cbor_skip(d);
        put(g, "?");
        break;
    }
}

void lfm_cbor_diag(const uint8_t *buf, size_t len, char *out, size_t cap)
{
    struct lf_cbor_dec d;
    struct diag g = {out, cap, 0};
    if (cap == 0) {
        return;
    }
    out[0] = '\0';
    lf_cbor_dec_init(&d, buf, len);
    while (lf_cbor_dec_more(&d) && d.err == 0) {
        diag_item(&d, &g, 0);
    }
    if (d.err) {
        put(&g, " <malformed CBOR: %d>", d.err);
    }
}

/* ---- JSON, hex, numbers, files ------------------------------------------------------- */

void lfm_json_str(FILE *f, const char *s, size_t len)
{
    size_t i;
    fputc('"', f);
    for (i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\') {
            fputc('\\', f);
            fputc(ch, f);
        } else if (ch == '\n') {
            fputs("\\n", f);
        } else if (ch == '\r') {
            fputs("\\r", f);
        } else if (ch == '\t') {
            fputs("\\t", f);
        } else if (ch < 0x20 || ch == 0x7f) {
            fprintf(f, "\\u%04x", ch);
        } else {
            fputc(ch, f);
        }
    }
    fputc('"', f);
}

void lfm_hex(FILE *f, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        fprintf(f, "%02x", p[i]);
    }
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

int lfm_parse_hex(const char *s, uint8_t *out, size_t max)
{
    size_t n = strlen(s);
    size_t i;
    if (n == 0 || n % 2 != 0 || n / 2 > max) {
        return -1;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = hex_digit(s[2 * i]);
        int lo = hex_digit(s[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return -1;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return (int)(n / 2);
}

bool lfm_parse_u32(const char *s, uint32_t max, uint32_t *v)
{
    char *end = NULL;
    unsigned long long x;
    if (s == NULL || *s == '\0' || *s == '-' || *s == '+' || *s == ' ') {
        return false;
    }
    errno = 0;
    x = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || x > max) {
        return false;
    }
    *v = (uint32_t)x;
    return true;
}

int lfm_read_file(const char *path, uint8_t **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    size_t cap = 0;
    size_t n = 0;
    if (f == NULL) {
        lfm_err("cannot open %s: %s", path, strerror(errno));
        return LF_EXIT_FILE;
    }
    for (;;) {
        size_t got;
        if (n == cap) {
            uint8_t *nb;
            cap = cap ? cap * 2 : 65536;
            if (cap > ((size_t)1 << 32)) {
                lfm_err("%s: file too large", path);
                free(buf);
                fclose(f);
                return LF_EXIT_FILE;
            }
            nb = realloc(buf, cap);
            if (nb == NULL) {
                lfm_err("%s: out of memory", path);
                free(buf);
                fclose(f);
                return LF_EXIT_FILE;
            }
            buf = nb;
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    if (ferror(f)) {
        lfm_err("cannot read %s: %s", path, strerror(errno));
        free(buf);
        fclose(f);
        return LF_EXIT_FILE;
    }
    fclose(f);
    *data = buf;
    *len = n;
    return LF_EXIT_OK;
}

/* ---- CBOR as JSON or as "key: value" lines ------------------------------------------------ */

static void json_item(struct lf_cbor_dec *d, FILE *f, int depth)
{
    struct lf_cbor_str s;
    uint64_t u;
    int64_t i;
    bool b;
    size_t k;
    switch (lf_cbor_peek(d)) {
    case LF_CBOR_T_UINT:
        lf_cbor_read_uint(d, &u);
        fprintf(f, "%" PRIu64, u);
        break;
    case LF_CBOR_T_NINT:
        if (lf_cbor_read_int(d, &i) == 0) {
            fprintf(f, "%" PRId64, i);
        } else {
            fputs("null", f);
        }
        break;
    case LF_CBOR_T_BYTES:
        fputc('"', f);
        if (lf_cbor_read_bytes(d, &s) == 0) {
            lfm_hex(f, s.ptr, s.len);
        }
        fputc('"', f);
        break;
    case LF_CBOR_T_TEXT:
        if (lf_cbor_read_text(d, &s) == 0) {
            lfm_json_str(f, (const char *)s.ptr, s.len);
        } else {
            fputs("null", f);
        }
        break;
    case LF_CBOR_T_ARRAY:
    case LF_CBOR_T_MAP: {
        bool map = lf_cbor_peek(d) == LF_CBOR_T_MAP;
        if (depth > 6) {
            lf_cbor_skip(d);
            fputs("null", f);
            break;
        }
        if (map) {
            lf_cbor_enter_map(d, NULL);
        } else {
            lf_cbor_enter_array(d, NULL);
        }
        fputc(map ? '{' : '[', f);
        for (k = 0; lf_cbor_dec_more(d) && d->err == 0; k++) {
            if (map && k % 2 == 1) {
                fputs(": ", f);
            } else if (k) {
                fputs(", ", f);
            }
            if (map && k % 2 == 0 && lf_cbor_peek(d) != LF_CBOR_T_TEXT) {
                /* JSON keys are text: other keys become their JSON text */
                char key[64];
                FILE *m = fmemopen(key, sizeof(key), "w");
                if (m != NULL) {
                    json_item(d, m, depth + 1);
                    fputc('\0', m);
                    fclose(m);
                    key[sizeof(key) - 1] = '\0';
                    lfm_json_str(f, key, strlen(key));
                } else {
                    lf_cbor_skip(d);
                    fputs("\"?\"", f);
                }
                continue;
            }
            json_item(d, f, depth + 1);
        }
        if (map && k % 2 == 1) {
            fputs(": null", f); /* a key without a value (malformed): still JSON */
        }
        lf_cbor_leave(d);
        fputc(map ? '}' : ']', f);
        break;
    }
    case LF_CBOR_T_BOOL:
        lf_cbor_read_bool(d, &b);
        fputs(b ? "true" : "false", f);
        break;
    default:
        lf_cbor_skip(d);
        fputs("null", f);
        break;
    }
}

void lfm_cbor_json(const uint8_t *buf, size_t len, FILE *f)
{
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, buf, len);
    if (len == 0 || lf_cbor_peek(&d) != LF_CBOR_T_MAP) {
        fputs("{}", f);
        return;
    }
    json_item(&d, f, 0);
}

void lfm_cbor_lines(const uint8_t *buf, size_t len, FILE *f)
{
    struct lf_cbor_dec d;
    struct lf_cbor_str key;
    lf_cbor_dec_init(&d, buf, len);
    if (len == 0 || lf_cbor_peek(&d) != LF_CBOR_T_MAP) {
        return;
    }
    lf_cbor_enter_map(&d, NULL);
    while (lf_cbor_dec_more(&d) && d.err == 0) {
        if (lf_cbor_peek(&d) != LF_CBOR_T_TEXT || lf_cbor_read_text(&d, &key) != 0) {
            lf_cbor_skip(&d);
            lf_cbor_skip(&d);
            continue;
        }
        fprintf(f, "%.*s: ", (int)(key.len > 64 ? 64 : key.len), (const char *)key.ptr);
        if (lf_cbor_peek(&d) == LF_CBOR_T_TEXT) {
            struct lf_cbor_str t;
            if (lf_cbor_read_text(&d, &t) == 0) {
                fprintf(f, "%.*s", (int)(t.len > 400 ? 400 : t.len), (const char *)t.ptr);
            }
        } else {
            json_item(&d, f, 1);
        }
        fputc('\n', f);
    }
}
