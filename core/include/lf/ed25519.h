#ifndef LF_ED25519_H
#define LF_ED25519_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ed25519 signature verification (RFC 8032, PureEdDSA). Verification only,
 * variable-time allowed. Rejects: non-canonical S (S >= L), a public key or R
 * that does not decode to a curve point, non-canonical point encodings
 * (y >= p), and failed equations. The cofactorless equation [S]B = R + [k]A is
 * checked by encoding [S]B - [k]A and comparing with R's bytes.
 */

#define LF_ED25519_PUBKEY_SIZE 32
#define LF_ED25519_SIG_SIZE    64
#define LF_ED25519_SPKI_SIZE   44 /* DER SubjectPublicKeyInfo of an Ed25519 key */

/* Returns LF_OK, LF_E_CRYPTO_BAD_KEY (pub does not decode), LF_E_CRYPTO_BAD_ENCODING
 * (S >= L) or LF_E_CRYPTO_BAD_SIGNATURE (anything else, including an R that
 * does not decode: it can never equal the canonical encoding computed).
 * msg may be NULL only when msg_len is 0. Small-order public keys are not
 * rejected (RFC 8032 does not ask it). Stack use is about 2.6 KiB on Cortex-M4. */
int lf_ed25519_verify(const uint8_t pub[LF_ED25519_PUBKEY_SIZE], const uint8_t *msg, size_t msg_len,
                      const uint8_t sig[LF_ED25519_SIG_SIZE]);

/* Extract the 32-byte key from a DER SubjectPublicKeyInfo (OID 1.3.101.112,
 * no parameters; exactly LF_ED25519_SPKI_SIZE bytes). Returns LF_OK,
 * LF_E_CRYPTO_BAD_ENCODING (not that structure) or LF_E_CRYPTO_BAD_KEY (the
 * key does not decode to a curve point). pub is written only on success. */
int lf_ed25519_pubkey_from_spki(const uint8_t *der, size_t der_len,
                                uint8_t pub[LF_ED25519_PUBKEY_SIZE]);

/* LF_OK if pub is a canonical encoding of a curve point, else LF_E_CRYPTO_BAD_KEY. */
int lf_ed25519_pubkey_check(const uint8_t pub[LF_ED25519_PUBKEY_SIZE]);

#endif
