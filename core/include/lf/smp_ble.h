#ifndef LF_SMP_BLE_H
#define LF_SMP_BLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * SMP over Bluetooth LE (docs/reference/smp.md 3.2): fragmentation and reassembly.
 *
 * A message larger than one ATT payload is sent as consecutive
 * writes/notifications with no extra framing; the receiver learns the message
 * size from the Data Length field of the 8-byte SMP header. The same two
 * pieces serve both sides: a server reassembles writes and fragments its
 * notifications, a client reassembles notifications and fragments its writes.
 * Pure functions over caller buffers; connection handling (reset on
 * disconnect, timeouts) is the caller's.
 */

#define LF_SMP_BLE_MTU_MIN  23u  /* ATT_MTU of LE without negotiation */
#define LF_SMP_BLE_MTU_MAX  517u /* largest ATT_MTU stacks negotiate */
#define LF_SMP_BLE_ATT_HDR  3u   /* opcode + handle in a write/notification */
#define LF_SMP_BLE_ATTR_MAX 512u /* longest attribute value (Bluetooth Core spec, ATT) */

/* Payload bytes per write/notification for an ATT_MTU: MTU - 3, capped at
 * the 512-byte attribute value limit (so MTU 517 gives 512, not 514). 0 if
 * mtu is outside LF_SMP_BLE_MTU_MIN..LF_SMP_BLE_MTU_MAX. */
size_t lf_smp_ble_chunk_size(unsigned mtu);

/* ---- fragmenting ------------------------------------------------------- */

/* Iterator over the fragments of one message (fields internal). */
struct lf_smp_ble_frag {
    const uint8_t *msg;
    size_t len;
    size_t off;   /* bytes handed out so far */
    size_t chunk; /* payload per fragment */
};

/* Prepare to send msg[0..len) (msg must stay valid while iterating; may be
 * NULL only when len is 0). LF_E_BLE_MTU if mtu is out of range. */
int lf_smp_ble_frag_init(struct lf_smp_ble_frag *f, const uint8_t *msg, size_t len, unsigned mtu);

/* Next fragment: true with *p, *n set (1..chunk bytes, all but the last
 * exactly chunk), false when the whole message was handed out. If sending a
 * fragment fails, the caller may retry it: copy the iterator before calling. */
bool lf_smp_ble_frag_next(struct lf_smp_ble_frag *f, const uint8_t **p, size_t *n);

/* ---- reassembling ------------------------------------------------------ */

struct lf_smp_ble_stats {
    uint32_t packets;   /* messages delivered */
    uint32_t too_big;   /* messages dropped because they exceed the buffer */
    uint32_t discarded; /* bytes thrown away as part of such messages */
};

/* Reassembly state (fields other than stats are internal). */
struct lf_smp_ble_rx {
    uint8_t *buf;   /* caller's storage: SMP header + payload */
    size_t cap;     /* its size (>= 8): the largest message accepted */
    size_t have;    /* bytes of the current message received */
    size_t need;    /* its full size once the header is complete, else 0 */
    size_t discard; /* bytes still to throw away of an oversized message */
    struct lf_smp_ble_stats stats;
};

/* Start reassembling into buf[0..cap). cap must be at least LF_SMP_HDR_SIZE
 * (otherwise every write fails with LF_E_INVAL). Zeroes the stats. */
void lf_smp_ble_rx_init(struct lf_smp_ble_rx *rx, uint8_t *buf, size_t cap);

/* Drop any partial message (on disconnect or a timeout); keeps the stats. */
void lf_smp_ble_rx_reset(struct lf_smp_ble_rx *rx);

/*
 * Take received bytes data[0..len) (one write or notification, or what is
 * left of one). Consumes bytes up to the end of the current message at most,
 * so several back-to-back messages in one write come out one per call:
 *
 *   size_t off = 0;
 *   while (off < len) {
 *       size_t used, msg_len;
 *       int err = lf_smp_ble_rx_write(&rx, data + off, len - off, &used, &msg_len);
 *       off += used;
 *       if (err == LF_E_BLE_TOO_BIG) { answer EMSGSIZE from the header in rx.buf }
 *       else if (msg_len) { handle rx.buf[0..msg_len) }
 *   }
 *
 * *used = bytes consumed (> 0 whenever len > 0). *msg_len = length of a
 * complete message now in rx->buf (valid until the next call), else 0.
 * Returns LF_OK, or LF_E_BLE_TOO_BIG once when a header announces a message
 * larger than cap: that header is left in rx->buf[0..8) and the message's
 * remaining bytes are discarded as they arrive. LF_E_INVAL if cap < 8.
 */
int lf_smp_ble_rx_write(struct lf_smp_ble_rx *rx, const uint8_t *data, size_t len, size_t *used,
                        size_t *msg_len);

#endif
