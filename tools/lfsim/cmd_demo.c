/*
 * lfsim demo: the README's main job (docs/lfsim.md section 4). Makes keys and
 * signed images with lfimg, a provisioned device in DIR, boots it with
 * `lfsim run`, and updates it over SMP with lfmgr: the application through
 * its secondary slot, stage 1 twice through image 1 (S0 -> S1 -> S0), and
 * stage 1 once through the SDK-compatible path. Every step is checked from
 * the device's answers; the exit status is 0 only if all did what they should.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "devlock.h"
#include "lf_exit.h"
#include "lfsim.h"
#include "proc.h"

#define DEMO_PATH   1200
#define DEMO_OUT    16384
#define DEMO_ARGS   24
#define APP_SIZE    (48u * 1024u) /* payload of the demo application */
#define STAGE1_SIZE (14u * 1024u) /* payload of the demo stage 1 */
#define DEMO_BAUD   "1000000"

struct demo {
    const char *dir;
    const struct lf_board *board;
    bool verbose;
    char lfimg[DEMO_PATH], lfmgr[DEMO_PATH], lfsim[DEMO_PATH];
    char udp[64]; /* lfmgr --conn for UDP */
    char serial[DEMO_PATH + 32];
    pid_t sim;
    char out[DEMO_OUT]; /* stdout of the last tool */
    FILE *log;          /* DIR/demo.log: every command and its stderr */
};

struct demo_row {
    const char *step;
    bool ok;
    unsigned active;
    char s1_ver[24];
    char app_ver[24];
    uint64_t used, left;
    uint64_t bytes;
    double seconds;
    char why[160];
};

/* ---- running tools ------------------------------------------------------------ */

static int demo_tool(struct demo *d, const char *tool, ...)
{
    char *argv[DEMO_ARGS];
    int n = 0;
    argv[n++] = (char *)tool;
    va_list ap;
    va_start(ap, tool);
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < DEMO_ARGS - 1) {
        argv[n++] = (char *)a;
    }
    va_end(ap);
    argv[n] = NULL;
    fprintf(d->log, "$");
    for (int i = 0; i < n; i++) {
        fprintf(d->log, " %s", argv[i]);
    }
    fprintf(d->log, "\n");
    fflush(d->log);
    if (d->verbose) {
        fprintf(stderr, "$");
        for (int i = 0; i < n; i++) {
            fprintf(stderr, " %s", argv[i]);
        }
        fprintf(stderr, "\n");
    }
    int rc = lfsim_run_tool(argv, d->out, sizeof(d->out), d->log);
    fprintf(d->log, "%s", d->out);
    if (rc != 0) {
        fprintf(d->log, "(exit %d)\n", rc);
    }
    fflush(d->log);
    return rc;
}

static void demo_path(char *out, size_t cap, const struct demo *d, const char *sub)
{
    snprintf(out, cap, "%s/%s", d->dir, sub);
}

static uint32_t area_addr(const struct lf_board *b, uint8_t id)
{
    const struct lf_board_area *a = &b->areas[id];
    return b->dev_map_addr[a->dev] + a->off;
}

/* ---- making keys, images and the device --------------------------------------- */

static int write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        return -1;
    }
    size_t w = fwrite(p, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* A payload: a recognisable text, repeated. */
static int make_payload(const char *path, const uint8_t *head, size_t head_len, size_t size,
                        const char *text)
{
    uint8_t *p = malloc(size);
    if (!p) {
        return -1;
    }
    size_t tl = strlen(text);
    for (size_t i = 0; i < size; i++) {
        p[i] = (uint8_t)text[i % tl];
    }
    memcpy(p, head, head_len);
    int rc = write_file(path, p, size);
    free(p);
    return rc;
}

static int sign_stage1(struct demo *d, const char *ver, const char *cnt, uint8_t slot)
{
    char in[DEMO_PATH], out[DEMO_PATH], key[DEMO_PATH], addr[16], size[16];
    demo_path(in, sizeof(in), d, "images/stage1.bin");
    demo_path(key, sizeof(key), d, "keys/root-0.pem");
    char name[96];
    snprintf(name, sizeof(name), "images/stage1-v%s-s%u.signed.bin", ver, slot);
    demo_path(out, sizeof(out), d, name);
    uint8_t area = slot ? LF_AREA_S1 : LF_AREA_S0;
    snprintf(addr, sizeof(addr), "0x%x", area_addr(d->board, area));
    snprintf(size, sizeof(size), "0x%x", d->board->areas[area].size);
    return demo_tool(d, d->lfimg, "sign", "-k", key, "-H", "0x200", "--pad-header", "-v", ver, "-s",
                     cnt, "-S", size, "--align", "4", "-F", addr, "--public-key-format", "full", in,
                     out, NULL);
}

static int pack_stage1(struct demo *d, const char *ver)
{
    char s0[DEMO_PATH], s1[DEMO_PATH], out[DEMO_PATH], name[96];
    snprintf(name, sizeof(name), "images/stage1-v%s-s0.signed.bin", ver);
    demo_path(s0, sizeof(s0), d, name);
    snprintf(name, sizeof(name), "images/stage1-v%s-s1.signed.bin", ver);
    demo_path(s1, sizeof(s1), d, name);
    snprintf(name, sizeof(name), "images/stage1-v%s.lfup", ver);
    demo_path(out, sizeof(out), d, name);
    return demo_tool(d, d->lfimg, "pack", "--board", d->board->name, "--s0", s0, "--s1", s1, "-o",
                     out, NULL);
}

static int sign_app(struct demo *d, const char *ver)
{
    char in[DEMO_PATH], out[DEMO_PATH], key[DEMO_PATH], size[16], name[96];
    demo_path(in, sizeof(in), d, "images/app.bin");
    demo_path(key, sizeof(key), d, "keys/app.pem");
    snprintf(name, sizeof(name), "images/app-v%s.signed.bin", ver);
    demo_path(out, sizeof(out), d, name);
    snprintf(size, sizeof(size), "0x%x", d->board->areas[LF_AREA_APP_PRIMARY].size);
    return demo_tool(d, d->lfimg, "sign", "-k", key, "-H", "0x200", "--pad-header", "-v", ver, "-S",
                     size, "--align", "4", in, out, NULL);
}

static int make_everything(struct demo *d)
{
    char p[DEMO_PATH], q[DEMO_PATH];
    demo_path(p, sizeof(p), d, "keys");
    mkdir(p, 0700);
    demo_path(p, sizeof(p), d, "images");
    mkdir(p, 0755);
    /* keys: a fresh demo makes fresh keys (keygen never overwrites) */
    demo_path(p, sizeof(p), d, "keys/root-0.pem");
    unlink(p);
    if (demo_tool(d, d->lfimg, "keygen", "-k", p, "-t", "ecdsa-p256", NULL)) {
        return -1;
    }
    demo_path(p, sizeof(p), d, "keys/app.pem");
    unlink(p);
    if (demo_tool(d, d->lfimg, "keygen", "-k", p, "-t", "ecdsa-p256", NULL)) {
        return -1;
    }
    demo_path(q, sizeof(q), d, "keys/app.pub.der");
    if (demo_tool(d, d->lfimg, "getpub", "-k", p, "-f", "raw", "-o", q, NULL)) {
        return -1;
    }
    /* stage 1 is linked with the application key (s1_keys.h): the command
     * users have for it */
    char s1[DEMO_PATH], size[16];
    demo_path(s1, sizeof(s1), d, "images/stage1.bin");
    snprintf(size, sizeof(size), "%u", STAGE1_SIZE);
    if (demo_tool(d, d->lfsim, "stage1-image", "--app-key", p, "--size", size, "-o", s1, NULL)) {
        return -1;
    }
    demo_path(p, sizeof(p), d, "images/app.bin");
    const uint8_t none = 0;
    if (make_payload(p, &none, 0, APP_SIZE, "Leapfrog demo application ")) {
        return -1;
    }
    if (sign_stage1(d, "1.0.0", "1", 0) || sign_stage1(d, "1.1.0", "1", 0) ||
        sign_stage1(d, "1.1.0", "1", 1) || pack_stage1(d, "1.1.0") ||
        sign_stage1(d, "1.2.0", "2", 0) || sign_stage1(d, "1.2.0", "2", 1) ||
        pack_stage1(d, "1.2.0") || sign_stage1(d, "1.3.0", "2", 1) || sign_app(d, "1.0.0") ||
        sign_app(d, "2.0.0")) {
        return -1;
    }
    /* the device, as a factory programs it */
    if (demo_tool(d, d->lfsim, "create", d->dir, "--board", d->board->name, "--force", NULL)) {
        return -1;
    }
    demo_path(p, sizeof(p), d, "keys/root-0.pem");
    demo_path(q, sizeof(q), d, "images/provision.bin");
    if (demo_tool(d, d->lfimg, "provision", "--board", d->board->name, "--key", p, "--counter", "1",
                  "-o", q, NULL) ||
        demo_tool(d, d->lfsim, "program", d->dir, "provision", q, NULL)) {
        return -1;
    }
    demo_path(p, sizeof(p), d, "images/stage1-v1.0.0-s0.signed.bin");
    demo_path(q, sizeof(q), d, "images/app-v1.0.0.signed.bin");
    if (demo_tool(d, d->lfsim, "program", d->dir, "s0", p, NULL) ||
        demo_tool(d, d->lfsim, "program", d->dir, "app-primary", q, NULL)) {
        return -1;
    }
    return 0;
}

/* ---- the device --------------------------------------------------------------- */

static int start_device(struct demo *d)
{
    char tty[DEMO_PATH];
    demo_path(tty, sizeof(tty), d, "tty");
    char *argv[] = {d->lfsim, "run", (char *)d->dir, "--udp",   "0",
                    "--pty",  tty,   "--baud",       DEMO_BAUD, NULL};
    int fd;
    fprintf(d->log, "$ %s run %s --udp 0 --pty %s --baud %s &\n", d->lfsim, d->dir, tty, DEMO_BAUD);
    if (lfsim_spawn(argv, &d->sim, &fd)) {
        return -1;
    }
    char line[512];
    unsigned port = 0;
    while (lfsim_read_line(fd, line, sizeof(line), 10000) == 0) {
        if (sscanf(line, "lfsim: serving SMP on udp 127.0.0.1:%u", &port) == 1) {
            break;
        }
    }
    close(fd);
    if (!port) {
        return -1;
    }
    snprintf(d->udp, sizeof(d->udp), "udp:127.0.0.1:%u", port);
    snprintf(d->serial, sizeof(d->serial), "serial:%s,baud=%s", tty, DEMO_BAUD);
    return 0;
}

static void stop_device(struct demo *d)
{
    if (d->sim > 0) {
        kill(d->sim, SIGTERM);
        waitpid(d->sim, NULL, 0);
        d->sim = 0;
    }
}

/* After a reset: wait until the application answers again. */
static int wait_up(struct demo *d)
{
    for (int i = 0; i < 50; i++) {
        if (demo_tool(d, d->lfmgr, "--conn", d->udp, "--timeout", "1", "--retries", "0", "echo",
                      "up", NULL) == 0) {
            return 0;
        }
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return -1;
}

/* Fill the row's state columns from the device. */
static int observe(struct demo *d, struct demo_row *r, struct lfsim_slot_state st[2][2])
{
    uint64_t active;
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "--json", "bootloader", "info", NULL) ||
        !lfsim_json_u64(d->out, "active_b0_slot", &active)) {
        snprintf(r->why, sizeof(r->why), "bootloader info failed");
        return -1;
    }
    r->active = (unsigned)active;
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "--json", "bootloader", "info", "--query",
                  "counter", NULL) ||
        !lfsim_json_u64(d->out, "used", &r->used) || !lfsim_json_u64(d->out, "left", &r->left)) {
        snprintf(r->why, sizeof(r->why), "bootloader info counter failed");
        return -1;
    }
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "--json", "image", "list", NULL)) {
        snprintf(r->why, sizeof(r->why), "image list failed");
        return -1;
    }
    lfsim_parse_image_list(d->out, st);
    snprintf(r->s1_ver, sizeof(r->s1_ver), "%s", st[1][r->active & 1u].version);
    snprintf(r->app_ver, sizeof(r->app_ver), "%s", st[0][0].version);
    return 0;
}

/* The row passes when the device runs what the step meant it to. */
static bool expect(struct demo_row *r, struct lfsim_slot_state st[2][2], unsigned slot,
                   const char *s1_ver, const char *app_ver, bool app_confirmed)
{
    const struct lfsim_slot_state *s1 = &st[1][slot];
    if (r->active != slot || strcmp(s1->version, s1_ver) != 0 || !s1->confirmed) {
        snprintf(r->why, sizeof(r->why), "expected stage 1 %s confirmed in S%u, found %s in S%u%s",
                 s1_ver, slot, s1->version, r->active, s1->confirmed ? "" : " (unconfirmed)");
        return false;
    }
    if (strcmp(st[0][0].version, app_ver) != 0 || st[0][0].confirmed != app_confirmed) {
        snprintf(r->why, sizeof(r->why), "expected application %s%s, found %s%s", app_ver,
                 app_confirmed ? " confirmed" : " on test", st[0][0].version,
                 st[0][0].confirmed ? " confirmed" : " unconfirmed");
        return false;
    }
    return true;
}

/* After a stage 1 confirmed itself: one more reset, at which stage 0 stores
 * its security counter (it advances only for a confirmed image), then the
 * state as the next boot sees it. */
static int settle(struct demo *d, struct demo_row *r, struct lfsim_slot_state st[2][2])
{
    if (observe(d, r, st)) {
        return -1;
    }
    if (!st[1][r->active & 1u].confirmed) {
        return 0; /* nothing to store: expect() reports it */
    }
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "reset", NULL) || wait_up(d)) {
        snprintf(r->why, sizeof(r->why), "reset after the confirm failed");
        return -1;
    }
    return observe(d, r, st);
}

/* Bytes sent, from lfmgr's JSON summary (the row's seconds are the whole
 * step's wall time). */
static void add_upload(struct demo *d, struct demo_row *r)
{
    uint64_t len = 0;
    if (lfsim_json_u64(d->out, "len", &len)) {
        r->bytes += len;
    }
}

/* `image upload` over conn, `image test` of its hash, reset, wait for the
 * application: what a user does by hand. 0, or -1 with r->why set. */
static int upload_test_reset(struct demo *d, struct demo_row *r, const char *conn, const char *img,
                             const char *what)
{
    char hash[65];
    if (demo_tool(d, d->lfmgr, "--conn", conn, "--json", "image", "upload", img, NULL) ||
        !lfsim_json_str(d->out, "hash", hash, sizeof(hash))) {
        snprintf(r->why, sizeof(r->why), "upload %s failed", what);
        return -1;
    }
    add_upload(d, r);
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "image", "test", hash, NULL) ||
        demo_tool(d, d->lfmgr, "--conn", d->udp, "reset", NULL) || wait_up(d)) {
        snprintf(r->why, sizeof(r->why), "test and reset failed");
        return -1;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the steps ------------------------------------------------------------------ */

static void step_factory(struct demo *d, struct demo_row *r)
{
    struct lfsim_slot_state st[2][2];
    r->ok = observe(d, r, st) == 0 && expect(r, st, 0, "1.0.0", "1.0.0", true);
}

static void step_app(struct demo *d, struct demo_row *r)
{
    char img[DEMO_PATH];
    struct lfsim_slot_state st[2][2];
    demo_path(img, sizeof(img), d, "images/app-v2.0.0.signed.bin");
    /* over the serial console framing, at an emulated UART */
    if (upload_test_reset(d, r, d->serial, img, "over the serial framing")) {
        return;
    }
    if (observe(d, r, st) || !expect(r, st, 0, "1.0.0", "2.0.0", false)) {
        return; /* the trial must run unconfirmed */
    }
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "image", "confirm", NULL)) {
        snprintf(r->why, sizeof(r->why), "confirm failed");
        return;
    }
    r->ok = observe(d, r, st) == 0 && expect(r, st, 0, "1.0.0", "2.0.0", true);
}

static void step_stage1_direct(struct demo *d, struct demo_row *r, const char *ver, unsigned to)
{
    char file[DEMO_PATH], name[64];
    struct lfsim_slot_state st[2][2];
    snprintf(name, sizeof(name), "images/stage1-v%s.lfup", ver);
    demo_path(file, sizeof(file), d, name);
    if (demo_tool(d, d->lfmgr, "--conn", d->udp, "--json", "bootloader", "update", file, "--board",
                  d->board->name, NULL)) {
        snprintf(r->why, sizeof(r->why), "bootloader update failed");
        return;
    }
    add_upload(d, r);
    if (wait_up(d)) {
        snprintf(r->why, sizeof(r->why), "device did not come back");
        return;
    }
    r->ok = settle(d, r, st) == 0 && expect(r, st, to, ver, "2.0.0", true);
}

static void step_stage1_sdk(struct demo *d, struct demo_row *r, const char *ver, unsigned to)
{
    char img[DEMO_PATH], name[64];
    struct lfsim_slot_state st[2][2];
    snprintf(name, sizeof(name), "images/stage1-v%s-s%u.signed.bin", ver, to);
    demo_path(img, sizeof(img), d, name);
    /* what an unmodified `mcumgr image upload` does: image 0, test, reset */
    if (upload_test_reset(d, r, d->udp, img, "to image 0")) {
        return;
    }
    r->ok = settle(d, r, st) == 0 && expect(r, st, to, ver, "2.0.0", true);
}

/* ---- command ---------------------------------------------------------------------- */

static void demo_help(FILE *f)
{
    fprintf(f,
            "usage: lfsim demo --dir DIR [--board B] [--verbose]\n"
            "\n"
            "The end-to-end update scenario on a virtual device (the README's main\n"
            "command). In DIR it makes keys (DIR/keys), signed images and update files\n"
            "(DIR/images) and a provisioned device (stage 1 v1.0.0 in S0, application\n"
            "v1.0.0), boots it with `lfsim run`, and over SMP with lfmgr:\n"
            "  1. application v1.0.0 -> v2.0.0 through its secondary slot, over the\n"
            "     serial framing at %s baud (test, reset, confirm);\n"
            "  2. stage 1 S0 -> S1 (v1.1.0) through image 1 (lfmgr bootloader update);\n"
            "  3. stage 1 S1 -> S0 (v1.2.0, security counter 1 -> 2);\n"
            "  4. stage 1 S0 -> S1 (v1.3.0) through the SDK-compatible path (image 0).\n"
            "Prints a table and exits 0 only if every step did what it should.\n"
            "A device already in DIR is replaced. Afterwards `lfsim run DIR` boots the\n"
            "device. Every command run is in DIR/demo.log, the device's decisions in\n"
            "DIR/device.log.\n"
            "\n"
            "  --board B    nrf52840dk or nrf52840dk-qspi (default nrf52840dk-qspi)\n"
            "  --verbose    print each command as it runs\n"
            "  --prepare-only  make the keys, images and factory device, then stop\n"
            "\n"
            "DIR is locked for the whole demo (DIR/lfsim.lock): a DIR in use by another\n"
            "lfsim (lfsim run) is refused with exit 6 and left untouched.\n"
            "\n%s",
            DEMO_BAUD, LF_EXIT_HELP);
}

int lfsim_cmd_demo(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        demo_help(stdout);
        return LF_EXIT_OK;
    }
    static struct demo d;
    int rc;
    const char *board = "nrf52840dk-qspi";
    bool prepare_only = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            d.dir = argv[++i];
        } else if (strcmp(argv[i], "--board") == 0 && i + 1 < argc) {
            board = argv[++i];
        } else if (strcmp(argv[i], "--verbose") == 0) {
            d.verbose = true;
        } else if (strcmp(argv[i], "--prepare-only") == 0) {
            prepare_only = true;
        } else {
            fprintf(stderr, "lfsim demo: unexpected '%s' (see --help)\n", argv[i]);
            return LF_EXIT_USAGE;
        }
    }
    if (!d.dir) {
        fprintf(stderr, "lfsim demo: need --dir DIR (see --help)\n");
        return LF_EXIT_USAGE;
    }
    d.board = lf_board_find(board);
    if (!d.board || !d.board->areas[LF_AREA_S1].size) {
        fprintf(stderr, "lfsim demo: unknown board '%s'\n", board);
        return LF_EXIT_USAGE;
    }
    if (lfsim_tool_path("lfimg", d.lfimg, sizeof(d.lfimg)) ||
        lfsim_tool_path("lfmgr", d.lfmgr, sizeof(d.lfmgr)) ||
        lfsim_tool_path("lfsim", d.lfsim, sizeof(d.lfsim)) || access(d.lfimg, X_OK) ||
        access(d.lfmgr, X_OK)) {
        fprintf(stderr, "lfsim demo: lfimg and lfmgr must sit next to lfsim\n");
        return LF_EXIT_INTERNAL;
    }
    if (mkdir(d.dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "lfsim demo: %s: %s\n", d.dir, strerror(errno));
        return LF_EXIT_FILE;
    }
    /* the directory is ours until the demo ends; the lfsim commands it runs
     * (create, program, run) share the lock */
    int lock = lfsim_lock(d.dir, "lfsim demo", &rc);
    if (lock < 0) {
        return rc;
    }
    lfsim_lock_share(lock);
    char logp[DEMO_PATH];
    demo_path(logp, sizeof(logp), &d, "demo.log");
    d.log = fopen(logp, "w");
    if (!d.log) {
        fprintf(stderr, "lfsim demo: %s: %s\n", logp, strerror(errno));
        return LF_EXIT_INTERNAL;
    }
    demo_path(logp, sizeof(logp), &d, "device.log");
    unlink(logp);
    printf("lfsim demo: board %s, device in %s\n", d.board->name, d.dir);
    printf("making keys, images and the device...\n");
    fflush(stdout);
    if (make_everything(&d)) {
        fprintf(stderr, "lfsim demo: making keys, images or the device failed (see %s/demo.log)\n",
                d.dir);
        fclose(d.log);
        return LF_EXIT_INTERNAL;
    }
    if (prepare_only) {
        printf("prepared: keys in %s/keys, images in %s/images, factory device in %s\n", d.dir,
               d.dir, d.dir);
        fclose(d.log);
        return LF_EXIT_OK;
    }
    if (start_device(&d)) {
        fprintf(stderr, "lfsim demo: the device did not start (see %s/demo.log)\n", d.dir);
        stop_device(&d);
        fclose(d.log);
        return LF_EXIT_INTERNAL;
    }
    static struct demo_row rows[5];
    rows[0].step = "factory: boot";
    rows[1].step = "app 1.0.0 -> 2.0.0 (serial)";
    rows[2].step = "stage 1 S0 -> S1 (image 1)";
    rows[3].step = "stage 1 S1 -> S0 (image 1)";
    rows[4].step = "stage 1 S0 -> S1 (SDK path)";
    bool all = true;
    for (unsigned i = 0; i < 5 && all; i++) {
        printf("step %u: %s...\n", i, rows[i].step);
        fflush(stdout);
        double t0 = now_s();
        switch (i) {
        case 0:
            step_factory(&d, &rows[i]);
            break;
        case 1:
            step_app(&d, &rows[i]);
            break;
        case 2:
            step_stage1_direct(&d, &rows[i], "1.1.0", 1);
            break;
        case 3:
            step_stage1_direct(&d, &rows[i], "1.2.0", 0);
            break;
        default:
            step_stage1_sdk(&d, &rows[i], "1.3.0", 1);
            break;
        }
        rows[i].seconds = now_s() - t0;
        all = rows[i].ok;
    }
    stop_device(&d);
    printf("\n| %-29s | %-6s | %-7s | %-7s | %-16s | %-10s | %-7s | %s\n", "step", "active",
           "stage 1", "app", "counter slots", "bytes sent", "seconds", "result");
    printf("|-------------------------------|--------|---------|---------|------------------|----"
           "--------|---------|-------\n");
    for (unsigned i = 0; i < 5; i++) {
        const struct demo_row *r = &rows[i];
        if (!r->ok && !r->why[0]) {
            printf("| %-29s | %-6s | %-7s | %-7s | %-16s | %-10s | %-7s | %s\n", r->step, "", "",
                   "", "", "", "", "not run");
            continue;
        }
        char cnt[32];
        snprintf(cnt, sizeof(cnt), "%llu used, %llu left", (unsigned long long)r->used,
                 (unsigned long long)r->left);
        printf("| %-29s | S%-5u | %-7s | %-7s | %-16s | %10llu | %7.2f | %s\n", r->step, r->active,
               r->s1_ver, r->app_ver, cnt, (unsigned long long)r->bytes, r->seconds,
               r->ok ? "ok" : r->why);
    }
    printf("\n%s. Keys in %s/keys, images in %s/images; `%s run %s` boots the device.\n",
           all ? "every step did what it should" : "FAILED", d.dir, d.dir, d.lfsim, d.dir);
    fclose(d.log);
    return all ? LF_EXIT_OK : LF_EXIT_DEVICE;
}
