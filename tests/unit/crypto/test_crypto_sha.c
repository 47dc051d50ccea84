/*
 * SHA-256 and SHA-512 against published NIST vectors and, differentially,
 * against OpenSSL 3.
 *
 * Embedded NIST vectors:
 *  - FIPS 180 examples (NIST CSRC "Examples with intermediate values"): "abc",
 *    the 448-bit "abcdbcdecdefdefg...", the 896-bit "abcdefghbcdefghi..." and
 *    one million 'a', for both SHA-256 and SHA-512.
 *  - SHAVS byte-oriented vectors (shabytetestvectors): from SHA256ShortMsg.rsp
 *    Len = 0, 8, 504, 512 and the first SHA256LongMsg.rsp entry (Len = 1304);
 *    from SHA512ShortMsg.rsp Len = 0, 8, 1016, 1024 and the first
 *    SHA512LongMsg.rsp entry (Len = 1816).
 * Differential: every message length 0..1000 (one-shot and split in two at a
 * varying point), and multi-MB streams fed in odd chunk sizes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "crypto_test_util.h"
#include "lf/sha256.h"
#include "lf/sha512.h"

struct hash_vector {
    const char *name;
    const char *msg_hex;  /* message as hex, or NULL: use msg_text */
    const char *msg_text; /* ASCII message (FIPS 180 examples) */
    const char *digest;
};

static const char M448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char M896[] =
    "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqk"
    "lmnopqrlmnopqrsmnopqrstnopqrstu";

static const struct hash_vector sha256_vectors[] = {
    {"FIPS 180 abc", NULL, "abc",
     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"FIPS 180 448-bit", NULL, M448,
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"FIPS 180 896-bit", NULL, M896,
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    {"SHAVS ShortMsg Len=0", "", NULL,
     "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"SHAVS ShortMsg Len=8", "d3", NULL,
     "28969cdfa74a12c82f3bad960b0b000aca2ac329deea5c2328ebc6f2ba9802c1"},
    {"SHAVS ShortMsg Len=504",
     "e2f76e97606a872e317439f1a03fcd92e632e5bd4e7cbc4e97f1afc19a16fde92d77cbe546416b51640cddb92af99"
     "6534dfd81edb17c4424cf1ac4d75aceeb",
     NULL, "18041bd4665083001fba8c5411d2d748e8abbfdcdfd9218cb02b68a78e7d4c23"},
    {"SHAVS ShortMsg Len=512",
     "5a86b737eaea8ee976a0a24da63e7ed7eefad18a101c1211e2b3650c5187c2a8a650547208251f6d4237e661c7bf4"
     "c77f335390394c37fa1a9f9be836ac28509",
     NULL, "42e61e174fbb3897d6dd6cef3dd2802fe67b331953b06114a65c772859dfc1aa"},
    {"SHAVS LongMsg Len=1304",
     "451101250ec6f26652249d59dc974b7361d571a8101cdfd36aba3b5854d3ae086b5fdd4597721b66e3c0dc5d8c606"
     "d9657d0e323283a5217d1f53f2f284f57b85c8a61ac8924711f895c5ed90ef17745ed2d728abd22a5f7a13479a462"
     "d71b56c19a74a40b655c58edfe0a188ad2cf46cbf30524f65d423c837dd1ff2bf462ac4198007345bb44dbb7b1c86"
     "1298cdf61982a833afc728fae1eda2f87aa2c9480858bec",
     NULL, "3c593aa539fdcdae516cdf2f15000f6634185c88f505b39775fb9ab137a10aa2"},
};

static const struct hash_vector sha512_vectors[] = {
    {"FIPS 180 abc", NULL, "abc",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3fee"
     "bbd454d4423643ce80e2a9ac94fa54ca49f"},
    {"FIPS 180 448-bit", NULL, M448,
     "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789"
     "ca031ad85c7a71dd70354ec631238ca3445"},
    {"FIPS 180 896-bit", NULL, M896,
     "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b54"
     "33ac7d329eeb6dd26545e96e55b874be909"},
    {"SHAVS ShortMsg Len=0", "", NULL,
     "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877ee"
     "c2f63b931bd47417a81a538327af927da3e"},
    {"SHAVS ShortMsg Len=8", "21", NULL,
     "3831a6a6155e509dee59a7f451eb35324d8f8f2df6e3708894740f98fdee23889f4de5adb0c5010dfb555cda77c8a"
     "b5dc902094c52de3278f35a75ebc25f093a"},
    {"SHAVS ShortMsg Len=1016",
     "c13e6ca3abb893aa5f82c4a8ef754460628af6b75af02168f45b72f8f09e45ed127c203bc7bb80ff0c7bd96f8cc6d"
     "8110868eb2cfc01037d8058992a6cf2effcbfe498c842e53a2e68a793867968ba18efc4a78b21cdf6a11e5de821dc"
     "abab14921ddb33625d48a13baffad6fe8272dbdf4433bd0f7b813c981269c388f001",
     NULL,
     "6e56f77f6883d0bd4face8b8d557f144661989f66d51b1fe4b8fc7124d66d9d20218616fea1bcf86c08d63bf8f2f2"
     "1845a3e519083b937e70aa7c358310b5a7c"},
    {"SHAVS ShortMsg Len=1024",
     "fd2203e467574e834ab07c9097ae164532f24be1eb5d88f1af7748ceff0d2c67a21f4e4097f9d3bb4e9fbf97186e0"
     "db6db0100230a52b453d421f8ab9c9a6043aa3295ea20d2f06a2f37470d8a99075f1b8a8336f6228cf08b5942fc1f"
     "b4299c7d2480e8e82bce175540bdfad7752bc95b577f229515394f3ae5cec870a4b2f8",
     NULL,
     "a21b1077d52b27ac545af63b32746c6e3c51cb0cb9f281eb9f3580a6d4996d5c9917d2a6e484627a9d5a06fa1b253"
     "27a9d710e027387fc3e07d7c4d14c6086cc"},
    {"SHAVS LongMsg Len=1816",
     "4f05600950664d5190a2ebc29c9edb89c20079a4d3e6bc3b27d75e34e2fa3d02768502bd69790078598d5fcf3d677"
     "9bfed1284bbe5ad72fb456015181d9587d6e864c940564eaafb4f2fead4346ea09b6877d9340f6b82eb1515880872"
     "213da3ad88feba9f4f13817a71d6f90a1a17c43a15c038d988b5b29edffe2d6a062813cedbe852cde302b3e33b696"
     "846d2a8e36bd680efcc6cd3f9e9a4c1ae8cac10cc5244d131677140399176ed46700019a004a163806f7fa467fc4e"
     "17b4617bbd7641aaff7ff56396ba8c08a8be100b33a20b5daf134a2aefa5e1c3496770dcf6baa4f7bb",
     NULL,
     "a9db490c708cc72548d78635aa7da79bb253f945d710e5cb677a474efc7c65a2aab45bc7ca1113c8ce0f3c32e1399"
     "de9c459535e8816521ab714b2a6cd200525"},
};

static const char MILLION_A_256[] =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
static const char MILLION_A_512[] =
    "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c"
    "31beb009c5c2c49aa2e4eadb217ad8cc09b";

/* One interface over both hashes so every test runs for each. */
struct hash_impl {
    const char *name;
    size_t size;
    const EVP_MD *(*ossl)(void);
    void (*oneshot)(const void *data, size_t len, uint8_t *out);
    void (*stream)(const uint8_t *data, size_t len, const size_t *chunks, size_t nchunks,
                   uint8_t *out);
};

/* Feed data in chunks of the given sizes, cycling through them. */
static void sha256_stream(const uint8_t *data, size_t len, const size_t *chunks, size_t nchunks,
                          uint8_t *out)
{
    struct lf_sha256 ctx;
    lf_sha256_init(&ctx);
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t n = chunks[i % nchunks];
        n = n > len - off ? len - off : n;
        lf_sha256_update(&ctx, data + off, n);
        off += n;
    }
    lf_sha256_final(&ctx, out);
}

static void sha512_stream(const uint8_t *data, size_t len, const size_t *chunks, size_t nchunks,
                          uint8_t *out)
{
    struct lf_sha512 ctx;
    lf_sha512_init(&ctx);
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t n = chunks[i % nchunks];
        n = n > len - off ? len - off : n;
        lf_sha512_update(&ctx, data + off, n);
        off += n;
    }
    lf_sha512_final(&ctx, out);
}

static void sha256_oneshot(const void *data, size_t len, uint8_t *out)
{
    lf_sha256(data, len, out);
}

static void sha512_oneshot(const void *data, size_t len, uint8_t *out)
{
    lf_sha512(data, len, out);
}

static const struct hash_impl impls[] = {
    {"SHA-256", LF_SHA256_SIZE, EVP_sha256, sha256_oneshot, sha256_stream},
    {"SHA-512", LF_SHA512_SIZE, EVP_sha512, sha512_oneshot, sha512_stream},
};

static void ossl_digest(const struct hash_impl *h, const uint8_t *data, size_t len, uint8_t *out)
{
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(data, len, out, &n, h->ossl(), NULL), 1);
    assert_int_equal(n, h->size);
}

static void check_vectors(const struct hash_impl *h, const struct hash_vector *v, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        uint8_t expect[64], got[64], msg[512];
        size_t len;
        if (v[i].msg_hex) {
            len = hex_decode(v[i].msg_hex, msg, sizeof(msg));
        } else {
            len = strlen(v[i].msg_text);
            memcpy(msg, v[i].msg_text, len);
        }
        assert_true(len != (size_t)-1);
        assert_int_equal(hex_decode(v[i].digest, expect, sizeof(expect)), h->size);
        h->oneshot(msg, len, got);
        if (memcmp(got, expect, h->size) != 0) {
            fprintf(stderr, "%s %s: mismatch\n", h->name, v[i].name);
            hex_fprint(stderr, "got", got, h->size);
            fail();
        }
        /* Byte-at-a-time gives the same result. */
        static const size_t one = 1;
        h->stream(msg, len, &one, 1, got);
        assert_memory_equal(got, expect, h->size);
    }
    printf("%s: %zu NIST vectors ok\n", h->name, count);
}

static void test_nist_vectors(void **state)
{
    (void)state;
    check_vectors(&impls[0], sha256_vectors, sizeof(sha256_vectors) / sizeof(sha256_vectors[0]));
    check_vectors(&impls[1], sha512_vectors, sizeof(sha512_vectors) / sizeof(sha512_vectors[0]));
}

static void test_million_a(void **state)
{
    (void)state;
    const size_t len = 1000000;
    uint8_t *a = malloc(len);
    assert_non_null(a);
    memset(a, 'a', len);
    const char *expect_hex[] = {MILLION_A_256, MILLION_A_512};
    /* Fed in 1000-byte pieces as well as in odd ones, to cross block edges every way. */
    static const size_t chunks[][3] = {{1000, 1000, 1000}, {1, 63, 129}};
    for (size_t i = 0; i < 2; i++) {
        uint8_t expect[64], got[64];
        assert_int_equal(hex_decode(expect_hex[i], expect, sizeof(expect)), impls[i].size);
        for (size_t c = 0; c < 2; c++) {
            impls[i].stream(a, len, chunks[c], 3, got);
            assert_memory_equal(got, expect, impls[i].size);
        }
    }
    free(a);
}

static void test_every_length_vs_openssl(void **state)
{
    (void)state;
    enum { MAX_LEN = 1000 };
    uint8_t data[MAX_LEN];
    uint64_t rng = 0x5eed5a1;
    test_rand_bytes(&rng, data, sizeof(data));
    for (size_t i = 0; i < 2; i++) {
        const struct hash_impl *h = &impls[i];
        for (size_t len = 0; len <= MAX_LEN; len++) {
            uint8_t expect[64], got[64];
            ossl_digest(h, data, len, expect);
            h->oneshot(data, len, got);
            if (memcmp(got, expect, h->size) != 0) {
                fprintf(stderr, "%s: length %zu differs from OpenSSL\n", h->name, len);
                fail();
            }
            /* Split in two at a point that moves with the length. */
            size_t split[2] = {len * 7 / 13 + 1, MAX_LEN};
            h->stream(data, len, split, 2, got);
            assert_memory_equal(got, expect, h->size);
        }
        printf("%s: lengths 0..%d match OpenSSL\n", h->name, MAX_LEN);
    }
}

static void test_large_streams_vs_openssl(void **state)
{
    (void)state;
    const size_t len = 3 * 1024 * 1024 + 17;
    uint8_t *data = malloc(len);
    assert_non_null(data);
    uint64_t rng = 0xb16b00b5;
    test_rand_bytes(&rng, data, len);
    static const size_t chunk_sets[][4] = {
        {1, 2, 3, 5},           {63, 65, 127, 129},      {4097, 4095, 1, 8191},
        {64, 128, 4096, 65536}, {100003, 7, 333, 60000},
    };
    for (size_t i = 0; i < 2; i++) {
        uint8_t expect[64], got[64];
        ossl_digest(&impls[i], data, len, expect);
        for (size_t c = 0; c < sizeof(chunk_sets) / sizeof(chunk_sets[0]); c++) {
            impls[i].stream(data, len, chunk_sets[c], 4, got);
            assert_memory_equal(got, expect, impls[i].size);
        }
        printf("%s: %zu-byte stream in %zu chunk patterns matches OpenSSL\n", impls[i].name, len,
               sizeof(chunk_sets) / sizeof(chunk_sets[0]));
    }
    free(data);
}

static void test_empty_updates_and_reuse(void **state)
{
    (void)state;
    uint8_t a[32], b[32], c[64], d[64];
    struct lf_sha256 s256;
    lf_sha256_init(&s256);
    lf_sha256_update(&s256, NULL, 0);
    lf_sha256_update(&s256, "ab", 2);
    lf_sha256_update(&s256, NULL, 0);
    lf_sha256_update(&s256, "c", 1);
    lf_sha256_final(&s256, a);
    lf_sha256("abc", 3, b);
    assert_memory_equal(a, b, 32);
    /* Re-initialised after final, the context computes afresh. */
    lf_sha256_init(&s256);
    lf_sha256_update(&s256, "abc", 3);
    lf_sha256_final(&s256, a);
    assert_memory_equal(a, b, 32);

    struct lf_sha512 s512;
    lf_sha512_init(&s512);
    lf_sha512_update(&s512, NULL, 0);
    lf_sha512_update(&s512, "abc", 3);
    lf_sha512_final(&s512, c);
    lf_sha512("abc", 3, d);
    assert_memory_equal(c, d, 64);
}

/* SHA-256 around the block edges (the padding fits in the last block up to
 * 55 bytes, needs another from 56), from every misaligned start (whole
 * blocks are read straight from the caller's buffer), and a bit length that
 * needs more than 32 bits, against the padded block compressed directly. */
static void test_sha256_block_edges(void **state)
{
    (void)state;
    static const size_t lens[] = {0,   1,   54,  55,  56,  57,  62,  63,  64,  65,  118,
                                  119, 120, 121, 127, 128, 129, 191, 192, 193, 1000};
    uint8_t data[1024 + 8];
    uint64_t rng = 0xed6e5;
    test_rand_bytes(&rng, data, sizeof(data));
    int checked = 0;
    for (size_t off = 0; off < 8; off++) {
        for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
            uint8_t expect[32], got[32];
            ossl_digest(&impls[0], data + off, lens[i], expect);
            lf_sha256(data + off, lens[i], got);
            if (memcmp(got, expect, 32) != 0) {
                fprintf(stderr, "SHA-256: offset %zu length %zu differs\n", off, lens[i]);
                fail();
            }
            /* a partial block first, then whole blocks from a misaligned pointer */
            size_t chunks[2] = {off + 1, 64 * 3};
            sha256_stream(data + off, lens[i], chunks, 2, got);
            assert_memory_equal(got, expect, 32);
            checked++;
        }
    }
    /* total_len of 2^61 - 1 bytes: the bit length's high word is 0x0fffffff */
    static const uint64_t totals[] = {(1ull << 61) - 1 - 7, 0x123456789abull, 1ull << 29};
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        for (uint32_t tail = 0; tail < 64; tail += 7) {
            struct lf_sha256 ctx;
            lf_sha256_init(&ctx);
            lf_sha256_update(&ctx, data, tail);
            ctx.total_len = totals[t] + tail; /* as if that much had gone before */
            /* the same padding by hand, compressed as whole blocks */
            uint8_t pad[128];
            size_t n = tail < 56 ? 64 : 128;
            memset(pad, 0, sizeof(pad));
            memcpy(pad, data, tail);
            pad[tail] = 0x80;
            uint64_t bits = ctx.total_len << 3;
            for (int b = 0; b < 8; b++) {
                pad[n - 1 - b] = (uint8_t)(bits >> (8 * b));
            }
            struct lf_sha256 ref;
            lf_sha256_init(&ref);
            lf_sha256_update(&ref, pad, n);
            uint8_t got[32], want[32];
            lf_sha256_final(&ctx, got);
            for (int b = 0; b < 32; b++) {
                want[b] = (uint8_t)(ref.state[b / 4] >> (24 - 8 * (b % 4)));
            }
            assert_memory_equal(got, want, 32);
            checked++;
        }
    }
    printf("SHA-256: %d block-edge, misaligned and long-length cases\n", checked);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nist_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_every_length_vs_openssl),
        cmocka_unit_test(test_large_streams_vs_openssl),
        cmocka_unit_test(test_empty_updates_and_reuse),
        cmocka_unit_test(test_sha256_block_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
