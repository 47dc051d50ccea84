/*
 * lfimg end to end (the binary, run with system()): verify over every
 * vector, byte-identical Ed25519 re-signing and ECDSA layout identity with
 * imgtool's files, sign -> core validate round trips over the option matrix,
 * fit checks, keygen/getpub, dump, and the usage errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "image_test_util.h"
#include "lf/err.h"

#define MAX_VECTORS 64

static char tmp[256];
static struct vector vecs[MAX_VECTORS];
static int nvecs;

struct run {
    int status; /* exit code */
    char out[1 << 16];
    char err[1 << 14];
};
static struct run R;

static void slurp(const char *path, char *dst, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(dst, 1, cap - 1, f) : 0;
    dst[n] = 0;
    if (f) {
        fclose(f);
    }
}

/* Run "lfimg <args>" from the vector folder; fills R. */
static int lfimg(const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof(args), fmt, ap);
    va_end(ap);
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >'%s/out' 2>'%s/err'", VEC_DIR, LFIMG_PATH, args,
             tmp, tmp);
    int st = system(cmd);
    assert_true(st != -1 && WIFEXITED(st));
    R.status = WEXITSTATUS(st);
    char p[300];
    snprintf(p, sizeof(p), "%s/out", tmp);
    slurp(p, R.out, sizeof(R.out));
    snprintf(p, sizeof(p), "%s/err", tmp);
    slurp(p, R.err, sizeof(R.err));
    return R.status;
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmp, sizeof(tmp), "%s/test_lfimg.XXXXXX", LF_BINARY_DIR);
    assert_non_null(mkdtemp(tmp));
    nvecs = load_manifest(vecs, MAX_VECTORS);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
    return system(cmd) == 0 ? 0 : -1;
}

static const struct {
    const char *name;
    int err;
} expected_errors[] = {
    {"bad_payload_bitflip", LF_E_IMG_HASH_MISMATCH},
    {"bad_header_magic", LF_E_IMG_BAD_MAGIC},
    {"bad_signature_bitflip", LF_E_IMG_BAD_SIGNATURE},
    {"bad_keyhash_bitflip", LF_E_IMG_UNKNOWN_KEY},
    {"bad_truncated_tlv", LF_E_IMG_TLV_AREA_OVERFLOW},
    {"bad_wrong_key", LF_E_IMG_UNKNOWN_KEY},
};

static void test_verify_every_vector(void **state)
{
    (void)state;
    assert_true(nvecs >= 20);
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        lfimg("verify -k %s %s", v->verify_key, v->file);
        if (v->valid) {
            assert_int_equal(R.status, 0);
            assert_string_equal(R.out, "valid\n");
            continue;
        }
        int want = 0;
        for (size_t e = 0; e < sizeof(expected_errors) / sizeof(expected_errors[0]); e++) {
            if (strcmp(v->name, expected_errors[e].name) == 0) {
                want = expected_errors[e].err;
            }
        }
        assert_int_not_equal(want, 0);
        char line[200];
        snprintf(line, sizeof(line), "invalid: %s\n", lf_err_str(want));
        assert_int_equal(R.status, 1);
        assert_string_equal(R.out, line);
    }
    /* JSON form, several keys, an offset */
    assert_int_equal(lfimg("verify --json -k keys/ed25519.pub.pem -k keys/ecdsa-p256.pub.pem "
                           "images/ecdsa-p256_p1k_seccnt7.bin"),
                     0);
    assert_non_null(strstr(R.out, "\"valid\": true"));
    assert_non_null(strstr(R.out, "\"security_counter\": 7"));
    assert_non_null(strstr(R.out, "\"key_index\": 1"));
    assert_non_null(strstr(R.out, "\"hash\": \"334d6520a6ec8198"));
    assert_int_equal(lfimg("verify --json -k keys/ecdsa-p256.pem images/bad_header_magic.bin"), 1);
    assert_non_null(strstr(R.out, "\"name\": \"IMG_BAD_MAGIC\""));
    /* private key files work as trust anchors too; the wrong key does not */
    assert_int_equal(lfimg("verify -k keys/ecdsa-p256.pem images/ecdsa-p256_p1k.bin"), 0);
    assert_int_equal(lfimg("verify -k keys/ecdsa-p256-wrong.pem images/ecdsa-p256_p1k.bin"), 1);
    assert_int_equal(lfimg("verify -k keys/ecdsa-p256-wrong.pem images/bad_wrong_key.bin"), 0);
    /* the image one sector into a file */
    char path[300];
    snprintf(path, sizeof(path), "%s/shifted.bin", tmp);
    size_t len;
    uint8_t *img = read_file(VEC_DIR "/images/ed25519_p1k.bin", &len);
    FILE *f = fopen(path, "wb");
    for (int i = 0; i < 4096; i++) {
        fputc(0xff, f);
    }
    fwrite(img, 1, len, f);
    fclose(f);
    free(img);
    assert_int_equal(lfimg("verify -k keys/ed25519.pem --offset 0x1000 %s", path), 0);
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s", path), 1);
    assert_string_equal(R.out, "invalid: image header magic wrong\n");
    /* empty and missing files */
    snprintf(path, sizeof(path), "%s/empty.bin", tmp);
    fclose(fopen(path, "wb"));
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s", path), 1);
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s/nonexistent.bin", tmp), 2);
    assert_non_null(strstr(R.err, "cannot open"));
    assert_int_equal(lfimg("verify images/ed25519_p1k.bin"), 2);
}

/* The manifest command with "imgtool" replaced by lfimg and the output
 * redirected to the temp folder; returns the output path. */
static const char *resign(const struct vector *v, char *out, size_t cap)
{
    assert_true(strncmp(v->command, "imgtool sign ", 13) == 0);
    char args[600];
    snprintf(args, sizeof(args), "%s", v->command + 8);
    char *last = strrchr(args, ' ');
    assert_non_null(last);
    *last = 0;
    if (snprintf(out, cap, "%s/%s.bin", tmp, v->name) >= (int)cap) {
        fail_msg("%s: output path too long", v->name);
    }
    int rc = lfimg("%s %s", args, out);
    if (rc != 0) {
        fail_msg("%s: lfimg %s -> %d: %s", v->name, args, rc, R.err);
    }
    return out;
}

static void test_resign_ed25519_identical(void **state)
{
    (void)state;
    int n = 0;
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        if (v->derived || !strstr(v->command, "ed25519")) {
            continue;
        }
        char out[300];
        size_t a_len;
        size_t b_len;
        uint8_t *a = read_file(resign(v, out, sizeof(out)), &a_len);
        char path[300];
        snprintf(path, sizeof(path), VEC_DIR "/%s", v->file);
        uint8_t *b = read_file(path, &b_len);
        assert_int_equal(a_len, b_len);
        assert_memory_equal(a, b, a_len);
        free(a);
        free(b);
        n++;
    }
    assert_int_equal(n, 3);
}

/* Offsets of an image's parts, from its header and TLV infos. */
struct parts {
    size_t prot_end, tlv_end, sig_tlv; /* sig_tlv: offset of the signature entry header */
};

static struct parts parts_of(const uint8_t *img, size_t len)
{
    struct parts p;
    size_t hdr = (size_t)(img[8] | img[9] << 8);
    size_t prot = (size_t)(img[10] | img[11] << 8);
    size_t isz =
        (size_t)img[12] | (size_t)img[13] << 8 | (size_t)img[14] << 16 | (size_t)img[15] << 24;
    p.prot_end = hdr + isz + prot;
    assert_true(p.prot_end + 4 <= len);
    p.tlv_end = p.prot_end + (size_t)(img[p.prot_end + 2] | img[p.prot_end + 3] << 8);
    assert_true(p.tlv_end <= len);
    p.sig_tlv = 0;
    for (size_t o = p.prot_end + 4; o + 4 <= p.tlv_end;) {
        uint16_t type = (uint16_t)(img[o] | img[o + 1] << 8);
        if (type == LF_TLV_ECDSA_SIG || type == LF_TLV_ED25519) {
            p.sig_tlv = o;
        }
        o += 4u + (size_t)(img[o + 2] | img[o + 3] << 8);
    }
    assert_true(p.sig_tlv != 0);
    return p;
}

static void test_resign_ecdsa_layout(void **state)
{
    (void)state;
    struct test_key ec;
    load_key(VEC_DIR "/keys/ecdsa-p256.pub.pem", &ec);
    struct test_key wrong;
    load_key(VEC_DIR "/keys/ecdsa-p256-wrong.pem", &wrong);
    int n = 0;
    for (int i = 0; i < nvecs; i++) {
        const struct vector *v = &vecs[i];
        if (v->derived || strstr(v->command, "ed25519")) {
            continue;
        }
        char out[300];
        size_t a_len;
        size_t b_len;
        uint8_t *a = read_file(resign(v, out, sizeof(out)), &a_len);
        char path[300];
        snprintf(path, sizeof(path), VEC_DIR "/%s", v->file);
        uint8_t *b = read_file(path, &b_len);
        struct parts pa = parts_of(a, a_len);
        struct parts pb = parts_of(b, b_len);
        /* header, payload, protected TLVs, SHA256 and key TLVs: identical;
         * the unprotected total differs only by the signature length */
        assert_int_equal(pa.prot_end, pb.prot_end);
        assert_int_equal(pa.sig_tlv, pb.sig_tlv);
        assert_memory_equal(a, b, pa.prot_end + 2);
        assert_memory_equal(a + pa.prot_end + 4, b + pb.prot_end + 4, pa.sig_tlv - pa.prot_end - 4);
        assert_memory_equal(a + pa.sig_tlv, b + pb.sig_tlv, 2); /* signature type */
        size_t sa = pa.tlv_end - pa.sig_tlv - 4;
        size_t sb = pb.tlv_end - pb.sig_tlv - 4;
        assert_int_equal(a[pa.sig_tlv + 2] | a[pa.sig_tlv + 3] << 8, sa);
        bool padsig = strstr(v->command, "--pad-sig") != NULL;
        assert_true(padsig ? sa == 72 && sb == 72 : sa >= 68 && sa <= 72);
        /* padded: same slot size and identical trailer region */
        if (b_len > pb.tlv_end) {
            assert_int_equal(a_len, b_len);
            size_t from = pa.tlv_end > pb.tlv_end ? pa.tlv_end : pb.tlv_end;
            assert_memory_equal(a + from, b + from, a_len - from);
        } else {
            assert_int_equal(a_len, pa.tlv_end);
        }
        /* and the core accepts it with the key that signed it */
        const struct test_key *k[1] = {strstr(v->command, "wrong") ? &wrong : &ec};
        struct test_ring r;
        ring_of(&r, k, 1);
        assert_int_equal(validate_buf(a, a_len, &r.ring, NULL), LF_OK);
        free(a);
        free(b);
        n++;
    }
    assert_int_equal(n, 12);
    free_key(&wrong);
}

/* ---- sign -> validate round trips ------------------------------------------------ */

static void check_roundtrip(const char *file, const struct test_key *key, const char *sec, int pad,
                            bool rom, uint32_t max_align, uint8_t erased)
{
    size_t len;
    uint8_t *img = read_file(file, &len);
    const struct test_key *k[1] = {key};
    struct test_ring r;
    ring_of(&r, k, 1);
    struct lf_image_info info;
    int err = validate_buf(img, len, &r.ring, &info);
    if (err != LF_OK) {
        fail_msg("%s: %s", file, lf_err_name(err));
    }
    assert_int_equal(info.hdr.version.major, 2);
    assert_int_equal(info.hdr.version.minor, 3);
    assert_int_equal(info.hdr.version.revision, 4);
    assert_int_equal(info.hdr.version.build, 5);
    if (!sec) {
        assert_false(info.has_sec_cnt);
    } else {
        assert_true(info.has_sec_cnt);
        assert_int_equal(info.sec_cnt, strcmp(sec, "auto") == 0 ? 0x02030004u : 5u);
    }
    uint32_t addr = 0;
    assert_int_equal(lf_image_rom_fixed_addr(&info.hdr, &addr),
                     rom ? LF_OK : LF_E_IMG_NOT_ROM_FIXED);
    assert_int_equal(addr, rom ? 0x10000u : 0u);
    /* header padding is the erased value */
    for (size_t i = 32; i < 0x200; i++) {
        assert_int_equal(img[i], erased);
    }
    if (pad == 0) {
        assert_int_equal(len, info.tlv_end);
    } else {
        assert_int_equal(len, 0x20000);
        uint32_t a = max_align;
        uint32_t magic_unit = a < 16 ? 16 : a;
        static const uint8_t legacy[16] = {0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f,
                                           0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
        static const uint8_t tail[14] = {0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d,
                                         0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};
        const uint8_t *m = img + len - 16;
        if (a == 8) {
            assert_memory_equal(m, legacy, 16);
        } else {
            assert_int_equal(m[0], a);
            assert_int_equal(m[1], 0);
            assert_memory_equal(m + 2, tail, 14);
        }
        size_t image_ok = len - magic_unit - a;
        bool confirmed = pad == 2; /* 3 = confirm with overwrite-only: imgtool leaves it */
        for (size_t i = info.tlv_end; i < len - 16; i++) {
            uint8_t want = (i == image_ok && confirmed) ? 0x01 : erased;
            if (img[i] != want) {
                fail_msg("%s: byte 0x%zx is 0x%02x, expected 0x%02x", file, i, img[i], want);
            }
        }
    }
    free(img);
}

static void test_sign_roundtrip_matrix(void **state)
{
    (void)state;
    struct test_key ec;
    struct test_key ed;
    load_key(VEC_DIR "/keys/ecdsa-p256.pem", &ec);
    load_key(VEC_DIR "/keys/ed25519.pem", &ed);
    const struct test_key *keys[2] = {&ec, &ed};
    const char *keyfile[2] = {"keys/ecdsa-p256.pem", "keys/ed25519.pem"};
    const char *secs[3] = {NULL, "5", "auto"};
    const char *pads[4] = {"", "--pad", "--confirm", "--pad --confirm --overwrite-only"};
    int runs = 0;
    for (int k = 0; k < 2; k++) {
        for (int s = 0; s < 3; s++) {
            for (int p = 0; p < 4; p++) {
                for (int rom = 0; rom < 2; rom++) {
                    for (int fmt = 0; fmt < 2; fmt++) {
                        char out[300];
                        char sec[40] = "";
                        if (secs[s]) {
                            snprintf(sec, sizeof(sec), "-s %s", secs[s]);
                        }
                        snprintf(out, sizeof(out), "%s/rt.bin", tmp);
                        int rc = lfimg("sign -k %s -H 0x200 --pad-header --align 4 -v 2.3.4+5 "
                                       "-S 0x20000 %s %s %s %s payloads/p1k.bin %s",
                                       keyfile[k], sec, pads[p], rom ? "-F 0x10000" : "",
                                       fmt ? "--public-key-format full" : "", out);
                        if (rc != 0) {
                            fail_msg("sign failed: %s", R.err);
                        }
                        check_roundtrip(out, keys[k], secs[s], p, rom, 8, 0xff);
                        runs++;
                    }
                }
            }
        }
    }
    assert_int_equal(runs, 96);
    /* larger trailer alignments and the other erased value */
    static const uint32_t aligns[2] = {16, 32};
    for (int i = 0; i < 2; i++) {
        char out[300];
        snprintf(out, sizeof(out), "%s/rt.bin", tmp);
        assert_int_equal(lfimg("sign -k keys/ed25519.pem -H 0x200 --pad-header --align 8 "
                               "--max-align %u -v 2.3.4+5 -S 0x20000 --confirm payloads/p1k.bin %s",
                               aligns[i], out),
                         0);
        check_roundtrip(out, &ed, NULL, 2, false, aligns[i], 0xff);
        assert_int_equal(lfimg("sign -k keys/ecdsa-p256.pem -H 0x200 --pad-header --align 32 "
                               "-v 2.3.4+5 -S 0x20000 --pad -R 0 payloads/p1k.bin %s",
                               out),
                         0);
        check_roundtrip(out, &ec, NULL, 1, false, 32, 0x00);
    }
    free_key(&ec);
    free_key(&ed);
}

static void test_sign_input_forms(void **state)
{
    (void)state;
    /* without --pad-header the input carries the header space as zeros */
    char in[300];
    char out[300];
    char ref[300];
    snprintf(in, sizeof(in), "%s/zeros.bin", tmp);
    snprintf(out, sizeof(out), "%s/nopad.bin", tmp);
    snprintf(ref, sizeof(ref), "%s/padded.bin", tmp);
    size_t len;
    uint8_t *p = read_file(VEC_DIR "/payloads/p1k.bin", &len);
    FILE *f = fopen(in, "wb");
    for (int i = 0; i < 0x200; i++) {
        fputc(0, f);
    }
    fwrite(p, 1, len, f);
    fclose(f);
    assert_int_equal(lfimg("sign -k keys/ed25519.pem -H 0x200 -v 1 -S 0x10000 %s %s", in, out), 0);
    struct test_key ed;
    load_key(VEC_DIR "/keys/ed25519.pem", &ed);
    const struct test_key *k[1] = {&ed};
    struct test_ring r;
    ring_of(&r, k, 1);
    size_t n;
    uint8_t *img = read_file(out, &n);
    struct lf_image_info info;
    assert_int_equal(validate_buf(img, n, &r.ring, &info), LF_OK);
    assert_int_equal(info.hdr.img_size, 1024);
    assert_int_equal(img[32], 0); /* the zeros stay */
    free(img);
    /* ... and refuses input that does not start with them */
    assert_int_equal(
        lfimg("sign -k keys/ed25519.pem -H 0x200 -v 1 -S 0x10000 payloads/p1k.bin %s", out), 2);
    assert_non_null(strstr(R.err, "--pad-header"));

    /* custom TLVs: after SEC_CNT, in command-line order, hex or text */
    assert_int_equal(lfimg("sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 -s 9 "
                           "--custom-tlv 0xa1 hello --custom-tlv 0xa0 0xBEEF payloads/p1k.bin %s",
                           out),
                     0);
    img = read_file(out, &n);
    assert_int_equal(validate_buf(img, n, &r.ring, &info), LF_OK);
    static const uint8_t prot[] = {0x08, 0x69, 27,  0,    0x50, 0, 4, 0,    9,
                                   0,    0,    0,   0xa1, 0,    5, 0, 'h',  'e',
                                   'l',  'l',  'o', 0xa0, 0,    2, 0, 0xbe, 0xef};
    assert_int_equal(info.hdr.protect_tlv_size, sizeof(prot));
    assert_memory_equal(img + 0x600, prot, sizeof(prot));
    free(img);
    free_key(&ed);
    free(p);
    (void)ref;
}

static void test_sign_fit_checks(void **state)
{
    (void)state;
    char out[300];
    snprintf(out, sizeof(out), "%s/fit.bin", tmp);
    const char *base = "sign -k keys/ed25519.pem -H 0x200 --pad-header --align 4 -v 1";
    /* ed25519 p1k image: 1680 bytes; swap trailer 128*3*4 + 4*8 + 16 = 1584 */
    assert_int_equal(lfimg("%s -S 0x800 payloads/p1k.bin %s", base, out), 2);
    assert_non_null(strstr(R.err, "by 1216 bytes"));
    assert_int_equal(lfimg("%s -S 0xcc0 payloads/p1k.bin %s", base, out), 0); /* 3264 exactly */
    assert_int_equal(lfimg("%s -S 0xcbf payloads/p1k.bin %s", base, out), 2);
    assert_non_null(strstr(R.err, "by 1 bytes"));
    /* --max-sectors scales the status area */
    assert_int_equal(lfimg("%s -S 0x800 -M 8 payloads/p1k.bin %s", base, out), 0);

    /* swap-move: one sector for the trailer, one for the move */
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-move --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     2);
    assert_non_null(strstr(R.err, "1680 bytes too big"));
    assert_non_null(strstr(R.err, "swap-move"));
    assert_int_equal(lfimg("%s -S 0x3000 --strategy swap-move --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     0);
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-offset --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     2);
    assert_non_null(strstr(R.err, "swap-offset"));
    assert_int_equal(lfimg("%s -S 0x1000 --strategy swap-scratch payloads/p1k.bin %s", base, out),
                     0);
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-move payloads/p1k.bin %s", base, out), 2);
    assert_non_null(strstr(R.err, "--sector-size"));
    /* overwrite-only: imgtool's 32-byte trailer, MCUboot's limit at swap_info */
    assert_int_equal(lfimg("%s -S 0x6b0 --overwrite-only payloads/p1k.bin %s", base, out), 0);
    assert_int_equal(lfimg("%s -S 0x6b0 --overwrite-only --strategy overwrite-only "
                           "payloads/p1k.bin %s",
                           base, out),
                     2);
    assert_non_null(strstr(R.err, "8 bytes too big"));
    assert_int_equal(lfimg("%s -S 0x6b8 --overwrite-only --strategy overwrite-only "
                           "payloads/p1k.bin %s",
                           base, out),
                     0);
}

static void test_usage_errors(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "frobnicate",
        "sign",
        "sign -k keys/ed25519.pem -H 0x200 -S 0x10000 payloads/p1k.bin x.bin", /* no -v */
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1.2.3.4 -S 0x10000 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 256 -S 0x10000 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --align 3 "
        "payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --max-align 4 "
        "payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x10 --pad-header -v 1 -S 0x10000 payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 -F 0x1000 -L 0x2000 "
        "payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 -F 0 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --custom-tlv 0x50 0x01 "
        "payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --custom-tlv 0xa0 0x123 "
        "payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --custom-tlv 0xa0 0x1 "
        "--custom-tlv 0xa0 0x2 payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 --custom-tlv 0xa0 "
        "payloads/p1k.bin",
        "sign -k keys/ed25519.pub.pem -H 0x200 --pad-header -v 1 -S 0x10000 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/nonexistent.pem -H 0x200 --pad-header -v 1 -S 0x10000 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 payloads/missing.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 -s -3 payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10001 --pad payloads/p1k.bin "
        "/dev/null",
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 payloads/p1k.bin "
        "/tmp/out.hex",
        "sign --pad=yes",
        "verify --bogus",
        "keygen -k /dev/null",
        "keygen -t rsa-2048 -k x.pem",
        "getpub",
        "getpub -k keys/ed25519.pem --format xml",
        "dump",
        "dump --max-align 12 images/ed25519_p1k.bin",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = lfimg("%s", bad[i]);
        if (rc != 2) {
            fail_msg("'lfimg %s' exited %d, expected 2", bad[i], rc);
        }
        assert_true(strlen(R.err) > 0);
    }
    static const char *const cmds[] = {"sign", "verify", "dump", "keygen", "getpub"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(lfimg("%s --help", cmds[i]), 0);
        char want[64];
        snprintf(want, sizeof(want), "usage: lfimg %s", cmds[i]);
        assert_non_null(strstr(R.out, want));
        assert_int_equal(lfimg("%s -h", cmds[i]), 0);
    }
    assert_int_equal(lfimg("--help"), 0);
    assert_non_null(strstr(R.out, "keygen"));
    assert_int_equal(lfimg("--version"), 0);
}

static void test_keygen_getpub(void **state)
{
    (void)state;
    static const char *const types[2] = {"ecdsa-p256", "ed25519"};
    for (int t = 0; t < 2; t++) {
        char key[300];
        char pub[300];
        char img[300];
        snprintf(key, sizeof(key), "%s/%s.pem", tmp, types[t]);
        snprintf(pub, sizeof(pub), "%s/%s.pub.pem", tmp, types[t]);
        snprintf(img, sizeof(img), "%s/%s.img", tmp, types[t]);
        assert_int_equal(lfimg("keygen -k %s -t %s", key, types[t]), 0);
        assert_int_equal(lfimg("keygen -k %s -t %s", key, types[t]), 2); /* never overwrite */
        struct test_key k;
        load_key(key, &k);
        assert_int_equal(k.type, t == 0 ? LF_KEY_ECDSA_P256 : LF_KEY_ED25519);
        assert_int_equal(k.der_len, t == 0 ? 91 : 44);

        assert_int_equal(lfimg("getpub -k %s --format raw", key), 0);
        assert_memory_equal(R.out, k.der, k.der_len);
        assert_int_equal(lfimg("getpub -k %s --format hash", key), 0);
        uint8_t h[32];
        SHA256(k.der, k.der_len, h);
        char hex[70];
        for (int i = 0; i < 32; i++) {
            snprintf(hex + 2 * i, 3, "%02x", h[i]);
        }
        hex[64] = '\n';
        hex[65] = 0;
        assert_string_equal(R.out, hex);
        assert_int_equal(lfimg("getpub -k %s", key), 0);
        assert_non_null(strstr(R.out, t == 0 ? "ecdsa_pub_key[] = {" : "ed25519_pub_key[] = {"));
        assert_non_null(strstr(R.out, t == 0 ? "0x30, 0x59, 0x30, 0x13" : "0x30, 0x2a, 0x30"));
        assert_non_null(strstr(R.out, t == 0 ? "_len = 91;" : "_len = 44;"));
        assert_int_equal(lfimg("getpub -k %s -e lang-c --name my_key", key), 0);
        assert_non_null(strstr(R.out, "const unsigned char my_key[]"));
        assert_int_equal(lfimg("getpub -k %s --format pem -o %s", key, pub), 0);
        struct test_key kp;
        load_key(pub, &kp);
        assert_int_equal(kp.der_len, k.der_len);
        assert_memory_equal(kp.der, k.der, k.der_len);

        assert_int_equal(lfimg("sign -k %s -H 0x200 --pad-header -v 1 -S 0x10000 "
                               "payloads/p1k.bin %s",
                               key, img),
                         0);
        assert_int_equal(lfimg("verify -k %s %s", pub, img), 0);
        assert_int_equal(lfimg("verify -k keys/%s.pub.pem %s", types[t], img), 1);
        assert_string_equal(R.out, "invalid: signing key is not a trusted key\n");
        free_key(&k);
    }
}

static void test_dump(void **state)
{
    (void)state;
    assert_int_equal(lfimg("dump --json images/ecdsa-p256_p1k_seccnt7.bin"), 0);
    assert_non_null(strstr(R.out, "\"name\": \"SEC_CNT\", \"offset\": 1544, \"len\": 4, "
                                  "\"data\": \"07000000\""));
    assert_non_null(strstr(R.out, "\"area\": \"unprotected\", \"type\": 16"));
    assert_non_null(strstr(R.out, "\"trailer\": null"));
    assert_non_null(strstr(R.out, "\"error\": null"));
    assert_int_equal(lfimg("dump images/ecdsa-p256_p1k_pad_confirm.bin"), 0);
    assert_non_null(strstr(R.out, "magic      good"));
    assert_non_null(strstr(R.out, "image_ok   0x01 (set)"));
    assert_int_equal(lfimg("dump --json images/ecdsa-p256_p1k_pad_test.bin"), 0);
    assert_non_null(strstr(R.out, "\"magic\": \"good\", \"image_ok\": 255"));
    assert_int_equal(lfimg("dump --json --max-align 16 images/ecdsa-p256_p1k_pad_test.bin"), 0);
    assert_non_null(strstr(R.out, "\"magic\": \"bad\""));
    assert_int_equal(lfimg("dump images/ecdsa-p256_p1k_romfixed.bin"), 0);
    assert_non_null(strstr(R.out, "ROM_FIXED"));
    assert_non_null(strstr(R.out, "0x08020000"));
    assert_int_equal(lfimg("dump --json images/bad_truncated_tlv.bin"), 1);
    assert_non_null(strstr(R.out, "\"name\": \"IMG_TLV_AREA_OVERFLOW\""));
    assert_int_equal(lfimg("dump images/bad_header_magic.bin"), 1);
    assert_non_null(strstr(R.out, "(bad)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_every_vector),
        cmocka_unit_test(test_resign_ed25519_identical),
        cmocka_unit_test(test_resign_ecdsa_layout),
        cmocka_unit_test(test_sign_roundtrip_matrix),
        cmocka_unit_test(test_sign_input_forms),
        cmocka_unit_test(test_sign_fit_checks),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_keygen_getpub),
        cmocka_unit_test(test_dump),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
