#ifndef LF_TEST_CRYPTO_UTIL_H
#define LF_TEST_CRYPTO_UTIL_H

/*
 * Host-only helpers for the crypto tests and benchmark: hex, a seeded PRNG,
 * and OpenSSL 3 as the independent reference (key generation, signing,
 * verification). Signing is deterministic from caller-supplied bytes so that
 * a failing run is reproduced by its seed alone.
 */

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decode hex into out (cap bytes); returns the length, or (size_t)-1 on bad hex or overflow. */
size_t hex_decode(const char *hex, uint8_t *out, size_t cap);
/* Decode hex into a malloc'd buffer (never NULL on success, even when empty). */
uint8_t *hex_alloc(const char *hex, size_t *len);
void hex_fprint(FILE *f, const char *label, const uint8_t *p, size_t n);

/* splitmix64: small, fast, good enough to drive test cases from one seed. */
uint64_t test_rand_next(uint64_t *state);
void test_rand_bytes(uint64_t *state, uint8_t *out, size_t n);

/* P-256 through OpenSSL. */
struct p256_test_key {
    uint8_t priv[32]; /* d, big-endian, 1 <= d < n */
    uint8_t pub[64];  /* X || Y */
};
/* d = (seed mod (n - 1)) + 1, Q = dG. Returns 0 on success. */
int p256_test_keygen(struct p256_test_key *key, const uint8_t seed[32]);
/* ECDSA sign with nonce k = (nonce mod (n - 1)) + 1, e from the digest as in
 * SEC 1 (leftmost 256 bits). sig = r || s. Returns 0 on success. */
int p256_test_sign(const struct p256_test_key *key, const uint8_t *digest, size_t digest_len,
                   const uint8_t nonce[32], uint8_t sig[64]);
/* r || s to DER with OpenSSL's encoder (i2d_ECDSA_SIG); returns the length. */
size_t p256_test_sig_to_der(const uint8_t sig[64], uint8_t der[80]);
/* An OpenSSL public key object for X || Y, or NULL if OpenSSL refuses it. */
EVP_PKEY *p256_ossl_pkey(const uint8_t pub[64]);
/* OpenSSL's verdict on a DER signature over a digest: true = accepted. */
bool p256_ossl_verify(EVP_PKEY *pkey, const uint8_t *digest, size_t digest_len, const uint8_t *der,
                      size_t der_len);
/* The 91-byte SPKI DER of a P-256 key as OpenSSL writes it; returns the length. */
size_t p256_ossl_spki(EVP_PKEY *pkey, uint8_t out[128]);

/* Ed25519 through OpenSSL (deterministic by the algorithm). */
int ed25519_ossl_pub(const uint8_t seed[32], uint8_t pub[32]);
int ed25519_ossl_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64]);
/* true = accepted; a public key OpenSSL will not load counts as rejected. */
bool ed25519_ossl_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
                         const uint8_t sig[64]);
/* The 44-byte SPKI DER as OpenSSL writes it; returns the length. */
size_t ed25519_ossl_spki(const uint8_t pub[32], uint8_t out[64]);

#endif
