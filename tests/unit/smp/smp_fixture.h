/*
 * Shared fixture of the SMP server tests: a virtual device (files under the
 * build tree) with a provisioned counter, a factory application in the
 * primary slot and a factory stage 1 in S0, a stage-0 handoff, and the
 * server serving both groups. Requests go in as bytes, responses are
 * captured for byte-exact comparison.
 */
#ifndef SMP_FIXTURE_H
#define SMP_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/smp_server.h"
#include "sim_device.h"

#define FX_RSP_MAX 8
#define FX_BUF     4096
#define FX_COUNTER 5u /* stored security counter after provisioning */
#define FX_IMG_MAX (64u * 1024u)

struct fx {
    char dir[512];
    const struct lf_board *board;
    struct lf_sim_device dev;
    struct lf_stage0_handoff handoff;
    bool handoff_valid;
    struct lf_smp_os_info os;
    struct lf_smp_platform plat;
    struct lf_smp_server_cfg cfg;
    struct lf_smp_server srv;
    const struct lf_smp_group *groups[2];
    uint8_t rsp_buf[FX_BUF];
    /* captured responses of the last fx_send */
    uint8_t rsp[FX_RSP_MAX][FX_BUF];
    size_t rsp_len[FX_RSP_MAX];
    int nrsp;
    /* reset hook */
    bool refuse_reset;
    int reset_calls;
    bool last_force;
    /* datetime */
    bool rtc_set;
    char rtc[32];
    /* boot record */
    bool have_record;
    struct lf_boot_record record;
    char log[4096];
};

/* Image builder: header, deterministic payload, optional SEC_CNT in a
 * protected area, SHA256 TLV. Returns the image size. */
struct img_opts {
    uint8_t major, minor;
    uint16_t rev;
    uint32_t build;
    uint32_t payload; /* payload bytes */
    uint8_t seed;
    uint16_t hdr_size; /* 0: 32 */
    uint32_t flags;
    uint32_t load_addr;
    bool has_sec_cnt;
    uint32_t sec_cnt;
};
/* Counter slots provisioned by fx_create (default 4: 1 used, 3 left). */
extern uint16_t fx_counter_slots;

size_t img_make(uint8_t *out, size_t cap, const struct img_opts *o);
/* The SHA256 TLV of an image made by img_make (its last 32 bytes). */
const uint8_t *img_hash(const uint8_t *img, size_t len);

/* The device of a test program's tests. fx_setup (a cmocka setup) creates
 * it fresh for each test, named after the program (test programs may run in
 * parallel), with verbose errors off; fx_teardown closes it. A test may
 * fx_close and fx_create it again (another board or provisioning). */
extern struct fx F;
int fx_setup(void **state);
int fx_teardown(void **state);
#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

/* A fresh device named `name` (board nrf52840dk unless `board`). The
 * default content: app 1.0.0 in the primary, stage 1 1.0.0 for S0 in S0,
 * handoff slot 0 / counter FX_COUNTER. */
void fx_create(struct fx *f, const char *name, const struct lf_board *board);
/* Same device, content untouched: as after a reset (server re-initialised,
 * flash files re-opened). */
void fx_reopen(struct fx *f);
void fx_close(struct fx *f);
/* (Re)initialise the server with the current cfg/plat (asserts success). */
void fx_server(struct fx *f);

/* Program raw bytes into an area (factory programmer). */
void fx_load(struct fx *f, uint8_t area, uint32_t off, const void *data, size_t len);
/* Read raw bytes of an area. */
void fx_read(struct fx *f, uint8_t area, uint32_t off, void *out, size_t len);
/* FNV-1a digest of a whole area (to prove "nothing changed"). */
uint64_t fx_area_digest(struct fx *f, uint8_t area);

/* Hand a packet to the server; returns the number of responses. */
int fx_send(struct fx *f, const uint8_t *pkt, size_t len);
/* Hex request in, number of responses out. Spaces are ignored. */
int fx_send_hex(struct fx *f, const char *hex);
/* Assert response i equals the hex text (spaces ignored); prints both on
 * mismatch. */
void fx_expect(struct fx *f, int i, const char *hex);

size_t hex2bin(const char *hex, uint8_t *out, size_t cap);

/* Build a request: header (ver, op, group, seq, id) + CBOR written by the
 * caller through the encoder returned by fx_req_begin, closed by fx_req_end. */
struct fx_req {
    uint8_t buf[FX_BUF];
    struct lf_cbor_enc enc;
    uint8_t ver, op, seq, id;
    uint16_t group;
};
void fx_req_begin(struct fx_req *r, uint8_t ver, uint8_t op, uint16_t group, uint8_t id,
                  uint8_t seq);
size_t fx_req_end(struct fx_req *r); /* closes the map, writes the header */

/* Upload helper: one request; returns the number of responses. image < 0:
 * no "image" key. sha NULL: no "sha" key. */
int fx_upload(struct fx *f, uint8_t ver, int image, uint32_t off, const uint8_t *data, uint32_t n,
              int64_t len, const uint8_t *sha, size_t sha_len, bool upgrade);
/* Decode response 0 of an upload: off (or -1 when absent), match (-1 absent,
 * 0/1), and the error: rc (-1 none), err rc (-1 none). */
struct fx_up {
    int64_t off;
    int match;
    int64_t rc;
    int64_t err_rc;
};
struct fx_up fx_up_result(struct fx *f);
/* Upload a whole image in chunks of `chunk` data bytes (v2, with sha);
 * asserts success and returns the final "match" (-1 absent). */
int fx_upload_all(struct fx *f, int image, const uint8_t *img, size_t len, uint32_t chunk);

#endif
