/*
 * lfimg pack: one stage-1 update file (docs/update-file.md) from the S0 and
 * S1 variants of a release. Each variant must be a complete, intact signed
 * image, ROM_FIXED at its own slot's address on the board, ending below the
 * slot's trailer; both must carry the same version and security counter.
 * Anything else is refused before a byte is written: a wrong variant would
 * otherwise only be discovered by the device (or never).
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "board.h"
#include "cmds.h"
#include "imginfo.h"
#include "keys.h"
#include "lf/err.h"
#include "lf/trailer.h"
#include "lfup.h"
#include "ramflash.h"
#include "util.h"

#define PACK_MAX_KEYS 8

enum { K_BOARD, K_S0, K_S1, K_KEY, K_OUTPUT, K_JSON, K_COUNT };

static const struct lfimg_opt pack_opts[K_COUNT] = {
    [K_BOARD] = {"board", 'b', 1, "NAME", "board the release is linked for; required"},
    [K_S0] = {"s0", 0, 1, "FILE", "stage 1 signed for S0 (lfimg sign --rom-fixed S0-address)"},
    [K_S1] = {"s1", 0, 1, "FILE", "stage 1 signed for S1"},
    [K_KEY] = {"key", 'k', 1, "FILE",
               "also verify each signature with these root keys (repeatable, up to 8)"},
    [K_OUTPUT] = {"output", 'o', 1, "FILE", "the update file to write; required"},
    [K_JSON] = {"json", 0, 0, NULL, "print a JSON summary instead of text"},
};

struct pack_ctx {
    const char *board;
    const char *in[2];
    const char *keys[PACK_MAX_KEYS];
    int nkeys;
    const char *output;
    bool json;
};

/* One variant as read and checked. */
struct pack_var {
    uint8_t *buf;
    size_t len;
    struct lfimg_imginfo ii;
};

static int pack_opt(void *vctx, int index, char **vals)
{
    struct pack_ctx *c = vctx;
    switch (index) {
    case K_BOARD:
        c->board = vals[0];
        break;
    case K_S0:
    case K_S1:
        c->in[index - K_S0] = vals[0];
        break;
    case K_KEY:
        if (c->nkeys >= PACK_MAX_KEYS) {
            lfimg_err("pack: at most %d keys", PACK_MAX_KEYS);
            return -1;
        }
        c->keys[c->nkeys++] = vals[0];
        break;
    case K_OUTPUT:
        c->output = vals[0];
        break;
    default:
        c->json = true;
        break;
    }
    return 0;
}

/* Full validation with the given keys (only with --key). 0 or -1. */
static int pack_verify(const struct pack_ctx *c, const char *path, struct pack_var *v)
{
    struct lfimg_key keys[PACK_MAX_KEYS];
    struct lf_pubkey pub[PACK_MAX_KEYS];
    int loaded = 0;
    int ret = -1;
    for (; loaded < c->nkeys; loaded++) {
        if (lfimg_key_load(c->keys[loaded], false, &keys[loaded]) != 0) {
            goto done;
        }
        pub[loaded] = (struct lf_pubkey){.type = (uint8_t)keys[loaded].type,
                                         .der = keys[loaded].spki,
                                         .der_len = (uint16_t)keys[loaded].spki_len,
                                         .hash = keys[loaded].spki_hash};
    }
    struct lfimg_ramflash rf;
    if (lfimg_ramflash_init(&rf, v->buf, v->len) != 0) {
        goto done;
    }
    const struct lf_keyring ring = {pub, (uint8_t)c->nkeys, lf_image_sig_algs_all,
                                    LF_IMAGE_SIG_ALGS_ALL_COUNT};
    struct lf_image_info info;
    int err = lf_image_validate(&rf.area, 0, &ring, &info);
    if (err) {
        lfimg_err("pack: %s: signature check failed: %s", path, lf_err_str(err));
        goto done;
    }
    ret = 0;
done:
    for (int i = 0; i < loaded; i++) {
        lfimg_key_free(&keys[i]);
    }
    return ret;
}

/*
 * Read variant `slot` and check it on its own: LF_EXIT_OK, or LF_EXIT_FILE
 * (unreadable or refused).
 */
static int pack_load(const struct pack_ctx *c, const struct lf_board *b, uint8_t slot,
                     const uint32_t addr[2], struct pack_var *v)
{
    const char *path = c->in[slot];
    if (lfimg_read_file(path, &v->buf, &v->len) != 0) {
        return LF_EXIT_FILE;
    }
    if (v->len < LF_IMAGE_HEADER_SIZE) {
        lfimg_err("pack: %s: not a valid image: only %zu bytes", path, v->len);
        return LF_EXIT_FILE;
    }
    int err = lfimg_imginfo_read(v->buf, v->len, &v->ii);
    if (err) {
        lfimg_err("pack: %s: not a valid image: %s (%s)", path, lf_err_str(err), lf_err_name(err));
        return LF_EXIT_FILE;
    }
    if (!v->ii.hash_ok) {
        lfimg_err("pack: %s: the image does not match its SHA256 TLV (corrupt)", path);
        return LF_EXIT_FILE;
    }
    if (v->len != v->ii.end) {
        lfimg_err("pack: %s: %zu bytes follow the image (signed with --pad?): an update "
                  "file carries the image alone",
                  path, v->len - v->ii.end);
        return LF_EXIT_FILE;
    }
    uint8_t other = (uint8_t)(slot ^ 1u);
    if (!v->ii.rom_fixed) {
        lfimg_err("pack: %s is not ROM_FIXED: sign it with --rom-fixed 0x%08x for S%u", path,
                  (unsigned)addr[slot], slot);
        return LF_EXIT_FILE;
    }
    if (v->ii.rom_addr == addr[other]) {
        lfimg_err("pack: %s is linked for S%u (0x%08x), not S%u (0x%08x): --s0 and --s1 "
                  "swapped?",
                  path, other, (unsigned)addr[other], slot, (unsigned)addr[slot]);
        return LF_EXIT_FILE;
    }
    if (v->ii.rom_addr != addr[slot]) {
        lfimg_err("pack: %s is linked for 0x%08x, but S%u of %s is at 0x%08x", path,
                  (unsigned)v->ii.rom_addr, slot, b->name, (unsigned)addr[slot]);
        return LF_EXIT_FILE;
    }
    /* Stage 0's limit (docs/stage0.md, check 6): below the slot's swap_size
     * unit, the first trailer unit the uploader and stage 0 write. */
    struct lf_flash_area fa = {.size = b->areas[LF_AREA_S0 + slot].size};
    uint32_t limit = fa.size >= lf_trailer_info_size() ? lf_trailer_swap_size_off(&fa) : 0;
    if (v->ii.end > limit) {
        lfimg_err("pack: %s: %u bytes do not fit S%u of %s (at most %u below its trailer)", path,
                  (unsigned)v->ii.end, slot, b->name, (unsigned)limit);
        return LF_EXIT_FILE;
    }
    if (c->nkeys && pack_verify(c, path, v) != 0) {
        return LF_EXIT_FILE;
    }
    return LF_EXIT_OK;
}

/* Both variants must be the same release. */
static int pack_same_release(const struct pack_ctx *c, const struct pack_var v[2])
{
    const struct lfimg_imginfo *a = &v[0].ii;
    const struct lfimg_imginfo *z = &v[1].ii;
    char va[24];
    char vz[24];
    lfimg_version_str(&a->hdr.version, va, sizeof(va));
    lfimg_version_str(&z->hdr.version, vz, sizeof(vz));
    if (strcmp(va, vz) != 0) {
        lfimg_err("pack: versions differ: %s is %s, %s is %s (both variants must be one "
                  "release)",
                  c->in[0], va, c->in[1], vz);
        return -1;
    }
    if (a->has_sec_cnt != z->has_sec_cnt || a->sec_cnt != z->sec_cnt) {
        lfimg_err("pack: security counters differ: %s has %s%u, %s has %s%u", c->in[0],
                  a->has_sec_cnt ? "" : "none, ", a->sec_cnt, c->in[1],
                  z->has_sec_cnt ? "" : "none, ", z->sec_cnt);
        return -1;
    }
    return 0;
}

static void pack_summary(const struct pack_ctx *c, const struct lf_board *b,
                         const struct lfup_entry *e, const struct pack_var *const v[], unsigned n,
                         size_t total)
{
    char ver[24];
    char hex[65];
    lfimg_version_str(&v[0]->ii.hdr.version, ver, sizeof(ver));
    if (c->json) {
        printf("{\"board\": ");
        lfimg_json_str(stdout, b->name);
        printf(", \"output\": ");
        lfimg_json_str(stdout, c->output);
        printf(", \"size\": %zu, \"version\": \"%s\", \"entries\": [", total, ver);
        for (unsigned i = 0; i < n; i++) {
            lfimg_hex(v[i]->ii.hash, 32, hex);
            printf("%s{\"slot\": %u, \"image\": %u, \"load_addr\": %u, \"offset\": %u, "
                   "\"len\": %u, \"hash\": \"%s\"}",
                   i ? ", " : "", e[i].slot, e[i].image, e[i].load_addr, e[i].off, e[i].len, hex);
        }
        printf("]}\n");
        return;
    }
    printf("update file %s for %s: stage 1 %s, %zu bytes\n", c->output, b->name, ver, total);
    for (unsigned i = 0; i < n; i++) {
        lfimg_hex(v[i]->ii.hash, 32, hex);
        printf("  S%u  0x%08x  %u bytes at 0x%x  sha256 %s\n", e[i].slot, e[i].load_addr, e[i].len,
               e[i].off, hex);
    }
}

int lfimg_cmd_pack(int argc, char **argv)
{
    struct pack_ctx c;
    memset(&c, 0, sizeof(c));
    char *pos[1];
    int npos;
    int rc = lfimg_parse(
        argc, argv, pack_opts, K_COUNT, pack_opt, &c, pos, 0, &npos,
        "lfimg pack -b BOARD --s0 S0.bin --s1 S1.bin [-k KEY...] [--json] -o FILE.lfup",
        "Pack the S0 and S1 variants of one stage-1 release into an update file\n"
        "(docs/update-file.md) for 'lfmgr bootloader update'. Each must be signed on its\n"
        "own with --rom-fixed at its slot's address, without --pad; versions and\n"
        "security counters must match. Exit 4 when an image is refused or unreadable\n"
        "(the exit codes are below).");
    if (rc) {
        return rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    if (!c.board || (!c.in[0] && !c.in[1]) || !c.output) {
        lfimg_err("pack: need --board, --s0 and/or --s1, and --output (see --help)");
        return LF_EXIT_USAGE;
    }
    const struct lf_board *b = lfimg_board("pack", c.board);
    if (!b) {
        return LF_EXIT_USAGE;
    }
    uint32_t addr[2];
    if (!lfimg_board_area_addr(b, LF_AREA_S0, &addr[0]) ||
        !lfimg_board_area_addr(b, LF_AREA_S1, &addr[1])) {
        lfimg_err("pack: board %s has no executable S0 and S1", b->name);
        return LF_EXIT_USAGE;
    }
    struct pack_var v[2];
    memset(v, 0, sizeof(v));
    struct lfup_entry e[2];
    const struct pack_var *used[2];
    const uint8_t *img[2];
    uint32_t len[2];
    unsigned n = 0;
    int ret = LF_EXIT_USAGE; /* set by the first pack_load (one input at least) */
    for (uint8_t s = 0; s < 2; s++) {
        if (!c.in[s]) {
            continue;
        }
        ret = pack_load(&c, b, s, addr, &v[s]);
        if (ret != LF_EXIT_OK) {
            break;
        }
        e[n] = (struct lfup_entry){.slot = s, .image = LFUP_IMAGE_S1, .load_addr = addr[s]};
        used[n] = &v[s];
        img[n] = v[s].buf;
        len[n] = v[s].ii.end;
        n++;
    }
    if (ret == LF_EXIT_OK && n == 2 && pack_same_release(&c, v) != 0) {
        ret = LF_EXIT_FILE;
    }
    uint8_t *out = NULL;
    size_t out_len = 0;
    if (ret == LF_EXIT_OK && lfup_build(e, img, len, n, &out, &out_len) != 0) {
        lfimg_err("pack: cannot build the file (too large?)");
        ret = LF_EXIT_FILE;
    }
    if (ret == LF_EXIT_OK) {
        ret = lfimg_write_file(c.output, out, out_len) == 0 ? LF_EXIT_OK : LF_EXIT_INTERNAL;
    }
    if (ret == LF_EXIT_OK && strcmp(c.output, "-") != 0) {
        pack_summary(&c, b, e, used, n, out_len);
    }
    free(out);
    free(v[0].buf);
    free(v[1].buf);
    return ret;
}
