/*
 * Fuzz target for BLE reassembly and fragmentation.
 *
 * Input: [cap selector][mtu selector][stream...]. The stream is cut into
 * writes whose sizes come from the stream itself (one size byte, then that
 * many data bytes), fed through the documented consume loop. Checks: progress
 * on every call, delivered messages match their header's Data Length and fit
 * the buffer, and each delivered message fragmented with the chosen MTU and
 * reassembled again comes back identical.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "lf/smp_ble.h"
#include "lf/smp_hdr.h"

#define MAX_INPUT 16384

static void check_fragments(const uint8_t *msg, size_t len, unsigned mtu)
{
    struct lf_smp_ble_frag f;
    struct lf_smp_ble_rx rx;
    uint8_t *back = malloc(len);
    const uint8_t *p;
    size_t n, total = 0;
    unsigned got = 0;
    if (!back || lf_smp_ble_frag_init(&f, msg, len, mtu) != LF_OK) {
        abort();
    }
    lf_smp_ble_rx_init(&rx, back, len);
    while (lf_smp_ble_frag_next(&f, &p, &n)) {
        size_t used, m;
        if (n == 0 || n > lf_smp_ble_chunk_size(mtu) ||
            lf_smp_ble_rx_write(&rx, p, n, &used, &m) != LF_OK || used != n) {
            abort();
        }
        total += n;
        if (m) {
            if (m != len || total != len || memcmp(back, msg, len) != 0) {
                abort();
            }
            got++;
        }
    }
    if (got != 1) {
        abort();
    }
    free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > MAX_INPUT) {
        return 0;
    }
    size_t cap = 8 + (size_t)data[0] * 8;
    unsigned mtu = LF_SMP_BLE_MTU_MIN + (unsigned)data[1] * 2; /* 23..533 */
    if (mtu > LF_SMP_BLE_MTU_MAX) {
        mtu = LF_SMP_BLE_MTU_MAX;
    }
    data += 2;
    size -= 2;

    uint8_t *buf = malloc(cap);
    struct lf_smp_ble_rx rx;
    if (!buf) {
        abort();
    }
    lf_smp_ble_rx_init(&rx, buf, cap);
    size_t i = 0;
    while (i < size) {
        size_t wlen = data[i++];
        if (wlen > size - i) {
            wlen = size - i;
        }
        const uint8_t *w = data + i;
        i += wlen;
        size_t off = 0;
        while (off < wlen) {
            size_t used = 0, m = 0;
            int err = lf_smp_ble_rx_write(&rx, w + off, wlen - off, &used, &m);
            if (used == 0 || used > wlen - off || (err != LF_OK && err != LF_E_BLE_TOO_BIG)) {
                abort();
            }
            off += used;
            if (err == LF_E_BLE_TOO_BIG) {
                struct lf_smp_hdr h;
                lf_smp_hdr_decode(buf, LF_SMP_HDR_SIZE, &h);
                if (LF_SMP_HDR_SIZE + (size_t)h.len <= cap || m != 0) {
                    abort();
                }
                continue;
            }
            if (m) {
                struct lf_smp_hdr h;
                if (m > cap || lf_smp_hdr_decode(buf, m, &h) != LF_OK ||
                    m != LF_SMP_HDR_SIZE + (size_t)h.len) {
                    abort();
                }
                check_fragments(buf, m, mtu);
            }
        }
    }
    free(buf);
    return 0;
}
