#ifndef LF_POWERCUT_H
#define LF_POWERCUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim_device.h"

/*
 * The power-cut scenario runner.
 *
 * A scenario is a flow that writes flash (an upgrade, a revert, a counter
 * advance...) plus the invariants that must hold once it has finished. The
 * runner:
 *   1. builds the starting device once (setup) and snapshots its files;
 *   2. runs the flow uncut in a fresh process to count its T operations
 *      (programs and sector erases over all parts) and checks the invariants;
 *   3. for every N in 1..T and each cut kind (clean, torn): restores the
 *      snapshot, runs the flow in a fresh process that loses power at
 *      operation N (and asserts it really did), then, in further fresh
 *      processes, lets the flow finish from the surviving flash (resume) and
 *      checks the invariants.
 * Each step runs in its own forked child, so no memory state survives a cut:
 * the next "boot" sees only the flash files.
 *
 * Output: one line per scenario,
 *   powercut <name>: <T> ops, <C> cuts, <F> failures; <P> of <Q> torn cuts tore
 * and, per failure, the replay argument (LF_PC_REPLAY=<name>@<N><c|t>).
 *
 * Self-check: a torn cut that leaves its operation either not started or
 * complete is only a clean cut. The runner counts the single torn cuts whose
 * operation it really left half done (P of Q) and counts one more failure
 * when fewer than min_torn_pct percent did: a flash model whose torn cuts
 * stopped tearing fails every scenario instead of passing them silently.
 */

/* A scenario step. Runs in a child process with the device opened from its
 * files. Returns 0 on success; on failure fills `why` and returns non-zero. */
typedef int (*lf_pc_step_fn)(struct lf_sim_device *dev, void *arg, char *why, size_t why_len);

struct lf_pc_scenario {
    const char *name; /* what it covers, e.g. "swap-move/upgrade/nrf52840dk-qspi" */
    const struct lf_board *board;
    void *arg; /* passed to every step */
    /* Lays out the starting state on a freshly erased device; not counted. */
    lf_pc_step_fn setup;
    /* The flow under test. */
    lf_pc_step_fn run;
    /* Brings the flow to its end after a cut (e.g. boot again and finish the
     * user's steps). NULL: run again from the surviving flash. */
    lf_pc_step_fn resume;
    /* Invariants once the flow has finished. */
    lf_pc_step_fn check;
};

enum {
    LF_PC_CLEAN = 1u << 0,
    LF_PC_TORN = 1u << 1,
};

struct lf_pc_options {
    const char *work_dir; /* scratch directory for the device files */
    unsigned kinds;       /* LF_PC_CLEAN | LF_PC_TORN; 0 = both */
    /* Also cut a second time while resuming from each first cut (every
     * `double_stride`-th first cut, every op of its resume). */
    bool double_cut;
    unsigned double_stride;
    /* Cut at every stride-th operation only (0: the environment's
     * LF_PC_STRIDE, else every operation). */
    unsigned stride;
    bool verbose;      /* print every cut */
    unsigned max_fail; /* stop printing details after this many (0 = 20) */
    /* The runner's self-check: at least this percentage of the single torn
     * cuts must leave their operation half done (0 = LF_PC_MIN_TORN_PCT). */
    unsigned min_torn_pct;
};

#define LF_PC_MIN_TORN_PCT 10u

struct lf_pc_result {
    uint64_t ops;          /* T: operations of the uncut flow */
    uint64_t cuts;         /* cut runs executed */
    uint64_t failures;     /* cut runs whose invariants failed, plus 1 if the
                              self-check below fails */
    uint64_t torn_cuts;    /* single torn cuts run (double cuts not counted) */
    uint64_t torn_partial; /* of those, the ones whose operation was left half
                              done: programmed or erased in part */
};

/*
 * Run a scenario under every cut. Honours LF_PC_REPLAY=<name>@<N><c|t>[,<M><c|t>]
 * (runs just that case, verbosely, when the name matches) and LF_PC_STRIDE=k
 * (cut at every k-th operation only; for slow sanitizer builds, and said in
 * the summary line). Returns 0 when the scenario could be run at all (its
 * failures are in *res), non-zero on harness errors (e.g. the uncut flow fails).
 */
int lf_pc_run(const struct lf_pc_scenario *s, const struct lf_pc_options *opt,
              struct lf_pc_result *res);

#endif
