#define _GNU_SOURCE /* program_invocation_short_name */
#include "smp_fixture.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/provision.h"
#include "lf/sha256.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

size_t img_make(uint8_t *out, size_t cap, const struct img_opts *o)
{
    uint16_t hs = o->hdr_size ? o->hdr_size : 32u;
    uint16_t prot = o->has_sec_cnt ? 12u : 0u;
    size_t total = hs + o->payload + prot + 4u + 4u + 32u;
    assert_true(total <= cap);
    memset(out, 0, hs);
    put32(out, LF_IMAGE_MAGIC);
    put32(out + 4, o->load_addr);
    put16(out + 8, hs);
    put16(out + 10, prot);
    put32(out + 12, o->payload);
    put32(out + 16, o->flags);
    out[20] = o->major;
    out[21] = o->minor;
    put16(out + 22, o->rev);
    put32(out + 24, o->build);
    size_t p = hs;
    for (uint32_t i = 0; i < o->payload; i++) {
        out[p++] = (uint8_t)(o->seed + i * 7u + (i >> 8));
    }
    if (prot) {
        put16(out + p, LF_IMAGE_TLV_PROT_INFO);
        put16(out + p + 2, prot);
        put16(out + p + 4, LF_TLV_SEC_CNT);
        put16(out + p + 6, 4);
        put32(out + p + 8, o->sec_cnt);
        p += prot;
    }
    uint8_t h[32];
    lf_sha256(out, p, h);
    put16(out + p, LF_IMAGE_TLV_INFO);
    put16(out + p + 2, 4u + 4u + 32u);
    put16(out + p + 4, LF_TLV_SHA256);
    put16(out + p + 6, 32);
    memcpy(out + p + 8, h, 32);
    return p + 40u;
}

const uint8_t *img_hash(const uint8_t *img, size_t len)
{
    return img + len - 32u;
}

static void fx_log_write(void *ctx, const char *line)
{
    struct fx *f = ctx;
    size_t n = strlen(f->log);
    snprintf(f->log + n, sizeof(f->log) - n, "%s\n", line);
}

static int fx_reset_hook(void *ctx, bool force)
{
    struct fx *f = ctx;
    f->reset_calls++;
    f->last_force = force;
    return f->refuse_reset && !force ? LF_E_BUSY : LF_OK;
}

static int fx_dt_get(void *ctx, char *buf, size_t cap)
{
    struct fx *f = ctx;
    if (!f->rtc_set) {
        return LF_E_STATE;
    }
    size_t n = strlen(f->rtc);
    if (n > cap) {
        return LF_E_NOSPACE;
    }
    memcpy(buf, f->rtc, n);
    return (int)n;
}

static int fx_dt_set(void *ctx, const char *t, size_t len)
{
    struct fx *f = ctx;
    if (len >= sizeof(f->rtc) || t[4] != '-') {
        return LF_E_INVAL;
    }
    memcpy(f->rtc, t, len);
    f->rtc[len] = '\0';
    f->rtc_set = true;
    return LF_OK;
}

static int fx_boot_record(void *ctx, struct lf_boot_record *rec)
{
    struct fx *f = ctx;
    if (!f->have_record) {
        return LF_E_BOOT_NO_RECORD;
    }
    *rec = f->record;
    return LF_OK;
}

static struct lf_log fx_log_sink;

uint16_t fx_counter_slots = 4;

void fx_server(struct fx *f)
{
    f->groups[0] = &lf_smp_group_os;
    f->groups[1] = &lf_smp_group_img;
    f->cfg.groups = f->groups;
    if (!f->cfg.group_count) {
        f->cfg.group_count = 2;
    }
    f->cfg.rsp_buf = f->rsp_buf;
    f->cfg.rsp_cap = sizeof(f->rsp_buf);
    f->plat.map = &f->dev.map;
    f->plat.handoff = f->handoff_valid ? &f->handoff : NULL;
    assert_int_equal(lf_smp_server_init(&f->srv, &f->cfg, &f->plat), LF_OK);
}

static void fx_defaults(struct fx *f)
{
    f->cfg.buf_size = 2048;
    f->cfg.buf_count = 4;
    f->cfg.boot_mode = 3;
    f->cfg.verbose_err = true;
    f->os.nodename = "fx-node";
    f->os.version = "v-test";
    f->os.machine = "cortex-m4";
    f->os.processor = "nrf52840";
    f->os.platform = "nrf52840dk";
    f->os.os = "Leapfrog";
    fx_log_sink.write = fx_log_write;
    fx_log_sink.ctx = f;
    f->plat.log = &fx_log_sink;
    f->plat.os_info = &f->os;
    f->plat.ctx = f;
    f->plat.reset_hook = fx_reset_hook;
    f->plat.datetime_get = fx_dt_get;
    f->plat.datetime_set = fx_dt_set;
    f->plat.boot_record = fx_boot_record;
}

static void fx_strict(struct fx *f)
{
    for (int i = 0; i < LF_DEV_COUNT; i++) {
        f->dev.flash[i].strict = true;
    }
}

void fx_create(struct fx *f, const char *name, const struct lf_board *board)
{
    memset(f, 0, sizeof(*f));
    f->board = board ? board : &lf_board_nrf52840dk;
    snprintf(f->dir, sizeof(f->dir), "%s/smp-work/%s", LF_BINARY_DIR, name);
    assert_int_equal(lf_sim_device_create(&f->dev, f->dir, f->board), LF_OK);
    fx_strict(f);

    static const uint8_t key_hash[1][LF_SHA256_SIZE] = {{1, 2, 3}};
    struct lf_provision_settings ps = {
        .key_count = 1,
        .key_type = {LF_KEY_ECDSA_P256},
        .key_hash = key_hash,
        .counter_slots = fx_counter_slots,
        .initial_counter = FX_COUNTER,
    };
    assert_int_equal(lf_provision_write(lf_sim_device_area(&f->dev, LF_AREA_PROVISION), &ps),
                     LF_OK);

    static uint8_t img[FX_IMG_MAX];
    struct img_opts app = {.major = 1, .payload = 3000, .seed = 1};
    size_t n = img_make(img, sizeof(img), &app);
    fx_load(f, LF_AREA_APP_PRIMARY, 0, img, n);
    const struct lf_flash_area *s0 = lf_sim_device_area(&f->dev, LF_AREA_S0);
    struct img_opts st1 = {.major = 1,
                           .payload = 2000,
                           .seed = 2,
                           .flags = LF_IMAGE_F_ROM_FIXED,
                           .load_addr = lf_flash_area_addr(s0),
                           .has_sec_cnt = true,
                           .sec_cnt = FX_COUNTER};
    n = img_make(img, sizeof(img), &st1);
    fx_load(f, LF_AREA_S0, 0, img, n);

    f->handoff.magic = LF_STAGE0_HANDOFF_MAGIC;
    f->handoff.slot = 0;
    f->handoff.version.major = 1;
    f->handoff.counter = FX_COUNTER;
    f->handoff.image_sec_cnt = FX_COUNTER;
    f->handoff.counter_slots_used = 1;
    f->handoff.counter_slots_left = (uint16_t)(fx_counter_slots - 1u);
    f->handoff_valid = true;
    fx_defaults(f);
    fx_server(f);
}

void fx_reopen(struct fx *f)
{
    lf_sim_device_close(&f->dev);
    assert_int_equal(lf_sim_device_open(&f->dev, f->dir), LF_OK);
    fx_strict(f);
    fx_server(f);
}

void fx_close(struct fx *f)
{
    lf_sim_device_close(&f->dev);
}

struct fx F;

int fx_setup(void **state)
{
    (void)state;
    fx_create(&F, program_invocation_short_name, NULL);
    F.cfg.verbose_err = false;
    return 0;
}

int fx_teardown(void **state)
{
    (void)state;
    fx_close(&F);
    return 0;
}

void fx_load(struct fx *f, uint8_t area, uint32_t off, const void *data, size_t len)
{
    const struct lf_flash_area *fa = lf_sim_device_area(&f->dev, area);
    assert_non_null(fa);
    struct lf_sim_flash *fl = lf_sim_device_flash_of(&f->dev, fa);
    assert_int_equal(lf_sim_flash_load(fl, fa->off + off, data, (uint32_t)len), LF_OK);
}

void fx_read(struct fx *f, uint8_t area, uint32_t off, void *out, size_t len)
{
    const struct lf_flash_area *fa = lf_sim_device_area(&f->dev, area);
    assert_int_equal(lf_flash_area_read(fa, off, out, (uint32_t)len), LF_OK);
}

uint64_t fx_area_digest(struct fx *f, uint8_t area)
{
    const struct lf_flash_area *fa = lf_sim_device_area(&f->dev, area);
    uint64_t h = 1469598103934665603ull;
    uint8_t buf[256];
    for (uint32_t off = 0; off < fa->size; off += sizeof(buf)) {
        assert_int_equal(lf_flash_area_read(fa, off, buf, sizeof(buf)), LF_OK);
        for (size_t i = 0; i < sizeof(buf); i++) {
            h = (h ^ buf[i]) * 1099511628211ull;
        }
    }
    return h;
}

static int fx_capture(void *ctx, const uint8_t *msg, size_t len)
{
    struct fx *f = ctx;
    assert_true(f->nrsp < FX_RSP_MAX);
    assert_true(len <= FX_BUF);
    memcpy(f->rsp[f->nrsp], msg, len);
    f->rsp_len[f->nrsp] = len;
    f->nrsp++;
    return LF_OK;
}

int fx_send(struct fx *f, const uint8_t *pkt, size_t len)
{
    f->nrsp = 0;
    int n = lf_smp_server_handle(&f->srv, pkt, len, fx_capture, f);
    assert_true(n >= 0);
    assert_int_equal(n, f->nrsp);
    return n;
}

size_t hex2bin(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        int v;
        if (*p >= '0' && *p <= '9') {
            v = *p - '0';
        } else if (*p >= 'a' && *p <= 'f') {
            v = *p - 'a' + 10;
        } else if (*p >= 'A' && *p <= 'F') {
            v = *p - 'A' + 10;
        } else {
            continue;
        }
        if (hi < 0) {
            hi = v;
        } else {
            assert_true(n < cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    assert_true(hi < 0);
    return n;
}

int fx_send_hex(struct fx *f, const char *hex)
{
    static uint8_t buf[FX_BUF];
    size_t n = hex2bin(hex, buf, sizeof(buf));
    return fx_send(f, buf, n);
}

static void print_hex(const char *what, const uint8_t *p, size_t n)
{
    fprintf(stderr, "%s (%zu):", what, n);
    for (size_t i = 0; i < n; i++) {
        fprintf(stderr, " %02x", p[i]);
    }
    fprintf(stderr, "\n");
}

void fx_expect(struct fx *f, int i, const char *hex)
{
    static uint8_t want[FX_BUF];
    size_t n = hex2bin(hex, want, sizeof(want));
    assert_true(i < f->nrsp);
    if (n != f->rsp_len[i] || memcmp(want, f->rsp[i], n) != 0) {
        print_hex("expected", want, n);
        print_hex("got     ", f->rsp[i], f->rsp_len[i]);
        fail_msg("response %d differs", i);
    }
}

void fx_req_begin(struct fx_req *r, uint8_t ver, uint8_t op, uint16_t group, uint8_t id,
                  uint8_t seq)
{
    r->ver = ver;
    r->op = op;
    r->group = group;
    r->id = id;
    r->seq = seq;
    lf_cbor_enc_init(&r->enc, r->buf + LF_SMP_HDR_SIZE, sizeof(r->buf) - LF_SMP_HDR_SIZE);
    lf_cbor_enc_map_open(&r->enc);
}

size_t fx_req_end(struct fx_req *r)
{
    size_t n;
    lf_cbor_enc_map_close(&r->enc);
    assert_int_equal(lf_cbor_enc_finish(&r->enc, &n), LF_OK);
    struct lf_smp_hdr h = {.op = r->op,
                           .ver = r->ver,
                           .len = (uint16_t)n,
                           .group = r->group,
                           .seq = r->seq,
                           .id = r->id};
    assert_int_equal(lf_smp_hdr_encode(&h, r->buf), LF_OK);
    return LF_SMP_HDR_SIZE + n;
}

int fx_upload(struct fx *f, uint8_t ver, int image, uint32_t off, const uint8_t *data, uint32_t n,
              int64_t len, const uint8_t *sha, size_t sha_len, bool upgrade)
{
    static struct fx_req r;
    fx_req_begin(&r, ver, LF_SMP_OP_WRITE, LF_SMP_GROUP_IMAGE, LF_SMP_IMG_ID_UPLOAD, 0x42);
    struct lf_cbor_enc *e = &r.enc;
    if (image >= 0) {
        lf_cbor_enc_text_z(e, "image");
        lf_cbor_enc_uint(e, (uint64_t)image);
    }
    if (len >= 0) {
        lf_cbor_enc_text_z(e, "len");
        lf_cbor_enc_uint(e, (uint64_t)len);
    }
    lf_cbor_enc_text_z(e, "off");
    lf_cbor_enc_uint(e, off);
    if (sha) {
        lf_cbor_enc_text_z(e, "sha");
        lf_cbor_enc_bytes(e, sha, sha_len);
    }
    if (upgrade) {
        lf_cbor_enc_text_z(e, "upgrade");
        lf_cbor_enc_bool(e, true);
    }
    lf_cbor_enc_text_z(e, "data");
    lf_cbor_enc_bytes(e, data, n);
    return fx_send(f, r.buf, fx_req_end(&r));
}

struct fx_up fx_up_result(struct fx *f)
{
    struct fx_up u = {-1, -1, -1, -1};
    assert_true(f->nrsp >= 1);
    struct lf_cbor_dec d;
    struct lf_cbor_str k;
    lf_cbor_dec_init(&d, f->rsp[0] + LF_SMP_HDR_SIZE, f->rsp_len[0] - LF_SMP_HDR_SIZE);
    assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_OK);
    while (lf_cbor_map_next(&d, &k)) {
        uint64_t v;
        int64_t iv;
        bool b;
        if (lf_cbor_str_eq(&k, "off")) {
            assert_int_equal(lf_cbor_read_uint(&d, &v), LF_OK);
            u.off = (int64_t)v;
        } else if (lf_cbor_str_eq(&k, "match")) {
            assert_int_equal(lf_cbor_read_bool(&d, &b), LF_OK);
            u.match = b;
        } else if (lf_cbor_str_eq(&k, "rc")) {
            assert_int_equal(lf_cbor_read_int(&d, &iv), LF_OK);
            u.rc = iv;
        } else if (lf_cbor_str_eq(&k, "err")) {
            struct lf_cbor_str k2;
            assert_int_equal(lf_cbor_enter_map(&d, NULL), LF_OK);
            while (lf_cbor_map_next(&d, &k2)) {
                if (lf_cbor_str_eq(&k2, "rc")) {
                    assert_int_equal(lf_cbor_read_int(&d, &iv), LF_OK);
                    u.err_rc = iv;
                }
            }
            lf_cbor_leave(&d);
        }
    }
    lf_cbor_leave(&d);
    assert_int_equal(lf_cbor_dec_finish(&d), LF_OK);
    return u;
}

int fx_upload_all(struct fx *f, int image, const uint8_t *img, size_t len, uint32_t chunk)
{
    uint8_t sha[32];
    lf_sha256(img, len, sha);
    uint32_t off = 0;
    int rounds = 0;
    for (;;) {
        uint32_t n = len - off < chunk ? (uint32_t)(len - off) : chunk;
        bool first = off == 0;
        assert_int_equal(fx_upload(f, LF_SMP_VER_2, first ? image : -1, off, img + off, n,
                                   first ? (int64_t)len : -1, first ? sha : NULL, 32, false),
                         1);
        struct fx_up u = fx_up_result(f);
        assert_int_equal(u.rc, -1);
        assert_int_equal(u.err_rc, -1);
        assert_true(u.off >= 0 && (uint64_t)u.off <= len);
        if ((size_t)u.off == len) {
            return u.match;
        }
        off = (uint32_t)u.off;
        assert_true(++rounds < 100000);
    }
}
