/* Internal to the image group (core/smp/smp_img*.c). */
#ifndef LF_SMP_IMG_INT_H
#define LF_SMP_IMG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "lf/image.h"
#include "lf/smp_server.h"
#include "lf/trailer.h"

/* Image state flags (what the state list reports per slot). */
#define SMP_F_ACTIVE    0x01u
#define SMP_F_PENDING   0x02u
#define SMP_F_CONFIRMED 0x04u
#define SMP_F_PERMANENT 0x08u

/* Stage 0's reading of an S slot trailer (docs/stage0.md section 1). */
enum smp_s_state {
    SMP_S_FACTORY = 1,   /* T1: no trailer, counts as confirmed */
    SMP_S_BAD = 2,       /* T2/T3 */
    SMP_S_CONFIRMED = 3, /* T4 */
    SMP_S_PENDING = 4,   /* T5: one trial due */
    SMP_S_ABANDONED = 5, /* T6 */
};

/* What the server knows about one slot. */
struct smp_slot {
    const struct lf_flash_area *fa; /* NULL when the board has no such area */
    bool present;                   /* a sane header and one SHA256 TLV */
    struct lf_image_header hdr;     /* valid when present */
    uint8_t hash[LF_SHA256_SIZE];   /* the SHA256 TLV, when present */
    struct lf_trailer tr;           /* erased-state trailer when unreadable */
};

/* Both slots of one image and what they mean together. */
struct smp_image {
    uint8_t image;
    bool served;    /* image 1 needs a valid stage-0 handoff */
    uint8_t active; /* running slot (image 0: 0; image 1: the handoff's) */
    struct smp_slot slot[2];
    uint8_t flags[2];   /* SMP_F_* */
    bool in_use[2];     /* erase and upload refused (active, pending, or a fallback) */
    bool incomplete[2]; /* an unfinished upload writes this slot: listed as empty */
    /* image 0: the swap type the trailers request; image 1: S slot states */
    uint8_t swap_type;
    uint8_t s_state[2];
};

/* The flash area of image/slot, or NULL. */
const struct lf_flash_area *smp_img_area(const struct lf_smp_server *s, uint8_t image,
                                         uint8_t slot);

/* Read both slots of `image` and derive flags and use (docs/smp-server.md
 * section 4.1). Flash errors make a slot read as absent. */
void smp_img_load(const struct lf_smp_server *s, uint8_t image, struct smp_image *im);

/* The stage-0 handoff with `trial` refreshed from the active slot's trailer
 * (stage 1 confirms itself after the handoff was made). False when image 1
 * is not served. */
bool smp_img_handoff(const struct lf_smp_server *s, struct lf_stage0_handoff *h);

/* Largest image the upload target of `image` accepts (trailer excluded). */
uint32_t smp_img_max_size(const struct lf_smp_server *s, uint8_t image,
                          const struct lf_flash_area *target);

/* The SEC_CNT of the image in fa (0 when it has none). */
int smp_img_sec_cnt(const struct lf_flash_area *fa, const struct lf_image_header *hdr,
                    uint32_t *cnt);

/* Check a stage-1 security counter (lf_stage0_check_counter); 0 or the
 * failure reply. */
int smp_img_check_counter(struct lf_smp_ctx *c, uint32_t cnt);

/* Full validation of the image in fa with the keys its kind calls for
 * (skipped when the platform gives none); 0 or the failure reply. */
int smp_img_validate(struct lf_smp_ctx *c, uint8_t image, const struct lf_flash_area *fa);

/* Map stage-0 upload admission errors to replies. */
int smp_img_stage0_refusal(struct lf_smp_ctx *c, int err);

/* Erase every sector of [off, off+len) that is not already erased. */
int smp_img_erase_range(const struct lf_flash_area *fa, uint32_t off, uint32_t len);

/* Image group error -> v1 rc, as Zephyr translates them. */
int smp_img_v1_rc(uint16_t e);

/* Handlers. */
int smp_img_state_read(struct lf_smp_ctx *c);
int smp_img_state_write(struct lf_smp_ctx *c);
int smp_img_upload(struct lf_smp_ctx *c);
int smp_img_erase(struct lf_smp_ctx *c);
/* The legacy shape's "rc": 0, in the upload and erase replies only
 * (docs/smp-server.md section 6); nothing in the default shape. */
void smp_img_legacy_rc(struct lf_smp_ctx *c);
int smp_img_slot_info(struct lf_smp_ctx *c);

/* Upload session: restore at init, and drop (END) before anything else
 * touches a slot (erase). */
void smp_img_upload_init(struct lf_smp_server *s);
void smp_img_upload_drop(struct lf_smp_server *s);

/* ---- what the full upload (smp_img_upload.c) and stage 1's recovery
 * upload (smp_img_rec.c) share ---- */

/* One upload request (docs/reference/smp.md 2.2). */
struct smp_up_req {
    bool has_off;
    bool has_len;
    bool upgrade;
    uint32_t image;
    uint32_t off;
    uint32_t len;
    struct lf_cbor_str data;
    struct lf_cbor_str sha;
};

/* Results of smp_up_next_check besides a handler result (0 or failure). */
#define SMP_UP_WRITE (-1) /* write the chunk at u->off */
#define SMP_UP_GONE  (-2) /* the session's area is not in the map any more */

/* Decode the request; non-zero: malformed (the caller answers EINVAL). */
int smp_up_decode(struct lf_smp_ctx *c, struct smp_up_req *r);
/* A first chunk's request checks: a whole image header in data, len, the
 * image magic, sha at most 32 bytes. 0 (hdr decoded) or the failure reply. */
int smp_up_check_first(struct lf_smp_ctx *c, const struct smp_up_req *r,
                       struct lf_image_header *hdr);
/* A new upload of r into fa: len and the header's image within the slot
 * less its trailer, a sane header, data within len, and `upgrade`'s newer
 * version. 0 or the failure reply; nothing is written. */
int smp_up_admit(struct lf_smp_ctx *c, const struct smp_up_req *r,
                 const struct lf_image_header *hdr, const struct lf_flash_area *fa);
/* A continuation (off != 0): the expected-offset reply for a wrong offset
 * or no session, the overrun refusal, or SMP_UP_WRITE / SMP_UP_GONE. */
int smp_up_next_check(struct lf_smp_ctx *c, const struct smp_up_req *r,
                      const struct lf_flash_area **fa);
/* The success reply {"off": off} (with the legacy "rc": 0). */
int smp_up_reply_off(struct lf_smp_ctx *c, uint32_t off);
/* Append d[0..n) at u->flushed + tail (whole write units, the rest kept in
 * u->tail), erasing ahead of the data; flush: the tail padded with the
 * erased value. LF_OK or the flash error. */
int smp_up_put(struct lf_smp_upload_state *u, const struct lf_flash_area *fa, const uint8_t *d,
               uint32_t n);
int smp_up_flush(struct lf_smp_upload_state *u, const struct lf_flash_area *fa);
/* Erase (where not erased) the trailer region at the end of an application
 * slot: the first thing an image-0 upload writes. */
int smp_up_erase_trailer(const struct lf_flash_area *fa);

#endif
