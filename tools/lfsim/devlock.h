/*
 * Who uses a device directory (docs/lfsim.md section 1): every lfsim command
 * that opens a device holds an exclusive flock on DIR/lfsim.lock for its whole
 * life, and the file names the holder ("<pid> <command>"). The lock belongs to
 * the open file, so `lfsim run`'s per-boot child processes hold it with their
 * parent. A command that runs lfsim again on the same directory (lfsim demo)
 * hands its lock down: lfsim_lock_share() keeps the descriptor open across
 * exec and names it in LFSIM_LOCK_FD; a child finding that descriptor already
 * locking DIR/lfsim.lock uses it instead of competing for the lock.
 *
 * Also: opening a device with a message naming what is wrong with it.
 */
#ifndef LFSIM_DEVLOCK_H
#define LFSIM_DEVLOCK_H

#include "sim_device.h"

#define LFSIM_LOCK_FILE "lfsim.lock"
#define LFSIM_LOCK_ENV  "LFSIM_LOCK_FD"

/*
 * Lock the device directory `dir` (which must exist) for this process and
 * its children. `cmd` names the command in messages and in the lock file
 * ("lfsim run"). Returns the lock's descriptor (>= 0; keep it open: closing
 * it releases the lock), or -1 with a message on stderr: *exit_code is then
 * LF_EXIT_BUSY (another process holds it: the message names the directory and
 * the holder's pid) or LF_EXIT_FILE (the directory is missing or not
 * writable).
 */
int lfsim_lock(const char *dir, const char *cmd, int *exit_code);

/* Name this process (getpid()) as the holder in the lock file, after a fork. */
void lfsim_lock_rename(int fd, const char *cmd);

/* The holder of dir's lock: 0 with *pid and cmd filled (cmd may be empty)
 * when a process holds it; 1 when none does; -1 when there is no lock file. */
int lfsim_lock_holder(const char *dir, long *pid, char *cmd, size_t cap);

/* Hand the lock down to programs this process executes (see above). */
void lfsim_lock_share(int fd);

/*
 * lf_sim_device_open, and on failure a message "<cmd>: <what is wrong>"
 * naming the file at fault (missing directory, no board file, unknown board,
 * a flash or .meta file missing or of the wrong size). Returns LF_OK or the
 * open's error.
 */
int lfsim_device_open(struct lf_sim_device *dev, const char *dir, const char *cmd);

/* True when dir holds a device (its board file). */
bool lfsim_device_exists(const char *dir);

#endif
