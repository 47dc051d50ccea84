/*
 * lfmgr: what the device runs and trusts, the checks of a file against it
 * before a byte is sent, and the report after a reset lfmgr asked for
 * (docs/lfmgr.md, "Checks before sending" and "After a reset").
 */
#ifndef LFMGR_DEVCHECK_H
#define LFMGR_DEVCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "imgfile.h"
#include "lf/flash_map.h"
#include "lfmgr.h"

#define LFM_KEYS_MAX 8u

/* One slot of the device's image list. */
struct lfm_slot_fact {
    bool present, active, confirmed, pending, permanent;
    struct lf_image_version ver;
    char vtext[32];
    uint8_t hash[32];
};

/* What the device tells about itself; every part is optional (a device
 * that does not answer a question leaves its have_ flag false). */
struct lfm_dev {
    bool have_state;
    struct lfm_slot_fact s[2][2]; /* [image][slot] */
    bool have_s1;                 /* image 1 (stage 1) is listed */
    unsigned s1_active;           /* its active S slot */
    bool have_max[2];
    uint32_t max[2]; /* slot info: largest image the upload slot takes */
    bool have_app_keys, have_root_keys;
    unsigned napp, nroot;
    uint8_t app[LFM_KEYS_MAX][32], root[LFM_KEYS_MAX][32];
    char platform[64];            /* OS info "i" */
    const struct lf_board *board; /* the board that platform names, if lfmgr knows it */
    bool have_recovery, recovery;
    bool have_record; /* the newest boot record (Leapfrog's "boot_record" query) */
    uint64_t rec_seq, rec_action;
    int64_t rec_reason;
};

/* Ask the device (image list, slot info, bootloader-info queries "keys",
 * "recovery", "boot_record", OS info "i"). Returns LF_EXIT_OK, or
 * LF_EXIT_CONN when it does not answer the image list (message printed);
 * unanswered optional questions are not errors. */
int lfm_dev_read(struct lfm_session *s, struct lfm_dev *d);

/* The image list only (after a reset). */
int lfm_dev_read_state(struct lfm_session *s, struct lfm_dev *d);

/* What a signed image says about itself. */
struct lfm_img_facts {
    struct lfm_img_info info; /* header, SHA256 TLV */
    bool hash_ok;             /* the SHA256 TLV matches header + body + protected TLVs */
    bool has_key;
    uint8_t key_hash[32]; /* KEYHASH, or SHA-256 of the PUBKEY TLV */
    bool has_sec_cnt;
    uint32_t sec_cnt;
};

/* Structure and hash of p[0..len). Returns 0, or -1 with the reason in why
 * (not an image at all). A hash mismatch is hash_ok = false, not -1. */
int lfm_img_facts(const uint8_t *p, size_t len, struct lfm_img_facts *f, char *why, size_t cap);

/* CPU address of S0 / S1 on a board. */
uint32_t lfm_board_s_addr(const struct lf_board *b, unsigned slot);

/* Whether an image is a stage-1 image for board b (ROM_FIXED at S0 or S1);
 * *slot gets which. */
bool lfm_is_stage1_for(const struct lfm_img_facts *f, const struct lf_board *b, unsigned *slot);

/*
 * Everything the device would refuse, before sending: corrupt (hash),
 * too large for the slot, a key the device does not trust, an older
 * version than what runs, a stage-1 image for the wrong S slot (image 1,
 * or image 0: the SDK path). `file_len` is what would be sent, `image` the
 * SMP image number. Returns LF_EXIT_OK, or LF_EXIT_FILE with a message
 * naming the problem; with force the problem is printed as a warning and
 * LF_EXIT_OK returned. board: the device's board (may be NULL).
 */
int lfm_precheck(const char *what, const struct lfm_dev *d, const struct lf_board *board,
                 const struct lfm_img_facts *f, uint32_t file_len, uint32_t image, bool force);

/* What a reset is expected to bring up: an image with this hash active. */
struct lfm_expect {
    bool has;
    uint8_t hash[32];
};

/*
 * Reset the device (force: OS reset's "force"), wait for it to answer
 * again, and report what it runs: the expected image on trial or
 * confirmed, or not taken (reverted, refused) and why, from the boot
 * record. Without an expectation, one is derived from `before` (a slot
 * marked for test). Returns LF_EXIT_OK, LF_EXIT_DEVICE when an update did
 * not take, LF_EXIT_CONN when the device does not come back.
 */
int lfm_reset_and_report(struct lfm_session *s, const struct lfm_dev *before,
                         const struct lfm_expect *ex, bool force);

#endif
