/* The system tests' virtual device (sys_dev.h). */
#include "sys_dev.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "boards.h"
#include "pc_dev.h"

#define SYS_ARGS 32

static void sys_bin(const char *tool, char *out, size_t cap)
{
    snprintf(out, cap, "%s/bin/%s", LF_BINARY_DIR, tool);
}

static int sys_exec(struct sys_dev *d, char **argv)
{
    FILE *err = tmpfile();
    assert_non_null(err);
    d->rc = lfsim_run_tool(argv, d->out, sizeof(d->out), err);
    rewind(err);
    size_t n = fread(d->err, 1, sizeof(d->err) - 1, err);
    d->err[n] = '\0';
    fclose(err);
    return d->rc;
}

static int sys_vtool(struct sys_dev *d, const char *tool, bool conn, va_list ap)
{
    char exe[600];
    sys_bin(tool, exe, sizeof(exe));
    char *argv[SYS_ARGS];
    int n = 0;
    argv[n++] = exe;
    if (conn) {
        argv[n++] = "--conn";
        argv[n++] = d->udp;
    }
    const char *a;
    while ((a = va_arg(ap, const char *)) != NULL && n < SYS_ARGS - 1) {
        argv[n++] = (char *)a;
    }
    argv[n] = NULL;
    return sys_exec(d, argv);
}

int sys_tool(struct sys_dev *d, const char *tool, ...)
{
    va_list ap;
    va_start(ap, tool);
    int rc = sys_vtool(d, tool, false, ap);
    va_end(ap);
    return rc;
}

int sys_mgr(struct sys_dev *d, ...)
{
    va_list ap;
    va_start(ap, d);
    int rc = sys_vtool(d, "lfmgr", true, ap);
    va_end(ap);
    return rc;
}

void sys_prepare(struct sys_dev *d, const char *name, const char *board)
{
    memset(d, 0, sizeof(*d));
    snprintf(d->dir, sizeof(d->dir), "%s/tests/system-tmp/%d-%s", LF_BINARY_DIR, (int)getpid(),
             name);
    d->board = board;
    assert_int_equal(pc_dev_prepare(d->dir, board), 0);
}

void sys_wait_up(struct sys_dev *d)
{
    for (int i = 0; i < 100; i++) {
        if (sys_mgr(d, "-t", "0.5", "-r", "0", "echo", "up", (char *)NULL) == 0) {
            return;
        }
        struct timespec nap = {0, 50 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    fail_msg("the device does not answer on %s", d->udp);
}

void sys_start(struct sys_dev *d)
{
    static const char *const none[] = {NULL};
    sys_start_with(d, none);
}

int sys_log_count(const struct sys_dev *d, const char *needle)
{
    char path[700], line[512];
    snprintf(path, sizeof(path), "%s/device.log", d->dir);
    FILE *f = fopen(path, "r");
    int n = 0;
    while (f && fgets(line, sizeof(line), f)) {
        n += strstr(line, needle) != NULL;
    }
    if (f) {
        fclose(f);
    }
    return n;
}

void sys_start_with(struct sys_dev *d, const char *const *extra)
{
    char exe[600];
    sys_bin("lfsim", exe, sizeof(exe));
    char *argv[SYS_ARGS] = {exe, "run", d->dir, "--udp", "0"};
    int n = 5;
    while (*extra && n < SYS_ARGS - 1) {
        argv[n++] = (char *)*extra++;
    }
    argv[n] = NULL;
    int fd;
    assert_int_equal(lfsim_spawn(argv, &d->pid, &fd), 0);
    char line[512];
    unsigned port = 0;
    while (!port && lfsim_read_line(fd, line, sizeof(line), 10000) == 0) {
        sscanf(line, "lfsim: serving SMP on udp 127.0.0.1:%u", &port);
    }
    close(fd);
    assert_true(port != 0);
    snprintf(d->udp, sizeof(d->udp), "udp:127.0.0.1:%u", port);
    sys_wait_up(d);
}

void sys_stop(struct sys_dev *d)
{
    if (d->pid > 0) {
        kill(d->pid, SIGTERM);
        waitpid(d->pid, NULL, 0);
        d->pid = 0;
    }
}

/* The device the current test runs (sys_track), for sys_teardown. */
static struct sys_dev *sys_running;

void sys_track(struct sys_dev *d)
{
    sys_running = d;
}

int sys_teardown(void **state)
{
    (void)state;
    if (sys_running) {
        sys_stop(sys_running);
        sys_running = NULL;
    }
    return 0;
}

static uint32_t sys_area_addr(const char *board, unsigned slot)
{
    const struct lf_board *b = lf_board_find(board);
    assert_non_null(b);
    const struct lf_board_area *a = &b->areas[slot ? LF_AREA_S1 : LF_AREA_S0];
    return b->dev_map_addr[a->dev] + a->off;
}

void sys_sign_stage1(struct sys_dev *d, const char *key, const char *ver, unsigned cnt,
                     unsigned slot, char *out, size_t cap)
{
    char in[600], k[600], addr[16], c[16];
    snprintf(in, sizeof(in), "%s/images/stage1.bin", d->dir);
    snprintf(k, sizeof(k), "%s/keys/%s.pem", d->dir, key);
    snprintf(out, cap, "%s/images/t-stage1-v%s-c%u-%s-s%u.bin", d->dir, ver, cnt, key, slot);
    snprintf(addr, sizeof(addr), "0x%x", sys_area_addr(d->board, slot));
    snprintf(c, sizeof(c), "%u", cnt);
    if (sys_tool(d, "lfimg", "sign", "-k", k, "-H", "0x200", "--pad-header", "-v", ver, "-s", c,
                 "-S", "0x8000", "--align", "4", "-F", addr, "--public-key-format", "full", in, out,
                 (char *)NULL) != 0) {
        fail_msg("lfimg sign: %s", d->err);
    }
}

void sys_pack_stage1(struct sys_dev *d, const char *ver, unsigned cnt, char *out, size_t cap)
{
    char s0[700], s1[700];
    sys_sign_stage1(d, "root-0", ver, cnt, 0, s0, sizeof(s0));
    sys_sign_stage1(d, "root-0", ver, cnt, 1, s1, sizeof(s1));
    snprintf(out, cap, "%s/images/t-stage1-v%s-c%u.lfup", d->dir, ver, cnt);
    if (sys_tool(d, "lfimg", "pack", "--board", d->board, "--s0", s0, "--s1", s1, "-o", out,
                 (char *)NULL) != 0) {
        fail_msg("lfimg pack: %s", d->err);
    }
}

void sys_state(struct sys_dev *d, struct sys_state *st)
{
    memset(st, 0, sizeof(*st));
    uint64_t v;
    assert_int_equal(sys_mgr(d, "--json", "bootloader", "info", (char *)NULL), 0);
    assert_true(lfsim_json_u64(d->out, "active_b0_slot", &v));
    st->active = (unsigned)v;
    assert_int_equal(sys_mgr(d, "--json", "bootloader", "info", "--query", "counter", (char *)NULL),
                     0);
    assert_true(lfsim_json_u64(d->out, "counter", &st->counter));
    assert_true(lfsim_json_u64(d->out, "used", &st->used));
    assert_true(lfsim_json_u64(d->out, "left", &st->left));
    assert_int_equal(sys_mgr(d, "--json", "image", "list", (char *)NULL), 0);
    lfsim_parse_image_list(d->out, st->s);
}
