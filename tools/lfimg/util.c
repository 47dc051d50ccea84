#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The last message, for the JSON error object of a command run with --json. */
static char lfimg_last_err[512];

void lfimg_err(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(lfimg_last_err, sizeof(lfimg_last_err), fmt, ap);
    va_end(ap);
    fprintf(stderr, "lfimg: %s\n", lfimg_last_err);
}

const char *lfimg_last_error(void)
{
    return lfimg_last_err;
}

int lfimg_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        lfimg_err("cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    size_t cap = 4096;
    size_t n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        lfimg_err("cannot read %s", path);
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

int lfimg_write_file(const char *path, const uint8_t *buf, size_t len)
{
    bool out = strcmp(path, "-") == 0;
    FILE *f = out ? stdout : fopen(path, "wb");
    if (!f) {
        lfimg_err("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    size_t put = fwrite(buf, 1, len, f);
    int err = out ? fflush(f) : fclose(f);
    if (put != len || err != 0) {
        lfimg_err("cannot write %s", path);
        return -1;
    }
    return 0;
}

/* One record: ":" count, address, type, data, checksum (two's complement of
 * the sum of every byte before it). */
static void ihex_record(FILE *f, uint8_t type, uint16_t addr, const uint8_t *data, uint8_t n)
{
    uint8_t sum = (uint8_t)(n + (addr >> 8) + (addr & 0xff) + type);
    fprintf(f, ":%02X%04X%02X", n, addr, type);
    for (uint8_t i = 0; i < n; i++) {
        fprintf(f, "%02X", data[i]);
        sum = (uint8_t)(sum + data[i]);
    }
    fprintf(f, "%02X\n", (uint8_t)(0x100u - sum));
}

int lfimg_write_ihex(const char *path, const uint8_t *buf, size_t len, uint32_t base)
{
    if (len > 0 && (uint64_t)base + len - 1 > UINT32_MAX) {
        lfimg_err("%s: %zu bytes at 0x%x go past the 32-bit address space", path, len, base);
        return -1;
    }
    bool out = strcmp(path, "-") == 0;
    FILE *f = out ? stdout : fopen(path, "w");
    if (!f) {
        lfimg_err("cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    uint32_t upper = 0;
    bool have_upper = false;
    size_t off = 0;
    while (off < len) {
        uint32_t addr = base + (uint32_t)off;
        if (!have_upper || addr >> 16 != upper) {
            upper = addr >> 16;
            have_upper = true;
            uint8_t ela[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
            ihex_record(f, 0x04, 0, ela, 2);
        }
        /* a record never crosses a 64 KiB boundary */
        size_t n = len - off < 16 ? len - off : 16;
        size_t to_boundary = 0x10000u - (addr & 0xffffu);
        if (n > to_boundary) {
            n = to_boundary;
        }
        ihex_record(f, 0x00, (uint16_t)(addr & 0xffffu), buf + off, (uint8_t)n);
        off += n;
    }
    ihex_record(f, 0x01, 0, NULL, 0);
    int err = ferror(f);
    err = (out ? fflush(f) : fclose(f)) != 0 || err;
    if (err) {
        lfimg_err("cannot write %s", path);
        return -1;
    }
    return 0;
}

FILE *lfimg_open_out(const char *path)
{
    if (!path || strcmp(path, "-") == 0) {
        return stdout;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        lfimg_err("cannot create %s: %s", path, strerror(errno));
    }
    return f;
}

void lfimg_close_out(FILE *f)
{
    if (f && f != stdout) {
        fclose(f);
    }
}

bool lfimg_parse_u32(const char *s, uint32_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+') {
        return false;
    }
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)v;
    return true;
}

/* One decimal field of a version, up to `max`; advances *s. */
static bool lfimg_version_field(const char **s, uint32_t max, uint32_t *out)
{
    const char *p = *s;
    uint64_t v = 0;
    if (*p < '0' || *p > '9') {
        return false;
    }
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > max) {
            return false;
        }
        p++;
    }
    *s = p;
    *out = (uint32_t)v;
    return true;
}

bool lfimg_parse_version(const char *s, struct lf_image_version *v)
{
    uint32_t f[4] = {0, 0, 0, 0};
    static const uint32_t max[4] = {0xff, 0xff, 0xffff, 0xffffffffu};
    static const char sep[4] = {'.', '.', '+', '\0'};
    if (!lfimg_version_field(&s, max[0], &f[0])) {
        return false;
    }
    for (int i = 1; i < 4 && *s; i++) {
        if (*s != sep[i - 1]) {
            return false;
        }
        s++;
        if (!lfimg_version_field(&s, max[i], &f[i])) {
            return false;
        }
    }
    if (*s) {
        return false;
    }
    v->major = (uint8_t)f[0];
    v->minor = (uint8_t)f[1];
    v->revision = (uint16_t)f[2];
    v->build = f[3];
    return true;
}

void lfimg_hex(const uint8_t *buf, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 15];
    }
    out[2 * len] = '\0';
}

void lfimg_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            fprintf(f, "\\%c", ch);
        } else if (ch < 0x20) {
            fprintf(f, "\\u%04x", ch);
        } else {
            fputc(ch, f);
        }
    }
    fputc('"', f);
}

uint16_t lfimg_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

uint32_t lfimg_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

void lfimg_put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void lfimg_put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
