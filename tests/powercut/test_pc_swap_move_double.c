/* Two power cuts in a row during swap-move: a first cut at every 10th
 * operation of an upgrade or a revert, then a second cut at every operation
 * of the recovery from it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boards.h"
#include "test_pc_swap_common.h"

#define MOVE (&lf_boot_strategy_swap_move)

static void test_double_cut_upgrade(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, MOVE, PC_UPGRADE_TEST, 10), 0);
}

static void test_double_cut_revert(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario(&lf_board_nrf52840dk, MOVE, PC_REVERT, 10), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double_cut_upgrade),
        cmocka_unit_test(test_double_cut_revert),
    };
    return cmocka_run_group_tests(tests, pc_swap_init, pc_swap_fini);
}
