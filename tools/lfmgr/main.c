/* lfmgr: the Leapfrog SMP client. See docs/lfmgr.md. */
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "lf/version.h"

/* Command options, each valid only for the commands whose mask has its bit. */
enum {
    O_IMAGE = 1u << 0,
    O_UPGRADE = 1u << 1,
    O_SLOT = 1u << 2,
    O_WINDOW = 1u << 3,
    O_ALIGN = 1u << 4,
    O_FORCE = 1u << 5,
    O_QUERY = 1u << 6,
    O_BOARD = 1u << 7,
    O_NO_RESET = 1u << 8,
};

struct cmd {
    const char *w1;
    const char *w2; /* NULL for one-word commands */
    const char *usage;
    const char *help;
    unsigned opts;
    int min_pos, max_pos;
    lfm_cmd_fn fn;
};

static const struct cmd cmds[] = {
    {"echo", NULL, "echo TEXT", "Send TEXT to the device and print its echo.", 0, 1, 1,
     lfm_cmd_echo},
    {"params", NULL, "params", "Print the device's SMP buffer size and count (OS params).", 0, 0, 0,
     lfm_cmd_params},
    {"info", NULL, "info [FORMAT]",
     "Print the device's OS/application info; FORMAT letters as uname (default \"s\", \"a\" = "
     "all).",
     0, 0, 1, lfm_cmd_info},
    {"reset", NULL, "reset [--force]",
     "Reset the device (--force: even if the application objects).", O_FORCE, 0, 0, lfm_cmd_reset},
    {"image", "list", "image list", "List the images in the device's slots (--json for scripts).",
     0, 0, 0, lfm_cmd_image_list},
    {"image", "upload", "image upload FILE [--image N] [--upgrade] [--window N] [--align N]",
     "Upload FILE to image N's update slot (default image 0). Re-running an interrupted upload\n"
     "continues from the device's offset. --upgrade: the device refuses a version not newer\n"
     "than the running one. --window N: requests in flight (default 1 on serial,\n"
     "buf_count - 1 (at most 4) on UDP and BLE).\n"
     "--align N: chunk data lengths are multiples of N (default 16).",
     O_IMAGE | O_UPGRADE | O_WINDOW | O_ALIGN, 1, 1, lfm_cmd_image_upload},
    {"image", "test", "image test HASH",
     "Mark the image with this hash (64 hex digits, from `image list`) for a trial boot.", 0, 1, 1,
     lfm_cmd_image_test},
    {"image", "confirm", "image confirm [HASH]",
     "Make an image permanent; without HASH, confirm the running image.", 0, 0, 1,
     lfm_cmd_image_confirm},
    {"image", "erase", "image erase [--slot N]",
     "Erase an update slot (default: the device's choice, the non-active slot).", O_SLOT, 0, 0,
     lfm_cmd_image_erase},
    {"bootloader", "info", "bootloader info [--query Q]",
     "Print the bootloader's name, mode and active stage-1 slot; --query Q sends one query.",
     O_QUERY, 0, 0, lfm_cmd_boot_info},
    {"bootloader", "update", "bootloader update FILE [--board B] [--no-reset] [--upgrade]",
     "Update stage 1: ask the device which S slot is active, send the variant for the other\n"
     "slot from FILE (an update file with both variants, or one signed image whose ROM_FIXED\n"
     "address must be the inactive slot's on board B, default nrf52840dk), mark it for test\n"
     "and reset into the trial boot (unless --no-reset).",
     O_BOARD | O_NO_RESET | O_UPGRADE | O_WINDOW | O_ALIGN, 1, 1, lfm_cmd_boot_update},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage_main(FILE *f)
{
    size_t i;
    fprintf(f, "usage: lfmgr [OPTIONS] COMMAND [ARGS]\n\n"
               "Leapfrog SMP (mcumgr) client.\n\nCommands:\n");
    for (i = 0; i < NCMDS; i++) {
        fprintf(f, "  %s\n", cmds[i].usage);
    }
    fprintf(
        f, "\nOptions (anywhere on the line):\n"
           "  -c, --conn SPEC     udp:HOST[:PORT][,mtu=N]   (default port 1337, mtu 1500)\n"
           "                      serial:DEVICE[,baud=N]    (tty or pty, default 115200)\n"
           "                      ble-sim:PATH[,mtu=N]      (simulated BLE link, default mtu 247)\n"
           "                      (default: $LFMGR_CONN)\n"
           "  -t, --timeout SEC   reply timeout per request (default 3)\n"
           "  --long-timeout SEC  for the first upload chunk and erase (default 40)\n"
           "  -r, --retries N     resends after a timeout (default 3)\n"
           "  --smp-v1            send SMP v1 headers (default: v2, falling back to v1)\n"
           "  --buf-size N        override the device's reported buf_size\n"
           "  --json              machine-readable output on stdout\n"
           "  -v                  protocol log on stderr (-vv: transport frames too)\n"
           "  -h, --help          help (after a command: that command's help)\n"
           "  --version\n"
           "\nExit codes: 0 ok, 1 usage, 2 connection or timeout, 3 the device returned an\n"
           "error, 4 bad input file, 5 protocol error (malformed reply, upload check failed).\n");
}

static void usage_cmd(FILE *f, const struct cmd *c)
{
    fprintf(f,
            "usage: lfmgr [OPTIONS] %s\n\n%s\n\nSee `lfmgr --help` for OPTIONS and exit codes.\n",
            c->usage, c->help);
}

struct gopts {
    const char *conn;
    double timeout_s;
    double long_timeout_s;
    uint32_t retries;
    int verbose;
    bool smp_v1;
    uint32_t buf_size;
    bool help;
    bool version;
};

static bool parse_seconds(const char *s, double *v)
{
    char *end = NULL;
    double x;
    if (s == NULL) {
        return false;
    }
    x = strtod(s, &end);
    if (end == s || *end != '\0' || !(x > 0.0) || x > 3600.0) {
        return false;
    }
    *v = x;
    return true;
}

/* Parse one option at argv[*i]; returns 0 if consumed, 1 if not an option
 * we know, -1 on a usage error (message printed). *seen gets its O_ bit. */
static int parse_opt(int argc, char **argv, int *i, struct gopts *g, struct lfm_args *a,
                     unsigned *seen)
{
    const char *o = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
#define TAKE_VALUE()                               \
    do {                                           \
        if (v == NULL) {                           \
            lfm_err("option %s needs a value", o); \
            return -1;                             \
        }                                          \
        (*i)++;                                    \
    } while (0)
    if (!strcmp(o, "-c") || !strcmp(o, "--conn")) {
        TAKE_VALUE();
        g->conn = v;
    } else if (!strcmp(o, "-t") || !strcmp(o, "--timeout")) {
        TAKE_VALUE();
        if (!parse_seconds(v, &g->timeout_s)) {
            lfm_err("bad timeout '%s' (seconds)", v);
            return -1;
        }
    } else if (!strcmp(o, "--long-timeout")) {
        TAKE_VALUE();
        if (!parse_seconds(v, &g->long_timeout_s)) {
            lfm_err("bad timeout '%s' (seconds)", v);
            return -1;
        }
    } else if (!strcmp(o, "-r") || !strcmp(o, "--retries")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 100, &g->retries)) {
            lfm_err("bad retry count '%s'", v);
            return -1;
        }
    } else if (!strcmp(o, "-v") || !strcmp(o, "--verbose")) {
        g->verbose++;
    } else if (!strcmp(o, "-vv")) {
        g->verbose += 2;
    } else if (!strcmp(o, "--smp-v1")) {
        g->smp_v1 = true;
    } else if (!strcmp(o, "--buf-size")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 65535 + 8, &g->buf_size) || g->buf_size < 64) {
            lfm_err("bad buf size '%s' (64..65543)", v);
            return -1;
        }
    } else if (!strcmp(o, "--json")) {
        a->json = true;
    } else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
        g->help = true;
    } else if (!strcmp(o, "--version")) {
        g->version = true;
    } else if (!strcmp(o, "--image")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 255, &a->image)) {
            lfm_err("bad image number '%s'", v);
            return -1;
        }
        a->has_image = true;
        *seen |= O_IMAGE;
    } else if (!strcmp(o, "--upgrade")) {
        a->upgrade = true;
        *seen |= O_UPGRADE;
    } else if (!strcmp(o, "--slot")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 255, &a->slot)) {
            lfm_err("bad slot '%s'", v);
            return -1;
        }
        a->has_slot = true;
        *seen |= O_SLOT;
    } else if (!strcmp(o, "--window")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 8, &a->window) || a->window == 0) {
            lfm_err("bad window '%s' (1..8)", v);
            return -1;
        }
        *seen |= O_WINDOW;
    } else if (!strcmp(o, "--align")) {
        TAKE_VALUE();
        if (!lfm_parse_u32(v, 4096, &a->align) || a->align == 0) {
            lfm_err("bad alignment '%s' (1..4096)", v);
            return -1;
        }
        *seen |= O_ALIGN;
    } else if (!strcmp(o, "--force")) {
        a->force = true;
        *seen |= O_FORCE;
    } else if (!strcmp(o, "--query")) {
        TAKE_VALUE();
        a->query = v;
        *seen |= O_QUERY;
    } else if (!strcmp(o, "--board")) {
        TAKE_VALUE();
        a->board = v;
        *seen |= O_BOARD;
    } else if (!strcmp(o, "--no-reset")) {
        a->no_reset = true;
        *seen |= O_NO_RESET;
    } else {
        return 1;
    }
#undef TAKE_VALUE
    return 0;
}

static const struct cmd *find_cmd(const char *w1, const char *w2, bool *partial)
{
    size_t i;
    *partial = false;
    for (i = 0; i < NCMDS; i++) {
        if (strcmp(cmds[i].w1, w1) != 0) {
            continue;
        }
        *partial = true;
        if (cmds[i].w2 == NULL || (w2 != NULL && strcmp(cmds[i].w2, w2) == 0)) {
            return &cmds[i];
        }
    }
    return NULL;
}

int main(int argc, char **argv)
{
    struct gopts g = {NULL, 3.0, 40.0, 3, 0, false, 0, false, false};
    struct lfm_args a;
    const char *words[LFM_POS_MAX + 2];
    const struct cmd *c;
    struct lfm_conn conn;
    static struct lfm_session s; /* ~128 KiB of message buffers */
    unsigned seen = 0;
    int nwords = 0;
    bool dashdash = false;
    bool partial = false;
    int i;
    int err;

    memset(&a, 0, sizeof(a));
    a.align = 16;
    for (i = 1; i < argc; i++) {
        if (!dashdash && argv[i][0] == '-' && argv[i][1] != '\0') {
            int r;
            if (!strcmp(argv[i], "--")) {
                dashdash = true;
                continue;
            }
            r = parse_opt(argc, argv, &i, &g, &a, &seen);
            if (r < 0) {
                return LFM_EXIT_USAGE;
            }
            if (r > 0) {
                lfm_err("unknown option %s (see lfmgr --help)", argv[i]);
                return LFM_EXIT_USAGE;
            }
            continue;
        }
        if (nwords == LFM_POS_MAX + 2) {
            lfm_err("too many arguments");
            return LFM_EXIT_USAGE;
        }
        words[nwords++] = argv[i];
    }
    if (g.version) {
        printf("lfmgr %s\n", LF_VERSION_STRING);
        return LFM_EXIT_OK;
    }
    if (nwords == 0) {
        usage_main(g.help ? stdout : stderr);
        return g.help ? LFM_EXIT_OK : LFM_EXIT_USAGE;
    }
    c = find_cmd(words[0], nwords > 1 ? words[1] : NULL, &partial);
    if (c == NULL) {
        if (partial) {
            size_t k;
            if (g.help) {
                usage_main(stdout);
                return LFM_EXIT_OK;
            }
            lfm_err("'%s' needs a subcommand:", words[0]);
            for (k = 0; k < NCMDS; k++) {
                if (!strcmp(cmds[k].w1, words[0])) {
                    fprintf(stderr, "  lfmgr %s\n", cmds[k].usage);
                }
            }
        } else {
            lfm_err("unknown command '%s' (see lfmgr --help)", words[0]);
        }
        return LFM_EXIT_USAGE;
    }
    if (g.help) {
        usage_cmd(stdout, c);
        return LFM_EXIT_OK;
    }
    {
        int first = c->w2 ? 2 : 1;
        for (i = first; i < nwords; i++) {
            a.pos[a.npos++] = words[i];
        }
    }
    if (a.npos < c->min_pos || a.npos > c->max_pos) {
        usage_cmd(stderr, c);
        return LFM_EXIT_USAGE;
    }
    if (seen & ~c->opts) {
        lfm_err("an option given is not valid for '%s%s%s'", c->w1, c->w2 ? " " : "",
                c->w2 ? c->w2 : "");
        usage_cmd(stderr, c);
        return LFM_EXIT_USAGE;
    }
    if (g.conn == NULL) {
        g.conn = getenv("LFMGR_CONN");
    }
    err = lfm_conn_open(g.conn, g.verbose, &conn);
    if (err) {
        return err;
    }
    lfm_session_init(&s, &conn);
    s.timeout_ms = (int)(g.timeout_s * 1000.0);
    s.long_timeout_ms = (int)(g.long_timeout_s * 1000.0);
    s.retries = (int)g.retries;
    s.verbose = g.verbose;
    s.json = a.json;
    s.buf_size_override = g.buf_size;
    if (g.buf_size) {
        s.buf_size = g.buf_size;
    }
    if (g.smp_v1) {
        s.ver = LF_SMP_VER_1;
        s.ver_forced = true;
    }
    err = c->fn(&s, &a);
    fflush(stdout);
    lfm_conn_close(&conn);
    return err;
}
