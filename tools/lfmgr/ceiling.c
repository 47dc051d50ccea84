/* lfmgr: the serial framing's throughput ceiling (docs/lfmgr.md). */
#include "ceiling.h"

#include "lf/smp_client.h"
#include "lf/smp_serial.h"

uint64_t lfm_serial_upload_wire_bytes(uint32_t len, uint32_t from, size_t budget, uint32_t image,
                                      uint8_t sha_len, int upgrade)
{
    static const uint8_t zeros[LF_SMP_SHA_MAX];
    uint64_t wire = 0;
    uint32_t off = from;
    while (off < len) {
        struct lf_smp_chunk c = {0};
        uint32_t d;
        size_t m;
        c.off = off;
        c.first = off == 0;
        c.image = image;
        c.len = len;
        c.sha = sha_len ? zeros : NULL;
        c.sha_len = sha_len;
        c.upgrade = upgrade != 0;
        d = lf_smp_chunk_data_max(&c, budget);
        if (d == 0) {
            return 0;
        }
        if (d > len - off) {
            d = len - off;
        }
        c.data_len = d;
        m = lf_smp_chunk_msg_size(&c);
        wire += LF_SMP_SERIAL_ENC_SIZE((uint64_t)m);
        off += d;
    }
    return wire;
}

double lfm_serial_ceiling(uint32_t len, uint32_t from, size_t budget, uint32_t baud, uint32_t image,
                          uint8_t sha_len, int upgrade)
{
    uint64_t wire = lfm_serial_upload_wire_bytes(len, from, budget, image, sha_len, upgrade);
    if (wire == 0 || from >= len) {
        return 0.0;
    }
    return (double)(len - from) * ((double)baud / 10.0) / (double)wire;
}
