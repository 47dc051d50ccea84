/* What the firmware's mains share (fw_common.c, fw_smp.c). */
#ifndef FW_H
#define FW_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "lf/image.h"
#include "lf/log.h"
#include "lf/stage0.h"

/* board_halt's code when a fault-injection check panicked (lf_fih_panic). */
#define FW_HALT_FIH 6

/* Decision log on the console UART, one line each. */
extern const struct lf_log fw_log;

/* The application keys this build trusts (generated from the build's key,
 * fw_keys.c), as a keyring of the algorithms the firmware links (P-256). */
const struct lf_keyring *fw_app_keys(void);
/* The signature algorithms every image links: P-256 only. */
extern const struct lf_image_sig_alg *const fw_algs[1];

/* Serve SMP (OS and image groups) on the console UART forever; an accepted
 * reset resets the board. handoff: stage 0's, for image 1 (may be invalid).
 * who: "app" or "stage1" (log prefix and OS info). Console lines (not SMP):
 * "recovery" asks stage 1 for serial recovery at the next boot, "stats"
 * prints the stack and RAM use, "exit" stops the emulator. */
__attribute__((noreturn)) void fw_smp_serve(const struct lf_flash_map *map,
                                            const struct lf_stage0_handoff *handoff,
                                            const char *who);

/* "stack N/M ram R" of the running image, on the log. */
void fw_log_usage(const char *who);

#endif
