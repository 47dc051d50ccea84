/*
 * A virtual device for system tests, driven the way a user drives it: made
 * by `lfsim demo --prepare-only`, run by `lfsim run`, updated with `lfmgr`,
 * images signed with `lfimg`.
 */
#ifndef SYS_DEV_H
#define SYS_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc.h"

#define SYS_OUT 16384

struct sys_dev {
    char dir[512];
    const char *board;
    char udp[64];
    pid_t pid;
    char out[SYS_OUT]; /* stdout of the last tool */
    char err[SYS_OUT]; /* stderr of the last tool */
    int rc;            /* its exit status */
};

/* Make the factory device in a fresh directory named after `name`. */
void sys_prepare(struct sys_dev *d, const char *name, const char *board);
/* Start `lfsim run` on it (UDP on a free port) and wait until it answers. */
void sys_start(struct sys_dev *d);
/* The same with extra `lfsim run` options (NULL-terminated). */
void sys_start_with(struct sys_dev *d, const char *const *extra);
/* Lines of DIR/device.log containing needle. */
int sys_log_count(const struct sys_dev *d, const char *needle);
void sys_stop(struct sys_dev *d);
/* Remember d as the device the current test runs; sys_teardown (a cmocka
 * teardown) stops it if the test ended before its own sys_stop. */
void sys_track(struct sys_dev *d);
int sys_teardown(void **state);

/* Run a tool from the build's bin directory ("lfmgr", "lfimg"); NULL-terminated
 * arguments. Fills d->out, d->err, d->rc; returns d->rc. */
int sys_tool(struct sys_dev *d, const char *tool, ...) __attribute__((sentinel));
/* lfmgr --conn <udp> ARGS... */
int sys_mgr(struct sys_dev *d, ...) __attribute__((sentinel));

/* Wait until the application answers (after a reset). */
void sys_wait_up(struct sys_dev *d);

/* Sign the demo's stage-1 binary as version ver with security counter cnt
 * for S`slot`, with key keys/<key>.pem; the path goes to out. */
void sys_sign_stage1(struct sys_dev *d, const char *key, const char *ver, unsigned cnt,
                     unsigned slot, char *out, size_t cap);
/* Both variants of ver/cnt packed into one update file (path to out). */
void sys_pack_stage1(struct sys_dev *d, const char *ver, unsigned cnt, char *out, size_t cap);

/* The device's state. */
struct sys_state {
    unsigned active; /* active_b0_slot */
    uint64_t counter, used, left;
    struct lfsim_slot_state s[2][2]; /* [image][slot] */
};
void sys_state(struct sys_dev *d, struct sys_state *st);

#endif
