#ifndef LFMGR_FAKE_SMP_H
#define LFMGR_FAKE_SMP_H

/*
 * A fake SMP server for lfmgr's tests, built from the same core CBOR, header,
 * serial and BLE code as the real one, with Zephyr's upload semantics
 * (docs/reference/smp.md 4) and fault injection. One message in, at most one out.
 * Serving loops (threads) over a pty, UDP and the simulated BLE link, and an
 * in-process lfm_conn for deterministic tests (a missing reply is an
 * immediate timeout).
 */

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lfmgr.h"

#define FAKE_SLOT_MAX (256u * 1024u)
#define FAKE_DROP_MAX 16u
#define FAKE_IMAGES   4u

struct fake_image {
    uint32_t image, slot;
    const char *version;
    uint8_t hash[32];
    bool active, confirmed, pending;
};

struct fake_smp {
    /* configuration */
    uint32_t buf_size, buf_count;
    bool v1_only;      /* answer with Ver 0 and v1-shaped errors whatever the request */
    bool reject_v2;    /* answer v2 requests with rc 13 (UNSUPPORTED_TOO_NEW) */
    bool legacy_rc;    /* put "rc": 0 in successful replies */
    bool no_params;    /* params -> rc 8 ENOTSUP */
    int active_b0;     /* answer to active_b0_slot; -1 = os err QUERY_YIELDS_NO_ANSWER */
    uint32_t slot_max; /* largest upload accepted (<= FAKE_SLOT_MAX) */
    bool report_match;
    bool corrupt_write; /* flip a bit of the stored data: the final match is false */
    /* fault injection on upload requests, numbered from 1 */
    uint32_t drop_at[FAKE_DROP_MAX]; /* no reply to these */
    unsigned ndrop;
    uint32_t lose_session_at; /* forget the session just before this one */
    uint32_t fail_at;         /* reply an image-group error to this one */
    uint32_t fail_rc;
    /* images listed by state read */
    struct fake_image images[FAKE_IMAGES];
    unsigned nimages;

    /* state and observations */
    bool session;
    uint32_t off, size, image;
    uint8_t sha[32];
    uint8_t sha_len;
    bool upgrade;
    uint8_t slot[FAKE_SLOT_MAX];
    uint32_t n_upload;      /* upload requests seen */
    uint32_t n_first;       /* upload requests with off 0 */
    uint32_t n_new_session; /* first chunks that started a new upload */
    uint32_t n_wrong_off;   /* continuation requests answered with another offset */
    uint32_t n_requests;
    uint32_t max_msg; /* largest request message seen */
    uint8_t last_ver; /* Ver of the last request */
    uint32_t erases;
    int erase_slot; /* -1 = no "slot" key */
    bool got_set;
    bool set_confirm;
    bool set_has_hash;
    uint8_t set_hash[32];
    uint32_t resets;
    uint32_t finished; /* uploads completed (off == size) */
};

/* Defaults: buf_size 1024, buf_count 4, active S0, slot_max 256 KiB, match on. */
void fake_smp_init(struct fake_smp *f);

/* Handle one request message; returns the reply length (0 = no reply). */
size_t fake_smp_handle(struct fake_smp *f, const uint8_t *req, size_t len, uint8_t *rsp,
                       size_t cap);

/* ---- serving ------------------------------------------------------------------------ */

enum fake_kind { FAKE_UDP, FAKE_PTY, FAKE_BLE };

struct fake_srv {
    struct fake_smp *f;
    enum fake_kind kind;
    int fd;
    uint16_t port;    /* FAKE_UDP */
    char path[108];   /* FAKE_PTY: slave device; FAKE_BLE: socket path */
    char spec[160];   /* --conn spec for lfmgr */
    uint32_t ble_mtu; /* FAKE_BLE: the device's MTU */
    bool garbage;     /* FAKE_PTY: send console noise and a corrupt frame before replies */
    volatile bool stop;
    pthread_t thread;
    pthread_mutex_t lock; /* held while handling a message */
};

/* Start serving f; returns 0 or -1. */
int fake_srv_start(struct fake_srv *s, struct fake_smp *f, enum fake_kind kind);
void fake_srv_stop(struct fake_srv *s);

/* An in-process connection to f: send() handles the request at once and
 * queues the reply; recv() returns it, or LFM_TIMEOUT at once if none. */
void fake_conn_init(struct lfm_conn *c, struct fake_smp *f, enum lfm_conn_kind kind);

#endif
