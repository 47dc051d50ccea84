/*
 * The fault-injection hardening primitives (lf/fih.h): failure is the
 * default, every second check catches a corrupted copy, a counted loop that
 * ended early is caught. lf_fih_panic is this test's own: it jumps back to
 * the test, which counts the panics.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lf/fih.h"

static jmp_buf panic_jmp;
static int panics;

void lf_fih_panic(void)
{
    panics++;
    longjmp(panic_jmp, 1);
}

/* Run `stmt` and say whether it panicked. */
#define PANICS(stmt)                  \
    ({                                \
        int before_ = panics;         \
        if (setjmp(panic_jmp) == 0) { \
            stmt;                     \
        }                             \
        panics != before_;            \
    })

static int popcount32(uint32_t v)
{
    int n = 0;
    for (; v; v &= v - 1) {
        n++;
    }
    return n;
}

static void test_values_far_apart(void **state)
{
    (void)state;
    assert_true(popcount32(LF_FIH_SUCCESS ^ LF_FIH_FAILURE) >= 16);
    assert_true(popcount32(LF_FIH_SUCCESS) >= 12 && popcount32(LF_FIH_SUCCESS) <= 20);
    assert_true(popcount32(LF_FIH_FAILURE) >= 12 && popcount32(LF_FIH_FAILURE) <= 20);
    /* Neither value is what zeroed memory, erased flash or a skipped store
     * of a small constant leaves behind. */
    const uint32_t common[] = {0u, 1u, 0xFFFFFFFFu, 0xFFFFFFFEu, 0x80000000u};
    for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
        assert_true(popcount32(common[i] ^ LF_FIH_SUCCESS) >= 8);
    }
}

static void test_failure_is_the_default(void **state)
{
    (void)state;
    lf_fih_t zero;
    memset(&zero, 0, sizeof(zero));
    assert_false(lf_fih_ok(zero));
    lf_fih_t init = LF_FIH_INIT_FAILURE;
    assert_false(lf_fih_ok(init));
    assert_int_equal(init.v, LF_FIH_FAILURE);
    lf_fih_set(&init, LF_FIH_SUCCESS);
#if LF_FIH
    assert_true(lf_fih_ok(init));
#else
    assert_false(lf_fih_ok(init)); /* the unhardened build never stores verdicts */
#endif
}

static void test_require(void **state)
{
    (void)state;
    lf_fih_t ok = {LF_FIH_SUCCESS};
    assert_false(PANICS(lf_fih_require(&ok)));
    lf_fih_t bad = {LF_FIH_FAILURE};
    lf_fih_t zero = {0};
#if LF_FIH
    assert_true(PANICS(lf_fih_require(&bad)));
    assert_true(PANICS(lf_fih_require(&zero)));
    /* Any single flipped bit of a success is no longer a success. */
    for (volatile int b = 0; b < 32; b++) {
        lf_fih_t flip = {LF_FIH_SUCCESS ^ (1u << b)};
        assert_false(lf_fih_ok(flip));
        assert_true(PANICS(lf_fih_require(&flip)));
    }
#else
    assert_false(PANICS(lf_fih_require(&bad)));
    assert_false(PANICS(lf_fih_require(&zero)));
#endif
}

static void test_check(void **state)
{
    (void)state;
    int LF_FIH_VOL v = 3;
    assert_false(PANICS(LF_FIH_CHECK(v == 3)));
#if LF_FIH
    assert_true(PANICS(LF_FIH_CHECK(v == 4)));
#else
    assert_false(PANICS(LF_FIH_CHECK(v == 4)));
#endif
}

static void test_memeq(void **state)
{
    (void)state;
    uint8_t a[32];
    uint8_t b[32];
    for (int i = 0; i < 32; i++) {
        a[i] = b[i] = (uint8_t)(i * 37 + 1);
    }
    assert_true(lf_fih_ok(lf_fih_memeq(a, b, sizeof(a))));
    assert_true(lf_fih_ok(lf_fih_memeq(a, b, 0)));
    /* Every position and every bit: a difference is a failure, not a panic. */
    /* volatile: the PANICS longjmp must not clobber them (-Wclobbered at -O2). */
    for (volatile int i = 0; i < 32; i++) {
        for (volatile int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            volatile lf_fih_t r = {0};
            assert_false(PANICS(r = lf_fih_memeq(a, b, sizeof(a))));
            assert_int_equal(r.v, LF_FIH_FAILURE);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(lf_fih_memeq(a, b, sizeof(a)).v, LF_FIH_SUCCESS);
}

static void test_counter(void **state)
{
    (void)state;
    struct lf_fih_ctr c;
    lf_fih_ctr_init(&c);
    for (int i = 0; i < 5; i++) {
        lf_fih_ctr_step(&c);
    }
    assert_false(PANICS(lf_fih_ctr_check(&c, 5)));
#if LF_FIH
    /* A loop that ended one step early (or ran one too many). */
    assert_true(PANICS(lf_fih_ctr_check(&c, 6)));
    assert_true(PANICS(lf_fih_ctr_check(&c, 4)));
    /* The count corrupted but not its complement, and the other way round. */
    c.n = 6;
    assert_true(PANICS(lf_fih_ctr_check(&c, 6)));
    assert_true(PANICS(lf_fih_ctr_check(&c, 5)));
    c.n = 5;
    c.inv = ~(uint32_t)4;
    assert_true(PANICS(lf_fih_ctr_check(&c, 5)));
#else
    assert_false(PANICS(lf_fih_ctr_check(&c, 6)));
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_far_apart),
        cmocka_unit_test(test_failure_is_the_default),
        cmocka_unit_test(test_require),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_memeq),
        cmocka_unit_test(test_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
