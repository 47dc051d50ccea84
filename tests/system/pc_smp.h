/*
 * The user's side of a stage-1 update, in-process: SMP requests built with
 * the client library (lf/smp_client.h) are handed to the booted
 * application's server (tools/lfsim/app.h) and its replies parsed, as lfmgr
 * does over a transport.
 */
#ifndef PC_SMP_H
#define PC_SMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app.h"
#include "lf/smp_client.h"

#define PC_SMP_BUF       2048u /* the server's buf_size and the client's message budget */
#define PC_SMP_SLOTS_MAX 8u    /* image state entries: 2 images x 2 slots, with room */

struct pc_smp {
    struct lfsim_app app;
    uint8_t seq;
    uint8_t req[PC_SMP_BUF];
    uint8_t rsp[LF_SIM_MSG_MAX];
    size_t rsp_len;
    struct lf_smp_rsp r; /* the last reply, parsed (points into rsp) */
};

/* Start the application's server on dev after chain c booted it.
 * Returns 0, or -1 with why filled. */
int pc_smp_up(struct pc_smp *s, struct lf_sim_device *dev, const struct lfsim_chain *c, char *why,
              size_t why_len);

/*
 * Upload file[0..len) to `image` like `lfmgr image upload`: the first chunk
 * carries the file's SHA-256, every next chunk starts at the offset the
 * server reports (so an upload interrupted by a reset resumes), until the
 * server reports the end with "match": true. Returns 0, or -1 with why
 * filled (an error reply, a bad offset, no progress).
 */
int pc_smp_upload(struct pc_smp *s, uint32_t image, const uint8_t *file, uint32_t len, char *why,
                  size_t why_len);

/* `image list`: the image state's entries into out[0..max), *n of them
 * (their version strings point into s->rsp until the next request).
 * Returns 0, or -1 with why filled. */
int pc_smp_state(struct pc_smp *s, struct lf_smp_image_slot *out, size_t max, size_t *n, char *why,
                 size_t why_len);

/* `image test` of what the state list shows in (image, slot): reads the
 * slot's hash from the image state, then asks for a test boot of it.
 * Returns 0, or -1 with why filled. */
int pc_smp_test(struct pc_smp *s, uint32_t image, uint32_t slot, char *why, size_t why_len);
/* The same as `image test` (confirm false) or `image confirm HASH` (true). */
int pc_smp_set(struct pc_smp *s, uint32_t image, uint32_t slot, bool confirm, char *why,
               size_t why_len);

/* `reset`: the server must accept it (the caller then resets the device).
 * Returns 0, or -1 with why filled. */
int pc_smp_reset(struct pc_smp *s, char *why, size_t why_len);

#endif
