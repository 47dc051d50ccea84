/* Power cuts during swap-move upgrades and reverts, internal and QSPI
 * secondaries (second cuts during recovery: test_pc_swap_move_double.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boards.h"
#include "test_pc_swap_common.h"

#define MOVE (&lf_boot_strategy_swap_move)

static void test_dk(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, MOVE, PC_UPGRADE_TEST, 0), 0);
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, MOVE, PC_UPGRADE_PERM, 0), 0);
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, MOVE, PC_REVERT, 0), 0);
}

static void test_qspi(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk_qspi, MOVE, PC_UPGRADE_TEST, 0), 0);
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk_qspi, MOVE, PC_UPGRADE_PERM, 0), 0);
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk_qspi, MOVE, PC_REVERT, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dk),
        cmocka_unit_test(test_qspi),
    };
    return cmocka_run_group_tests(tests, pc_swap_init, pc_swap_fini);
}
