/* Base64 (RFC 4648, standard alphabet, '=' padding). */
#include "lf/base64.h"
#include "lf/err.h"

static const char b64_alphabet[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define PAD    (-2)
#define BADCHR (-1)

/* Value of one character, PAD for '=', BADCHR otherwise. Arithmetic rather
 * than a 256-byte table: this runs at UART speed. */
static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return c == '=' ? PAD : BADCHR;
}

void lf_base64_encode_quantum(const uint8_t *in, size_t n, char out[4])
{
    uint32_t v = (uint32_t)in[0] << 16;
    if (n > 1) {
        v |= (uint32_t)in[1] << 8;
    }
    if (n > 2) {
        v |= in[2];
    }
    out[0] = b64_alphabet[(v >> 18) & 63u];
    out[1] = b64_alphabet[(v >> 12) & 63u];
    out[2] = n > 1 ? b64_alphabet[(v >> 6) & 63u] : '=';
    out[3] = n > 2 ? b64_alphabet[v & 63u] : '=';
}

int lf_base64_decode_quantum(const char in[4], uint8_t out[3])
{
    int a = b64_value(in[0]);
    int b = b64_value(in[1]);
    int c = b64_value(in[2]);
    int d = b64_value(in[3]);
    /* Valid shapes: xxxx, xxx=, xx== (never =x, never a character after =). */
    if (a < 0 || b < 0 || c == BADCHR || d == BADCHR || (c == PAD && d != PAD)) {
        return LF_E_BASE64_INVALID;
    }
    uint32_t v = ((uint32_t)a << 18) | ((uint32_t)b << 12);
    int n = 1;
    if (c >= 0) {
        v |= (uint32_t)c << 6;
        n = 2;
        if (d >= 0) {
            v |= (uint32_t)d;
            n = 3;
        }
    }
    out[0] = (uint8_t)(v >> 16);
    if (n > 1) {
        out[1] = (uint8_t)(v >> 8);
    }
    if (n > 2) {
        out[2] = (uint8_t)v;
    }
    return n;
}

int lf_base64_encode(const uint8_t *in, size_t in_len, char *out, size_t out_cap, size_t *out_len)
{
    if (in_len / 3u >= out_cap / 4u + 1u || LF_BASE64_ENC_LEN(in_len) > out_cap) {
        return LF_E_NOSPACE; /* first test keeps the macro from wrapping */
    }
    size_t o = 0;
    for (size_t i = 0; i < in_len; i += 3) {
        size_t n = in_len - i < 3 ? in_len - i : 3;
        lf_base64_encode_quantum(in + i, n, out + o);
        o += 4;
    }
    *out_len = o;
    return LF_OK;
}

int lf_base64_decode(const char *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (in_len % 4u != 0) {
        return LF_E_BASE64_INVALID;
    }
    size_t o = 0;
    for (size_t i = 0; i < in_len; i += 4) {
        uint8_t q[3];
        int n = lf_base64_decode_quantum(in + i, q);
        if (n < 0) {
            return n;
        }
        if (n < 3 && i + 4 < in_len) {
            return LF_E_BASE64_INVALID; /* padding before the end */
        }
        if ((size_t)n > out_cap - o) {
            return LF_E_NOSPACE;
        }
        for (int k = 0; k < n; k++) {
            out[o++] = q[k];
        }
    }
    *out_len = o;
    return LF_OK;
}
