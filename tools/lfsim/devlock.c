/* Device directory locks and device opening with precise messages (devlock.h). */
#include "devlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "lf/err.h"
#include "lf_exit.h"

/* The descriptor named by LFSIM_LOCK_FD, if it is an open description of
 * `path` that already holds the lock (handed down by our parent). */
static int lock_inherited(const char *path)
{
    const char *env = getenv(LFSIM_LOCK_ENV);
    if (!env || !*env) {
        return -1;
    }
    char *end;
    long fd = strtol(env, &end, 10);
    struct stat a, b;
    if (*end || fd < 0 || fd > 65535 || fstat((int)fd, &a) != 0 || stat(path, &b) != 0 ||
        a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
        return -1;
    }
    /* the same open file description already holds it: this succeeds at once;
     * another description of the file would fail */
    if (flock((int)fd, LOCK_EX | LOCK_NB) != 0) {
        return -1;
    }
    fcntl((int)fd, F_SETFD, FD_CLOEXEC);
    return (int)fd;
}

/* "<pid> <command>" of the holder, read from the lock file. */
static void lock_holder(int fd, char *out, size_t cap)
{
    out[0] = '\0';
    /* the holder writes its line just after taking the lock: give it a moment */
    for (int tries = 0; tries < 20 && !out[0]; tries++) {
        ssize_t n = pread(fd, out, cap - 1, 0);
        if (n > 0) {
            out[n] = '\0';
            out[strcspn(out, "\r\n")] = '\0';
        } else {
            out[0] = '\0';
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
    }
}

int lfsim_lock(const char *dir, const char *cmd, int *exit_code)
{
    char path[LF_SIM_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%s", dir, LFSIM_LOCK_FILE);
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "%s: no device directory %s: %s\n", cmd, dir, strerror(errno));
        *exit_code = LF_EXIT_FILE;
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s is not a directory\n", cmd, dir);
        *exit_code = LF_EXIT_FILE;
        return -1;
    }
    int fd = lock_inherited(path);
    if (fd >= 0) {
        return fd;
    }
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open the lock file %s: %s\n", cmd, path, strerror(errno));
        *exit_code = LF_EXIT_FILE;
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK) {
            char holder[128];
            lock_holder(fd, holder, sizeof(holder));
            char *sp = strchr(holder, ' ');
            if (sp) {
                *sp++ = '\0';
            }
            bool run = sp && strcmp(sp, "lfsim run") == 0;
            fprintf(stderr,
                    "%s: device directory %s is in use by process %s%s%s%s; stop it first%s%s%s "
                    "(lock: %s)\n",
                    cmd, dir, holder[0] ? holder : "(unknown)", sp ? " (" : "", sp ? sp : "",
                    sp ? ")" : "", run ? " (`lfsim stop " : "", run ? dir : "", run ? "`)" : "",
                    path);
            *exit_code = LF_EXIT_BUSY;
        } else {
            fprintf(stderr, "%s: cannot lock %s: %s\n", cmd, path, strerror(e));
            *exit_code = LF_EXIT_FILE;
        }
        close(fd);
        return -1;
    }
    char line[128];
    int n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), cmd);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        /* the lock holds regardless; only the holder's name is missing */
        fprintf(stderr, "%s: warning: cannot write %s: %s\n", cmd, path, strerror(errno));
    }
    return fd;
}

void lfsim_lock_rename(int fd, const char *cmd)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), cmd);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        fprintf(stderr, "%s: warning: cannot name this process in the lock file\n", cmd);
    }
}

int lfsim_lock_holder(const char *dir, long *pid, char *cmd, size_t cap)
{
    char path[LF_SIM_PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/%s", dir, LFSIM_LOCK_FILE);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -1;
    }
    if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
        close(fd);
        return 1;
    }
    char holder[128];
    lock_holder(fd, holder, sizeof(holder));
    close(fd);
    char *end;
    *pid = strtol(holder, &end, 10);
    snprintf(cmd, cap, "%s", *end == ' ' ? end + 1 : "");
    return 0;
}

void lfsim_lock_share(int fd)
{
    char v[16];
    snprintf(v, sizeof(v), "%d", fd);
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) {
        fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
    }
    setenv(LFSIM_LOCK_ENV, v, 1);
}

bool lfsim_device_exists(const char *dir)
{
    char path[LF_SIM_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/board", dir);
    return access(path, F_OK) == 0;
}

static const char *const part_names[LF_DEV_COUNT] = {"internal flash", "external NOR", "OTP"};

/* After lf_sim_device_open failed: say which file is wrong. */
static void device_diagnose(const char *dir, const char *cmd, int err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        fprintf(stderr, "%s: no device in %s: %s (make one with `lfsim create %s --board B`)\n",
                cmd, dir, strerror(errno), dir);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "%s: %s is not a directory\n", cmd, dir);
        return;
    }
    char path[LF_SIM_PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/board", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr,
                "%s: %s is not a device: %s: %s (make one with `lfsim create %s --board B`)\n", cmd,
                dir, path, strerror(errno), dir);
        return;
    }
    char name[64] = {0};
    bool got = fgets(name, sizeof(name), f) != NULL;
    fclose(f);
    name[strcspn(name, "\r\n")] = '\0';
    const struct lf_board *b = got ? lf_board_find(name) : NULL;
    if (!b) {
        fprintf(stderr, "%s: %s names %s board '%s'\n", cmd, path, got ? "an unknown" : "no", name);
        return;
    }
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        const struct lf_flash_geometry *geo = b->dev_geo[i];
        if (!geo || lf_sim_device_part_path(dir, i, path, sizeof(path)) != LF_OK) {
            continue;
        }
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s: %s (board %s): %s\n", cmd, path, b->name, strerror(errno));
            return;
        }
        if ((uint64_t)st.st_size != geo->size) {
            fprintf(stderr, "%s: %s is %lld bytes; board %s needs %u (damaged device)\n", cmd, path,
                    (long long)st.st_size, b->name, geo->size);
            return;
        }
        static struct lf_sim_flash part;
        int perr = lf_sim_flash_open(&part, path, geo, false);
        if (perr == LF_OK) {
            lf_sim_flash_close(&part);
            continue;
        }
        size_t n = strlen(path);
        snprintf(path + n, sizeof(path) - n, ".meta");
        if (stat(path, &st) != 0) {
            fprintf(stderr, "%s: %s: %s (damaged device)\n", cmd, path, strerror(errno));
        } else {
            fprintf(stderr, "%s: %s does not match board %s's %s part: %s (damaged device)\n", cmd,
                    path, b->name, part_names[i], lf_err_str(perr));
        }
        return;
    }
    fprintf(stderr, "%s: %s: %s\n", cmd, dir, lf_err_str(err));
}

int lfsim_device_open(struct lf_sim_device *dev, const char *dir, const char *cmd)
{
    int err = lf_sim_device_open(dev, dir);
    if (err) {
        device_diagnose(dir, cmd, err);
    }
    return err;
}
