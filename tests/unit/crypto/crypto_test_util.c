/* Host-only helpers for the crypto tests; see crypto_test_util.h. */
#include "crypto_test_util.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = strlen(hex);
    if (n % 2 != 0 || n / 2 > cap) {
        return (size_t)-1;
    }
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return (size_t)-1;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return n / 2;
}

uint8_t *hex_alloc(const char *hex, size_t *len)
{
    size_t cap = strlen(hex) / 2;
    uint8_t *buf = malloc(cap + 1);
    if (!buf) {
        return NULL;
    }
    *len = hex_decode(hex, buf, cap);
    if (*len == (size_t)-1) {
        free(buf);
        return NULL;
    }
    return buf;
}

void hex_fprint(FILE *f, const char *label, const uint8_t *p, size_t n)
{
    fprintf(f, "%s: ", label);
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "%02x", p[i]);
    }
    fprintf(f, "\n");
}

uint64_t test_rand_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void test_rand_bytes(uint64_t *state, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i % 8 == 0) {
            uint64_t r = test_rand_next(state);
            for (size_t j = 0; j < 8 && i + j < n; j++) {
                out[i + j] = (uint8_t)(r >> (8 * j));
            }
        }
    }
}

/* The P-256 group, created once (host test code may keep it for the run). */
static const EC_GROUP *p256_group(void)
{
    static EC_GROUP *group;
    if (!group) {
        group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    }
    return group;
}

/* x = (bytes mod (n - 1)) + 1, a scalar in [1, n - 1]. */
static BIGNUM *scalar_from(const uint8_t bytes[32], BN_CTX *ctx)
{
    BIGNUM *x = BN_bin2bn(bytes, 32, NULL);
    BIGNUM *nm1 = BN_dup(EC_GROUP_get0_order(p256_group()));
    if (!x || !nm1 || !BN_sub_word(nm1, 1) || !BN_mod(x, x, nm1, ctx) || !BN_add_word(x, 1)) {
        BN_free(x);
        x = NULL;
    }
    BN_free(nm1);
    return x;
}

int p256_test_keygen(struct p256_test_key *key, const uint8_t seed[32])
{
    const EC_GROUP *g = p256_group();
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *d = scalar_from(seed, ctx);
    EC_POINT *q = EC_POINT_new(g);
    uint8_t buf[65];
    int ok = d && q && EC_POINT_mul(g, q, d, NULL, NULL, ctx) &&
             EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, buf, sizeof(buf), ctx) ==
                 sizeof(buf) &&
             BN_bn2binpad(d, key->priv, 32) == 32;
    if (ok) {
        memcpy(key->pub, buf + 1, 64);
    }
    EC_POINT_free(q);
    BN_free(d);
    BN_CTX_free(ctx);
    return ok ? 0 : -1;
}

int p256_test_sign(const struct p256_test_key *key, const uint8_t *digest, size_t digest_len,
                   const uint8_t nonce[32], uint8_t sig[64])
{
    const EC_GROUP *g = p256_group();
    const BIGNUM *n = EC_GROUP_get0_order(g);
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *k = scalar_from(nonce, ctx);
    BIGNUM *d = BN_bin2bn(key->priv, 32, NULL);
    BIGNUM *e = BN_bin2bn(digest, (int)(digest_len < 32 ? digest_len : 32), NULL);
    BIGNUM *r = BN_new(), *s = BN_new();
    EC_POINT *kg = EC_POINT_new(g);
    /* r = x(kG) mod n; s = k^-1 (e + r d) mod n */
    int ok = k && d && e && r && s && kg && EC_POINT_mul(g, kg, k, NULL, NULL, ctx) &&
             EC_POINT_get_affine_coordinates(g, kg, r, NULL, ctx) && BN_nnmod(r, r, n, ctx) &&
             !BN_is_zero(r) && BN_mod_mul(s, r, d, n, ctx) && BN_mod_add(s, s, e, n, ctx) &&
             BN_mod_inverse(k, k, n, ctx) && BN_mod_mul(s, s, k, n, ctx) && !BN_is_zero(s) &&
             BN_bn2binpad(r, sig, 32) == 32 && BN_bn2binpad(s, sig + 32, 32) == 32;
    EC_POINT_free(kg);
    BN_free(k);
    BN_free(d);
    BN_free(e);
    BN_free(r);
    BN_free(s);
    BN_CTX_free(ctx);
    return ok ? 0 : -1;
}

size_t p256_test_sig_to_der(const uint8_t sig[64], uint8_t der[80])
{
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
    size_t len = 0;
    if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL; /* owned by es now */
        int n = i2d_ECDSA_SIG(es, NULL);
        if (n > 0 && n <= 80) {
            unsigned char *p = der;
            len = (size_t)i2d_ECDSA_SIG(es, &p);
        }
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return len;
}

EVP_PKEY *p256_ossl_pkey(const uint8_t pub[64])
{
    uint8_t point[65] = {0x04};
    memcpy(point + 1, pub, 64);
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (bld && ctx &&
        OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
        OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) &&
        (params = OSSL_PARAM_BLD_to_param(bld)) != NULL && EVP_PKEY_fromdata_init(ctx) == 1) {
        if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) {
            pkey = NULL;
        }
    }
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    return pkey;
}

bool p256_ossl_verify(EVP_PKEY *pkey, const uint8_t *digest, size_t digest_len, const uint8_t *der,
                      size_t der_len)
{
    if (!pkey) {
        return false;
    }
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
    bool ok = ctx && EVP_PKEY_verify_init(ctx) == 1 &&
              EVP_PKEY_verify(ctx, der, der_len, digest, digest_len) == 1;
    EVP_PKEY_CTX_free(ctx);
    return ok;
}

size_t p256_ossl_spki(EVP_PKEY *pkey, uint8_t out[128])
{
    int n = i2d_PUBKEY(pkey, NULL);
    if (n <= 0 || n > 128) {
        return 0;
    }
    unsigned char *p = out;
    return (size_t)i2d_PUBKEY(pkey, &p);
}

int ed25519_ossl_pub(const uint8_t seed[32], uint8_t pub[32])
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    size_t len = 32;
    int ok = pkey && EVP_PKEY_get_raw_public_key(pkey, pub, &len) == 1 && len == 32;
    EVP_PKEY_free(pkey);
    return ok ? 0 : -1;
}

int ed25519_ossl_sign(const uint8_t seed[32], const uint8_t *msg, size_t len, uint8_t sig[64])
{
    static const uint8_t empty[1];
    EVP_PKEY *pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t sig_len = 64;
    int ok = pkey && md && EVP_DigestSignInit(md, NULL, NULL, NULL, pkey) == 1 &&
             EVP_DigestSign(md, sig, &sig_len, len ? msg : empty, len) == 1 && sig_len == 64;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return ok ? 0 : -1;
}

bool ed25519_ossl_verify(const uint8_t pub[32], const uint8_t *msg, size_t len,
                         const uint8_t sig[64])
{
    static const uint8_t empty[1];
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool ok = pkey && md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, pkey) == 1 &&
              EVP_DigestVerify(md, sig, 64, len ? msg : empty, len) == 1;
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(pkey);
    return ok;
}

size_t ed25519_ossl_spki(const uint8_t pub[32], uint8_t out[64])
{
    EVP_PKEY *pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, 32);
    size_t len = 0;
    int n = pkey ? i2d_PUBKEY(pkey, NULL) : 0;
    if (n > 0 && n <= 64) {
        unsigned char *p = out;
        len = (size_t)i2d_PUBKEY(pkey, &p);
    }
    EVP_PKEY_free(pkey);
    return len;
}
