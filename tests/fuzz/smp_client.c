/* Fuzz target: the SMP client's reply decoding (core/smp/smp_client_rsp.c)
 * and the upload bookkeeping fed from it: every byte a device sends back. */
#include <stddef.h>
#include <stdint.h>

#include "lf/smp_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct lf_smp_hdr req = {LF_SMP_OP_WRITE, LF_SMP_VER_2, 0, 0, 1, 0, 1};
    struct lf_smp_rsp rsp;
    struct lf_smp_image_slot slots[4];
    struct lf_smp_upload u;
    struct lf_cbor_str s;
    enum lf_smp_match m;
    uint64_t v;
    int64_t i;
    bool b;
    size_t n;
    uint32_t off;
    if (lf_smp_rsp_parse(data, size, &rsp) != 0) {
        return 0;
    }
    (void)lf_smp_rsp_matches(&req, &rsp);
    (void)lf_smp_rsp_ok(&rsp);
    (void)lf_smp_rc_name(rsp.rc);
    (void)lf_smp_group_err_name(rsp.err_group, rsp.err_rc);
    (void)lf_smp_rsp_uint(&rsp, "buf_size", &v);
    (void)lf_smp_rsp_int(&rsp, "mode", &i);
    (void)lf_smp_rsp_bool(&rsp, "match", &b);
    (void)lf_smp_rsp_text(&rsp, "r", &s);
    (void)lf_smp_rsp_image_state(&rsp, slots, 4, &n);
    if (lf_smp_rsp_upload(&rsp, &off, &m) == 0 &&
        lf_smp_upload_init(&u, 100000, NULL, 0, 0, false, 16) == 0 &&
        lf_smp_upload_reply(&u, off, m) == 0 && !u.done) {
        struct lf_smp_chunk c;
        (void)lf_smp_upload_chunk(&u, u.off, 512, &c);
    }
    return 0;
}
