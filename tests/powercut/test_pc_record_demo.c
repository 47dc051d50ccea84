/*
 * The harness proves itself on a small flow: a 32-bit value kept on flash
 * and updated twice (1 -> 2 -> 3).
 *
 * "record/two-copies": two pages, each holding {seq, value, check}; an update
 * erases and rewrites the page holding the OLDER copy, so the newer one is
 * intact whatever instant power is lost at. Must pass with 0 failures.
 *
 * "record/unsafe-one-copy": one page erased in place and rewritten. A cut
 * between the erase and the program loses the value. The runner must report
 * exactly the failures worked out below, which proves a failing flow is
 * caught, and that torn cuts still tear (with torn cuts made clean the count
 * drops).
 *
 * "record/torn-canary": the value kept as an append-only log of plain words
 * (no check value): a clean cut leaves a word written or erased, both fine;
 * only a torn program leaves a half-written word, read as a corrupt value.
 * So clean cuts must give 0 failures and torn cuts exactly one per program:
 * the scenario whose outcome differs between clean and torn cuts, failing if
 * the flash model's torn cuts stop tearing.
 */
#define _POSIX_C_SOURCE 200809L /* unsetenv */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "powercut.h"

#define RECORD_MAGIC 0x5245434fu

struct record {
    uint32_t magic;
    uint32_t seq;
    uint32_t value;
    uint32_t check; /* ~(magic ^ seq ^ value): a torn program does not pass */
};

static bool record_ok(const struct record *r)
{
    return r->magic == RECORD_MAGIC && r->check == ~(r->magic ^ r->seq ^ r->value);
}

static int read_copy(const struct lf_flash_area *fa, uint32_t page, struct record *r)
{
    return lf_flash_area_read(fa, page * 4096, r, sizeof(*r));
}

static int write_copy(const struct lf_flash_area *fa, uint32_t page, uint32_t seq, uint32_t value)
{
    struct record r = {RECORD_MAGIC, seq, value, 0};
    r.check = ~(r.magic ^ r.seq ^ r.value);
    int err = lf_flash_area_erase(fa, page * 4096, 4096);
    if (err) {
        return err;
    }
    return lf_flash_area_write(fa, page * 4096, &r, sizeof(r));
}

/* The newest valid copy; LF_E_NOT_FOUND when none is readable. */
static int two_copies_read(const struct lf_flash_area *fa, struct record *out, uint32_t *page)
{
    struct record a, b;
    int err = read_copy(fa, 0, &a);
    if (!err) {
        err = read_copy(fa, 1, &b);
    }
    if (err) {
        return err;
    }
    bool va = record_ok(&a), vb = record_ok(&b);
    if (!va && !vb) {
        return LF_E_NOT_FOUND;
    }
    bool use_a = va && (!vb || a.seq > b.seq);
    *out = use_a ? a : b;
    *page = use_a ? 0 : 1;
    return LF_OK;
}

static int two_copies_update(const struct lf_flash_area *fa, uint32_t value)
{
    struct record cur;
    uint32_t page;
    int err = two_copies_read(fa, &cur, &page);
    if (err) {
        return err;
    }
    return write_copy(fa, page ^ 1u, cur.seq + 1, value);
}

static int one_copy_read(const struct lf_flash_area *fa, struct record *out, uint32_t *page)
{
    *page = 0;
    int err = read_copy(fa, 0, out);
    if (err) {
        return err;
    }
    return record_ok(out) ? LF_OK : LF_E_NOT_FOUND;
}

static int one_copy_update(const struct lf_flash_area *fa, uint32_t value)
{
    struct record cur;
    uint32_t page;
    int err = one_copy_read(fa, &cur, &page);
    if (err) {
        return err;
    }
    return write_copy(fa, 0, cur.seq + 1, value);
}

/* The torn canary's log: words at the page start, the value is the last
 * word written; erased words end it. */
#define LOG_WORDS 8u

static int log_read(const struct lf_flash_area *fa, struct record *out, uint32_t *page)
{
    uint32_t w[LOG_WORDS];
    *page = 0;
    int err = lf_flash_area_read(fa, 0, w, sizeof(w));
    if (err) {
        return err;
    }
    uint32_t n = 0;
    while (n < LOG_WORDS && w[n] != 0xFFFFFFFFu) {
        n++;
    }
    if (n == 0) {
        return LF_E_NOT_FOUND;
    }
    memset(out, 0, sizeof(*out));
    out->seq = n;
    out->value = w[n - 1];
    return LF_OK;
}

static int log_update(const struct lf_flash_area *fa, uint32_t value)
{
    struct record cur;
    uint32_t page;
    int err = log_read(fa, &cur, &page);
    if (err) {
        return err;
    }
    if (cur.seq >= LOG_WORDS) {
        return LF_E_NOSPACE;
    }
    return lf_flash_area_write(fa, cur.seq * 4u, &value, sizeof(value));
}

struct variant {
    int (*read)(const struct lf_flash_area *fa, struct record *out, uint32_t *page);
    int (*update)(const struct lf_flash_area *fa, uint32_t value);
};

static const struct variant two_copies = {two_copies_read, two_copies_update};
static const struct variant one_copy = {one_copy_read, one_copy_update};
static const struct variant word_log = {log_read, log_update};

static int setup(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct lf_flash_area *fa = lf_sim_device_area(dev, LF_AREA_STATE);
    int err;
    if (arg == &word_log) {
        uint32_t one = 1;
        err = lf_flash_area_erase(fa, 0, 4096);
        err = err ? err : lf_flash_area_write(fa, 0, &one, sizeof(one));
    } else {
        err = write_copy(fa, 0, 1, 1);
    }
    if (err) {
        snprintf(why, why_len, "setup: %s", lf_err_str(err));
    }
    return err;
}

/* The flow, written to continue from whatever the flash says: every boot
 * reads the value first (it must be there), then applies the missing
 * updates up to 3. */
static int run(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct variant *v = arg;
    const struct lf_flash_area *fa = lf_sim_device_area(dev, LF_AREA_STATE);
    for (;;) {
        struct record cur;
        uint32_t page;
        int err = v->read(fa, &cur, &page);
        if (err) {
            snprintf(why, why_len, "value lost: %s", lf_err_str(err));
            return -1;
        }
        if (cur.value < 1 || cur.value > 3) {
            snprintf(why, why_len, "value corrupted: %u", cur.value);
            return -1;
        }
        if (cur.value == 3) {
            return 0;
        }
        err = v->update(fa, cur.value + 1);
        if (err) {
            snprintf(why, why_len, "update: %s", lf_err_str(err));
            return -1;
        }
    }
}

static int check(struct lf_sim_device *dev, void *arg, char *why, size_t why_len)
{
    const struct variant *v = arg;
    struct record cur;
    uint32_t page;
    int err = v->read(lf_sim_device_area(dev, LF_AREA_STATE), &cur, &page);
    if (err || cur.value != 3) {
        snprintf(why, why_len, "final value %s", err ? lf_err_str(err) : "not 3");
        return -1;
    }
    return 0;
}

static const struct lf_pc_options options = {
    .work_dir = LF_BINARY_DIR "/powercut-work",
};

static void test_two_copies_survive_every_cut(void **state)
{
    (void)state;
    struct lf_pc_scenario s = {
        .name = "record/two-copies/nrf52840dk",
        .board = &lf_board_nrf52840dk,
        .arg = (void *)&two_copies,
        .setup = setup,
        .run = run,
        .check = check,
    };
    struct lf_pc_result res;
    assert_int_equal(lf_pc_run(&s, &options, &res), 0);
    assert_int_equal(res.ops, 4); /* two updates: erase + program each */
    assert_int_equal(res.cuts, 8);
    assert_int_equal(res.failures, 0);

    struct lf_pc_options twice = options;
    twice.double_cut = true;
    s.name = "record/two-copies/double-cut/nrf52840dk";
    assert_int_equal(lf_pc_run(&s, &twice, &res), 0);
    assert_true(res.cuts > 8);
    assert_int_equal(res.failures, 0);
}

static void test_unsafe_variant_is_caught(void **state)
{
    (void)state;
    struct lf_pc_scenario s = {
        .name = "record/unsafe-one-copy/nrf52840dk",
        .board = &lf_board_nrf52840dk,
        .arg = (void *)&one_copy,
        .setup = setup,
        .run = run,
        .check = check,
    };
    struct lf_pc_result res;
    assert_int_equal(lf_pc_run(&s, &options, &res), 0);
    assert_int_equal(res.ops, 4);
    /* Operations: erase, program (value 2), erase, program (value 3).
     * A clean cut on an erase loses nothing (the page is untouched); on a
     * program it leaves the page erased: 2 failures. A torn cut on an erase
     * leaves a half-erased page, on a program a half-written record; neither
     * passes the check value: 4 failures. Exactly 6, and all 4 torn cuts
     * tore: with torn cuts behaving as clean ones this would be 2 (+1 from
     * the runner's own check). */
    assert_int_equal(res.cuts, 8);
    assert_int_equal(res.torn_cuts, 4);
    assert_int_equal(res.torn_partial, 4);
    assert_int_equal(res.failures, 6);
    printf("unsafe variant caught: %llu of %llu cuts failed, as they must\n",
           (unsigned long long)res.failures, (unsigned long long)res.cuts);
}

static void test_torn_canary(void **state)
{
    (void)state;
    struct lf_pc_scenario s = {
        .name = "record/torn-canary/nrf52840dk",
        .board = &lf_board_nrf52840dk,
        .arg = (void *)&word_log,
        .setup = setup,
        .run = run,
        .check = check,
    };
    struct lf_pc_result res;
    /* Clean cuts: a word is written or not; the log is always readable. */
    struct lf_pc_options clean = options;
    clean.kinds = LF_PC_CLEAN;
    assert_int_equal(lf_pc_run(&s, &clean, &res), 0);
    assert_int_equal(res.ops, 2); /* two programs: values 2 and 3 */
    assert_int_equal(res.cuts, 2);
    assert_int_equal(res.failures, 0);
    /* Torn cuts: each leaves a half-written word, a value that was never
     * written: one failure per program, both cuts tore. */
    struct lf_pc_options torn = options;
    torn.kinds = LF_PC_TORN;
    s.name = "record/torn-canary/torn/nrf52840dk";
    assert_int_equal(lf_pc_run(&s, &torn, &res), 0);
    assert_int_equal(res.cuts, 2);
    assert_int_equal(res.torn_cuts, 2);
    assert_int_equal(res.torn_partial, 2);
    assert_int_equal(res.failures, 2);
}

int main(void)
{
    /* This flow is tiny: always cut every operation, even in slow builds. */
    unsetenv("LF_PC_STRIDE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_copies_survive_every_cut),
        cmocka_unit_test(test_unsafe_variant_is_caught),
        cmocka_unit_test(test_torn_canary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
