/*
 * bench_crypto: throughput of our SHA-256/SHA-512 and verification rate of our
 * P-256 and Ed25519 against OpenSSL 3 in the same process, printed as a
 * markdown table (ratio = ours / OpenSSL). Host build speed only says how the
 * code compares; on the device, see bench/crypto/arm_size.sh for size.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto_test_util.h"
#include "lf/ed25519.h"
#include "lf/err.h"
#include "lf/p256.h"
#include "lf/sha256.h"
#include "lf/sha512.h"

static double seconds = 0.5;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs fn until `seconds` have passed; returns operations per second. */
static double rate(void (*fn)(void *), void *arg)
{
    unsigned long n = 0;
    double t0 = now(), t;
    do {
        fn(arg);
        n++;
    } while ((t = now()) - t0 < seconds);
    return (double)n / (t - t0);
}

enum { HASH_BUF = 1 << 20 };
static uint8_t *hash_buf;

static void ours_sha256(void *arg)
{
    uint8_t d[32];
    (void)arg;
    lf_sha256(hash_buf, HASH_BUF, d);
}

static void ours_sha512(void *arg)
{
    uint8_t d[64];
    (void)arg;
    lf_sha512(hash_buf, HASH_BUF, d);
}

static void ossl_hash(void *arg)
{
    uint8_t d[64];
    unsigned int n;
    if (EVP_Digest(hash_buf, HASH_BUF, d, &n, (const EVP_MD *)arg, NULL) != 1) {
        abort();
    }
}

struct p256_case {
    uint8_t pub[64], digest[32], der[80];
    size_t der_len;
    EVP_PKEY *pkey;
};

static void ours_p256(void *arg)
{
    struct p256_case *c = arg;
    uint8_t sig[64];
    if (lf_p256_sig_from_der(c->der, c->der_len, false, sig) != LF_OK ||
        lf_p256_verify(c->pub, c->digest, 32, sig) != LF_OK) {
        abort();
    }
}

static void ossl_p256(void *arg)
{
    struct p256_case *c = arg;
    if (!p256_ossl_verify(c->pkey, c->digest, 32, c->der, c->der_len)) {
        abort();
    }
}

struct ed_case {
    uint8_t pub[32], msg[32], sig[64];
    EVP_PKEY *pkey;
};

static void ours_ed25519(void *arg)
{
    struct ed_case *c = arg;
    if (lf_ed25519_verify(c->pub, c->msg, sizeof(c->msg), c->sig) != LF_OK) {
        abort();
    }
}

static void ossl_ed25519(void *arg)
{
    struct ed_case *c = arg;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestVerifyInit(md, NULL, NULL, NULL, c->pkey) == 1 &&
             EVP_DigestVerify(md, c->sig, 64, c->msg, sizeof(c->msg)) == 1;
    EVP_MD_CTX_free(md);
    if (!ok) {
        abort();
    }
}

static void row(const char *what, const char *unit, double ours, double theirs)
{
    printf("| %-26s | %12.1f | %12.1f | %-8s | %5.2f |\n", what, ours, theirs, unit, ours / theirs);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_crypto [--seconds S]\n"
               "Prints a markdown table comparing our crypto with OpenSSL 3 (S seconds per\n"
               "measurement, default 0.5). Build with -DCMAKE_BUILD_TYPE=Release.\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
            seconds = atof(argv[++i]);
            if (seconds <= 0) {
                usage(stderr);
                return 2;
            }
            continue;
        }
        usage(stderr);
        return 2;
    }
    uint64_t rng = 0xbe7c4;
    hash_buf = malloc(HASH_BUF);
    if (!hash_buf) {
        return 1;
    }
    test_rand_bytes(&rng, hash_buf, HASH_BUF);

    struct p256_case pc;
    struct p256_test_key key;
    uint8_t seed[32], nonce[32], sig[64];
    test_rand_bytes(&rng, seed, 32);
    test_rand_bytes(&rng, nonce, 32);
    test_rand_bytes(&rng, pc.digest, 32);
    if (p256_test_keygen(&key, seed) != 0 || p256_test_sign(&key, pc.digest, 32, nonce, sig) != 0) {
        fprintf(stderr, "bench_crypto: P-256 setup failed\n");
        return 1;
    }
    memcpy(pc.pub, key.pub, 64);
    pc.der_len = p256_test_sig_to_der(sig, pc.der);
    pc.pkey = p256_ossl_pkey(pc.pub);

    struct ed_case ec;
    test_rand_bytes(&rng, seed, 32);
    test_rand_bytes(&rng, ec.msg, sizeof(ec.msg));
    if (ed25519_ossl_pub(seed, ec.pub) != 0 ||
        ed25519_ossl_sign(seed, ec.msg, sizeof(ec.msg), ec.sig) != 0) {
        fprintf(stderr, "bench_crypto: Ed25519 setup failed\n");
        return 1;
    }
    ec.pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, ec.pub, 32);
    if (!pc.pkey || !ec.pkey) {
        fprintf(stderr, "bench_crypto: OpenSSL key setup failed\n");
        return 1;
    }

    const double mib = (double)HASH_BUF / (1024.0 * 1024.0);
    printf("| %-26s | %12s | %12s | %-8s | %5s |\n", "operation", "ours", "OpenSSL", "unit",
           "ratio");
    printf("|----------------------------|-------------:|-------------:|----------|------:|\n");
    row("SHA-256 (1 MiB buffers)", "MiB/s", rate(ours_sha256, NULL) * mib,
        rate(ossl_hash, (void *)EVP_sha256()) * mib);
    row("SHA-512 (1 MiB buffers)", "MiB/s", rate(ours_sha512, NULL) * mib,
        rate(ossl_hash, (void *)EVP_sha512()) * mib);
    row("ECDSA P-256 verify", "verify/s", rate(ours_p256, &pc), rate(ossl_p256, &pc));
    row("Ed25519 verify (32 B msg)", "verify/s", rate(ours_ed25519, &ec), rate(ossl_ed25519, &ec));
    EVP_PKEY_free(pc.pkey);
    EVP_PKEY_free(ec.pkey);
    free(hash_buf);
    return 0;
}
