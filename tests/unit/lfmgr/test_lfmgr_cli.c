/* The lfmgr program against the fake server over UDP: every command, its
 * output (text and --json), its error cases and exit codes; the update file
 * and `bootloader update`'s choice of variant. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#include <cmocka.h>

#include "fake_smp.h"
#include "imgfile.h"
#include "test_util.h"

#define S0_ADDR 0x4000u /* nrf52840dk */
#define S1_ADDR 0xC000u

static struct fake_smp fk;
static struct fake_srv srv;
static struct run_result res;
static uint8_t img0[20000], img1[20000], upd[45000];
static size_t len0, len1, lenu;
static uint8_t hash0[32], hash1[32];
static char p_img0[600], p_img1[600], p_upd[600], p_bad[600];

static int setup(void **st)
{
    const uint8_t *imgs[2];
    size_t lens[2];
    uint8_t slots[2] = {0, 1};
    (void)st;
    fake_smp_init(&fk);
    memset(&srv, 0, sizeof(srv));
    if (fake_srv_start(&srv, &fk, FAKE_UDP) != 0) {
        return -1;
    }
    len0 = make_image(img0, S0_ADDR, true, 15000, 1, hash0);
    len1 = make_image(img1, S1_ADDR, true, 15500, 2, hash1);
    imgs[0] = img0;
    imgs[1] = img1;
    lens[0] = len0;
    lens[1] = len1;
    lenu = make_update_file(upd, 2, imgs, lens, slots);
    tmp_path(p_img0, sizeof(p_img0), "s0.bin");
    tmp_path(p_img1, sizeof(p_img1), "s1.bin");
    tmp_path(p_upd, sizeof(p_upd), "stage1.lfu");
    tmp_path(p_bad, sizeof(p_bad), "bad.bin");
    write_file(p_img0, img0, len0);
    write_file(p_img1, img1, len1);
    write_file(p_upd, upd, lenu);
    write_file(p_bad, "not an image at all, just text", 30);
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    fake_srv_stop(&srv);
    unlink(p_img0);
    unlink(p_img1);
    unlink(p_upd);
    unlink(p_bad);
    return 0;
}

/* Run lfmgr with --conn to the fake server and the given arguments. */
#define LFMGR(...)                                                                        \
    do {                                                                                  \
        const char *a_[] = {"--conn", srv.spec, "-t", "1", "-r", "1", __VA_ARGS__, NULL}; \
        run_lfmgr(a_, 60, &res);                                                          \
    } while (0)

static void reset_device(void)
{
    pthread_mutex_lock(&srv.lock);
    {
        struct fake_image keep[FAKE_IMAGES];
        memcpy(keep, fk.images, sizeof(keep));
        fake_smp_init(&fk);
        memcpy(fk.images, keep, sizeof(keep));
    }
    fk.nimages = 2;
    fk.images[0] = (struct fake_image){0, 0, "1.0.0", {0}, true, true, false};
    fk.images[1] = (struct fake_image){0, 1, "1.1.0", {0}, false, false, false};
    memset(fk.images[0].hash, 0xA0, 32);
    memset(fk.images[1].hash, 0xB1, 32);
    pthread_mutex_unlock(&srv.lock);
}

static void test_os_commands(void **st)
{
    (void)st;
    reset_device();
    LFMGR("echo", "hello world");
    assert_int_equal(res.code, 0);
    assert_string_equal(res.out, "hello world\n");
    LFMGR("--json", "echo", "quote\" and \\");
    assert_int_equal(res.code, 0);
    assert_string_equal(res.out, "{\"ok\": true, \"r\": \"quote\\\" and \\\\\"}\n");
    LFMGR("params", "--json");
    assert_int_equal(res.code, 0);
    assert_string_equal(res.out, "{\"ok\": true, \"buf_size\": 1024, \"buf_count\": 4}\n");
    LFMGR("info", "a");
    assert_int_equal(res.code, 0);
    assert_string_equal(res.out, "Leapfrog fake 0.1 nrf52840dk\n");
    LFMGR("reset");
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.resets, 1);
    LFMGR("bootloader", "info");
    assert_int_equal(res.code, 0);
    assert_non_null(strstr(res.out, "bootloader: Leapfrog"));
    assert_non_null(strstr(res.out, "mode: 5 = DirectXIP with revert; downgrade prevention: off"));
    assert_non_null(strstr(res.out, "active stage-1 slot: S0"));
    LFMGR("bootloader", "info", "--json");
    assert_string_equal(res.out, "{\"ok\": true, \"bootloader\": \"Leapfrog\", \"mode\": 5, "
                                 "\"mode_name\": \"DirectXIP with revert\", \"no_downgrade\": "
                                 "false, \"active_b0_slot\": 0}\n");
    fk.active_b0 = -1; /* a device that cannot tell: the field is left out */
    LFMGR("bootloader", "info", "--json");
    assert_int_equal(res.code, 0);
    assert_null(strstr(res.out, "active_b0_slot"));
    LFMGR("bootloader", "info", "--query", "nonsense");
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "QUERY_YIELDS_NO_ANSWER"));
    /* v1 fallback from the command line */
    fk.v1_only = true;
    LFMGR("-v", "echo", "x");
    assert_int_equal(res.code, 0);
    assert_non_null(strstr(res.err, "using v1"));
    /* the protocol log: each message with its header and CBOR */
    assert_non_null(strstr(res.err, "-> v2 write os(0) id 0"));
    assert_non_null(strstr(res.err, "{\"d\": \"x\"}"));
    assert_non_null(strstr(res.err, "<- v1 write-rsp os(0) id 0"));
    assert_non_null(strstr(res.err, "{\"r\": \"x\"}"));
    LFMGR("--smp-v1", "echo", "x");
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.last_ver, 0);
}

static void test_image_commands(void **st)
{
    char hex[65];
    int i;
    (void)st;
    reset_device();
    LFMGR("image", "list");
    assert_int_equal(res.code, 0);
    assert_non_null(strstr(res.out, "image slot version"));
    assert_non_null(strstr(res.out, "active confirmed"));
    assert_non_null(
        strstr(res.out, "a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0"));
    LFMGR("image", "list", "--json");
    assert_int_equal(res.code, 0);
    assert_non_null(strstr(res.out, "\"images\": [{\"image\": 0, \"slot\": 0, \"version\": "
                                    "\"1.0.0\", \"hash\": \"a0a0"));
    assert_non_null(strstr(res.out, "\"active\": false, \"permanent\": false}]}"));

    for (i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", 0xB1);
    }
    LFMGR("image", "test", hex);
    assert_int_equal(res.code, 0);
    assert_true(fk.got_set && !fk.set_confirm && fk.set_has_hash);
    assert_int_equal(fk.set_hash[0], 0xB1);
    assert_non_null(strstr(res.out, "pending"));
    hex[0] = 'c'; /* unknown hash */
    LFMGR("image", "test", hex);
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "HASH_NOT_FOUND"));
    LFMGR("image", "test", "abcd");
    assert_int_equal(res.code, 1);
    LFMGR("image", "test");
    assert_int_equal(res.code, 1);
    fk.images[0].confirmed = false; /* the running application on trial */
    LFMGR("image", "confirm");
    assert_int_equal(res.code, 0);
    assert_true(fk.set_confirm && !fk.set_has_hash);

    LFMGR("image", "erase", "--slot", "1");
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.erase_slot, 1);
    assert_int_equal(fk.erases, 1);
    LFMGR("image", "erase");
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.erase_slot, -1);
    LFMGR("image", "erase", "--slot", "0");
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "NO_FREE_SLOT"));
    assert_non_null(strstr(res.err, "slot in use"));
}

static void test_upload_command(void **st)
{
    (void)st;
    reset_device();
    LFMGR("image", "upload", p_img0);
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.size, len0);
    assert_memory_equal(fk.slot, img0, len0);
    assert_int_equal(fk.image, 0);
    assert_false(fk.upgrade);
    assert_non_null(strstr(res.out, "uploaded"));

    LFMGR("image", "upload", p_img1, "--image", "1", "--upgrade", "--json");
    assert_int_equal(res.code, 0);
    assert_int_equal(fk.image, 1);
    assert_true(fk.upgrade);
    assert_memory_equal(fk.slot, img1, len1);
    assert_non_null(strstr(res.out, "\"match\": true"));
    assert_non_null(strstr(res.out, "\"transport\": \"udp\""));

    /* a device error, named with its reason */
    fk.slot_max = 100;
    LFMGR("image", "upload", p_img0);
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "INVALID_IMAGE_TOO_LARGE"));
    assert_non_null(strstr(res.err, "img too large"));
    fk.slot_max = FAKE_SLOT_MAX;
    fk.corrupt_write = true;
    LFMGR("image", "upload", p_img0);
    assert_int_equal(res.code, 5);
    assert_non_null(strstr(res.err, "does not match"));
    fk.corrupt_write = false;

    LFMGR("image", "upload", "/nonexistent/file.bin");
    assert_int_equal(res.code, 4);
    LFMGR("image", "upload", p_img0, "--slot", "1");
    assert_int_equal(res.code, 1);
}

/* The progress bar: drawn when stderr is a terminal, absent otherwise. */
static void test_progress(void **st)
{
    char exe[512];
    char out[8192];
    size_t got = 0;
    int master = -1;
    int slave = -1;
    pid_t pid;
    int status = 0;
    posix_spawn_file_actions_t fa;
    const char *argv[] = {exe, "--conn", srv.spec, "image", "upload", p_img0, NULL};
    (void)st;
    reset_device();
    /* not a terminal: nothing on stderr */
    LFMGR("image", "upload", p_img0);
    assert_int_equal(res.code, 0);
    assert_string_equal(res.err, "");
    /* a terminal */
    reset_device();
    snprintf(exe, sizeof(exe), "%s/bin/lfmgr", LF_BINARY_DIR);
    assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, slave, 2);
    assert_int_equal(posix_spawn(&pid, exe, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    close(slave);
    for (;;) {
        struct pollfd pfd = {.fd = master, .events = POLLIN};
        ssize_t n;
        if (poll(&pfd, 1, 5000) <= 0) {
            break;
        }
        n = read(master, out + got, sizeof(out) - 1 - got);
        if (n <= 0) {
            break; /* EIO once lfmgr has exited */
        }
        got += (size_t)n;
    }
    out[got] = '\0';
    waitpid(pid, &status, 0);
    close(master);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_non_null(strstr(out, "\rupload ["));
    assert_non_null(strstr(out, "100%"));
    assert_non_null(strstr(out, "KiB/s"));
    assert_non_null(strstr(out, "ETA"));
}

static void test_usage_and_connection(void **st)
{
    const char *a1[] = {"--help", NULL};
    const char *a2[] = {"image", "upload", "--help", NULL};
    const char *a3[] = {"frobnicate", NULL};
    const char *a4[] = {"echo", "x", NULL};
    const char *a5[] = {"--conn", "udp:127.0.0.1:1", "-t", "0.3", "-r", "1", "echo", "x", NULL};
    const char *a6[] = {"--conn", "serial:/nonexistent/pty", "echo", "x", NULL};
    const char *a7[] = {"--bogus", NULL};
    const char *a8[] = {"image", NULL};
    (void)st;
    unsetenv("LFMGR_CONN");
    assert_int_equal(run_lfmgr(a1, 10, &res), 0);
    assert_non_null(strstr(res.out, "Exit codes"));
    assert_int_equal(run_lfmgr(a2, 10, &res), 0);
    assert_non_null(strstr(res.out, "image upload FILE"));
    assert_int_equal(run_lfmgr(a3, 10, &res), 1);
    assert_int_equal(run_lfmgr(a4, 10, &res), 1);
    assert_non_null(strstr(res.err, "no connection"));
    assert_int_equal(run_lfmgr(a5, 10, &res), 2);
    assert_non_null(strstr(res.err, "connection refused"));
    assert_int_equal(run_lfmgr(a6, 10, &res), 2);
    assert_int_equal(run_lfmgr(a7, 10, &res), 1);
    assert_int_equal(run_lfmgr(a8, 10, &res), 1);
    assert_non_null(strstr(res.err, "image list"));
    /* a timeout: the device drops every upload request */
    reset_device();
    {
        unsigned i;
        for (i = 0; i < FAKE_DROP_MAX; i++) {
            fk.drop_at[fk.ndrop++] = i + 1;
        }
    }
    LFMGR("--long-timeout", "0.3", "image", "upload", p_img0);
    assert_int_equal(res.code, 2);
    assert_non_null(strstr(res.err, "no reply"));
}

static void test_update_file_parse(void **st)
{
    struct lfm_upd u;
    char why[200];
    static uint8_t bad[45000];
    (void)st;
    assert_true(lfm_upd_is(upd, lenu));
    assert_int_equal(lfm_upd_parse(upd, lenu, &u, why, sizeof(why)), 0);
    assert_int_equal(u.count, 2);
    assert_int_equal(u.e[0].slot, 0);
    assert_int_equal(u.e[0].load_addr, S0_ADDR);
    assert_int_equal(u.e[1].slot, 1);
    assert_int_equal(u.e[1].off % 16, 0);
    assert_int_equal(u.e[1].len, len1);
    assert_memory_equal(upd + u.e[1].off, img1, len1);
    /* truncated */
    assert_int_equal(lfm_upd_parse(upd, lenu - 1, &u, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "truncated"));
    /* newer format version */
    memcpy(bad, upd, lenu);
    bad[4] = 2;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "version 2"));
    /* entry pointing outside the file */
    memcpy(bad, upd, lenu);
    bad[16 + 16 + 12] = 0xFF;
    bad[16 + 16 + 13] = 0xFF;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
    /* two entries for the same slot */
    memcpy(bad, upd, lenu);
    bad[16 + 16] = 0;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
    /* entry load address differs from the image's */
    memcpy(bad, upd, lenu);
    bad[16 + 4] ^= 0x10;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
    assert_non_null(strstr(why, "linked for"));
    /* zero entries, or the table overlapping an image */
    memcpy(bad, upd, lenu);
    bad[5] = 0;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
    memcpy(bad, upd, lenu);
    bad[16 + 8] = 8;
    bad[16 + 9] = 0;
    assert_int_equal(lfm_upd_parse(bad, lenu, &u, why, sizeof(why)), -1);
}

static void test_bootloader_update(void **st)
{
    (void)st;
    /* S0 runs: the S1 variant goes to image 1, is marked for test, reset. */
    reset_device();
    LFMGR("bootloader", "update", p_upd);
    /* the fake device boots nothing new: lfmgr reports that it did not take */
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "did not take"));
    assert_int_equal(fk.image, 1);
    assert_int_equal(fk.size, len1);
    assert_memory_equal(fk.slot, img1, len1);
    assert_true(fk.got_set && !fk.set_confirm);
    assert_memory_equal(fk.set_hash, hash1, 32);
    assert_int_equal(fk.resets, 1);
    assert_non_null(strstr(res.out, "sending the S1 variant"));

    /* S1 runs: the S0 variant; --no-reset; --json */
    reset_device();
    fk.active_b0 = 1;
    LFMGR("bootloader", "update", p_upd, "--no-reset", "--json");
    assert_int_equal(res.code, 0);
    assert_memory_equal(fk.slot, img0, len0);
    assert_memory_equal(fk.set_hash, hash0, 32);
    assert_int_equal(fk.resets, 0);
    assert_non_null(strstr(res.out, "\"active_slot\": 1, \"target_slot\": 0"));

    /* a plain image for the inactive slot is accepted */
    reset_device();
    LFMGR("bootloader", "update", p_img1, "--no-reset");
    assert_int_equal(res.code, 0);
    assert_memory_equal(fk.slot, img1, len1);

    /* ... one linked for the active slot is refused before sending a byte */
    reset_device();
    LFMGR("bootloader", "update", p_img0);
    assert_int_equal(res.code, 4);
    assert_non_null(strstr(res.err, "the slot the device runs from"));
    assert_int_equal(fk.n_upload, 0);
    /* ... and one linked for neither slot */
    {
        static uint8_t other[2000];
        char p_other[600];
        size_t n = make_image(other, 0x20000, true, 1000, 3, NULL);
        tmp_path(p_other, sizeof(p_other), "other.bin");
        write_file(p_other, other, n);
        LFMGR("bootloader", "update", p_other, "--board", "nrf52840dk-qspi");
        unlink(p_other);
        assert_int_equal(res.code, 4);
        assert_non_null(strstr(res.err, "neither S0 (0x00004000) nor S1 (0x0000c000)"));
        assert_int_equal(fk.n_upload, 0);
    }
    LFMGR("bootloader", "update", p_img1, "--board", "nosuchboard");
    assert_int_equal(res.code, 1);
    /* the device cannot tell its active slot */
    reset_device();
    fk.active_b0 = -1;
    LFMGR("bootloader", "update", p_upd);
    assert_int_equal(res.code, 3);
    assert_non_null(strstr(res.err, "active_b0_slot"));
    assert_int_equal(fk.n_upload, 0);
    /* not an image at all */
    reset_device();
    LFMGR("bootloader", "update", p_bad);
    assert_int_equal(res.code, 4);
    assert_int_equal(fk.n_upload, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_os_commands),          cmocka_unit_test(test_image_commands),
        cmocka_unit_test(test_upload_command),       cmocka_unit_test(test_progress),
        cmocka_unit_test(test_usage_and_connection), cmocka_unit_test(test_update_file_parse),
        cmocka_unit_test(test_bootloader_update),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    tmp_cleanup();
    return failed;
}
