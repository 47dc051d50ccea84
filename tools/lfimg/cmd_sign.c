/*
 * lfimg sign: imgtool's sign options with the same meanings, and the same
 * output layout byte for byte (layout.c). Extra: --strategy/--sector-size
 * check the image against the bootloader's limit for a swap strategy.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "board.h"
#include "cmds.h"
#include "keys.h"
#include "layout.h"
#include "lf/boot.h"
#include "util.h"

enum {
    O_KEY,
    O_HEADER_SIZE,
    O_PAD_HEADER,
    O_ALIGN,
    O_MAX_ALIGN,
    O_VERSION,
    O_SEC_CNT,
    O_SLOT_SIZE,
    O_PAD,
    O_CONFIRM,
    O_TEST,
    O_PUBKEY_FORMAT,
    O_ROM_FIXED,
    O_LOAD_ADDR,
    O_OVERWRITE_ONLY,
    O_MAX_SECTORS,
    O_CUSTOM_TLV,
    O_PAD_SIG,
    O_ERASED_VAL,
    O_NON_BOOTABLE,
    O_STRATEGY,
    O_SECTOR_SIZE,
    O_BOARD,
    O_SLOT,
    O_HEX_ADDR,
    O_COUNT
};

static const struct lfimg_opt sign_opts[O_COUNT] = {
    [O_KEY] = {"key", 'k', 1, "FILE", "signing key (PEM, ecdsa-p256 or ed25519); required"},
    [O_HEADER_SIZE] = {"header-size", 'H', 1, "N", "header size ih_hdr_size (>= 32); required"},
    [O_PAD_HEADER] = {"pad-header", 0, 0, NULL,
                      "prepend --header-size bytes for the header (else the input must start "
                      "with that many zero bytes)"},
    [O_ALIGN] = {"align", 0, 1, "W", "flash write size: 1, 2, 4, 8, 16 or 32 (default 1)"},
    [O_MAX_ALIGN] = {"max-align", 0, 1, "A",
                     "trailer alignment BOOT_MAX_ALIGN: 8, 16 or 32 (default max(8, W))"},
    [O_VERSION] = {"version", 'v', 1, "M.m.r+b", "image version; required"},
    [O_SEC_CNT] = {"security-counter", 's', 1, "N|auto",
                   "add a protected SEC_CNT TLV; auto = (major<<24)|(minor<<16)|revision"},
    [O_SLOT_SIZE] = {"slot-size", 'S', 1, "N", "slot size in bytes; required"},
    [O_PAD] = {"pad", 0, 0, NULL, "pad to --slot-size and write the boot magic (test request)"},
    [O_CONFIRM] = {"confirm", 0, 0, NULL, "with padding also set image_ok (implies --pad)"},
    [O_TEST] = {"test", 0, 0, NULL, "pad with magic, image_ok left erased (same as --pad)"},
    [O_PUBKEY_FORMAT] = {"public-key-format", 0, 1, "hash|full",
                         "KEYHASH TLV (default) or PUBKEY TLV with the full key"},
    [O_ROM_FIXED] = {"rom-fixed", 'F', 1, "ADDR",
                     "flash address the image is linked for (flag ROM_FIXED)"},
    [O_LOAD_ADDR] = {"load-addr", 'L', 1, "ADDR", "RAM load address (flag RAM_LOAD)"},
    [O_OVERWRITE_ONLY] = {"overwrite-only", 0, 0, NULL,
                          "size the trailer for overwrite-only upgrades"},
    [O_MAX_SECTORS] = {"max-sectors", 'M', 1, "N",
                       "sectors the swap status must cover (default 128)"},
    [O_CUSTOM_TLV] = {"custom-tlv", 0, 2, "TAG VALUE",
                      "protected vendor TLV, TAG 0xa0..0xfffe; VALUE 0x<hex> or a string; "
                      "repeatable"},
    [O_PAD_SIG] = {"pad-sig", 0, 0, NULL, "pad ECDSA signatures to 72 bytes (MCUboot < 1.5)"},
    [O_ERASED_VAL] = {"erased-val", 'R', 1, "0|0xff", "erased flash value (default 0xff)"},
    [O_NON_BOOTABLE] = {"non-bootable", 0, 0, NULL, "set the NON_BOOTABLE flag"},
    [O_STRATEGY] = {"strategy", 0, 1, "NAME",
                    "also check the limit of swap-move, swap-scratch, swap-offset or "
                    "overwrite-only (docs/reference/mcuboot.md 3.8)"},
    [O_SECTOR_SIZE] = {"sector-size", 0, 1, "N", "sector size for --strategy swap-move/offset"},
    [O_BOARD] = {"board", 0, 1, "B",
                 "take defaults from board B's layout for the --slot the image is for: "
                 "--header-size, --slot-size, --align; s0/s1 also --rom-fixed at the slot's "
                 "address and --public-key-format full; app also the board's --strategy and "
                 "--sector-size. Options given explicitly win"},
    [O_SLOT] = {"slot", 0, 1, "app|s0|s1",
                "with --board: the application's primary slot, or stage 1's S0 or S1"},
    [O_HEX_ADDR] = {"hex-addr", 'x', 1, "ADDR",
                    "base address of an Intel HEX OUTFILE (default: the --slot's address with "
                    "--board, else 0)"},
};

struct sign_ctx {
    struct lfimg_sign_opts o;
    const char *key;
    const char *version;
    const char *sec_cnt;
    bool have_header, have_slot, test;
    bool have_align, have_pubkey_format, have_strategy, have_hex_addr;
    const char *board;
    const char *slot;
    uint32_t hex_addr;
};

static bool sign_num(const char *name, const char *s, uint32_t *out)
{
    if (!lfimg_parse_u32(s, out)) {
        lfimg_err("sign: --%s: '%s' is not a number", name, s);
        return false;
    }
    return true;
}

static bool sign_pow2_choice(const char *name, const char *s, uint32_t lo, uint32_t hi,
                             uint32_t *out)
{
    uint32_t v;
    if (!lfimg_parse_u32(s, &v) || v < lo || v > hi || (v & (v - 1)) != 0) {
        lfimg_err("sign: --%s must be a power of two from %u to %u", name, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

static int sign_hexval(char ch)
{
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

static int sign_custom(struct sign_ctx *c, char **vals)
{
    uint32_t tag;
    if (c->o.ncustom >= LFIMG_MAX_CUSTOM_TLVS) {
        lfimg_err("sign: at most %d --custom-tlv", LFIMG_MAX_CUSTOM_TLVS);
        return -1;
    }
    if (!lfimg_parse_u32(vals[0], &tag) || tag < LF_TLV_VENDOR_MIN || tag > LF_TLV_VENDOR_MAX) {
        lfimg_err("sign: custom TLV tag '%s' outside 0x%04x..0x%04x", vals[0], LF_TLV_VENDOR_MIN,
                  LF_TLV_VENDOR_MAX);
        return -1;
    }
    for (int i = 0; i < c->o.ncustom; i++) {
        if (c->o.custom[i].tag == tag) {
            lfimg_err("sign: custom TLV 0x%x given twice", tag);
            return -1;
        }
    }
    const char *v = vals[1];
    size_t len;
    uint8_t *buf;
    if (strncmp(v, "0x", 2) == 0) {
        size_t hex = strlen(v + 2);
        if (hex % 2) {
            lfimg_err("sign: custom TLV value '%s' has an odd number of hex digits", v);
            return -1;
        }
        len = hex / 2;
        buf = malloc(len ? len : 1);
        for (size_t i = 0; buf && i < len; i++) {
            int hi = sign_hexval(v[2 + 2 * i]);
            int lo = sign_hexval(v[3 + 2 * i]);
            if (hi < 0 || lo < 0) {
                lfimg_err("sign: custom TLV value '%s' is not hex", v);
                free(buf);
                return -1;
            }
            buf[i] = (uint8_t)(hi << 4 | lo);
        }
    } else {
        len = strlen(v);
        buf = malloc(len ? len : 1);
        if (buf) {
            memcpy(buf, v, len);
        }
    }
    if (!buf || len > UINT16_MAX) {
        lfimg_err("sign: custom TLV value too large");
        free(buf);
        return -1;
    }
    c->o.custom[c->o.ncustom].tag = (uint16_t)tag;
    c->o.custom[c->o.ncustom].len = (uint16_t)len;
    c->o.custom[c->o.ncustom].val = buf;
    c->o.ncustom++;
    return 0;
}

static int sign_strategy(struct sign_ctx *c, const char *s)
{
    static const struct {
        const char *name;
        enum lfimg_strategy v;
    } names[] = {{"swap-scratch", LFIMG_STRATEGY_SWAP_SCRATCH},
                 {"swap-move", LFIMG_STRATEGY_SWAP_MOVE},
                 {"swap-offset", LFIMG_STRATEGY_SWAP_OFFSET},
                 {"overwrite-only", LFIMG_STRATEGY_OVERWRITE_ONLY},
                 {"imgtool", LFIMG_STRATEGY_IMGTOOL}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(s, names[i].name) == 0) {
            c->o.strategy = names[i].v;
            return 0;
        }
    }
    lfimg_err("sign: unknown --strategy '%s'", s);
    return -1;
}

static int sign_opt(void *vctx, int index, char **vals)
{
    struct sign_ctx *c = vctx;
    struct lfimg_sign_opts *o = &c->o;
    const char *v = vals[0];
    const char *name = sign_opts[index].name;
    switch (index) {
    case O_KEY:
        c->key = v;
        return 0;
    case O_HEADER_SIZE:
        c->have_header = true;
        return sign_num(name, v, &o->header_size) ? 0 : -1;
    case O_PAD_HEADER:
        o->pad_header = true;
        return 0;
    case O_ALIGN:
        c->have_align = true;
        return sign_pow2_choice(name, v, 1, 32, &o->align) ? 0 : -1;
    case O_MAX_ALIGN:
        return sign_pow2_choice(name, v, 8, 32, &o->max_align) ? 0 : -1;
    case O_VERSION:
        c->version = v;
        return 0;
    case O_SEC_CNT:
        c->sec_cnt = v;
        return 0;
    case O_SLOT_SIZE:
        c->have_slot = true;
        return sign_num(name, v, &o->slot_size) ? 0 : -1;
    case O_PAD:
        o->pad = true;
        return 0;
    case O_CONFIRM:
        o->confirm = true;
        o->pad = true;
        return 0;
    case O_TEST:
        o->pad = true;
        return 0;
    case O_PUBKEY_FORMAT:
        if (strcmp(v, "hash") != 0 && strcmp(v, "full") != 0) {
            lfimg_err("sign: --public-key-format must be hash or full");
            return -1;
        }
        o->pubkey_full = strcmp(v, "full") == 0;
        c->have_pubkey_format = true;
        return 0;
    case O_ROM_FIXED:
        if (!sign_num(name, v, &o->rom_fixed)) {
            return -1;
        }
        if (o->rom_fixed == 0) {
            /* imgtool would silently drop the flag for address 0 */
            lfimg_err("sign: --rom-fixed 0 cannot be represented (the flag needs an address)");
            return -1;
        }
        return 0;
    case O_LOAD_ADDR:
        return sign_num(name, v, &o->load_addr) ? 0 : -1;
    case O_OVERWRITE_ONLY:
        o->overwrite_only = true;
        return 0;
    case O_MAX_SECTORS:
        if (!sign_num(name, v, &o->max_sectors) || o->max_sectors == 0 ||
            o->max_sectors > 0x10000) {
            lfimg_err("sign: --max-sectors must be 1..65536");
            return -1;
        }
        return 0;
    case O_CUSTOM_TLV:
        return sign_custom(c, vals);
    case O_PAD_SIG:
        o->pad_sig = true;
        return 0;
    case O_ERASED_VAL: {
        uint32_t e;
        if (!lfimg_parse_u32(v, &e) || (e != 0 && e != 0xff)) {
            lfimg_err("sign: --erased-val must be 0 or 0xff");
            return -1;
        }
        o->erased_val = (uint8_t)e;
        return 0;
    }
    case O_NON_BOOTABLE:
        o->non_bootable = true;
        return 0;
    case O_STRATEGY:
        c->have_strategy = true;
        return sign_strategy(c, v);
    case O_BOARD:
        c->board = v;
        return 0;
    case O_SLOT:
        if (strcmp(v, "app") != 0 && strcmp(v, "s0") != 0 && strcmp(v, "s1") != 0) {
            lfimg_err("sign: --slot must be app, s0 or s1");
            return -1;
        }
        c->slot = v;
        return 0;
    case O_HEX_ADDR:
        c->have_hex_addr = true;
        return sign_num(name, v, &c->hex_addr) ? 0 : -1;
    case O_SECTOR_SIZE:
        if (!sign_num(name, v, &o->sector_size) || o->sector_size == 0) {
            lfimg_err("sign: --sector-size must be a positive number");
            return -1;
        }
        return 0;
    default:
        return -1;
    }
}

/* The size of the sectors at area a of board b, or 0 if they vary. */
static uint32_t sign_area_sector(const struct lf_board *b, const struct lf_board_area *a)
{
    const struct lf_flash_geometry *g = a->dev < LF_DEV_COUNT ? b->dev_geo[a->dev] : NULL;
    if (!g) {
        return 0;
    }
    uint32_t off = 0, size = 0;
    for (uint8_t r = 0; r < g->run_count; r++) {
        uint64_t end = off + (uint64_t)g->runs[r].count * g->runs[r].size;
        if (a->off < end && a->off + (uint64_t)a->size <= end) {
            size = g->runs[r].size;
        }
        off = (uint32_t)end;
    }
    return size;
}

/* --board B --slot S: defaults for what was not given explicitly. */
static int sign_board_defaults(struct sign_ctx *c)
{
    struct lfimg_sign_opts *o = &c->o;
    if (!c->board && !c->slot) {
        return 0;
    }
    if (!c->board || !c->slot) {
        lfimg_err("sign: --board and --slot go together");
        return -1;
    }
    const struct lf_board *b = lfimg_board("sign", c->board);
    if (!b) {
        return -1;
    }
    bool app = strcmp(c->slot, "app") == 0;
    uint8_t id = app ? LF_AREA_APP_PRIMARY : strcmp(c->slot, "s0") == 0 ? LF_AREA_S0 : LF_AREA_S1;
    const struct lf_board_area *a = &b->areas[id];
    uint32_t addr = 0;
    bool mapped = lfimg_board_area_addr(b, id, &addr);
    if (a->size == 0) {
        lfimg_err("sign: board %s has no %s slot", b->name, c->slot);
        return -1;
    }
    if (!c->have_header) {
        o->header_size = b->image_header_size;
        c->have_header = true;
    }
    if (!c->have_slot) {
        o->slot_size = a->size;
        c->have_slot = true;
    }
    const struct lf_flash_geometry *g = b->dev_geo[a->dev];
    if (!c->have_align && g && g->write_align >= 1 && g->write_align <= 32) {
        o->align = g->write_align;
    }
    if (!c->have_hex_addr && mapped) {
        c->hex_addr = addr;
    }
    if (!app) {
        /* stage 1 executes in place: linked for its slot (ROM_FIXED), and stage 0
         * knows root keys by hash only, so the image carries the full key */
        if (!o->rom_fixed && !o->load_addr) {
            if (!mapped) {
                lfimg_err("sign: board %s's %s slot is not memory-mapped", b->name, c->slot);
                return -1;
            }
            o->rom_fixed = addr;
        }
        if (!c->have_pubkey_format) {
            o->pubkey_full = true;
        }
        return 0;
    }
    if (!c->have_strategy) {
        uint32_t sector = sign_area_sector(b, a);
        switch (b->app_strategy) {
        case LF_BOOT_STRATEGY_SWAP_MOVE:
            if (sector) {
                o->strategy = LFIMG_STRATEGY_SWAP_MOVE;
                o->sector_size = o->sector_size ? o->sector_size : sector;
            }
            break;
        case LF_BOOT_STRATEGY_SWAP_SCRATCH:
            o->strategy = LFIMG_STRATEGY_SWAP_SCRATCH;
            break;
        case LF_BOOT_STRATEGY_OVERWRITE:
            o->strategy = LFIMG_STRATEGY_OVERWRITE_ONLY;
            break;
        default:
            break;
        }
    }
    return 0;
}

/* Cross-option checks once everything is parsed. */
static int sign_check(struct sign_ctx *c)
{
    struct lfimg_sign_opts *o = &c->o;
    if (sign_board_defaults(c) != 0) {
        return -1;
    }
    if (!c->key || !c->version || !c->have_header || !c->have_slot) {
        lfimg_err("sign: --key, --version, --header-size and --slot-size are required "
                  "(--board B --slot app|s0|s1 gives the last two)");
        return -1;
    }
    if (!lfimg_parse_version(c->version, &o->version)) {
        lfimg_err("sign: invalid version '%s' (M[.m[.r[+b]]])", c->version);
        return -1;
    }
    if (o->header_size < LF_IMAGE_HEADER_SIZE || o->header_size > UINT16_MAX) {
        lfimg_err("sign: --header-size must be 32..65535");
        return -1;
    }
    if (o->header_size > LF_IMAGE_MAX_HDR_SIZE) {
        lfimg_err("sign: --header-size 0x%x is larger than the bootloader accepts (0x%x)",
                  o->header_size, LF_IMAGE_MAX_HDR_SIZE);
        return -1;
    }
    if (c->sec_cnt) {
        o->has_sec_cnt = true;
        if (strcmp(c->sec_cnt, "auto") == 0) {
            o->sec_cnt = ((uint32_t)o->version.major << 24) | ((uint32_t)o->version.minor << 16) |
                         o->version.revision;
        } else if (!sign_num("security-counter", c->sec_cnt, &o->sec_cnt)) {
            return -1;
        }
    }
    if (o->rom_fixed && o->load_addr) {
        lfimg_err("sign: --rom-fixed and --load-addr cannot be combined");
        return -1;
    }
    if (o->max_align && o->align > o->max_align) {
        lfimg_err("sign: --align %u is larger than --max-align %u", o->align, o->max_align);
        return -1;
    }
    if ((o->strategy == LFIMG_STRATEGY_SWAP_MOVE || o->strategy == LFIMG_STRATEGY_SWAP_OFFSET) &&
        o->sector_size == 0) {
        lfimg_err("sign: --strategy swap-move/swap-offset needs --sector-size");
        return -1;
    }
    if (o->pad && o->slot_size % lfimg_max_align(o) != 0) {
        lfimg_err("sign: --slot-size must be a multiple of the max alignment %u",
                  lfimg_max_align(o));
        return -1;
    }
    return 0;
}

static bool sign_is_hex(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && (strcmp(path + n - 4, ".hex") == 0 || strcmp(path + n - 4, ".HEX") == 0);
}

int lfimg_cmd_sign(int argc, char **argv)
{
    struct sign_ctx c;
    memset(&c, 0, sizeof(c));
    c.o.align = 1;
    c.o.max_sectors = LFIMG_DEFAULT_MAX_SECTORS;
    c.o.erased_val = 0xff;
    char *pos[2];
    int npos;
    int ret = LF_EXIT_USAGE;
    uint8_t *in = NULL;
    uint8_t *out = NULL;
    int rc = lfimg_parse(
        argc, argv, sign_opts, O_COUNT, sign_opt, &c, pos, 2, &npos,
        "lfimg sign -k KEY -H N -v VERSION -S N [options] INFILE OUTFILE\n"
        "       lfimg sign --board B --slot app|s0|s1 -k KEY -v VERSION [options] INFILE OUTFILE",
        "Sign a binary into an MCUboot-format image, exactly as imgtool does with the same "
        "options.\nINFILE is a raw binary. An OUTFILE ending in .hex is written as Intel HEX "
        "at --hex-addr.\nWhich key: stage 1 (--slot s0/s1) is signed with a ROOT key (one "
        "provisioned into the\ndevice); the application with an APPLICATION key (one in the "
        "running stage 1's key table).");
    if (rc) {
        ret = rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
        goto done;
    }
    if (npos != 2) {
        lfimg_err("sign: need INFILE and OUTFILE (see --help)");
        goto done;
    }
    if (sign_check(&c) != 0) {
        goto done;
    }
    if (sign_is_hex(pos[0])) {
        /* imgtool would read Intel HEX here; never sign text as binary */
        lfimg_err("sign: Intel HEX input is not supported (%s); give the raw binary", pos[0]);
        goto done;
    }
    struct lfimg_key key;
    if (lfimg_key_load(c.key, true, &key) != 0) {
        ret = LF_EXIT_FILE;
        goto done;
    }
    size_t in_len;
    size_t out_len;
    ret = LF_EXIT_FILE;
    if (lfimg_read_file(pos[0], &in, &in_len) == 0 &&
        lfimg_build(&c.o, &key, in, in_len, &out, &out_len) == 0) {
        int w = sign_is_hex(pos[1]) ? lfimg_write_ihex(pos[1], out, out_len, c.hex_addr)
                                    : lfimg_write_file(pos[1], out, out_len);
        ret = w == 0 ? LF_EXIT_OK : LF_EXIT_INTERNAL;
    }
    lfimg_key_free(&key);
done:
    for (int i = 0; i < c.o.ncustom; i++) {
        free(c.o.custom[i].val);
    }
    free(in);
    free(out);
    return ret;
}
