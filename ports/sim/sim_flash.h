#ifndef LF_SIM_FLASH_H
#define LF_SIM_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/flash.h"

/*
 * File-backed flash models for the virtual device and the tests.
 *
 * Each device is two files: PATH holds the raw contents (exactly geo->size
 * bytes, so tools can read it directly) and PATH.meta holds what the silicon
 * would remember but the data cannot show: per-sector erase counters, the
 * operation statistics used for cost accounting, and for OTP parts which
 * words were already programmed. Both are mapped MAP_SHARED, so every program
 * and erase is in the file the moment it returns and a device survives a
 * process exit at any instant.
 *
 * Program semantics follow the erased value: on 0xFF parts a program can only
 * clear bits (result = old & new), on 0x00 parts only set them. In strict mode
 * a program that would need to move a bit back to the erased state is refused
 * with LF_E_FLASH_BIT_SET and changes nothing.
 */

/* Exit status of a process whose power was cut (the runner checks for it). */
#define LF_SIM_CUT_EXIT 86

enum lf_sim_cut_kind {
    LF_SIM_CUT_CLEAN = 0, /* power lost just before the operation */
    LF_SIM_CUT_TORN = 1,  /* power lost half-way through the operation */
};

/*
 * One power-cut controller per device, shared by all its flash parts: it
 * counts program operations and sector erases in a single sequence.
 */
struct lf_sim_powercut {
    uint64_t ops;    /* operations seen so far */
    uint64_t cut_at; /* the operation that loses power (1-based); 0 = never */
    enum lf_sim_cut_kind kind;
    uint32_t seed; /* makes torn patterns reproducible */
    bool fired;    /* the cut happened */
    /* Set when the cut was torn and left the part in a state that is neither
     * before nor after the operation (some of its bits changed, not all): the
     * power-cut runner counts these to prove torn cuts still tear. */
    bool torn_partial;
    /* Called when the cut fires. NULL: _exit(LF_SIM_CUT_EXIT) at once, so no
     * state of this process survives. If it returns, the device stays dead:
     * every later operation fails with LF_E_FLASH_DEVICE. */
    void (*on_cut)(void *arg);
    void *on_cut_arg;
};

struct lf_sim_flash_stats {
    uint64_t sector_erases;
    uint64_t programs;
    uint64_t bytes_programmed;
};

struct lf_sim_flash {
    struct lf_flash_dev dev; /* hand &dev to the core */
    const struct lf_flash_geometry *geo;
    uint8_t *mem;  /* mapped contents */
    uint8_t *meta; /* mapped metadata */
    size_t meta_len;
    bool strict;                /* refuse bit-setting programs */
    struct lf_sim_powercut *pc; /* may be NULL */
    uint32_t lock_start;        /* [lock_start, lock_end) refuses program/erase */
    uint32_t lock_end;
    /* Fault injection (lf_sim_flash_drop_bits): a program that does not take. */
    bool drop_armed;
    uint32_t drop_off;
    uint8_t drop_mask;
    uint32_t drop_fired; /* programs the hook changed */
};

/*
 * Open (create = false) or create erased (create = true) the device backed by
 * `path`. An existing file must have the geometry's size.
 * Returns LF_OK, LF_E_IO or LF_E_FLASH_GEOMETRY.
 */
int lf_sim_flash_open(struct lf_sim_flash *f, const char *path, const struct lf_flash_geometry *geo,
                      bool create);
void lf_sim_flash_close(struct lf_sim_flash *f);

/* Write-protect [start, end) until the flash is closed (a reset), as the
 * nRF52840 ACL does. Overlapping calls widen the window. */
void lf_sim_flash_lock(struct lf_sim_flash *f, uint32_t start, uint32_t end);

/*
 * Fault injection for tests: the next program operation whose range covers
 * part offset `off` completes (and returns LF_OK) but leaves the bits of
 * `mask` in that byte at their old value, as a program that silently did not
 * take. One-shot: the hook disarms on that program. f->drop_fired counts the
 * programs where it really left a bit unchanged (0: the byte's new value did
 * not need those bits). Cleared by close (a reset).
 */
void lf_sim_flash_drop_bits(struct lf_sim_flash *f, uint32_t off, uint8_t mask);

void lf_sim_flash_get_stats(const struct lf_sim_flash *f, struct lf_sim_flash_stats *st);
void lf_sim_flash_reset_stats(struct lf_sim_flash *f);
/* Erase count of the sector containing `off`. */
uint32_t lf_sim_flash_erase_count(const struct lf_sim_flash *f, uint32_t off);

/* Write raw bytes with no flash rules and no counting: a factory programmer. */
int lf_sim_flash_load(struct lf_sim_flash *f, uint32_t off, const void *data, uint32_t len);

#endif
