#ifndef LF_SMP_SERVER_H
#define LF_SMP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lf/boot_record.h"
#include "lf/cbor.h"
#include "lf/flash_map.h"
#include "lf/image.h"
#include "lf/log.h"
#include "lf/smp_hdr.h"
#include "lf/smp_session.h"
#include "lf/stage0.h"

/*
 * The SMP (mcumgr) server: header handling, dispatch through const group
 * tables, replies shaped exactly as Zephyr's current server shapes them
 * (docs/smp-server.md), the OS group and the image group with a resumable,
 * progressively erasing upload (docs/smp-upload.md).
 *
 * Transport-independent: a transport hands a received packet (one or more
 * back-to-back SMP messages) to lf_smp_server_handle(), which passes each
 * response to a send callback. The server owns no buffer: the response
 * buffer comes from the configuration, all other state lives in the
 * caller-allocated struct lf_smp_server.
 *
 * Images: 0 = the application (slot 0 = APP_PRIMARY, running; slot 1 =
 * APP_SECONDARY), 1 = stage 1 (slot 0 = S0, slot 1 = S1; the active one is
 * the stage-0 handoff's). Erase takes the absolute slot index image*2+slot.
 */

#define LF_SMP_IMAGES 2u

/* Longest write alignment of an upload target this server can buffer. */
#define LF_SMP_WRITE_ALIGN_MAX 32u

/* Smallest response buffer accepted (an image state list of four slots). */
#define LF_SMP_RSP_MIN 512u

/* Longest OS info ("output") text. */
#define LF_SMP_OS_INFO_MAX 256u

/* ---- handlers and groups --------------------------------------------------- */

/*
 * One request being handled. A handler reads the request with
 * lf_smp_next_key() and the lf_cbor_read_* functions on `dec`, writes the
 * response body (key/value pairs of the open response map) with the
 * lf_cbor_enc_* functions on `enc`, and returns 0, or the value of
 * lf_smp_fail_rc() / lf_smp_fail_group() (non-zero). On failure the body
 * written so far is discarded and the error map is sent instead.
 */
struct lf_smp_ctx {
    struct lf_smp_server *srv;
    const struct lf_smp_hdr *hdr; /* the request's header */
    struct lf_cbor_dec dec;       /* positioned inside the request map */
    struct lf_cbor_enc enc;       /* inside the open response map */
    bool empty;                   /* no keys to read (zero-length or undecodable payload) */
    int dec_err;                  /* the payload is not a CBOR map (returned by request_end) */
    /* failure details (set by lf_smp_fail_*) */
    bool group_err;
    uint16_t rc; /* MGMT_ERR rc, or the group's own code when group_err */
    const char *rsn;
};

typedef int (*lf_smp_handler_fn)(struct lf_smp_ctx *c);

struct lf_smp_handler {
    lf_smp_handler_fn read;  /* op 0; NULL = not supported (ENOTSUP) */
    lf_smp_handler_fn write; /* op 2; NULL = not supported */
};

struct lf_smp_group {
    uint16_t id;
    uint8_t count; /* handlers[] entries, indexed by command id */
    const struct lf_smp_handler *handlers;
    int (*v1_rc)(uint16_t group_rc);       /* group error -> MGMT_ERR rc for v1 replies */
    void (*init)(struct lf_smp_server *s); /* at lf_smp_server_init; may be NULL */
};

/* The groups this module provides. A firmware lists the ones it links. */
extern const struct lf_smp_group lf_smp_group_os;
extern const struct lf_smp_group lf_smp_group_img;
/*
 * Stage 1's serial recovery: the same handlers, fewer commands (a firmware
 * that lists only these links none of the others: docs/smp-server.md
 * section 8). OS: echo, reset, mcumgr parameters, bootloader info ("",
 * "mode", "recovery"). Image: state read, and an upload as MCUboot's serial
 * recovery does it, straight into the application's primary slot (image 0
 * only; off 0 always starts over; no session, no resume, no "match"), with
 * every first-chunk check of lf_smp_group_img made before a byte is
 * written, plus: no image ROM-fixed elsewhere (a stage-1 image), and no
 * version older than a valid application found there at the start.
 */
extern const struct lf_smp_group lf_smp_group_os_recovery;
extern const struct lf_smp_group lf_smp_group_img_recovery;

/* Next key of the request map (false at its end, on a decode error or for
 * an empty payload). Unread values are skipped. */
bool lf_smp_next_key(struct lf_smp_ctx *c, struct lf_cbor_str *key);
/* Finish reading the request: LF_OK, or the decode error (a wrong value
 * type, a malformed map) for the handler to answer EINVAL with. */
int lf_smp_request_end(struct lf_smp_ctx *c);
/* Fail with an SMP-level rc (both versions answer {"rc": rc}). rsn may be
 * NULL; it must be a string that outlives the request (a literal). */
int lf_smp_fail_rc(struct lf_smp_ctx *c, uint16_t rc, const char *rsn);
/* Fail with a group error: v2 {"err": {"group", "rc"}}, v1 {"rc": v1_rc(rc)}. */
int lf_smp_fail_group(struct lf_smp_ctx *c, uint16_t rc, const char *rsn);

/* The reasons' texts cost flash (about 1 KB for the upload's alone). A
 * build with LF_SMP_RSN 0 (default: with numbers-only or no logs,
 * LF_LOG_LEVEL < 2) drops them at compile time: error replies and the
 * "last_error" query then carry the rc alone (the rc stays precise). */
#ifndef LF_SMP_RSN
#define LF_SMP_RSN (LF_LOG_LEVEL >= 2)
#endif
#if !LF_SMP_RSN
#define lf_smp_fail_rc(c, rc, rsn)    lf_smp_fail_rc(c, rc, ((void)sizeof(rsn), (const char *)0))
#define lf_smp_fail_group(c, rc, rsn) lf_smp_fail_group(c, rc, ((void)sizeof(rsn), (const char *)0))
#endif

/* An image version as SMP shows it: "maj.min.rev", or "maj.min.rev.build"
 * when build is non-zero (Zephyr's form). Writes at most cap bytes (NUL
 * included, cap >= 1); returns the text length. 32 bytes always suffice. */
size_t lf_smp_version_text(const struct lf_image_version *v, char *buf, size_t cap);

/* ---- platform and configuration ------------------------------------------ */

/* OS/application info strings (format characters of docs/reference/smp.md 2.1). NULL fields
 * read "unknown", except sysname ("Leapfrog") and build_time (NULL: the
 * 'b' character is not supported, as in Zephyr without build-date info). */
struct lf_smp_os_info {
    const char *sysname;    /* s */
    const char *nodename;   /* n */
    const char *release;    /* r */
    const char *version;    /* v */
    const char *build_time; /* b */
    const char *machine;    /* m */
    const char *processor;  /* p */
    const char *platform;   /* i */
    const char *os;         /* o */
};

struct lf_smp_platform {
    const struct lf_flash_map *map; /* the board's areas */
    const struct lf_log *log;       /* may be NULL */
    /* What stage 0 said at this boot; NULL or invalid: image 1 is not served
     * (state lists no S slot, uploads to it answer ACTIVE_SLOT_NOT_KNOWN). */
    const struct lf_stage0_handoff *handoff;
    /* Keys that uploaded images must verify with: [0] application keys,
     * [1] stage-1 root keys (also used for a stage-1 image uploaded to
     * image 0). NULL: that check is skipped (the boot chain checks anyway). */
    const struct lf_keyring *keys[LF_SMP_IMAGES];
    const struct lf_smp_os_info *os_info; /* may be NULL */
    void *ctx;                            /* passed to every callback */
    /* Asked before an SMP reset: LF_OK to accept, LF_E_BUSY to refuse (the
     * reply is then EBUSY, the client may retry with force). NULL: accept. */
    int (*reset_hook)(void *ctx, bool force);
    /* RTC access for OS datetime (ISO text, no NUL needed). NULL: ENOTSUP.
     * get writes at most cap bytes and returns the length, or a negative
     * error (RTC_NOT_SET); set returns LF_OK or an error (RTC_COMMAND_FAILED). */
    int (*datetime_get)(void *ctx, char *buf, size_t cap);
    int (*datetime_set)(void *ctx, const char *text, size_t len);
    /* The newest boot record (lf_boot_record_read of the STATE area, age 0)
     * for the bootloader info query "boot_record". NULL: query unanswered. */
    int (*boot_record)(void *ctx, struct lf_boot_record *rec);
    /* The server runs as stage 1's recovery: no valid application booted
     * (bootloader info query "recovery"). */
    bool recovery;
};

struct lf_smp_server_cfg {
    const struct lf_smp_group *const *groups; /* served groups */
    uint8_t group_count;
    uint8_t *rsp_buf; /* one response: header + CBOR; >= LF_SMP_RSP_MIN bytes */
    size_t rsp_cap;
    uint16_t buf_size;  /* reported by mcumgr params: the transport's receive buffer */
    uint16_t buf_count; /* ... and how many requests it can hold */
    int8_t boot_mode;   /* MCUboot mode number of the application's bootloader (3 = swap-move) */
    bool no_downgrade;  /* the bootloader refuses downgrades */
    /* Legacy reply shapes for older clients (cmcumgr, pre-3.3 tools), as a
     * single-image Zephyr build with CONFIG_MCUMGR_SMP_LEGACY_RC_BEHAVIOUR
     * and without CONFIG_IMG_ENABLE_IMAGE_CHECK replies: "rc": 0 in the
     * successful image upload and image erase replies only, no "match", no
     * "image" key, the state list holds image 0 only (docs/smp-server.md
     * section 6). Default (false): Zephyr's current shapes. */
    bool legacy_rc;
    bool verbose_err;            /* "rsn" with rc-shaped errors (v1, SMP-level) */
    bool rsn_v2;                 /* also "rsn" next to v2 "err" maps (smpclient rejects it) */
    const char *bootloader_name; /* bootloader info without query; NULL: "MCUboot" */
    uint32_t app_max_image_size; /* largest image 0 upload; 0: derived from the layout */
};

/* ---- the server -------------------------------------------------------------- */

/* The upload in progress (internal; docs/smp-upload.md section 2). */
struct lf_smp_upload_state {
    bool active;
    bool store_ok;    /* the session log is usable */
    bool cnt_checked; /* image 1: security counter checked */
    uint8_t image;
    uint8_t area_id;
    uint8_t sha_len;
    uint8_t tail_len; /* bytes [flushed, off) waiting in tail */
    uint32_t len;
    uint32_t off;         /* next offset expected (bytes accepted) */
    uint32_t flushed;     /* bytes on flash */
    uint32_t erased_upto; /* [0, erased_upto) known erased or written */
    uint32_t prot_off;    /* image 1: protected TLV area [prot_off, prot_end) */
    uint32_t prot_end;
    uint8_t sha[LF_SMP_SESSION_SHA_MAX];
    uint8_t tail[LF_SMP_WRITE_ALIGN_MAX];
    struct lf_smp_session_log log;
    /* Stage 1's recovery (lf_smp_group_img_recovery): the application's
     * primary slot held a valid image of version `floor` when it started;
     * no older one replaces it (the swap engine's downgrade rule). */
    bool has_floor;
    struct lf_image_version floor;
};

#define LF_SMP_LAST_ERR_RSN 80u /* longest reason kept for the "last_error" query */

/* The first error reply with a reason after a success: SMP v2 group errors carry no
 * "rsn" (smpclient refuses unknown keys), so clients ask for it afterwards
 * with the bootloader info query "last_error" (docs/smp-server.md). */
struct lf_smp_last_err {
    bool set;
    bool chained; /* errors since the last success: only the first is kept */
    uint16_t group;
    uint16_t rc; /* as sent: the group's code (v2) or the SMP rc (v1) */
    char rsn[LF_SMP_LAST_ERR_RSN];
};

struct lf_smp_server {
    const struct lf_smp_server_cfg *cfg;
    const struct lf_smp_platform *plat;
    bool reset_requested;
    struct lf_smp_last_err last_err;
    struct lf_smp_upload_state up;
};

/*
 * Check the configuration and load the persisted upload session (an upload
 * interrupted by a reset resumes from it). cfg and plat must outlive s.
 * LF_E_SMP_CONFIG on a bad configuration. A missing or unusable SMP_STATE
 * area is not an error: uploads then do not survive a reset (logged).
 */
int lf_smp_server_init(struct lf_smp_server *s, const struct lf_smp_server_cfg *cfg,
                       const struct lf_smp_platform *plat);

/* Called with each complete response; returns LF_OK or an error that stops
 * the processing of the packet. */
typedef int (*lf_smp_send_fn)(void *ctx, const uint8_t *msg, size_t len);

/*
 * Handle one transport packet pkt[0..len): every SMP message in it, in
 * order, one response each, stopping after the first error response (smp.md
 * 1.2). Trailing bytes shorter than a header are dropped; a message shorter
 * than its header announces gets ECORRUPT. Returns the number of responses
 * sent, or the send callback's error.
 */
int lf_smp_server_handle(struct lf_smp_server *s, const uint8_t *pkt, size_t len,
                         lf_smp_send_fn send, void *send_ctx);

/* True once a reset was accepted: the transport sends the reply, then the
 * caller resets (the virtual device restarts its serving loop). */
bool lf_smp_server_reset_pending(const struct lf_smp_server *s);

#endif
