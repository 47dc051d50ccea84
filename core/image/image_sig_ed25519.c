/*
 * Ed25519 signatures in images: the ED25519 TLV holds the 64-byte signature
 * and the message is the 32-byte image digest, not the image (MCUboot's
 * non-pure mode, docs/reference/mcuboot.md 1.7).
 */
#include "lf/image.h"

#include "lf/ed25519.h"
#include "lf/err.h"

static int lf_image_ed25519_verify(const uint8_t *spki, size_t spki_len,
                                   const uint8_t digest[LF_SHA256_SIZE], const uint8_t *sig,
                                   size_t sig_len)
{
    uint8_t pub[LF_ED25519_PUBKEY_SIZE];
    if (sig_len != LF_ED25519_SIG_SIZE) {
        return LF_E_IMG_SIG_LEN;
    }
    if (lf_ed25519_pubkey_from_spki(spki, spki_len, pub) != LF_OK) {
        return LF_E_IMG_BAD_KEY;
    }
    int LF_FIH_VOL err = lf_ed25519_verify(pub, digest, LF_SHA256_SIZE, sig);
    if (err == LF_E_CRYPTO_BAD_KEY) {
        return LF_E_IMG_BAD_KEY;
    }
    if (err == LF_E_CRYPTO_BAD_ENCODING) {
        return LF_E_IMG_SIG_ENCODING;
    }
    if (err != LF_OK) {
        return LF_E_IMG_BAD_SIGNATURE;
    }
    LF_FIH_CHECK(err == LF_OK); /* the verdict read a second time */
    return LF_OK;
}

const struct lf_image_sig_alg lf_image_sig_ed25519 = {
    .tlv_type = LF_TLV_ED25519,
    .key_type = LF_KEY_ED25519,
    .sig_min = LF_ED25519_SIG_SIZE,
    .sig_max = LF_ED25519_SIG_SIZE,
    .verify = lf_image_ed25519_verify,
};
