/*
 * Running the other Leapfrog tools from lfsim's demo (and the system tests):
 * the demo drives lfimg to make keys and images and lfmgr to talk to the
 * device, so it exercises exactly the programs a user runs.
 */
#ifndef LFSIM_PROC_H
#define LFSIM_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* out = the directory of the running program + "/" + name ("lfimg"). */
int lfsim_tool_path(const char *name, char *out, size_t cap);

/*
 * Run argv[0] (a path) with argv, wait for it. Its stdout goes to out
 * (NUL-terminated, truncated to cap - 1; may be NULL to discard), its stderr
 * to `err` (NULL: inherited). Returns the exit status (0..255), or -1 if it
 * could not run or died from a signal.
 */
int lfsim_run_tool(char *const argv[], char *out, size_t cap, FILE *err);

/* Start argv in the background with stdout to a pipe; *pid and *out_fd are
 * filled. Returns 0 or -1. */
int lfsim_spawn(char *const argv[], pid_t *pid, int *out_fd);

/* Read one line from fd into line (up to cap - 1 bytes) within timeout_ms.
 * Returns 0, or -1 on EOF/timeout. */
int lfsim_read_line(int fd, char *line, size_t cap, int timeout_ms);

/* The first `"key": <number>` at or after p; false if absent. */
bool lfsim_json_u64(const char *p, const char *key, uint64_t *v);
/* `"key": "text"` into out (truncated); false if absent. */
bool lfsim_json_str(const char *p, const char *key, char *out, size_t cap);
/* `"key": true|false`. */
bool lfsim_json_bool(const char *p, const char *key, bool *v);

/* An entry of `lfmgr --json image list`. */
struct lfsim_slot_state {
    bool present;
    char version[24];
    char hash[65];
    bool pending, confirmed, active;
};

/* Fill st[image][slot] (2 x 2) from the image list JSON. */
void lfsim_parse_image_list(const char *json, struct lfsim_slot_state st[2][2]);

#endif
