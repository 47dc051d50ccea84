/*
 * Every board's counter slots must fit its provision area: checked at compile
 * time for each known board declaration (a board that does not fit breaks
 * the build here) and at run time for every board the project lists, so a
 * board added without a line below still fails a test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "lf/boot.h"
#include "lf/provision.h"

/* Each .def expands to enum constants in its own block scope. */
#define LF_BOARD_DEVICE(d_, geo_, addr_)
#define LF_BOARD_AREA(a_, d_, off_, size_) enum { area_size_##a_ = (size_) };
#define LF_BOARD_SETTING(name_, value_)    enum { setting_##name_ = (value_) };

static void compile_time_checks(void)
{
    {
#include "nrf52840dk.def"
        _Static_assert(LF_PROVISION_SIZE(setting_counter_slots) <= area_size_PROVISION,
                       "nrf52840dk: counter slots do not fit the provision area");
    }
    {
#include "nrf52840dk-qspi.def"
        _Static_assert(LF_PROVISION_SIZE(setting_counter_slots) <= area_size_PROVISION,
                       "nrf52840dk-qspi: counter slots do not fit the provision area");
    }
    {
#include "nrf52840dk-nor64k.def"
        _Static_assert(LF_PROVISION_SIZE(setting_counter_slots) <= area_size_PROVISION,
                       "nrf52840dk-nor64k: counter slots do not fit the provision area");
    }
}

static void test_every_board_fits(void **state)
{
    (void)state;
    compile_time_checks();
    unsigned n = 0;
    for (const struct lf_board *b; (b = lf_board_at(n)) != NULL; n++) {
        const struct lf_board_area *a = &b->areas[LF_AREA_PROVISION];
        assert_int_not_equal(a->size, 0);
        assert_true(b->counter_slots >= 2);
        assert_int_equal(
            lf_provision_layout_check(a->size, LF_PROVISION_MAX_KEYS, b->counter_slots), LF_OK);
    }
    assert_true(n >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_board_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
