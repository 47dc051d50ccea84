/* lfsim: the virtual device (first form). */
#ifndef LFSIM_H
#define LFSIM_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/log.h"
#include "lf/stage0.h"
#include "sim_device.h"

/* Exit status of a serving child that accepted an SMP reset: the parent
 * boots the device again. */
#define LFSIM_EXIT_RESET 75
/* ... of a boot that ended in stage 0's safe state. */
#define LFSIM_EXIT_HALT 76

int lfsim_cmd_create(int argc, char **argv);
int lfsim_cmd_program(int argc, char **argv);
int lfsim_cmd_run(int argc, char **argv);
int lfsim_cmd_demo(int argc, char **argv);
int lfsim_cmd_stage1_image(int argc, char **argv);
int lfsim_cmd_stop(int argc, char **argv);

/* True if argv has -h or --help. */
bool lfsim_wants_help(int argc, char **argv);
/* Parse an unsigned number (decimal or 0x hex) into *v; false if malformed
 * or above max. */
bool lfsim_parse_u32(const char *s, uint32_t max, uint32_t *v);

/*
 * The boot step of `lfsim run --no-boot` (boot_none.c): what stage 0's
 * handoff would say (the active S slot = the newest S image linked for its
 * own slot, the stored counter) without validating or writing anything.
 * Returns LF_OK with *h filled, or an error (no S image, no provision area):
 * the server then does not serve image 1.
 */
int lfsim_boot_none(struct lf_sim_device *dev, const struct lf_log *log,
                    struct lf_stage0_handoff *h);

#endif
