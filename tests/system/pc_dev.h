/*
 * Device helpers of the stage-1 power-cut test: the factory device made by
 * `lfsim demo --prepare-only`, copied into the runner's device, and cold
 * resets inside one runner step.
 */
#ifndef PC_DEV_H
#define PC_DEV_H

#include <stddef.h>
#include <stdint.h>

#include "sim_device.h"

/* Make the factory device, keys and images in `dir` (emptied first) by
 * running LF_BINARY_DIR/bin/lfsim demo --prepare-only for `board`.
 * Returns 0, or -1 with the reason printed to stderr. */
int pc_dev_prepare(const char *dir, const char *board);

/*
 * Replace the contents of dev's parts with those of the factory device in
 * `from` (data and metadata files, as a factory programmer and the chip's
 * memory of programmed OTP words would leave them). dev must be open on a
 * device of the same board; it is closed and reopened on its own directory.
 * Returns 0, or -1 with why filled.
 */
int pc_dev_copy_from(struct lf_sim_device *dev, const char *from, char *why, size_t why_len);

/*
 * A reset: close dev and open it again from its files, so nothing of the
 * previous boot (write protection, mapped state) survives, while the power-cut
 * controller keeps counting operations across the reset (the runner plans
 * cuts over the whole step). Returns 0, or -1 with why filled.
 */
int pc_dev_reset(struct lf_sim_device *dev, char *why, size_t why_len);

/* Read the whole file `dir`/`name` into buf[0..cap); *len = its size.
 * Returns 0, or -1 with why filled (missing, or larger than cap). */
int pc_file_read(const char *dir, const char *name, uint8_t *buf, size_t cap, size_t *len,
                 char *why, size_t why_len);

#endif
