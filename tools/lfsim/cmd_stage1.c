/*
 * lfsim stage1-image: the unsigned stage-1 binary for the virtual device.
 * On a board the application keys are compiled into stage 1; the virtual
 * device's stage 1 carries them in a key table at the start of its payload
 * (docs/lfsim.md section 3, s1_keys.h). This command writes that table
 * followed by filler up to the payload size; `lfimg sign` with a root key then
 * makes the S0 and S1 variants.
 *
 * Keys may be PEM (public or private: lfimg getpub gives the public part, as
 * the demo does) or DER SubjectPublicKeyInfo files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lf_exit.h"
#include "lfsim.h"
#include "proc.h"
#include "s1_keys.h"

#define S1_DEFAULT_SIZE (14u * 1024u) /* the demo's stage-1 payload */
#define S1_FILL_TEXT    "Leapfrog stage 1 (virtual device) "

/* SubjectPublicKeyInfo prefixes: the algorithm tells the key type. */
static const uint8_t spki_p256[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                    0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                    0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
static const uint8_t spki_ed25519[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                       0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

static void stage1_help(FILE *f)
{
    fprintf(f,
            "usage: lfsim stage1-image --app-key KEY [--app-key KEY ...] [--size N] -o FILE\n"
            "\n"
            "Write the unsigned stage-1 binary of the virtual device: the table of the\n"
            "application keys this stage 1 trusts (docs/lfsim.md section 3), then filler\n"
            "up to N bytes. Sign it with a ROOT key (one provisioned into the device), once\n"
            "per slot:\n"
            "  lfimg sign --board B --slot s0 --pad-header -k root.pem -v 1.1.0 -s 2 FILE S0.bin\n"
            "  lfimg sign --board B --slot s1 --pad-header -k root.pem -v 1.1.0 -s 2 FILE S1.bin\n"
            "The application is then signed with one of the APPLICATION keys given here.\n"
            "\n"
            "  --app-key KEY  an application key, PEM (public or private; only the public\n"
            "                 part goes into the table) or DER SubjectPublicKeyInfo;\n"
            "                 ecdsa-p256 or ed25519; 1 to %u times, in table order\n"
            "  --size N       payload size in bytes (default %u; at least the table)\n"
            "  -o, --output FILE  where to write it\n"
            "\n%s",
            LFSIM_S1_KEYS_MAX, S1_DEFAULT_SIZE, LF_EXIT_HELP);
}

static int b64_value(char ch)
{
    if (ch >= 'A' && ch <= 'Z') {
        return ch - 'A';
    }
    if (ch >= 'a' && ch <= 'z') {
        return ch - 'a' + 26;
    }
    if (ch >= '0' && ch <= '9') {
        return ch - '0' + 52;
    }
    return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* The DER inside the first "-----BEGIN PUBLIC KEY-----" block of pem. */
static size_t pem_public_der(const char *pem, uint8_t *out, size_t cap)
{
    const char *begin = strstr(pem, "-----BEGIN PUBLIC KEY-----");
    const char *end = begin ? strstr(begin, "-----END PUBLIC KEY-----") : NULL;
    if (!end) {
        return 0;
    }
    size_t n = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (const char *p = begin + strlen("-----BEGIN PUBLIC KEY-----"); p < end; p++) {
        if (*p == '=' || *p == '\n' || *p == '\r' || *p == ' ') {
            continue;
        }
        int v = b64_value(*p);
        if (v < 0) {
            return 0;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n == cap) {
                return 0;
            }
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

/* Key file -> its SubjectPublicKeyInfo DER and type. 0 or an exit code. */
static int load_app_key(const char *path, uint8_t *der, size_t cap, size_t *len, uint8_t *type)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "lfsim stage1-image: %s: %s\n", path, strerror(errno));
        return LF_EXIT_FILE;
    }
    static uint8_t raw[8192];
    size_t n = fread(raw, 1, sizeof(raw) - 1, f);
    fclose(f);
    raw[n] = 0;
    *len = 0;
    if (n > 0 && raw[0] == 0x30) {
        if (n <= cap) {
            memcpy(der, raw, n);
            *len = n;
        }
    } else if (strstr((const char *)raw, "-----BEGIN")) {
        /* any PEM key: lfimg (next to lfsim) gives the public part */
        char lfimg[1200];
        static char pem[8192];
        if (lfsim_tool_path("lfimg", lfimg, sizeof(lfimg)) != 0 || access(lfimg, X_OK) != 0) {
            fprintf(stderr, "lfsim stage1-image: lfimg must sit next to lfsim to read PEM keys\n");
            return LF_EXIT_INTERNAL;
        }
        char *argv[] = {lfimg, "getpub", "-k", (char *)path, "-f", "pem", NULL};
        int rc = lfsim_run_tool(argv, pem, sizeof(pem), NULL);
        if (rc != 0) {
            fprintf(stderr, "lfsim stage1-image: %s is not a key lfimg can read\n", path);
            return LF_EXIT_FILE;
        }
        *len = pem_public_der(pem, der, cap);
    }
    if (*len == sizeof(spki_p256) + 64u && memcmp(der, spki_p256, sizeof(spki_p256)) == 0) {
        *type = LF_KEY_ECDSA_P256;
    } else if (*len == sizeof(spki_ed25519) + 32u &&
               memcmp(der, spki_ed25519, sizeof(spki_ed25519)) == 0) {
        *type = LF_KEY_ED25519;
    } else {
        fprintf(stderr,
                "lfsim stage1-image: %s is not an ecdsa-p256 or ed25519 key (PEM, or DER "
                "SubjectPublicKeyInfo)\n",
                path);
        return LF_EXIT_FILE;
    }
    return 0;
}

int lfsim_cmd_stage1_image(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        stage1_help(stdout);
        return LF_EXIT_OK;
    }
    const char *keys[LFSIM_S1_KEYS_MAX];
    unsigned nkeys = 0;
    const char *out = NULL;
    uint32_t size = S1_DEFAULT_SIZE;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--app-key") == 0 && v) {
            if (nkeys == LFSIM_S1_KEYS_MAX) {
                fprintf(stderr, "lfsim stage1-image: at most %u application keys\n",
                        LFSIM_S1_KEYS_MAX);
                return LF_EXIT_USAGE;
            }
            keys[nkeys++] = v;
            i++;
        } else if (strcmp(a, "--size") == 0 && v) {
            if (!lfsim_parse_u32(v, 16u * 1024u * 1024u, &size)) {
                fprintf(stderr, "lfsim stage1-image: bad --size '%s'\n", v);
                return LF_EXIT_USAGE;
            }
            i++;
        } else if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && v) {
            out = v;
            i++;
        } else {
            fprintf(stderr, "lfsim stage1-image: unexpected '%s' (see --help)\n", a);
            return LF_EXIT_USAGE;
        }
    }
    if (nkeys == 0 || !out) {
        fprintf(stderr, "lfsim stage1-image: need --app-key KEY and -o FILE (see --help)\n");
        return LF_EXIT_USAGE;
    }
    static uint8_t der[LFSIM_S1_KEYS_MAX][LFSIM_S1_KEY_DER_MAX];
    struct lf_pubkey pub[LFSIM_S1_KEYS_MAX];
    for (unsigned i = 0; i < nkeys; i++) {
        size_t len;
        uint8_t type;
        int rc = load_app_key(keys[i], der[i], sizeof(der[i]), &len, &type);
        if (rc) {
            return rc;
        }
        for (unsigned j = 0; j < i; j++) {
            if (pub[j].der_len == len && memcmp(pub[j].der, der[i], len) == 0) {
                fprintf(stderr, "lfsim stage1-image: %s and %s are the same key\n", keys[j],
                        keys[i]);
                return LF_EXIT_USAGE;
            }
        }
        pub[i] = (struct lf_pubkey){type, (uint16_t)len, der[i], NULL};
    }
    uint8_t table[LFSIM_S1_TABLE_MAX];
    size_t tl = lfsim_s1_keys_encode(pub, nkeys, table, sizeof(table));
    if (tl == 0) {
        fprintf(stderr, "lfsim stage1-image: cannot encode the key table\n");
        return LF_EXIT_INTERNAL;
    }
    if (size < tl) {
        fprintf(stderr, "lfsim stage1-image: --size %u is smaller than the key table (%zu bytes)\n",
                size, tl);
        return LF_EXIT_USAGE;
    }
    uint8_t *img = malloc(size ? size : 1u);
    if (!img) {
        fprintf(stderr, "lfsim stage1-image: out of memory\n");
        return LF_EXIT_INTERNAL;
    }
    size_t fl = strlen(S1_FILL_TEXT);
    for (uint32_t i = 0; i < size; i++) {
        img[i] = (uint8_t)S1_FILL_TEXT[i % fl];
    }
    memcpy(img, table, tl);
    FILE *f = fopen(out, "wb");
    size_t w = f ? fwrite(img, 1, size, f) : 0;
    int closed = f ? fclose(f) : EOF;
    free(img);
    if (!f || w != size || closed != 0) {
        fprintf(stderr, "lfsim stage1-image: cannot write %s: %s\n", out, strerror(errno));
        return LF_EXIT_INTERNAL;
    }
    printf("stage-1 image for the virtual device: %u bytes, key table of %u application "
           "key%s (%zu bytes)\n",
           size, nkeys, nkeys == 1 ? "" : "s", tl);
    for (unsigned i = 0; i < nkeys; i++) {
        printf("  key %u  %-10s  %s\n", i, pub[i].type == LF_KEY_ED25519 ? "ed25519" : "ecdsa-p256",
               keys[i]);
    }
    printf("wrote %s (unsigned: sign it with a root key for S0 and S1: lfimg sign --board B "
           "--slot s0|s1 --pad-header ...)\n",
           out);
    return LF_EXIT_OK;
}
