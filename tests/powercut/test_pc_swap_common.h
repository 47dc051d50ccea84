/*
 * Power-cut scenarios of the upgrade engine, shared by test_pc_swap_move.c,
 * test_pc_swap_scratch.c and test_pc_swap_overwrite.c.
 *
 * Flows (each step of a flow is a boot of the engine, or the application
 * confirming its image, decided from what is on flash so that the same
 * function resumes after a cut):
 *   upgrade-test: v1 in the primary, v2 uploaded and marked for test;
 *                 boot, the application confirms v2, boot.
 *   upgrade-perm: the same marked permanent; boot, boot.
 *   revert:       v2 on trial after a test swap; boot (reverts), boot.
 * Invariants: every boot finds a valid image to run (never "no bootable
 * image"); at the end the expected image is in the primary and valid, the
 * other one is in the secondary where the strategy keeps it, and the
 * trailers say so. A cut that lands after the trial swap committed but
 * before the application confirmed is a reset without confirmation: the
 * upgrade-test flow may then legitimately end reverted (v1 in the primary,
 * v2 inert in the secondary, primary swap_info REVERT).
 */
#ifndef TEST_PC_SWAP_COMMON_H
#define TEST_PC_SWAP_COMMON_H

#include <stdbool.h>

#include "boot_testlib.h"
#include "powercut.h"

enum pc_flow {
    PC_UPGRADE_TEST,
    PC_UPGRADE_PERM,
    PC_REVERT,
};

/* Keys and the two images (made once, inherited by every forked step): the
 * cmocka group setup and teardown of every swap power-cut test. */
int pc_swap_init(void **state);
int pc_swap_fini(void **state);

/* Run one scenario under every cut (double_stride > 0: also second cuts
 * during recovery from every double_stride-th first cut). Prints the
 * runner's summary line and the wall time. Returns the failures (or -1 when
 * the scenario could not run). */
long pc_swap_scenario(const struct lf_board *board, const struct lf_boot_strategy *s,
                      enum pc_flow flow, unsigned double_stride);

/*
 * The same flow with realistic images: v1 of 64 sectors of 4 KiB, v2 of 66
 * (test_pc_swap_big.c). Cuts every pc_big_stride()-th operation: the
 * environment's LF_PC_BIG_STRIDE, else PC_BIG_STRIDE_DEFAULT times LF_PC_STRIDE
 * (when set: the sanitizer run's 3), which keeps CI fast; LF_PC_BIG_STRIDE=1
 * cuts every operation (the long run whose figures the README gives; give it
 * its own LF_PC_WORK directory if other runs share the build tree). Also
 * fails (-1) unless every strided operation was cut.
 */
#define PC_BIG_STRIDE_DEFAULT 31u
unsigned pc_big_stride(void);
long pc_swap_scenario_big(const struct lf_board *board, const struct lf_boot_strategy *s,
                          enum pc_flow flow);

#endif
