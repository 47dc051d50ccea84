/*
 * Power cuts during SMP uploads (docs/smp-upload.md section 4). The flow is
 * a client that resumes like the Go CLI and smpclient do: first chunk with
 * the file's sha at off 0, then whatever offset the server asks for, to the
 * end. Every program and erase of the flow is cut (clean and torn, and a
 * second time during the resume); after each cut:
 *   - the session log reads back, and what a live session claims is true
 *     (the slot holds the upload's bytes up to its progress);
 *   - the resumed upload completes with "match": true;
 *   - the running images (application primary, the active S slot) and the
 *     provision area are untouched; the target slot holds the new image.
 * A fourth flow is a stage-1 upload whose security counter is below the
 * stored one: it is refused when SEC_CNT arrives, after the payload, and the
 * slot is erased again (docs/smp-upload.md 2.1). After every cut S1 must not
 * be a bootable image (no header, or the "upload in progress" mark still
 * there); the resumed client gets the same refusal and S1 ends erased.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/provision.h"
#include "lf/sha256.h"
#include "lf/smp_client.h"
#include "lf/smp_server.h"
#include "lf/trailer.h"
#include "powercut.h"
#include "smp_fixture.h"

#define IMG_CAP (64u * 1024u)

struct pc_case {
    uint8_t image;    /* upload target: 0 (app secondary) or 1 (S1) */
    uint8_t target;   /* area it lands in */
    uint32_t payload; /* image payload size */
    uint32_t chunk;   /* data bytes per request */
    uint32_t sec_cnt; /* image 1: its SEC_CNT (the stored counter is 3) */
    int64_t refuse;   /* expected image-group error of the last chunk, 0: none */
};

/* The fixed content of the scenario, rebuilt identically in every process. */
static size_t build(uint8_t which, const struct lf_sim_device *dev, uint32_t payload, uint32_t cnt,
                    uint8_t *out)
{
    struct img_opts o = {.major = 1, .payload = payload, .seed = (uint8_t)(10 + which)};
    if (which == 1 || which == 3) { /* a stage 1: for S0 (1) or S1 (3) */
        const struct lf_flash_area *fa =
            lf_sim_device_area(dev, which == 1 ? LF_AREA_S0 : LF_AREA_S1);
        o.flags = LF_IMAGE_F_ROM_FIXED;
        o.load_addr = lf_flash_area_addr(fa);
        o.has_sec_cnt = true;
        o.sec_cnt = cnt;
    }
    if (which >= 2) {
        o.minor = 1; /* the uploads are newer */
    }
    return img_make(out, IMG_CAP, &o);
}

static uint8_t img_a[IMG_CAP], img_b[IMG_CAP];

static int setup(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    (void)arg;
    static const uint8_t kh[1][LF_SHA256_SIZE] = {{9}};
    struct lf_provision_settings ps = {.key_count = 1,
                                       .key_type = {LF_KEY_ECDSA_P256},
                                       .key_hash = kh,
                                       .counter_slots = 4,
                                       .initial_counter = 3};
    int err = lf_provision_write(lf_sim_device_area(dev, LF_AREA_PROVISION), &ps);
    size_t n = build(0, dev, 3000, 3, img_a);
    const struct lf_flash_area *pri = lf_sim_device_area(dev, LF_AREA_APP_PRIMARY);
    const struct lf_flash_area *s0 = lf_sim_device_area(dev, LF_AREA_S0);
    if (!err) {
        err = lf_sim_flash_load(lf_sim_device_flash_of(dev, pri), pri->off, img_a, (uint32_t)n);
    }
    n = build(1, dev, 2000, 3, img_a);
    if (!err) {
        err = lf_sim_flash_load(lf_sim_device_flash_of(dev, s0), s0->off, img_a, (uint32_t)n);
    }
    if (err) {
        snprintf(why, why_len, "setup: %s", lf_err_str(err));
    }
    return err;
}

/* ---- the client ---------------------------------------------------------------- */

struct client {
    struct lf_smp_server srv;
    struct lf_smp_server_cfg cfg;
    struct lf_smp_platform plat;
    struct lf_stage0_handoff h;
    const struct lf_smp_group *groups[2];
    uint8_t rsp_buf[2048];
    uint8_t req[2048];
    uint8_t rsp[2048];
    size_t rsp_len;
};

static struct client C;

static int capture(void *ctx, const uint8_t *msg, size_t len)
{
    (void)ctx;
    memcpy(C.rsp, msg, len);
    C.rsp_len = len;
    return LF_OK;
}

static int server_up(struct lf_sim_device *dev)
{
    memset(&C, 0, sizeof(C));
    C.groups[0] = &lf_smp_group_os;
    C.groups[1] = &lf_smp_group_img;
    C.cfg.groups = C.groups;
    C.cfg.group_count = 2;
    C.cfg.rsp_buf = C.rsp_buf;
    C.cfg.rsp_cap = sizeof(C.rsp_buf);
    C.cfg.buf_size = 2048;
    C.cfg.buf_count = 1;
    C.cfg.boot_mode = 3;
    C.h.magic = LF_STAGE0_HANDOFF_MAGIC;
    C.h.slot = 0;
    C.h.version.major = 1;
    C.h.counter = 3;
    C.plat.map = &dev->map;
    C.plat.handoff = &C.h;
    return lf_smp_server_init(&C.srv, &C.cfg, &C.plat);
}

/* One upload request; returns the reply's off, or -1 with `why` filled, or
 * -2 for the refusal the case expects. */
static int64_t send_chunk(const struct pc_case *pc, const uint8_t *img, size_t len,
                          const uint8_t sha[32], uint32_t off, int *match, char *why,
                          size_t why_len)
{
    struct lf_smp_chunk c = {.off = off,
                             .data = img + off,
                             .data_len = len - off < pc->chunk ? (uint32_t)(len - off) : pc->chunk,
                             .first = off == 0,
                             .image = pc->image,
                             .len = (uint32_t)len,
                             .sha = sha,
                             .sha_len = 32};
    struct lf_smp_req r;
    size_t n;
    lf_smp_req_begin(&r, C.req, sizeof(C.req), LF_SMP_VER_2, (uint8_t)off);
    if (lf_smp_req_upload(&r, &c, &n) != LF_OK) {
        snprintf(why, why_len, "request encoding failed");
        return -1;
    }
    C.rsp_len = 0;
    if (lf_smp_server_handle(&C.srv, C.req, n, capture, NULL) != 1) {
        snprintf(why, why_len, "no reply at off %u", off);
        return -1;
    }
    struct lf_smp_rsp rsp;
    uint32_t next;
    enum lf_smp_match m;
    if (lf_smp_rsp_parse(C.rsp, C.rsp_len, &rsp)) {
        snprintf(why, why_len, "unparsable reply at off %u", off);
        return -1;
    }
    if (pc->refuse && rsp.err_rc == pc->refuse && off + c.data_len == len) {
        return -2;
    }
    if (!lf_smp_rsp_ok(&rsp) || lf_smp_rsp_upload(&rsp, &next, &m)) {
        snprintf(why, why_len, "error reply at off %u (rc %lld err %lld)", off, (long long)rsp.rc,
                 (long long)rsp.err_rc);
        return -1;
    }
    *match = m == LF_SMP_MATCH_TRUE ? 1 : m == LF_SMP_MATCH_FALSE ? 0 : -1;
    return next;
}

static int upload(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_case *pc = arg;
    int err = server_up(dev);
    if (err) {
        snprintf(why, why_len, "server init: %s", lf_err_str(err));
        return -1;
    }
    size_t len = build(pc->image ? 3 : 2, dev, pc->payload, pc->sec_cnt, img_b);
    uint8_t sha[32];
    lf_sha256(img_b, len, sha);
    int match = -1;
    int64_t off = 0;
    for (int rounds = 0; rounds < 10000; rounds++) {
        off = send_chunk(pc, img_b, len, sha, (uint32_t)off, &match, why, why_len);
        if (off == -2) {
            return 0;
        }
        if (off < 0) {
            return -1;
        }
        if (pc->refuse && (size_t)off == len) {
            snprintf(why, why_len, "upload accepted, expected refusal %lld", (long long)pc->refuse);
            return -1;
        }
        if ((size_t)off == len) {
            if (match != 1) {
                snprintf(why, why_len, "final match %d", match);
                return -1;
            }
            return 0;
        }
    }
    snprintf(why, why_len, "no progress");
    return -1;
}

/* What the session log says after a cut must be true. */
static int session_claim_holds(struct lf_sim_device *dev, const struct pc_case *pc, char *why,
                               size_t why_len)
{
    struct lf_smp_session_log log;
    int err = lf_smp_session_load(&log, lf_sim_device_area(dev, LF_AREA_SMP_STATE));
    if (err) {
        snprintf(why, why_len, "session log unreadable: %s", lf_err_str(err));
        return -1;
    }
    if (!log.have || log.s.ended || log.s.progress == 0) {
        return 0;
    }
    size_t len = build(pc->image ? 3 : 2, dev, pc->payload, pc->sec_cnt, img_b);
    const struct lf_flash_area *fa = lf_sim_device_area(dev, log.s.area_id);
    static uint8_t got[IMG_CAP];
    if (!fa || log.s.len != len || log.s.progress > len ||
        lf_flash_area_read(fa, 0, got, log.s.progress) || memcmp(got, img_b, log.s.progress) != 0) {
        snprintf(why, why_len, "session claims %u bytes the slot does not hold", log.s.progress);
        return -1;
    }
    return 0;
}

/* A stage 0 never boots S1 as it stands: no image header, or the upload
 * mark (swap_size unit written as 0) that only `image test` replaces. */
static int s1_not_bootable(struct lf_sim_device *dev, char *why, size_t why_len)
{
    const struct lf_flash_area *fa = lf_sim_device_area(dev, LF_AREA_S1);
    uint8_t raw[4];
    struct lf_trailer tr;
    if (lf_flash_area_read(fa, 0, raw, sizeof(raw))) {
        snprintf(why, why_len, "S1 unreadable");
        return -1;
    }
    uint32_t magic =
        (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 | (uint32_t)raw[3] << 24;
    if (magic == LF_IMAGE_MAGIC &&
        (lf_trailer_read(fa, &tr) || tr.swap_size != 0 || tr.magic != LF_MAGIC_UNSET)) {
        snprintf(why, why_len, "S1 holds a header without the upload mark");
        return -1;
    }
    return 0;
}

static int resume(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_case *pc = arg;
    if (session_claim_holds(dev, arg, why, why_len)) {
        return -1;
    }
    if (pc->refuse && s1_not_bootable(dev, why, why_len)) {
        return -1;
    }
    return upload(dev, arg, why, why_len);
}

static int same_bytes(struct lf_sim_device *dev, uint8_t area, const uint8_t *want, size_t len,
                      const char *what, char *why, size_t why_len)
{
    static uint8_t got[IMG_CAP];
    const struct lf_flash_area *fa = lf_sim_device_area(dev, area);
    if (lf_flash_area_read(fa, 0, got, (uint32_t)len) || memcmp(got, want, len) != 0) {
        snprintf(why, why_len, "%s differs", what);
        return -1;
    }
    return 0;
}

static int check(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct pc_case *pc = arg;
    size_t n = build(0, dev, 3000, 3, img_a);
    if (same_bytes(dev, LF_AREA_APP_PRIMARY, img_a, n, "running application", why, why_len)) {
        return -1;
    }
    n = build(1, dev, 2000, 3, img_a);
    if (same_bytes(dev, LF_AREA_S0, img_a, n, "active stage 1", why, why_len)) {
        return -1;
    }
    n = build(pc->image ? 3 : 2, dev, pc->payload, pc->sec_cnt, img_b);
    if (pc->refuse) {
        static uint8_t got[IMG_CAP];
        const struct lf_flash_area *fa = lf_sim_device_area(dev, pc->target);
        if (fa->size > IMG_CAP || lf_flash_area_read(fa, 0, got, fa->size)) {
            snprintf(why, why_len, "target unreadable");
            return -1;
        }
        for (uint32_t i = 0; i < fa->size; i++) {
            if (got[i] != 0xff) {
                snprintf(why, why_len, "refused upload left byte %u of the slot", i);
                return -1;
            }
        }
    } else if (same_bytes(dev, pc->target, img_b, n, "uploaded image", why, why_len)) {
        return -1;
    }
    struct lf_smp_session_log log;
    if (lf_smp_session_load(&log, lf_sim_device_area(dev, LF_AREA_SMP_STATE)) || !log.have ||
        !log.s.ended) {
        snprintf(why, why_len, "session not ended");
        return -1;
    }
    struct lf_provision p;
    struct lf_provision_counter cnt;
    const struct lf_flash_area *prov = lf_sim_device_area(dev, LF_AREA_PROVISION);
    if (lf_provision_read(prov, &p) || lf_provision_counter_read(prov, &p, &cnt) ||
        cnt.value != 3 || cnt.used != 1) {
        snprintf(why, why_len, "provision area changed");
        return -1;
    }
    return 0;
}

static void run_case(const char *name, const struct lf_board *board, struct pc_case *pc)
{
    struct lf_pc_scenario s = {
        .name = name,
        .board = board,
        .arg = pc,
        .setup = setup,
        .run = upload,
        .resume = resume,
        .check = check,
    };
    struct lf_pc_options opt = {
        .work_dir = LF_BINARY_DIR "/powercut-work",
        .double_cut = true,
        .double_stride = 5,
    };
    struct lf_pc_result res;
    assert_int_equal(lf_pc_run(&s, &opt, &res), 0);
    assert_true(res.ops > 10);
    assert_true(res.cuts >= 2 * res.ops);
    assert_int_equal(res.failures, 0);
}

static void test_upload_image0_internal(void **state)
{
    (void)state;
    struct pc_case pc = {
        .image = 0, .target = LF_AREA_APP_SECONDARY, .payload = 12000, .chunk = 700};
    run_case("smp-upload/image0/nrf52840dk", &lf_board_nrf52840dk, &pc);
}

static void test_upload_image0_qspi(void **state)
{
    (void)state;
    struct pc_case pc = {
        .image = 0, .target = LF_AREA_APP_SECONDARY, .payload = 9000, .chunk = 1000};
    run_case("smp-upload/image0/nrf52840dk-qspi", &lf_board_nrf52840dk_qspi, &pc);
}

static void test_upload_stage1(void **state)
{
    (void)state;
    struct pc_case pc = {
        .image = 1, .target = LF_AREA_S1, .payload = 10000, .chunk = 900, .sec_cnt = 3};
    run_case("smp-upload/image1/nrf52840dk", &lf_board_nrf52840dk, &pc);
}

static void test_upload_stage1_counter_refused(void **state)
{
    (void)state;
    struct pc_case pc = {.image = 1,
                         .target = LF_AREA_S1,
                         .payload = 10000,
                         .chunk = 900,
                         .sec_cnt = 2,
                         .refuse = LF_SMP_IMG_ERR_CURRENT_VERSION_IS_NEWER};
    run_case("smp-upload/image1-refused/nrf52840dk", &lf_board_nrf52840dk, &pc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_upload_image0_internal),
        cmocka_unit_test(test_upload_image0_qspi),
        cmocka_unit_test(test_upload_stage1),
        cmocka_unit_test(test_upload_stage1_counter_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
