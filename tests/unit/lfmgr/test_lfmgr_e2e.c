/* lfmgr against the virtual device (lfsim): every command and its error
 * cases over UDP, over a pty with the serial framing and over the simulated
 * BLE link; the stage-1 update; resume after the client is killed, asserted
 * from the device's side (its log, its flash, its reported offset). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "lf/sha256.h"
#include "lfmgr.h"
#include "sim_proc.h"
#include "test_util.h"

#define APP_SECONDARY 0x8B000u /* nrf52840dk */
#define SLOT_SIZE     0x73000u

static struct sim dev;
static struct run_result res;

/* An application image as the server checks it: 0x200-byte header. */
static size_t make_app(uint8_t *out, uint32_t body, uint8_t seed, uint8_t hash[32])
{
    size_t n = make_image(out, 0, false, body, seed, hash);
    return n;
}

static char *file_in_tmp(const char *name, const void *p, size_t n)
{
    static char paths[16][600];
    static unsigned next;
    char *path = paths[next++ % 16];
    tmp_path(path, 600, name);
    assert_int_equal(write_file(path, p, n), 0);
    return path;
}

/* Check the exit code, showing the output when it differs. */
#define EXPECT(c)                                                                          \
    do {                                                                                   \
        if (res.code != (c)) {                                                             \
            fprintf(stderr, "exit %d, wanted %d\nstdout: %s\nstderr: %s\n", res.code, (c), \
                    res.out, res.err);                                                     \
        }                                                                                  \
        assert_int_equal(res.code, (c));                                                   \
    } while (0)

#define LFMGR(spec, ...)                                                   \
    do {                                                                   \
        const char *a_[] = {"--conn", spec, "-t", "3", __VA_ARGS__, NULL}; \
        run_lfmgr(a_, 120, &res);                                          \
    } while (0)

/* A fresh device per test: create, provision, stage 1 in S0, serve. */
static int dev_setup(void **st)
{
    static unsigned n;
    char name[32];
    (void)st;
    snprintf(name, sizeof(name), "dev%u", n++);
    if (sim_create(&dev, name) != 0 || sim_start(&dev, 0) != 0) {
        fprintf(stderr, "cannot start the virtual device (%s)\n", dev.log);
        return -1;
    }
    return 0;
}

/* The same, with the pty at an emulated 115200 baud (uploads take seconds). */
static int dev_setup_slow(void **st)
{
    static unsigned n;
    char name[32];
    (void)st;
    snprintf(name, sizeof(name), "slow%u", n++);
    if (sim_create(&dev, name) != 0 || sim_start(&dev, 115200) != 0) {
        fprintf(stderr, "cannot start the virtual device (%s)\n", dev.log);
        return -1;
    }
    return 0;
}

/* The same at an emulated 1,000,000 baud. */
static int dev_setup_fast(void **st)
{
    static unsigned n;
    char name[32];
    (void)st;
    snprintf(name, sizeof(name), "fast%u", n++);
    if (sim_create(&dev, name) != 0 || sim_start(&dev, 1000000) != 0) {
        fprintf(stderr, "cannot start the virtual device (%s)\n", dev.log);
        return -1;
    }
    return 0;
}

static int dev_teardown(void **st)
{
    (void)st;
    sim_stop(&dev);
    sim_remove(&dev);
    return 0;
}

static void hexstr(char out[65], const uint8_t h[32])
{
    int i;
    for (i = 0; i < 32; i++) {
        snprintf(out + 2 * i, 3, "%02x", h[i]);
    }
}

/* Everything but the stage-1 update, over one transport; `link` is a
 * fragment of the upload's JSON that names the transport's link. */
static void commands_over(const char *spec, const char *kind, const char *link, uint8_t seed)
{
    static uint8_t app[120000];
    static uint8_t big[SLOT_SIZE + 4096];
    uint8_t hash[32];
    uint8_t slot[256];
    char hex[65];
    char msg[64];
    char *p_app;
    size_t n = make_app(app, 100000, seed, hash);
    p_app = file_in_tmp("app.bin", app, n);
    hexstr(hex, hash);

    snprintf(msg, sizeof(msg), "hello over %s", kind);
    LFMGR(spec, "echo", msg);
    EXPECT(0);
    assert_non_null(strstr(res.out, msg));
    LFMGR(spec, "params", "--json");
    EXPECT(0);
    assert_string_equal(res.out, "{\"ok\": true, \"buf_size\": 2048, \"buf_count\": 4}\n");
    LFMGR(spec, "info", "a");
    EXPECT(0);
    assert_non_null(strstr(res.out, "nrf52840dk"));
    LFMGR(spec, "bootloader", "info", "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"active_b0_slot\": 0"));
    LFMGR(spec, "image", "list", "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "{\"image\": 1, \"slot\": 0, \"version\": \"1.0.0\""));

    /* error cases first (a pending image would change some answers), each named */
    hex[0] = hex[0] == '0' ? '1' : '0';
    LFMGR(spec, "image", "test", hex);
    EXPECT(3);
    assert_non_null(strstr(res.err, "HASH_NOT_FOUND"));
    hexstr(hex, hash);
    LFMGR(spec, "image", "test", "12");
    EXPECT(1);
    LFMGR(spec, "bootloader", "info", "--query", "nonsense");
    EXPECT(3);
    assert_non_null(strstr(res.err, "QUERY_YIELDS_NO_ANSWER"));
    {
        char *p_txt = file_in_tmp("text.bin", "this is not an image, only some text bytes", 42);
        LFMGR(spec, "image", "upload", p_txt);
        EXPECT(4); /* lfmgr refuses it before sending */
        assert_non_null(strstr(res.err, "not a signed MCUboot-format image"));
        LFMGR(spec, "image", "upload", p_txt, "--force"); /* the device's own check */
        EXPECT(3);
        assert_non_null(strstr(res.err, "INVALID_IMAGE_HEADER"));
    }
    {
        size_t bn = make_app(big, SLOT_SIZE, seed, NULL); /* larger than the slot */
        char *p_big = file_in_tmp("big.bin", big, bn);
        LFMGR(spec, "image", "upload", p_big);
        EXPECT(4); /* lfmgr asks the device's slot size first */
        assert_non_null(strstr(res.err, "slot on the device takes"));
        LFMGR(spec, "image", "upload", p_big, "--force");
        EXPECT(3);
        assert_non_null(strstr(res.err, "INVALID_IMAGE_TOO_LARGE"));
    }
    LFMGR(spec, "image", "upload", p_app, "--upgrade");
    EXPECT(3); /* no application runs: nothing to compare the version with */
    assert_non_null(strstr(res.err, "VERSION_GET_FAILED"));
    LFMGR(spec, "image", "upload", "/nonexistent.bin");
    EXPECT(4);

    /* upload; the device holds the bytes and lists the TLV hash lfmgr printed */
    LFMGR(spec, "image", "upload", p_app, "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"match\": true"));
    assert_non_null(strstr(res.out, kind));
    assert_non_null(strstr(res.out, link));
    assert_non_null(strstr(res.out, hex));
    assert_int_equal(sim_flash_read(&dev, APP_SECONDARY, slot, sizeof(slot)), 0);
    assert_memory_equal(slot, app, sizeof(slot));
    LFMGR(spec, "image", "list");
    EXPECT(0);
    assert_non_null(strstr(res.out, hex));
    /* confirm without a hash: no application runs here, so nothing real to
     * confirm: said, exit 3 (it used to "confirm" the empty primary) */
    LFMGR(spec, "image", "confirm");
    EXPECT(3);
    assert_non_null(strstr(res.err, "no valid application"));
    /* erase the update slot: the image is gone from the list and the flash */
    LFMGR(spec, "image", "erase", "--json");
    EXPECT(0);
    assert_string_equal(res.out, "{\"ok\": true, \"erased\": true}\n");
    LFMGR(spec, "image", "list");
    EXPECT(0);
    assert_null(strstr(res.out, hex));
    assert_int_equal(sim_flash_read(&dev, APP_SECONDARY, slot, sizeof(slot)), 0);
    assert_int_equal(slot[0], 0xFF);
    assert_int_equal(slot[255], 0xFF);
    /* upload again and mark it for test */
    LFMGR(spec, "image", "upload", p_app);
    EXPECT(0);
    LFMGR(spec, "image", "test", hex);
    EXPECT(0);
    assert_non_null(strstr(res.out, "pending"));
    /* a pending slot cannot be erased, nor the choice changed */
    LFMGR(spec, "image", "erase", "--slot", "1");
    EXPECT(3);
    assert_non_null(strstr(res.err, "NO_FREE_SLOT"));
    LFMGR(spec, "image", "confirm");
    EXPECT(3);
    assert_non_null(strstr(res.err, "no valid application"));
    LFMGR(spec, "image", "confirm", hex);
    EXPECT(3);
    assert_non_null(strstr(res.err, "IMAGE_ALREADY_PENDING"));
    /* reset: the device restarts (a new boot in its log) and answers again */
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), 0);
    LFMGR(spec, "reset");
    /* --no-boot runs no boot chain: the image marked for test is not
     * booted, and lfmgr, waiting for the device, says so */
    EXPECT(3);
    assert_non_null(strstr(res.err, "did not take"));
    LFMGR(spec, "echo", "after reset");
    EXPECT(0);
    assert_string_equal(res.out, "after reset\n");
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), 1);
}

/* image confirm HASH of an uploaded image: pending and permanent. */
static void test_confirm_permanent(void **st)
{
    static uint8_t app[30000];
    uint8_t hash[32];
    char hex[65];
    size_t n = make_app(app, 20000, 7, hash);
    char *p_app = file_in_tmp("perm.bin", app, n);
    (void)st;
    hexstr(hex, hash);
    LFMGR(dev.udp_spec, "image", "upload", p_app);
    EXPECT(0);
    LFMGR(dev.udp_spec, "image", "confirm", hex, "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, hex));
    assert_non_null(strstr(res.out, "\"pending\": true, \"confirmed\": false, \"active\": "
                                    "false, \"permanent\": true"));
}

/* A stage-1 image for slot `slot` with version maj.min.0. */
static size_t make_stage1(uint8_t *out, unsigned slot, uint8_t maj, uint8_t min, uint8_t hash[32])
{
    size_t n =
        make_image(out, slot ? 0xC000u : 0x4000u, true, 6000, (uint8_t)(slot * 16 + min), NULL);
    uint8_t h[32];
    out[20] = maj;
    out[21] = min;
    out[22] = 0;
    out[23] = 0;
    memset(out + 24, 0, 4);
    /* the SHA256 TLV again, over the changed header */
    lf_sha256(out, 32 + 6000, h);
    memcpy(out + 32 + 6000 + 8, h, 32);
    if (hash != NULL) {
        memcpy(hash, h, 32);
    }
    return n;
}

static char *make_update(const char *name, uint8_t maj, uint8_t min, uint8_t *s0, size_t *n0,
                         uint8_t *s1, size_t *n1)
{
    static uint8_t upd[20000];
    const uint8_t *imgs[2];
    size_t lens[2];
    uint8_t slots[2] = {0, 1};
    size_t n;
    *n0 = make_stage1(s0, 0, maj, min, NULL);
    *n1 = make_stage1(s1, 1, maj, min, NULL);
    imgs[0] = s0;
    imgs[1] = s1;
    lens[0] = *n0;
    lens[1] = *n1;
    n = make_update_file(upd, 2, imgs, lens, slots);
    return file_in_tmp(name, upd, n);
}

/* bootloader update: the variant for the inactive slot, test, reset; the
 * device then runs it; the wrong variant is refused before sending. */
static void test_bootloader_update(void **st)
{
    static uint8_t s0[8000], s1[8000], flash[8000];
    size_t n0, n1;
    char *p_upd;
    (void)st;
    p_upd = make_update("stage1-110.lfu", 1, 1, s0, &n0, s1, &n1);
    /* no application on this device: refused, the new stage 1 could not confirm itself */
    LFMGR(dev.pty_spec, "bootloader", "update", p_upd);
    EXPECT(3);
    assert_non_null(strstr(res.err, "no valid application"));
    assert_int_equal(sim_log_count(&dev, "to image 1"), 0);
    LFMGR(dev.pty_spec, "bootloader", "update", p_upd, "--force");
    EXPECT(0);
    assert_non_null(strstr(res.out, "device runs stage 1 from S0: sending the S1 variant"));
    assert_int_equal(sim_log_count(&dev, "to image 1"), 1);
    assert_int_equal(sim_flash_read(&dev, 0xC000, flash, n1), 0);
    assert_memory_equal(flash, s1, n1);
    /* the reset happened and the device booted the new stage 1 from S1 */
    LFMGR(dev.udp_spec, "bootloader", "info", "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"active_b0_slot\": 1"));
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), 1);
    assert_int_equal(sim_log_count(&dev, "stage 1 in s1 (1.1.0)"), 1);

    /* a plain image linked for S1, the running slot: refused, nothing sent */
    {
        static uint8_t img[8000];
        size_t n = make_stage1(img, 1, 1, 2, NULL);
        char *p = file_in_tmp("s1-120.bin", img, n);
        LFMGR(dev.ble23_spec, "bootloader", "update", p);
        EXPECT(4);
        assert_non_null(strstr(res.err, "linked for S1"));
        assert_non_null(strstr(res.err, "send the S0 variant"));
        assert_int_equal(sim_log_count(&dev, "to image 1"), 1);
    }
    /* the next release goes to S0, over the BLE link, in JSON */
    p_upd = make_update("stage1-120.lfu", 1, 2, s0, &n0, s1, &n1);
    LFMGR(dev.ble_spec, "bootloader", "update", p_upd, "--json", "--force");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"active_slot\": 1, \"target_slot\": 0"));
    assert_int_equal(sim_flash_read(&dev, 0x4000, flash, n0), 0);
    assert_memory_equal(flash, s0, n0);
    LFMGR(dev.udp_spec, "bootloader", "info", "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"active_b0_slot\": 0"));
    /* an older release: the device refuses it, named */
    p_upd = make_update("stage1-111.lfu", 1, 1, s0, &n0, s1, &n1);
    LFMGR(dev.pty_spec, "bootloader", "update", p_upd);
    EXPECT(4); /* lfmgr compares with what runs before sending */
    assert_non_null(strstr(res.err, "not newer than the running stage 1"));
    LFMGR(dev.pty_spec, "bootloader", "update", p_upd, "--force");
    EXPECT(3);
    assert_non_null(strstr(res.err, "CURRENT_VERSION_IS_NEWER"));
    assert_int_equal(sim_log_count(&dev, "to image 1"), 2); /* no session started */
}

/* ---- resume ------------------------------------------------------------------------ */

static int build_chunk(struct lf_smp_req *r, const void *arg, size_t *len)
{
    return lf_smp_req_upload(r, arg, len);
}

/* Ask the device, as a client of our own, where the upload of this file
 * stands: a first chunk with the file's sha is answered with the stored
 * offset (and writes nothing) when the device holds that session. */
static uint32_t device_offset(const uint8_t *file, size_t len)
{
    static struct lfm_session s;
    struct lfm_conn c;
    struct lf_smp_rsp rsp;
    struct lf_smp_chunk ch;
    enum lf_smp_match m;
    uint8_t sha[32];
    uint32_t off = 0;
    lf_sha256(file, len, sha);
    memset(&ch, 0, sizeof(ch));
    ch.first = true;
    ch.len = (uint32_t)len;
    ch.sha = sha;
    ch.sha_len = 32;
    ch.data = file;
    ch.data_len = 512;
    assert_int_equal(lfm_conn_open(dev.udp_spec, 0, &c), LF_EXIT_OK);
    lfm_session_init(&s, &c);
    assert_int_equal(lfm_transact(&s, "probe", build_chunk, &ch, 0, &rsp), LF_EXIT_OK);
    assert_true(lf_smp_rsp_ok(&rsp));
    assert_int_equal(lf_smp_rsp_upload(&rsp, &off, &m), LF_OK);
    lfm_conn_close(&c);
    return off;
}

/* Start an upload over the pty in the background, SIGKILL it once the
 * device has taken part of it; returns the device's offset then. */
static uint32_t upload_and_kill(const char *path, const uint8_t *file, size_t len, int starts)
{
    char exe[512];
    pid_t pid;
    int st;
    int i;
    uint32_t off;
    snprintf(exe, sizeof(exe), "%s/bin/lfmgr", LF_BINARY_DIR);
    {
        const char *a[] = {exe, "--conn", dev.pty_spec, "image", "upload", path, NULL};
        pid = spawn_bg(a, NULL, NULL);
    }
    assert_true(pid > 0);
    for (i = 0; i < 1000 && sim_log_count(&dev, "bytes to image 0") < starts; i++) {
        usleep(10000);
    }
    assert_int_equal(sim_log_count(&dev, "bytes to image 0"), starts);
    usleep(2500000); /* about a third of the file at 115200 baud */
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st));
    /* Requests the client had already written may still be in the pty's
     * buffer: wait until the device's offset stops moving. */
    off = device_offset(file, len);
    for (i = 0; i < 20; i++) {
        uint32_t again;
        usleep(700000);
        again = device_offset(file, len);
        if (again == off) {
            break;
        }
        off = again;
    }
    assert_true(off > 0 && off < len);
    return off;
}

static void test_resume_after_kill(void **st)
{
    static uint8_t app[70000];
    static uint8_t flash[70000];
    uint8_t hash[32];
    size_t n = make_app(app, 60000, 5, hash);
    char *path = file_in_tmp("resume.bin", app, n);
    uint32_t off;
    (void)st;
    off = upload_and_kill(path, app, n, 1);
    /* the device's flash holds the file's first bytes up to its offset */
    assert_int_equal(sim_flash_read(&dev, APP_SECONDARY, flash, off), 0);
    assert_memory_equal(flash, app, off - (off > 64 ? 64 : 0));
    if (off + 4096 < n) {
        uint8_t beyond[256];
        uint8_t erased[256];
        memset(erased, 0xFF, sizeof(erased));
        assert_int_equal(sim_flash_read(&dev, APP_SECONDARY + off + 2048, beyond, 256), 0);
        assert_memory_equal(beyond, erased, 256); /* and nothing beyond it */
    }

    /* run it again: it continues from the device's offset */
    LFMGR(dev.pty_spec, "image", "upload", path, "--json");
    EXPECT(0);
    {
        char want[64];
        snprintf(want, sizeof(want), "\"resumed_off\": %u,", off);
        assert_non_null(strstr(res.out, want));
    }
    assert_non_null(strstr(res.out, "\"match\": true"));
    /* device side: one session for the file, completed once, all bytes there */
    assert_int_equal(sim_log_count(&dev, "bytes to image 0"), 1);
    assert_int_equal(sim_log_count(&dev, "complete, match 1"), 1);
    assert_int_equal(sim_flash_read(&dev, APP_SECONDARY, flash, n), 0);
    assert_memory_equal(flash, app, n);
}

/* The device keeps the session across a reset too (its SMP_STATE area). */
static void test_resume_after_kill_and_reset(void **st)
{
    static uint8_t app[70000];
    static uint8_t flash[70000];
    size_t n = make_app(app, 60000, 6, NULL);
    char *path = file_in_tmp("resume2.bin", app, n);
    uint32_t off;
    uint32_t after;
    char want[80];
    (void)st;
    off = upload_and_kill(path, app, n, 1);
    LFMGR(dev.udp_spec, "reset");
    EXPECT(0);
    LFMGR(dev.udp_spec, "echo", "back");
    EXPECT(0);
    assert_int_equal(sim_log_count(&dev, "lfsim: reset"), 1);
    after = device_offset(app, n);
    assert_true(after > 0 && after <= off); /* what was on flash at the reset */
    snprintf(want, sizeof(want), "smp: upload resumable at %u of %zu", after, n);
    assert_int_equal(sim_log_count(&dev, want), 1);
    LFMGR(dev.pty_spec, "image", "upload", path, "--json");
    EXPECT(0);
    snprintf(want, sizeof(want), "\"resumed_off\": %u,", after);
    assert_non_null(strstr(res.out, want));
    assert_int_equal(sim_log_count(&dev, "bytes to image 0"), 1);
    assert_int_equal(sim_log_count(&dev, "complete, match 1"), 1);
    assert_int_equal(sim_flash_read(&dev, APP_SECONDARY, flash, n), 0);
    assert_memory_equal(flash, app, n);
}

/* A number from lfmgr's JSON summary. */
static double json_num(const char *out, const char *key)
{
    char k[64];
    const char *p;
    snprintf(k, sizeof(k), "\"%s\": ", key);
    p = strstr(out, k);
    assert_non_null(p);
    return strtod(p + strlen(k), NULL);
}

/* Over the emulated line the upload never beats what the line allows: the
 * requests' wire bytes (the framing's ceiling) plus, since lfmgr waits for
 * each reply over serial, at least 31 wire bytes of reply per request on
 * the other wire ({"off": n} framed). And the device does not waste the
 * line either. */
static void test_pty_rate(void **st)
{
    static uint8_t app[140000];
    size_t n = make_app(app, 131072 - 0x200 - 44, 12, NULL);
    char *path = file_in_tmp("rate.bin", app, n);
    double f, len, ceiling, requests, t_min, f_max;
    (void)st;
    LFMGR(dev.pty_spec, "image", "upload", path, "--json");
    EXPECT(0);
    assert_non_null(strstr(res.out, "\"baud\": 1000000"));
    assert_non_null(strstr(res.out, "\"window\": 1,"));
    f = json_num(res.out, "fraction");
    len = json_num(res.out, "len");
    ceiling = json_num(res.out, "ceiling_bytes_per_s");
    requests = json_num(res.out, "requests");
    t_min = len / ceiling + requests * 31.0 * 10.0 / 1000000.0;
    f_max = len / ceiling / t_min;
    if (f > f_max || f < 0.5) {
        fprintf(stderr, "fraction %.4f (at most %.4f): %s\n", f, f_max, res.out);
    }
    assert_true(f_max < 0.995);
    assert_true(f <= f_max + 0.0005); /* the JSON's 4 decimals */
    assert_true(f >= 0.5);            /* loose: CI machines are loaded; bench/ measures it */
}

static void test_udp(void **st)
{
    (void)st;
    commands_over(dev.udp_spec, "udp", "\"chunk_max\"", 1);
}

static void test_pty(void **st)
{
    (void)st;
    commands_over(dev.pty_spec, "serial", "\"baud\": 115200", 2);
}

/* lfmgr asks for MTU 247, the device offers 185: the link runs at 185. */
static void test_ble(void **st)
{
    (void)st;
    commands_over(dev.ble_spec, "ble-sim", "\"mtu\": 185", 3);
}

/* The smallest ATT MTU: every message in 20-byte fragments. */
static void test_ble_mtu23(void **st)
{
    (void)st;
    commands_over(dev.ble23_spec, "ble-sim", "\"mtu\": 23", 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_udp, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_pty, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_ble, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_ble_mtu23, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_pty_rate, dev_setup_fast, dev_teardown),
        cmocka_unit_test_setup_teardown(test_confirm_permanent, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_bootloader_update, dev_setup, dev_teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_kill, dev_setup_slow, dev_teardown),
        cmocka_unit_test_setup_teardown(test_resume_after_kill_and_reset, dev_setup_slow,
                                        dev_teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    tmp_cleanup();
    return failed;
}
