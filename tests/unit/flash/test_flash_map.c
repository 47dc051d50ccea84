/* Board layouts bind to devices, and every declared area is sane. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "boards.h"
#include "lf/err.h"
#include "sim_device.h"

static void test_every_board_binds(void **state)
{
    (void)state;
    char dir[512];
    for (unsigned i = 0; lf_board_at(i) != NULL; i++) {
        const struct lf_board *b = lf_board_at(i);
        struct lf_sim_device d;
        snprintf(dir, sizeof(dir), "%s/flash-map-%d/%s", LF_BINARY_DIR, (int)getpid(), b->name);
        assert_int_equal(lf_sim_device_create(&d, dir, b), LF_OK);
        for (uint8_t id = 0; id < LF_AREA_COUNT; id++) {
            const struct lf_flash_area *fa = lf_sim_device_area(&d, id);
            assert_non_null(fa); /* every reference board declares every area */
            assert_int_equal(lf_flash_area_check(fa), LF_OK);
        }
        assert_true(b->counter_slots > 0);
        lf_sim_device_close(&d);
        /* Reopening finds the board by the name stored in the directory. */
        assert_int_equal(lf_sim_device_open(&d, dir), LF_OK);
        assert_ptr_equal(d.board, b);
        lf_sim_device_close(&d);
    }
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s/flash-map-%d", LF_BINARY_DIR, (int)getpid());
    assert_int_equal(system(cmd), 0);
}

static void test_overlapping_areas_refused(void **state)
{
    (void)state;
    struct lf_board b = lf_board_nrf52840dk;
    b.areas[LF_AREA_S1].off = 0x08000; /* overlaps S0 */
    struct lf_sim_device d;
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/flash-map-bad-%d", LF_BINARY_DIR, (int)getpid());
    assert_int_equal(lf_sim_device_create(&d, dir, &lf_board_nrf52840dk), LF_OK);
    struct lf_flash_map map;
    assert_int_equal(lf_flash_map_init(&map, &b, d.devs), LF_E_INVAL);
    b = lf_board_nrf52840dk;
    b.areas[LF_AREA_S1].size = 0x7F00; /* not a whole number of pages */
    assert_int_equal(lf_flash_map_init(&map, &b, d.devs), LF_E_FLASH_NOT_SECTOR);
    assert_int_equal(lf_flash_map_init(&map, &lf_board_nrf52840dk, d.devs), LF_OK);
    assert_null(lf_flash_map_area(&map, LF_AREA_COUNT));
    lf_sim_device_close(&d);
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_board_binds),
        cmocka_unit_test(test_overlapping_areas_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
