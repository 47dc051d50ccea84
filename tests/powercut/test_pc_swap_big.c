/*
 * Power cuts with realistic images (issue 13): v1 of 64 sectors of 4 KiB is
 * upgraded to v2 of 66 sectors, one scenario per strategy and board it runs
 * on, swap-move's permanent upgrade on both boards it supports. CI cuts every
 * PC_BIG_STRIDE_DEFAULT-th operation; LF_PC_BIG_STRIDE=1 cuts every one (the
 * long run, README "Flash models and power cuts").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boards.h"
#include "test_pc_swap_common.h"

#define MOVE      (&lf_boot_strategy_swap_move)
#define SCRATCH   (&lf_boot_strategy_swap_scratch)
#define OVERWRITE (&lf_boot_strategy_overwrite)

static void test_move(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk, MOVE, PC_UPGRADE_PERM), 0);
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk_qspi, MOVE, PC_UPGRADE_PERM), 0);
}

static void test_scratch(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk, SCRATCH, PC_UPGRADE_TEST), 0);
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk_qspi, SCRATCH, PC_UPGRADE_TEST), 0);
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk_nor64k, SCRATCH, PC_UPGRADE_TEST),
                     0);
}

static void test_overwrite(void **state)
{
    (void)state;
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk, OVERWRITE, PC_UPGRADE_PERM), 0);
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk_qspi, OVERWRITE, PC_UPGRADE_PERM),
                     0);
    assert_int_equal(pc_swap_scenario_big(&lf_board_nrf52840dk_nor64k, OVERWRITE, PC_UPGRADE_PERM),
                     0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_scratch),
        cmocka_unit_test(test_overwrite),
    };
    return cmocka_run_group_tests(tests, pc_swap_init, pc_swap_fini);
}
