#ifndef LFMGR_SIM_PROC_H
#define LFMGR_SIM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The virtual device (lfsim) and helper processes for lfmgr's end-to-end
 * tests: a fresh device directory per test process, provisioned, with a
 * stage 1 in S0, served over UDP (a free port), a pty and the simulated BLE
 * link (lfsim run --ble, the device's ATT MTU SIM_BLE_MTU). */

#define SIM_BLE_MTU 185u

struct sim {
    char dir[512];
    char log[600]; /* lfsim --verbose output (the device's log) */
    char out[600]; /* lfsim stdout */
    char pty[600]; /* symlink to the pty slave */
    char ble[108]; /* the device's BLE link socket */
    unsigned baud; /* emulated baud on the pty, 0 = none */
    uint16_t port;
    pid_t pid;
    char udp_spec[64];
    char pty_spec[700];
    char ble_spec[160];   /* our MTU 247: the link runs at the device's 185 */
    char ble23_spec[160]; /* our MTU 23: 20-byte fragments */
};

/* Start a background process with stdout and stderr to files (NULL:
 * /dev/null). Returns the pid or -1. */
pid_t spawn_bg(const char *const *argv, const char *out, const char *err);

/* SIGTERM (then SIGKILL after 3 s) and reap. */
void stop_proc(pid_t pid);

/* Make the device: create, provision (one key hash, 32 counter slots),
 * stage 1 v1.0.0 in S0. name distinguishes several devices of one test. */
int sim_create(struct sim *s, const char *name);

/* Start lfsim run; wait until it answers an echo over UDP and BLE. */
int sim_start(struct sim *s, unsigned baud);
void sim_stop(struct sim *s);

/* Delete the device directory and its files (after sim_stop). */
void sim_remove(struct sim *s);

/* Count lines of the device log containing `needle`. */
int sim_log_count(const struct sim *s, const char *needle);

/* Read `len` bytes at `off` of the internal flash file. */
int sim_flash_read(const struct sim *s, uint32_t off, uint8_t *buf, size_t len);

#endif
