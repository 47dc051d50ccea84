/*
 * lfimg dump: header, TLV entries and (for a padded image) trailer, as text
 * or --json. The structure is walked with the core's own header check and
 * TLV iterator, so what dump calls broken is what the bootloader rejects;
 * dump then shows what it could read and exits 1.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cmds.h"
#include "layout.h"
#include "lf/err.h"
#include "lfup.h"
#include "ramflash.h"
#include "util.h"

struct dump_ctx {
    bool json;
    bool silent;
    const char *outfile;
    uint32_t max_align;
};

static const struct lfimg_opt dump_opts[] = {
    {"json", 0, 0, NULL, "machine-readable output"},
    {"max-align", 0, 1, "A", "trailer alignment used to decode the trailer (default 8)"},
    {"outfile", 'o', 1, "FILE",
     "write the dump to FILE instead of stdout (imgtool dumpinfo's "
     "option; the text or --json format, not YAML)"},
    {"silent", 's', 0, NULL, "print nothing; only the exit status tells (imgtool dumpinfo's)"},
};

static int dump_opt(void *vctx, int index, char **vals)
{
    struct dump_ctx *c = vctx;
    if (index == 0) {
        c->json = true;
        return 0;
    }
    if (index == 2) {
        c->outfile = vals[0];
        return 0;
    }
    if (index == 3) {
        c->silent = true;
        return 0;
    }
    if (!lfimg_parse_u32(vals[0], &c->max_align) ||
        (c->max_align != 8 && c->max_align != 16 && c->max_align != 32)) {
        lfimg_err("dump: --max-align must be 8, 16 or 32");
        return -1;
    }
    return 0;
}

static const char *dump_tlv_name(uint16_t type)
{
    static const struct {
        uint16_t type;
        const char *name;
    } names[] = {
        {LF_TLV_KEYHASH, "KEYHASH"},         {LF_TLV_PUBKEY, "PUBKEY"},
        {LF_TLV_SHA256, "SHA256"},           {LF_TLV_SHA384, "SHA384"},
        {LF_TLV_SHA512, "SHA512"},           {LF_TLV_RSA2048_PSS, "RSA2048_PSS"},
        {LF_TLV_ECDSA224, "ECDSA224"},       {LF_TLV_ECDSA_SIG, "ECDSA_SIG"},
        {LF_TLV_RSA3072_PSS, "RSA3072_PSS"}, {LF_TLV_ED25519, "ED25519"},
        {LF_TLV_SIG_PURE, "SIG_PURE"},       {LF_TLV_ENC_RSA2048, "ENC_RSA2048"},
        {LF_TLV_ENC_KW, "ENC_KW"},           {LF_TLV_ENC_EC256, "ENC_EC256"},
        {LF_TLV_ENC_X25519, "ENC_X25519"},   {LF_TLV_ENC_X25519_SHA512, "ENC_X25519_SHA512"},
        {LF_TLV_DEPENDENCY, "DEPENDENCY"},   {LF_TLV_SEC_CNT, "SEC_CNT"},
        {LF_TLV_BOOT_RECORD, "BOOT_RECORD"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].type == type) {
            return names[i].name;
        }
    }
    return type >= LF_TLV_VENDOR_MIN && type <= LF_TLV_VENDOR_MAX ? "VENDOR" : "UNKNOWN";
}

static void dump_flags(uint32_t flags, bool json)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{LF_IMAGE_F_PIC, "PIC"},
                 {LF_IMAGE_F_ENCRYPTED_AES128, "ENCRYPTED_AES128"},
                 {LF_IMAGE_F_ENCRYPTED_AES256, "ENCRYPTED_AES256"},
                 {LF_IMAGE_F_NON_BOOTABLE, "NON_BOOTABLE"},
                 {LF_IMAGE_F_RAM_LOAD, "RAM_LOAD"},
                 {LF_IMAGE_F_ROM_FIXED, "ROM_FIXED"},
                 {LF_IMAGE_F_COMPRESSED_LZMA1, "COMPRESSED_LZMA1"},
                 {LF_IMAGE_F_COMPRESSED_LZMA2, "COMPRESSED_LZMA2"},
                 {LF_IMAGE_F_COMPRESSED_ARM_THUMB, "COMPRESSED_ARM_THUMB"}};
    int n = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (flags & names[i].bit) {
            printf(json ? "%s\"%s\"" : "%s%s", n++ ? (json ? ", " : " | ") : "", names[i].name);
        }
    }
}

/* Trailer fields of a file taken as a whole padded slot (docs/reference/mcuboot.md 2.1-2.3). */
struct dump_trailer {
    const char *magic; /* "good", "unset" or "bad" */
    uint8_t image_ok, copy_done, swap_info;
    uint32_t swap_size;
};

static bool dump_read_trailer(const uint8_t *buf, size_t len, uint32_t a, struct dump_trailer *t)
{
    uint32_t magic_unit = (16 + a - 1) / a * a;
    if (len % a != 0 || len < magic_unit + 4 * a) {
        return false;
    }
    uint8_t good[LFIMG_MAGIC_SIZE];
    lfimg_boot_magic(a, good);
    const uint8_t *m = buf + len - LFIMG_MAGIC_SIZE;
    bool erased = true;
    for (size_t i = 0; i < LFIMG_MAGIC_SIZE; i++) {
        erased = erased && m[i] == 0xff;
    }
    t->magic = memcmp(m, good, LFIMG_MAGIC_SIZE) == 0 ? "good" : erased ? "unset" : "bad";
    size_t image_ok = len - magic_unit - a;
    t->image_ok = buf[image_ok];
    t->copy_done = buf[image_ok - a];
    t->swap_info = buf[image_ok - 2 * a];
    t->swap_size = lfimg_le32(buf + image_ok - 3 * a);
    return true;
}

static const char *dump_flag_state(uint8_t v)
{
    return v == 0xff ? "unset" : v == 0x01 ? "set" : "bad";
}

static void dump_hex_text(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%s%02x", i % 16 == 0 ? "\n        " : " ", p[i]);
    }
    printf("\n");
}

int lfimg_cmd_dump(int argc, char **argv)
{
    struct dump_ctx c = {.max_align = 8};
    char *pos[1];
    int npos;
    int rc = lfimg_parse(argc, argv, dump_opts, 4, dump_opt, &c, pos, 1, &npos,
                         "lfimg dump [--json] [--max-align A] [-o FILE] [-s] FILE\n"
                         "       lfimg dumpinfo ... (imgtool's name: the same command)",
                         "Show the header, the TLVs and, when the file extends past the image "
                         "(--pad),\nthe trailer. An update file (lfimg pack) is shown as its "
                         "entries and their\nimages. Exit 4 when the structure is broken.");
    if (rc) {
        return rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    if (c.outfile && c.silent) {
        lfimg_err("dump: --outfile and --silent exclude each other");
        return LF_EXIT_USAGE;
    }
    if (npos != 1) {
        lfimg_err("dump: need one FILE (see --help)");
        return LF_EXIT_USAGE;
    }
    uint8_t *buf;
    size_t len;
    if (lfimg_read_file(pos[0], &buf, &len) != 0) {
        return LF_EXIT_FILE;
    }
    /* the dump is printed on stdout: point stdout where it should go */
    if ((c.outfile || c.silent) && !freopen(c.outfile ? c.outfile : "/dev/null", "w", stdout)) {
        lfimg_err("dump: cannot create %s", c.outfile ? c.outfile : "/dev/null");
        free(buf);
        return LF_EXIT_INTERNAL;
    }
    if (lfup_is(buf, len)) {
        rc = lfup_dump(pos[0], buf, len, c.json);
        free(buf);
        return rc;
    }
    if (len < LF_IMAGE_HEADER_SIZE) {
        lfimg_err("dump: %s is shorter than an image header", pos[0]);
        free(buf);
        return LF_EXIT_FILE;
    }
    struct lfimg_ramflash rf;
    if (lfimg_ramflash_init(&rf, buf, len) != 0) {
        lfimg_err("dump: %s is too large", pos[0]);
        free(buf);
        return LF_EXIT_FILE;
    }
    struct lf_image_header h;
    lf_image_header_decode(buf, &h);
    int err = lf_image_header_check(&h, (uint32_t)len);
    struct lf_image_tlv_iter it;
    bool have_tlvs = false;
    if (!err) {
        err = lf_image_tlv_iter_begin(&it, &rf.area, 0, &h);
        have_tlvs = err == LF_OK;
    }

    bool j = c.json;
    if (j) {
        printf("{\n  \"file\": ");
        lfimg_json_str(stdout, pos[0]);
        printf(",\n  \"size\": %zu,\n  \"header\": {\"magic\": %u, \"load_addr\": %u, "
               "\"hdr_size\": %u, \"protect_tlv_size\": %u, \"img_size\": %u, \"flags\": %u, "
               "\"flag_names\": [",
               len, h.magic, h.load_addr, h.hdr_size, h.protect_tlv_size, h.img_size, h.flags);
        dump_flags(h.flags, true);
        printf("], \"version\": \"%u.%u.%u+%u\"},\n", h.version.major, h.version.minor,
               h.version.revision, h.version.build);
    } else {
        printf("image %s (%zu bytes)\nheader:\n  magic            0x%08x%s\n"
               "  load_addr        0x%08x\n  hdr_size         0x%x\n"
               "  protect_tlv_size 0x%x\n  img_size         0x%x\n  flags            0x%08x%s",
               pos[0], len, h.magic, h.magic == LF_IMAGE_MAGIC ? "" : " (bad)", h.load_addr,
               h.hdr_size, h.protect_tlv_size, h.img_size, h.flags, h.flags ? " " : "");
        dump_flags(h.flags, false);
        printf("\n  version          %u.%u.%u+%u\n", h.version.major, h.version.minor,
               h.version.revision, h.version.build);
    }

    uint32_t image_end = 0;
    if (j) {
        printf("  \"tlvs\": [");
    }
    if (have_tlvs) {
        uint32_t tlv_off = (uint32_t)h.hdr_size + h.img_size;
        if (!j) {
            if (h.protect_tlv_size) {
                printf("protected TLV area at 0x%x, 0x%x bytes\n", tlv_off, h.protect_tlv_size);
            }
            printf("TLV area at 0x%x, 0x%x bytes\n", it.prot_end, it.end - it.prot_end);
        }
        image_end = it.end;
        struct lf_image_tlv t;
        int n = 0;
        while ((rc = lf_image_tlv_iter_next(&it, &t)) > 0) {
            const uint8_t *p = buf + t.off;
            if (j) {
                char *hex = malloc(2u * t.len + 1);
                if (hex) {
                    lfimg_hex(p, t.len, hex);
                }
                printf("%s\n    {\"area\": \"%s\", \"type\": %u, \"name\": \"%s\", "
                       "\"offset\": %u, \"len\": %u, \"data\": \"%s\"}",
                       n ? "," : "", t.prot ? "protected" : "unprotected", t.type,
                       dump_tlv_name(t.type), t.off, t.len, hex ? hex : "");
                free(hex);
            } else {
                printf("  %s%-11s (0x%02x) at 0x%x, len 0x%x:", t.prot ? "protected " : "",
                       dump_tlv_name(t.type), t.type, t.off, t.len);
                dump_hex_text(p, t.len);
            }
            n++;
        }
        if (rc < 0) {
            err = rc;
        }
    }
    if (j) {
        printf("%s],\n", have_tlvs ? "\n  " : "");
    }

    struct dump_trailer tr;
    bool padded = image_end && len > image_end && dump_read_trailer(buf, len, c.max_align, &tr);
    if (j) {
        printf("  \"image_end\": %u,\n  \"trailer\": ", image_end);
        if (padded) {
            printf("{\"max_align\": %u, \"magic\": \"%s\", \"image_ok\": %u, \"copy_done\": %u, "
                   "\"swap_info\": %u, \"swap_size\": %u},\n",
                   c.max_align, tr.magic, tr.image_ok, tr.copy_done, tr.swap_info, tr.swap_size);
        } else {
            printf("null,\n");
        }
        printf("  \"error\": ");
        if (err) {
            printf("{\"code\": %d, \"name\": \"%s\", \"text\": \"%s\"}\n}\n", err, lf_err_name(err),
                   lf_err_str(err));
        } else {
            printf("null\n}\n");
        }
    } else {
        if (padded) {
            printf("trailer (slot of 0x%zx bytes, max-align %u):\n  magic      %s\n"
                   "  image_ok   0x%02x (%s)\n  copy_done  0x%02x (%s)\n  swap_info  0x%02x\n"
                   "  swap_size  0x%08x\n",
                   len, c.max_align, tr.magic, tr.image_ok, dump_flag_state(tr.image_ok),
                   tr.copy_done, dump_flag_state(tr.copy_done), tr.swap_info, tr.swap_size);
        }
        if (err) {
            printf("structure error: %s (%s)\n", lf_err_str(err), lf_err_name(err));
        }
    }
    free(buf);
    return err ? LF_EXIT_FILE : LF_EXIT_OK;
}
