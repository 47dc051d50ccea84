/* Tool runner and the few JSON reads the demo needs (proc.h). */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int lfsim_tool_path(const char *name, char *out, size_t cap)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        return -1;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (!slash) {
        return -1;
    }
    *slash = '\0';
    int w = snprintf(out, cap, "%s/%s", self, name);
    return w > 0 && (size_t)w < cap ? 0 : -1;
}

/* Fork argv with stdout to a pipe and stderr to err_fd (-1: inherited). */
static int proc_start(char *const argv[], int err_fd, pid_t *pid, int *out_fd)
{
    int fds[2];
    if (pipe(fds) != 0) {
        return -1;
    }
    fflush(NULL);
    pid_t p = fork();
    if (p < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (p == 0) {
        dup2(fds[1], STDOUT_FILENO);
        if (err_fd >= 0) {
            dup2(err_fd, STDERR_FILENO);
        }
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    *pid = p;
    *out_fd = fds[0];
    return 0;
}

int lfsim_spawn(char *const argv[], pid_t *pid, int *out_fd)
{
    return proc_start(argv, -1, pid, out_fd);
}

int lfsim_run_tool(char *const argv[], char *out, size_t cap, FILE *err)
{
    pid_t p;
    int fd;
    if (proc_start(argv, err ? fileno(err) : -1, &p, &fd) != 0) {
        return -1;
    }
    size_t len = 0;
    char sink[512];
    for (;;) {
        char *dst = out && len + 1 < cap ? out + len : sink;
        size_t room = out && len + 1 < cap ? cap - 1 - len : sizeof(sink);
        ssize_t r = read(fd, dst, room);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        if (dst != sink) {
            len += (size_t)r;
        }
    }
    close(fd);
    if (out && cap) {
        out[len] = '\0';
    }
    int status;
    while (waitpid(p, &status, 0) < 0) {
        if (errno != EINTR) {
            return -1;
        }
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int lfsim_read_line(int fd, char *line, size_t cap, int timeout_ms)
{
    size_t n = 0;
    while (n + 1 < cap) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, timeout_ms) <= 0) {
            return -1;
        }
        char ch;
        ssize_t r = read(fd, &ch, 1);
        if (r <= 0) {
            return -1;
        }
        if (ch == '\n') {
            break;
        }
        line[n++] = ch;
    }
    line[n] = '\0';
    return 0;
}

/* Position just after `"key":` and blanks, or NULL. */
static const char *json_value(const char *p, const char *key)
{
    char pat[64];
    int w = snprintf(pat, sizeof(pat), "\"%s\":", key);
    if (w <= 0 || (size_t)w >= sizeof(pat) || !p) {
        return NULL;
    }
    const char *at = strstr(p, pat);
    if (!at) {
        return NULL;
    }
    at += w;
    while (*at == ' ') {
        at++;
    }
    return at;
}

bool lfsim_json_u64(const char *p, const char *key, uint64_t *v)
{
    const char *at = json_value(p, key);
    if (!at || *at < '0' || *at > '9') {
        return false;
    }
    *v = strtoull(at, NULL, 10);
    return true;
}

bool lfsim_json_str(const char *p, const char *key, char *out, size_t cap)
{
    const char *at = json_value(p, key);
    if (!at || *at != '"' || cap == 0) {
        return false;
    }
    at++;
    size_t n = 0;
    while (*at && *at != '"' && n + 1 < cap) {
        out[n++] = *at++;
    }
    out[n] = '\0';
    return true;
}

bool lfsim_json_bool(const char *p, const char *key, bool *v)
{
    const char *at = json_value(p, key);
    if (!at) {
        return false;
    }
    if (strncmp(at, "true", 4) == 0) {
        *v = true;
        return true;
    }
    if (strncmp(at, "false", 5) == 0) {
        *v = false;
        return true;
    }
    return false;
}

void lfsim_parse_image_list(const char *json, struct lfsim_slot_state st[2][2])
{
    memset(st, 0, 4 * sizeof(st[0][0]));
    const char *p = json;
    while (p && (p = strstr(p, "{\"image\":")) != NULL) {
        const char *next = strstr(p + 1, "{\"image\":");
        size_t len = next ? (size_t)(next - p) : strlen(p);
        char entry[512];
        if (len >= sizeof(entry)) {
            len = sizeof(entry) - 1;
        }
        memcpy(entry, p, len);
        entry[len] = '\0';
        uint64_t image, slot;
        if (lfsim_json_u64(entry, "image", &image) && lfsim_json_u64(entry, "slot", &slot) &&
            image < 2 && slot < 2) {
            struct lfsim_slot_state *s = &st[image][slot];
            s->present = true;
            lfsim_json_str(entry, "version", s->version, sizeof(s->version));
            lfsim_json_str(entry, "hash", s->hash, sizeof(s->hash));
            lfsim_json_bool(entry, "pending", &s->pending);
            lfsim_json_bool(entry, "confirmed", &s->confirmed);
            lfsim_json_bool(entry, "active", &s->active);
        }
        p = next;
    }
}
