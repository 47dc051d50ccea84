/* Signing keys for lfimg, on OpenSSL 3 EVP. */
#ifndef LFIMG_KEYS_H
#define LFIMG_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "lf/image.h"

/* Large enough for the DER SPKI of every supported key type. */
#define LFIMG_SPKI_MAX 128

struct lfimg_key {
    EVP_PKEY *pkey;
    enum lf_key_type type;
    bool has_private;
    uint8_t spki[LFIMG_SPKI_MAX]; /* DER SubjectPublicKeyInfo, as MCUboot embeds it */
    size_t spki_len;
    uint8_t spki_hash[32]; /* SHA-256 of spki: the KEYHASH TLV */
};

/* Load a PEM private key (PKCS#8 or traditional), or with !need_private also
 * a PEM public key. Only ECDSA P-256 and Ed25519 are accepted.
 * 0 or -1 (message printed). */
int lfimg_key_load(const char *path, bool need_private, struct lfimg_key *k);
void lfimg_key_free(struct lfimg_key *k);

/* Sign a 32-byte image digest the way imgtool does: ECDSA with the digest as
 * the hash value (DER output), Ed25519 with the digest as the message.
 * *sig_len: capacity in, length out. 0 or -1. */
int lfimg_key_sign(const struct lfimg_key *k, const uint8_t digest[32], uint8_t *sig,
                   size_t *sig_len);

/* Generate a key and write it as an unencrypted PKCS#8 PEM file (mode 0600).
 * 0 or -1. */
int lfimg_key_generate(enum lf_key_type type, const char *path);

/* "ecdsa-p256" / "ed25519". */
const char *lfimg_key_type_name(enum lf_key_type type);

#endif
