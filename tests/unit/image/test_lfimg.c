/*
 * lfimg end to end (the binary, run with system()): verify over every
 * vector, byte-identical Ed25519 re-signing and ECDSA layout identity with
 * imgtool's files, sign -> core validate round trips over the option matrix,
 * fit checks, keygen/getpub, dump, provision areas (read back with the
 * core's reader), update files (read back with lfmgr's parser), and the
 * usage errors.
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

#include "boards.h"
#include "image_test_util.h"
#include "imgfile.h"
#include "lf/err.h"
#include "lf/provision.h"

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
        assert_int_equal(R.status, 4); /* not valid: exit 4 (docs/exit-codes.md) */
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
    assert_int_equal(lfimg("verify --json -k keys/ecdsa-p256.pem images/bad_header_magic.bin"), 4);
    assert_non_null(strstr(R.out, "\"name\": \"IMG_BAD_MAGIC\""));
    /* private key files work as trust anchors too; the wrong key does not */
    assert_int_equal(lfimg("verify -k keys/ecdsa-p256.pem images/ecdsa-p256_p1k.bin"), 0);
    assert_int_equal(lfimg("verify -k keys/ecdsa-p256-wrong.pem images/ecdsa-p256_p1k.bin"), 4);
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
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s", path), 4);
    assert_string_equal(R.out, "invalid: image header magic wrong\n");
    /* empty and missing files */
    snprintf(path, sizeof(path), "%s/empty.bin", tmp);
    fclose(fopen(path, "wb"));
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s", path), 4);
    assert_int_equal(lfimg("verify -k keys/ed25519.pem %s/nonexistent.bin", tmp), 4);
    assert_non_null(strstr(R.err, "cannot open"));
    assert_int_equal(lfimg("verify images/ed25519_p1k.bin"), 1);
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
        lfimg("sign -k keys/ed25519.pem -H 0x200 -v 1 -S 0x10000 payloads/p1k.bin %s", out), 4);
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
    assert_int_equal(lfimg("%s -S 0x800 payloads/p1k.bin %s", base, out), 4);
    assert_non_null(strstr(R.err, "by 1216 bytes"));
    assert_int_equal(lfimg("%s -S 0xcc0 payloads/p1k.bin %s", base, out), 0); /* 3264 exactly */
    assert_int_equal(lfimg("%s -S 0xcbf payloads/p1k.bin %s", base, out), 4);
    assert_non_null(strstr(R.err, "by 1 bytes"));
    /* --max-sectors scales the status area */
    assert_int_equal(lfimg("%s -S 0x800 -M 8 payloads/p1k.bin %s", base, out), 0);

    /* swap-move: one sector for the trailer, one for the move */
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-move --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     4);
    assert_non_null(strstr(R.err, "1680 bytes too big"));
    assert_non_null(strstr(R.err, "swap-move"));
    assert_int_equal(lfimg("%s -S 0x3000 --strategy swap-move --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     0);
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-offset --sector-size 0x1000 "
                           "payloads/p1k.bin %s",
                           base, out),
                     4);
    assert_non_null(strstr(R.err, "swap-offset"));
    assert_int_equal(lfimg("%s -S 0x1000 --strategy swap-scratch payloads/p1k.bin %s", base, out),
                     0);
    assert_int_equal(lfimg("%s -S 0x2000 --strategy swap-move payloads/p1k.bin %s", base, out), 1);
    assert_non_null(strstr(R.err, "--sector-size"));
    /* overwrite-only: imgtool's 32-byte trailer, MCUboot's limit at swap_info */
    assert_int_equal(lfimg("%s -S 0x6b0 --overwrite-only payloads/p1k.bin %s", base, out), 0);
    assert_int_equal(lfimg("%s -S 0x6b0 --overwrite-only --strategy overwrite-only "
                           "payloads/p1k.bin %s",
                           base, out),
                     4);
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
        "sign -k keys/ed25519.pem -H 0x200 --pad-header -v 1 -S 0x10000 payloads/p1k.hex "
        "/dev/null",
        "sign -k keys/ed25519.pem --board nrf52840dk -v 1 payloads/p1k.bin /dev/null",
        "sign -k keys/ed25519.pem --board nrf52840dk --slot s2 -v 1 payloads/p1k.bin /dev/null",
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
        /* a file that cannot be read or used: 4; the rest is the command line: 1 */
        int want = strstr(bad[i], "nonexistent.pem") || strstr(bad[i], "missing.bin") ||
                           strstr(bad[i], "ed25519.pub.pem -H")
                       ? 4
                       : 1;
        if (rc != want) {
            fail_msg("'lfimg %s' exited %d, expected %d", bad[i], rc, want);
        }
        assert_true(strlen(R.err) > 0);
    }
    static const char *const cmds[] = {"sign",   "verify", "dump",      "dumpinfo",
                                       "keygen", "getpub", "provision", "pack"};
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        assert_int_equal(lfimg("%s --help", cmds[i]), 0);
        char want[64];
        snprintf(want, sizeof(want), "lfimg %s", cmds[i]);
        assert_non_null(strstr(R.out, "usage: lfimg "));
        assert_non_null(strstr(R.out, want));
        /* every help ends with the tools' one exit-code table */
        assert_non_null(strstr(R.out, "Exit codes (the same for lfimg, lfmgr and lfsim)"));
        assert_non_null(strstr(R.out, "6 busy"));
        assert_int_equal(lfimg("%s -h", cmds[i]), 0);
    }
    assert_int_equal(lfimg("--help"), 0);
    assert_non_null(strstr(R.out, "keygen"));
    assert_non_null(strstr(R.out, "Exit codes (the same for lfimg, lfmgr and lfsim)"));
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
        assert_int_equal(lfimg("keygen -k %s -t %s", key, types[t]), 4); /* never overwrite */
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
        assert_int_equal(lfimg("verify -k keys/%s.pub.pem %s", types[t], img), 4);
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
    assert_int_equal(lfimg("dump --json images/bad_truncated_tlv.bin"), 4);
    assert_non_null(strstr(R.out, "\"name\": \"IMG_TLV_AREA_OVERFLOW\""));
    assert_int_equal(lfimg("dump images/bad_header_magic.bin"), 4);
    assert_non_null(strstr(R.out, "(bad)"));
}

/* ---- provision ------------------------------------------------------------ */

/* The KEYHASH TLV imgtool put into one of its images: an independent
 * SHA-256 of the key's DER SubjectPublicKeyInfo. */
static void imgtool_keyhash(const char *image, uint8_t out[32])
{
    size_t len;
    uint8_t *img = read_file(image, &len);
    struct ram_flash rf;
    ram_flash_init(&rf, (uint32_t)len, (uint32_t)len);
    ram_flash_load(&rf, img, len, (uint32_t)len);
    struct lf_image_header h;
    assert_int_equal(lf_image_read_header(&rf.area, 0, &h), LF_OK);
    struct lf_image_tlv_iter it;
    assert_int_equal(lf_image_tlv_iter_begin(&it, &rf.area, 0, &h), LF_OK);
    struct lf_image_tlv t;
    int found = 0;
    while (lf_image_tlv_iter_next(&it, &t) > 0) {
        if (t.type == LF_TLV_KEYHASH) {
            assert_int_equal(lf_image_tlv_read(&it, &t, 0, out, 32), LF_OK);
            found++;
        }
    }
    assert_int_equal(found, 1);
    ram_flash_free(&rf);
    free(img);
}

/* Read a provision file back with the core's reader. */
static void read_provision(const char *path, uint32_t want_size, struct lf_provision *p,
                           struct lf_provision_counter *c)
{
    size_t len;
    uint8_t *buf = read_file(path, &len);
    assert_int_equal(len, want_size);
    struct ram_flash rf;
    ram_flash_init(&rf, (uint32_t)len, (uint32_t)len);
    ram_flash_load(&rf, buf, len, (uint32_t)len);
    assert_int_equal(lf_provision_read(&rf.area, p), LF_OK);
    assert_int_equal(lf_provision_counter_read(&rf.area, p, c), LF_OK);
    /* Nothing but the layout is programmed. */
    for (size_t i = LF_PROVISION_SIZE(p->counter_slots); i < len; i++) {
        assert_int_equal(buf[i], 0xff);
    }
    ram_flash_free(&rf);
    free(buf);
}

static void test_provision(void **state)
{
    (void)state;
    const struct lf_board *b = &lf_board_nrf52840dk;
    uint32_t size = b->areas[LF_AREA_PROVISION].size;
    char out[300];
    snprintf(out, sizeof(out), "%s/prov.bin", tmp);
    /* Key 0 as a public PEM, key 1 as a private one (its public part). */
    assert_int_equal(lfimg("provision --board nrf52840dk --key keys/ecdsa-p256.pub.pem "
                           "--key keys/ed25519.pem --counter 5 -o %s",
                           out),
                     0);
    assert_non_null(strstr(R.out, "counter 5, 32 slots (31 increases possible)"));
    struct lf_provision p;
    struct lf_provision_counter c;
    read_provision(out, size, &p, &c);
    assert_int_equal(p.key_count, 2);
    assert_int_equal(p.counter_slots, b->counter_slots);
    assert_int_equal(p.revoked, 0);
    assert_int_equal(p.key_type[0], LF_KEY_ECDSA_P256);
    assert_int_equal(p.key_type[1], LF_KEY_ED25519);
    uint8_t h[2][32];
    imgtool_keyhash(VEC_DIR "/images/ecdsa-p256_p1k.bin", h[0]);
    imgtool_keyhash(VEC_DIR "/images/ed25519_p1k.bin", h[1]);
    assert_memory_equal(p.key_hash[0], h[0], 32);
    assert_memory_equal(p.key_hash[1], h[1], 32);
    /* and OpenSSL's DER of the very files given */
    struct test_key k;
    load_key(VEC_DIR "/keys/ed25519.pem", &k);
    uint8_t d[32];
    SHA256(k.der, k.der_len, d);
    assert_memory_equal(p.key_hash[1], d, 32);
    free_key(&k);
    assert_int_equal(c.value, 5);
    assert_int_equal(c.used, 1);
    assert_int_equal(c.left, b->counter_slots - 1);

    /* JSON, stdout output, another board, the slot count overridden, and the
     * largest count the 4 KiB area holds. */
    assert_int_equal(lfimg("provision -b nrf52840dk-qspi -k keys/ed25519.pub.pem "
                           "--counter-slots 3 --json -o %s",
                           out),
                     0);
    char hex[65];
    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", h[1][i]);
    }
    assert_non_null(strstr(R.out, hex));
    assert_non_null(strstr(R.out, "\"counter\": 0, \"counter_slots\": 3, "
                                  "\"counter_slots_left\": 2}"));
    read_provision(out, lf_board_nrf52840dk_qspi.areas[LF_AREA_PROVISION].size, &p, &c);
    assert_int_equal(p.key_count, 1);
    assert_int_equal(p.counter_slots, 3);
    assert_int_equal(c.value, 0);
    assert_int_equal(c.left, 2);
    assert_int_equal(lfimg("provision -b nrf52840dk -k keys/ed25519.pub.pem -k "
                           "keys/ecdsa-p256.pem -k keys/ecdsa-p256-wrong.pem "
                           "--counter-slots 492 -c 0xffffffff -o -"),
                     0);
    char stdout_copy[300];
    snprintf(stdout_copy, sizeof(stdout_copy), "%s/out", tmp);
    read_provision(stdout_copy, size, &p, &c);
    assert_int_equal(p.key_count, 3);
    assert_int_equal(p.counter_slots, 492);
    assert_int_equal(c.value, 0xffffffffu);
    assert_non_null(strstr(R.err, "491 increases possible")); /* summary on stderr */
}

static void test_provision_errors(void **state)
{
    (void)state;
    /* exit 1: the command line; 4: a key file (docs/exit-codes.md) */
    static const struct {
        const char *args;
        int rc;
        const char *err;
    } bad[] = {
        {"-b nrf52840dk -k keys/ed25519.pem -k keys/ecdsa-p256.pem -k keys/ed25519.pub.pem "
         "-k keys/ecdsa-p256-wrong.pem -k keys/ecdsa-p256.pub.pem",
         1, "at most 4 root keys"},
        {"-b nrf52840dk -k payloads/p1k.bin", 4, "not a PEM"},
        {"-b nrf52840dk -k keys/missing.pem", 4, "cannot open key keys/missing.pem"},
        {"-b nrf52840dk -k keys/ed25519.pem -k keys/ed25519.pub.pem", 4, "is the same key as"},
        {"-b nrf52840 -k keys/ed25519.pem", 1, "unknown board 'nrf52840' (known: nrf52840dk"},
        {"-b nrf52840dk -k keys/ed25519.pem --counter-slots 493", 1,
         "493 counter slots do not fit nrf52840dk's provision area"},
        {"-b nrf52840dk -k keys/ed25519.pem --counter-slots 0", 1, "0 counter slots do not fit"},
        {"-b nrf52840dk -k keys/ed25519.pem --counter 0x100000000", 1, "not a 32-bit number"},
        {"-b nrf52840dk", 1, "need --board, at least one --key and --output"},
    };
    char out[300];
    snprintf(out, sizeof(out), "%s/prov-bad.bin", tmp);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = lfimg("provision %s -o %s", bad[i].args, out);
        if (rc != bad[i].rc || !strstr(R.err, bad[i].err)) {
            fail_msg("'provision %s' -> %d, stderr '%s', expected %d and '%s'", bad[i].args, rc,
                     R.err, bad[i].rc, bad[i].err);
        }
        assert_int_equal(access(out, F_OK), -1); /* nothing written */
    }
    assert_int_equal(lfimg("provision -b nrf52840dk -k keys/ed25519.pem"), 1);
    assert_non_null(strstr(R.err, "--output"));
}

/* ---- pack ------------------------------------------------------------------- */

/* CPU address of S0/S1 on the reference board. */
static uint32_t slot_addr(int slot)
{
    const struct lf_board *b = &lf_board_nrf52840dk;
    const struct lf_board_area *a = &b->areas[slot ? LF_AREA_S1 : LF_AREA_S0];
    return b->dev_map_addr[a->dev] + a->off;
}

/* Sign a stage-1 variant for `slot` (or the address addr if non-zero) into
 * tmp/name; extra options appended. */
static void sign_variant(const char *name, int slot, uint32_t addr, const char *version,
                         const char *extra)
{
    assert_int_equal(lfimg("sign -k keys/ecdsa-p256.pem -H 0x200 --pad-header --align 4 -v %s "
                           "-S 0x8000 --public-key-format full -F 0x%x %s payloads/p1k.bin %s/%s",
                           version, addr ? addr : slot_addr(slot), extra, tmp, name),
                     0);
}

static void test_pack(void **state)
{
    (void)state;
    sign_variant("s0.bin", 0, 0, "1.2.3+4", "-s 7");
    sign_variant("s1.bin", 1, 0, "1.2.3+4", "-s 7");
    assert_int_equal(lfimg("pack --board nrf52840dk --s0 %s/s0.bin --s1 %s/s1.bin -k "
                           "keys/ecdsa-p256.pub.pem -o %s/st.lfu",
                           tmp, tmp, tmp),
                     0);
    assert_non_null(strstr(R.out, "stage 1 1.2.3+4"));
    char path[300];
    snprintf(path, sizeof(path), "%s/st.lfu", tmp);
    size_t len;
    uint8_t *f = read_file(path, &len);
    /* lfmgr's own reader accepts it and finds both variants byte for byte. */
    struct lfm_upd u;
    char why[200] = "";
    if (lfm_upd_parse(f, len, &u, why, sizeof(why)) != 0) {
        fail_msg("lfmgr rejects the update file: %s", why);
    }
    assert_int_equal(u.count, 2);
    assert_int_equal(f[4], 1);
    assert_int_equal(f[8] | f[9] << 8 | f[10] << 16 | (uint32_t)f[11] << 24, len);
    for (unsigned i = 0; i < 2; i++) {
        assert_int_equal(u.e[i].slot, i);
        assert_int_equal(u.e[i].image, 1);
        assert_int_equal(u.e[i].load_addr, slot_addr((int)i));
        assert_int_equal(u.e[i].off % 16, 0);
        snprintf(path, sizeof(path), "%s/s%u.bin", tmp, i);
        size_t ilen;
        uint8_t *img = read_file(path, &ilen);
        assert_int_equal(u.e[i].len, ilen);
        assert_memory_equal(f + u.e[i].off, img, ilen);
        free(img);
    }
    assert_int_equal(u.e[0].off, 48);
    for (uint32_t i = u.e[0].off + u.e[0].len; i < u.e[1].off; i++) {
        assert_int_equal(f[i], 0); /* alignment gap */
    }
    assert_int_equal(u.e[1].off + u.e[1].len, len);

    /* dump describes it */
    assert_int_equal(lfimg("dump %s/st.lfu", tmp), 0);
    assert_non_null(strstr(R.out, "format 1, 2 entries"));
    assert_non_null(strstr(R.out, "entry 1: S1, image 1, load address 0x0000c000"));
    assert_non_null(strstr(R.out, "version 1.2.3+4, security counter 7, ROM_FIXED"));
    assert_int_equal(lfimg("dump --json %s/st.lfu", tmp), 0);
    assert_non_null(strstr(R.out, "{\"slot\": 0, \"image\": 1, \"load_addr\": 16384, "
                                  "\"offset\": 48"));
    assert_non_null(strstr(R.out, "\"security_counter\": 7"));
    assert_non_null(strstr(R.out, "\"error\": null"));

    /* A flipped body byte, and a truncated file: both readers refuse. */
    f[u.e[1].off + 0x300] ^= 1;
    snprintf(path, sizeof(path), "%s/bad.lfu", tmp);
    FILE *o = fopen(path, "wb");
    fwrite(f, 1, len, o);
    fclose(o);
    assert_int_equal(lfimg("dump %s", path), 4);
    assert_non_null(strstr(R.out, "entry 1 (S1): the image does not match its SHA256"));
    o = fopen(path, "wb");
    fwrite(f, 1, len - 1, o);
    fclose(o);
    assert_int_not_equal(lfm_upd_parse(f, len - 1, &u, why, sizeof(why)), 0);
    assert_int_equal(lfimg("dump --json %s", path), 4);
    assert_non_null(strstr(R.out, "truncated or padded"));
    free(f);

    /* One variant alone is a valid file too. */
    assert_int_equal(lfimg("pack -b nrf52840dk --s1 %s/s1.bin --json -o %s/one.lfu", tmp, tmp), 0);
    assert_non_null(strstr(R.out, "\"entries\": [{\"slot\": 1, \"image\": 1"));
    snprintf(path, sizeof(path), "%s/one.lfu", tmp);
    f = read_file(path, &len);
    assert_int_equal(lfm_upd_parse(f, len, &u, why, sizeof(why)), 0);
    assert_int_equal(u.count, 1);
    assert_int_equal(u.e[0].slot, 1);
    free(f);
}

static void test_pack_refusals(void **state)
{
    (void)state;
    sign_variant("p0.bin", 0, 0, "2.0.0", "-s 3");
    sign_variant("p1.bin", 1, 0, "2.0.0", "-s 3");
    sign_variant("p1-v.bin", 1, 0, "2.0.0+1", "-s 3");
    sign_variant("p1-c.bin", 1, 0, "2.0.0", "-s 4");
    sign_variant("p1-pad.bin", 1, 0, "2.0.0", "-s 3 --pad");
    sign_variant("p1-far.bin", 1, 0x20000, "2.0.0", "-s 3");
    /* a payload that fits the slot for imgtool but not below stage 0's limit */
    char big[300];
    snprintf(big, sizeof(big), "%s/big-payload.bin", tmp);
    FILE *o = fopen(big, "wb");
    for (int i = 0; i < 0x8000 - 0x200 - 0x100; i++) {
        fputc(i, o);
    }
    fclose(o);
    assert_int_equal(lfimg("sign -k keys/ecdsa-p256.pem -H 0x200 --pad-header --align 4 -v 2.0.0 "
                           "-s 3 -S 0x10000 --public-key-format full -F 0x%x %s %s/p1-big.bin",
                           slot_addr(1), big, tmp),
                     0);
    static const struct {
        const char *s0, *s1;
        int rc;
        const char *err;
    } bad[] = {
        {"p1.bin", "p0.bin", 4, "p1.bin is linked for S1 (0x0000c000), not S0 (0x00004000)"},
        {"p0.bin", "p1-v.bin", 4, "versions differ"},
        {"p0.bin", "p1-c.bin", 4, "security counters differ"},
        {"p0.bin", "p1-pad.bin", 4, "follow the image (signed with --pad?)"},
        {"p0.bin", "p1-far.bin", 4, "p1-far.bin is linked for 0x00020000, but S1 of nrf52840dk"},
        {"p0.bin", "p1-big.bin", 4, "do not fit S1 of nrf52840dk"},
        {"p0.bin", "@images/ecdsa-p256_p1k.bin", 4, "is not ROM_FIXED: sign it with --rom-fixed"},
        {"p0.bin", "@images/bad_payload_bitflip.bin", 4, "does not match its SHA256 TLV"},
        {"p0.bin", "@images/bad_truncated_tlv.bin", 4, "not a valid image"},
        {"p0.bin", "@payloads/p1k.bin", 4, "not a valid image"},
        {"p0.bin", "missing.bin", 4, "cannot open"},
    };
    char out[300];
    snprintf(out, sizeof(out), "%s/refused.lfu", tmp);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char s1[300];
        if (bad[i].s1[0] == '@') {
            snprintf(s1, sizeof(s1), "%s", bad[i].s1 + 1);
        } else {
            snprintf(s1, sizeof(s1), "%s/%s", tmp, bad[i].s1);
        }
        int rc = lfimg("pack -b nrf52840dk --s0 %s/%s --s1 %s -o %s", tmp, bad[i].s0, s1, out);
        if (rc != bad[i].rc || !strstr(R.err, bad[i].err)) {
            fail_msg("pack %s %s -> %d, stderr '%s'; expected %d and '%s'", bad[i].s0, bad[i].s1,
                     rc, R.err, bad[i].rc, bad[i].err);
        }
        assert_int_equal(access(out, F_OK), -1);
    }
    /* A signature by a key the device does not trust, when keys are given. */
    assert_int_equal(lfimg("pack -b nrf52840dk --s0 %s/p0.bin --s1 %s/p1.bin -k "
                           "keys/ecdsa-p256-wrong.pem -o %s",
                           tmp, tmp, out),
                     4);
    assert_non_null(strstr(R.err, "signature check failed: signing key is not a trusted key"));
    /* Usage errors. */
    assert_int_equal(lfimg("pack -b nrf52840dk -o %s", out), 1);
    assert_non_null(strstr(R.err, "need --board, --s0 and/or --s1"));
    assert_int_equal(lfimg("pack -b nope --s0 %s/p0.bin -o %s", tmp, out), 1);
    assert_non_null(strstr(R.err, "unknown board 'nope'"));
    assert_int_equal(lfimg("pack -b nrf52840dk --s0 %s/p0.bin", tmp), 1);
    assert_int_equal(access(out, F_OK), -1);
    /* Same release on the other boards: their S slots are at the same place. */
    assert_int_equal(
        lfimg("pack -b nrf52840dk-qspi --s0 %s/p0.bin --s1 %s/p1.bin -o %s", tmp, tmp, out), 0);
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
        cmocka_unit_test(test_provision),
        cmocka_unit_test(test_provision_errors),
        cmocka_unit_test(test_pack),
        cmocka_unit_test(test_pack_refusals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
