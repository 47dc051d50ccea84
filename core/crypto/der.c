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

int lf_p256_sig_from_der(const uint8_t *der, size_t der_len, bool allow_zero_padding,
                         uint8_t sig[LF_P256_SIG_SIZE])
{
    uint8_t rs[LF_P256_SIG_SIZE];
    if (der_len < 2 || der_len > LF_P256_SIG_DER_MAX || der[0] != 0x30 || der[1] >= 0x80) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    size_t end = 2 + (size_t)der[1], pos = 2;
    if (end > der_len) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    /* r, then s: each INTEGER must end at or before the SEQUENCE does, and
     * becomes a 32-byte big-endian value. */
    for (int k = 0; k < 2; k++) {
        if (end - pos < 2 || der[pos] != 0x02) {
            return LF_E_CRYPTO_BAD_ENCODING;
        }
        size_t len = der[pos + 1];
        pos += 2;
        /* len > 33 also catches every long-form length byte (>= 0x80). */
        if (len == 0 || len > 33 || len > end - pos) {
            return LF_E_CRYPTO_BAD_ENCODING;
        }
        const uint8_t *v = der + pos;
        pos += len;
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
        uint8_t *out = rs + 32 * k;
        memset(out, 0, 32 - len);
        memcpy(out + 32 - len, v, len);
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
