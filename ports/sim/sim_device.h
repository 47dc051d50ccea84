#ifndef LF_SIM_DEVICE_H
#define LF_SIM_DEVICE_H

#include "lf/flash_map.h"
#include "sim_flash.h"

/*
 * A virtual device: a directory holding one file pair per flash part of its
 * board (DIR/board names the board). Opening it maps the parts and binds the
 * board's layout to them; the power-cut controller is shared by all parts.
 */
#define LF_SIM_PATH_MAX 1024

struct lf_sim_device {
    char dir[LF_SIM_PATH_MAX];
    const struct lf_board *board;
    struct lf_sim_flash flash[LF_DEV_COUNT];
    const struct lf_flash_dev *devs[LF_DEV_COUNT];
    struct lf_flash_map map;
    struct lf_sim_powercut pc;
};

/* Make DIR (and parents) with erased parts for `board`. Existing parts are
 * erased again. */
int lf_sim_device_create(struct lf_sim_device *d, const char *dir, const struct lf_board *board);
/* Open the device in DIR as left by any earlier process. */
int lf_sim_device_open(struct lf_sim_device *d, const char *dir);
void lf_sim_device_close(struct lf_sim_device *d);

/* Area by id (enum lf_area_id), or NULL if the board has none. */
const struct lf_flash_area *lf_sim_device_area(const struct lf_sim_device *d, uint8_t id);
/* The simulated part behind an area. */
struct lf_sim_flash *lf_sim_device_flash_of(struct lf_sim_device *d,
                                            const struct lf_flash_area *fa);

/* Sum of the statistics of every part. */
void lf_sim_device_stats(const struct lf_sim_device *d, struct lf_sim_flash_stats *st);
void lf_sim_device_reset_stats(struct lf_sim_device *d);

/* Path of the data file of device `dev` (enum lf_dev_id) inside dir. */
int lf_sim_device_part_path(const char *dir, uint8_t dev, char *out, size_t out_len);

#endif
