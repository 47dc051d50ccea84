/*
 * Fuzz target for the parsers of outside signature and key bytes:
 * lf_p256_sig_from_der, lf_p256_pubkey_from_spki, lf_ed25519_pubkey_from_spki.
 * Besides "no crash, no sanitizer report" it checks properties that must hold
 * for every input (abort() on violation):
 *  - strict DER is canonical: a decoded signature re-encodes to the input;
 *  - the padding option only adds zero-padded inputs: strict success implies
 *    padded success with the same value, and a padded success is the
 *    canonical encoding followed by zero bytes;
 *  - a parsed SPKI key passes the point check and re-wraps to the input.
 * Inputs that start with a valid SPKI also run a verification with the rest
 * (P-256: a DER signature; Ed25519: a 64-byte signature and the message).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"
#include "lf/sha256.h"

/* Canonical DER of one INTEGER from a 32-byte big-endian value. */
static size_t put_integer(uint8_t *out, const uint8_t v[32])
{
    size_t skip = 0;
    while (skip < 31 && v[skip] == 0) {
        skip++;
    }
    size_t len = 32 - skip;
    size_t sign = (v[skip] & 0x80) ? 1 : 0;
    out[0] = 0x02;
    out[1] = (uint8_t)(len + sign);
    out[2] = 0;
    memcpy(out + 2 + sign, v + skip, len);
    return 2 + sign + len;
}

static size_t encode_sig(uint8_t out[LF_P256_SIG_DER_MAX], const uint8_t sig[64])
{
    size_t n = 2;
    n += put_integer(out + n, sig);
    n += put_integer(out + n, sig + 32);
    out[0] = 0x30;
    out[1] = (uint8_t)(n - 2);
    return n;
}

static void check_sig(const uint8_t *data, size_t size)
{
    uint8_t strict[64], padded[64], der[LF_P256_SIG_DER_MAX];
    int err_strict = lf_p256_sig_from_der(data, size, false, strict);
    int err_padded = lf_p256_sig_from_der(data, size, true, padded);
    if ((err_strict != LF_OK && err_strict != LF_E_CRYPTO_BAD_ENCODING) ||
        (err_padded != LF_OK && err_padded != LF_E_CRYPTO_BAD_ENCODING)) {
        abort();
    }
    if (err_strict == LF_OK) {
        size_t n = encode_sig(der, strict);
        if (n != size || memcmp(der, data, n) != 0 || err_padded != LF_OK ||
            memcmp(strict, padded, 64) != 0) {
            abort();
        }
    }
    if (err_padded == LF_OK) {
        size_t n = encode_sig(der, padded);
        if (n > size || memcmp(der, data, n) != 0) {
            abort();
        }
        for (size_t i = n; i < size; i++) {
            if (data[i] != 0) {
                abort();
            }
        }
    }
}

static void check_p256_spki(const uint8_t *data, size_t size)
{
    uint8_t pub[LF_P256_PUBKEY_SIZE];
    int err =
        lf_p256_pubkey_from_spki(data, size < LF_P256_SPKI_SIZE ? size : LF_P256_SPKI_SIZE, pub);
    if (err != LF_OK) {
        if (err != LF_E_CRYPTO_BAD_ENCODING && err != LF_E_CRYPTO_BAD_KEY) {
            abort();
        }
        return;
    }
    if (lf_p256_pubkey_check(pub) != LF_OK || memcmp(data + 27, pub, 64) != 0) {
        abort();
    }
    /* The rest of the input, if any, is a signature over a fixed digest. */
    uint8_t sig[64], digest[32];
    if (lf_p256_sig_from_der(data + LF_P256_SPKI_SIZE, size - LF_P256_SPKI_SIZE, true, sig) ==
        LF_OK) {
        lf_sha256("leapfrog", 8, digest);
        int v = lf_p256_verify(pub, digest, sizeof(digest), sig);
        if (v != LF_OK && v != LF_E_CRYPTO_BAD_SIGNATURE) {
            abort();
        }
    }
}

static void check_ed25519_spki(const uint8_t *data, size_t size)
{
    uint8_t pub[LF_ED25519_PUBKEY_SIZE];
    int err = lf_ed25519_pubkey_from_spki(
        data, size < LF_ED25519_SPKI_SIZE ? size : LF_ED25519_SPKI_SIZE, pub);
    if (err != LF_OK) {
        if (err != LF_E_CRYPTO_BAD_ENCODING && err != LF_E_CRYPTO_BAD_KEY) {
            abort();
        }
        return;
    }
    if (lf_ed25519_pubkey_check(pub) != LF_OK || memcmp(data + 12, pub, 32) != 0) {
        abort();
    }
    /* Then a 64-byte signature and the message it claims to sign. */
    if (size >= LF_ED25519_SPKI_SIZE + LF_ED25519_SIG_SIZE) {
        const uint8_t *sig = data + LF_ED25519_SPKI_SIZE;
        const uint8_t *msg = sig + LF_ED25519_SIG_SIZE;
        size_t msg_len = size - LF_ED25519_SPKI_SIZE - LF_ED25519_SIG_SIZE;
        int v = lf_ed25519_verify(pub, msg, msg_len, sig);
        if (v != LF_OK && v != LF_E_CRYPTO_BAD_SIGNATURE && v != LF_E_CRYPTO_BAD_ENCODING) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_sig(data, size);
    check_p256_spki(data, size);
    check_ed25519_spki(data, size);
    return 0;
}
