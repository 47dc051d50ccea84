#include "sim_device.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "boards.h"
#include "lf/err.h"

static const char *const lf_sim_part_files[LF_DEV_COUNT] = {
    [LF_DEV_INTERNAL] = "flash-internal.bin",
    [LF_DEV_EXTERNAL] = "flash-external.bin",
    [LF_DEV_OTP] = "otp.bin",
};

int lf_sim_device_part_path(const char *dir, uint8_t dev, char *out, size_t out_len)
{
    if (dev >= LF_DEV_COUNT) {
        return LF_E_INVAL;
    }
    int n = snprintf(out, out_len, "%s/%s", dir, lf_sim_part_files[dev]);
    return (n < 0 || (size_t)n >= out_len) ? LF_E_INVAL : LF_OK;
}

static int lf_sim_mkdirs(const char *dir)
{
    char tmp[LF_SIM_PATH_MAX];
    if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp)) {
        return LF_E_INVAL;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
                return LF_E_IO;
            }
            *p = '/';
        }
    }
    if (mkdir(tmp, 0755) != 0 && errno != EEXIST) {
        return LF_E_IO;
    }
    return LF_OK;
}

static int lf_sim_device_bind(struct lf_sim_device *d, const char *dir,
                              const struct lf_board *board, bool create)
{
    memset(d, 0, sizeof(*d));
    if (snprintf(d->dir, sizeof(d->dir), "%s", dir) >= (int)sizeof(d->dir)) {
        return LF_E_INVAL;
    }
    d->board = board;
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        if (board->dev_geo[i] == NULL) {
            continue;
        }
        char path[LF_SIM_PATH_MAX + 32];
        int err = lf_sim_device_part_path(dir, i, path, sizeof(path));
        if (!err) {
            err = lf_sim_flash_open(&d->flash[i], path, board->dev_geo[i], create);
        }
        if (err) {
            lf_sim_device_close(d);
            return err;
        }
        d->flash[i].dev.map_addr = board->dev_map_addr[i];
        d->flash[i].pc = &d->pc;
        d->devs[i] = &d->flash[i].dev;
    }
    int err = lf_flash_map_init(&d->map, board, d->devs);
    if (err) {
        lf_sim_device_close(d);
    }
    return err;
}

int lf_sim_device_create(struct lf_sim_device *d, const char *dir, const struct lf_board *board)
{
    int err = lf_sim_mkdirs(dir);
    if (err) {
        return err;
    }
    char path[LF_SIM_PATH_MAX + 16];
    snprintf(path, sizeof(path), "%s/board", dir);
    FILE *f = fopen(path, "w");
    if (!f) {
        return LF_E_IO;
    }
    fprintf(f, "%s\n", board->name);
    if (fclose(f) != 0) {
        return LF_E_IO;
    }
    return lf_sim_device_bind(d, dir, board, true);
}

int lf_sim_device_open(struct lf_sim_device *d, const char *dir)
{
    char path[LF_SIM_PATH_MAX + 16];
    char name[64] = {0};
    snprintf(path, sizeof(path), "%s/board", dir);
    FILE *f = fopen(path, "r");
    if (!f) {
        return LF_E_NOT_FOUND;
    }
    if (!fgets(name, sizeof(name), f)) {
        fclose(f);
        return LF_E_CORRUPT;
    }
    fclose(f);
    name[strcspn(name, "\r\n")] = '\0';
    const struct lf_board *board = lf_board_find(name);
    if (!board) {
        return LF_E_NOT_FOUND;
    }
    return lf_sim_device_bind(d, dir, board, false);
}

void lf_sim_device_close(struct lf_sim_device *d)
{
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        lf_sim_flash_close(&d->flash[i]);
        d->devs[i] = NULL;
    }
}

const struct lf_flash_area *lf_sim_device_area(const struct lf_sim_device *d, uint8_t id)
{
    return lf_flash_map_area(&d->map, id);
}

struct lf_sim_flash *lf_sim_device_flash_of(struct lf_sim_device *d, const struct lf_flash_area *fa)
{
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        if (d->devs[i] == fa->dev) {
            return &d->flash[i];
        }
    }
    return NULL;
}

void lf_sim_device_stats(const struct lf_sim_device *d, struct lf_sim_flash_stats *st)
{
    memset(st, 0, sizeof(*st));
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        if (d->devs[i] == NULL) {
            continue;
        }
        struct lf_sim_flash_stats one;
        lf_sim_flash_get_stats(&d->flash[i], &one);
        st->sector_erases += one.sector_erases;
        st->programs += one.programs;
        st->bytes_programmed += one.bytes_programmed;
    }
}

void lf_sim_device_reset_stats(struct lf_sim_device *d)
{
    for (uint8_t i = 0; i < LF_DEV_COUNT; i++) {
        if (d->devs[i] != NULL) {
            lf_sim_flash_reset_stats(&d->flash[i]);
        }
    }
}
