/*
 * Stage 1 updated over SMP again and again on the virtual device (issue 7):
 * the real stage 0, stage 1 and application run by `lfsim run`, updated with
 * `lfmgr` exactly as a user would.
 *   - 20 updates in a row alternating S0/S1 through one update file each,
 *     then security-counter bumps until the counter slots run out: the clear
 *     refusal, and the device still boots; on each board.
 *   - refusals: wrong variant (image 1 and the SDK path), wrong key, older
 *     version, truncated image (shorter than its header says), an upload
 *     interrupted half-way: each refused with a clear error, nothing
 *     changed, the device still booting.
 *   - lfsim run's own resets: an injected power cut, a crash (watchdog).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lf/err.h"
#include "sys_dev.h"

/* The application still runs and stage 1 `ver` is active and confirmed in S`slot`. */
static void expect_running(struct sys_dev *d, unsigned slot, const char *ver, struct sys_state *st)
{
    sys_state(d, st);
    if (st->active != slot || strcmp(st->s[1][slot].version, ver) != 0 ||
        !st->s[1][slot].confirmed || !st->s[1][slot].active) {
        fail_msg("expected stage 1 %s active and confirmed in S%u; active S%u holds %s (%s)", ver,
                 slot, st->active, st->s[1][st->active & 1u].version,
                 st->s[1][st->active & 1u].confirmed ? "confirmed" : "unconfirmed");
    }
    assert_string_equal(st->s[0][0].version, "1.0.0");
    assert_true(st->s[0][0].active);
    assert_true(st->s[0][0].confirmed);
    assert_int_equal(sys_mgr(d, "echo", "alive", (char *)NULL), 0);
    assert_string_equal(d->out, "alive\n");
}

/* lfmgr exited with `want` and its message names the problem. */
static void expect_error(const struct sys_dev *d, int rc, int want, const char *word)
{
    if (rc != want || !strstr(d->err, word)) {
        fail_msg("expected exit %d and a message about \"%s\"; got exit %d: %s", want, word, rc,
                 d->err);
    }
}

/* One stage-1 update with lfmgr's variant choice; returns lfmgr's status. */
static int update(struct sys_dev *d, const char *file)
{
    int rc = sys_mgr(d, "--json", "bootloader", "update", file, "--board", d->board, (char *)NULL);
    if (rc == 0) {
        sys_wait_up(d);
    }
    return rc;
}

/* A reset: stage 0 stores the counter of a stage 1 that confirmed itself. */
static void reset(struct sys_dev *d)
{
    assert_int_equal(sys_mgr(d, "reset", (char *)NULL), 0);
    sys_wait_up(d);
}

static void run_many_updates(const char *board)
{
    static struct sys_dev d;
    sys_track(&d);
    struct sys_state st;
    char file[700];
    sys_prepare(&d, board, board);
    sys_start(&d);
    expect_running(&d, 0, "1.0.0", &st);
    assert_int_equal(st.counter, 1);
    uint64_t used0 = st.used, left0 = st.left;

    /* 20 updates, alternating S1, S0, ...; one security epoch: no counter slot used */
    for (unsigned k = 1; k <= 20; k++) {
        char ver[16];
        snprintf(ver, sizeof(ver), "1.0.%u", k);
        sys_pack_stage1(&d, ver, 1, file, sizeof(file));
        if (update(&d, file) != 0) {
            fail_msg("update %u (%s): lfmgr exit %d: %s", k, ver, d.rc, d.err);
        }
        expect_running(&d, k & 1u, ver, &st);
        /* the other slot keeps the previous stage 1, still bootable */
        assert_true(st.s[1][(k & 1u) ^ 1u].present);
        assert_int_equal(st.used, used0);
        assert_int_equal(st.left, left0);
    }

    /* security-counter bumps until the slots run out */
    unsigned slot = 0; /* after 20 updates S0 is active: the next goes to S1 */
    unsigned bumps = 0;
    for (unsigned cnt = 2;; cnt++) {
        char ver[16];
        snprintf(ver, sizeof(ver), "2.0.%u", cnt);
        sys_pack_stage1(&d, ver, cnt, file, sizeof(file));
        int rc = update(&d, file);
        if (st.left == 0) {
            /* no slot left: refused before anything changed */
            expect_error(&d, rc, 3, "counter");
            break;
        }
        if (rc != 0) {
            fail_msg("counter bump to %u: lfmgr exit %d with %llu slots left: %s", cnt, rc,
                     (unsigned long long)st.left, d.err);
        }
        slot ^= 1u;
        reset(&d);
        expect_running(&d, slot, ver, &st);
        assert_int_equal(st.counter, cnt);
        bumps++;
        assert_true(cnt < 100);
    }
    /* N slots: the provisioned counter took one, N - 1 increases worked */
    assert_int_equal(bumps, left0);
    assert_int_equal(st.used + st.left, used0 + left0);
    /* the device keeps booting the current stage 1, also after a reset */
    struct sys_state after;
    char last[16];
    snprintf(last, sizeof(last), "%s", st.s[1][slot].version);
    reset(&d);
    expect_running(&d, slot, last, &after);
    assert_int_equal(after.left, 0);
    sys_stop(&d);
}

static void test_updates_nrf52840dk(void **state)
{
    (void)state;
    run_many_updates("nrf52840dk");
}

static void test_updates_nrf52840dk_qspi(void **state)
{
    (void)state;
    run_many_updates("nrf52840dk-qspi");
}

/* Nothing changed: same active stage 1, same S contents, still booting after a reset. */
static void expect_unchanged(struct sys_dev *d, const struct sys_state *before)
{
    struct sys_state now;
    reset(d);
    expect_running(d, before->active, before->s[1][before->active].version, &now);
    assert_int_equal(now.counter, before->counter);
    assert_int_equal(now.used, before->used);
    for (unsigned s = 0; s < 2; s++) {
        if (now.s[1][s].present != before->s[1][s].present ||
            strcmp(now.s[1][s].hash, before->s[1][s].hash) != 0) {
            fail_msg("S%u changed: %s %s -> %s %s", s, before->s[1][s].present ? "holds" : "empty",
                     before->s[1][s].version, now.s[1][s].present ? "holds" : "empty",
                     now.s[1][s].version);
        }
    }
}

static void run_refusals(const char *board)
{
    static struct sys_dev d;
    sys_track(&d);
    struct sys_state st;
    char file[700], s1[700];
    char name[64];
    int rc;
    snprintf(name, sizeof(name), "refuse-%s", board);
    sys_prepare(&d, name, board);
    char tty[600];
    snprintf(tty, sizeof(tty), "%s/tty", d.dir);
    const char *const serial[] = {"--pty", tty, "--baud", "115200", NULL};
    sys_start_with(&d, serial);
    expect_running(&d, 0, "1.0.0", &st);

    /* wrong variant: the S0 image (S0 is active) sent to image 1 */
    sys_sign_stage1(&d, "root-0", "1.1.0", 1, 0, file, sizeof(file));
    rc = sys_mgr(&d, "image", "upload", file, "--image", "1", (char *)NULL);
    expect_error(&d, rc, 4, "S1 variant"); /* lfmgr: before sending */
    rc = sys_mgr(&d, "image", "upload", file, "--image", "1", "--force", (char *)NULL);
    expect_error(&d, rc, 3, "variant"); /* the device's own check */
    expect_unchanged(&d, &st);
    /* ... and a file with only that variant given to bootloader update */
    assert_int_equal(sys_mgr(&d, "bootloader", "update", file, "--board", board, (char *)NULL), 4);
    expect_unchanged(&d, &st);

    /* wrong key: signed with a root key that was never provisioned */
    char key[700];
    snprintf(key, sizeof(key), "%s/keys/rogue.pem", d.dir);
    assert_int_equal(sys_tool(&d, "lfimg", "keygen", "-k", key, "-t", "ecdsa-p256", (char *)NULL),
                     0);
    sys_sign_stage1(&d, "rogue", "1.1.0", 1, 1, s1, sizeof(s1));
    rc = sys_mgr(&d, "image", "upload", s1, "--image", "1", (char *)NULL);
    expect_error(&d, rc, 4, "key");
    rc = sys_mgr(&d, "image", "upload", s1, "--image", "1", "--force", (char *)NULL);
    expect_error(&d, rc, 3, "key");
    expect_unchanged(&d, &st);

    /* older version than the active 1.0.0 */
    sys_sign_stage1(&d, "root-0", "0.9.0", 1, 1, s1, sizeof(s1));
    rc = sys_mgr(&d, "image", "upload", s1, "--image", "1", (char *)NULL);
    expect_error(&d, rc, 4, "newer");
    rc = sys_mgr(&d, "image", "upload", s1, "--image", "1", "--force", (char *)NULL);
    expect_error(&d, rc, 3, "newer");
    expect_unchanged(&d, &st);

    /* truncated image: the file ends before its TLVs */
    sys_sign_stage1(&d, "root-0", "1.1.0", 1, 1, s1, sizeof(s1));
    char cut[760];
    snprintf(cut, sizeof(cut), "%s.cut", s1);
    {
        FILE *in = fopen(s1, "rb");
        FILE *out = fopen(cut, "wb");
        assert_non_null(in);
        assert_non_null(out);
        static char buf[8192];
        size_t n = fread(buf, 1, sizeof(buf), in);
        assert_true(n == sizeof(buf));
        assert_int_equal(fwrite(buf, 1, n, out), n);
        fclose(in);
        fclose(out);
    }
    rc = sys_mgr(&d, "image", "upload", cut, "--image", "1", (char *)NULL);
    expect_error(&d, rc, 4, "not a signed MCUboot-format image");
    rc = sys_mgr(&d, "image", "upload", cut, "--image", "1", "--force", (char *)NULL);
    expect_error(&d, rc, 3, "shorter than the image");
    expect_unchanged(&d, &st);

    /* interrupted upload: lfmgr killed half-way over the emulated UART; the
     * incomplete image cannot be marked for a trial */
    {
        char exe[600], spec[700], hash[65];
        assert_int_equal(sys_tool(&d, "lfimg", "dump", "--json", s1, (char *)NULL), 0);
        const char *sha = strstr(d.out, "\"SHA256\"");
        assert_non_null(sha);
        assert_true(lfsim_json_str(sha, "data", hash, sizeof(hash)));
        snprintf(exe, sizeof(exe), "%s/bin/lfmgr", LF_BINARY_DIR);
        snprintf(spec, sizeof(spec), "serial:%s/tty,baud=115200", d.dir);
        char *argv[] = {exe, "--conn", spec, "image", "upload", s1, "--image", "1", NULL};
        pid_t pid;
        int fd;
        assert_int_equal(lfsim_spawn(argv, &pid, &fd), 0);
        struct timespec part = {0, 700 * 1000 * 1000}; /* about a third of the image */
        nanosleep(&part, NULL);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        close(fd);
        rc = sys_mgr(&d, "image", "test", hash, (char *)NULL);
        expect_error(&d, rc, 3, "");
        expect_unchanged(&d, &st);
    }

    /* wrong variant through the SDK path: stage 1 refuses it at the next
     * boot, clears the request, and says why in its boot record */
    sys_sign_stage1(&d, "root-0", "1.1.0", 1, 0, file, sizeof(file));
    rc = sys_mgr(&d, "image", "upload", file, (char *)NULL);
    expect_error(&d, rc, 4, "S1 variant"); /* lfmgr knows it before sending */
    assert_int_equal(sys_mgr(&d, "--json", "image", "upload", file, "--force", (char *)NULL), 0);
    char hash[65];
    assert_true(lfsim_json_str(d.out, "hash", hash, sizeof(hash)));
    assert_int_equal(sys_mgr(&d, "image", "test", hash, (char *)NULL), 0);
    /* the reset: lfmgr waits and reports that it did not take, with the reason */
    rc = sys_mgr(&d, "reset", (char *)NULL);
    expect_error(&d, rc, 3, "STAGE0_WRONG_SLOT");
    sys_wait_up(&d);
    assert_int_equal(
        sys_mgr(&d, "--json", "bootloader", "info", "--query", "boot_record", (char *)NULL), 0);
    /* action 5 = rejected (lf/boot_record.h), the reason STAGE0_WRONG_SLOT */
    char want[64];
    snprintf(want, sizeof(want), "\"reason\": %d", LF_E_STAGE0_WRONG_SLOT);
    if (!strstr(d.out, "\"action\": 5") || !strstr(d.out, want)) {
        fail_msg("boot record does not show the wrong variant refused: %s", d.out);
    }
    assert_int_equal(sys_mgr(&d, "--json", "image", "list", (char *)NULL), 0);
    {
        struct lfsim_slot_state sl[2][2];
        lfsim_parse_image_list(d.out, sl);
        assert_false(sl[0][1].pending); /* the request was cleared: no loop */
    }
    expect_unchanged(&d, &st);

    /* after all that, a good update still works */
    sys_pack_stage1(&d, "1.1.0", 1, file, sizeof(file));
    assert_int_equal(update(&d, file), 0);
    expect_running(&d, 1, "1.1.0", &st);
    sys_stop(&d);
}

static void test_refusals_nrf52840dk(void **state)
{
    (void)state;
    run_refusals("nrf52840dk");
}

static void test_refusals_nrf52840dk_qspi(void **state)
{
    (void)state;
    run_refusals("nrf52840dk-qspi");
}

/* lfsim run's own resets: a power cut injected at a flash operation of a
 * stage-1 update (torn), and a crash of the running device (watchdog). */
static void test_cut_and_watchdog(void **state)
{
    (void)state;
    static struct sys_dev d;
    sys_track(&d);
    struct sys_state st;
    char file[700];
    sys_prepare(&d, "cut", "nrf52840dk-qspi");
    /* the factory boot does 1 flash operation (its counter is already
     * stored: none); operation 6 falls inside the upload's erases/writes */
    static const char *const cut[] = {"--cut-at", "6t", NULL};
    sys_start_with(&d, cut);
    sys_pack_stage1(&d, "1.1.0", 1, file, sizeof(file));
    int rc = update(&d, file);
    assert_int_equal(sys_log_count(&d, "lfsim: power cut (torn) at flash operation 6"), 1);
    sys_wait_up(&d);
    if (rc != 0) {
        /* the cut broke this attempt: the device runs what it ran, the
         * user sends the update again and it completes */
        expect_running(&d, 0, "1.0.0", &st);
        assert_int_equal(update(&d, file), 0);
    }
    expect_running(&d, 1, "1.1.0", &st);

    /* a crash (the device process dies): lfsim resets it like a watchdog */
    char cmd[800];
    snprintf(cmd, sizeof(cmd), "pkill -KILL -P %d", (int)d.pid);
    assert_int_equal(system(cmd), 0);
    sys_wait_up(&d);
    assert_int_equal(sys_log_count(&d, "the device crashed: watchdog reset"), 1);
    expect_running(&d, 1, "1.1.0", &st);
    sys_stop(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_refusals_nrf52840dk, sys_teardown),
        cmocka_unit_test_teardown(test_refusals_nrf52840dk_qspi, sys_teardown),
        cmocka_unit_test_teardown(test_cut_and_watchdog, sys_teardown),
        cmocka_unit_test_teardown(test_updates_nrf52840dk, sys_teardown),
        cmocka_unit_test_teardown(test_updates_nrf52840dk_qspi, sys_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
