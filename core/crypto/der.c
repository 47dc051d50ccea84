/*
 * Strict DER decoding of an ECDSA-Sig-Value (SEC 1 C.8, X.690 DER rules):
 *   30 len  02 len r  02 len s
 * Every length is in short form: the largest valid signature is 72 bytes, so a
 * long-form length could only be non-minimal. INTEGERs are positive (top bit of
 * the first byte clear) and minimal (a leading 00 only when the next byte has
 * its top bit set).
 */
#include "lf/err.h"
#include "lf/p256.h"

#include <string.h>

/* Decode the INTEGER at der[*pos], which must end at or before end, into a
 * 32-byte big-endian value; advance *pos past it. */
static int der_integer(const uint8_t *der, size_t end, size_t *pos, uint8_t out[32])
{
    size_t i = *pos;
    if (end - i < 2 || der[i] != 0x02) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    size_t len = der[i + 1];
    i += 2;
    /* len > 33 also catches every long-form length byte (>= 0x80). */
    if (len == 0 || len > 33 || len > end - i) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    const uint8_t *v = der + i;
    *pos = i + len;
    if (v[0] & 0x80) {
        return LF_E_CRYPTO_BAD_ENCODING; /* negative */
    }
    if (v[0] == 0 && len > 1) {
        if (!(v[1] & 0x80)) {
            return LF_E_CRYPTO_BAD_ENCODING; /* superfluous leading zero */
        }
        v++;
        len--;
    }
    if (len > 32) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    memset(out, 0, 32 - len);
    memcpy(out + 32 - len, v, len);
    return LF_OK;
}

int lf_p256_sig_from_der(const uint8_t *der, size_t der_len, bool allow_zero_padding,
                         uint8_t sig[LF_P256_SIG_SIZE])
{
    uint8_t rs[LF_P256_SIG_SIZE];
    if (der_len < 2 || der_len > LF_P256_SIG_DER_MAX || der[0] != 0x30) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    size_t end = 2 + (size_t)der[1];
    if (der[1] >= 0x80 || end > der_len) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    size_t pos = 2;
    int err = der_integer(der, end, &pos, rs);
    if (err) {
        return err;
    }
    err = der_integer(der, end, &pos, rs + 32);
    if (err) {
        return err;
    }
    if (pos != end) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    for (; pos < der_len; pos++) {
        if (!allow_zero_padding || der[pos] != 0) {
            return LF_E_CRYPTO_BAD_ENCODING;
        }
    }
    memcpy(sig, rs, sizeof(rs));
    return LF_OK;
}
