#ifndef LF_P256_H
#define LF_P256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * ECDSA P-256 signature verification (FIPS 186-4 / SEC 1). Verification only:
 * no secrets are handled, so the code may be variable-time, but every
 * malformed key, signature and encoding is rejected.
 */

#define LF_P256_PUBKEY_SIZE 64 /* X || Y, big-endian, no 0x04 prefix */
#define LF_P256_SIG_SIZE    64 /* r || s, big-endian */
#define LF_P256_SPKI_SIZE   91 /* DER SubjectPublicKeyInfo of an uncompressed P-256 key */
#define LF_P256_SIG_DER_MAX 72 /* longest DER ECDSA-Sig-Value: 2 + 2 * (2 + 33) */

/*
 * Verify sig (r||s) over a message digest of digest_len bytes (normally 32;
 * longer digests are truncated to the curve order's bit length, shorter ones
 * are used as is, as in SEC 1 4.1.4). digest may be NULL only when digest_len
 * is 0. Stack use is about 2.2 KiB on Cortex-M4 (-Os). Variable-time: no
 * secrets are involved.
 * Returns LF_OK, LF_E_CRYPTO_BAD_KEY (point not on curve, coordinates >= p,
 * point at infinity), or LF_E_CRYPTO_BAD_SIGNATURE (r or s not in [1, n-1], or
 * the equation does not hold).
 */
int lf_p256_verify(const uint8_t pub[LF_P256_PUBKEY_SIZE], const uint8_t *digest, size_t digest_len,
                   const uint8_t sig[LF_P256_SIG_SIZE]);

/*
 * Decode a DER ECDSA-Sig-Value SEQUENCE { INTEGER r, INTEGER s } into r||s.
 * Strict DER: minimal lengths, no negative integers, no superfluous leading
 * zero, nothing after the SEQUENCE -- except that allow_zero_padding accepts
 * trailing zero bytes after it (legacy imgtool --pad-sig images, padded to 72).
 * Integers larger than 32 bytes (after the sign byte) are rejected, and so is
 * any input longer than LF_P256_SIG_DER_MAX bytes, padding included. Only
 * short-form lengths occur in a valid signature, so any long form is rejected
 * as non-minimal. r = 0 or s = 0 decode fine: lf_p256_verify rejects them.
 * sig is written only on success.
 * Returns LF_OK or LF_E_CRYPTO_BAD_ENCODING.
 */
int lf_p256_sig_from_der(const uint8_t *der, size_t der_len, bool allow_zero_padding,
                         uint8_t sig[LF_P256_SIG_SIZE]);

/*
 * Extract X||Y from a DER SubjectPublicKeyInfo with algorithm id-ecPublicKey
 * and parameters prime256v1, uncompressed point (exactly LF_P256_SPKI_SIZE
 * bytes: DER has one encoding of that structure). Returns LF_OK,
 * LF_E_CRYPTO_BAD_ENCODING (not that structure) or LF_E_CRYPTO_BAD_KEY (the
 * point is not on the curve). pub is written only on success.
 */
int lf_p256_pubkey_from_spki(const uint8_t *der, size_t der_len, uint8_t pub[LF_P256_PUBKEY_SIZE]);

/* LF_OK if pub is an affine point on the curve with coordinates < p, else
 * LF_E_CRYPTO_BAD_KEY. (lf_p256_verify does the same check itself.) */
int lf_p256_pubkey_check(const uint8_t pub[LF_P256_PUBKEY_SIZE]);

#endif
