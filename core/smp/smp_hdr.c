/* The 8-byte SMP header (docs/reference/smp.md 1.1). */
#include "lf/smp_hdr.h"
#include "lf/err.h"

int lf_smp_hdr_encode(const struct lf_smp_hdr *h, uint8_t out[LF_SMP_HDR_SIZE])
{
    if (h->op > 7u || h->ver > 3u) {
        return LF_E_INVAL;
    }
    out[0] = (uint8_t)((h->ver << 3) | h->op);
    out[1] = h->flags;
    out[2] = (uint8_t)(h->len >> 8);
    out[3] = (uint8_t)h->len;
    out[4] = (uint8_t)(h->group >> 8);
    out[5] = (uint8_t)h->group;
    out[6] = h->seq;
    out[7] = h->id;
    return LF_OK;
}

int lf_smp_hdr_decode(const uint8_t *buf, size_t len, struct lf_smp_hdr *h)
{
    if (len < LF_SMP_HDR_SIZE) {
        return LF_E_SMP_HDR_SHORT;
    }
    h->op = buf[0] & 0x07u;
    h->ver = (buf[0] >> 3) & 0x03u;
    h->flags = buf[1];
    h->len = (uint16_t)((buf[2] << 8) | buf[3]);
    h->group = (uint16_t)((buf[4] << 8) | buf[5]);
    h->seq = buf[6];
    h->id = buf[7];
    if (h->len > len - LF_SMP_HDR_SIZE) {
        return LF_E_SMP_PAYLOAD_SHORT;
    }
    return LF_OK;
}
