/*
 * ECDSA P-256 signatures in images: the ECDSA_SIG TLV holds a DER
 * SEQUENCE { r, s } (70..72 bytes, shorter when r or s has leading zeros) and
 * the 32-byte image digest is the ECDSA hash value (docs/reference/mcuboot.md 1.7, 1.9). Legacy
 * images (imgtool --pad-sig) pad the DER with zeros up to 72 bytes.
 */
#include "lf/image.h"

#include "lf/err.h"
#include "lf/p256.h"

/* Shortest DER signature: 30 06 02 01 r 02 01 s. */
#define LF_P256_DER_SIG_MIN 8u

static int lf_image_p256_verify(const uint8_t *spki, size_t spki_len,
                                const uint8_t digest[LF_SHA256_SIZE], const uint8_t *sig,
                                size_t sig_len)
{
    uint8_t pub[LF_P256_PUBKEY_SIZE];
    uint8_t rs[LF_P256_SIG_SIZE];
    if (lf_p256_pubkey_from_spki(spki, spki_len, pub) != LF_OK) {
        return LF_E_IMG_BAD_KEY;
    }
    if (lf_p256_sig_from_der(sig, sig_len, true, rs) != LF_OK) {
        return LF_E_IMG_SIG_ENCODING;
    }
    int LF_FIH_VOL err = lf_p256_verify(pub, digest, LF_SHA256_SIZE, rs);
    if (err == LF_E_CRYPTO_BAD_KEY) {
        return LF_E_IMG_BAD_KEY;
    }
    if (err != LF_OK) {
        return LF_E_IMG_BAD_SIGNATURE;
    }
    LF_FIH_CHECK(err == LF_OK); /* the verdict read a second time */
    return LF_OK;
}

const struct lf_image_sig_alg lf_image_sig_ecdsa_p256 = {
    .tlv_type = LF_TLV_ECDSA_SIG,
    .key_type = LF_KEY_ECDSA_P256,
    .sig_min = LF_P256_DER_SIG_MIN,
    .sig_max = LF_IMAGE_MAX_SIG_SIZE,
    .verify = lf_image_p256_verify,
};
