/*
 * lfimg verify: the firmware's validator (lf_image_validate) over a file,
 * with a keyring made of the given keys. Unlike imgtool, a KEYHASH that
 * names no given key makes the image invalid, as it does in the bootloader.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmds.h"
#include "keys.h"
#include "lf/err.h"
#include "ramflash.h"
#include "util.h"

#define VERIFY_MAX_KEYS 8

struct verify_ctx {
    const char *keys[VERIFY_MAX_KEYS];
    int nkeys;
    uint32_t offset;
    bool json;
};

static const struct lfimg_opt verify_opts[] = {
    {"key", 'k', 1, "FILE", "trusted key, private or public PEM (repeatable, up to 8)"},
    {"offset", 0, 1, "N", "image starts N bytes into the file (default 0)"},
    {"json", 0, 0, NULL, "print the verdict and image facts as JSON"},
};

static int verify_opt(void *vctx, int index, char **vals)
{
    struct verify_ctx *c = vctx;
    if (index == 0) {
        if (c->nkeys >= VERIFY_MAX_KEYS) {
            lfimg_err("verify: at most %d keys", VERIFY_MAX_KEYS);
            return -1;
        }
        c->keys[c->nkeys++] = vals[0];
    } else if (index == 1) {
        if (!lfimg_parse_u32(vals[0], &c->offset)) {
            lfimg_err("verify: --offset: '%s' is not a number", vals[0]);
            return -1;
        }
    } else {
        c->json = true;
    }
    return 0;
}

static void verify_print(const struct verify_ctx *c, const char *file, int err,
                         const struct lf_image_info *info)
{
    if (!c->json) {
        if (err == LF_OK) {
            printf("valid\n");
        } else {
            printf("invalid: %s\n", lf_err_str(err));
        }
        return;
    }
    printf("{\"file\": ");
    lfimg_json_str(stdout, file);
    printf(", \"valid\": %s", err == LF_OK ? "true" : "false");
    if (err != LF_OK) {
        printf(", \"error\": {\"code\": %d, \"name\": \"%s\", \"text\": \"%s\"}}\n", err,
               lf_err_name(err), lf_err_str(err));
        return;
    }
    char hex[2 * LF_SHA256_SIZE + 1];
    lfimg_hex(info->hash, LF_SHA256_SIZE, hex);
    const struct lf_image_version *v = &info->hdr.version;
    printf(", \"version\": \"%u.%u.%u+%u\", \"hash\": \"%s\", \"image_size\": %u, "
           "\"key_index\": %u, \"security_counter\": ",
           v->major, v->minor, v->revision, v->build, hex, info->tlv_end, info->key_index);
    if (info->has_sec_cnt) {
        printf("%u", info->sec_cnt);
    } else {
        printf("null");
    }
    printf(", \"rom_fixed\": ");
    uint32_t addr;
    if (lf_image_rom_fixed_addr(&info->hdr, &addr) == LF_OK) {
        printf("%u}\n", addr);
    } else {
        printf("null}\n");
    }
}

int lfimg_cmd_verify(int argc, char **argv)
{
    struct verify_ctx c;
    memset(&c, 0, sizeof(c));
    char *pos[1];
    int npos;
    int rc = lfimg_parse(argc, argv, verify_opts, 3, verify_opt, &c, pos, 1, &npos,
                         "lfimg verify -k KEY [-k KEY...] [--json] FILE",
                         "Validate an image with the bootloader's own validator. Prints 'valid' "
                         "(exit 0)\nor 'invalid: <reason>' (exit 4).");
    if (rc) {
        return rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    if (npos != 1 || c.nkeys == 0) {
        lfimg_err("verify: need at least one --key and one FILE (see --help)");
        return LF_EXIT_USAGE;
    }
    struct lfimg_key keys[VERIFY_MAX_KEYS];
    struct lf_pubkey pub[VERIFY_MAX_KEYS];
    int loaded = 0;
    int ret = LF_EXIT_FILE; /* a key or the image cannot be read */
    uint8_t *buf = NULL;
    size_t len = 0;
    for (; loaded < c.nkeys; loaded++) {
        if (lfimg_key_load(c.keys[loaded], false, &keys[loaded]) != 0) {
            goto done;
        }
        pub[loaded].type = (uint8_t)keys[loaded].type;
        pub[loaded].der = keys[loaded].spki;
        pub[loaded].der_len = (uint16_t)keys[loaded].spki_len;
        pub[loaded].hash = keys[loaded].spki_hash;
    }
    if (lfimg_read_file(pos[0], &buf, &len) != 0) {
        goto done;
    }
    struct lfimg_ramflash rf;
    if (len == 0 || lfimg_ramflash_init(&rf, buf, len) != 0) {
        /* an empty file cannot hold an image; report it as the core would */
        verify_print(&c, pos[0], LF_E_IMG_TOO_BIG, NULL);
        ret = LF_EXIT_FILE;
        goto done;
    }
    const struct lf_keyring ring = {
        .keys = pub,
        .count = (uint8_t)c.nkeys,
        .algs = lf_image_sig_algs_all,
        .alg_count = LF_IMAGE_SIG_ALGS_ALL_COUNT,
    };
    struct lf_image_info info;
    int err = lf_image_validate(&rf.area, c.offset, &ring, &info);
    verify_print(&c, pos[0], err, &info);
    ret = err == LF_OK ? LF_EXIT_OK : LF_EXIT_FILE;
done:
    for (int i = 0; i < loaded; i++) {
        lfimg_key_free(&keys[i]);
    }
    free(buf);
    return ret;
}
