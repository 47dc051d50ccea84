/* Device helpers of the stage-1 power-cut test (pc_dev.h). */
#include "pc_dev.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lf/err.h"
#include "proc.h"

/* The files of a device directory that hold its state (sim_device.c, sim_flash.h). */
static const char *const pc_dev_files[] = {"flash-internal.bin",
                                           "flash-internal.bin.meta",
                                           "flash-external.bin",
                                           "flash-external.bin.meta",
                                           "otp.bin",
                                           "otp.bin.meta"};

int pc_dev_prepare(const char *dir, const char *board)
{
    char *rm[] = {"/bin/rm", "-rf", (char *)dir, NULL};
    char *mk[] = {"/bin/mkdir", "-p", (char *)dir, NULL};
    if (lfsim_run_tool(rm, NULL, 0, NULL) != 0 || lfsim_run_tool(mk, NULL, 0, NULL) != 0) {
        fprintf(stderr, "pc_dev_prepare: cannot make an empty %s\n", dir);
        return -1;
    }
    char exe[LF_SIM_PATH_MAX];
    snprintf(exe, sizeof(exe), "%s/bin/lfsim", LF_BINARY_DIR);
    char *argv[] = {exe,       "demo",        "--dir",          (char *)dir,
                    "--board", (char *)board, "--prepare-only", NULL};
    static char out[4096];
    int rc = lfsim_run_tool(argv, out, sizeof(out), NULL);
    if (rc != 0) {
        fprintf(stderr, "pc_dev_prepare: lfsim demo --prepare-only exited %d:\n%s\n", rc, out);
        return -1;
    }
    return 0;
}

/* Copy one file; a missing source is fine when `optional` (a board without
 * an external part). */
static int pc_copy(const char *from, const char *to, bool optional)
{
    FILE *in = fopen(from, "rb");
    if (!in) {
        return optional ? 0 : -1;
    }
    FILE *out = fopen(to, "wb");
    if (!out) {
        fclose(in);
        return -1;
    }
    static uint8_t buf[64 * 1024];
    int rc = 0;
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            rc = -1;
            break;
        }
    }
    if (ferror(in)) {
        rc = -1;
    }
    fclose(in);
    if (fclose(out) != 0) {
        rc = -1;
    }
    return rc;
}

int pc_dev_copy_from(struct lf_sim_device *dev, const char *from, char *why, size_t why_len)
{
    char dir[LF_SIM_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", dev->dir);
    lf_sim_device_close(dev);
    char a[LF_SIM_PATH_MAX + 64], b[LF_SIM_PATH_MAX + 64];
    snprintf(a, sizeof(a), "%s/board", from);
    snprintf(b, sizeof(b), "%s/board", dir);
    if (pc_copy(a, b, false) != 0) {
        snprintf(why, why_len, "cannot copy %s", a);
        return -1;
    }
    for (size_t i = 0; i < sizeof(pc_dev_files) / sizeof(pc_dev_files[0]); i++) {
        snprintf(a, sizeof(a), "%s/%s", from, pc_dev_files[i]);
        snprintf(b, sizeof(b), "%s/%s", dir, pc_dev_files[i]);
        if (pc_copy(a, b, true) != 0) {
            snprintf(why, why_len, "cannot copy %s", a);
            return -1;
        }
    }
    int err = lf_sim_device_open(dev, dir);
    if (err) {
        snprintf(why, why_len, "cannot open the copied device: %s", lf_err_str(err));
        return -1;
    }
    return 0;
}

int pc_dev_reset(struct lf_sim_device *dev, char *why, size_t why_len)
{
    char dir[LF_SIM_PATH_MAX];
    snprintf(dir, sizeof(dir), "%s", dev->dir);
    struct lf_sim_powercut pc = dev->pc;
    lf_sim_device_close(dev);
    int err = lf_sim_device_open(dev, dir);
    if (err) {
        snprintf(why, why_len, "reset: cannot reopen the device: %s", lf_err_str(err));
        return -1;
    }
    /* open() cleared the controller; the parts point at dev->pc, which
     * carries on counting towards the planned cut. */
    dev->pc = pc;
    return 0;
}

int pc_file_read(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len,
                 char *why, size_t why_len)
{
    char path[LF_SIM_PATH_MAX + 128];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_len, "cannot open %s", path);
        return -1;
    }
    size_t n = fread(buf, 1, cap, f);
    bool more = fgetc(f) != EOF;
    fclose(f);
    if (more || n == 0) {
        snprintf(why, why_len, "%s is empty or larger than %zu bytes", path, cap);
        return -1;
    }
    *len = n;
    return 0;
}
