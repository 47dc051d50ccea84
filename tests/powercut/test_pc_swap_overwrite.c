/* Power cuts during overwrite-only upgrades (test and permanent requests
 * are both applied for good) on every layout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boards.h"
#include "test_pc_swap_common.h"

#define OVERWRITE (&lf_boot_strategy_overwrite)

static void test_dk(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, OVERWRITE, PC_UPGRADE_TEST, 0), 0);
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, OVERWRITE, PC_UPGRADE_PERM, 0), 0);
}

static void test_qspi(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk_qspi, OVERWRITE, PC_UPGRADE_TEST, 0), 0);
}

static void test_nor64k(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk_nor64k, OVERWRITE, PC_UPGRADE_TEST, 0),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dk),
        cmocka_unit_test(test_qspi),
        cmocka_unit_test(test_nor64k),
    };
    return cmocka_run_group_tests(tests, pc_swap_init, pc_swap_fini);
}
