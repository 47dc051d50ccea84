#include "keys.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "util.h"

const char *lfimg_key_type_name(enum lf_key_type type)
{
    return type == LF_KEY_ED25519 ? "ed25519" : "ecdsa-p256";
}

static void lfimg_ssl_err(const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    lfimg_err("%s: %s", what, e ? buf : "unknown OpenSSL error");
}

static int lfimg_key_classify(struct lfimg_key *k, const char *path)
{
    if (EVP_PKEY_is_a(k->pkey, "ED25519")) {
        k->type = LF_KEY_ED25519;
    } else if (EVP_PKEY_is_a(k->pkey, "EC")) {
        char group[64];
        size_t glen = 0;
        if (!EVP_PKEY_get_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                            sizeof(group), &glen) ||
            strcmp(group, "prime256v1") != 0) {
            lfimg_err("%s: only P-256 (prime256v1) EC keys are supported", path);
            return -1;
        }
        /* MCUboot embeds the uncompressed point (91-byte SPKI). */
        if (!EVP_PKEY_set_utf8_string_param(k->pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                            "uncompressed")) {
            lfimg_ssl_err(path);
            return -1;
        }
        k->type = LF_KEY_ECDSA_P256;
    } else {
        lfimg_err("%s: unsupported key type (need ecdsa-p256 or ed25519)", path);
        return -1;
    }
    int n = i2d_PUBKEY(k->pkey, NULL);
    if (n <= 0 || (size_t)n > sizeof(k->spki)) {
        lfimg_ssl_err(path);
        return -1;
    }
    uint8_t *p = k->spki;
    i2d_PUBKEY(k->pkey, &p);
    k->spki_len = (size_t)n;
    SHA256(k->spki, k->spki_len, k->spki_hash);
    return 0;
}

int lfimg_key_load(const char *path, bool need_private, struct lfimg_key *k)
{
    memset(k, 0, sizeof(*k));
    BIO *bio = BIO_new_file(path, "r");
    if (!bio) {
        lfimg_err("cannot open key %s: %s", path, strerror(errno));
        return -1;
    }
    k->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    k->has_private = k->pkey != NULL;
    if (!k->pkey && !need_private) {
        (void)BIO_reset(bio);
        ERR_clear_error();
        k->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
    }
    BIO_free(bio);
    if (!k->pkey) {
        lfimg_err("%s: not a PEM %s", path, need_private ? "private key" : "private or public key");
        return -1;
    }
    if (lfimg_key_classify(k, path) != 0) {
        lfimg_key_free(k);
        return -1;
    }
    return 0;
}

void lfimg_key_free(struct lfimg_key *k)
{
    EVP_PKEY_free(k->pkey);
    k->pkey = NULL;
}

int lfimg_key_sign(const struct lfimg_key *k, const uint8_t digest[32], uint8_t *sig,
                   size_t *sig_len)
{
    int ok = 0;
    if (k->type == LF_KEY_ED25519) {
        EVP_MD_CTX *md = EVP_MD_CTX_new();
        ok = md && EVP_DigestSignInit(md, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestSign(md, sig, sig_len, digest, 32) == 1;
        EVP_MD_CTX_free(md);
    } else {
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(k->pkey, NULL);
        ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) == 1 &&
             EVP_PKEY_sign(ctx, sig, sig_len, digest, 32) == 1;
        EVP_PKEY_CTX_free(ctx);
    }
    if (!ok) {
        lfimg_ssl_err("signing failed");
        return -1;
    }
    return 0;
}

int lfimg_key_generate(enum lf_key_type type, const char *path)
{
    EVP_PKEY *pkey = type == LF_KEY_ED25519 ? EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")
                                            : EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!pkey) {
        lfimg_ssl_err("key generation failed");
        return -1;
    }
    /* O_EXCL: never overwrite an existing key by accident. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        lfimg_err("cannot create %s: %s", path, strerror(errno));
        EVP_PKEY_free(pkey);
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    int ok = f && PEM_write_PKCS8PrivateKey(f, pkey, NULL, NULL, 0, NULL, NULL) == 1;
    if (f) {
        ok = (fclose(f) == 0) && ok;
    } else {
        close(fd);
    }
    EVP_PKEY_free(pkey);
    if (!ok) {
        lfimg_err("cannot write %s", path);
        unlink(path);
        return -1;
    }
    return 0;
}
