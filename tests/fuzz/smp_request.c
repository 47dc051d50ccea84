/*
 * Fuzz target: SMP requests through the whole server (header, dispatch,
 * CBOR decoding, OS and image groups, the upload state machine and its
 * session log) on a RAM flash device; built with FUZZ_SMP_RECOVERY=1
 * (fuzz_smp_recovery), through stage 1's recovery tables instead.
 *
 * Input: byte 0 selects options (bit 0 legacy shapes, 1 verbose errors,
 * 2 rsn in v2, 3 no stage-0 handoff, 4 S1 active, 5 active on trial, 6
 * re-initialise the server after every packet = a device reset), then
 * packets as [length BE16][bytes]...; a truncated tail is one last packet.
 *
 * The device starts the same for every input: an application in the
 * primary slot, a stage 1 in S0 (or S1), a provisioned counter. Oracles,
 * besides the sanitizers: every response is a well-formed SMP message
 * whose header mirrors its request (op + 1, version capped at 1, group,
 * sequence, command) and whose payload is one CBOR map; the running images
 * (primary application bytes, active S slot bytes) and the provision area
 * never change; a session the log claims live says true things about its
 * slot's size.
 */
#ifndef FUZZ_SMP_RECOVERY
#define FUZZ_SMP_RECOVERY 0
#endif
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf/err.h"
#include "lf/provision.h"
#include "lf/sha256.h"
#include "lf/smp_server.h"

#define INT_SIZE (256u * 1024u)
#define OTP_SIZE 4096u

/* A small board so that uploads can complete within an input. */
static const struct lf_flash_geometry geo_int = {
    .part = "fuzz-internal",
    .size = INT_SIZE,
    .run_count = 1,
    .erase_value = 0xFF,
    .write_align = 4,
    .runs = {{64, 4096}},
};
static const struct lf_flash_geometry geo_otp = {
    .part = "fuzz-otp",
    .size = OTP_SIZE,
    .run_count = 1,
    .erase_value = 0xFF,
    .flags = LF_FLASH_F_OTP,
    .write_align = 4,
    .runs = {{1, 4096}},
};
static const struct lf_board board = {
    .name = "fuzz",
    .dev_geo = {&geo_int, NULL, &geo_otp},
    .dev_map_addr = {0, LF_FLASH_NOT_MAPPED, LF_FLASH_NOT_MAPPED},
    .areas =
        {
            [LF_AREA_STAGE0] = {LF_DEV_INTERNAL, 0x00000, 0x4000},
            [LF_AREA_S0] = {LF_DEV_INTERNAL, 0x04000, 0x4000},
            [LF_AREA_S1] = {LF_DEV_INTERNAL, 0x08000, 0x4000},
            [LF_AREA_STATE] = {LF_DEV_INTERNAL, 0x0C000, 0x2000},
            [LF_AREA_SMP_STATE] = {LF_DEV_INTERNAL, 0x0E000, 0x2000},
            [LF_AREA_APP_PRIMARY] = {LF_DEV_INTERNAL, 0x10000, 0x18000},
            [LF_AREA_APP_SECONDARY] = {LF_DEV_INTERNAL, 0x28000, 0x18000},
            [LF_AREA_PROVISION] = {LF_DEV_OTP, 0, 0x1000},
        },
    .counter_slots = 4,
    .image_header_size = 32,
};

struct ramdev {
    uint8_t *mem;
    uint32_t size;
};

static int ram_read(void *ctx, uint32_t off, void *buf, uint32_t len)
{
    struct ramdev *r = ctx;
    memcpy(buf, r->mem + off, len);
    return LF_OK;
}

static int ram_program(void *ctx, uint32_t off, const void *buf, uint32_t len)
{
    struct ramdev *r = ctx;
    const uint8_t *b = buf;
    for (uint32_t i = 0; i < len; i++) {
        r->mem[off + i] &= b[i]; /* NOR: a program only clears bits */
    }
    return LF_OK;
}

static int ram_erase(void *ctx, uint32_t off, uint32_t len)
{
    struct ramdev *r = ctx;
    memset(r->mem + off, 0xFF, len);
    return LF_OK;
}

static const struct lf_flash_ops ram_ops = {ram_read, ram_program, ram_erase};

static uint8_t mem_int[INT_SIZE], mem_otp[OTP_SIZE];
static uint8_t snap_int[INT_SIZE], snap_otp[OTP_SIZE];
static struct ramdev rd_int = {mem_int, INT_SIZE}, rd_otp = {mem_otp, OTP_SIZE};
static struct lf_flash_dev dev_int = {&geo_int, &ram_ops, &rd_int, 0};
static struct lf_flash_dev dev_otp = {&geo_otp, &ram_ops, &rd_otp, LF_FLASH_NOT_MAPPED};
static struct lf_flash_map map;
static size_t app_len, s0_len, s1_len;

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

/* Header, payload, SEC_CNT (stage 1), SHA256 TLV, written at area offset 0. */
static size_t place_image(uint8_t area, uint8_t minor, uint32_t flags, uint32_t payload)
{
    const struct lf_flash_area *fa = lf_flash_map_area(&map, area);
    uint8_t *p = mem_int + fa->off;
    bool st1 = flags != 0;
    uint32_t prot = st1 ? 12u : 0u;
    memset(p, 0, 32);
    put32(p, LF_IMAGE_MAGIC);
    put32(p + 4, st1 ? lf_flash_area_addr(fa) : 0u);
    put16(p + 8, 32);
    put16(p + 10, prot);
    put32(p + 12, payload);
    put32(p + 16, flags);
    p[20] = 1;
    p[21] = minor;
    for (uint32_t i = 0; i < payload; i++) {
        p[32 + i] = (uint8_t)(i * 13u + area);
    }
    uint32_t n = 32 + payload;
    if (st1) {
        put16(p + n, LF_IMAGE_TLV_PROT_INFO);
        put16(p + n + 2, 12);
        put16(p + n + 4, LF_TLV_SEC_CNT);
        put16(p + n + 6, 4);
        put32(p + n + 8, 3);
        n += 12;
    }
    uint8_t h[32];
    lf_sha256(p, n, h);
    put16(p + n, LF_IMAGE_TLV_INFO);
    put16(p + n + 2, 40);
    put16(p + n + 4, LF_TLV_SHA256);
    put16(p + n + 6, 32);
    memcpy(p + n + 8, h, 32);
    return n + 40;
}

static void init_once(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    memset(mem_int, 0xFF, sizeof(mem_int));
    memset(mem_otp, 0xFF, sizeof(mem_otp));
    const struct lf_flash_dev *devs[LF_DEV_COUNT] = {&dev_int, NULL, &dev_otp};
    if (lf_flash_map_init(&map, &board, devs) != LF_OK) {
        abort();
    }
    static const uint8_t kh[1][LF_SHA256_SIZE] = {{7}};
    struct lf_provision_settings ps = {.key_count = 1,
                                       .key_type = {LF_KEY_ECDSA_P256},
                                       .key_hash = kh,
                                       .counter_slots = 4,
                                       .initial_counter = 3};
    if (lf_provision_write(lf_flash_map_area(&map, LF_AREA_PROVISION), &ps) != LF_OK) {
        abort();
    }
    app_len = place_image(LF_AREA_APP_PRIMARY, 0, 0, 1000);
    s0_len = place_image(LF_AREA_S0, 0, LF_IMAGE_F_ROM_FIXED, 800);
    s1_len = place_image(LF_AREA_S1, 0, LF_IMAGE_F_ROM_FIXED, 700);
    memcpy(snap_int, mem_int, sizeof(mem_int));
    memcpy(snap_otp, mem_otp, sizeof(mem_otp));
}

static const uint8_t *g_req;
static size_t g_req_len;
static size_t g_req_pos; /* offset of the message being answered */

/* Each response mirrors the next message of the packet and is one map. */
static int check_rsp(void *ctx, const uint8_t *msg, size_t len)
{
    (void)ctx;
    struct lf_smp_hdr rq, rs;
    if (lf_smp_hdr_decode(msg, len, &rs) != LF_OK || rs.len != len - LF_SMP_HDR_SIZE) {
        abort();
    }
    if (g_req_len - g_req_pos < LF_SMP_HDR_SIZE) {
        abort(); /* a reply to nothing */
    }
    int err = lf_smp_hdr_decode(g_req + g_req_pos, g_req_len - g_req_pos, &rq);
    if (err && err != LF_E_SMP_PAYLOAD_SHORT) {
        abort();
    }
    uint8_t op = rq.op == LF_SMP_OP_READ ? LF_SMP_OP_READ_RSP : LF_SMP_OP_WRITE_RSP;
    if (rs.op != op || rs.ver != (rq.ver > 1 ? 1 : rq.ver) || rs.group != rq.group ||
        rs.seq != rq.seq || rs.id != rq.id || rs.flags != 0 || (msg[0] & 0xE0)) {
        abort();
    }
    struct lf_cbor_dec d;
    lf_cbor_dec_init(&d, msg + LF_SMP_HDR_SIZE, rs.len);
    if (lf_cbor_skip(&d) != LF_OK || lf_cbor_dec_finish(&d) != LF_OK ||
        (msg[LF_SMP_HDR_SIZE] & 0xE0) != 0xA0) {
        abort();
    }
    g_req_pos += LF_SMP_HDR_SIZE + (err ? 0u : rq.len);
    return LF_OK;
}

static void check_invariants(const struct lf_stage0_handoff *h, bool have)
{
    const struct lf_flash_area *pri = lf_flash_map_area(&map, LF_AREA_APP_PRIMARY);
#if FUZZ_SMP_RECOVERY
    /* recovery writes the primary slot and nothing else */
    const struct lf_flash_area *sec = lf_flash_map_area(&map, LF_AREA_APP_SECONDARY);
    if (memcmp(mem_int, snap_int, pri->off) != 0 ||
        memcmp(mem_int + sec->off, snap_int + sec->off, sizeof(mem_int) - sec->off) != 0) {
        abort();
    }
#else
    if (memcmp(mem_int + pri->off, snap_int + pri->off, app_len) != 0) {
        abort(); /* the running application was touched */
    }
#endif
    uint8_t active = have ? h->slot : 0;
    const struct lf_flash_area *s = lf_flash_map_area(&map, active ? LF_AREA_S1 : LF_AREA_S0);
    if (have && memcmp(mem_int + s->off, snap_int + s->off, active ? s1_len : s0_len) != 0) {
        abort(); /* the running stage 1 was touched */
    }
    if (memcmp(mem_otp, snap_otp, sizeof(mem_otp)) != 0) {
        abort();
    }
    struct lf_smp_session_log log;
    if (lf_smp_session_load(&log, lf_flash_map_area(&map, LF_AREA_SMP_STATE)) != LF_OK) {
        abort();
    }
    if (log.have && (log.s.progress > log.s.len || log.s.sha_len > 32)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    memcpy(mem_int, snap_int, sizeof(mem_int));
    memcpy(mem_otp, snap_otp, sizeof(mem_otp));
    if (size == 0) {
        return 0;
    }
    uint8_t opt = data[0];
    data++;
    size--;

    static struct lf_stage0_handoff h;
    memset(&h, 0, sizeof(h));
    h.magic = LF_STAGE0_HANDOFF_MAGIC;
    h.slot = (opt >> 4) & 1u;
    h.trial = (opt >> 5) & 1u;
    h.version.major = 1;
    h.counter = 3;
    h.counter_slots_used = 1;
    h.counter_slots_left = 3;
    bool have = !((opt >> 3) & 1u);

#if FUZZ_SMP_RECOVERY
    /* fuzz_smp_recovery: stage 1's recovery tables (same corpus) */
    static const struct lf_smp_group *groups[] = {&lf_smp_group_os_recovery,
                                                  &lf_smp_group_img_recovery};
#else
    static const struct lf_smp_group *groups[] = {&lf_smp_group_os, &lf_smp_group_img};
#endif
    static uint8_t rsp[2048];
    static struct lf_smp_server_cfg cfg;
    static struct lf_smp_platform plat;
    static struct lf_smp_server srv;
    memset(&cfg, 0, sizeof(cfg));
    memset(&plat, 0, sizeof(plat));
    cfg.groups = groups;
    cfg.group_count = 2;
    cfg.rsp_buf = rsp;
    cfg.rsp_cap = (opt & 0x80) ? LF_SMP_RSP_MIN : sizeof(rsp);
    cfg.buf_size = 2048;
    cfg.buf_count = 2;
    cfg.boot_mode = 3;
    cfg.legacy_rc = opt & 1u;
    cfg.verbose_err = (opt >> 1) & 1u;
    cfg.rsn_v2 = (opt >> 2) & 1u;
    plat.map = &map;
    plat.handoff = have ? &h : NULL;
    plat.recovery = FUZZ_SMP_RECOVERY;
    if (lf_smp_server_init(&srv, &cfg, &plat) != LF_OK) {
        abort();
    }

    size_t pos = 0;
    while (pos < size) {
        size_t n;
        if (size - pos >= 2) {
            n = ((size_t)data[pos] << 8) | data[pos + 1];
            pos += 2;
            if (n > size - pos) {
                n = size - pos;
            }
        } else {
            n = size - pos;
        }
        g_req = data + pos;
        g_req_len = n;
        g_req_pos = 0;
        if (lf_smp_server_handle(&srv, data + pos, n, check_rsp, NULL) < 0) {
            abort();
        }
        pos += n;
        check_invariants(&h, have);
        if ((opt >> 6) & 1u) {
            if (lf_smp_server_init(&srv, &cfg, &plat) != LF_OK) {
                abort();
            }
        }
    }
    return 0;
}
