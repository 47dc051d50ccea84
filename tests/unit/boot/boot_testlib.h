/*
 * Host-only helpers for the boot engine's tests, power-cut scenarios and
 * bench: MCUboot-format images signed with OpenSSL (an implementation
 * independent of core/image), virtual devices, and one-call boots.
 */
#ifndef LF_BOOT_TESTLIB_H
#define LF_BOOT_TESTLIB_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/boot.h"
#include "lf/boot_record.h"
#include "sim_device.h"

/* ---- keys ------------------------------------------------------------------ */

struct bt_key {
    void *pkey;       /* EVP_PKEY */
    uint8_t type;     /* enum lf_key_type */
    uint8_t der[128]; /* SubjectPublicKeyInfo */
    uint16_t der_len;
};

/* Load a PEM private key from the shared imgtool vectors ("ecdsa-p256.pem",
 * "ecdsa-p256-wrong.pem", "ed25519.pem"). Returns 0 or -1. */
int bt_key_load(struct bt_key *k, const char *name);
void bt_key_free(struct bt_key *k);

/* A keyring trusting exactly `k` (both signature algorithms configured). */
struct bt_keyring {
    struct lf_pubkey key;
    struct lf_keyring ring;
};
void bt_keyring_init(struct bt_keyring *kr, const struct bt_key *k);

/* ---- images ------------------------------------------------------------------ */

struct bt_image_spec {
    const struct bt_key *key;
    struct lf_image_version ver;
    uint32_t payload_len;
    uint32_t seed;     /* payload pattern */
    uint16_t hdr_size; /* 0: 0x200 */
    bool has_sec_cnt;
    uint32_t sec_cnt;
    uint32_t flags;
    uint32_t load_addr;
};

struct bt_image {
    uint8_t *data;
    uint32_t len; /* the image extent */
};

/* Header, payload, [SEC_CNT], SHA256, KEYHASH and signature TLVs, as imgtool
 * lays them out. Returns 0 or -1. */
int bt_image_make(const struct bt_image_spec *s, struct bt_image *img);
void bt_image_free(struct bt_image *img);

/* ---- virtual devices ------------------------------------------------------------ */

/* Create an erased device for `board` in LF_BINARY_DIR/boot-test/<name>. */
int bt_dev_create(struct lf_sim_device *d, const char *name, const struct lf_board *board);
/* Factory-program bytes into an area (no flash rules, not counted). */
int bt_dev_load(struct lf_sim_device *d, uint8_t area, uint32_t off, const void *data,
                uint32_t len);
/* Program bytes through the checked flash API (counted), e.g. an upload. */
int bt_area_write(const struct lf_flash_area *fa, uint32_t off, const void *data, uint32_t len);
/* The area holds exactly these bytes at off. */
bool bt_area_has(const struct lf_flash_area *fa, uint32_t off, const void *data, uint32_t len);
/* [off, off+len) is erased. */
bool bt_area_erased(const struct lf_flash_area *fa, uint32_t off, uint32_t len);

/* ---- boots -------------------------------------------------------------------- */

struct bt_boot_opts {
    const struct lf_boot_strategy *strategy;
    const struct lf_keyring *keys;
    uint8_t flags;  /* LF_BOOT_F_* */
    bool log;       /* print the engine's log lines */
    bool no_record; /* leave the STATE area alone (cost measurements) */
    void *hook_ctx;
    int (*classify)(void *hook_ctx, uint8_t image_num, const struct lf_flash_area *secondary,
                    const struct lf_image_header *hdr, int *reason);
    int (*sec_cnt_get)(void *hook_ctx, uint8_t image_num, uint32_t *value);
    int (*sec_cnt_set)(void *hook_ctx, uint8_t image_num, uint32_t value);
};

/* One boot of the engine on the device's APP_PRIMARY / APP_SECONDARY /
 * SCRATCH / STATE areas. Returns lf_boot_go's result. */
int bt_boot(struct lf_sim_device *d, const struct bt_boot_opts *o, struct lf_boot_result *res);

/* The trailer of an area (asserting-free wrapper; all-zero on error). */
struct lf_trailer bt_trailer(const struct lf_flash_area *fa);

#endif
