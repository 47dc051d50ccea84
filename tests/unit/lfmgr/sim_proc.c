/* The virtual device and helper processes for lfmgr's end-to-end tests. */
#include "sim_proc.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lf/err.h"
#include "lf/provision.h"
#include "test_util.h"

extern char **environ;

pid_t spawn_bg(const char *const *argv, const char *out, const char *err)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, out ? out : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&fa, 2, err ? err : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0) {
        pid = -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

void stop_proc(pid_t pid)
{
    int i;
    int st;
    if (pid <= 0) {
        return;
    }
    kill(pid, SIGTERM);
    for (i = 0; i < 300; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            return;
        }
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

static int run_wait(const char *const *argv)
{
    int st = 0;
    pid_t pid = spawn_bg(argv, NULL, NULL);
    if (pid < 0 || waitpid(pid, &st, 0) != pid) {
        return -1;
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int sim_create(struct sim *s, const char *name)
{
    char exe[512];
    char prov_path[600];
    char s0_path[600];
    static uint8_t prov[4096];
    static uint8_t s0[8192];
    static const uint8_t key_hash[1][32] = {{0x11, 0x22, 0x33}};
    struct lf_provision_settings ps;
    size_t n;
    memset(s, 0, sizeof(*s));
    tmp_path(s->dir, sizeof(s->dir), name);
    snprintf(s->log, sizeof(s->log), "%s.log", s->dir);
    snprintf(s->out, sizeof(s->out), "%s.out", s->dir);
    snprintf(s->pty, sizeof(s->pty), "%s.pty", s->dir);
    snprintf(s->ble, sizeof(s->ble), "/tmp/lfmgr-e2e-%d-%s.ble", (int)getpid(), name);
    snprintf(exe, sizeof(exe), "%s/bin/lfsim", LF_BINARY_DIR);
    {
        char cmd[1200];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
        if (system(cmd) != 0) {
            return -1;
        }
    }
    {
        const char *a[] = {exe, "create", s->dir, "--board", "nrf52840dk", NULL};
        if (run_wait(a) != 0) {
            return -1;
        }
    }
    memset(&ps, 0, sizeof(ps));
    ps.key_count = 1;
    ps.key_type[0] = 1;
    ps.key_hash = key_hash;
    ps.counter_slots = 32;
    ps.initial_counter = 0;
    if (lf_provision_layout(&ps, prov, sizeof(prov)) != LF_OK) {
        return -1;
    }
    snprintf(prov_path, sizeof(prov_path), "%s.prov", s->dir);
    snprintf(s0_path, sizeof(s0_path), "%s.s0", s->dir);
    n = make_image(s0, 0x4000, true, 4000, 9, NULL);
    s0[20] = 1; /* version 1.0.0 */
    s0[21] = 0;
    s0[22] = 0;
    s0[23] = 0;
    memset(s0 + 24, 0, 4); /* build 0 */
    if (write_file(prov_path, prov, sizeof(prov)) != 0 || write_file(s0_path, s0, n) != 0) {
        return -1;
    }
    {
        const char *a[] = {exe, "program", s->dir, "provision", prov_path, NULL};
        const char *b[] = {exe, "program", s->dir, "s0", s0_path, NULL};
        if (run_wait(a) != 0 || run_wait(b) != 0) {
            return -1;
        }
    }
    unlink(prov_path);
    unlink(s0_path);
    return 0;
}

static bool read_port(const char *path, uint16_t *port)
{
    char buf[4096];
    FILE *f = fopen(path, "r");
    size_t n;
    const char *p;
    if (f == NULL) {
        return false;
    }
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strstr(buf, "udp 127.0.0.1:");
    if (p == NULL || strchr(p, '\n') == NULL) {
        return false;
    }
    *port = (uint16_t)atoi(p + strlen("udp 127.0.0.1:"));
    return *port != 0;
}

int sim_start(struct sim *s, unsigned baud)
{
    char exe[512];
    char baud_s[16];
    char mtu_s[16];
    int i;
    s->baud = baud;
    snprintf(exe, sizeof(exe), "%s/bin/lfsim", LF_BINARY_DIR);
    snprintf(baud_s, sizeof(baud_s), "%u", baud);
    snprintf(mtu_s, sizeof(mtu_s), "%u", SIM_BLE_MTU);
    {
        /* --no-boot: the first-form boot step (tools/lfsim/boot_none.c), so
         * that the tests' unsigned images are served as they are. */
        const char *a[] = {exe,         "run",    s->dir,  "--no-boot", "--udp", "0",
                           "--pty",     s->pty,   "--ble", s->ble,      "--mtu", mtu_s,
                           "--verbose", "--baud", baud_s,  NULL};
        if (baud == 0) {
            a[13] = NULL; /* unthrottled */
        }
        s->pid = spawn_bg(a, s->out, s->log);
    }
    if (s->pid < 0) {
        return -1;
    }
    for (i = 0; i < 500 && !read_port(s->out, &s->port); i++) {
        usleep(10000);
    }
    if (s->port == 0) {
        return -1;
    }
    snprintf(s->udp_spec, sizeof(s->udp_spec), "udp:127.0.0.1:%u", s->port);
    snprintf(s->pty_spec, sizeof(s->pty_spec), "serial:%s,baud=%u", s->pty, baud ? baud : 115200u);
    snprintf(s->ble_spec, sizeof(s->ble_spec), "ble-sim:%s", s->ble);
    snprintf(s->ble23_spec, sizeof(s->ble23_spec), "ble-sim:%s,mtu=23", s->ble);
    for (i = 0; i < 100; i++) {
        struct run_result *r = malloc(sizeof(*r));
        const char *a[] = {"--conn", s->udp_spec, "-t", "0.2", "-r", "0", "echo", "up", NULL};
        const char *b[] = {"--conn", s->ble_spec, "-t", "0.2", "-r", "0", "echo", "up", NULL};
        int rc = run_lfmgr(a, 10, r);
        if (rc == 0) {
            rc = run_lfmgr(b, 10, r);
        }
        free(r);
        if (rc == 0) {
            return 0;
        }
        usleep(20000);
    }
    return -1;
}

void sim_stop(struct sim *s)
{
    stop_proc(s->pid);
    s->pid = 0;
}

int sim_log_count(const struct sim *s, const char *needle)
{
    char line[1024];
    int n = 0;
    FILE *f = fopen(s->log, "r");
    if (f == NULL) {
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        if (strstr(line, needle) != NULL) {
            n++;
        }
    }
    fclose(f);
    return n;
}

int sim_flash_read(const struct sim *s, uint32_t off, uint8_t *buf, size_t len)
{
    char path[700];
    FILE *f;
    snprintf(path, sizeof(path), "%s/flash-internal.bin", s->dir);
    f = fopen(path, "rb");
    if (f == NULL || fseek(f, (long)off, SEEK_SET) != 0 || fread(buf, 1, len, f) != len) {
        if (f) {
            fclose(f);
        }
        return -1;
    }
    fclose(f);
    return 0;
}

void sim_remove(struct sim *s)
{
    char cmd[2400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s' '%s'", s->dir, s->log, s->out, s->pty);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot remove %s\n", s->dir);
    }
    unlink(s->ble); /* lfsim removes it when it stops; not when killed */
}
