#ifndef LFMGR_TEST_UTIL_H
#define LFMGR_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Helpers shared by lfmgr's tests: running the lfmgr binary and making
 * MCUboot-format images and update files (unsigned: the fake server does not
 * check signatures). */

#define RUN_OUT_MAX 65536

struct run_result {
    int code; /* exit code, or 128 + signal */
    char out[RUN_OUT_MAX];
    char err[RUN_OUT_MAX];
};

/* Run LF_BINARY_DIR/bin/lfmgr with argv (NULL-terminated, without argv[0])
 * and a time limit; captures stdout and stderr (NUL-terminated). */
int run_lfmgr(const char *const *args, int limit_s, struct run_result *r);

/* Build an image at out: 32-byte header (hdr_size 32, version 1.2.3+4,
 * ROM_FIXED with load_addr when rom_fixed), body_len bytes of a pattern from
 * seed, an unprotected TLV area with the SHA256 TLV of header + body.
 * Returns the total size; hash (may be NULL) gets the TLV hash. */
size_t make_image(uint8_t *out, uint32_t load_addr, bool rom_fixed, uint32_t body_len, uint8_t seed,
                  uint8_t hash[32]);

/* Pack images into an update file (docs/update-file.md) at out; slots[i],
 * load addresses taken from each image header. Returns the total size. */
size_t make_update_file(uint8_t *out, unsigned n, const uint8_t *const *imgs, const size_t *lens,
                        const uint8_t *slots);

/* Write a file; returns 0 or -1. */
int write_file(const char *path, const void *p, size_t n);

/* A scratch path in the build tree, unique per process: "<dir>/<pid>-<name>". */
void tmp_path(char *out, size_t cap, const char *name);

/* Remove every scratch file and directory of this process. */
void tmp_cleanup(void);

#endif
