/*
 * SubjectPublicKeyInfo parsing for the two key types we verify with. DER has
 * exactly one encoding of each structure, so a strict parser is a comparison
 * with the fixed header followed by the key bytes.
 */
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"

#include <string.h>

/* SEQUENCE { SEQUENCE { OID id-ecPublicKey, OID prime256v1 },
 *            BIT STRING (0 unused bits) 04 || X || Y } */
static const uint8_t p256_spki_head[LF_P256_SPKI_SIZE - LF_P256_PUBKEY_SIZE] = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
    0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04,
};

/* SEQUENCE { SEQUENCE { OID 1.3.101.112 }, BIT STRING (0 unused bits) key } */
static const uint8_t ed25519_spki_head[LF_ED25519_SPKI_SIZE - LF_ED25519_PUBKEY_SIZE] = {
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

int lf_p256_pubkey_from_spki(const uint8_t *der, size_t der_len, uint8_t pub[LF_P256_PUBKEY_SIZE])
{
    const size_t head = sizeof(p256_spki_head);
    if (der_len != LF_P256_SPKI_SIZE || memcmp(der, p256_spki_head, head) != 0) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    int err = lf_p256_pubkey_check(der + head);
    if (err) {
        return err;
    }
    memcpy(pub, der + head, LF_P256_PUBKEY_SIZE);
    return LF_OK;
}

int lf_ed25519_pubkey_from_spki(const uint8_t *der, size_t der_len,
                                uint8_t pub[LF_ED25519_PUBKEY_SIZE])
{
    const size_t head = sizeof(ed25519_spki_head);
    if (der_len != LF_ED25519_SPKI_SIZE || memcmp(der, ed25519_spki_head, head) != 0) {
        return LF_E_CRYPTO_BAD_ENCODING;
    }
    int err = lf_ed25519_pubkey_check(der + head);
    if (err) {
        return err;
    }
    memcpy(pub, der + head, LF_ED25519_PUBKEY_SIZE);
    return LF_OK;
}
