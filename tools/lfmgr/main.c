/* lfmgr: the Leapfrog SMP client. See docs/lfmgr.md. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    O_NO_WAIT = 1u << 9,
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
    {"reset", NULL, "reset [--force] [--no-wait]",
     "Reset the device (--force: even if the application objects), wait until it answers\n"
     "again and report what it runs: an image marked for test now on trial or confirmed,\n"
     "or reverted and why (exit 3). --no-wait: only send the reset.",
     O_FORCE | O_NO_WAIT, 0, 0, lfm_cmd_reset},
    {"image", "list", "image list", "List the images in the device's slots (--json for scripts).",
     0, 0, 0, lfm_cmd_image_list},
    {"image", "upload",
     "image upload FILE [--image N] [--upgrade] [--window N] [--align N] [--force]",
     "Upload FILE to image N's update slot (default image 0). Re-running an interrupted upload\n"
     "continues from the device's offset. --upgrade: the device refuses a version not newer\n"
     "than the running one. --window N: requests in flight (default 1 on serial,\n"
     "buf_count - 1 (at most 4) on UDP and BLE).\n"
     "--align N: chunk data lengths are multiples of N (default 16).\n"
     "Before sending, FILE is checked against the device: a signed image, not corrupt\n"
     "(SHA-256), fits the slot, signed with a key the device trusts, not older than what\n"
     "runs, a stage-1 image for the right S slot; --force sends it anyway.",
     O_IMAGE | O_UPGRADE | O_WINDOW | O_ALIGN | O_FORCE, 1, 1, lfm_cmd_image_upload},
    {"image", "test", "image test HASH|FILE",
     "Mark the image with this hash (64 hex digits, from `image list`) for a trial boot;\n"
     "FILE: a signed image file, whose SHA256 TLV is the hash.",
     0, 1, 1, lfm_cmd_image_test},
    {"image", "confirm", "image confirm [HASH|FILE]",
     "Make an image permanent. Without HASH, confirm what runs on trial: stage 1 and/or the\n"
     "application; fails (exit 3) when the device runs no valid application.",
     0, 0, 1, lfm_cmd_image_confirm},
    {"image", "erase", "image erase [--slot N]",
     "Erase an update slot (default: the device's choice, the non-active slot).", O_SLOT, 0, 0,
     lfm_cmd_image_erase},
    {"bootloader", "info", "bootloader info [--query Q]",
     "Print the bootloader's name, mode and active stage-1 slot. --query Q sends one query\n"
     "and prints the reply as \"key: value\" lines (JSON with --json); Leapfrog devices\n"
     "answer mode, active_b0_slot, counter, boot_record, last_error, keys, recovery.",
     O_QUERY, 0, 0, lfm_cmd_boot_info},
    {"bootloader", "update",
     "bootloader update FILE [--board B] [--no-reset] [--upgrade] [--force]",
     "Update stage 1: ask the device which S slot is active, send the variant for the other\n"
     "slot from FILE (an update file with both variants, or one signed image whose ROM_FIXED\n"
     "address must be the inactive slot's), mark it for test, reset into the trial boot and\n"
     "report whether the new stage 1 runs confirmed (exit 3 if the device went back).\n"
     "Board B: default the board the device reports, else the one the file's variants are\n"
     "linked for; a B other than the device's is refused. Both variants are checked before\n"
     "anything is sent (hash, key, version); a device without a valid application is\n"
     "refused (the new stage 1 could not confirm itself). --force sends anyway.\n"
     "--no-reset: stop after marking it for test.",
     O_BOARD | O_NO_RESET | O_UPGRADE | O_WINDOW | O_ALIGN | O_FORCE, 1, 1, lfm_cmd_boot_update},
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
           "\n" LF_EXIT_HELP
           "  130 (lfmgr) an upload stopped by Ctrl-C: the same command resumes it\n");
}

/* `lfmgr image --help`: the commands of one group. */
static void usage_group(FILE *f, const char *w1)
{
    size_t i;
    fprintf(f, "usage: lfmgr [OPTIONS] %s SUBCOMMAND [ARGS]\n\nSubcommands:\n", w1);
    for (i = 0; i < NCMDS; i++) {
        if (!strcmp(cmds[i].w1, w1)) {
            fprintf(f, "  %s\n      ", cmds[i].usage);
            for (const char *p = cmds[i].help; *p; p++) {
                fputc(*p, f);
                if (*p == '\n') {
                    fputs("      ", f);
                }
            }
            fputc('\n', f);
        }
    }
    fprintf(f,
            "\nSee `lfmgr %s SUBCOMMAND --help` for one subcommand, `lfmgr --help` for\n"
            "OPTIONS and exit codes.\n",
            w1);
}

/* Edit distance of two short words (suggestions for a mistyped command). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[33];
    if (la > 32 || lb > 32) {
        return 99;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) {
                best = up + 1;
            }
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The known word closest to `w` among the commands' first (w1 NULL) or
 * second words, if close enough to be a typo. */
static const char *suggest(const char *w1, const char *w)
{
    const char *best = NULL;
    size_t bd = 3;
    for (size_t i = 0; i < NCMDS; i++) {
        const char *cand = w1 ? cmds[i].w2 : cmds[i].w1;
        if (cand == NULL || (w1 && strcmp(cmds[i].w1, w1) != 0)) {
            continue;
        }
        size_t d = edit_distance(w, cand);
        if (strncmp(cand, w, strlen(w)) == 0 && strlen(w) >= 2) {
            d = 1; /* a prefix: "up" for "upload" */
        }
        if (d < bd) {
            bd = d;
            best = cand;
        }
    }
    return best;
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
    } else if (!strcmp(o, "--no-wait")) {
        a->no_wait = true;
        *seen |= O_NO_WAIT;
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

static int run(int argc, char **argv)
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
                return LF_EXIT_USAGE;
            }
            if (r > 0) {
                lfm_err("unknown option %s (see lfmgr --help)", argv[i]);
                return LF_EXIT_USAGE;
            }
            continue;
        }
        if (nwords == LFM_POS_MAX + 2) {
            lfm_err("too many arguments");
            return LF_EXIT_USAGE;
        }
        words[nwords++] = argv[i];
    }
    if (g.version) {
        printf("lfmgr %s\n", LF_VERSION_STRING);
        return LF_EXIT_OK;
    }
    if (nwords == 0) {
        if (!g.help) {
            lfm_err("no command given (see lfmgr --help)");
        }
        usage_main(g.help ? stdout : stderr);
        return g.help ? LF_EXIT_OK : LF_EXIT_USAGE;
    }
    c = find_cmd(words[0], nwords > 1 ? words[1] : NULL, &partial);
    if (c == NULL) {
        if (partial) {
            if (g.help) {
                usage_group(stdout, words[0]);
                return LF_EXIT_OK;
            }
            if (nwords > 1) {
                const char *near = suggest(words[0], words[1]);
                if (near) {
                    lfm_err("unknown %s subcommand '%s' (did you mean '%s'?)", words[0], words[1],
                            near);
                } else {
                    lfm_err("unknown %s subcommand '%s' (see lfmgr %s --help)", words[0], words[1],
                            words[0]);
                }
            } else {
                lfm_err("'%s' needs a subcommand (see lfmgr %s --help)", words[0], words[0]);
            }
            usage_group(stderr, words[0]);
        } else {
            const char *near = suggest(NULL, words[0]);
            if (near) {
                lfm_err("unknown command '%s' (did you mean '%s'?)", words[0], near);
            } else {
                lfm_err("unknown command '%s' (see lfmgr --help)", words[0]);
            }
        }
        return LF_EXIT_USAGE;
    }
    if (g.help) {
        usage_cmd(stdout, c);
        return LF_EXIT_OK;
    }
    {
        int first = c->w2 ? 2 : 1;
        for (i = first; i < nwords; i++) {
            a.pos[a.npos++] = words[i];
        }
    }
    if (a.npos < c->min_pos || a.npos > c->max_pos) {
        lfm_err("%s: %s", c->usage,
                a.npos < c->min_pos ? "missing argument" : "too many arguments");
        usage_cmd(stderr, c);
        return LF_EXIT_USAGE;
    }
    if (seen & ~c->opts) {
        lfm_err("an option given is not valid for '%s%s%s'", c->w1, c->w2 ? " " : "",
                c->w2 ? c->w2 : "");
        usage_cmd(stderr, c);
        return LF_EXIT_USAGE;
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

/* --json: the command's output is captured and becomes exactly one object:
 * its own fields after "ok": true, or on failure "ok": false, the exit code
 * and the first error message (docs/exit-codes.md). */
static bool wants_json(int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "--version")) {
            return false; /* help text is for people */
        }
        json = json || !strcmp(argv[i], "--json");
    }
    return json;
}

static void json_wrap(int rc, const char *out, size_t n)
{
    size_t b = 0;
    while (b < n && (out[b] == ' ' || out[b] == '\n')) {
        b++;
    }
    while (n > b && (out[n - 1] == ' ' || out[n - 1] == '\n')) {
        n--;
    }
    if (rc == LF_EXIT_OK) {
        fputs("{\"ok\": true", stdout);
        if (n - b >= 2 && out[b] == '{' && out[n - 1] == '}') {
            size_t ib = b + 1, ie = n - 1;
            while (ib < ie && out[ib] == ' ') {
                ib++;
            }
            if (ie > ib) {
                fputs(", ", stdout);
                fwrite(out + ib, 1, ie - ib, stdout);
            }
        }
        fputs(lfm_json_extra, stdout);
        fputs("}\n", stdout);
        return;
    }
    printf("{\"ok\": false, \"exit\": %d, \"error\": ", rc);
    const char *e = lfm_error_text[0] ? lfm_error_text : "failed";
    lfm_json_str(stdout, e, strlen(e));
    fputs(lfm_json_extra, stdout);
    fputs("}\n", stdout);
}

int main(int argc, char **argv)
{
    if (!wants_json(argc, argv)) {
        return run(argc, argv);
    }
    FILE *cap = tmpfile();
    int saved = dup(STDOUT_FILENO);
    fflush(stdout);
    if (cap == NULL || saved < 0 || dup2(fileno(cap), STDOUT_FILENO) < 0) {
        lfm_err("cannot capture the output for --json");
        return LF_EXIT_INTERNAL;
    }
    int rc = run(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    long n = (long)lseek(fileno(cap), 0, SEEK_END);
    char *out = NULL;
    if (n > 0 && n < (1L << 26)) {
        out = malloc((size_t)n);
        if (out != NULL && pread(fileno(cap), out, (size_t)n, 0) != n) {
            free(out);
            out = NULL;
        }
    }
    fclose(cap);
    json_wrap(rc, out ? out : "", out ? (size_t)n : 0u);
    free(out);
    fflush(stdout);
    return rc;
}
