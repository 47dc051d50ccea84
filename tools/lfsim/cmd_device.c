/* lfsim create / program: make a device, write raw bytes into its areas. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "boards.h"
#include "devlock.h"
#include "lf/err.h"
#include "lf_exit.h"
#include "lfsim.h"

static void create_help(FILE *f)
{
    fprintf(f, "usage: lfsim create DIR --board BOARD [--force]\n"
               "\n"
               "Make DIR (and its parents) holding an erased device laid out for BOARD.\n"
               "A directory that already holds a device is refused (exit 1) unless --force\n"
               "is given: then its flash files are erased again. A directory in use by\n"
               "another lfsim (lfsim run, demo, ...) is refused (exit 6) in any case.\n"
               "\n"
               "  --board B   the board (below)\n"
               "  --force     erase the device already in DIR\n"
               "\n"
               "boards:\n");
    for (unsigned i = 0; lf_board_at(i); i++) {
        fprintf(f, "  %s\n", lf_board_at(i)->name);
    }
    fprintf(f, "\n%s", LF_EXIT_HELP);
}

/* mkdir -p */
static int mkdirs(const char *dir)
{
    char tmp[LF_SIM_PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return -1;
            }
            *p = '/';
        }
    }
    return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

int lfsim_cmd_create(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        create_help(stdout);
        return 0;
    }
    const char *dir = NULL, *board = NULL;
    bool force = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--board") == 0 && i + 1 < argc) {
            board = argv[++i];
        } else if (strcmp(argv[i], "--force") == 0) {
            force = true;
        } else if (argv[i][0] != '-' && !dir) {
            dir = argv[i];
        } else {
            fprintf(stderr, "lfsim create: unexpected '%s' (see --help)\n", argv[i]);
            return LF_EXIT_USAGE;
        }
    }
    if (!dir || !board) {
        fprintf(stderr, "lfsim create: need DIR and --board B (see --help)\n");
        return LF_EXIT_USAGE;
    }
    const struct lf_board *b = lf_board_find(board);
    if (!b) {
        fprintf(stderr, "lfsim create: unknown board '%s' (known:", board);
        for (unsigned i = 0; lf_board_at(i); i++) {
            fprintf(stderr, " %s", lf_board_at(i)->name);
        }
        fprintf(stderr, ")\n");
        return LF_EXIT_USAGE;
    }
    if (mkdirs(dir) != 0) {
        fprintf(stderr, "lfsim create: cannot make %s: %s\n", dir, strerror(errno));
        return LF_EXIT_FILE;
    }
    int rc;
    int lock = lfsim_lock(dir, "lfsim create", &rc);
    if (lock < 0) {
        return rc;
    }
    if (lfsim_device_exists(dir) && !force) {
        fprintf(stderr,
                "lfsim create: %s already holds a device; --force erases it and makes a new "
                "one\n",
                dir);
        close(lock);
        return LF_EXIT_USAGE;
    }
    static struct lf_sim_device dev;
    int err = lf_sim_device_create(&dev, dir, b);
    if (err) {
        fprintf(stderr, "lfsim create: %s: %s\n", dir, lf_err_str(err));
        close(lock);
        return LF_EXIT_FILE;
    }
    printf("created %s (board %s)\n", dir, b->name);
    for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
        const struct lf_flash_area *fa = lf_sim_device_area(&dev, id);
        if (fa) {
            static const char *const devs[LF_DEV_COUNT] = {"internal", "external", "otp"};
            unsigned d = 0;
            while (d + 1u < LF_DEV_COUNT && dev.devs[d] != fa->dev) {
                d++;
            }
            printf("  %-14s %-8s off 0x%06x size 0x%06x\n", lf_area_name(id), devs[d], fa->off,
                   fa->size);
        }
    }
    lf_sim_device_close(&dev);
    close(lock);
    return LF_EXIT_OK;
}

static void program_help(FILE *f)
{
    fprintf(f, "usage: lfsim program DIR AREA FILE [--offset N]\n"
               "\n"
               "Write FILE into AREA of the device in DIR, raw, as a factory programmer\n"
               "does: no flash rules, nothing counted. N (default 0) is an offset inside\n"
               "the area. Areas:");
    for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
        fprintf(f, " %s", lf_area_name(id));
    }
    fprintf(f,
            "\n\n"
            "A factory device: `provision` (lfimg provision's output), `s0` (stage 1\n"
            "signed for S0 with a root key), `app-primary` (the application signed with\n"
            "an application key). A directory in use by another lfsim is refused (exit 6).\n"
            "\n%s",
            LF_EXIT_HELP);
}

int lfsim_cmd_program(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        program_help(stdout);
        return 0;
    }
    const char *pos[3] = {NULL, NULL, NULL};
    int npos = 0;
    uint32_t offset = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc) {
            if (!lfsim_parse_u32(argv[++i], UINT32_MAX, &offset)) {
                fprintf(stderr, "lfsim program: bad offset '%s'\n", argv[i]);
                return LF_EXIT_USAGE;
            }
        } else if (npos < 3 && (argv[i][0] != '-' || argv[i][1] == '\0')) {
            pos[npos++] = argv[i];
        } else {
            fprintf(stderr, "lfsim program: unexpected '%s' (see --help)\n", argv[i]);
            return LF_EXIT_USAGE;
        }
    }
    if (npos != 3) {
        fprintf(stderr, "lfsim program: need DIR AREA FILE (see --help)\n");
        return LF_EXIT_USAGE;
    }
    int id = -1;
    for (uint8_t a = 0; a < LF_AREA_COUNT; a++) {
        if (strcmp(pos[1], lf_area_name(a)) == 0) {
            id = a;
        }
    }
    if (id < 0) {
        fprintf(stderr, "lfsim program: unknown area '%s' (see --help)\n", pos[1]);
        return LF_EXIT_USAGE;
    }
    FILE *fp = fopen(pos[2], "rb");
    if (!fp) {
        fprintf(stderr, "lfsim program: %s: %s\n", pos[2], strerror(errno));
        return LF_EXIT_FILE;
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *data = malloc(n > 0 ? (size_t)n : 1u);
    if (!data || n < 0 || fread(data, 1, (size_t)n, fp) != (size_t)n) {
        fprintf(stderr, "lfsim program: cannot read %s\n", pos[2]);
        fclose(fp);
        free(data);
        return LF_EXIT_FILE;
    }
    fclose(fp);
    int rc;
    int lock = lfsim_lock(pos[0], "lfsim program", &rc);
    if (lock < 0) {
        free(data);
        return rc;
    }
    static struct lf_sim_device dev;
    int err = lfsim_device_open(&dev, pos[0], "lfsim program");
    if (err) {
        free(data);
        close(lock);
        return LF_EXIT_FILE;
    }
    const struct lf_flash_area *fa = lf_sim_device_area(&dev, (uint8_t)id);
    rc = LF_EXIT_OK;
    if (!fa) {
        fprintf(stderr, "lfsim program: board %s has no area %s\n", dev.board->name, pos[1]);
        rc = LF_EXIT_USAGE;
    } else if (offset > fa->size || (uint64_t)n > fa->size - offset) {
        fprintf(stderr, "lfsim program: %ld bytes at 0x%x do not fit %s (0x%x bytes)\n", n, offset,
                pos[1], fa->size);
        rc = LF_EXIT_FILE;
    } else {
        err = lf_sim_flash_load(lf_sim_device_flash_of(&dev, fa), fa->off + offset, data,
                                (uint32_t)n);
        if (err) {
            fprintf(stderr, "lfsim program: %s\n", lf_err_str(err));
            rc = LF_EXIT_INTERNAL;
        } else {
            printf("programmed %ld bytes into %s at 0x%x\n", n, pos[1], offset);
        }
    }
    lf_sim_device_close(&dev);
    close(lock);
    free(data);
    return rc;
}

static void stop_help(FILE *f)
{
    fprintf(f,
            "usage: lfsim stop DIR\n"
            "\n"
            "Stop the `lfsim run` that serves the device in DIR (started with --background,\n"
            "or in another terminal): SIGTERM to the process named in DIR/lfsim.lock, then\n"
            "wait until it has let go of DIR (10 s, then SIGKILL). Nothing running on DIR:\n"
            "says so, exit 0. DIR used by another command (lfsim demo, ...): exit 6.\n"
            "\n%s",
            LF_EXIT_HELP);
}

int lfsim_cmd_stop(int argc, char **argv)
{
    if (lfsim_wants_help(argc, argv)) {
        stop_help(stdout);
        return LF_EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "lfsim stop: need DIR, the device directory (see --help)\n");
        return LF_EXIT_USAGE;
    }
    const char *dir = argv[1];
    long pid = 0;
    char cmd[96];
    int h = lfsim_lock_holder(dir, &pid, cmd, sizeof(cmd));
    if (h != 0) {
        if (h < 0 && !lfsim_device_exists(dir)) {
            fprintf(stderr, "lfsim stop: no device in %s\n", dir);
            return LF_EXIT_FILE;
        }
        printf("lfsim stop: nothing runs %s\n", dir);
        return LF_EXIT_OK;
    }
    if (strcmp(cmd, "lfsim run") != 0 || pid <= 1) {
        fprintf(stderr, "lfsim stop: %s is in use by process %ld (%s), not by lfsim run\n", dir,
                pid, cmd[0] ? cmd : "unknown");
        return LF_EXIT_BUSY;
    }
    if (kill((pid_t)pid, SIGTERM) != 0 && errno != ESRCH) {
        fprintf(stderr, "lfsim stop: process %ld: %s\n", pid, strerror(errno));
        return LF_EXIT_INTERNAL;
    }
    for (int i = 0; i < 150; i++) {
        if (i == 100) {
            kill((pid_t)pid, SIGKILL); /* its boot dies with it (PR_SET_PDEATHSIG) */
        }
        long p2;
        char c2[96];
        if (lfsim_lock_holder(dir, &p2, c2, sizeof(c2)) != 0) {
            printf("stopped lfsim run on %s (process %ld)%s\n", dir, pid,
                   i >= 100 ? " with SIGKILL" : "");
            return LF_EXIT_OK;
        }
        struct timespec nap = {0, 100 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    fprintf(stderr, "lfsim stop: %s is still in use after SIGKILL to process %ld\n", dir, pid);
    return LF_EXIT_INTERNAL;
}
