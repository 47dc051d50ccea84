/*
 * SMP over BLE: split messages into ATT-sized fragments, and rebuild them
 * from the SMP header's Data Length (the first 8 bytes say how many follow).
 */
#include "lf/smp_ble.h"
#include "lf/err.h"
#include "lf/smp_hdr.h"

#include <string.h>

size_t lf_smp_ble_chunk_size(unsigned mtu)
{
    if (mtu < LF_SMP_BLE_MTU_MIN || mtu > LF_SMP_BLE_MTU_MAX) {
        return 0;
    }
    size_t n = mtu - LF_SMP_BLE_ATT_HDR;
    return n < LF_SMP_BLE_ATTR_MAX ? n : LF_SMP_BLE_ATTR_MAX;
}

int lf_smp_ble_frag_init(struct lf_smp_ble_frag *f, const uint8_t *msg, size_t len, unsigned mtu)
{
    size_t chunk = lf_smp_ble_chunk_size(mtu);
    if (chunk == 0) {
        return LF_E_BLE_MTU;
    }
    if (msg == NULL && len > 0) {
        return LF_E_INVAL;
    }
    f->msg = msg;
    f->len = len;
    f->off = 0;
    f->chunk = chunk;
    return LF_OK;
}

bool lf_smp_ble_frag_next(struct lf_smp_ble_frag *f, const uint8_t **p, size_t *n)
{
    if (f->off >= f->len) {
        return false;
    }
    size_t left = f->len - f->off;
    *p = f->msg + f->off;
    *n = left < f->chunk ? left : f->chunk;
    f->off += *n;
    return true;
}

void lf_smp_ble_rx_init(struct lf_smp_ble_rx *rx, uint8_t *buf, size_t cap)
{
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = buf ? cap : 0;
}

void lf_smp_ble_rx_reset(struct lf_smp_ble_rx *rx)
{
    rx->have = 0;
    rx->need = 0;
    rx->discard = 0;
}

int lf_smp_ble_rx_write(struct lf_smp_ble_rx *rx, const uint8_t *data, size_t len, size_t *used,
                        size_t *msg_len)
{
    *used = 0;
    *msg_len = 0;
    if (rx->cap < LF_SMP_HDR_SIZE || (data == NULL && len > 0)) {
        return LF_E_INVAL;
    }
    if (len == 0) {
        return LF_OK;
    }
    if (rx->discard > 0) {
        size_t n = len < rx->discard ? len : rx->discard;
        rx->discard -= n;
        rx->stats.discarded += (uint32_t)n;
        *used = n;
        return LF_OK;
    }
    size_t off = 0;
    if (rx->need == 0) {
        /* Collect the header first. */
        size_t n = LF_SMP_HDR_SIZE - rx->have;
        n = len < n ? len : n;
        memcpy(rx->buf + rx->have, data, n);
        rx->have += n;
        off = n;
        if (rx->have < LF_SMP_HDR_SIZE) {
            *used = off;
            return LF_OK;
        }
        size_t payload = ((size_t)rx->buf[2] << 8) | rx->buf[3];
        rx->need = LF_SMP_HDR_SIZE + payload;
        if (rx->need > rx->cap) {
            rx->stats.too_big++;
            rx->discard = payload;
            rx->have = 0;
            rx->need = 0;
            *used = off;
            return LF_E_BLE_TOO_BIG;
        }
    }
    size_t n = rx->need - rx->have;
    n = len - off < n ? len - off : n;
    memcpy(rx->buf + rx->have, data + off, n);
    rx->have += n;
    *used = off + n;
    if (rx->have == rx->need) {
        *msg_len = rx->have;
        rx->stats.packets++;
        rx->have = 0;
        rx->need = 0;
    }
    return LF_OK;
}
