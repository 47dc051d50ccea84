/* Helpers shared by lfmgr's tests. */
#include "test_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lf/sha256.h"

extern char **environ;

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

void tmp_path(char *out, size_t cap, const char *name)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/tests/lfmgr-tmp", LF_BINARY_DIR);
    mkdir(dir, 0755);
    snprintf(out, cap, "%s/%d-%s", dir, (int)getpid(), name);
}

void tmp_cleanup(void)
{
    char cmd[700];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s/tests/lfmgr-tmp/%d-'*", LF_BINARY_DIR, (int)getpid());
    if (system(cmd) != 0) {
        fprintf(stderr, "tmp_cleanup failed\n");
    }
}

int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return -1;
    }
    if (fwrite(p, 1, n, f) != n) {
        fclose(f);
        return -1;
    }
    return fclose(f) == 0 ? 0 : -1;
}

static void slurp(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    buf[0] = '\0';
    if (f == NULL) {
        return;
    }
    n = fread(buf, 1, cap - 1, f);
    buf[n] = '\0';
    fclose(f);
}

int run_lfmgr(const char *const *args, int limit_s, struct run_result *r)
{
    char exe[512];
    char outp[600];
    char errp[600];
    const char *argv[64];
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = 0;
    int n = 0;
    int waited = 0;
    snprintf(exe, sizeof(exe), "%s/bin/lfmgr", LF_BINARY_DIR);
    tmp_path(outp, sizeof(outp), "stdout");
    tmp_path(errp, sizeof(errp), "stderr");
    argv[n++] = exe;
    while (args[n - 1] != NULL && n < 63) {
        argv[n] = args[n - 1];
        n++;
    }
    argv[n] = NULL;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid, exe, &fa, NULL, (char *const *)argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        return -1;
    }
    posix_spawn_file_actions_destroy(&fa);
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            break;
        }
        if (waited > limit_s * 100) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        usleep(10000);
        waited++;
    }
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    slurp(outp, r->out, sizeof(r->out));
    slurp(errp, r->err, sizeof(r->err));
    unlink(outp);
    unlink(errp);
    return r->code;
}

size_t make_image(uint8_t *out, uint32_t load_addr, bool rom_fixed, uint32_t body_len, uint8_t seed,
                  uint8_t hash[32])
{
    uint8_t h[32];
    uint32_t i;
    size_t at;
    memset(out, 0, 32);
    put32(out, 0x96f3b83du);
    put32(out + 4, rom_fixed ? load_addr : 0u);
    put16(out + 8, 32); /* hdr_size */
    put16(out + 10, 0); /* protect_tlv_size */
    put32(out + 12, body_len);
    put32(out + 16, rom_fixed ? 0x100u : 0u);
    out[20] = 1; /* version 1.2.3+4 */
    out[21] = 2;
    put16(out + 22, 3);
    put32(out + 24, 4);
    for (i = 0; i < body_len; i++) {
        out[32 + i] = (uint8_t)(seed + i * 13 + (i >> 7));
    }
    lf_sha256(out, 32 + body_len, h);
    at = 32 + body_len;
    put16(out + at, 0x6907);
    put16(out + at + 2, 4 + 4 + 32);
    put16(out + at + 4, 0x10);
    put16(out + at + 6, 32);
    memcpy(out + at + 8, h, 32);
    if (hash != NULL) {
        memcpy(hash, h, 32);
    }
    return at + 40;
}

size_t make_update_file(uint8_t *out, unsigned n, const uint8_t *const *imgs, const size_t *lens,
                        const uint8_t *slots)
{
    size_t at = 16 + 16 * n;
    unsigned i;
    memset(out, 0, at);
    memcpy(out, "LFUP", 4);
    out[4] = 1;
    out[5] = (uint8_t)n;
    put16(out + 6, 16);
    put32(out + 12, 0);
    for (i = 0; i < n; i++) {
        uint8_t *e = out + 16 + 16 * i;
        size_t aligned = (at + 15u) & ~(size_t)15u;
        memset(out + at, 0, aligned - at); /* the gap before the 16-byte aligned image */
        at = aligned;
        e[0] = slots[i];
        e[1] = 1;
        put16(e + 2, 0);
        memcpy(e + 4, imgs[i] + 4, 4); /* load address from the header */
        put32(e + 8, (uint32_t)at);
        put32(e + 12, (uint32_t)lens[i]);
        memcpy(out + at, imgs[i], lens[i]);
        at += lens[i];
    }
    put32(out + 8, (uint32_t)at);
    return at;
}
