/*
 * lfimg provision: the factory image of a device's provision area
 * (docs/provision.md): root-key hashes in the order given (key i may be
 * revoked by an image signed with a later key), the initial security counter
 * in slot 0, the board's number of counter slots, erased bytes 0xFF, the
 * area's full size. The bytes come from the core (lf_provision_layout), and
 * are read back with lf_provision_read before the file is written.
 */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "board.h"
#include "cmds.h"
#include "keys.h"
#include "lf/err.h"
#include "lf/provision.h"
#include "ramflash.h"
#include "util.h"

enum { P_BOARD, P_KEY, P_COUNTER, P_SLOTS, P_OUTPUT, P_JSON, P_COUNT };

static const struct lfimg_opt prov_opts[P_COUNT] = {
    [P_BOARD] = {"board", 'b', 1, "NAME", "board whose provision area to lay out; required"},
    [P_KEY] = {"key", 'k', 1, "FILE",
               "root key, public or private PEM (ecdsa-p256 or ed25519; the public part is "
               "used); repeat for keys 0..3 in order; at least one"},
    [P_COUNTER] = {"counter", 'c', 1, "N", "initial security counter (default 0)"},
    [P_SLOTS] = {"counter-slots", 0, 1, "N",
                 "counter slots (default: the board's counter_slots); must fit the area"},
    [P_OUTPUT] = {"output", 'o', 1, "FILE", "where to write the area's bytes ('-': stdout)"},
    [P_JSON] = {"json", 0, 0, NULL, "print a JSON summary instead of text"},
};

struct prov_ctx {
    const char *board;
    const char *keys[LF_PROVISION_MAX_KEYS];
    unsigned nkeys;
    uint32_t counter;
    uint32_t slots;
    bool have_slots;
    const char *output;
    bool json;
};

static int prov_opt(void *vctx, int index, char **vals)
{
    struct prov_ctx *c = vctx;
    switch (index) {
    case P_BOARD:
        c->board = vals[0];
        break;
    case P_KEY:
        if (c->nkeys == LF_PROVISION_MAX_KEYS) {
            lfimg_err("provision: at most %u root keys (the provision area holds %u)",
                      LF_PROVISION_MAX_KEYS, LF_PROVISION_MAX_KEYS);
            return -1;
        }
        c->keys[c->nkeys++] = vals[0];
        break;
    case P_COUNTER:
        if (!lfimg_parse_u32(vals[0], &c->counter)) {
            lfimg_err("provision: --counter: '%s' is not a 32-bit number", vals[0]);
            return -1;
        }
        break;
    case P_SLOTS:
        if (!lfimg_parse_u32(vals[0], &c->slots)) {
            lfimg_err("provision: --counter-slots: '%s' is not a number", vals[0]);
            return -1;
        }
        c->have_slots = true;
        break;
    case P_OUTPUT:
        c->output = vals[0];
        break;
    default:
        c->json = true;
        break;
    }
    return 0;
}

/* The text or JSON summary; to stderr when the bytes go to stdout. */
static void prov_summary(const struct prov_ctx *c, const struct lf_board *b, uint32_t size,
                         const struct lf_provision *p, const struct lf_provision_counter *cnt)
{
    FILE *f = strcmp(c->output, "-") == 0 ? stderr : stdout;
    char hex[2 * LF_SHA256_SIZE + 1];
    if (c->json) {
        fprintf(f, "{\"board\": ");
        lfimg_json_str(f, b->name);
        fprintf(f, ", \"output\": ");
        lfimg_json_str(f, c->output);
        fprintf(f, ", \"size\": %u, \"used\": %u, \"keys\": [", size,
                LF_PROVISION_SIZE(p->counter_slots));
        for (unsigned i = 0; i < p->key_count; i++) {
            lfimg_hex(p->key_hash[i], LF_SHA256_SIZE, hex);
            fprintf(f, "%s{\"index\": %u, \"type\": \"%s\", \"hash\": \"%s\", \"file\": ",
                    i ? ", " : "", i, lfimg_key_type_name(p->key_type[i]), hex);
            lfimg_json_str(f, c->keys[i]);
            fprintf(f, "}");
        }
        fprintf(f, "], \"counter\": %u, \"counter_slots\": %u, \"counter_slots_left\": %u}\n",
                cnt->value, p->counter_slots, cnt->left);
        return;
    }
    fprintf(f, "provision area of %s: %u bytes, %u used (0xff elsewhere)\n", b->name, size,
            LF_PROVISION_SIZE(p->counter_slots));
    for (unsigned i = 0; i < p->key_count; i++) {
        lfimg_hex(p->key_hash[i], LF_SHA256_SIZE, hex);
        fprintf(f, "  key %u  %-10s sha256 %s  (%s)\n", i, lfimg_key_type_name(p->key_type[i]), hex,
                c->keys[i]);
    }
    fprintf(f, "  counter %u, %u slots (%u increases possible)\n", cnt->value, p->counter_slots,
            cnt->left);
    if (f == stdout) {
        fprintf(f, "wrote %s\n", c->output);
    }
}

/* Load the keys into the settings; 0 or -1 (message printed). */
static int prov_load_keys(const struct prov_ctx *c, struct lf_provision_settings *s,
                          uint8_t hash[LF_PROVISION_MAX_KEYS][LF_SHA256_SIZE])
{
    for (unsigned i = 0; i < c->nkeys; i++) {
        struct lfimg_key k;
        if (lfimg_key_load(c->keys[i], false, &k) != 0) {
            return -1;
        }
        s->key_type[i] = (uint8_t)k.type;
        memcpy(hash[i], k.spki_hash, LF_SHA256_SIZE);
        lfimg_key_free(&k);
        for (unsigned j = 0; j < i; j++) {
            /* The validator takes the first matching hash: a second copy
             * would be an index no image can ever be signed with. */
            if (memcmp(hash[j], hash[i], LF_SHA256_SIZE) == 0) {
                lfimg_err("provision: %s is the same key as %s (key %u)", c->keys[i], c->keys[j],
                          j);
                return -1;
            }
        }
    }
    s->key_count = (uint8_t)c->nkeys;
    return 0;
}

int lfimg_cmd_provision(int argc, char **argv)
{
    struct prov_ctx c;
    memset(&c, 0, sizeof(c));
    char *pos[1];
    int npos;
    int rc = lfimg_parse(
        argc, argv, prov_opts, P_COUNT, prov_opt, &c, pos, 0, &npos,
        "lfimg provision -b BOARD -k KEY [-k KEY...] [--counter N] [--json] -o FILE",
        "Write the bytes of BOARD's provision area (docs/provision.md) for a new device:\n"
        "SHA-256 of each root key's DER public key (key 0 first), the initial security\n"
        "counter and the counter slots. Program it into the device's provision area, e.g.\n"
        "'lfsim program DIR provision FILE'. A refusal names its reason on stderr.");
    if (rc) {
        return rc == 1 ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    if (!c.board || c.nkeys == 0 || !c.output) {
        lfimg_err("provision: need --board, at least one --key and --output (see --help)");
        return LF_EXIT_USAGE;
    }
    const struct lf_board *b = lfimg_board("provision", c.board);
    if (!b) {
        return LF_EXIT_USAGE;
    }
    const struct lf_board_area *a = &b->areas[LF_AREA_PROVISION];
    if (a->size == 0 || a->dev >= LF_DEV_COUNT || !b->dev_geo[a->dev]) {
        lfimg_err("provision: board %s has no provision area", b->name);
        return LF_EXIT_USAGE;
    }
    if (b->dev_geo[a->dev]->erase_value != 0xff) {
        lfimg_err("provision: board %s: the provision area must erase to 0xff", b->name);
        return LF_EXIT_USAGE;
    }
    uint32_t slots = c.have_slots ? c.slots : b->counter_slots;
    int err = lf_provision_layout_check(a->size, c.nkeys, slots);
    if (err) {
        lfimg_err("provision: %u counter slots do not fit %s's provision area: %u bytes, "
                  "%u slots need %llu (at most %u slots)",
                  (unsigned)slots, b->name, (unsigned)a->size, (unsigned)slots,
                  (unsigned long long)LF_PROVISION_SLOTS_OFF +
                      (unsigned long long)LF_PROVISION_SLOT_SIZE * slots,
                  a->size > LF_PROVISION_SLOTS_OFF
                      ? (unsigned)((a->size - LF_PROVISION_SLOTS_OFF) / LF_PROVISION_SLOT_SIZE)
                      : 0u);
        return LF_EXIT_USAGE;
    }
    uint8_t hash[LF_PROVISION_MAX_KEYS][LF_SHA256_SIZE];
    struct lf_provision_settings s = {
        .key_hash = (const uint8_t(*)[LF_SHA256_SIZE])hash,
        .counter_slots = (uint16_t)slots,
        .initial_counter = c.counter,
    };
    if (prov_load_keys(&c, &s, hash) != 0) {
        return LF_EXIT_FILE;
    }
    uint8_t *buf = malloc(a->size);
    if (!buf) {
        lfimg_err("provision: out of memory");
        return LF_EXIT_INTERNAL;
    }
    /* Read back what the device's stage 0 will read. */
    struct lfimg_ramflash rf;
    struct lf_provision p;
    struct lf_provision_counter cnt;
    err = lf_provision_layout(&s, buf, a->size);
    if (!err) {
        err = lfimg_ramflash_init(&rf, buf, a->size) == 0 ? LF_OK : LF_E_INVAL;
    }
    if (!err) {
        err = lf_provision_read(&rf.area, &p);
    }
    if (!err) {
        err = lf_provision_counter_read(&rf.area, &p, &cnt);
    }
    int ret = LF_EXIT_INTERNAL;
    if (err) {
        lfimg_err("provision: cannot lay out the area: %s (%s)", lf_err_str(err), lf_err_name(err));
    } else if (lfimg_write_file(c.output, buf, a->size) == 0) {
        prov_summary(&c, b, a->size, &p, &cnt);
        ret = LF_EXIT_OK;
    }
    free(buf);
    return ret;
}
