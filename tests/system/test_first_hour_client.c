/*
 * Issue 12, lfmgr's part ("a new user's first hour"), on the virtual device
 * run by `lfsim run`: each test reproduces a trap and checks what lfmgr does
 * now (exit code, message, and the device left untouched where it must be).
 *   - a missing device fails fast (UDP: exit 2 within 3 s; serial, BLE);
 *   - files the device would refuse are refused before a byte is sent:
 *     corrupt, wrong key, downgrade, a stage-1 image of the wrong variant
 *     through image 0, an update file whose chosen or other variant is
 *     corrupt, a --board other than the device's (the update slots' flash
 *     bytes compared before and after);
 *   - a stage-1 update on a device without a valid application is refused
 *     (the new stage 1 could not confirm itself); `image confirm` without a
 *     hash confirms what is on trial or says why not;
 *   - after a reset lfmgr asked for, it reports trial / confirmed / reverted;
 *   - Ctrl-C during an upload says how far it got; the rerun resumes and
 *     counts only its own bytes; the unfinished slot is not listed;
 *   - every command with --json prints exactly one JSON object, failures
 *     included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "boards.h"
#include "sys_dev.h"

#define BOARD "nrf52840dk" /* every slot on the internal flash: one file to compare */

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void expect(const struct sys_dev *d, int want, const char *word)
{
    if (d->rc != want || (word && !strstr(d->err, word) && !strstr(d->out, word))) {
        fail_msg("expected exit %d and \"%s\"; got exit %d\nstdout: %s\nstderr: %s", want,
                 word ? word : "", d->rc, d->out, d->err);
    }
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static void write_file(const char *path, const uint8_t *buf, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, n, f), n);
    fclose(f);
}

static unsigned long file_size(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (unsigned long)st.st_size;
}

static void path_in(const struct sys_dev *d, const char *rel, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", d->dir, rel);
}

/* ---- the update slots' bytes, straight from the flash file ------------------------ */

#define SNAP_MAX (0x73000u + 0x8000u)

struct snap {
    uint8_t b[SNAP_MAX];
    size_t n;
};

/* APP_SECONDARY followed by S1 (nrf52840dk: both on the internal flash). */
static void snapshot(const struct sys_dev *d, struct snap *s)
{
    const struct lf_board *b = lf_board_find(BOARD);
    const enum lf_area_id ids[2] = {LF_AREA_APP_SECONDARY, LF_AREA_S1};
    char path[700];
    path_in(d, "flash-internal.bin", path, sizeof(path));
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    s->n = 0;
    for (int i = 0; i < 2; i++) {
        const struct lf_board_area *a = &b->areas[ids[i]];
        assert_int_equal(a->dev, LF_DEV_INTERNAL);
        assert_true(s->n + a->size <= SNAP_MAX);
        assert_int_equal(fseek(f, (long)a->off, SEEK_SET), 0);
        assert_int_equal(fread(s->b + s->n, 1, a->size, f), a->size);
        s->n += a->size;
    }
    fclose(f);
}

static void expect_untouched(const struct sys_dev *d, const struct snap *before, const char *what)
{
    static struct snap now;
    snapshot(d, &now);
    assert_int_equal(now.n, before->n);
    if (memcmp(now.b, before->b, now.n) != 0) {
        fail_msg("%s: the device's update slots changed although nothing was to be sent", what);
    }
}

/* ---- files -------------------------------------------------------------------- */

/* A copy of images/<name> with one byte flipped at `at` (from the start of the
 * file, or of the update file's entry for slot `entry_slot` when >= 0). */
static void corrupt_copy(const struct sys_dev *d, const char *name, int entry_slot, size_t at,
                         char *out, size_t cap)
{
    static uint8_t buf[1 << 20];
    char in[700];
    snprintf(in, sizeof(in), "%s/images/%s", d->dir, name);
    size_t n = read_file(in, buf, sizeof(buf));
    size_t base = 0;
    if (entry_slot >= 0) {
        for (unsigned i = 0; i < buf[5]; i++) {
            const uint8_t *e = buf + 16 + 16 * i;
            if (e[0] == entry_slot) {
                base = (size_t)e[8] | (size_t)e[9] << 8 | (size_t)e[10] << 16 | (size_t)e[11] << 24;
            }
        }
        assert_true(base != 0);
    }
    assert_true(base + at < n);
    buf[base + at] ^= 0x5A;
    snprintf(out, cap, "%s/images/t-corrupt-%d-%s", d->dir, entry_slot, name);
    write_file(out, buf, n);
}

static void sign_app(struct sys_dev *d, const char *key, const char *ver, char *out, size_t cap)
{
    char in[700], k[700];
    path_in(d, "images/app.bin", in, sizeof(in));
    snprintf(k, sizeof(k), "%s/keys/%s.pem", d->dir, key);
    snprintf(out, cap, "%s/images/t-app-%s-%s.bin", d->dir, ver, key);
    if (sys_tool(d, "lfimg", "sign", "-k", k, "-H", "0x200", "--pad-header", "-v", ver, "-S",
                 "0x73000", "--align", "4", in, out, (char *)NULL) != 0) {
        fail_msg("lfimg sign: %s", d->err);
    }
}

/* The SHA256 TLV of an image file, as image list shows it. */
static void image_hash(struct sys_dev *d, const char *file, char hash[65])
{
    assert_int_equal(sys_tool(d, "lfimg", "dump", "--json", file, (char *)NULL), 0);
    const char *sha = strstr(d->out, "\"SHA256\"");
    assert_non_null(sha);
    assert_true(lfsim_json_str(sha, "data", hash, 65));
}

/* ---- 1. a missing device ----------------------------------------------------------- */

static unsigned free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd); /* nothing listens there any more */
    return ntohs(a.sin_port);
}

static void test_missing_device(void **state)
{
    (void)state;
    static struct sys_dev d;
    char spec[64], where[64], app[700], spec2[800];
    sys_prepare(&d, "missing", BOARD);
    path_in(&d, "images/app-v2.0.0.signed.bin", app, sizeof(app));
    unsigned port = free_udp_port();
    snprintf(spec, sizeof(spec), "udp:127.0.0.1:%u", port);
    snprintf(where, sizeof(where), "127.0.0.1:%u", port);

    /* the upload used to fail after 163 s, echo after 12 s */
    double t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec, "image", "upload", app, (char *)NULL);
    double dt = now_s() - t0;
    expect(&d, 2, where);
    expect(&d, 2, "nothing answers there");
    if (dt > 3.0) {
        fail_msg("image upload to a missing device took %.2f s (at most 3 s)", dt);
    }
    t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec, "echo", "hi", (char *)NULL);
    dt = now_s() - t0;
    expect(&d, 2, "nothing answers there");
    assert_true(dt <= 3.0);
    t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec, "bootloader", "update", app, (char *)NULL);
    assert_true(now_s() - t0 <= 3.0);
    assert_int_equal(d.rc, 2);

    /* serial and BLE: the OS says at once that nothing is there */
    snprintf(spec2, sizeof(spec2), "serial:%s/no-such-tty", d.dir);
    t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec2, "echo", "hi", (char *)NULL);
    expect(&d, 2, "no-such-tty");
    assert_true(now_s() - t0 <= 3.0);
    snprintf(spec2, sizeof(spec2), "ble-sim:%s/no-such-socket", d.dir);
    t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec2, "echo", "hi", (char *)NULL);
    expect(&d, 2, "no-such-socket");
    assert_true(now_s() - t0 <= 3.0);
}

/* ---- 2. files refused before sending ------------------------------------------------ */

static void test_refused_files(void **state)
{
    (void)state;
    static struct sys_dev d;
    static struct snap before;
    char f[760];
    sys_track(&d);
    sys_prepare(&d, "refuse", BOARD);
    sys_start(&d);
    snapshot(&d, &before);

    /* corrupt: one byte of the body changed after signing */
    corrupt_copy(&d, "app-v2.0.0.signed.bin", -1, 0x200 + 1000, f, sizeof(f));
    sys_mgr(&d, "image", "upload", f, (char *)NULL);
    expect(&d, 4, "corrupt");
    expect(&d, 4, "nothing was sent");
    expect_untouched(&d, &before, "corrupt image");

    /* wrong key: the application signed with the root key (the README trap) */
    sign_app(&d, "root-0", "2.0.0", f, sizeof(f));
    sys_mgr(&d, "image", "upload", f, (char *)NULL);
    expect(&d, 4, "key the device does not trust");
    expect_untouched(&d, &before, "wrong key");

    /* a downgrade: refused; --force sends it (the device stores it, unbooted) */
    sign_app(&d, "app", "0.9.0", f, sizeof(f));
    sys_mgr(&d, "image", "upload", f, (char *)NULL);
    expect(&d, 4, "older than the running 1.0.0");
    expect_untouched(&d, &before, "downgrade");
    sys_mgr(&d, "image", "upload", f, "--force", (char *)NULL);
    expect(&d, 0, "uploaded");
    sys_mgr(&d, "--json", "image", "list", (char *)NULL);
    {
        struct lfsim_slot_state sl[2][2];
        lfsim_parse_image_list(d.out, sl);
        assert_true(sl[0][1].present);
        assert_string_equal(sl[0][1].version, "0.9.0");
    }
    sys_mgr(&d, "image", "erase", (char *)NULL);
    expect(&d, 0, NULL);
    snapshot(&d, &before);

    /* a stage-1 image of the running slot's variant through image 0 (the SDK
     * path): it used to be uploaded and tested (exit 0), then dropped at boot */
    path_in(&d, "images/stage1-v1.1.0-s0.signed.bin", f, sizeof(f));
    sys_mgr(&d, "image", "upload", f, (char *)NULL);
    expect(&d, 4, "needs the S1 variant");
    expect_untouched(&d, &before, "wrong variant through image 0");

    /* an update file whose chosen (S1) variant is corrupt: S1 is not erased */
    corrupt_copy(&d, "stage1-v1.1.0.lfup", 1, 0x200 + 64, f, sizeof(f));
    sys_mgr(&d, "bootloader", "update", f, (char *)NULL);
    expect(&d, 4, "corrupt");
    expect_untouched(&d, &before, "update file, corrupt chosen variant");
    /* ... whose other (S0) variant is corrupt: refused too, named */
    corrupt_copy(&d, "stage1-v1.1.0.lfup", 0, 0x200 + 64, f, sizeof(f));
    sys_mgr(&d, "bootloader", "update", f, (char *)NULL);
    expect(&d, 4, "S0 variant");
    expect(&d, 4, "corrupt");
    expect_untouched(&d, &before, "update file, corrupt other variant");

    /* --board defaults to the device's board; another one is refused */
    path_in(&d, "images/stage1-v1.1.0.lfup", f, sizeof(f));
    sys_mgr(&d, "bootloader", "update", f, "--board", "nrf52840dk-qspi", (char *)NULL);
    expect(&d, 4, "reports that it is a nrf52840dk");
    expect_untouched(&d, &before, "board mismatch");

    /* the sound file goes through, without --board */
    sys_mgr(&d, "bootloader", "update", f, (char *)NULL);
    expect(&d, 0, "after the reset: confirmed");
    sys_stop(&d);
}

/* ---- 3. a stage-1 update without a valid application ----------------------------------- */

static void test_no_app_stage1_update(void **state)
{
    (void)state;
    static struct sys_dev d;
    static struct snap before;
    static uint8_t ff[4096];
    char f[700], blank[700];
    sys_track(&d);
    sys_prepare(&d, "noapp", BOARD);
    memset(ff, 0xFF, sizeof(ff));
    path_in(&d, "images/t-blank.bin", blank, sizeof(blank));
    write_file(blank, ff, sizeof(ff));
    assert_int_equal(sys_tool(&d, "lfsim", "program", d.dir, "app-primary", blank, (char *)NULL),
                     0);
    sys_start(&d);
    snapshot(&d, &before);
    path_in(&d, "images/stage1-v1.1.0.lfup", f, sizeof(f));

    /* it used to say "marked for test" and then silently revert */
    sys_mgr(&d, "bootloader", "update", f, (char *)NULL);
    expect(&d, 3, "no valid application");
    expect(&d, 3, "could not confirm itself");
    expect_untouched(&d, &before, "no-application stage-1 update");
    /* image confirm without a hash used to exit 0 and confirm nothing */
    sys_mgr(&d, "image", "confirm", (char *)NULL);
    expect(&d, 3, "nothing to confirm");

    /* --force: the new stage 1 runs on trial; a reset without a confirm goes back */
    sys_mgr(&d, "--json", "bootloader", "update", f, "--force", (char *)NULL);
    expect(&d, 0, "\"result\": \"trial\"");
    assert_non_null(strstr(d.out, "\"stage1_slot\": 1"));
    assert_non_null(strstr(d.out, "\"recovery\": true"));
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 3, "went back to S0");
    expect(&d, 3, "reverted");
    /* again, and this time `image confirm` confirms the stage 1 on trial */
    sys_mgr(&d, "bootloader", "update", f, "--force", (char *)NULL);
    expect(&d, 0, "after the reset: trial");
    sys_mgr(&d, "image", "confirm", (char *)NULL);
    expect(&d, 0, "confirmed stage 1 1.1.0 in S1");
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 0, "stage 1 S1 1.1.0, confirmed");
    sys_stop(&d);
}

/* ---- 4. the report after a reset ------------------------------------------------------ */

static void test_after_reset_report(void **state)
{
    (void)state;
    static struct sys_dev d;
    char app[700], hash[65], f[700];
    sys_track(&d);
    sys_prepare(&d, "report", BOARD);
    sys_start(&d);
    path_in(&d, "images/app-v2.0.0.signed.bin", app, sizeof(app));
    image_hash(&d, app, hash);
    sys_mgr(&d, "image", "upload", app, (char *)NULL);
    expect(&d, 0, NULL);
    sys_mgr(&d, "image", "test", hash, (char *)NULL);
    expect(&d, 0, NULL);
    /* new image on trial */
    sys_mgr(&d, "--json", "reset", (char *)NULL);
    expect(&d, 0, "\"result\": \"trial\"");
    assert_non_null(strstr(d.out, "\"app\": \"2.0.0\", \"app_confirmed\": false"));
    /* not confirmed: the next reset reverts, exit 3, with the boot record */
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 3, "reverted to application 1.0.0");
    expect(&d, 3, "boot record: revert");
    /* again, confirmed this time: the reset keeps it (test named by the
     * image file instead of its hash) */
    sys_mgr(&d, "image", "test", app, (char *)NULL);
    expect(&d, 0, NULL);
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 0, "after the reset: trial");
    sys_mgr(&d, "image", "confirm", (char *)NULL);
    expect(&d, 0, "confirmed the application 2.0.0");
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 0, "application 2.0.0, confirmed");
    /* the SDK path: the S1 variant through image 0, test, reset: stage 1
     * installs it, it confirms itself */
    path_in(&d, "images/stage1-v1.1.0-s1.signed.bin", f, sizeof(f));
    image_hash(&d, f, hash);
    sys_mgr(&d, "image", "upload", f, (char *)NULL);
    expect(&d, 0, NULL);
    sys_mgr(&d, "image", "test", hash, (char *)NULL);
    expect(&d, 0, NULL);
    sys_mgr(&d, "reset", (char *)NULL);
    expect(&d, 0, "after the reset: confirmed");
    expect(&d, 0, "stage 1 S1 1.1.0, confirmed");
    /* a stage-1 update: confirmed by itself after the reset */
    path_in(&d, "images/stage1-v1.2.0.lfup", f, sizeof(f));
    sys_mgr(&d, "bootloader", "update", f, (char *)NULL);
    expect(&d, 0, "after the reset: confirmed");
    expect(&d, 0, "stage 1 S0 1.2.0, confirmed");
    sys_stop(&d);
}

/* ---- 5. Ctrl-C during an upload ------------------------------------------------------- */

static void test_interrupted_upload(void **state)
{
    (void)state;
    static struct sys_dev d;
    char app[700], tty[700], spec[800], hash[65], errpath[760], exe[600];
    static char errbuf[8192];
    sys_track(&d);
    sys_prepare(&d, "intr", BOARD);
    path_in(&d, "tty", tty, sizeof(tty));
    const char *const serial[] = {"--pty", tty, "--baud", "115200", NULL};
    sys_start_with(&d, serial);
    path_in(&d, "images/app-v2.0.0.signed.bin", app, sizeof(app));
    image_hash(&d, app, hash);
    /* the update slot holds an earlier upload of the same application binary
     * (1.5.0): its TLVs sit where the new image's will */
    char prev[760];
    sign_app(&d, "app", "1.5.0", prev, sizeof(prev));
    sys_mgr(&d, "image", "upload", prev, (char *)NULL);
    expect(&d, 0, NULL);

    /* about 50 KB at 115200 baud take about 6 s: Ctrl-C after 2 s */
    snprintf(spec, sizeof(spec), "serial:%s,baud=115200", tty);
    snprintf(exe, sizeof(exe), "%s/bin/lfmgr", LF_BINARY_DIR);
    snprintf(errpath, sizeof(errpath), "%s/intr.err", d.dir);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(exe, exe, "--conn", spec, "image", "upload", app, (char *)NULL);
        _exit(127);
    }
    struct timespec two = {2, 0};
    nanosleep(&two, NULL);
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    errbuf[read_file(errpath, (uint8_t *)errbuf, sizeof(errbuf) - 1)] = '\0';
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 130);
    if (!strstr(errbuf, "upload interrupted") ||
        !strstr(errbuf, "run the same command again to resume")) {
        fail_msg("no interruption message: %s", errbuf);
    }

    /* meanwhile the slot is not an image: not listed (it used to show the new
     * version 2.0.0 with 1.5.0's hash, bootable), and testing it says why */
    sys_mgr(&d, "--json", "image", "list", (char *)NULL);
    expect(&d, 0, NULL);
    {
        struct lfsim_slot_state sl[2][2];
        lfsim_parse_image_list(d.out, sl);
        assert_false(sl[0][1].present);
        assert_null(strstr(d.out, "2.0.0"));
    }
    sys_mgr(&d, "image", "test", hash, (char *)NULL);
    expect(&d, 3, "upload not finished");

    /* the rerun resumes and counts only what it sends */
    sys_mgr(&d, "image", "upload", app, (char *)NULL);
    expect(&d, 0, "already on the device)");
    unsigned long sent = 0, had = 0;
    const char *u = strstr(d.out, "uploaded ");
    assert_non_null(u);
    assert_int_equal(sscanf(u, "uploaded %lu bytes (%lu already on the device)", &sent, &had), 2);
    assert_true(had > 0);
    assert_int_equal(sent + had, file_size(app));
    sys_mgr(&d, "image", "list", (char *)NULL);
    expect(&d, 0, hash);
    sys_stop(&d);
    /* the device stopped: its serial line fails at once, named */
    double t0 = now_s();
    sys_tool(&d, "lfmgr", "--conn", spec, "echo", "hi", (char *)NULL);
    expect(&d, 2, "/tty");
    assert_true(now_s() - t0 <= 3.0);
}

/* ---- 6. --json: exactly one object, always ------------------------------------------- */

/* A strict little JSON reader: true if s is exactly one object (and
 * whitespace). */
static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
        p++;
    }
    return p;
}

static const char *js_value(const char *p, int depth);

static const char *js_string(const char *p)
{
    if (*p != '"') {
        return NULL;
    }
    for (p++; *p && *p != '"'; p++) {
        if ((unsigned char)*p < 0x20) {
            return NULL;
        }
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++) {
                    if (!strchr("0123456789abcdefABCDEF", p[i]) || !p[i]) {
                        return NULL;
                    }
                }
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *js_number(const char *p)
{
    const char *s = p;
    if (*p == '-') {
        p++;
    }
    if (*p < '0' || *p > '9') {
        return NULL;
    }
    while ((*p >= '0' && *p <= '9') || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
           *p == '-') {
        p++;
    }
    return p > s ? p : NULL;
}

static const char *js_container(const char *p, int depth, char open, char close)
{
    if (*p != open || depth > 32) {
        return NULL;
    }
    p = js_ws(p + 1);
    if (*p == close) {
        return p + 1;
    }
    for (;;) {
        if (open == '{') {
            p = js_string(p);
            if (!p) {
                return NULL;
            }
            p = js_ws(p);
            if (*p != ':') {
                return NULL;
            }
            p = js_ws(p + 1);
        }
        p = js_value(p, depth + 1);
        if (!p) {
            return NULL;
        }
        p = js_ws(p);
        if (*p == close) {
            return p + 1;
        }
        if (*p != ',') {
            return NULL;
        }
        p = js_ws(p + 1);
    }
}

static const char *js_value(const char *p, int depth)
{
    p = js_ws(p);
    switch (*p) {
    case '{':
        return js_container(p, depth, '{', '}');
    case '[':
        return js_container(p, depth, '[', ']');
    case '"':
        return js_string(p);
    case 't':
        return strncmp(p, "true", 4) ? NULL : p + 4;
    case 'f':
        return strncmp(p, "false", 5) ? NULL : p + 5;
    case 'n':
        return strncmp(p, "null", 4) ? NULL : p + 4;
    default:
        return js_number(p);
    }
}

static bool one_json_object(const char *s)
{
    const char *p = js_ws(s);
    if (*p != '{') {
        return false;
    }
    p = js_value(p, 0);
    return p && *js_ws(p) == '\0';
}

/* Ran with --json: exit `want`, stdout exactly one object with "ok" and,
 * on failure, "exit" equal to the status. */
static void expect_json(const struct sys_dev *d, int want, const char *what)
{
    if (d->rc != want) {
        fail_msg("%s: expected exit %d, got %d: %s", what, want, d->rc, d->err);
    }
    if (!one_json_object(d->out)) {
        fail_msg("%s: stdout is not exactly one JSON object: [%s]", what, d->out);
    }
    if (want == 0) {
        assert_true(strncmp(d->out, "{\"ok\": true", 11) == 0);
    } else {
        char head[64];
        snprintf(head, sizeof(head), "{\"ok\": false, \"exit\": %d, \"error\": \"", want);
        if (strncmp(d->out, head, strlen(head)) != 0) {
            fail_msg("%s: failure object does not start with %s: %s", what, head, d->out);
        }
    }
}

static void test_json_everything(void **state)
{
    (void)state;
    static struct sys_dev d;
    char app[700], old[700], upd[700], hash[65], missing[64];
    sys_track(&d);
    assert_true(one_json_object("{\"a\": [1, -2.5e3, true, null, {\"b\": \"\\u00e9\"}]}"));
    assert_false(one_json_object("{\"a\": 1}{\"b\": 2}"));
    assert_false(one_json_object(""));
    assert_false(one_json_object("{\"a\": 1,}"));
    sys_prepare(&d, "json", BOARD);
    sys_start(&d);
    path_in(&d, "images/app-v2.0.0.signed.bin", app, sizeof(app));
    path_in(&d, "images/stage1-v1.1.0.lfup", upd, sizeof(upd));
    image_hash(&d, app, hash);
    sign_app(&d, "app", "0.9.0", old, sizeof(old));
    snprintf(missing, sizeof(missing), "udp:127.0.0.1:%u", free_udp_port());

#define J(want, ...)                                      \
    do {                                                  \
        sys_mgr(&d, "--json", __VA_ARGS__, (char *)NULL); \
        expect_json(&d, want, #__VA_ARGS__);              \
    } while (0)
    J(0, "echo", "hello \"json\"");
    J(0, "params");
    J(0, "info", "a");
    J(3, "info", "Q"); /* unknown format letter */
    J(0, "image", "list");
    J(0, "bootloader", "info");
    J(0, "bootloader", "info", "--query", "counter");
    J(0, "bootloader", "info", "--query", "keys");
    J(3, "bootloader", "info", "--query", "nonsense");
    J(4, "image", "upload", old);
    J(4, "image", "upload", "/nonexistent/file.bin");
    J(0, "image", "upload", app);
    {
        char want[64];
        snprintf(want, sizeof(want), "\"uploaded\": %lu", file_size(app));
        assert_non_null(strstr(d.out, want));
    }
    J(1, "image", "test", "1234");
    J(4, "image", "test", "/dev/null"); /* a file, but not a signed image */
    J(3, "image", "test", "00000000000000000000000000000000000000000000000000000000000000ff");
    J(0, "image", "test", hash);
    J(0, "reset");
    assert_non_null(strstr(d.out, "\"after_reset\": {\"result\": \"trial\""));
    J(0, "image", "confirm");
    J(0, "image", "confirm"); /* nothing left to confirm: still one object */
    J(0, "image", "erase");   /* the previous application, no longer needed */
    J(4, "bootloader", "update", "/nonexistent/stage1.lfup");
    J(0, "bootloader", "update", upd);
    assert_non_null(strstr(d.out, "\"result\": \"confirmed\""));
    J(4, "bootloader", "update", upd); /* not newer any more */
    J(1, "reset", "--nonsense");
    J(1, "image", "lst");
    J(1, "frobnicate");
    J(1, "echo"); /* missing argument */
    J(0, "reset", "--no-wait");
    sys_wait_up(&d);
#undef J
    /* the same commands for people: consistent text */
    sys_mgr(&d, "image", "lst", (char *)NULL);
    expect(&d, 1, "unknown image subcommand 'lst' (did you mean 'list'?)");
    sys_mgr(&d, "image", "--help", (char *)NULL);
    expect(&d, 0, "image upload FILE");
    assert_non_null(strstr(d.out, "image confirm [HASH|FILE]"));
    assert_null(strstr(d.out, "bootloader update")); /* the group's help, not the global one */
    sys_mgr(&d, "--help", (char *)NULL);
    expect(&d, 0, "Exit codes (the same for lfimg, lfmgr and lfsim)");
    sys_mgr(&d, "bootloader", "info", "--query", "counter", (char *)NULL);
    expect(&d, 0, "counter: 1\n");
    assert_null(strchr(d.out, '{'));
    sys_mgr(&d, "--json", "bootloader", "info", "--query", "counter", (char *)NULL);
    expect_json(&d, 0, "query counter");
    assert_non_null(strstr(d.out, "\"counter\": 1"));
    sys_mgr(&d, "bootloader", "info", (char *)NULL);
    expect(&d, 0, "mode: 3 = swap using move (test and revert); downgrade prevention: on");
    sys_mgr(&d, "--json", (char *)NULL); /* no command at all */
    expect_json(&d, 1, "no command");
    sys_tool(&d, "lfmgr", "--conn", missing, "--json", "echo", "x", (char *)NULL);
    expect_json(&d, 2, "missing device");
    assert_non_null(strstr(d.out, "nothing answers there"));
    sys_stop(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_device),
        cmocka_unit_test_teardown(test_refused_files, sys_teardown),
        cmocka_unit_test_teardown(test_no_app_stage1_update, sys_teardown),
        cmocka_unit_test_teardown(test_after_reset_report, sys_teardown),
        cmocka_unit_test_teardown(test_interrupted_upload, sys_teardown),
        cmocka_unit_test_teardown(test_json_everything, sys_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
