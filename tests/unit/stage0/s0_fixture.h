#ifndef S0_FIXTURE_H
#define S0_FIXTURE_H

/*
 * Test fixture for stage 0: root keys made with OpenSSL, stage-1 images
 * signed with OpenSSL in MCUboot format (an independent signer: the core's
 * validator must accept what it produces), virtual devices provisioned with
 * lf_provision_write, and a log that records every line.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "lf/log.h"
#include "lf/stage0.h"
#include "sim_device.h"

#define S0_MAX_IMAGE 0x8200u
#define S0_HDR_SIZE  0x200u
#define S0_LOG_LINES 64u

struct s0_key {
    EVP_PKEY *pkey;
    uint8_t type; /* enum lf_key_type */
    uint8_t der[128];
    int der_len;
    uint8_t hash[32];
};

/* Make a fresh key of `type` (LF_KEY_ECDSA_P256 or LF_KEY_ED25519). */
int s0_key_gen(struct s0_key *k, uint8_t type);
void s0_key_free(struct s0_key *k);

struct s0_img_spec {
    const struct s0_key *key;
    uint32_t load_addr;
    bool not_rom_fixed;
    uint8_t major, minor;
    uint16_t revision;
    uint32_t build;
    bool no_sec_cnt;
    uint32_t sec_cnt;
    uint32_t payload_len; /* 0: 1024 */
    uint8_t seed;
    bool keyhash; /* KEYHASH TLV instead of the full PUBKEY */
};

struct s0_img {
    uint8_t bytes[S0_MAX_IMAGE];
    uint32_t len; /* padded to 4 */
};

/* Sign an image; 0 on success. */
int s0_img_sign(const struct s0_img_spec *s, struct s0_img *out);

/* The CPU address of S0 / S1 on `board`. */
uint32_t s0_slot_addr(const struct lf_board *board, int slot);

/* Create a device in dir and provision it with nkeys keys. */
int s0_dev_create(struct lf_sim_device *d, const char *dir, const struct lf_board *board,
                  const struct s0_key *keys, int nkeys, uint16_t slots, uint32_t initial);

/* Erase a slot and write an image at its start (factory: no trailer). */
int s0_slot_put(struct lf_sim_device *d, int slot, const struct s0_img *img);
int s0_slot_erase(struct lf_sim_device *d, int slot);
/* image test: magic in the slot's trailer. */
int s0_slot_pending(struct lf_sim_device *d, int slot);
const struct lf_flash_area *s0_slot(struct lf_sim_device *d, int slot);

struct s0_log {
    char lines[S0_LOG_LINES][LF_LOG_LINE_MAX];
    unsigned n;
    bool echo; /* also print each line */
    struct lf_log log;
};

void s0_log_init(struct s0_log *l);
bool s0_log_has(const struct s0_log *l, const char *needle);
void s0_log_dump(const struct s0_log *l);

/* A reset: the write protection of the last boot goes away. */
void s0_reset(struct lf_sim_device *d);

/* The sim's protect hook (lf_sim_flash_lock over the area; ctx = the device). */
int s0_protect(void *ctx, const struct lf_flash_area *fa);
/* The platform the tests boot with: all algorithms, s0_protect, lf_err_name. */
struct lf_stage0_platform s0_platform(struct lf_sim_device *d, struct s0_log *l);

/* Reset, clear the log, run stage 0 with s0_platform. */
int s0_boot(struct lf_sim_device *d, struct s0_log *l, struct lf_stage0_decision *dec);

/* The provision area's counter (asserting it is readable). */
int s0_counter(struct lf_sim_device *d, struct lf_provision_counter *c);

/* Invariant: every valid counter slot holds a value larger than the valid
 * slots before it (so exactly one value, the last, is the counter). 0 if so. */
int s0_counter_slots_increasing(struct lf_sim_device *d);

#endif
